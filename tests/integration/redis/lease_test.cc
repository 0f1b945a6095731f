// adapters/redis/lease and the journal's fence against a real redis-server: the lease scripts
// (take a free lease, renew one's own, refuse a foreign renewal, a token that grows at every
// takeover), the lease loop (a standby takes over when the active stops renewing; a refused
// renewal is reported lost), and journal writes refused once their token is no longer the
// fence's (docs/availability.md, "Active and standby").
#include "adapters/redis/lease.h"

#include <signal.h>

#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/redis/journal.h"
#include "tests/integration/redis/io_thread.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;
namespace ports = ::router::adapters::ports;

// Clients (and the leases and journal on them) on one io thread, against `server`.
struct LeaseRig : IoThread {
  explicit LeaseRig(const RedisServer& server) : server_port(server.port()) {
    signal(SIGPIPE, SIG_IGN);
    IoThread::start();
    observer = client("lease-test-observer");
  }
  ~LeaseRig() {
    for (auto& l : leases) l->stop();
    for (auto& c : clients) c->stop();
    finish();
    journals.clear();
    leases.clear();
  }
  redis::Client* client(const std::string& name) {
    redis::ClientOptions o;
    o.name = name;
    o.port = server_port;
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    clients.push_back(std::make_unique<redis::Client>(io, o));
    clients.back()->start();
    redis::Client* c = clients.back().get();
    REQUIRE(wait([c] { return c->connected(); }));
    return c;
  }
  redis::RedisLease& lease(const std::string& instance, engine::Duration ttl = 300ms,
                           engine::Duration renew = 75ms, engine::Duration defer = 0ms) {
    redis::LeaseOptions o;
    o.key_prefix = "t:";
    o.instance = instance;
    o.ttl = ttl;
    o.renew = renew;
    o.defer_unprepared = defer;
    // Built before its client starts, so the scripts are preloaded on its first connect.
    redis::ClientOptions c;
    c.name = "lease-" + instance;
    c.port = server_port;
    clients.push_back(std::make_unique<redis::Client>(io, c));
    leases.push_back(std::make_unique<redis::RedisLease>(io, *clients.back(), o));
    clients.back()->start();
    redis::Client* cl = clients.back().get();
    REQUIRE(wait([cl] { return cl->connected(); }));
    return *leases.back();
  }
  redis::RedisJournal& journal() {
    redis::ClientOptions c;
    c.name = "journal";
    c.port = server_port;
    clients.push_back(std::make_unique<redis::Client>(io, c));
    redis::JournalOptions j;
    j.key_prefix = "t:";
    j.timeout = 2s;
    journals.push_back(std::make_unique<redis::RedisJournal>(*clients.back(), j));
    clients.back()->start();
    redis::RedisJournal* journal = journals.back().get();
    REQUIRE(wait([journal] { return journal->available(); }));
    return *journal;
  }
  static bool wait(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    return eventually(condition, limit, std::chrono::milliseconds(5));
  }
  absl::StatusOr<redis::Reply> observe(std::vector<std::string> argv) {
    std::promise<absl::StatusOr<redis::Reply>> p;
    observer->command(std::move(argv), 2s,
                      [&](absl::StatusOr<redis::Reply> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  std::string get(const std::string& key) {
    auto r = observe({"GET", key});
    REQUIRE(r.ok());
    return r->str;
  }

  int server_port;
  std::vector<std::unique_ptr<redis::Client>> clients;
  std::vector<std::unique_ptr<redis::RedisLease>> leases;
  std::vector<std::unique_ptr<redis::RedisJournal>> journals;
  redis::Client* observer = nullptr;
};

redis::RedisLease::Taken acquire(redis::RedisLease& lease, uint64_t mine = 0) {
  std::promise<absl::StatusOr<redis::RedisLease::Taken>> p;
  lease.acquire(mine, [&](absl::StatusOr<redis::RedisLease::Taken> r) { p.set_value(r); });
  auto r = p.get_future().get();
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

redis::RedisLease::Taken renew(redis::RedisLease& lease, uint64_t token) {
  std::promise<absl::StatusOr<redis::RedisLease::Taken>> p;
  lease.renew(token, [&](absl::StatusOr<redis::RedisLease::Taken> r) { p.set_value(r); });
  auto r = p.get_future().get();
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

v1::JournalEntry entry(const std::string& id) {
  v1::JournalEntry e;
  e.mutable_interaction()->set_interaction_id(id);
  e.mutable_interaction()->set_channel(v1::PHONE);
  e.mutable_interaction()->set_queue("support");
  e.mutable_interaction()->set_state(v1::QUEUED);
  return e;
}

absl::StatusOr<ports::AppendResult> append(redis::RedisJournal& journal, const std::string& id) {
  std::promise<absl::StatusOr<ports::AppendResult>> p;
  journal.append(entry(id),
                 [&](absl::StatusOr<ports::AppendResult> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

}  // namespace

TEST_CASE(
    "the lease scripts take a free lease and renew their own and refuse a foreign renewal and "
    "the fencing token grows at every takeover",
    "[lease]") {
  RedisServer server;
  LeaseRig rig(server);
  auto& a = rig.lease("east-1");
  auto& b = rig.lease("east-2");

  const auto first = acquire(a);
  CHECK(first.token == 1);
  CHECK(first.holder == "east-1 1");
  CHECK(rig.get("t:lease") == "east-1 1");
  CHECK(rig.get("t:fence") == "1");

  const auto refused = acquire(b);
  CHECK(refused.token == 0);
  CHECK(refused.holder == "east-1 1");
  CHECK(renew(a, 1).token == 1);     // its own: renewed
  CHECK(renew(b, 1).token == 0);     // "east-2 1" is not the value: refused
  CHECK(acquire(a, 1).token == 1);   // re-confirmed, same token
  CHECK(rig.get("t:fence") == "1");  // nothing taken over yet
  auto ttl = rig.observe({"PTTL", "t:lease"});
  REQUIRE(ttl.ok());
  CHECK(ttl->integer > 0);
  CHECK(ttl->integer <= 300);

  // The active stops renewing: the lease lapses after its ttl and the other one takes it.
  REQUIRE(LeaseRig::wait([&] { return rig.get("t:lease").empty(); }, 2s));
  const auto second = acquire(b);
  CHECK(second.token == 2);
  CHECK(second.holder == "east-2 2");
  const auto late = renew(a, 1);  // the old holder, waking up
  CHECK(late.token == 0);
  CHECK(late.holder == "east-2 2");
  CHECK(acquire(a, 1).token == 0);  // its old token does not re-confirm another's lease
  CHECK(rig.get("t:fence") == "2");
}

TEST_CASE(
    "the lease loop: a standby takes over within ttl plus renew of the active going silent and "
    "a refused renewal is reported lost",
    "[lease]") {
  std::mutex mu;
  std::vector<std::string> seen;  // events, in order (declared first: the rig's loop reports)
  RedisServer server;
  LeaseRig rig(server);
  auto& a = rig.lease("a");
  auto& b = rig.lease("b");
  auto log = [&](std::string what) {
    std::lock_guard lock(mu);
    seen.push_back(std::move(what));
  };
  auto saw = [&](const std::string& what) {
    std::lock_guard lock(mu);
    return std::find(seen.begin(), seen.end(), what) != seen.end();
  };
  auto events = [&](const std::string& name) {
    redis::LeaseEvents e;
    e.acquired = [&, name](uint64_t token, auto) {
      log(name + " acquired " + std::to_string(token));
    };
    e.held_by = [&, name](const std::string& holder) { log(name + " sees " + holder); };
    e.lost = [&, name](const std::string&) { log(name + " lost"); };
    return e;
  };
  a.start(events("a"));
  REQUIRE(LeaseRig::wait([&] { return saw("a acquired 1"); }, 2s));
  CHECK(a.valid_until() > std::chrono::steady_clock::now());
  b.start(events("b"));
  REQUIRE(LeaseRig::wait([&] { return saw("b sees a 1"); }, 2s));
  std::this_thread::sleep_for(600ms);  // two ttls: a's renewals keep it
  CHECK_FALSE(saw("b acquired 2"));
  CHECK_FALSE(saw("a lost"));

  a.stop();  // a goes silent (as if killed): no renewal, no release
  const auto silent = std::chrono::steady_clock::now();
  REQUIRE(LeaseRig::wait([&] { return saw("b acquired 2"); }, 2s));
  const auto took = std::chrono::steady_clock::now() - silent;
  CHECK(took < 300ms + 75ms + 100ms);  // ttl + renew + slack for a loaded machine
  CHECK(rig.get("t:fence") == "2");

  // Someone else writes the lease (an operator, a split brain): b's next renewal is refused.
  REQUIRE(rig.observe({"SET", "t:lease", "c 3", "PX", "5000"}).ok());
  REQUIRE(LeaseRig::wait([&] { return saw("b lost"); }, 1s));
  CHECK(b.valid_until() < std::chrono::steady_clock::now());
}

TEST_CASE(
    "an unprepared standby leaves a lapsed lease to a prepared one and takes it itself one "
    "defer later when it is alone",
    "[lease]") {
  std::mutex mu;
  std::vector<std::string> seen;
  RedisServer server;
  LeaseRig rig(server);
  auto log = [&](std::string what) {
    std::lock_guard lock(mu);
    seen.push_back(std::move(what));
  };
  auto saw = [&](const std::string& what) {
    std::lock_guard lock(mu);
    return std::find(seen.begin(), seen.end(), what) != seen.end();
  };
  auto events = [&](const std::string& name, std::function<bool()> prepared) {
    redis::LeaseEvents e;
    e.acquired = [&, name](uint64_t token, auto) {
      log(name + " acquired " + std::to_string(token));
    };
    e.held_by = [&, name](const std::string& holder) { log(name + " sees " + holder); };
    e.prepared = std::move(prepared);
    return e;
  };
  auto& a = rig.lease("a", 300ms, 75ms, 300ms);
  auto& b = rig.lease("b", 300ms, 75ms, 300ms);  // its copy still loading: not prepared
  auto& c = rig.lease("c", 300ms, 75ms, 300ms);
  a.start(events("a", [] { return true; }));
  REQUIRE(LeaseRig::wait([&] { return saw("a acquired 1"); }, 2s));
  b.start(events("b", [] { return false; }));
  c.start(events("c", [] { return true; }));
  // The unprepared standby reads the lease without bidding, and sees who holds it.
  REQUIRE(LeaseRig::wait([&] { return saw("b sees a 1") && saw("c sees a 1"); }, 2s));

  // The active goes silent: the prepared standby takes the lease, the unprepared one does not,
  // though both see it lapse.
  a.stop();
  REQUIRE(LeaseRig::wait([&] { return saw("c acquired 2"); }, 2s));
  std::this_thread::sleep_for(600ms);  // past b's defer: c holds it
  CHECK_FALSE(saw("b acquired 2"));
  CHECK_FALSE(saw("b acquired 3"));
  CHECK(rig.get("t:lease") == "c 2");

  // Alone, the unprepared standby takes it: one defer after it saw it free, not at once.
  c.stop();
  const auto silent = std::chrono::steady_clock::now();
  REQUIRE(LeaseRig::wait([&] { return saw("b acquired 3"); }, 3s));
  const auto took = std::chrono::steady_clock::now() - silent;
  // The lease lapses 240–300 ms after c's last renewal (ttl less the margin of its validity);
  // then b waits its 300 ms defer.
  CHECK(took >= 300ms);
  CHECK(took < 300ms + 300ms + 2 * 75ms + 150ms);  // ttl + defer + two ticks + slack
  CHECK(rig.get("t:fence") == "3");
}

TEST_CASE("a journal write with a fencing token older than the fence's writes nothing",
          "[lease][journal]") {
  std::atomic<int> fenced{0};
  RedisServer server;
  LeaseRig rig(server);
  auto& journal = rig.journal();
  journal.on_fenced([&] { ++fenced; });

  // No token: no check, whatever the fence holds.
  REQUIRE(rig.observe({"SET", "t:fence", "5"}).ok());
  auto unfenced = append(journal, "no-lease");
  REQUIRE(unfenced.ok());
  CHECK(unfenced->appended);

  journal.set_fence_token(5);  // this process took the lease with token 5
  auto current = append(journal, "mine");
  REQUIRE(current.ok());
  CHECK(current->appended);
  CHECK(rig.observe({"EXISTS", "t:ix:mine"})->integer == 1);

  REQUIRE(rig.observe({"INCR", "t:fence"}).ok());  // another routerd took over: token 6
  auto old = append(journal, "after-takeover");
  CHECK(old.status().code() == absl::StatusCode::kUnavailable);
  CHECK(rig.observe({"EXISTS", "t:ix:after-takeover"})->integer == 0);
  CHECK(fenced.load() == 1);

  // An update of an interaction it had journaled is refused too, and not kept for later.
  v1::JournalEntry changed = entry("mine");
  changed.mutable_interaction()->set_state(v1::OFFERED);
  journal.update(changed);
  REQUIRE(LeaseRig::wait([&] { return fenced.load() == 2; }, 2s));
  CHECK(rig.observe({"HGET", "t:ix:mine", "state"})->str == "QUEUED");
  CHECK(journal.unsynced() == 0);
  // So a change made by the deposed process is never answered as stored.
  std::promise<absl::Status> synced;
  journal.sync([&](absl::Status s) { synced.set_value(std::move(s)); });
  const absl::Status s = synced.get_future().get();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);  // never written, not "not yet"
  CHECK_THAT(std::string(s.message()), Catch::Contains("no longer the active"));
}

}  // namespace router::it
