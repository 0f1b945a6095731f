// adapters/redis/customer_cache: the size bound and LRU order, TTL on an injected clock,
// invalidation by customer id (and refusal of answers that predate it), the counters.
#include "adapters/redis/customer_cache.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace router::adapters::redis {
namespace {

using namespace std::chrono_literals;

// Positions in ports::kKeyPrecedence.
constexpr size_t kId = 0;
constexpr size_t kPhone = 2;
constexpr size_t kEmail = 3;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  CustomerCache::Clock fn() {
    return [this] { return now; };
  }
};

CachedCustomer customer(const std::string& id, const std::string& matched_by = "phone") {
  CachedCustomer c;
  c.record.customer_id = id;
  c.record.name = "Customer " + id;
  c.matched_by = matched_by;
  return c;
}

TEST_CASE("a cached customer is found by the same kind and value only", "[cache]") {
  FakeClock clock;
  CustomerCache cache(10, 30s, clock.fn());
  REQUIRE(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));

  const auto hit = cache.find(kPhone, "+4930123");
  REQUIRE(hit != nullptr);
  CHECK(hit->record.customer_id == "c1");
  CHECK(hit->record.name == "Customer c1");
  CHECK(hit->matched_by == "phone");

  CHECK(cache.find(kEmail, "+4930123") == nullptr);  // same value, other kind
  CHECK(cache.find(kPhone, "+4930124") == nullptr);

  const auto s = cache.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 2);
  CHECK(s.entries == 1);
}

TEST_CASE("past its size the cache drops the least recently used entry", "[cache]") {
  FakeClock clock;
  CustomerCache cache(3, 30s, clock.fn());
  REQUIRE(cache.insert(kPhone, "a", customer("ca"), cache.epoch()));
  REQUIRE(cache.insert(kPhone, "b", customer("cb"), cache.epoch()));
  REQUIRE(cache.insert(kPhone, "c", customer("cc"), cache.epoch()));

  SECTION("the oldest insert goes first") {
    REQUIRE(cache.insert(kPhone, "d", customer("cd"), cache.epoch()));
    CHECK(cache.find(kPhone, "a") == nullptr);
    CHECK(cache.find(kPhone, "b") != nullptr);
    CHECK(cache.find(kPhone, "c") != nullptr);
    CHECK(cache.find(kPhone, "d") != nullptr);
    CHECK(cache.stats().evictions == 1);
    CHECK(cache.stats().entries == 3);
  }
  SECTION("a hit makes an entry the most recently used") {
    REQUIRE(cache.find(kPhone, "a") != nullptr);
    REQUIRE(cache.insert(kPhone, "d", customer("cd"), cache.epoch()));  // drops b
    REQUIRE(cache.insert(kPhone, "e", customer("ce"), cache.epoch()));  // drops c
    CHECK(cache.find(kPhone, "b") == nullptr);
    CHECK(cache.find(kPhone, "c") == nullptr);
    CHECK(cache.find(kPhone, "a") != nullptr);
    CHECK(cache.find(kPhone, "d") != nullptr);
    CHECK(cache.find(kPhone, "e") != nullptr);
    CHECK(cache.stats().evictions == 2);
  }
  SECTION("inserting a present key replaces it without evicting") {
    REQUIRE(cache.insert(kPhone, "a", customer("other"), cache.epoch()));
    CHECK(cache.stats().entries == 3);
    CHECK(cache.stats().evictions == 0);
    CHECK(cache.find(kPhone, "a")->record.customer_id == "other");
    // The replaced customer's index went with it: invalidating it leaves "a" alone.
    cache.invalidate("ca");
    CHECK(cache.find(kPhone, "a") != nullptr);
  }
}

TEST_CASE("an entry expires after its ttl on the cache's clock", "[cache]") {
  FakeClock clock;
  CustomerCache cache(10, 30s, clock.fn());
  REQUIRE(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));

  clock.now += 29s;
  CHECK(cache.find(kPhone, "+4930123") != nullptr);  // a hit does not extend the ttl
  clock.now += 1s;
  CHECK(cache.find(kPhone, "+4930123") == nullptr);

  auto s = cache.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 1);
  CHECK(s.expirations == 1);
  CHECK(s.entries == 0);

  SECTION("an insert starts a fresh ttl") {
    REQUIRE(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));
    clock.now += 29s;
    CHECK(cache.find(kPhone, "+4930123") != nullptr);
  }
  SECTION("an expired entry pushed out by the size bound counts as expired, not evicted") {
    CustomerCache small(1, 30s, clock.fn());
    REQUIRE(small.insert(kPhone, "a", customer("ca"), small.epoch()));
    clock.now += 31s;
    REQUIRE(small.insert(kPhone, "b", customer("cb"), small.epoch()));
    s = small.stats();
    CHECK(s.expirations == 1);
    CHECK(s.evictions == 0);
    CHECK(s.entries == 1);
  }
}

TEST_CASE("invalidating a customer drops every key that maps to it", "[cache]") {
  FakeClock clock;
  CustomerCache cache(10, 30s, clock.fn());
  REQUIRE(cache.insert(kId, "c1", customer("c1", "customer_id"), cache.epoch()));
  REQUIRE(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));
  REQUIRE(cache.insert(kEmail, "ann@example.com", customer("c1", "email"), cache.epoch()));
  REQUIRE(cache.insert(kPhone, "+4930999", customer("c2"), cache.epoch()));

  cache.invalidate("c1");

  CHECK(cache.find(kId, "c1") == nullptr);
  CHECK(cache.find(kPhone, "+4930123") == nullptr);
  CHECK(cache.find(kEmail, "ann@example.com") == nullptr);
  CHECK(cache.find(kPhone, "+4930999") != nullptr);
  CHECK(cache.stats().entries == 1);

  cache.invalidate("unknown");  // nothing to drop, nothing breaks
  CHECK(cache.stats().entries == 1);
}

TEST_CASE("an answer read before an invalidation of its customer is not cached", "[cache]") {
  FakeClock clock;
  CustomerCache cache(10, 30s, clock.fn());

  SECTION("the same customer: refused") {
    const uint64_t epoch = cache.epoch();  // the lookup goes out
    cache.invalidate("c1");                // a write-back lands meanwhile
    CHECK_FALSE(cache.insert(kPhone, "+4930123", customer("c1"), epoch));
    CHECK(cache.find(kPhone, "+4930123") == nullptr);
    CHECK(cache.stats().refused == 1);
    // A lookup sent after the invalidation is cached.
    CHECK(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));
  }
  SECTION("another customer: kept") {
    const uint64_t epoch = cache.epoch();
    cache.invalidate("c2");
    CHECK(cache.insert(kPhone, "+4930123", customer("c1"), epoch));
    CHECK(cache.find(kPhone, "+4930123") != nullptr);
  }
  SECTION("too many invalidations since to tell: refused") {
    const uint64_t epoch = cache.epoch();
    for (int i = 0; i < 1000; ++i) cache.invalidate("other" + std::to_string(i));
    CHECK_FALSE(cache.insert(kPhone, "+4930123", customer("c1"), epoch));
  }
}

TEST_CASE("a cache of size zero keeps nothing and counts nothing", "[cache]") {
  FakeClock clock;
  CustomerCache cache(0, 30s, clock.fn());
  CHECK_FALSE(cache.enabled());
  CHECK_FALSE(cache.insert(kPhone, "+4930123", customer("c1"), cache.epoch()));
  CHECK(cache.find(kPhone, "+4930123") == nullptr);
  cache.invalidate("c1");
  const auto s = cache.stats();
  CHECK(s.hits == 0);
  CHECK(s.misses == 0);
  CHECK(s.entries == 0);
}

}  // namespace
}  // namespace router::adapters::redis
