// The Redis customer store's read cache: lookup key (kind + value) → the customer Redis found for
// it, least recently used first out past `capacity` entries, each entry good for `ttl`. Only
// positive answers are cached, so a customer imported a moment ago is found on the next lookup.
// A write-back invalidates every key of its customer; an answer read from Redis before that
// invalidation is refused by insert() (see epoch()), so a stale record cannot slip back in.
// Thread-safe: one mutex, held only for map and list updates (records are shared, not copied).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapters/ports/customer_lookup.h"

namespace router::adapters::redis {

// What one cache entry holds: the record and how it was found (a kMatchedBy* value).
struct CachedCustomer {
  ports::CustomerRecord record;
  std::string matched_by;
};

class CustomerCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;       // includes expired entries found
    uint64_t evictions = 0;    // pushed out by the size bound
    uint64_t expirations = 0;  // found, or pushed out, past their ttl
    uint64_t refused = 0;      // insert() after an invalidation of that customer
    size_t entries = 0;
  };

  // capacity 0 or ttl ≤ 0: the cache is off (every find misses, nothing is kept or counted).
  // `clock` defaults to std::chrono::steady_clock::now; tests pass their own.
  CustomerCache(size_t capacity, std::chrono::milliseconds ttl, Clock clock = {});
  CustomerCache(const CustomerCache&) = delete;
  CustomerCache& operator=(const CustomerCache&) = delete;

  bool enabled() const { return capacity_ > 0; }
  size_t capacity() const { return capacity_; }
  std::chrono::milliseconds ttl() const { return ttl_; }

  // `kind` is the key's position in ports::kKeyPrecedence. Null on a miss or an expired entry
  // (which is dropped). A hit becomes the most recently used entry.
  std::shared_ptr<const CachedCustomer> find(size_t kind, std::string_view value);

  // A token to take before asking Redis and hand to insert() with the answer.
  uint64_t epoch() const;

  // Keeps `customer` under (kind, value), replacing what was there, for ttl from now. Refused
  // (false) when `customer`'s id was invalidated after `epoch` was taken — the answer may predate
  // a write-back — or when so many invalidations happened since that this cannot be told.
  bool insert(size_t kind, std::string_view value, CachedCustomer customer, uint64_t epoch);

  // Drops every key that maps to `customer_id`.
  void invalidate(std::string_view customer_id);

  Stats stats() const;

 private:
  struct Entry {
    std::string key;  // encode(kind, value)
    std::shared_ptr<const CachedCustomer> customer;
    std::chrono::steady_clock::time_point expires;
  };
  using Lru = std::list<Entry>;  // front: most recently used

  // How many recent invalidations insert() can check against; more since its epoch: refused.
  static constexpr size_t kInvalidationWindow = 256;

  static std::string encode(size_t kind, std::string_view value);
  static uint64_t hash_id(std::string_view customer_id);
  void erase(Lru::iterator it);  // REQUIRES: mu_ held

  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  const Clock clock_;

  mutable std::mutex mu_;
  Lru lru_;                                                          // guarded by mu_
  std::unordered_map<std::string, Lru::iterator> by_key_;            // guarded by mu_
  std::unordered_multimap<std::string, Lru::iterator> by_customer_;  // guarded by mu_
  // The last kInvalidationWindow invalidations as hashes of the customer id: invalidation n
  // (counting from 1) sits at recent_[(n - 1) % kInvalidationWindow]. A hash collision only
  // refuses an insert, which is safe.
  std::vector<uint64_t> recent_;  // guarded by mu_
  uint64_t invalidations_ = 0;    // guarded by mu_
  Stats stats_;                   // guarded by mu_ (entries is filled in by stats())
};

}  // namespace router::adapters::redis
