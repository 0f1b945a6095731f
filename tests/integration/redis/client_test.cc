// adapters/redis/client against a real redis-server: pipelining from another thread, the
// connect handshake (AUTH, SELECT, CLIENT SETNAME), scripts and their NOSCRIPT fallback,
// deadlines, a server that dies or was never there, and stop() with commands in flight.
#include "adapters/redis/client.h"

#include <fcntl.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/redis_server.h"
#include "tests/support/run_until.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;

constexpr auto kGenerous = 5s;  // a command that should answer gets this long: not a timing test

void run_for(asio::io_context& io, std::chrono::milliseconds how_long) {
  (void)run_until(
      io, [] { return false; }, how_long);
}

redis::ClientOptions options_for(const RedisServer& server) {
  redis::ClientOptions o;
  o.name = "test";
  o.port = server.port();
  o.connect_timeout = 500ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

// What the client reported: every state change, every outcome, and how often each `done` ran.
struct Outcomes {
  std::vector<bool> states;
  std::vector<absl::StatusOr<redis::Reply>> results;
  int calls = 0;

  redis::Done collect() {
    return [this](absl::StatusOr<redis::Reply> r) {
      ++calls;
      results.push_back(std::move(r));
    };
  }
  int with_code(absl::StatusCode code) const {
    int n = 0;
    for (const auto& r : results) n += r.status().code() == code ? 1 : 0;
    return n;
  }
};

// A started client whose state changes land in `out.states`.
std::unique_ptr<redis::Client> started(asio::io_context& io, redis::ClientOptions options,
                                       Outcomes& out) {
  auto client = std::make_unique<redis::Client>(io, std::move(options));
  client->on_state([&out](bool up) { out.states.push_back(up); });
  client->start();
  return client;
}

// Runs one command to completion on `io` and returns its outcome.
absl::StatusOr<redis::Reply> run_command(asio::io_context& io, redis::Client& client,
                                         std::vector<std::string> argv,
                                         std::chrono::milliseconds timeout = kGenerous) {
  std::optional<absl::StatusOr<redis::Reply>> result;
  client.command(std::move(argv), timeout,
                 [&result](absl::StatusOr<redis::Reply> r) { result = std::move(r); });
  REQUIRE(run_until(
      io, [&] { return result.has_value(); }, 10s));
  return *std::move(result);
}

std::string text_of(const absl::StatusOr<redis::Reply>& r) {
  REQUIRE(r.ok());
  return r->str;
}

// Sends what is written to stdout (where spdlog's default logger writes, flushing each line) to
// a file until text() is called; the test binary does not link spdlog itself to add a sink.
class CapturedStdout {
 public:
  CapturedStdout() {
    std::fflush(stdout);
    saved_ = ::dup(STDOUT_FILENO);
    const int fd = ::mkstemp(path_.data());
    REQUIRE((saved_ >= 0 && fd >= 0));
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
  }
  ~CapturedStdout() { (void)text(); }
  CapturedStdout(const CapturedStdout&) = delete;
  CapturedStdout& operator=(const CapturedStdout&) = delete;

  // Restores stdout (once) and returns what was captured.
  std::string text() {
    if (saved_ >= 0) {
      std::fflush(stdout);
      ::dup2(saved_, STDOUT_FILENO);
      ::close(saved_);
      saved_ = -1;
      std::ifstream in(path_);
      std::ostringstream out;
      out << in.rdbuf();
      text_ = out.str();
      ::unlink(path_.c_str());
    }
    return text_;
  }

 private:
  std::string path_ = "/tmp/routerd-client-log-XXXXXX";
  int saved_ = -1;
  std::string text_;
};

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE("1,000 commands posted from another thread are pipelined and answered in order",
          "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  CHECK(out.states == std::vector<bool>{true});

  constexpr int kCommands = 1000;
  std::vector<int64_t> integers;
  bool all_on_io_thread = true;
  std::thread producer([&] {
    for (int i = 0; i < kCommands; ++i) {
      client->command({"INCR", "counter"}, kGenerous, [&](absl::StatusOr<redis::Reply> r) {
        all_on_io_thread = all_on_io_thread && io.get_executor().running_in_this_thread();
        integers.push_back(r.ok() && r->type == redis::Reply::Type::kInteger ? r->integer : -1);
      });
    }
  });
  const bool all_answered = run_until(
      io, [&] { return integers.size() == kCommands; }, 20s);
  producer.join();
  REQUIRE(all_answered);
  std::vector<int64_t> expected(kCommands);
  for (int i = 0; i < kCommands; ++i) expected[i] = i + 1;
  CHECK(integers == expected);
  CHECK(all_on_io_thread);
}

TEST_CASE("a Redis error reply is an ok outcome of type error, not a failed status", "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));

  const auto r = run_command(io, *client, {"NO-SUCH-COMMAND", "x"});
  REQUIRE(r.ok());
  CHECK(r->is_error());
  CHECK_THAT(r->str, Catch::StartsWith("ERR"));

  const auto bulk = run_command(io, *client, {"GET", "absent"});
  REQUIRE(bulk.ok());
  CHECK(bulk->is_nil());
}

TEST_CASE("the client authenticates, selects its database and names itself on connect",
          "[client]") {
  RedisServer server(10s, "s3cret pass");
  asio::io_context io;
  Outcomes out;
  auto options = options_for(server);
  options.database = 3;

  SECTION("with the right password") {
    options.password = "s3cret pass";
    auto client = started(io, options, out);
    REQUIRE(run_until(io, [&] { return client->connected(); }));
    CHECK(out.states == std::vector<bool>{true});
    const std::string info = text_of(run_command(io, *client, {"CLIENT", "INFO"}));
    CHECK_THAT(info, Catch::Contains("name=routerd-test "));
    CHECK_THAT(info, Catch::Contains(" db=3 "));
  }

  SECTION("a wrong password never connects: the state stays false and commands are UNAVAILABLE") {
    options.password = "wrong";
    auto client = started(io, options, out);
    REQUIRE(run_until(io, [&] { return !out.states.empty(); }));
    run_for(io, 300ms);  // several retries, each refused
    CHECK_FALSE(client->connected());
    CHECK(out.states == std::vector<bool>{false});  // once per outage, not once per attempt
    const auto r = run_command(io, *client, {"PING"});
    CHECK(r.status().code() == absl::StatusCode::kUnavailable);
  }
}

TEST_CASE("eval runs a script by EVALSHA and falls back to EVAL once the server lost it",
          "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  static const redis::Script kAppend(
      "redis.call('RPUSH', KEYS[1], ARGV[1]) return redis.call('LLEN', KEYS[1])");

  auto eval = [&](std::string value) {
    std::optional<absl::StatusOr<redis::Reply>> result;
    client->eval(kAppend, {"list"}, {std::move(value)}, kGenerous,
                 [&result](absl::StatusOr<redis::Reply> r) { result = std::move(r); });
    REQUIRE(run_until(io, [&] { return result.has_value(); }));
    REQUIRE(result->ok());
    return (*result)->integer;
  };
  auto calls = [&](const std::string& command) {
    const std::string stats = text_of(run_command(io, *client, {"INFO", "commandstats"}));
    const std::string key = "cmdstat_" + command + ":calls=";
    const auto at = stats.find(key);
    return at == std::string::npos ? 0 : std::stoi(stats.substr(at + key.size()));
  };

  CHECK(eval("a") == 1);  // a fresh server: NOSCRIPT, then EVAL
  CHECK(eval("b") == 2);  // cached now: EVALSHA alone
  CHECK(calls("evalsha") == 2);
  CHECK(calls("eval") == 1);

  REQUIRE(text_of(run_command(io, *client, {"SCRIPT", "FLUSH"})) == "OK");
  CHECK(eval("c") == 3);
  CHECK(calls("evalsha") == 3);
  CHECK(calls("eval") == 2);
  CHECK(run_command(io, *client, {"LRANGE", "list", "0", "-1"})->elements.size() == 3);

  SECTION("a script that fails is an ok outcome with the error reply") {
    static const redis::Script kBroken("return redis.call('NO-SUCH-COMMAND')");
    std::optional<absl::StatusOr<redis::Reply>> result;
    client->eval(kBroken, {}, {}, kGenerous,
                 [&result](absl::StatusOr<redis::Reply> r) { result = std::move(r); });
    REQUIRE(run_until(io, [&] { return result.has_value(); }));
    REQUIRE(result->ok());
    CHECK((*result)->is_error());
  }
}

TEST_CASE("a command to a frozen server fails DEADLINE_EXCEEDED and its late reply is dropped",
          "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));

  server.pause();
  const auto sent = std::chrono::steady_clock::now();
  client->command({"INCR", "late"}, 200ms, out.collect());
  client->command({"INCR", "late"}, 30s, out.collect());  // a longer deadline outlives the pause
  REQUIRE(run_until(io, [&] { return out.calls == 1; }));
  const auto waited = std::chrono::steady_clock::now() - sent;
  CHECK(out.results[0].status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(waited >= 150ms);
  CHECK(waited < 3s);
  CHECK(client->connected());  // a slow server is not a lost connection

  server.resume();
  REQUIRE(run_until(io, [&] { return out.calls == 2; }));
  REQUIRE(out.results[1].ok());
  CHECK(out.results[1]->integer == 2);  // the server ran both; the first reply went nowhere
  CHECK(text_of(run_command(io, *client, {"GET", "late"})) == "2");
  CHECK(out.calls == 2);
  CHECK(out.states == std::vector<bool>{true});
}

TEST_CASE(
    "a server that stops answering is reported down after probe_failures missed PINGs, what was "
    "written on it fails only at its deadline, and the client reconnects once it answers",
    "[client][probe]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto options = options_for(server);
  options.probe_interval = 100ms;
  options.probe_timeout = 100ms;
  options.probe_failures = 3;  // down within 3 × 100 + 100 = 400 ms of the last answer
  auto client = started(io, options, out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  run_for(io, 350ms);  // a few answered probes: an idle, healthy connection stays up
  CHECK(out.states == std::vector<bool>{true});

  server.pause();
  const auto paused = std::chrono::steady_clock::now();
  client->command({"INCR", "held"}, 1500ms, out.collect());
  REQUIRE(run_until(io, [&] { return out.states.size() == 2; }));
  const auto down_after = std::chrono::steady_clock::now() - paused;
  CHECK(out.states == std::vector<bool>{true, false});
  CHECK(down_after < 1s);
  CHECK(out.calls == 0);  // written on the closed connection: the server may still run it

  REQUIRE(run_until(io, [&] { return out.calls == 1; }));
  const auto failed_after = std::chrono::steady_clock::now() - paused;
  CHECK(out.results[0].status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(failed_after >= 1400ms);
  CHECK_FALSE(client->connected());

  server.resume();
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  CHECK(out.states == std::vector<bool>{true, false, true});
  // The server did run the held command when it woke: the client cannot stop that, which is why
  // the journal's scripts check a deadline of their own.
  CHECK(text_of(run_command(io, *client, {"GET", "held"})) == "1");
}

TEST_CASE(
    "a server killed with commands in flight fails each once UNAVAILABLE and the client "
    "reconnects when it is back",
    "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes states;
  auto client = started(io, options_for(server), states);
  REQUIRE(run_until(io, [&] { return client->connected(); }));

  // BLPOP holds the connection: everything pipelined behind it waits too.
  Outcomes pending;
  constexpr int kCommands = 100;
  client->command({"BLPOP", "never-pushed", "0"}, 60s, pending.collect());
  for (int i = 0; i < kCommands; ++i) client->command({"INCR", "n"}, 60s, pending.collect());
  run_for(io, 100ms);
  REQUIRE(pending.calls == 0);

  server.kill();
  REQUIRE(run_until(io, [&] { return pending.calls == kCommands + 1; }));
  run_for(io, 100ms);
  CHECK(pending.calls == kCommands + 1);
  CHECK(pending.with_code(absl::StatusCode::kUnavailable) == kCommands + 1);
  CHECK(states.states == std::vector<bool>{true, false});
  CHECK_FALSE(client->connected());
  CHECK(run_command(io, *client, {"PING"}).status().code() == absl::StatusCode::kUnavailable);

  run_for(io, 300ms);  // failed retries say nothing more
  CHECK(states.states == std::vector<bool>{true, false});

  server.restart();
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  CHECK(states.states == std::vector<bool>{true, false, true});
  CHECK(text_of(run_command(io, *client, {"PING"})) == "PONG");
}

TEST_CASE(
    "an outage logs one line when Redis goes and one when it is back, none per retry or "
    "per command",
    "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return client->connected(); }));

  CapturedStdout log;
  server.kill();
  REQUIRE(run_until(io, [&] { return !client->connected(); }));
  for (int i = 0; i < 20; ++i) client->command({"PING"}, kGenerous, out.collect());
  run_for(io, 500ms);  // several failed retries
  server.restart();
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  for (int i = 0; i < 20; ++i) client->command({"PING"}, kGenerous, out.collect());
  REQUIRE(run_until(io, [&] { return out.calls == 40; }));
  const std::string text = log.text();

  INFO(text);
  CHECK(occurrences(text, "\n") == 2);
  CHECK(occurrences(text, "event=redis_down client=test ") == 1);
  CHECK(occurrences(text, "event=redis_up client=test ") == 1);
  CHECK(occurrences(text, "attempts=") == 1);
  CHECK(out.with_code(absl::StatusCode::kUnavailable) == 20);
}

TEST_CASE(
    "with nothing listening at start commands fail UNAVAILABLE and the client connects "
    "once a server appears",
    "[client]") {
  RedisServer server;
  server.stop();  // its port is now free: connects are refused
  asio::io_context io;
  Outcomes out;
  auto client = started(io, options_for(server), out);
  REQUIRE(run_until(io, [&] { return !out.states.empty(); }));
  CHECK(out.states == std::vector<bool>{false});
  CHECK(run_command(io, *client, {"PING"}).status().code() == absl::StatusCode::kUnavailable);

  server.restart();
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  CHECK(out.states == std::vector<bool>{false, true});
  CHECK(text_of(run_command(io, *client, {"PING"})) == "PONG");
}

TEST_CASE(
    "a server that accepts but never answers times the connect attempt out and the client "
    "connects once it answers",
    "[client]") {
  RedisServer server;
  server.pause();  // the kernel still accepts TCP connections; the handshake gets no reply
  asio::io_context io;
  Outcomes out;
  auto options = options_for(server);
  options.connect_timeout = 100ms;
  auto client = started(io, options, out);
  REQUIRE(run_until(io, [&] { return !out.states.empty(); }));
  run_for(io, 300ms);
  CHECK_FALSE(client->connected());
  CHECK(out.states == std::vector<bool>{false});

  server.resume();
  REQUIRE(run_until(io, [&] { return client->connected(); }));
  CHECK(out.states == std::vector<bool>{false, true});
  CHECK(text_of(run_command(io, *client, {"PING"})) == "PONG");
}

TEST_CASE(
    "stop() with commands in flight completes each once with UNAVAILABLE and never "
    "reconnects",
    "[client]") {
  RedisServer server;
  asio::io_context io;
  Outcomes states;
  auto client = started(io, options_for(server), states);
  REQUIRE(run_until(io, [&] { return client->connected(); }));

  Outcomes pending;
  constexpr int kCommands = 50;
  client->command({"BLPOP", "never-pushed", "0"}, 60s, pending.collect());
  for (int i = 0; i < kCommands; ++i) client->command({"INCR", "n"}, 60s, pending.collect());
  run_for(io, 100ms);
  REQUIRE(pending.calls == 0);

  SECTION("stop() twice, then the destructor") {
    client->stop();
    client->stop();
    REQUIRE(run_until(io, [&] { return pending.calls == kCommands + 1; }));
    CHECK(pending.with_code(absl::StatusCode::kUnavailable) == kCommands + 1);
    CHECK_FALSE(client->connected());
    CHECK(states.states == std::vector<bool>{true, false});
    CHECK(run_command(io, *client, {"PING"}).status().code() == absl::StatusCode::kUnavailable);
    run_for(io, 300ms);  // no reconnect
    CHECK_FALSE(client->connected());
    client.reset();
  }

  SECTION("stop() not yet run when the io_context stops: the destructor completes them") {
    client->stop();
    client.reset();  // nothing runs the io_context now
    CHECK(pending.with_code(absl::StatusCode::kUnavailable) == kCommands + 1);
  }

  SECTION("destroyed on the io thread from inside a done callback") {
    client->command({"PING"}, 60s, [&](absl::StatusOr<redis::Reply> r) {
      CHECK(r.status().code() == absl::StatusCode::kUnavailable);
      client.reset();
    });
    client->command({"CLIENT", "KILL", "SKIPME", "no"}, 60s, pending.collect());
    // Nothing answers while BLPOP blocks; kill the server so the PING fails first in line.
    server.kill();
    REQUIRE(run_until(io, [&] { return client == nullptr; }));
    CHECK(pending.calls == kCommands + 2);
    CHECK(pending.with_code(absl::StatusCode::kUnavailable) == kCommands + 2);
  }

  CHECK(pending.calls == pending.with_code(absl::StatusCode::kUnavailable));
  // Whatever the client left queued runs without touching freed memory (ASan would say).
  io.restart();
  io.poll();
}

}  // namespace
}  // namespace router::it
