// The customer-source port: customer records with their lookup keys, read one at a time, for
// whatever loads a customer store (the Redis importer). Contract: next() yields valid entries and
// rejected records (an error naming "<source>:<line>: <field>"), then kEnd, or kFatal once when
// reading cannot go on. Not thread-safe: one thread reads one source.
// Implementation: adapters/channels' CustomerFileReader (JSON Lines and CSV files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/ports/customer_lookup.h"
#include "engine/types.h"

namespace router::adapters::ports {

// The four lookup keys a record may carry (the customer id is the fifth, always one).
enum class CustomerKeyKind { kPhone, kEmail, kWebVisitor, kWebAccount };
inline constexpr CustomerKeyKind kCustomerKeyKinds[] = {
    CustomerKeyKind::kPhone, CustomerKeyKind::kEmail, CustomerKeyKind::kWebVisitor,
    CustomerKeyKind::kWebAccount};

// One valid record. Key lists are normalized (adapters/channels/normalize.h), non-empty, without
// duplicates, in source order, each within the source's limit.
struct CustomerEntry {
  size_t line = 0;  // where the record starts (1-based)
  CustomerRecord record;
  bool segment_explicit = false;    // the source named the segment (else record.segment is derived)
  std::vector<std::string> phones;  // E.164
  std::vector<std::string> emails;  // lower-cased bare addresses
  std::vector<std::string> web_visitors;  // trimmed
  std::vector<std::string> web_accounts;  // trimmed

  const std::vector<std::string>& keys(CustomerKeyKind kind) const;
};

class CustomerSource {
 public:
  virtual ~CustomerSource();

  enum class Step {
    kEntry,     // `entry` holds the next record
    kRejected,  // `error` says why this record is bad; call next() again for the one after
    kFatal,     // `error` says why reading stopped; next() returns kEnd from now on
    kEnd,       // the whole source was read
  };
  // The error's message is "<source>:<line>: <field>: <what>" (no field when it is the whole
  // record), its code INVALID_ARGUMENT, or RESOURCE_EXHAUSTED past a limit.
  virtual Step next(CustomerEntry& entry, engine::Error& error) = 0;

  // The source's name in messages ("customers.csv").
  virtual const std::string& source() const = 0;
  // How the source names a key field in messages ("phones" in JSON Lines, "phone" in CSV).
  virtual std::string_view key_field(CustomerKeyKind kind) const = 0;
  // Progress: bytes consumed so far, and the size of the whole input.
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t total_bytes() const = 0;
};

}  // namespace router::adapters::ports
