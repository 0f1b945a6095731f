// The customer-lookup port on Redis (key schema: keys.h). A lookup is answered from the cache
// (customer_cache.h) on the calling thread, or else by one round trip: a Lua script that tries
// the present keys in kKeyPrecedence order and returns the first customer found. Redis slow or
// away (past lookup_timeout, disconnected, loading) gives a degraded, anonymous answer at once:
// an interaction is never stalled by its customer lookup; nothing blocks, and past the
// constructor nothing throws.
// record_contact() writes last_agent and last_contact into an existing record only, best effort.
// Thread-safe: any thread may call; `done` runs inline on a cache hit or on the Client's io
// thread. The Client is borrowed and must outlive the store; callbacks still pending when the
// store goes away are safe (they hold the store's shared state, not the store).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/ports/customer_lookup.h"
#include "adapters/redis/client.h"
#include "adapters/redis/customer_cache.h"
#include "engine/model.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct CustomerStoreOptions {
  std::string key_prefix = "router:";
  engine::Duration lookup_timeout = std::chrono::milliseconds(50);
  engine::Duration write_back_timeout = std::chrono::seconds(1);
  size_t cache_entries = 100'000;  // 0: no cache
  engine::Duration cache_ttl = std::chrono::seconds(30);
  engine::SegmentThresholds segments;  // for records without a segment
};

// Counters since construction; a snapshot, each counter read on its own.
struct CustomerStoreStats {
  uint64_t lookups = 0;
  uint64_t cache_hits = 0;           // answered from the cache, without Redis
  uint64_t redis_hits = 0;           // found by the lookup script
  uint64_t not_found = 0;            // anonymous: no key matched (or the lookup carried no key)
  uint64_t degraded = 0;             // anonymous: Redis did not answer in time, was away or failed
  uint64_t write_backs = 0;          // last agent written into an existing record
  uint64_t write_backs_unknown = 0;  // record_contact for a customer Redis does not have
  uint64_t write_back_failures = 0;  // Redis did not take the write (not retried)
  uint64_t malformed_fields = 0;     // record fields read as absent because they did not parse
  CustomerCache::Stats cache;
};

class RedisCustomerStore final : public ports::CustomerLookup {
 public:
  // `cache_clock`: the cache's clock (tests); default steady_clock. Throws std::invalid_argument
  // on a timeout ≤ 0 (a startup failure).
  RedisCustomerStore(Client& client, CustomerStoreOptions options,
                     CustomerCache::Clock cache_clock = {});
  ~RedisCustomerStore() override;
  RedisCustomerStore(const RedisCustomerStore&) = delete;
  RedisCustomerStore& operator=(const RedisCustomerStore&) = delete;

  void lookup(const ports::CustomerKeys& keys,
              std::function<void(ports::LookupResult)> done) override;
  void record_contact(const std::string& customer_id, const std::string& agent,
                      int64_t unix_s) override;
  // "redis 127.0.0.1:6379 db 0 prefix router: (cache 100000 entries, 30 s)"
  std::string describe() const override;

  CustomerStoreStats stats() const;

  // The script every lookup runs (customer_store.cc describes its KEYS, ARGV and reply), for
  // programs that measure Redis with it (bench/redis_lookup).
  static const Script& lookup_script();

 private:
  struct Shared;
  Client& client_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace router::adapters::redis
