// Customer import into Redis (keys.h's schema): a Lua upsert that writes one customer's hash and
// index keys atomically, and CustomerImporter, a blocking bulk loader that feeds a customer file
// through it, pipelined (a customer source: adapters/ports/customer_source.h). routerd only reads
// these keys; `routerctl customers import` writes them. Invariant kept by the script: an index key
// points at one customer, and a customer's hash lists exactly the index keys that point at it (a
// re-import removes the ones it no longer has). Not thread-safe: one thread drives one
// CustomerImporter (a blocking hiredis redisContext).
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/ports/customer_source.h"
#include "adapters/redis/client.h"
#include "adapters/redis/keys.h"
#include "engine/types.h"

struct redisContext;

namespace router::adapters::redis {

// Upserts one customer. KEYS[1]: the hash <p>customer:<id>; KEYS[2..]: the index keys the record
// has now. ARGV[1]: the customer id; ARGV[2]: the key prefix; ARGV[3..]: hash field/value pairs.
//  - If any KEYS[2..] already holds ANOTHER customer id, nothing is written and the reply is
//    {"conflict", i, owner, ...}: KEYS[i + 1] belongs to `owner` (every conflicting key listed).
//  - Else the index keys listed in the old hash's key lists (phones, emails, web_visitors,
//    web_accounts) that the new record no longer has, and that still point at this customer,
//    are deleted; the hash fields are set; every KEYS[2..] is set to the id. Reply {"ok", n}:
//    n stale index keys deleted.
// Not Redis Cluster safe: the old index keys are computed inside the script.
const Script& customer_upsert_script();

// One upsert's KEYS and ARGV for `entry`. The hash gets every field of keys.h: numbers as
// shortest round-trip decimal text, segment empty unless the file named it, tags and key lists
// as JSON arrays. last_agent (and last_contact, cleared: the file has no time) only when the
// file gives a last agent — otherwise routerd's own write-back of both is kept.
struct UpsertCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
  // Parallel to keys[1..]: which kind each index key is, and its value (for messages).
  std::vector<std::pair<ports::CustomerKeyKind, std::string>> index;
};
UpsertCall customer_upsert_call(const Keys& keys, const ports::CustomerEntry& entry);

struct ImportTarget {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;      // SELECT when ≠ 0
  std::string password;  // AUTH when non-empty
  std::string key_prefix = "router:";
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{30000};  // per reply; past it the import stops
};

struct ImportOptions {
  size_t batch = 500;         // upserts in flight (one pipelined write, then their replies)
  size_t max_reasons = 1000;  // skip reasons kept in the summary; the rest are only counted
};

struct ImportProgress {
  size_t records = 0;  // read from the file so far, good or bad
  size_t loaded = 0;
  size_t skipped = 0;
  uint64_t bytes_read = 0;
  uint64_t total_bytes = 0;
  std::chrono::steady_clock::duration elapsed{};
};

struct ImportSummary {
  size_t loaded = 0;
  size_t skipped = 0;  // parse_errors + key_conflicts + redis_errors
  size_t parse_errors = 0;
  size_t key_conflicts = 0;
  size_t redis_errors = 0;  // error replies (e.g. WRONGTYPE on an index key)
  // "<source>:<line>: <field>: <what>", in file order; the first ImportOptions::max_reasons.
  std::vector<std::string> reasons;
  // The source could not be read to its end (CustomerSource::Step::kFatal): the records after
  // this point were not loaded.
  std::optional<engine::Error> file_error;
  // ok; or UNAVAILABLE when the connection was lost or a reply timed out mid-way (the records
  // in flight may or may not have been written; a re-import is safe: upserts are idempotent).
  absl::Status redis_status;
  std::chrono::steady_clock::duration elapsed{};

  size_t records() const { return loaded + skipped; }
  double records_per_s() const;
};

class CustomerImporter {
 public:
  // Connects, AUTH, SELECT, PING. UNAVAILABLE when Redis cannot be reached; PERMISSION_DENIED
  // when AUTH is refused; INVALID_ARGUMENT when SELECT is.
  static absl::StatusOr<std::unique_ptr<CustomerImporter>> connect(const ImportTarget& target);
  ~CustomerImporter();
  CustomerImporter(const CustomerImporter&) = delete;
  CustomerImporter& operator=(const CustomerImporter&) = delete;

  // Reads every record of `source` and upserts the valid ones, `options.batch` at a time, in
  // source order (so the first of two records claiming one key keeps it). `progress` (may be
  // empty) is called after each batch.
  ImportSummary run(ports::CustomerSource& source,
                    const std::function<void(const ImportProgress&)>& progress,
                    const ImportOptions& options = {});

 private:
  CustomerImporter(redisContext* context, Keys keys);
  redisContext* context_;  // owned (redisFree)
  Keys keys_;
};

}  // namespace router::adapters::redis
