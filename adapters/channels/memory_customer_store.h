// The embedded customer store: every record of a customer file held in memory and indexed by
// each lookup key. routerd's default when no Redis is configured, and the tests' store.
// Invariants: every key (customer id, E.164 phone, lower-cased email, trimmed web visitor and
// account ids) belongs to at most one record; a file that breaks this does not load.
// Thread-safe: one mutex guards the records (lookups come from gRPC threads and the engine
// thread); `done` runs inline on the caller's thread, after the lock is released.
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
// Absent segment: derived from the values (SegmentThresholds). Absent lifetime_value:
// max(0, current_value + potential_value). Loading stops at the first bad record, with an error
// naming file:line and the field: `customers.csv:17: phone: not a phone number: "12"`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapters/channels/customer_lookup.h"
#include "adapters/channels/normalize.h"
#include "engine/types.h"

namespace router::adapters::channels {

// How a customer without a segment in the file is segmented (ARCHITECTURE.md: strategic = high
// potential, profitable = high current value, risk = costs more than it brings). Checked in
// this order; the first that holds wins, else ordinary.
struct SegmentThresholds {
  double strategic_potential_min = 50'000.0;  // potential_value ≥ this: strategic
  double profitable_current_min = 10'000.0;   // current_value ≥ this: profitable
  double risk_current_below = 0.0;            // current_value < this: risk
};
engine::Segment derive_segment(double current_value, double potential_value,
                               const SegmentThresholds& thresholds);

// Past any of these, loading fails with a message naming the limit.
struct CustomerFileLimits {
  uint64_t max_file_bytes = uint64_t{4} << 30;  // 4 GiB
  size_t max_records = 10'000'000;
  size_t max_record_bytes = 64 * 1024;  // one JSON line or one CSV record
  size_t max_field_chars = 256;         // each string value
  size_t max_values = 32;               // per list field (tags, phones, ...) of one record
};

struct CustomerFileOptions {
  SegmentThresholds segments;
  CustomerFileLimits limits;
};

enum class CustomerFileFormat { kJsonLines, kCsv };

// ".jsonl" or ".json": JSON Lines; ".csv": CSV (case-insensitive); anything else is an error.
engine::Result<CustomerFileFormat> customer_file_format(std::string_view path);

class MemoryCustomerStore final : public CustomerLookup {
 public:
  static engine::Result<std::unique_ptr<MemoryCustomerStore>> load(
      const std::string& path, const PhoneNormalizer& phones,
      const CustomerFileOptions& options = {});

  // `source_name` stands for the file in error messages ("customers.csv").
  static engine::Result<std::unique_ptr<MemoryCustomerStore>> load_from_string(
      std::string_view text, CustomerFileFormat format, const std::string& source_name,
      const PhoneNormalizer& phones, const CustomerFileOptions& options = {});

  void lookup(const CustomerKeys& keys, std::function<void(LookupResult)> done) override;
  void record_contact(const std::string& customer_id, const std::string& agent,
                      int64_t unix_s) override;
  std::string describe() const override;

  size_t size() const;

 private:
  using Index = std::array<std::unordered_map<std::string, size_t>, kKeyPrecedence.size()>;
  MemoryCustomerStore(std::string source, std::vector<CustomerRecord> records, Index index);

  const std::string source_;
  mutable std::mutex mu_;
  std::vector<CustomerRecord> records_;  // guarded by mu_ (last_agent changes)
  // index_[k]: key of kind kKeyPrecedence[k] → position in records_. Never changes after load.
  const Index index_;
};

}  // namespace router::adapters::channels
