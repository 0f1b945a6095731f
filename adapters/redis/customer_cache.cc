// The customer cache: an LRU list plus two hash maps (by key, by customer id), one mutex.
#include "adapters/redis/customer_cache.h"

#include <cassert>
#include <utility>

namespace router::adapters::redis {

CustomerCache::CustomerCache(size_t capacity, std::chrono::milliseconds ttl, Clock clock)
    : capacity_(ttl > std::chrono::milliseconds::zero() ? capacity : 0),
      ttl_(ttl),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      recent_(kInvalidationWindow, 0) {}

std::string CustomerCache::encode(size_t kind, std::string_view value) {
  assert(kind < ports::kKeyPrecedence.size());
  std::string key;
  key.reserve(value.size() + 1);
  key.push_back(static_cast<char>('0' + kind));
  key.append(value);
  return key;
}

uint64_t CustomerCache::hash_id(std::string_view customer_id) {
  return std::hash<std::string_view>{}(customer_id);
}

void CustomerCache::erase(Lru::iterator it) {
  by_key_.erase(it->key);
  auto [first, last] = by_customer_.equal_range(it->customer->record.customer_id);
  for (auto c = first; c != last; ++c) {
    if (c->second == it) {
      by_customer_.erase(c);
      break;
    }
  }
  lru_.erase(it);
}

std::shared_ptr<const CachedCustomer> CustomerCache::find(size_t kind, std::string_view value) {
  if (!enabled()) return nullptr;
  const std::string key = encode(kind, value);
  const auto now = clock_();
  std::lock_guard lock(mu_);
  const auto found = by_key_.find(key);
  if (found == by_key_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  const Lru::iterator it = found->second;
  if (it->expires <= now) {
    erase(it);
    ++stats_.expirations;
    ++stats_.misses;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it);
  ++stats_.hits;
  return it->customer;
}

uint64_t CustomerCache::epoch() const {
  std::lock_guard lock(mu_);
  return invalidations_;
}

bool CustomerCache::insert(size_t kind, std::string_view value, CachedCustomer customer,
                           uint64_t epoch) {
  if (!enabled()) return false;
  std::string key = encode(kind, value);
  auto shared = std::make_shared<const CachedCustomer>(std::move(customer));
  const uint64_t id_hash = hash_id(shared->record.customer_id);
  const auto now = clock_();

  std::lock_guard lock(mu_);
  assert(epoch <= invalidations_);
  if (invalidations_ - epoch > kInvalidationWindow) {
    ++stats_.refused;
    return false;
  }
  for (uint64_t n = epoch + 1; n <= invalidations_; ++n) {
    if (recent_[(n - 1) % kInvalidationWindow] == id_hash) {
      ++stats_.refused;
      return false;
    }
  }
  if (const auto found = by_key_.find(key); found != by_key_.end()) erase(found->second);
  lru_.push_front(Entry{std::move(key), std::move(shared), now + ttl_});
  const Lru::iterator it = lru_.begin();
  by_key_.emplace(it->key, it);
  by_customer_.emplace(it->customer->record.customer_id, it);
  while (lru_.size() > capacity_) {
    const Lru::iterator last = std::prev(lru_.end());
    if (last->expires <= now) {
      ++stats_.expirations;
    } else {
      ++stats_.evictions;
    }
    erase(last);
  }
  return true;
}

void CustomerCache::invalidate(std::string_view customer_id) {
  if (!enabled()) return;
  const uint64_t id_hash = hash_id(customer_id);
  const std::string id(customer_id);
  std::lock_guard lock(mu_);
  recent_[invalidations_ % kInvalidationWindow] = id_hash;
  ++invalidations_;
  for (auto c = by_customer_.find(id); c != by_customer_.end(); c = by_customer_.find(id)) {
    erase(c->second);
  }
}

CustomerCache::Stats CustomerCache::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace router::adapters::redis
