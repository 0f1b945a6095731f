// Customer files (JSON Lines, CSV) read as a stream, one record at a time: each record comes out
// either as a validated entry (the CustomerRecord and its normalized lookup keys) or as an error
// naming "<source>:<line>: <field>: <what>", and reading goes on after a bad record. Only one
// record's text is held at a time. Duplicate keys across records are not this reader's business:
// the consumer (MemoryCustomerStore, the Redis importer) owns that check.
// Not thread-safe: one thread reads one file. CustomerFileReader is the customer-source port
// (adapters/ports/customer_source.h) over a file.
//
// File formats (adapters/channels/README.md has examples), chosen by the file's extension:
//   .jsonl / .json — JSON Lines: one object per line, blank lines skipped. Fields:
//     id (string or integer, required), name, segment ("strategic", "profitable", "ordinary",
//     "risk"), current_value, potential_value, lifetime_value (numbers), language,
//     preferred_agent, last_agent (strings), tags, phones, emails, web_visitors, web_accounts
//     (arrays of strings, or one string). Any field but id may be absent or null; an unknown
//     field is an error.
//   .csv — a header row naming the columns (any order, any subset, id required; names are
//     case-insensitive): id, name, segment, current_value, potential_value, lifetime_value,
//     language, preferred_agent, last_agent, tags, phone, email, web_visitor, web_account.
//     Several values in one field are separated by '|'. RFC 4180 quoting ("a, b", "say ""hi""",
//     line breaks inside quotes); an empty field is absent; an unknown column is an error.
// Absent segment: derived from the values (SegmentThresholds), and `segment_explicit` is false.
// Absent lifetime_value: max(0, current_value + potential_value).
//
// What stops the reading (Step::kFatal) rather than skipping one record: a file that cannot be
// opened or read, or is over max_file_bytes; a CSV header that is missing or names an unknown or
// repeated column; in CSV, a record over max_record_bytes, text after a closing quote or a quote
// never closed (the record boundaries are lost); more than max_records records. A JSON line over
// max_record_bytes is consumed whole and skipped (kRejected): lines keep JSON Lines framed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/channels/normalize.h"
#include "adapters/ports/customer_source.h"
#include "engine/model.h"
#include "engine/types.h"

namespace router::adapters::channels {

// The reader's records are the customer-source port's.
using ports::CustomerEntry;
using ports::CustomerKeyKind;
using ports::kCustomerKeyKinds;

// Past any of these, a record is rejected or the reading stops, with a message naming the limit.
struct CustomerFileLimits {
  uint64_t max_file_bytes = uint64_t{4} << 30;  // 4 GiB
  size_t max_records = 10'000'000;              // records read, good or bad (blank lines aside)
  size_t max_record_bytes = 64 * 1024;          // one JSON line or one CSV record
  size_t max_field_chars = 256;                 // each string value
  size_t max_values = 32;                       // per list field (tags, phones, ...) of one record
};

struct CustomerFileOptions {
  engine::SegmentThresholds segments;  // for records without a segment (engine::derive_segment)
  CustomerFileLimits limits;
};

enum class CustomerFileFormat { kJsonLines, kCsv };

// ".jsonl" or ".json": JSON Lines; ".csv": CSV (case-insensitive); anything else is an error.
engine::Result<CustomerFileFormat> customer_file_format(std::string_view path);

// How the format names the field in messages: "phones" in JSON Lines, "phone" in CSV.
std::string_view customer_key_field(CustomerFileFormat format, CustomerKeyKind kind);

// Entries' key lists hold at most limits.max_values each.
class CustomerFileReader final : public ports::CustomerSource {
 public:
  // Opens `path` (format from its extension). Errors: unknown extension (INVALID_ARGUMENT),
  // unreadable (NOT_FOUND), over max_file_bytes (RESOURCE_EXHAUSTED). `phones` must outlive the
  // reader.
  static engine::Result<std::unique_ptr<CustomerFileReader>> open(const std::string& path,
                                                                  const PhoneNormalizer& phones,
                                                                  CustomerFileOptions options = {});

  // Reads `text`, which must outlive the reader; `source_name` stands for the file in messages
  // ("customers.csv").
  static engine::Result<std::unique_ptr<CustomerFileReader>> from_string(
      std::string_view text, CustomerFileFormat format, std::string source_name,
      const PhoneNormalizer& phones, CustomerFileOptions options = {});

  ~CustomerFileReader() override;
  CustomerFileReader(const CustomerFileReader&) = delete;
  CustomerFileReader& operator=(const CustomerFileReader&) = delete;

  // ports::CustomerSource.
  Step next(CustomerEntry& entry, engine::Error& error) override;
  const std::string& source() const override;
  std::string_view key_field(CustomerKeyKind kind) const override;  // customer_key_field()
  uint64_t bytes_read() const override;
  uint64_t total_bytes() const override;

  CustomerFileFormat format() const;

  struct State;  // the parser (customer_file.cc)

 private:
  explicit CustomerFileReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace router::adapters::channels
