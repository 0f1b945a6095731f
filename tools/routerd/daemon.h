// routerd's composition root, as a library so the integration tests start the same daemon: the
// one place that picks the customer store (Redis, a file in memory, none) and the journal, wires
// them into the engine host, recovers the journal before listening, drives health, and reloads
// (SIGHUP and ReloadConfig take the same path). main.cc keeps flags, logging and signals.
// Thread-safe: start/reload/shutdown from one control thread; services run on gRPC's threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"

namespace router::routerd {

struct DaemonOptions {
  std::string config_path;  // the routing configuration (YAML or JSON); re-read on reload()
  // Overrides daemon.listen when set ("127.0.0.1:0" picks a free port: see Daemon::port()).
  std::optional<std::string> listen;
  // Overrides daemon.ready_listen when set (routerd --ready-listen; an empty string: none). Two
  // routerd of a pair on one host share a configuration file but not a readiness port.
  std::optional<std::string> ready_listen;
  // Overrides daemon.metrics_listen when set (routerd --metrics-listen; an empty string: none).
  std::optional<std::string> metrics_listen;
  // Overrides redis.address when set; without a redis section, one with defaults is assumed.
  std::optional<std::string> redis_address;
  // With a redis section: how long start() waits for Redis to load the journal before it gives
  // up (routerd then exits; its supervisor restarts it).
  std::chrono::milliseconds redis_wait = std::chrono::seconds(30);
  // Overrides redis.lease.instance (routerd --instance): this process's name in the lease.
  std::optional<std::string> instance;
  // With redis.lease: called once, on a thread of the daemon's, after a deposed daemon (its
  // lease lost) has stopped serving and shut down; routerd re-executes itself from it, to come
  // back as a clean standby. Empty: the daemon just stays stopped (wait() returns).
  std::function<void()> on_deposed;
};

class Daemon {
 public:
  // Loads and validates the configuration, builds the engine, loads the customer store, with a
  // redis section recovers the journal's live interactions (waiting up to redis_wait), and
  // starts listening. Errors name the file and field path (config) or the address (bind).
  // With redis.lease it starts as a standby instead (docs/availability.md): everything built and
  // listening, every call answered UNAVAILABLE, health NOT_SERVING; the journal is loaded and
  // recovered when it takes the lease, and then it serves.
  static engine::Result<std::unique_ptr<Daemon>> start(const DaemonOptions& options);
  // Everything start() checks (configuration, entry points, customers file) without listening.
  // Returns a one-line summary.
  static engine::Result<std::string> check(const std::string& config_path);
  ~Daemon();  // shutdown() if still running

  int port() const;             // the bound TCP port
  std::string address() const;  // "127.0.0.1:<port>"
  // The readiness listener's port (daemon.ready_listen; docs/availability.md); 0 without one.
  int ready_port() const;
  // The Prometheus metrics listener's port (daemon.metrics_listen; docs/operations.md); 0
  // without one.
  int metrics_port() const;

  // Re-reads the configuration file; applies it without dropping queued work, or keeps the old
  // one and returns the error (file: field path: what). The answer lists what changed.
  // AdminService.ReloadConfig takes this same path.
  struct ReloadReport {
    std::vector<std::string> changes;
    std::vector<std::string> warnings;
  };
  engine::Result<ReloadReport> reload();

  // daemon.shutdown_deadline_s of the configuration in force (the last one loaded or reloaded).
  std::chrono::milliseconds shutdown_deadline() const;

  // Health goes NOT_SERVING at once; server streams get a clean end (OK, "routerd shutting
  // down"); in-flight calls finish; everything stops within `deadline`. Idempotent.
  void shutdown(std::chrono::milliseconds deadline);

  // Blocks until shutdown() has completed (routerd's main thread waits here).
  void wait();

  // With redis.lease: whether this daemon holds the lease and serves (always true without one),
  // and whether it lost the lease (then it shuts itself down and calls on_deposed).
  bool active() const;
  bool deposed() const;

 private:
  Daemon();
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace router::routerd
