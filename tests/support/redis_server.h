// A real redis-server for integration tests: bound to 127.0.0.1 on a free port, AOF on
// (--appendonly yes, --save '') in a fresh temporary folder, in the foreground as our child.
// It can be stopped (SIGTERM), killed (SIGKILL) and restarted on the same port and folder, so
// tests can watch clients lose and regain it. Startup waits for PING against a deadline.
// Not thread-safe: one test thread drives it. Startup failures throw (they are not test results).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/child_process.h"

namespace router::it {

class RedisServer {
 public:
  // Starts the server; throws std::runtime_error (with the server's log) if it does not answer
  // PING within `startup_limit`. A non-empty `password` starts it with --requirepass (kept
  // across restart()); readiness is then checked after AUTH. A non-zero `replica_of` starts it
  // as a replica of the server on that loopback port (--replicaof, kept across restart()).
  explicit RedisServer(std::chrono::milliseconds startup_limit = std::chrono::seconds(10),
                       std::string password = {}, int replica_of = 0);
  ~RedisServer();  // kills the server if still running and removes its folder
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool running() const { return server_.has_value() && server_->running(); }

  // SIGTERM and wait for the exit (Redis closes its clients and flushes the AOF on the way out);
  // escalates to SIGKILL after `limit`. No-op if not running.
  void stop(std::chrono::milliseconds limit = std::chrono::seconds(10));
  // SIGKILL: the server vanishes without closing anything itself. No-op if not running.
  void kill();
  // SIGSTOP / SIGCONT: the server keeps its connections but answers nothing until resumed.
  void pause();
  void resume();
  // Starts again on the same port and folder (replaying the AOF). REQUIRES: not running.
  void restart();

 private:
  void start();
  bool answers_ping() const;
  std::string log_tail() const;

  std::chrono::milliseconds startup_limit_;
  std::string password_;
  int replica_of_ = 0;
  std::filesystem::path dir_;
  int port_ = 0;
  std::optional<ChildProcess> server_;  // the running server; reset once it has exited
};

}  // namespace router::it
