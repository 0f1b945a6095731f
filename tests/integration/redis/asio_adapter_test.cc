// adapters/redis/asio_adapter against a real redis-server: replies in order on the io_context,
// a server that vanishes mid-run (stopped or killed), reconnection once it is back.
#include "adapters/redis/asio_adapter.h"

#include <hiredis/async.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/redis/tcp_segments.h"
#include "tests/support/redis_server.h"
#include "tests/support/run_until.h"

namespace router::it {
namespace {

using namespace std::chrono_literals;
namespace redis = ::router::adapters::redis;

// What hiredis handed back for a group of commands, and where it ran the callbacks.
struct Replies {
  explicit Replies(asio::io_context& io) : io(&io) {}
  asio::io_context* io;
  std::vector<long long> integers;
  std::vector<std::string> texts;  // status, bulk string and error replies
  int missing = 0;                 // callbacks run without a reply: the connection went away
  bool all_on_io_thread = true;
  std::size_t count() const { return integers.size() + texts.size() + missing; }
};

void on_reply(redisAsyncContext* /*ctx*/, void* reply, void* privdata) {
  auto* out = static_cast<Replies*>(privdata);
  out->all_on_io_thread = out->all_on_io_thread && out->io->get_executor().running_in_this_thread();
  const auto* r = static_cast<const redisReply*>(reply);
  if (r == nullptr) {
    ++out->missing;
  } else if (r->type == REDIS_REPLY_INTEGER) {
    out->integers.push_back(r->integer);
  } else if (r->str != nullptr) {
    out->texts.emplace_back(r->str, r->len);
  } else {
    out->texts.emplace_back("<reply type " + std::to_string(r->type) + ">");
  }
}

// One async connection under test and what hiredis reported about it. `ctx` becomes null as
// soon as hiredis frees the context (connect failure, disconnect), so the test never touches a
// freed context; the destructor frees a context still open.
struct Connection {
  redisAsyncContext* ctx = nullptr;
  std::optional<int> connect_status;
  std::optional<int> disconnect_status;
  std::string error;  // hiredis's errstr at connect failure or disconnect

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (ctx != nullptr) redisAsyncFree(ctx);
  }
  bool gone() const { return ctx == nullptr; }
};

void on_connect(const redisAsyncContext* ctx, int status) {
  auto* conn = static_cast<Connection*>(ctx->data);
  conn->connect_status = status;
  if (status != REDIS_OK) {
    conn->error = ctx->errstr;
    conn->ctx = nullptr;  // hiredis frees a context whose connect failed
  }
}

void on_disconnect(const redisAsyncContext* ctx, int status) {
  auto* conn = static_cast<Connection*>(ctx->data);
  conn->disconnect_status = status;
  conn->error = ctx->errstr;
  conn->ctx = nullptr;  // hiredis frees the context right after this callback
}

// Connects to 127.0.0.1:port through the adapter. A refusal hiredis detects synchronously
// (loopback can) is reported like an asynchronous one: connect_status REDIS_ERR.
std::unique_ptr<Connection> connect(asio::io_context& io, int port) {
  auto conn = std::make_unique<Connection>();
  redisAsyncContext* ctx = redisAsyncConnect("127.0.0.1", port);
  REQUIRE(ctx != nullptr);
  if (ctx->err != 0) {
    conn->connect_status = REDIS_ERR;
    conn->error = ctx->errstr;
    redisAsyncFree(ctx);
    return conn;
  }
  conn->ctx = ctx;
  ctx->data = conn.get();
  redisAsyncSetConnectCallback(ctx, on_connect);
  redisAsyncSetDisconnectCallback(ctx, on_disconnect);
  const engine::Status attached = redis::attach(ctx, io);
  REQUIRE(attached.ok());
  return conn;
}

std::unique_ptr<Connection> connected(asio::io_context& io, int port) {
  auto conn = connect(io, port);
  REQUIRE(run_until(io, [&] { return conn->connect_status.has_value(); }));
  INFO(conn->error);
  REQUIRE(conn->connect_status == REDIS_OK);
  return conn;
}

TEST_CASE("commands sent through the adapter get their replies on the io_context", "[redis]") {
  RedisServer server;
  asio::io_context io;
  auto conn = connected(io, server.port());

  SECTION("one command after another") {
    Replies replies(io);
    REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "SET greeting %s", "hello") ==
            REDIS_OK);
    REQUIRE(run_until(io, [&] { return replies.count() == 1; }));
    REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "GET greeting") == REDIS_OK);
    REQUIRE(run_until(io, [&] { return replies.count() == 2; }));
    CHECK(replies.texts == std::vector<std::string>{"OK", "hello"});
    CHECK(replies.all_on_io_thread);
  }

  SECTION("1,000 pipelined INCRs arrive in order") {
    constexpr int kCommands = 1000;
    Replies replies(io);
    for (int i = 0; i < kCommands; ++i) {
      REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "INCR counter") == REDIS_OK);
    }
    REQUIRE(run_until(io, [&] { return replies.count() == kCommands; }));
    std::vector<long long> expected(kCommands);
    for (int i = 0; i < kCommands; ++i) expected[i] = i + 1;
    CHECK(replies.integers == expected);
    CHECK(replies.missing == 0);
    CHECK(replies.all_on_io_thread);
  }

  SECTION("the commands of one turn leave in one write") {
    // Group commit: two handlers queued together (one loop turn) buffer 40 commands each; the
    // adapter writes once, after them, instead of once per handler or per command.
    constexpr int kPerHandler = 40;
    Replies replies(io);
    const auto before = data_segments_out(conn->ctx->c.fd);
    REQUIRE(before.has_value());  // Linux 4.6+
    for (int h = 0; h < 2; ++h) {
      asio::post(io, [&] {
        for (int i = 0; i < kPerHandler; ++i) {
          REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "INCR turn") == REDIS_OK);
        }
      });
    }
    REQUIRE(run_until(io, [&] { return replies.count() == 2 * kPerHandler; }));
    CHECK(replies.integers.back() == 2 * kPerHandler);
    CHECK(*data_segments_out(conn->ctx->c.fd) - *before == 1);
  }

  SECTION("a context freed from inside its own reply callback goes cleanly") {
    // hiredis defers the free until the callback returns, then runs the cleanup hook from inside
    // redisAsyncHandleRead: the adapter's read handler is still on the stack.
    bool freed = false;
    auto free_from_callback = [](redisAsyncContext* ctx, void* /*reply*/, void* privdata) {
      *static_cast<bool*>(privdata) = true;
      redisAsyncFree(ctx);
    };
    REQUIRE(redisAsyncCommand(conn->ctx, free_from_callback, &freed, "PING") == REDIS_OK);
    REQUIRE(run_until(io, [&] { return conn->gone(); }));
    CHECK(freed);
    CHECK(conn->disconnect_status == REDIS_OK);
    io.restart();
    io.poll();  // the aborted waits of the freed context complete without touching it
  }

  SECTION("an orderly disconnect reports success") {
    redisAsyncDisconnect(conn->ctx);
    REQUIRE(run_until(io, [&] { return conn->gone(); }));
    CHECK(conn->disconnect_status == REDIS_OK);
  }
}

TEST_CASE("attach refuses a context that is already attached", "[redis]") {
  RedisServer server;
  asio::io_context io;
  auto conn = connected(io, server.port());
  const engine::Status again = redis::attach(conn->ctx, io);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == engine::ErrorCode::kFailedPrecondition);
  CHECK(redis::attach(nullptr, io).ok() == false);
}

TEST_CASE("a server that goes away mid-run fires the disconnect callback with an error",
          "[redis]") {
  RedisServer server;
  asio::io_context io;
  auto conn = connected(io, server.port());

  // A command the server will never answer by itself: in flight when the server goes.
  Replies blocked(io);
  REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &blocked, "BLPOP never-pushed 0") == REDIS_OK);
  REQUIRE(run_until(
              io, [] { return false; }, 50ms) == false);  // let it reach the server

  SECTION("stopped with SIGTERM") { server.stop(); }
  SECTION("killed with SIGKILL") { server.kill(); }
  SECTION("killed with SIGKILL while 1,000 pipelined commands wait to be written") {
    server.kill();
    Replies queued(io);
    for (int i = 0; i < 1000; ++i) {
      REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &queued, "INCR counter") == REDIS_OK);
    }
    REQUIRE(run_until(io, [&] { return conn->gone(); }));
    CHECK(queued.missing == 1000);
  }

  REQUIRE(run_until(io, [&] { return conn->gone(); }));
  CHECK(conn->disconnect_status == REDIS_ERR);
  CHECK_FALSE(conn->error.empty());
  CHECK(blocked.missing == 1);
  CHECK(blocked.all_on_io_thread);
  // Nothing left runs against the freed context (AddressSanitizer would say so).
  io.restart();
  io.poll();
}

TEST_CASE("a client reconnects once the server is back on the same port, data kept by the AOF",
          "[redis]") {
  RedisServer server;
  asio::io_context io;
  {
    auto conn = connected(io, server.port());
    Replies replies(io);
    REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "SET customer:42 %s", "gold") ==
            REDIS_OK);
    REQUIRE(run_until(io, [&] { return replies.count() == 1; }));
    REQUIRE(replies.texts == std::vector<std::string>{"OK"});

    server.stop();
    REQUIRE(run_until(io, [&] { return conn->gone(); }));
    CHECK(conn->disconnect_status == REDIS_ERR);
  }

  auto refused = connect(io, server.port());
  REQUIRE(run_until(io, [&] { return refused->connect_status.has_value(); }));
  CHECK(refused->connect_status == REDIS_ERR);
  CHECK(refused->gone());

  server.restart();
  auto conn = connected(io, server.port());
  Replies replies(io);
  REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "GET customer:42") == REDIS_OK);
  REQUIRE(run_until(io, [&] { return replies.count() == 1; }));
  CHECK(replies.texts == std::vector<std::string>{"gold"});
}

TEST_CASE("hiredis 0.14 has no command timeout: a command to a frozen server waits until it thaws",
          "[redis]") {
  // 0.14 has neither redisAsyncSetTimeout nor the scheduleTimer hook; a caller that needs a
  // deadline keeps its own timer and frees the context when it expires.
  RedisServer server;
  asio::io_context io;
  auto conn = connected(io, server.port());
  server.pause();
  Replies replies(io);
  REQUIRE(redisAsyncCommand(conn->ctx, on_reply, &replies, "PING") == REDIS_OK);
  CHECK_FALSE(run_until(
      io, [&] { return replies.count() == 1; }, 300ms));
  CHECK_FALSE(conn->gone());
  server.resume();
  REQUIRE(run_until(io, [&] { return replies.count() == 1; }));
  CHECK(replies.texts == std::vector<std::string>{"PONG"});
}

}  // namespace
}  // namespace router::it
