// routerd: the routing daemon. Reads the flags, sets up logging, starts the daemon (daemon.h: the
// composition root) and turns signals into actions — SIGHUP reloads the configuration,
// SIGTERM/SIGINT shut down within daemon.shutdown_deadline_s. With redis.lease, a deposed daemon
// (its lease lost) wakes this thread with SIGUSR1, and routerd re-executes itself with the same
// arguments to come back as a clean standby (docs/availability.md, "Active and standby").
#include <absl/synchronization/mutex.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "engine/log_text.h"
#include "tools/routerd/daemon.h"

// jemalloc's options (read at its start when ROUTER_JEMALLOC links it; ignored otherwise): freed
// pages go back to the system within about a second (decay) on a background thread, instead of
// staying in routerd's RSS after a burst of streams or calls is over. Measured in
// bench/stream_memory.md.
extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): the name jemalloc looks for
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:1000";
}

int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, so every absl::Mutex (gRPC locks several per call) feeds
  // a process-wide deadlock-detection graph behind one global lock. That is a debugging aid, not
  // for a daemon under load: bench/README.md has what turning it off gained.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "routerd — contact-center routing daemon (gRPC: InteractionService, AgentService, "
      "SupervisorService, AdminService; grpc.health.v1; server reflection).\n"
      "With a redis section in the config, customers come from Redis and every accepted "
      "interaction is journaled there; a restart recovers the queues (docs/redis.md).\n"
      "TLS and mutual TLS: daemon.tls in the config (docs/security.md).\n"
      "Active and standby: with redis.lease in the config, routerd starts as a standby (every "
      "call UNAVAILABLE, health NOT_SERVING) and serves once it holds the lease in Redis; one "
      "that loses it stops serving at once and restarts itself as a standby "
      "(docs/availability.md); SIGTERM on the active gives the lease up for the standby.\n"
      "Signals: SIGHUP re-reads the configuration and the TLS certificate files (a bad file "
      "keeps the old ones); SIGTERM or "
      "SIGINT: health goes NOT_SERVING, streams end, exit within daemon.shutdown_deadline_s."};
  std::string config_path;
  std::optional<std::string> listen;
  std::string log_level = "info";
  bool check_only = false;
  app.add_option("-c,--config", config_path, "routing configuration file (YAML or JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen,
                 "host:port to listen on; overrides daemon.listen. A non-loopback address needs "
                 "daemon.tls, or daemon.allow_insecure: true for plaintext (docs/security.md)");
  std::optional<std::string> ready_listen;
  app.add_option("--ready-listen", ready_listen,
                 "host:port of the readiness listener (GET /ready, /live); overrides "
                 "daemon.ready_listen, so the routerd of a pair can share one configuration file "
                 "on one host (docs/availability.md)");
  std::optional<std::string> metrics_listen;
  app.add_option("--metrics-listen", metrics_listen,
                 "host:port of the Prometheus metrics listener (GET /metrics); overrides "
                 "daemon.metrics_listen (docs/operations.md)");
  std::optional<std::string> redis_address;
  double redis_wait_s = 30;
  app.add_option("--redis", redis_address,
                 "host:port of Redis; overrides redis.address (without a redis section in the "
                 "config: Redis with default settings)");
  app.add_option("--redis-wait", redis_wait_s,
                 "seconds to wait at start for Redis to load the journal; then exit 1 (with "
                 "redis.lease: at a takeover; then it gives the takeover up and restarts as a "
                 "standby)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  std::optional<std::string> instance;
  app.add_option("--instance", instance,
                 "this process's name in the active/standby lease (redis.lease); overrides "
                 "redis.lease.instance; default <hostname>:<pid>. Each process of a pair needs "
                 "its own");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_flag("--check", check_only,
               "validate the configuration, its entry points, customers file and TLS files, then "
               "exit (0: valid)");
  CLI11_PARSE(app, argc, argv);

  // Structured lines: time, level, then key=value fields (phone numbers and emails masked).
  auto logger = spdlog::stderr_color_mt("routerd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (check_only) {
    auto summary = router::routerd::Daemon::check(config_path);
    if (!summary.ok()) {
      std::fprintf(stderr, "routerd: %s\n", summary.error().message.c_str());
      return 1;
    }
    std::printf("%s: valid (%s)\n", config_path.c_str(), summary.value().c_str());
    return 0;
  }

  // Signals are taken synchronously by this thread; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);  // the daemon was deposed (on_deposed below)
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  router::routerd::DaemonOptions options;
  options.config_path = config_path;
  options.listen = listen;
  options.ready_listen = ready_listen;
  options.metrics_listen = metrics_listen;
  options.redis_address = redis_address;
  options.redis_wait = std::chrono::milliseconds(static_cast<int64_t>(redis_wait_s * 1000));
  options.instance = instance;
  options.on_deposed = [] { kill(getpid(), SIGUSR1); };
  auto daemon = router::routerd::Daemon::start(options);
  if (!daemon.ok()) {
    spdlog::critical("event=start_failed error={}",
                     router::engine::log_text(daemon.error().message, 1024));
    std::fprintf(stderr, "routerd: %s\n", daemon.error().message.c_str());
    return 1;
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("event=sighup action=reload file={}", config_path);
      (void)daemon.value()->reload();  // logs its outcome; a bad file keeps the old configuration
      continue;
    }
    if (sig == SIGUSR1) {
      if (!daemon.value()->deposed()) continue;  // not ours: ignored
      daemon.value()->wait();
      daemon.value().reset();  // every thread joined, every socket closed
      spdlog::info("event=reexec action=restart_as_standby");
      spdlog::default_logger()->flush();
      // The same arguments: a clean standby (the signal mask, inherited, is set again at start).
      execv("/proc/self/exe", argv);
      std::fprintf(stderr, "routerd: cannot re-execute itself: %s\n", std::strerror(errno));
      return 1;
    }
    spdlog::info("event=signal signal={} action=shutdown", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  daemon.value()->shutdown(daemon.value()->shutdown_deadline());
  return 0;
}
