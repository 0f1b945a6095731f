// A Redis connection for routerd: hiredis async on an Asio io_context (asio_adapter.h) with what
// a daemon needs around it: AUTH and SELECT on every connect, reconnect with exponential backoff,
// a deadline per command, Lua scripts by EVALSHA, and one log line per outage (not per request).
// Commands are pipelined and group-committed: a command goes into hiredis's output buffer, and
// everything buffered in one turn of the io_context leaves in one write (asio_adapter.h); replies
// come back in order.
//
// While disconnected, commands fail at once with UNAVAILABLE (nothing is queued for later: the
// callers — customer lookup, journal — each have their own answer to an absent Redis).
//
// Liveness: a connection that stays open but stops answering (a paused or wedged server) is found
// by a PING every probe_interval; probe_failures probes in a row without a reply within
// probe_timeout close it, which reports it down (on_state(false)) and starts reconnecting. What
// was written on such a connection may still be executed when the server wakes, so its commands
// complete only at their own deadlines (DEADLINE_EXCEEDED, never earlier), and the next
// connection opens only after the latest of those deadlines: a caller that gave each command a
// deadline the server also checks (the journal's scripts do) sees every command of the old
// connection executed before that deadline or not at all, and before anything on the new one.
//
// Threading: start(), stop(), command() and eval() may be called from any thread; they post to
// the io_context, which exactly one thread runs — except command() and eval() on that thread
// itself, which buffer the command at once (no hop; routerd runs the engine and its Redis clients
// on one loop, tools/routerd/engine_loop.h). `done` callbacks and the state callback run on that
// thread, never inline in the call (a command refused at once is answered by a posted handler;
// one exception: ~Client completes what is still pending with UNAVAILABLE on the destroying
// thread). The io_context must outlive the Client; destroy the Client only after stop() and
// after the io_context's thread has stopped running it (or from that thread itself, even inside
// a `done`). Stop before the io_context's last run: the connection's socket and timers keep it
// busy (io_context::run() does not return) until stop() has run.
//
// Cost per command: the argv, the `done`, one posted handler (none on the io thread), hiredis's
// own buffers; no timer of its own (one timer serves the earliest deadline) and no log line.
#pragma once

#include <absl/status/statusor.h>

#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/types.h"

struct redisReply;

namespace router::adapters::redis {

// An owned copy of a hiredis reply.
struct Reply {
  enum class Type : uint8_t { kNil, kStatus, kError, kInteger, kString, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;              // kStatus, kError, kString
  std::vector<Reply> elements;  // kArray

  static Reply copy(const redisReply& r);
  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

// A Lua script the server caches by its SHA1: run by EVALSHA; when the server answers NOSCRIPT
// (after its restart or a SCRIPT FLUSH) the client sends the source once with EVAL and goes on
// with EVALSHA. Immutable after construction.
class Script {
 public:
  explicit Script(std::string source);  // computes the SHA1 (OpenSSL)
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // 40 lower-case hex digits

 private:
  std::string source_;
  std::string sha1_;
};

struct ClientOptions {
  std::string name = "redis";  // logs ("redis journal: ...") and CLIENT SETNAME routerd-<name>
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;      // SELECT when ≠ 0
  std::string password;  // AUTH when non-empty
  engine::Duration connect_timeout = std::chrono::seconds(1);
  engine::Duration reconnect_min = std::chrono::milliseconds(100);  // doubled after each failure
  engine::Duration reconnect_max = std::chrono::seconds(5);
  // Liveness probe (see the top of this file). Worst case from the server's last answer to the
  // connection reported down: probe_failures × probe_interval + probe_timeout (1.2 s here).
  engine::Duration probe_interval = std::chrono::milliseconds(300);
  engine::Duration probe_timeout = std::chrono::milliseconds(300);
  int probe_failures = 3;
  // Redis under Sentinel: when `sentinels` is not empty, host and port are only where to start:
  // before every connection attempt the sentinels ("host:port" each) are asked in turn for
  // `sentinel_master`'s address (sentinel.h; each within connect_timeout), the connection goes
  // there, and its handshake checks ROLE says "master" (a replica is dropped and the sentinels
  // asked again). A READONLY reply (the primary was demoted) completes its command with
  // UNAVAILABLE (not executed: never_sent() is true) and drops the connection, so the next
  // attempt asks the sentinels again. One log line (event=redis_primary) per change of address.
  std::vector<std::string> sentinels;
  std::string sentinel_master;
  std::string sentinel_password;  // AUTH to the sentinels when non-empty

  // For banners: "host:port", or "sentinel <master> via <s1>,<s2>,...".
  std::string server() const {
    if (sentinels.empty()) return host + ":" + std::to_string(port);
    std::string out = "sentinel " + sentinel_master + " via ";
    for (size_t i = 0; i < sentinels.size(); ++i) out += (i > 0 ? "," : "") + sentinels[i];
    return out;
  }
};

// The outcome of one command:
//   ok                 — Redis answered; the reply may be an error reply (Reply::is_error()).
//   UNAVAILABLE        — not connected, or the connection was lost before the reply came.
//   DEADLINE_EXCEEDED  — no reply within the command's timeout; a late reply is dropped. Also a
//                        command written on a connection the liveness probe closed, at its
//                        deadline (the server may still execute it until then).
using Done = std::function<void(absl::StatusOr<Reply>)>;

// True for an UNAVAILABLE that came before anything of the command was written (not connected):
// the server cannot execute it later. Any other failure may have been (or may yet be) executed.
bool never_sent(const absl::Status& status);

class Client {
 public:
  Client(asio::io_context& io, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Loads `script` (SCRIPT LOAD) in every connect's handshake, before the client reports
  // connected, so EVALSHA finds it. Needed where order matters: the NOSCRIPT fallback resends a
  // command as EVAL after commands sent behind it have run. Only a SCRIPT FLUSH on the server
  // makes that fallback (and the reordering) possible again. Any thread; called before start()
  // it applies to the first connect, later ones from the next reconnect. `script` must outlive
  // the client.
  void preload(const Script& script);

  // Connects in the background, and reconnects after every loss until stop().
  void start();
  // Disconnects; pending commands complete with UNAVAILABLE; no reconnect after this.
  void stop();

  // Called on every change: true once connected and ready (AUTH and SELECT done), false when
  // the connection is lost (or closed by the liveness probe) or the first attempt of an outage
  // fails (not again for each failed retry), and false after stop() if it was connected. Set
  // before start().
  void on_state(std::function<void(bool connected)> fn);
  // Connected and ready, as last seen on the io_context's thread (any thread may ask).
  bool connected() const;

  // `argv` is one command, e.g. {"HGET", key, field}; binary-safe. The deadline is `timeout`
  // from this call. `done` must not throw.
  // REQUIRES: argv is not empty and done is set (checked). Not for commands that change the
  // reply protocol (SUBSCRIBE, MONITOR): replies are matched to commands in order.
  void command(std::vector<std::string> argv, engine::Duration timeout, Done done);
  // EVALSHA script.sha1() numkeys keys... args... (EVAL on NOSCRIPT, see Script). The script
  // must outlive the call (keep scripts as statics or members).
  void eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
            engine::Duration timeout, Done done);

  const ClientOptions& options() const;
  // The io_context the client runs on (the journal posts its end-of-turn WAIT there).
  asio::io_context& io() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace router::adapters::redis
