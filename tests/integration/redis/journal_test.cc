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
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/redis/io_thread.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;
namespace ports = ::router::adapters::ports;

// A journal on a Client on its own io thread, against `server`.
struct JournalRig : IoThread {
  // fast_probe: the liveness probe closes a silent connection within ~0.4 s.
  explicit JournalRig(const RedisServer& server, size_t load_batch = 2'000, bool fast_probe = false,
                      size_t max_threads = 1'000'000) {
    signal(SIGPIPE, SIG_IGN);
    redis::ClientOptions o;
    o.name = "journal-test";
    o.port = server.port();
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    if (fast_probe) {
      o.probe_interval = 100ms;
      o.probe_timeout = 100ms;
    }
    client = std::make_unique<redis::Client>(io, o);
    o.name = "journal-test-observer";
    observer = std::make_unique<redis::Client>(io, o);
    observer->start();
    redis::JournalOptions j;
    j.key_prefix = "t:";
    j.timeout = 2s;
    j.history_max = 100;
    j.finished_ttl = 60s;
    j.load_batch = load_batch;
    j.max_threads = max_threads;
    journal = std::make_unique<redis::RedisJournal>(*client, j);
    client->start();
    IoThread::start();
    REQUIRE(wait([&] { return journal->available(); }));
  }
  ~JournalRig() {
    client->stop();
    observer->stop();
    finish();
  }
  static bool wait(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    return eventually(condition, limit, std::chrono::milliseconds(10));
  }
  absl::StatusOr<ports::AppendResult> append(const v1::JournalEntry& e) {
    std::promise<absl::StatusOr<ports::AppendResult>> p;
    journal->append(e, [&](absl::StatusOr<ports::AppendResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::Status sync() {
    std::promise<absl::Status> p;
    journal->sync([&](absl::Status s) { p.set_value(std::move(s)); });
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

  // A command on the observer: a second connection, to look at Redis while the journal's
  // connection is away.
  absl::StatusOr<redis::Reply> observe(std::vector<std::string> argv) {
    std::promise<absl::StatusOr<redis::Reply>> p;
    observer->command(std::move(argv), 2s,
                      [&](absl::StatusOr<redis::Reply> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::unique_ptr<redis::Client> client;
  std::unique_ptr<redis::Client> observer;
  std::unique_ptr<redis::RedisJournal> journal;
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

TEST_CASE("sync answers once every earlier write is stored, UNAVAILABLE while one is kept",
          "[journal][sync]") {
  RedisServer server;
  JournalRig rig(server);
  REQUIRE(rig.append(entry("a"))->appended);
  REQUIRE(rig.append(entry("b"))->appended);
  // Fire-and-forget writes, then the barrier: when it answers OK they are in Redis, read on
  // another connection.
  rig.journal->update(entry("a", v1::ASSIGNED, "ana"));
  rig.journal->finish(entry("b", v1::COMPLETED, "ben"));
  REQUIRE(rig.sync().ok());
  auto state = rig.observe({"HGET", "t:ix:a", "state"});
  REQUIRE(state.ok());
  CHECK(state->str == "ASSIGNED");
  auto live = rig.observe({"HGET", "t:ix:b", "live"});
  REQUIRE(live.ok());
  CHECK(live->str == "0");

  server.stop();
  REQUIRE(JournalRig::wait([&] { return !rig.journal->available(); }));
  rig.journal->update(entry("a", v1::WRAP_UP, "ana"));
  const absl::Status down = rig.sync();
  CHECK(down.code() == absl::StatusCode::kUnavailable);
  INFO(down.ToString());
  CHECK_FALSE(down.message().empty());

  server.restart();
  REQUIRE(JournalRig::wait([&] { return rig.journal->available(); }));
  // The kept write is re-sent at the reconnect; a sync after it answers OK once it is stored.
  REQUIRE(JournalRig::wait([&] { return rig.journal->unsynced() == 0; }));
  REQUIRE(rig.sync().ok());
  CHECK(rig.load().at(0).interaction().state() == v1::WRAP_UP);
}

}  // namespace
}  // namespace router::it

namespace router::it {
namespace {

std::string text(const absl::StatusOr<redis::Reply>& r) {
  if (!r.ok()) return "<" + r.status().ToString() + ">";
  if (r->is_nil()) return "<nil>";
  if (r->type == redis::Reply::Type::kInteger) return std::to_string(r->integer);
  return r->str;
}

TEST_CASE(
    "An append that waited in a paused Redis and runs after routerd gave up on it writes "
    "nothing",
    "[journal][late]") {
  RedisServer server;
  JournalRig rig(server, 2'000, /*fast_probe=*/true);
  REQUIRE(rig.append(entry("before")).ok());
  REQUIRE(text(rig.command({"GET", "t:seq"})) == "1");

  server.pause();
  const auto r = rig.append(entry("late-1"));  // answered at its deadline, 2 s
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
  server.resume();  // Redis now runs the append it held: past its deadline by its own clock
  REQUIRE(JournalRig::wait([&] { return rig.journal->available(); }));
  CHECK(text(rig.observe({"GET", "t:seq"})) == "1");  // the script stopped before INCR
  CHECK(text(rig.observe({"EXISTS", "t:ix:late-1"})) == "0");
  CHECK(ids(rig.load()) == std::vector<std::string>{"before"});
}

TEST_CASE(
    "An append Redis ran after the probe closed its connection, but before its deadline, is "
    "removed once the error is answered: the refused id never stays live",
    "[journal][late]") {
  RedisServer server;
  JournalRig rig(server, 2'000, /*fast_probe=*/true);
  REQUIRE(text(rig.observe({"PING"})) == "PONG");

  server.pause();
  std::promise<absl::StatusOr<ports::AppendResult>> answered;
  auto answer = answered.get_future();
  rig.journal->append(entry("ghost-1"), [&](absl::StatusOr<ports::AppendResult> r) {
    answered.set_value(std::move(r));
  });
  // The probe closes the silent connection (~0.4 s); the append stays unanswered until 2 s.
  REQUIRE(JournalRig::wait([&] { return !rig.journal->available(); }, 5s));
  server.resume();  // Redis runs the append from the closed connection's buffer: in time
  REQUIRE(JournalRig::wait(
      [&] {
        return text(rig.observe({"HGET", "t:ix:ghost-1", "live"})) == "1";
      },
      5s));
  CHECK(answer.wait_for(0s) == std::future_status::timeout);  // not answered before its deadline
  const auto r = answer.get();
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);

  // The refusal is written once the journal has a connection again.
  CHECK(JournalRig::wait([&] { return text(rig.observe({"EXISTS", "t:ix:ghost-1"})) == "0"; }));
  CHECK(text(rig.observe({"ZSCORE", "t:live", "ghost-1"})) == "<nil>");
  CHECK(rig.load().empty());

  // The gateway's retry of the same id is a new interaction, and stays.
  auto again = rig.append(entry("ghost-1"));
  REQUIRE(again.ok());
  CHECK(again->appended);
  CHECK(ids(rig.load()) == std::vector<std::string>{"ghost-1"});
}

v1::AgentJournalEntry session(const std::string& agent, bool logged_in, bool ready,
                              const std::string& reason = "") {
  v1::AgentJournalEntry e;
  e.set_agent(agent);
  e.set_logged_in(logged_in);
  e.set_ready(ready);
  e.set_not_ready_reason(reason);
  return e;
}

v1::EmailThreadEntry thread(const std::string& message_id, const std::string& agent) {
  v1::EmailThreadEntry e;
  e.set_message_id(message_id);
  e.set_customer_id("C-" + message_id);
  e.set_interaction_id("mail-" + message_id);
  e.set_agent(agent);
  return e;
}

TEST_CASE(
    "Agent sessions load as last written per agent and email threads oldest first within their "
    "bound",
    "[journal][sessions]") {
  RedisServer server;
  JournalRig rig(server, /*load_batch=*/2);  // threads over several round trips
  rig.journal->update_agent(session("ana", true, true));
  rig.journal->update_agent(session("ben", true, false, "break"));
  rig.journal->update_agent(session("ana", true, false, "lunch"));  // the latest one counts
  rig.journal->update_agent(session("cara", false, false));
  for (const char* id : {"m1", "m2", "m3", "m4", "m5"}) {
    rig.journal->remember_thread(thread(id, "ana"));
    std::this_thread::sleep_for(2ms);  // distinct scores: the order is the writes'
  }
  std::promise<absl::StatusOr<ports::SessionJournal>> p;
  rig.journal->load_sessions(
      [&](absl::StatusOr<ports::SessionJournal> r) { p.set_value(std::move(r)); });
  auto loaded = p.get_future().get();
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  std::map<std::string, v1::AgentJournalEntry> agents;
  for (const auto& a : loaded->agents) agents[a.agent()] = a;
  REQUIRE(agents.size() == 3);
  CHECK(agents["ana"].logged_in());
  CHECK_FALSE(agents["ana"].ready());
  CHECK(agents["ana"].not_ready_reason() == "lunch");
  CHECK(agents["ben"].not_ready_reason() == "break");
  CHECK_FALSE(agents["cara"].logged_in());
  std::vector<std::string> threads;
  for (const auto& t : loaded->threads) threads.push_back(t.message_id());
  CHECK(threads == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"});
  CHECK(loaded->threads[0].customer_id() == "C-m1");
  CHECK(loaded->threads[0].agent() == "ana");
}

TEST_CASE("The email-thread index forgets its oldest past max_threads", "[journal][sessions]") {
  RedisServer server;
  JournalRig rig(server, 2'000, false, /*max_threads=*/3);
  for (const char* id : {"m1", "m2", "m3", "m4", "m5"}) {
    rig.journal->remember_thread(thread(id, ""));
    std::this_thread::sleep_for(2ms);
  }
  std::promise<absl::StatusOr<ports::SessionJournal>> p;
  rig.journal->load_sessions(
      [&](absl::StatusOr<ports::SessionJournal> r) { p.set_value(std::move(r)); });
  auto loaded = p.get_future().get();
  REQUIRE(loaded.ok());
  std::vector<std::string> threads;
  for (const auto& t : loaded->threads) threads.push_back(t.message_id());
  CHECK(threads == std::vector<std::string>{"m3", "m4", "m5"});
  auto kept = rig.command({"HLEN", "t:thread"});
  REQUIRE(kept.ok());
  CHECK(kept->integer == 3);
}

}  // namespace
}  // namespace router::it
