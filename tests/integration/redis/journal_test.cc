// adapters/redis/journal against a real redis-server: append once per id, updates and finishes
// as the live set and history show them, load in submit order across load batches, and writes
// kept through an outage and written when Redis is back.
#include "adapters/redis/journal.h"

#include <signal.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;
namespace ports = ::router::adapters::ports;

// A journal on a Client on its own io thread, against `server`.
struct JournalRig {
  explicit JournalRig(const RedisServer& server, size_t load_batch = 2'000) {
    signal(SIGPIPE, SIG_IGN);
    redis::ClientOptions o;
    o.name = "journal-test";
    o.port = server.port();
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    client = std::make_unique<redis::Client>(io, o);
    redis::JournalOptions j;
    j.key_prefix = "t:";
    j.timeout = 2s;
    j.history_max = 100;
    j.finished_ttl = 60s;
    j.load_batch = load_batch;
    journal = std::make_unique<redis::RedisJournal>(*client, j);
    client->start();
    thread = std::thread([this] { io.run(); });
    REQUIRE(wait([&] { return journal->available(); }));
  }
  ~JournalRig() {
    client->stop();
    work.reset();
    std::promise<void> flushed;
    asio::post(io, [&] { flushed.set_value(); });
    flushed.get_future().wait_for(2s);
    io.stop();
    thread.join();
  }
  static bool wait(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  absl::StatusOr<ports::AppendResult> append(const v1::JournalEntry& e) {
    std::promise<absl::StatusOr<ports::AppendResult>> p;
    journal->append(e, [&](absl::StatusOr<ports::AppendResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  std::vector<v1::JournalEntry> load() {
    std::promise<absl::StatusOr<std::vector<v1::JournalEntry>>> p;
    journal->load(
        [&](absl::StatusOr<std::vector<v1::JournalEntry>> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  absl::StatusOr<redis::Reply> command(std::vector<std::string> argv) {
    std::promise<absl::StatusOr<redis::Reply>> p;
    client->command(std::move(argv), 2s,
                    [&](absl::StatusOr<redis::Reply> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::unique_ptr<redis::Client> client;
  std::unique_ptr<redis::RedisJournal> journal;
  std::thread thread;
};

v1::JournalEntry entry(const std::string& id, v1::InteractionState s = v1::QUEUED,
                       const std::string& agent = "") {
  v1::JournalEntry e;
  e.mutable_interaction()->set_interaction_id(id);
  e.mutable_interaction()->set_channel(v1::PHONE);
  e.mutable_interaction()->set_queue("support");
  e.mutable_interaction()->set_state(s);
  e.mutable_interaction()->set_agent(agent);
  e.set_arrived_unix_ns(1'700'000'000'000'000'000 + static_cast<int64_t>(id.size()));
  return e;
}

std::vector<std::string> ids(const std::vector<v1::JournalEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.interaction().interaction_id());
  return out;
}

TEST_CASE("The journal appends an id once: a repeat gets the stored entry and whether it is live",
          "[journal]") {
  RedisServer server;
  JournalRig rig(server);
  auto first = rig.append(entry("a"));
  REQUIRE(first.ok());
  CHECK(first->appended);
  auto again = rig.append(entry("a", v1::QUEUED, "someone-else"));
  REQUIRE(again.ok());
  CHECK_FALSE(again->appended);
  REQUIRE(again->existing.has_value());
  CHECK(again->existing->interaction().agent().empty());  // the stored one, not the repeat
  CHECK(again->existing_live);

  rig.journal->finish(entry("a", v1::COMPLETED, "ana"));
  auto after = rig.append(entry("a"));
  REQUIRE(after.ok());
  CHECK_FALSE(after->appended);
  CHECK_FALSE(after->existing_live);
  CHECK(after->existing->interaction().state() == v1::COMPLETED);
}

TEST_CASE("Load returns the live entries in submit order with their latest state", "[journal]") {
  RedisServer server;
  JournalRig rig(server, /*load_batch=*/3);  // several round trips
  for (const char* id : {"c", "a", "e", "b", "d", "f", "g"})
    REQUIRE(rig.append(entry(id))->appended);
  rig.journal->update(entry("e", v1::OFFERED, "ben"));
  rig.journal->finish(entry("b", v1::ABANDONED));
  rig.journal->discard("f");
  const auto loaded = rig.load();  // the same connection: after the writes above
  CHECK(ids(loaded) == std::vector<std::string>{"c", "a", "e", "d", "g"});
  CHECK(loaded[2].interaction().state() == v1::OFFERED);
  CHECK(loaded[2].interaction().agent() == "ben");

  auto history = rig.command({"XRANGE", "t:history", "-", "+"});
  REQUIRE(history.ok());
  REQUIRE(history->elements.size() == 1);
  auto ttl = rig.command({"PTTL", "t:ix:b"});
  REQUIRE(ttl.ok());
  CHECK(ttl->integer > 0);
  auto discarded = rig.command({"EXISTS", "t:ix:f"});
  REQUIRE(discarded.ok());
  CHECK(discarded->integer == 0);
}

TEST_CASE("An update after the finish does not bring an entry back to the live set", "[journal]") {
  RedisServer server;
  JournalRig rig(server);
  REQUIRE(rig.append(entry("x"))->appended);
  rig.journal->finish(entry("x", v1::EXPIRED));
  rig.journal->update(entry("x", v1::QUEUED));
  CHECK(rig.load().empty());
}

TEST_CASE(
    "While Redis is away appends fail UNAVAILABLE and state changes are kept, and when it is back "
    "they are written and the live set matches",
    "[journal]") {
  RedisServer server;
  JournalRig rig(server);
  for (const char* id : {"p", "q", "r"}) REQUIRE(rig.append(entry(id))->appended);

  server.stop();
  REQUIRE(JournalRig::wait([&] { return !rig.journal->available(); }));
  auto refused = rig.append(entry("s"));
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  rig.journal->update(entry("p", v1::OFFERED, "ana"));
  rig.journal->update(entry("p", v1::ASSIGNED, "ana"));  // the latest one counts
  rig.journal->finish(entry("q", v1::COMPLETED, "ben"));
  REQUIRE(JournalRig::wait([&] { return rig.journal->unsynced() == 2; }));

  server.restart();
  REQUIRE(JournalRig::wait([&] { return rig.journal->available(); }));
  REQUIRE(JournalRig::wait([&] { return rig.journal->unsynced() == 0; }));
  const auto loaded = rig.load();
  CHECK(ids(loaded) == std::vector<std::string>{"p", "r"});  // AOF kept them; q finished
  CHECK(loaded[0].interaction().state() == v1::ASSIGNED);
}

}  // namespace
}  // namespace router::it
