// adapters/redis/journal_follower against a real redis-server: an "active" journal writes with the
// change feed on, a standby's follower (its own connection) copies and follows it, and what take()
// hands over is compared with a full load of the same Redis — after random writes while it
// follows, across a gap that trims the feed past the follower, and without a feed.
#include "adapters/redis/journal_follower.h"

#include <signal.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <random>
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

// The active's journal and the standby's journal and follower, each on its own connection, on
// one io thread.
struct FollowRig : IoThread {
  FollowRig(const RedisServer& server, size_t feed_max, redis::FollowerOptions f) {
    signal(SIGPIPE, SIG_IGN);
    redis::ClientOptions o;
    o.port = server.port();
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    o.name = "active";
    active_client = std::make_unique<redis::Client>(io, o);
    o.name = "standby";
    standby_client = std::make_unique<redis::Client>(io, o);
    redis::JournalOptions j;
    j.key_prefix = "t:";
    j.timeout = 2s;
    j.finished_ttl = 60s;
    j.change_feed_max = feed_max;
    j.max_threads = 50;  // threads forgotten while followed, too
    active = std::make_unique<redis::RedisJournal>(*active_client, j);
    j.change_feed_max = 0;
    standby = std::make_unique<redis::RedisJournal>(*standby_client, j);
    f.key_prefix = "t:";
    follower = std::make_unique<redis::JournalFollower>(*standby_client, f);
    active_client->start();
    standby_client->start();
    IoThread::start();
    REQUIRE(wait([&] { return active->available() && standby->available(); }));
  }
  ~FollowRig() {
    follower->stop();
    active_client->stop();
    standby_client->stop();
    finish();
  }
  static bool wait(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    return eventually(condition, limit, std::chrono::milliseconds(5));
  }
  bool append(const v1::JournalEntry& e) {
    std::promise<bool> p;
    active->append(e, [&](absl::StatusOr<ports::AppendResult> r) { p.set_value(r.ok()); });
    return p.get_future().get();
  }
  void sync() {
    std::promise<absl::Status> p;
    active->sync([&](absl::Status s) { p.set_value(std::move(s)); });
    REQUIRE(p.get_future().get().ok());
  }
  absl::StatusOr<redis::WarmJournal> take() {
    std::promise<absl::StatusOr<redis::WarmJournal>> p;
    follower->take([&](absl::StatusOr<redis::WarmJournal> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  // A full load from the standby's journal: what a cold takeover recovers.
  redis::WarmJournal full_load() {
    redis::WarmJournal w;
    std::promise<absl::StatusOr<std::vector<v1::JournalEntry>>> p;
    standby->load(
        [&](absl::StatusOr<std::vector<v1::JournalEntry>> r) { p.set_value(std::move(r)); });
    auto entries = p.get_future().get();
    REQUIRE(entries.ok());
    w.entries = std::move(entries).value();
    std::promise<absl::StatusOr<ports::SessionJournal>> q;
    standby->load_sessions(
        [&](absl::StatusOr<ports::SessionJournal> r) { q.set_value(std::move(r)); });
    auto sessions = q.get_future().get();
    REQUIRE(sessions.ok());
    w.sessions = std::move(sessions).value();
    return w;
  }
  absl::StatusOr<redis::Reply> command(std::vector<std::string> argv) {
    std::promise<absl::StatusOr<redis::Reply>> p;
    active_client->command(std::move(argv), 2s,
                           [&](absl::StatusOr<redis::Reply> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::unique_ptr<redis::Client> active_client;
  std::unique_ptr<redis::Client> standby_client;
  std::unique_ptr<redis::RedisJournal> active;
  std::unique_ptr<redis::RedisJournal> standby;
  std::unique_ptr<redis::JournalFollower> follower;
};

v1::JournalEntry entry(const std::string& id, v1::InteractionState s, const std::string& agent,
                       int priority = 0) {
  v1::JournalEntry e;
  e.mutable_interaction()->set_interaction_id(id);
  e.mutable_interaction()->set_channel(v1::EMAIL);
  e.mutable_interaction()->set_queue("support");
  e.mutable_interaction()->set_state(s);
  e.mutable_interaction()->set_agent(agent);
  e.mutable_interaction()->set_priority(priority);
  return e;
}

v1::AgentJournalEntry session(const std::string& agent, bool ready, const std::string& reason) {
  v1::AgentJournalEntry e;
  e.set_agent(agent);
  e.set_logged_in(true);
  e.set_ready(ready);
  e.set_not_ready_reason(reason);
  return e;
}

v1::EmailThreadEntry thread_entry(const std::string& id, const std::string& agent) {
  v1::EmailThreadEntry e;
  e.set_message_id(id);
  e.set_customer_id("C-" + id);
  e.set_agent(agent);
  return e;
}

// Random journal writes as an active makes them: appends, updates, finishes, discards, agent
// sessions and threads, over a small id space so every kind hits live and finished ids.
struct Writer {
  explicit Writer(FollowRig& r, uint32_t seed) : rig(r), rng(seed) {}
  void step() {
    const std::string id = "ix-" + std::to_string(rng() % 300);
    const std::string agent = "agent-" + std::to_string(rng() % 12);
    switch (rng() % 9) {
      case 0:
      case 1:
      case 2: (void)rig.append(entry(id, v1::QUEUED, "")); break;
      case 3:
      case 4:
        rig.active->update(entry(id, v1::ASSIGNED, agent, static_cast<int>(rng() % 5)));
        break;
      case 5: rig.active->finish(entry(id, v1::COMPLETED, agent)); break;
      case 6: rig.active->discard(id); break;
      case 7: rig.active->update_agent(session(agent, rng() % 2 == 0, "break")); break;
      default:
        rig.active->remember_thread(thread_entry("m-" + std::to_string(rng() % 80), agent));
        break;
    }
  }
  FollowRig& rig;
  std::mt19937 rng;
};

// The warm copy and the full load hold the same journal: entries in the same order, byte for
// byte; the same agents; the same threads (in order).
void check_same(const redis::WarmJournal& warm, const redis::WarmJournal& full) {
  REQUIRE(warm.entries.size() == full.entries.size());
  for (size_t i = 0; i < full.entries.size(); ++i) {
    INFO("entry " << i << " " << full.entries[i].interaction().interaction_id());
    CHECK(warm.entries[i].SerializeAsString() == full.entries[i].SerializeAsString());
  }
  std::map<std::string, std::string> warm_agents;
  std::map<std::string, std::string> full_agents;
  for (const auto& a : warm.sessions.agents) warm_agents[a.agent()] = a.SerializeAsString();
  for (const auto& a : full.sessions.agents) full_agents[a.agent()] = a.SerializeAsString();
  CHECK(warm_agents == full_agents);
  std::vector<std::string> warm_threads;
  std::vector<std::string> full_threads;
  for (const auto& t : warm.sessions.threads) warm_threads.push_back(t.SerializeAsString());
  for (const auto& t : full.sessions.threads) full_threads.push_back(t.SerializeAsString());
  CHECK(warm_threads == full_threads);
}

TEST_CASE("The warm copy at take equals a full load after random writes while following",
          "[journal][follower]") {
  RedisServer server;
  redis::FollowerOptions f;
  f.poll = 5ms;
  f.batch = 7;  // several reads per poll
  FollowRig rig(server, 100'000, f);
  Writer writer(rig, 20261204);
  for (int i = 0; i < 300; ++i) writer.step();  // before the follower starts: the load's part
  rig.sync();
  rig.follower->start();
  REQUIRE(FollowRig::wait([&] { return rig.follower->warm(); }));
  for (int i = 0; i < 1'500; ++i) {
    writer.step();
    if (i % 50 == 0) std::this_thread::sleep_for(3ms);  // polls land between the writes
  }
  rig.sync();  // every write stored: the fence would have stopped the rest
  auto warm = rig.take();
  INFO(warm.status().ToString());
  REQUIRE(warm.ok());
  CHECK(warm->changes > 0);
  CHECK(warm->reloads == 0);
  const auto full = rig.full_load();
  CHECK(full.entries.size() > 20);  // the scenario leaves live work, agents and threads
  CHECK(full.sessions.agents.size() > 5);
  CHECK(full.sessions.threads.size() > 20);
  check_same(*warm, full);
  CHECK_FALSE(rig.follower->warm());  // take() stops it
}

TEST_CASE("A feed trimmed past the follower reloads its copy, and fails a take",
          "[journal][follower]") {
  RedisServer server;
  // Small stream nodes (CONFIG SET below), so MAXLEN ~ 20 trims close to 20 entries.
  redis::FollowerOptions f;
  f.batch = 1'000;
  SECTION("while following: reload, then the copy is right again") {
    f.poll = 300ms;  // a burst between two reads overruns the feed
    FollowRig rig(server, 20, f);
    REQUIRE(rig.command({"CONFIG", "SET", "stream-node-max-entries", "4"}).ok());
    Writer writer(rig, 7);
    for (int i = 0; i < 50; ++i) writer.step();
    rig.sync();
    rig.follower->start();
    REQUIRE(FollowRig::wait([&] { return rig.follower->warm(); }));
    for (int i = 0; i < 400; ++i) writer.step();  // one burst, far past 20 entries
    rig.sync();
    std::this_thread::sleep_for(700ms);  // a read finds the gap and reloads
    REQUIRE(FollowRig::wait([&] { return rig.follower->warm(); }));
    for (int i = 0; i < 5; ++i) writer.step();  // within the feed: followed
    rig.sync();
    auto warm = rig.take();
    INFO(warm.status().ToString());
    REQUIRE(warm.ok());
    CHECK(warm->reloads >= 1);
    check_same(*warm, rig.full_load());
  }
  SECTION("at take: DATA_LOSS, so the takeover loads in full") {
    f.poll = 1h;  // never reads after its load
    FollowRig rig(server, 20, f);
    REQUIRE(rig.command({"CONFIG", "SET", "stream-node-max-entries", "4"}).ok());
    rig.follower->start();
    REQUIRE(FollowRig::wait([&] { return rig.follower->warm(); }));
    Writer writer(rig, 11);
    for (int i = 0; i < 200; ++i) writer.step();
    rig.sync();
    auto warm = rig.take();
    CHECK(warm.status().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("take before the copy is loaded answers UNAVAILABLE", "[journal][follower]") {
  RedisServer server;
  FollowRig rig(server, 100'000, redis::FollowerOptions{});
  auto warm = rig.take();  // never started
  CHECK(warm.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("Without a feed (no lease, or cold_standby) the journal writes no change stream",
          "[journal][follower]") {
  RedisServer server;
  FollowRig rig(server, 0, redis::FollowerOptions{});
  Writer writer(rig, 3);
  for (int i = 0; i < 100; ++i) writer.step();
  rig.sync();
  auto exists = rig.command({"EXISTS", "t:changes"});
  REQUIRE(exists.ok());
  CHECK(exists->integer == 0);
  auto live = rig.command({"ZCARD", "t:live"});
  REQUIRE(live.ok());
  CHECK(live->integer > 0);  // the writes themselves were made
}

}  // namespace
}  // namespace router::it
