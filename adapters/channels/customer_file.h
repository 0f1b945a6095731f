// Customer files (JSON Lines, CSV) read as a stream, one record at a time: each record comes out
// either as a validated entry (the CustomerRecord and its normalized lookup keys) or as an error
// naming "<source>:<line>: <field>: <what>", and reading goes on after a bad record. Only one
// record's text is held at a time. Duplicate keys across records are not this reader's business:
// the consumer (MemoryCustomerStore, the Redis importer) owns that check.
// Not thread-safe: one thread reads one file.
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

#include "adapters/channels/customer_lookup.h"
#include "adapters/channels/normalize.h"
#include "adapters/config/routing_config.h"
#include "engine/types.h"

namespace router::adapters::channels {

// How a customer without a segment in the file is segmented: RoutingConfig.daemon.segments.
using SegmentThresholds = config::SegmentThresholds;
// "strategic", "profitable", "ordinary" or "risk", any case; anything else: nothing. The one
// spelling of segments in customer files and in Redis customer hashes.
std::optional<engine::Segment> parse_segment(std::string_view s);

engine::Segment derive_segment(double current_value, double potential_value,
                               const SegmentThresholds& thresholds);

// Past any of these, a record is rejected or the reading stops, with a message naming the limit.
struct CustomerFileLimits {
  uint64_t max_file_bytes = uint64_t{4} << 30;  // 4 GiB
  size_t max_records = 10'000'000;              // records read, good or bad (blank lines aside)
  size_t max_record_bytes = 64 * 1024;          // one JSON line or one CSV record
  size_t max_field_chars = 256;                 // each string value
  size_t max_values = 32;                       // per list field (tags, phones, ...) of one record
};

struct CustomerFileOptions {
  SegmentThresholds segments;
  CustomerFileLimits limits;
};

enum class CustomerFileFormat { kJsonLines, kCsv };

// ".jsonl" or ".json": JSON Lines; ".csv": CSV (case-insensitive); anything else is an error.
engine::Result<CustomerFileFormat> customer_file_format(std::string_view path);

// The four lookup keys a record may carry (the customer id is the fifth, always one).
enum class CustomerKeyKind { kPhone, kEmail, kWebVisitor, kWebAccount };
inline constexpr CustomerKeyKind kCustomerKeyKinds[] = {
    CustomerKeyKind::kPhone, CustomerKeyKind::kEmail, CustomerKeyKind::kWebVisitor,
    CustomerKeyKind::kWebAccount};
// How the format names the field in messages: "phones" in JSON Lines, "phone" in CSV.
std::string_view customer_key_field(CustomerFileFormat format, CustomerKeyKind kind);

// One valid record. Key lists are normalized (normalize.h), non-empty, without duplicates, in
// file order, at most limits.max_values each.
struct CustomerEntry {
  size_t line = 0;  // where the record starts (1-based)
  CustomerRecord record;
  bool segment_explicit = false;    // the file named the segment (else record.segment is derived)
  std::vector<std::string> phones;  // E.164
  std::vector<std::string> emails;  // lower-cased bare addresses
  std::vector<std::string> web_visitors;  // trimmed
  std::vector<std::string> web_accounts;  // trimmed

  const std::vector<std::string>& keys(CustomerKeyKind kind) const;
};

class CustomerFileReader {
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

  ~CustomerFileReader();
  CustomerFileReader(const CustomerFileReader&) = delete;
  CustomerFileReader& operator=(const CustomerFileReader&) = delete;

  enum class Step {
    kEntry,     // `entry` holds the next record
    kRejected,  // `error` says why this record is bad; call next() again for the one after
    kFatal,     // `error` says why reading stopped; next() returns kEnd from now on
    kEnd,       // the whole file was read
  };
  // The error's message is "<source>:<line>: <field>: <what>" (no field when it is the whole
  // record), its code INVALID_ARGUMENT, or RESOURCE_EXHAUSTED past a limit.
  Step next(CustomerEntry& entry, engine::Error& error);

  const std::string& source() const;
  CustomerFileFormat format() const;
  // Progress: bytes consumed so far, and the size of the whole input.
  uint64_t bytes_read() const;
  uint64_t total_bytes() const;

  struct State;  // the parser (customer_file.cc)

 private:
  explicit CustomerFileReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace router::adapters::channels
