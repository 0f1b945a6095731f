// The embedded customer store: every record of a customer file held in memory and indexed by
// each lookup key. routerd's default when no Redis is configured, and the tests' store.
// Invariants: every key (customer id, E.164 phone, lower-cased email, trimmed web visitor and
// account ids) belongs to at most one record; a file that breaks this does not load.
// Thread-safe: one mutex guards the records (lookups come from gRPC threads and the engine
// thread); `done` runs inline on the caller's thread, after the lock is released.
//
// File formats and validation: customer_file.h. Loading stops at the first bad record (the
// reader's error, or a key already taken), with an error naming file:line and the field:
// `customers.csv:17: phone: not a phone number: "12"`.
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

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"
#include "adapters/ports/customer_lookup.h"
#include "engine/types.h"

namespace router::adapters::channels {

class MemoryCustomerStore final : public ports::CustomerLookup {
 public:
  static engine::Result<std::unique_ptr<MemoryCustomerStore>> load(
      const std::string& path, const PhoneNormalizer& phones,
      const CustomerFileOptions& options = {});

  // `source_name` stands for the file in error messages ("customers.csv").
  static engine::Result<std::unique_ptr<MemoryCustomerStore>> load_from_string(
      std::string_view text, CustomerFileFormat format, const std::string& source_name,
      const PhoneNormalizer& phones, const CustomerFileOptions& options = {});

  void lookup(const ports::CustomerKeys& keys,
              std::function<void(ports::LookupResult)> done) override;
  void record_contact(const std::string& customer_id, const std::string& agent,
                      int64_t unix_s) override;
  std::string describe() const override;

  size_t size() const;

 private:
  using Index = std::array<std::unordered_map<std::string, size_t>, ports::kKeyPrecedence.size()>;
  MemoryCustomerStore(std::string source, std::vector<ports::CustomerRecord> records, Index index);

  const std::string source_;
  mutable std::mutex mu_;
  std::vector<ports::CustomerRecord> records_;  // guarded by mu_ (last_agent changes)
  // index_[k]: key of kind kKeyPrecedence[k] → position in records_. Never changes after load.
  const Index index_;
};

}  // namespace router::adapters::channels
