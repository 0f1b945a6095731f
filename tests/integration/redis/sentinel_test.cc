// adapters/redis/sentinel and the Client under Sentinel against a real redis-server and a real
// sentinel (redis-server --sentinel): the question skips sentinels that are not there, silent
// or not sentinels at all, and names each one when none answers; a Client given sentinels
// connects to the primary they name.
#include "adapters/redis/sentinel.h"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/redis/client.h"
#include "tests/support/free_port.h"
#include "tests/support/redis_sentinel.h"
#include "tests/support/redis_server.h"
#include "tests/support/run_until.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
namespace redis = ::router::adapters::redis;

constexpr char kMaster[] = "routerd-test";

std::string loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

absl::StatusOr<redis::PrimaryAddress> ask(asio::io_context& io, const redis::SentinelOptions& o) {
  std::optional<absl::StatusOr<redis::PrimaryAddress>> answer;
  auto query =
      redis::ask_primary(io, o, [&](absl::StatusOr<redis::PrimaryAddress> a) { answer = a; });
  CHECK_FALSE(answer.has_value());  // never inline
  REQUIRE(run_until(
      io, [&] { return answer.has_value(); }, 10s));
  return *answer;
}

TEST_CASE(
    "the primary is asked of each sentinel in turn skipping one that is not there or silent or "
    "not a sentinel",
    "[redis][sentinel]") {
  RedisServer primary;
  RedisSentinel sentinel(primary.port(), kMaster, 1);
  RedisServer silent;  // paused: the kernel accepts the connection, nothing answers
  silent.pause();
  RedisServer not_a_sentinel;  // answers SENTINEL with an error
  redis::SentinelOptions o;
  o.sentinels = {loopback(free_port()), loopback(silent.port()), loopback(not_a_sentinel.port()),
                 sentinel.address()};
  o.master = kMaster;
  o.timeout = 300ms;

  asio::io_context io;
  auto answer = ask(io, o);
  REQUIRE(answer.ok());
  CHECK(answer->host == "127.0.0.1");
  CHECK(answer->port == primary.port());
  CHECK(answer->sentinel == sentinel.address());

  auto blocking = redis::ask_primary_blocking(o);
  REQUIRE(blocking.ok());
  CHECK(blocking->port == primary.port());

  SECTION("a master the sentinels do not know is an error naming each of them") {
    o.master = "no-such-master";
    auto none = ask(io, o);
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == absl::StatusCode::kUnavailable);
    const std::string message(none.status().message());
    for (const auto& s : o.sentinels) CHECK_THAT(message, Contains(s));
    CHECK_THAT(message, Contains("no answer within 300 ms"));
    CHECK_THAT(message, Contains("does not know master 'no-such-master'"));
    CHECK_FALSE(redis::ask_primary_blocking(o).ok());
  }
  silent.resume();
}

TEST_CASE("a query cancelled before its answer never calls back", "[redis][sentinel]") {
  RedisServer silent;
  silent.pause();
  redis::SentinelOptions o;
  o.sentinels = {loopback(silent.port())};
  o.master = kMaster;
  o.timeout = 200ms;
  asio::io_context io;
  bool called = false;
  auto query = redis::ask_primary(io, o, [&](auto) { called = true; });
  (void)run_until(
      io, [] { return false; }, 50ms);
  query->cancel();
  (void)run_until(
      io, [] { return false; }, 400ms);
  CHECK_FALSE(called);
  silent.resume();
}

TEST_CASE("a client given sentinels connects to the primary they name", "[redis][sentinel]") {
  RedisServer primary;
  RedisSentinel sentinel(primary.port(), kMaster, 1);
  redis::ClientOptions o;
  o.name = "test";
  o.port = 1;  // unused under Sentinel
  o.connect_timeout = 500ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  o.sentinels = {loopback(free_port()), sentinel.address()};
  o.sentinel_master = kMaster;
  CHECK(o.server() == "sentinel routerd-test via " + o.sentinels[0] + "," + sentinel.address());
  asio::io_context io;
  redis::Client client(io, o);
  client.start();
  REQUIRE(run_until(
      io, [&] { return client.connected(); }, 10s));
  std::optional<absl::StatusOr<redis::Reply>> reply;
  client.command({"SET", "sentinel-test", "1"}, 5s, [&](auto r) { reply = std::move(r); });
  REQUIRE(run_until(
      io, [&] { return reply.has_value(); }, 10s));
  REQUIRE(reply->ok());
  CHECK((*reply)->str == "OK");
  client.stop();
  (void)run_until(
      io, [] { return false; }, 50ms);
}

}  // namespace
}  // namespace router::it
