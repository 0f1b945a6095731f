// adapters/redis/customer_store against a real redis-server: lookups by every key and their
// precedence, the cache (hits, ttl, invalidation by write-back), segments, lenient parsing, and
// a server that pauses, stops and comes back. Records are written with plain commands following
// keys.h, as the importer would.
#include "adapters/redis/customer_store.h"

#include <hiredis/hiredis.h>
#include <signal.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/redis/keys.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;
namespace field = ::router::adapters::redis::field;
using adapters::ports::CustomerKeys;
using adapters::ports::LookupResult;

constexpr std::string_view kPrefix = "test:";

// Plain synchronous commands for arranging and inspecting data: a fresh connection each time,
// so it works across server restarts. Never used while the server is paused.
class Admin {
 public:
  explicit Admin(int port) : port_(port) {}

  redis::Reply run(const std::vector<std::string>& argv) const {
    const timeval timeout{5, 0};
    std::unique_ptr<redisContext, void (*)(redisContext*)> ctx(
        redisConnectWithTimeout("127.0.0.1", port_, timeout), redisFree);
    REQUIRE(ctx != nullptr);
    REQUIRE(ctx->err == 0);
    redisSetTimeout(ctx.get(), timeout);
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lengths.push_back(a.size());
    }
    std::unique_ptr<redisReply, void (*)(void*)> reply(
        static_cast<redisReply*>(redisCommandArgv(ctx.get(), static_cast<int>(args.size()),
                                                  args.data(), lengths.data())),
        freeReplyObject);
    REQUIRE(reply != nullptr);
    return redis::Reply::copy(*reply);
  }

  // HSETs <p>customer:<id> with its id and `fields`.
  void put_customer(const std::string& id,
                    const std::vector<std::pair<std::string_view, std::string>>& fields) const {
    std::vector<std::string> argv{"HSET", keys_.customer(id), std::string(field::kId), id};
    for (const auto& [name, value] : fields) {
      argv.emplace_back(name);
      argv.push_back(value);
    }
    REQUIRE_FALSE(run(argv).is_error());
  }
  // SETs <p>idx:<kind>:<value> to `id`.
  void index(std::string_view kind, const std::string& value, const std::string& id) const {
    REQUIRE_FALSE(run({"SET", keys_.index(kind, value), id}).is_error());
  }
  std::string hget(const std::string& id, std::string_view name) const {
    return run({"HGET", keys_.customer(id), std::string(name)}).str;
  }
  bool exists(const std::string& key) const { return run({"EXISTS", key}).integer == 1; }
  void del(const std::string& key) const { run({"DEL", key}); }
  const redis::Keys& keys() const { return keys_; }

 private:
  int port_;
  redis::Keys keys_{std::string(kPrefix)};
};

// A cache clock the test moves by hand (read on the io thread, moved on the test thread).
class ManualClock {
 public:
  redis::CustomerCache::Clock fn() {
    return [this] { return base_ + std::chrono::milliseconds(offset_ms_.load()); };
  }
  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

 private:
  std::chrono::steady_clock::time_point base_{std::chrono::hours(1)};
  std::atomic<int64_t> offset_ms_{0};
};

// A redis-server, one Client for the store on an io_context run by its own thread.
struct Fixture {
  Fixture() : admin(server.port()), work(io.get_executor()) {
    ::signal(SIGPIPE, SIG_IGN);  // a write to a vanished server must fail, not kill the test
    redis::ClientOptions options;
    options.name = "customers";
    options.port = server.port();
    options.reconnect_min = 20ms;
    options.reconnect_max = 200ms;
    client = std::make_unique<redis::Client>(io, options);
    client->start();
    io_thread = std::thread([this] { io.run(); });
    if (!eventually([&] { return client->connected(); })) {
      shutdown();
      FAIL("the Client did not connect to the test server");
    }
  }
  ~Fixture() { shutdown(); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  void shutdown() {
    if (!io_thread.joinable()) return;
    client->stop();
    // Let stop() run on the io thread, then end the thread before the Client goes away.
    std::promise<void> stopped;
    asio::post(io, [&] { stopped.set_value(); });
    stopped.get_future().wait();
    work.reset();
    io.stop();
    io_thread.join();
  }

  redis::CustomerStoreOptions options() const {
    redis::CustomerStoreOptions o;
    o.key_prefix = std::string(kPrefix);
    o.lookup_timeout = 200ms;  // loopback under ASan on a busy 2-core machine
    return o;
  }

  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  // In this order: the Client goes before the io_context it uses.
  RedisServer server;
  Admin admin;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::unique_ptr<redis::Client> client;
  std::thread io_thread;
};

// CustomerKeys by builder: customer_keys().phone("+4930111").account("acct").
class KeysBuilder {
 public:
  KeysBuilder& phone(std::string v) { return set(&CustomerKeys::phone_e164, std::move(v)); }
  KeysBuilder& email(std::string v) { return set(&CustomerKeys::email, std::move(v)); }
  KeysBuilder& visitor(std::string v) { return set(&CustomerKeys::web_visitor, std::move(v)); }
  KeysBuilder& account(std::string v) { return set(&CustomerKeys::web_account, std::move(v)); }
  KeysBuilder& id(std::string v) { return set(&CustomerKeys::customer_id, std::move(v)); }
  operator CustomerKeys() const { return keys_; }  // NOLINT(google-explicit-constructor)

 private:
  KeysBuilder& set(std::string CustomerKeys::*key, std::string v) {
    keys_.*key = std::move(v);
    return *this;
  }
  CustomerKeys keys_;
};
KeysBuilder customer_keys() { return {}; }

// Runs one lookup and waits for its answer; checks `done` runs exactly once.
LookupResult lookup(redis::RedisCustomerStore& store, const CustomerKeys& keys,
                    std::chrono::milliseconds limit = 10s) {
  struct Answer {
    std::promise<LookupResult> promise;
    std::atomic<int> calls{0};
  };
  auto answer = std::make_shared<Answer>();
  auto future = answer->promise.get_future();
  store.lookup(keys, [answer](LookupResult r) {
    if (answer->calls.fetch_add(1) == 0) answer->promise.set_value(std::move(r));
  });
  REQUIRE(future.wait_for(limit) == std::future_status::ready);
  LookupResult result = future.get();
  std::this_thread::sleep_for(1ms);
  CHECK(answer->calls.load() == 1);
  return result;
}

std::string found_id(const LookupResult& r) { return r.customer ? r.customer->customer_id : ""; }

// Ann: every key, every field.
void put_ann(const Admin& admin) {
  admin.put_customer("c-ann", {{field::kName, "Ann Lee"},
                               {field::kSegment, "profitable"},
                               {field::kCurrentValue, "12000.5"},
                               {field::kPotentialValue, "3000"},
                               {field::kLifetimeValue, "40000"},
                               {field::kLanguage, "zh"},
                               {field::kPreferredAgent, "alice"},
                               {field::kLastAgent, "bob"},
                               {field::kLastContact, "1700000000"},
                               {field::kTags, R"(["vip","mandarin"])"},
                               {field::kPhones, R"(["+493012345678"])"},
                               {field::kEmails, R"(["ann@example.com"])"}});
  admin.index(redis::kIndexPhone, "+493012345678", "c-ann");
  admin.index(redis::kIndexEmail, "ann@example.com", "c-ann");
  admin.index(redis::kIndexVisitor, "visitor-ann", "c-ann");
  admin.index(redis::kIndexAccount, "account-ann", "c-ann");
}

TEST_CASE("a customer is found by each of its keys with every field of its record", "[customers]") {
  Fixture f;
  put_ann(f.admin);
  redis::RedisCustomerStore store(*f.client, f.options());

  CustomerKeys keys;
  std::string matched_by;
  SECTION("phone") {
    keys.phone_e164 = "+493012345678";
    matched_by = "phone";
  }
  SECTION("email") {
    keys.email = "ann@example.com";
    matched_by = "email";
  }
  SECTION("web visitor") {
    keys.web_visitor = "visitor-ann";
    matched_by = "web_visitor";
  }
  SECTION("web account") {
    keys.web_account = "account-ann";
    matched_by = "web_account";
  }
  SECTION("customer id") {
    keys.customer_id = "c-ann";
    matched_by = "customer_id";
  }

  const LookupResult r = lookup(store, keys);
  REQUIRE(r.customer.has_value());
  CHECK_FALSE(r.degraded);
  CHECK(r.matched_by == matched_by);
  const auto& c = *r.customer;
  CHECK(c.customer_id == "c-ann");
  CHECK(c.name == "Ann Lee");
  CHECK(c.segment == engine::Segment::kProfitable);
  CHECK(c.current_value == 12000.5);
  CHECK(c.potential_value == 3000.0);
  CHECK(c.lifetime_value == 40000.0);
  CHECK(c.language == "zh");
  CHECK(c.preferred_agent == "alice");
  CHECK(c.last_agent == "bob");
  CHECK(c.last_contact_unix_s == 1700000000);
  CHECK(c.tags == std::vector<std::string>{"vip", "mandarin"});

  const auto s = store.stats();
  CHECK(s.lookups == 1);
  CHECK(s.redis_hits == 1);
  CHECK(s.cache_hits == 0);
  CHECK(s.malformed_fields == 0);
}

TEST_CASE("an unknown key is anonymous, and a customer imported after that is found at once",
          "[customers]") {
  Fixture f;
  redis::RedisCustomerStore store(*f.client, f.options());
  const CustomerKeys keys = customer_keys().phone("+4930999");

  LookupResult r = lookup(store, keys);
  CHECK_FALSE(r.customer.has_value());
  CHECK(r.matched_by.empty());
  CHECK_FALSE(r.degraded);
  CHECK(store.stats().not_found == 1);

  // An index pointing at no record is unknown too.
  f.admin.index(redis::kIndexPhone, "+4930999", "c-new");
  CHECK_FALSE(lookup(store, keys).customer.has_value());

  f.admin.put_customer("c-new", {{field::kName, "New"}});
  r = lookup(store, keys);
  CHECK(found_id(r) == "c-new");
  CHECK(r.matched_by == "phone");
}

TEST_CASE("a lookup without keys is answered at once without Redis", "[customers]") {
  Fixture f;
  redis::RedisCustomerStore store(*f.client, f.options());
  bool answered = false;
  store.lookup(CustomerKeys{}, [&](LookupResult r) {
    answered = true;
    CHECK_FALSE(r.customer.has_value());
    CHECK_FALSE(r.degraded);
  });
  CHECK(answered);  // inline: no round trip
  CHECK(store.stats().not_found == 1);
  CHECK(store.stats().redis_hits == 0);
}

TEST_CASE("when keys name different customers the first key in precedence order wins",
          "[customers]") {
  Fixture f;
  for (const std::string id : {"c-id", "c-account", "c-phone", "c-email", "c-visitor"}) {
    f.admin.put_customer(id, {{field::kName, id}});
  }
  f.admin.index(redis::kIndexAccount, "acct", "c-account");
  f.admin.index(redis::kIndexPhone, "+4930111", "c-phone");
  f.admin.index(redis::kIndexEmail, "x@example.com", "c-email");
  f.admin.index(redis::kIndexVisitor, "vis", "c-visitor");
  redis::CustomerStoreOptions options = f.options();
  options.cache_entries = 0;  // every lookup asks Redis
  redis::RedisCustomerStore store(*f.client, options);

  CustomerKeys keys = customer_keys()
                          .phone("+4930111")
                          .email("x@example.com")
                          .visitor("vis")
                          .account("acct")
                          .id("c-id");
  LookupResult r = lookup(store, keys);
  CHECK(found_id(r) == "c-id");
  CHECK(r.matched_by == "customer_id");

  keys.customer_id.clear();
  r = lookup(store, keys);
  CHECK(found_id(r) == "c-account");
  CHECK(r.matched_by == "web_account");

  keys.web_account.clear();
  r = lookup(store, keys);
  CHECK(found_id(r) == "c-phone");
  CHECK(r.matched_by == "phone");

  keys.phone_e164.clear();
  r = lookup(store, keys);
  CHECK(found_id(r) == "c-email");
  CHECK(r.matched_by == "email");

  keys.email.clear();
  r = lookup(store, keys);
  CHECK(found_id(r) == "c-visitor");
  CHECK(r.matched_by == "web_visitor");

  SECTION("a key that finds nothing gives way to the next") {
    r = lookup(store,
               customer_keys().phone("+4930111").account("unknown-account").id("unknown-id"));
    CHECK(found_id(r) == "c-phone");
    CHECK(r.matched_by == "phone");
  }
  SECTION("a key of the wrong type is skipped, not an error") {
    const std::string account_index = f.admin.keys().index(redis::kIndexAccount, "acct");
    f.admin.del(account_index);
    f.admin.run({"HSET", account_index, "a", "b"});  // an index key that is a hash
    r = lookup(store, customer_keys().phone("+4930111").account("acct"));
    CHECK(found_id(r) == "c-phone");
    CHECK_FALSE(r.degraded);
  }
}

TEST_CASE("a second lookup is answered from the cache until its ttl runs out", "[customers]") {
  Fixture f;
  put_ann(f.admin);
  ManualClock clock;
  redis::CustomerStoreOptions options = f.options();
  options.cache_ttl = 30s;
  redis::RedisCustomerStore store(*f.client, options, clock.fn());
  const CustomerKeys keys = customer_keys().phone("+493012345678");

  REQUIRE(found_id(lookup(store, keys)) == "c-ann");
  // Gone from Redis, still in the cache: the second lookup does not reach Redis.
  f.admin.del(f.admin.keys().customer("c-ann"));
  f.admin.del(f.admin.keys().index(redis::kIndexPhone, "+493012345678"));

  clock.advance(29s);
  LookupResult r = lookup(store, keys);
  CHECK(found_id(r) == "c-ann");
  CHECK(r.matched_by == "phone");
  CHECK(r.customer->tags == std::vector<std::string>{"vip", "mandarin"});
  auto s = store.stats();
  CHECK(s.cache_hits == 1);
  CHECK(s.redis_hits == 1);
  CHECK(s.cache.hits == 1);
  CHECK(s.cache.entries == 1);

  clock.advance(1s);
  CHECK_FALSE(lookup(store, keys).customer.has_value());
  s = store.stats();
  CHECK(s.cache.expirations == 1);
  CHECK(s.not_found == 1);
}

TEST_CASE("the cache answers only for the first key a lookup carries", "[customers]") {
  Fixture f;
  put_ann(f.admin);
  f.admin.put_customer("c-other", {{field::kName, "Other"}});
  redis::RedisCustomerStore store(*f.client, f.options());

  REQUIRE(found_id(lookup(store, customer_keys().phone("+493012345678"))) == "c-ann");
  // A lookup that also carries an account — which outranks the phone — must ask Redis: the
  // account may belong to someone else.
  f.admin.index(redis::kIndexAccount, "acct-other", "c-other");
  const LookupResult r =
      lookup(store, customer_keys().phone("+493012345678").account("acct-other"));
  CHECK(found_id(r) == "c-other");
  CHECK(r.matched_by == "web_account");
  CHECK(store.stats().cache_hits == 0);
}

TEST_CASE("a missing segment is derived with the configured thresholds, a given one is kept",
          "[customers]") {
  Fixture f;
  redis::CustomerStoreOptions options = f.options();
  options.segments.strategic_potential_min = 1000;
  options.segments.profitable_current_min = 500;
  options.segments.risk_current_below = 10;
  redis::RedisCustomerStore store(*f.client, options);

  f.admin.put_customer("strategic", {{field::kPotentialValue, "1000"}});
  f.admin.put_customer("profitable",
                       {{field::kCurrentValue, "500"}, {field::kPotentialValue, "999"}});
  f.admin.put_customer("risk", {{field::kCurrentValue, "9"}, {field::kSegment, ""}});
  f.admin.put_customer("ordinary", {{field::kCurrentValue, "10"}});
  f.admin.put_customer("kept", {{field::kCurrentValue, "-50"}, {field::kSegment, "Strategic"}});
  f.admin.put_customer("negative", {{field::kCurrentValue, "-50"}, {field::kPotentialValue, "20"}});

  const auto customer = [&](const std::string& id) {
    const LookupResult r = lookup(store, customer_keys().id(id));
    REQUIRE(r.customer.has_value());
    return *r.customer;
  };
  CHECK(customer("strategic").segment == engine::Segment::kStrategic);
  CHECK(customer("profitable").segment == engine::Segment::kProfitable);
  CHECK(customer("risk").segment == engine::Segment::kRisk);
  CHECK(customer("ordinary").segment == engine::Segment::kOrdinary);
  CHECK(customer("kept").segment == engine::Segment::kStrategic);

  // lifetime_value absent: max(0, current + potential).
  CHECK(customer("profitable").lifetime_value == 1499.0);
  CHECK(customer("negative").lifetime_value == 0.0);
  CHECK(store.stats().malformed_fields == 0);
}

TEST_CASE("a malformed field is read as absent and the lookup still finds the customer",
          "[customers]") {
  Fixture f;
  redis::RedisCustomerStore store(*f.client, f.options());
  f.admin.put_customer("c-bad", {{field::kName, "Bad"},
                                 {field::kCurrentValue, "lots"},
                                 {field::kPotentialValue, "60000"},
                                 {field::kLifetimeValue, "-5"},
                                 {field::kSegment, "vip"},
                                 {field::kLastContact, "yesterday"},
                                 {field::kTags, "vip,gold"},
                                 {"a_future_field", "whatever"}});

  const LookupResult r = lookup(store, customer_keys().id("c-bad"));
  REQUIRE(r.customer.has_value());
  CHECK_FALSE(r.degraded);
  const auto& c = *r.customer;
  CHECK(c.name == "Bad");
  CHECK(c.current_value == 0.0);
  CHECK(c.potential_value == 60000.0);
  CHECK(c.lifetime_value == 60000.0);
  CHECK(c.segment == engine::Segment::kStrategic);  // derived, "vip" is no segment
  CHECK(c.last_contact_unix_s == 0);
  CHECK(c.tags.empty());
  CHECK(store.stats().malformed_fields == 5);

  SECTION("tags that are not all strings") {
    f.admin.put_customer("c-tags", {{field::kTags, R"(["a", 1])"}});
    CHECK(lookup(store, customer_keys().id("c-tags")).customer->tags.empty());
  }
  SECTION("a record without an id field takes the id it was found by") {
    f.admin.run({"HSET", f.admin.keys().customer("c-noid"), "name", "No Id"});
    f.admin.index(redis::kIndexEmail, "noid@example.com", "c-noid");
    CHECK(found_id(lookup(store, customer_keys().email("noid@example.com"))) == "c-noid");
    CHECK(found_id(lookup(store, customer_keys().id("c-noid"))) == "c-noid");
  }
}

TEST_CASE("a write-back sets last agent and contact, and the next lookup sees them",
          "[customers]") {
  Fixture f;
  put_ann(f.admin);
  redis::RedisCustomerStore store(*f.client, f.options());
  const CustomerKeys by_phone = customer_keys().phone("+493012345678");
  const CustomerKeys by_id = customer_keys().id("c-ann");

  // Both keys cached with the old last agent.
  REQUIRE(lookup(store, by_phone).customer->last_agent == "bob");
  REQUIRE(lookup(store, by_id).customer->last_agent == "bob");
  REQUIRE(lookup(store, by_phone).customer->last_agent == "bob");
  REQUIRE(store.stats().cache_hits == 1);

  store.record_contact("c-ann", "carol", 1700000123);
  REQUIRE(Fixture::eventually([&] { return store.stats().write_backs == 1; }));
  CHECK(f.admin.hget("c-ann", field::kLastAgent) == "carol");
  CHECK(f.admin.hget("c-ann", field::kLastContact) == "1700000123");
  CHECK(f.admin.hget("c-ann", field::kName) == "Ann Lee");  // the rest untouched

  for (const auto& keys : {by_phone, by_id}) {
    const LookupResult r = lookup(store, keys);
    REQUIRE(r.customer.has_value());
    CHECK(r.customer->last_agent == "carol");
    CHECK(r.customer->last_contact_unix_s == 1700000123);
  }
  CHECK(store.stats().cache_hits == 1);  // both went to Redis
  CHECK(store.stats().write_back_failures == 0);
}

TEST_CASE("a write-back for an unknown customer creates nothing", "[customers]") {
  Fixture f;
  redis::RedisCustomerStore store(*f.client, f.options());
  store.record_contact("c-nobody", "carol", 1700000123);
  REQUIRE(Fixture::eventually([&] { return store.stats().write_backs_unknown == 1; }));
  CHECK_FALSE(f.admin.exists(f.admin.keys().customer("c-nobody")));
  CHECK(store.stats().write_backs == 0);
  CHECK(store.stats().write_back_failures == 0);

  store.record_contact("", "carol", 1700000123);  // no id: nothing to do, nothing sent
  std::this_thread::sleep_for(50ms);
  CHECK(store.stats().write_backs_unknown == 1);
}

TEST_CASE("while Redis is paused lookups come back degraded within about the lookup timeout",
          "[customers]") {
  Fixture f;
  put_ann(f.admin);
  redis::RedisCustomerStore store(*f.client, f.options());  // lookup_timeout 200 ms
  const CustomerKeys cached = customer_keys().phone("+493012345678");
  REQUIRE(found_id(lookup(store, cached)) == "c-ann");

  f.server.pause();
  const auto start = std::chrono::steady_clock::now();
  const LookupResult r = lookup(store, customer_keys().email("ann@example.com"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(r.degraded);
  CHECK_FALSE(r.customer.has_value());
  CHECK(elapsed < 3s);  // about 200 ms; generous for a loaded machine
  CHECK(store.stats().degraded == 1);

  // The cache still answers what it has.
  const LookupResult hit = lookup(store, cached);
  CHECK(found_id(hit) == "c-ann");
  CHECK_FALSE(hit.degraded);

  f.server.resume();
  REQUIRE(Fixture::eventually([&] {
    return found_id(lookup(store, customer_keys().email("ann@example.com"))) == "c-ann";
  }));
}

TEST_CASE("with Redis stopped lookups are degraded, and after a restart customers are found",
          "[customers]") {
  Fixture f;
  put_ann(f.admin);
  redis::CustomerStoreOptions options = f.options();
  options.cache_entries = 0;
  redis::RedisCustomerStore store(*f.client, options);
  const CustomerKeys keys = customer_keys().phone("+493012345678");
  REQUIRE(found_id(lookup(store, keys)) == "c-ann");

  // Lookups and write-backs in flight while the server goes away: each is answered once.
  std::atomic<int> answered{0};
  std::atomic<int> twice{0};
  constexpr int kInFlight = 200;
  std::thread traffic([&] {
    for (int i = 0; i < kInFlight; ++i) {
      auto calls = std::make_shared<std::atomic<int>>(0);
      store.lookup(keys, [&, calls](LookupResult) {
        if (calls->fetch_add(1) == 0) {
          ++answered;
        } else {
          ++twice;
        }
      });
      if (i % 10 == 0) store.record_contact("c-ann", "dave", 1700000000 + i);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::this_thread::sleep_for(50ms);
  f.server.stop();
  traffic.join();
  REQUIRE(Fixture::eventually([&] { return answered.load() == kInFlight; }));
  CHECK(twice.load() == 0);

  const auto start = std::chrono::steady_clock::now();
  const LookupResult r = lookup(store, keys);
  CHECK(r.degraded);
  CHECK_FALSE(r.customer.has_value());
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  store.record_contact("c-ann", "erin", 1700000999);
  REQUIRE(Fixture::eventually([&] { return store.stats().write_back_failures >= 1; }));
  CHECK(store.stats().degraded >= 1);

  f.server.restart();  // same port, the AOF brings the records back; the Client reconnects
  REQUIRE(Fixture::eventually([&] { return found_id(lookup(store, keys)) == "c-ann"; }, 15s));
  CHECK(f.admin.hget("c-ann", field::kName) == "Ann Lee");
}

TEST_CASE("the store describes its server, key prefix and cache", "[customers]") {
  Fixture f;
  const std::string address = "redis 127.0.0.1:" + std::to_string(f.server.port()) + " db 0";
  redis::CustomerStoreOptions options = f.options();
  CHECK(redis::RedisCustomerStore(*f.client, options).describe() ==
        address + " prefix test: (cache 100000 entries, 30 s)");
  options.cache_entries = 0;
  CHECK(redis::RedisCustomerStore(*f.client, options).describe() ==
        address + " prefix test: (no cache)");
  options.cache_entries = 10;
  options.cache_ttl = 1500ms;
  CHECK(redis::RedisCustomerStore(*f.client, options).describe() ==
        address + " prefix test: (cache 10 entries, 1500 ms)");
}

}  // namespace
}  // namespace router::it
