// The journal's WAIT (JournalOptions::wait_replicas) against a real primary and replica: the
// appends of one loop turn share one WAIT and answer OK once the replica has them; with the
// replica down an append answers UNAVAILABLE naming the replicas, its entry stays, and a repeat
// of the id once the replica is back finds it.
#include <hiredis/hiredis.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/redis/journal.h"
#include "tests/support/redis_server.h"
#include "tests/support/run_until.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
namespace redis = ::router::adapters::redis;
namespace ports = ::router::adapters::ports;

// One command on a short-lived blocking connection; the reply as text (integers too), or "".
std::string ask(int port, const char* command) {
  redisContext* c = redisConnect("127.0.0.1", port);
  std::string out;
  if (c != nullptr && c->err == 0) {
    if (auto* r = static_cast<redisReply*>(redisCommand(c, command))) {
      if (r->type == REDIS_REPLY_INTEGER) out = std::to_string(r->integer);
      if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
        out.assign(r->str, r->len);
      }
      freeReplyObject(r);
    }
  }
  if (c != nullptr) redisFree(c);
  return out;
}

bool in_sync(int primary) {
  for (int i = 0; i < 100; ++i) {
    ask(primary, "SET t:sync 1");
    if (ask(primary, "WAIT 1 200") == "1") return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// How many WAITs the server has run (INFO commandstats).
long wait_calls(int port) {
  const std::string info = ask(port, "INFO commandstats");
  const auto at = info.find("cmdstat_wait:calls=");
  return at == std::string::npos ? 0 : std::stol(info.substr(at + 19));
}

v1::JournalEntry entry(const std::string& id) {
  v1::JournalEntry e;
  e.mutable_interaction()->set_interaction_id(id);
  e.mutable_interaction()->set_channel(v1::PHONE);
  e.mutable_interaction()->set_queue("support");
  e.mutable_interaction()->set_state(v1::QUEUED);
  return e;
}

TEST_CASE(
    "with wait_replicas the appends of one loop turn share one WAIT and a replica down makes an "
    "append UNAVAILABLE whose entry a repeat finds",
    "[redis][journal][wait]") {
  RedisServer primary;
  RedisServer replica(10s, "", primary.port());
  REQUIRE(in_sync(primary.port()));

  asio::io_context io;
  redis::ClientOptions o;
  o.name = "journal-wait-test";
  o.port = primary.port();
  o.reconnect_min = 20ms;
  o.reconnect_max = 100ms;
  o.probe_timeout = 800ms;  // a PING may wait behind a WAIT
  redis::Client client(io, o);
  redis::JournalOptions j;
  j.key_prefix = "w:";
  j.timeout = 2s;
  j.wait_replicas = 1;
  j.wait_timeout = 500ms;
  redis::RedisJournal journal(client, j);
  client.start();
  REQUIRE(run_until(
      io, [&] { return journal.available(); }, 10s));

  constexpr int kAppends = 200;
  std::vector<std::optional<absl::StatusOr<ports::AppendResult>>> results(kAppends);
  const long waits_before = wait_calls(primary.port());
  asio::post(io, [&] {  // one loop turn
    for (int i = 0; i < kAppends; ++i) {
      journal.append(entry("a" + std::to_string(i)),
                     [&results, i](absl::StatusOr<ports::AppendResult> r) { results[i] = r; });
    }
  });
  REQUIRE(run_until(
      io,
      [&] {
        for (const auto& r : results) {
          if (!r) return false;
        }
        return true;
      },
      10s));
  for (const auto& r : results) {
    REQUIRE(r->ok());
    CHECK((*r)->appended);
  }
  const long waits = wait_calls(primary.port()) - waits_before;
  INFO(waits << " WAITs for " << kAppends << " appends");
  CHECK(waits == 1);

  replica.stop();
  std::optional<absl::StatusOr<ports::AppendResult>> refused;
  journal.append(entry("b"), [&](absl::StatusOr<ports::AppendResult> r) { refused = r; });
  REQUIRE(run_until(
      io, [&] { return refused.has_value(); }, 10s));
  REQUIRE_FALSE(refused->ok());
  CHECK(refused->status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(refused->status().message()),
             Contains("journal entry not acknowledged by 1 replica(s) in 500 ms (0 did)"));
  CHECK(ask(primary.port(), "HGET w:ix:b live") == "1");  // the entry stays
  CHECK(journal.available());

  replica.restart();
  REQUIRE(in_sync(primary.port()));
  // The client's remedy for UNAVAILABLE is to repeat (docs/availability.md, "What to retry"); a
  // replica just back may still miss one WAIT's timeout on a loaded machine, so the repeat is
  // itself repeated a few times, as a gateway would, each refusal shown.
  std::optional<absl::StatusOr<ports::AppendResult>> again;
  for (int attempt = 0; attempt < 5; ++attempt) {
    again.reset();
    journal.append(entry("b"), [&](absl::StatusOr<ports::AppendResult> r) { again = r; });
    REQUIRE(run_until(
        io, [&] { return again.has_value(); }, 10s));
    if (again->ok() || again->status().code() != absl::StatusCode::kUnavailable) break;
    UNSCOPED_INFO("repeat " << attempt + 1 << " refused: " << again->status().ToString());
  }
  INFO((again->ok() ? std::string("OK") : again->status().ToString()));
  REQUIRE(again->ok());
  CHECK_FALSE((*again)->appended);
  CHECK((*again)->existing_live);

  client.stop();
  (void)run_until(
      io, [] { return false; }, 50ms);
}

}  // namespace
}  // namespace router::it
