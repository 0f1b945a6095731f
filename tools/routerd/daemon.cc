// routerd's composition: configuration, customer store, journal, engine host, services and the
// gRPC listener, wired here and nowhere else. See daemon.h.
#include "tools/routerd/daemon.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "adapters/channels/memory_customer_store.h"
#include "adapters/config/routing_config.h"
#include "adapters/grpc/listener.h"
#include "adapters/grpc/services.h"
#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "adapters/http/readiness.h"
#include "adapters/metrics/prometheus_metrics.h"
#include "adapters/ports/customer_lookup.h"
#include "adapters/redis/audit_stream.h"
#include "adapters/redis/customer_store.h"
#include "adapters/redis/interval_reports.h"
#include "adapters/redis/journal.h"
#include "adapters/redis/lease.h"
#include "engine/log_text.h"
#include "tools/routerd/engine_loop.h"
#include "tools/routerd/redis_parts.h"

namespace router::routerd {

namespace channels = adapters::channels;
namespace config = adapters::config;
namespace grpc = adapters::grpc;
namespace host = adapters::host;
namespace ports = adapters::ports;
namespace redis = adapters::redis;

namespace {

constexpr char kRouterdVersion[] = ROUTER_VERSION;

// Every customer anonymous: the store when no customers_file is configured.
class NoCustomers final : public ports::CustomerLookup {
 public:
  void lookup(const ports::CustomerKeys&, std::function<void(ports::LookupResult)> done) override {
    done(ports::LookupResult{});
  }
  void record_contact(const std::string&, const std::string&, int64_t) override {}
  std::string describe() const override { return "no customer store (every caller anonymous)"; }
};

engine::Result<std::unique_ptr<ports::CustomerLookup>> open_customers(
    const config::DaemonSettings& daemon) {
  if (daemon.customers_file.empty()) {
    return std::unique_ptr<ports::CustomerLookup>(std::make_unique<NoCustomers>());
  }
  auto phones = channels::PhoneNormalizer::make(daemon.default_region);
  if (!phones.ok())
    return engine::invalid_argument("daemon.default_region: " + phones.error().message);
  channels::CustomerFileOptions options;
  options.segments = daemon.segments;
  auto store = channels::MemoryCustomerStore::load(daemon.customers_file, phones.value(), options);
  if (!store.ok()) return store.error();
  return std::unique_ptr<ports::CustomerLookup>(std::move(store).value());
}

void warn_dev_mode(const config::RoutingModel& model) {
  if (!model.auth.dev_no_auth) return;
  spdlog::warn(
      "event=auth_disabled AUTH IS OFF (auth.dev_no_auth: true): every caller is a supervisor "
      "acting for any agent. Development only — never expose this routerd to a network.");
}

grpc::TlsFiles tls_files(const config::TlsSettings& t) {
  return grpc::TlsFiles{t.cert_file, t.key_file, t.client_ca_file};
}

// daemon.tls's files, read and checked; errors name the file and the field.
engine::Result<grpc::TlsMaterial> load_listener_tls(const config::TlsSettings& settings,
                                                    const std::string& config_path) {
  auto material = grpc::load_tls(tls_files(settings));
  if (!material.ok()) {
    return engine::invalid_argument(config_path + ": daemon.tls." + material.error().message);
  }
  if (material.value().expired) {
    spdlog::warn("event=tls_certificate_expired subject=\"{}\" not_after={} file={}",
                 material.value().subject, material.value().not_after, settings.cert_file);
  }
  return material;
}

// The rule for plaintext: only on loopback, unless daemon.allow_insecure says otherwise (then a
// warning at every start). `listen` is the address in force; `from_flag`: it came from --listen.
engine::Status check_plaintext(const config::DaemonSettings& d, const std::string& listen,
                               bool from_flag, const std::string& config_path) {
  if (d.tls || grpc::is_loopback(listen)) return {};
  if (!d.allow_insecure) {
    const std::string where =
        from_flag ? "--listen " + listen + ": not a loopback address"
                  : config_path + ": daemon.listen: " + listen + " is not a loopback address";
    return engine::invalid_argument(
        where +
        ", and daemon.tls is not set: routerd will not serve plaintext to the network "
        "(configure daemon.tls, or set daemon.allow_insecure: true to accept the risk; "
        "docs/security.md)");
  }
  spdlog::warn(
      "event=insecure_listener address={} PLAINTEXT ON A NETWORK ADDRESS "
      "(daemon.allow_insecure: true): bearer tokens and customer data cross the network "
      "unencrypted. Configure daemon.tls (docs/security.md).",
      listen);
  return {};
}

// A host status as the daemon's error (Daemon's API speaks the engine's Result).
engine::Error from_status(const absl::Status& s, const std::string& prefix) {
  engine::ErrorCode code = engine::ErrorCode::kInvalidArgument;
  switch (s.code()) {
    case absl::StatusCode::kNotFound: code = engine::ErrorCode::kNotFound; break;
    case absl::StatusCode::kAlreadyExists: code = engine::ErrorCode::kAlreadyExists; break;
    case absl::StatusCode::kFailedPrecondition:
      code = engine::ErrorCode::kFailedPrecondition;
      break;
    case absl::StatusCode::kResourceExhausted: code = engine::ErrorCode::kResourceExhausted; break;
    default: break;
  }
  return engine::Error{code, prefix + std::string(s.message())};
}

// This process's default name in the lease: "<hostname>:<pid>" (re-execution keeps the pid).
std::string default_instance() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
    std::snprintf(name, sizeof name, "routerd");
  return std::string(name) + ":" + std::to_string(getpid());
}

// The instance name in a lease value ("<instance> <token>").
std::string holder_name(const std::string& value) {
  const auto space = value.rfind(' ');
  if (space == std::string::npos) return value;
  return value.substr(0, space) + " (fencing token " + value.substr(space + 1) + ")";
}

}  // namespace

struct Daemon::State {
  DaemonOptions options;
  EngineLoop loop;  // first: the host and the Redis clients run on it
  // daemon.metrics_listen's Prometheus listener (null: none); before host, which records into it.
  std::unique_ptr<adapters::metrics::PrometheusMetrics> metrics;
  std::unique_ptr<ports::Timer> metrics_timer;  // the snapshot refresh; the loop's thread only
  std::unique_ptr<RedisParts> redis;            // before host: the host's customer store uses it
  // The interval reports' store (docs/operations.md, "Interval reports"): in Redis with a redis
  // section, else in memory; before host, which adds to it.
  std::unique_ptr<ports::IntervalStore> reports;
  std::unique_ptr<host::RoutingHost> host;
  std::unique_ptr<grpc::Gate> gate;
  // The audit trail (docs/operations.md, "Audit trail"): in Redis when there is a redis section,
  // else in memory; the auditor records into it from gRPC's threads.
  std::unique_ptr<ports::AuditTrail> audit_trail;
  std::unique_ptr<grpc::Auditor> auditor;
  grpc::Services services;
  std::unique_ptr<grpc::Listener> listener;  // guarded by mu once started
  // daemon.ready_listen's HTTP listener (null: none); lives until the Daemon is destroyed, so it
  // answers 503 shutting_down through and after shutdown while the process still runs.
  std::unique_ptr<adapters::http::ReadinessListener> readiness;
  bool serving = false;                  // guarded by mu: what health and /ready say
  std::shared_ptr<grpc::ServerTls> tls;  // null: plaintext; replaced on reload
  std::string host_name;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool shut_down = false;
  bool stopped = false;
  engine::Duration shutdown_deadline{};  // guarded by mu; the configuration in force
  std::mutex reload_mu;                  // one reload at a time
  bool host_stopped = false;             // guarded by reload_mu
  bool host_stopped_metrics = false;     // the loop's thread only: no more snapshot refreshes

  // Health's inputs, guarded by mu: SERVING only when all hold (set_serving is the one place
  // that changes it).
  bool journal_up = true;  // the journal's connection (true without a journal)
  bool active = true;      // holds the lease (true without one)

  // Active and standby (redis.lease; docs/availability.md). None of it without a lease.
  std::string instance;       // this process's name in the lease
  std::string redis_address;  // for the journal load's errors
  std::chrono::milliseconds redis_wait{};
  std::atomic<bool> deposed{false};    // set under mu; read from any thread
  std::atomic<bool> stopping{false};   // shutdown has begun: a takeover in progress gives up
  std::thread takeover;                // loads the journal and recovers; joined by shutdown()
  std::thread deposition;              // shuts a deposed daemon down; joined by ~Daemon
  std::function<void()> shutdown_now;  // Daemon::shutdown for the deposition thread
  std::chrono::steady_clock::time_point acquired_at;

  // Health changes here and nowhere else: grpc.health.v1 and the readiness listener's /ready
  // together. Never SERVING again once shutdown has begun. REQUIRES: mu held.
  void set_serving(bool serve) {
    if (shut_down) serve = false;
    serving = serve;
    if (listener) listener->set_serving(serve);
    if (readiness) readiness->set_ready(serve, serve ? std::string() : not_serving_reason());
  }

  // The one word /ready answers while not serving. REQUIRES: mu held.
  std::string not_serving_reason() const {
    if (shut_down) return "shutting_down";
    if (deposed) return "deposed";
    if (!active) return "standby";
    if (redis && redis->journal && !redis->journal->available()) return "redis_down";
    if (!listener) return "starting";
    return "not_serving";
  }
  // Health from its inputs. REQUIRES: mu held.
  void refresh_serving() { set_serving(!shut_down && active && journal_up); }

  // The lease's events, on the lease's own loop (redis_parts.h): each takes `mu` or touches only
  // what is thread-safe (the gate, the journal's token), and posts to the engine's loop.
  redis::LeaseEvents lease_events() {
    redis::LeaseEvents e;
    e.held_by = [this](const std::string& holder) {
      std::lock_guard lock(mu);
      if (!active && !deposed) {
        gate->active().close("standby: the active routerd is " + holder_name(holder) +
                             "; try another address");
      }
    };
    e.acquired = [this](uint64_t token, std::chrono::steady_clock::time_point) {
      acquired_at = std::chrono::steady_clock::now();
      redis->journal->set_fence_token(token);
      std::lock_guard lock(mu);
      if (shut_down || deposed) return;
      gate->active().close("standby: taking over (loading the journal); try again in a moment");
      takeover = std::thread([this, token] { take_over(token); });
    };
    e.renewed = [this](std::chrono::steady_clock::time_point until) {
      gate->active().extend(until);
    };
    e.lost = [this](const std::string& reason) { depose(reason); };
    if (redis->follower) e.prepared = [this] { return redis->follower->warm(); };
    return e;
  }

  // The takeover after the lease was taken (its own thread): the journal loaded and recovered,
  // then the gate opens and health says SERVING. The lease is renewed meanwhile on the loop.
  void take_over(uint64_t token) {
    // The warm copy (or a full load), with the agents' sessions and the email threads: a
    // takeover keeps accepted work with its agent exactly as a restart does
    // (docs/availability.md, "Sessions across a takeover", "A warm standby").
    auto journal = takeover_journal(*redis, redis_address, redis_wait, &stopping);
    if (!journal.ok()) {
      spdlog::error("event=takeover_failed instance={} token={} error={}", instance, token,
                    engine::log_text(journal.error().message, 1024));
      host->post([this] { depose("the journal could not be loaded"); });
      return;
    }
    const TakeoverJournal& j = journal.value();
    std::promise<void> recovered;
    host->post([&] {
      if (!deposed) host->recover(j.entries, j.sessions);
      recovered.set_value();
    });
    recovered.get_future().wait();
    std::lock_guard lock(mu);
    if (shut_down || deposed) return;
    active = true;
    gate->active().open_until(redis->lease->valid_until());
    refresh_serving();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - acquired_at);
    spdlog::info("event=takeover instance={} token={} took_ms={} recovered={} warm={} changes={}{}",
                 instance, token, took.count(), j.entries.size(), j.warm, j.changes,
                 j.warm ? "" : " cold_why=" + engine::log_text(j.cold_why));
  }

  // The lease is lost (on the lease's loop), a journal write was fenced or the takeover failed
  // (on the engine's loop): stop serving at once — the gate refuses every call, health
  // NOT_SERVING, every stream ends UNAVAILABLE (on the engine's loop) — then shut down on a
  // thread of its own and hand over to on_deposed (routerd re-executes itself as a standby).
  // Any thread but the deposition's.
  void depose(const std::string& reason) {
    {
      std::lock_guard lock(mu);
      if (deposed || shut_down) return;
      deposed = true;
      active = false;
      gate->active().close("routerd is no longer the active instance (" + reason +
                           "); try another address");
      refresh_serving();
    }
    spdlog::warn(
        "event=deposed instance={} reason=\"{}\" action=stop_serving_and_restart_as_standby",
        instance, reason);
    // On the engine's loop (the lease reports from its own thread): every open stream ends, before
    // the host stops (the deposition thread's shutdown posts after this).
    host->post([this] {
      host->drain(absl::UnavailableError("routerd is no longer the active instance"));
    });
    deposition = std::thread([this] {
      shutdown_now();
      if (options.on_deposed) options.on_deposed();
    });
  }

  // Stops the host's timers on its executor, then the Redis connections on the same loop, then
  // the loop (it runs what they posted, then joins). REQUIRES: not the engine thread.
  // The metrics' snapshots of the queues and the daemon, every second (on the loop).
  void refresh_metrics() {
    if (!metrics || host_stopped_metrics) return;
    v1::GetQueueStatsResponse queues;
    (void)host->queue_stats({}, &queues);
    metrics->set_queues(queues);
    adapters::metrics::DaemonState d;
    {
      std::lock_guard lock(mu);
      d.serving = serving;
      d.active = active;
    }
    if (redis) {
      d.redis = true;
      d.journal_up = redis->journal && redis->journal->available();
      d.customers_up = redis->customers && redis->customers->connected();
      if (redis->journal) d.journal_unsynced = redis->journal->unsynced();
      if (redis->follower) {
        d.follower = true;
        d.standby_warm = redis->follower->warm();
        d.follower_changes = redis->follower->changes();
        d.follower_reloads = redis->follower->reloads();
      }
      if (redis->store != nullptr) {
        const redis::CustomerStoreStats c = redis->store->stats();
        d.customer_lookups = c.lookups;
        d.customer_lookups_degraded = c.degraded;
      }
    }
    const auto counts = gate->streams().counts();
    d.streams_open = static_cast<int64_t>(counts.streams);
    d.stream_connections = static_cast<int64_t>(counts.connections);
    metrics->set_daemon(d);
    metrics_timer = loop.start_timer(std::chrono::seconds(1), [this] { refresh_metrics(); });
  }

  void stop_host() {
    // The interval reports' last counts, stored while Redis is still connected (a second at most).
    auto stored = std::make_shared<std::promise<void>>();
    host->post([this, stored] {
      host->store_reports_now([stored](const absl::Status&) { stored->set_value(); });
    });
    stored->get_future().wait_for(std::chrono::seconds(1));
    std::promise<void> stopped_timers;
    host->post([&] {
      host_stopped_metrics = true;
      metrics_timer.reset();
      host->stop();
      stopped_timers.set_value();
    });
    stopped_timers.get_future().wait();
    if (redis) redis->stop();
    loop.stop();
  }

  void reload_async(std::function<void(absl::StatusOr<host::RoutingHost::ReloadReport>)> done) {
    std::unique_lock lock(reload_mu);
    if (host_stopped) {
      return done(absl::FailedPreconditionError(
          "routerd is shutting down; the configuration was not reloaded"));
    }
    // Whatever fails while reading — even memory — fails only this reload: the running
    // configuration and every queued interaction stay as they are.
    auto model = [this]() -> engine::Result<config::RoutingModel> {
      try {
        return config::load_routing_config(options.config_path);
      } catch (const std::exception& e) {
        return engine::resource_exhausted(options.config_path + ": reading failed: " + e.what());
      }
    }();
    if (!model.ok()) {
      spdlog::error("event=reload_failed error={} action=kept_old_config",
                    engine::log_text(model.error().message, 1024));
      return done(host::to_status(model.error()));
    }
    // The certificates are read and checked first; installed only if the rest applies too.
    std::optional<grpc::TlsMaterial> certificates;
    std::vector<std::string> tls_warnings;
    if (tls && model.value().daemon.tls) {
      auto material = load_listener_tls(*model.value().daemon.tls, options.config_path);
      if (material.ok() && material.value().client_ca.empty() == tls->mutual()) {
        material = engine::failed_precondition(options.config_path +
                                               ": daemon.tls.client_ca_file: mutual TLS is " +
                                               (tls->mutual() ? "on" : "off") + "; turning it " +
                                               (tls->mutual() ? "off" : "on") + " needs a restart");
      }
      if (!material.ok()) {
        spdlog::error("event=reload_failed error=\"{}\" action=kept_old_config",
                      material.error().message);
        return done(host::to_status(material.error()));
      }
      certificates = std::move(material).value();
    } else if (tls || model.value().daemon.tls) {
      tls_warnings.push_back(std::string("daemon.tls: routerd serves ") +
                             (tls ? "TLS" : "plaintext") +
                             " until it restarts (the listener's security is fixed at start)");
    }
    // The host applies it on the engine thread; the gate (tokens, limits) follows on success.
    auto promise =
        std::make_shared<std::promise<absl::StatusOr<host::RoutingHost::ReloadReport>>>();
    auto future = promise->get_future();
    auto next = std::make_shared<config::RoutingModel>(std::move(model).value());
    host->post([this, next, promise] {
      absl::StatusOr<host::RoutingHost::ReloadReport> result;
      try {
        auto rules = grpc::gate_rules(*next);
        result = host->reload(*next);
        if (result.ok()) gate->set(std::move(rules));
      } catch (const std::bad_alloc&) {
        // RoutingHost::reload validates everything before it changes anything; an allocation
        // failure in the validation leaves the running state as it was.
        result = absl::ResourceExhaustedError("out of memory while applying the configuration");
      }
      promise->set_value(std::move(result));
    });
    auto result = future.get();
    if (result.ok() && certificates) {
      (void)tls->replace(std::move(*certificates));  // mutual unchanged: checked above
      spdlog::info("event=tls_reloaded {}", tls->describe());
      result->changes.push_back("daemon.tls: certificates re-read (" + tls->describe() + ")");
    }
    if (result.ok()) {
      for (auto& w : tls_warnings) result->warnings.push_back(std::move(w));
      spdlog::info("event=reloaded file={} changes={} warnings={}", options.config_path,
                   result->changes.size(), result->warnings.size());
      for (const auto& w : result->warnings) {
        spdlog::warn("event=reload_warning warning={}", engine::log_text(w, 1024));
      }
      warn_dev_mode(*next);
      std::lock_guard state_lock(mu);
      shutdown_deadline = next->daemon.shutdown_deadline;
    } else {
      const std::string message(result.status().message());
      spdlog::error("event=reload_failed error={} action=kept_old_config",
                    engine::log_text(message, 1024));
      if (message.rfind(options.config_path, 0) != 0) {
        result = absl::Status(result.status().code(), options.config_path + ": " + message);
      }
    }
    done(std::move(result));
  }
};

Daemon::Daemon() : state_(std::make_unique<State>()) {}

Daemon::~Daemon() {
  if (state_ && state_->listener) shutdown(std::chrono::seconds(2));
  if (state_ && state_->deposition.joinable()) state_->deposition.join();
}

engine::Result<std::unique_ptr<Daemon>> Daemon::start(const DaemonOptions& options) {
  auto model = config::load_routing_config(options.config_path);
  if (!model.ok()) return model.error();
  auto& m = model.value();
  if (m.auth.tokens.empty() && !m.auth.dev_no_auth) {
    return engine::invalid_argument(options.config_path +
                                    ": auth.tokens: routerd needs tokens (or auth.dev_no_auth: "
                                    "true for development)");
  }
  const std::string listen = options.listen.value_or(m.daemon.listen);
  std::shared_ptr<grpc::ServerTls> tls;
  if (m.daemon.tls) {
    auto material = load_listener_tls(*m.daemon.tls, options.config_path);
    if (!material.ok()) return material.error();
    tls = std::make_shared<grpc::ServerTls>(std::move(material).value());
    spdlog::info("event=tls {}", tls->describe());
  } else if (auto plain =
                 check_plaintext(m.daemon, listen, options.listen.has_value(), options.config_path);
             !plain.ok()) {
    return plain.error();
  }
  if (options.redis_address) {
    if (!m.redis) m.redis.emplace();  // --redis alone: every other setting at its default
    const auto colon = options.redis_address->rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return engine::invalid_argument("--redis: must be host:port, got '" + *options.redis_address +
                                      "'");
    }
    m.redis->sentinels.clear();  // --redis names the server: no Sentinel
    m.redis->host = options.redis_address->substr(0, colon);
    try {
      m.redis->port = std::stoi(options.redis_address->substr(colon + 1));
    } catch (const std::exception&) {
      return engine::invalid_argument("--redis: bad port in '" + *options.redis_address + "'");
    }
  }
  std::unique_ptr<Daemon> daemon(new Daemon());
  State& st = *daemon->state_;
  st.options = options;
  const bool leased = m.redis && m.redis->lease && m.redis->journal;
  if (leased) {
    st.instance = options.instance.value_or(
        m.redis->lease->instance.empty() ? default_instance() : m.redis->lease->instance);
    if (st.instance.empty() || st.instance.size() > 128 ||
        st.instance.find_first_of(" \t\r\n") != std::string::npos) {
      return engine::invalid_argument("--instance: must be 1..128 characters without spaces");
    }
  }
  st.shutdown_deadline = m.daemon.shutdown_deadline;
  st.tls = tls;
  const std::string ready_listen = options.ready_listen.value_or(m.daemon.ready_listen);
  if (!ready_listen.empty()) {
    // First, so that load balancers see /live (and /ready: 503 starting) during recovery.
    auto readiness = adapters::http::ReadinessListener::start(ready_listen);
    if (!readiness.ok()) {
      return engine::invalid_argument((options.ready_listen
                                           ? std::string("--ready-listen")
                                           : options.config_path + ": daemon.ready_listen") +
                                      ": " + readiness.error().message);
    }
    st.readiness = std::move(readiness).value();
    spdlog::info("event=readiness_listener address={} port={}", ready_listen, st.readiness->port());
  }
  const std::string metrics_listen = options.metrics_listen.value_or(m.daemon.metrics_listen);
  if (!metrics_listen.empty()) {
    auto metrics = adapters::metrics::PrometheusMetrics::start(metrics_listen, kRouterdVersion);
    if (!metrics.ok()) {
      return engine::invalid_argument((options.metrics_listen
                                           ? std::string("--metrics-listen")
                                           : options.config_path + ": daemon.metrics_listen") +
                                      ": " + metrics.error().message);
    }
    st.metrics = std::move(metrics).value();
    spdlog::info("event=metrics_listener address={} port={}", metrics_listen, st.metrics->port());
  }
  std::unique_ptr<ports::CustomerLookup> customer_store;
  if (m.redis) {
    if (!m.daemon.customers_file.empty()) {
      spdlog::warn(
          "event=customers_file_ignored file={} reason=\"the redis section is set: "
          "customers come from Redis (routerctl customers import)\"",
          m.daemon.customers_file);
    }
    st.redis = std::make_unique<RedisParts>(*m.redis, st.loop.io(), st.instance,
                                            m.daemon.max_email_threads);
    customer_store = redis_customers(m, *st.redis);
    st.redis->store = static_cast<redis::RedisCustomerStore*>(customer_store.get());
    st.redis->start();
  } else {
    auto customers = open_customers(m.daemon);
    if (!customers.ok()) return customers.error();
    customer_store = std::move(customers).value();
  }
  spdlog::info("event=customers store=\"{}\"", customer_store->describe());
  redis::RedisJournal* journal = st.redis ? st.redis->journal.get() : nullptr;
  if (journal != nullptr) {
    spdlog::info("event=journal store=\"{}\"", journal->describe());
  } else {
    spdlog::warn(
        "event=journal_off reason=\"{}\" effect=\"queued interactions live only in "
        "this process; a restart loses them\"",
        m.redis ? "redis.no_journal" : "no redis section in the config");
  }
  auto rules = grpc::gate_rules(m);
  const auto max_message = m.daemon.max_message_bytes;
  const grpc::TransportLimits transport{
      .max_concurrent_streams = static_cast<int>(m.daemon.server_limits.max_concurrent_streams),
      .memory_bytes = m.daemon.server_limits.grpc_memory_bytes};
  warn_dev_mode(m);
  const std::string redis_address = m.redis ? m.redis->address() : "";
  const std::optional<config::RedisSettings> redis_settings = m.redis;  // m moves to the host
  const auto lease_settings = leased ? m.redis->lease : std::nullopt;
  host::HostPorts ports;
  ports.executor = &st.loop;
  ports.clock = &st.loop;
  ports.customers = std::move(customer_store);
  ports.journal = journal;
  ports.metrics = st.metrics.get();
  if (st.redis) {
    st.reports = std::make_unique<redis::RedisIntervalStore>(
        *st.redis->customers,
        redis::IntervalReportOptions{.key_prefix = redis_settings->key_prefix,
                                     .retention = redis_settings->report_retention,
                                     .timeout = redis_settings->journal_timeout});
  } else {
    st.reports = std::make_unique<ports::MemoryIntervalStore>();
  }
  ports.reports = st.reports.get();
  auto host = host::RoutingHost::create(std::move(m), std::move(ports));
  if (!host.ok()) return from_status(host.status(), options.config_path + ": ");
  st.host = std::move(host).value();
  st.gate = std::make_unique<grpc::Gate>(std::move(rules));
  st.redis_address = redis_address;
  st.redis_wait = options.redis_wait;
  if (leased) {
    // A standby until it holds the lease: every call refused, health NOT_SERVING.
    st.active = false;
    st.gate->active().close(
        "standby: no active routerd seen yet (waiting for the lease); try "
        "another address");
  }
  if (st.redis) {
    const config::RedisSettings& r = *redis_settings;
    st.audit_trail = std::make_unique<redis::RedisAuditTrail>(
        *st.redis->customers, redis::AuditOptions{.key_prefix = r.key_prefix,
                                                  .retention = r.audit_retention,
                                                  .max_entries = r.audit_max_entries,
                                                  .timeout = r.journal_timeout});
  } else {
    st.audit_trail = std::make_unique<ports::MemoryAuditTrail>();
  }
  st.auditor = std::make_unique<grpc::Auditor>(*st.audit_trail);
  State* raw = &st;
  st.services = grpc::make_services(
      *st.host, *st.gate, *st.auditor,
      [raw](std::function<void(absl::StatusOr<host::RoutingHost::ReloadReport>)> done) {
        // Off the gRPC thread: a reload reads a file and waits for the engine thread.
        std::thread([raw, done = std::move(done)]() mutable {
          raw->reload_async(std::move(done));
        }).detach();
      },
      options.config_path);

  st.loop.start();
  st.host->post([&st] {
    st.host->start();
    st.refresh_metrics();
  });
  if (journal != nullptr && !leased) {
    // Recovery before serving: every live interaction back in its queue first.
    auto entries = load_journal(*journal, redis_address, options.redis_wait);
    if (!entries.ok()) {
      st.stop_host();
      return entries.error();
    }
    const ports::SessionJournal sessions = load_sessions(*journal);
    std::promise<void> recovered;
    st.host->post([&] {
      st.host->recover(entries.value(), sessions);
      recovered.set_value();
    });
    recovered.get_future().wait();
  }
  // Listening only now: every recovered interaction is back in its queue first.
  auto listener = grpc::Listener::start(
      st.services,
      grpc::ListenerOptions{
          .address = listen, .max_message_bytes = max_message, .tls = tls, .transport = transport});
  if (!listener.ok()) {
    st.stop_host();
    return engine::Error{listener.error().code,
                         options.config_path + ": daemon.listen: " + listener.error().message};
  }
  {
    std::lock_guard lock(st.mu);
    st.listener = std::move(listener).value();
  }
  st.host_name = listen.substr(0, listen.rfind(':'));
  if (journal != nullptr) {
    // Health follows the journal: NOT_SERVING while submits cannot be made durable.
    journal->on_available([raw](bool up) {
      std::lock_guard lock(raw->mu);
      raw->journal_up = up;
      raw->refresh_serving();
    });
  }
  {
    // Read after the listener is set, never before: a connection made in between would tell
    // no one, and /ready would answer redis_down for as long as the connection lasts (seen in
    // the chaos test: HAProxy never routed to the new active).
    std::lock_guard lock(st.mu);
    st.journal_up = journal == nullptr || journal->available();
    st.refresh_serving();
  }
  spdlog::info("event=started listening on {}:{} tls={} queues={} agents={}", st.host_name,
               st.listener->port(), tls ? (tls->mutual() ? "mutual" : "yes") : "no",
               st.host->model().queues.size(), st.host->model().agents.size());
  if (leased) {
    Daemon* self = daemon.get();
    st.shutdown_now = [self] { self->shutdown(std::chrono::milliseconds(500)); };
    // A write the fence refused: another routerd took the lease.
    journal->on_fenced(
        [raw] { raw->depose("a journal write was fenced: another routerd holds the lease"); });
    spdlog::info(
        "event=standby instance={} lease_ttl_ms={} renew_ms={} action=\"waiting for the lease\"",
        st.instance, lease_settings->ttl.count(), lease_settings->renew.count());
    st.redis->lease->start(st.lease_events());
    // Warm: the journal copied and followed while the active writes (docs/availability.md).
    if (st.redis->follower) st.redis->follower->start();
  }
  return daemon;
}

engine::Result<std::string> Daemon::check(const std::string& config_path) {
  auto model = config::load_routing_config(config_path);
  if (!model.ok()) return model.error();
  const auto& m = model.value();
  if (m.auth.tokens.empty() && !m.auth.dev_no_auth) {
    return engine::invalid_argument(config_path +
                                    ": auth.tokens: routerd needs tokens (or auth.dev_no_auth: "
                                    "true for development)");
  }
  std::string security = "plaintext";
  if (m.daemon.tls) {
    auto material = load_listener_tls(*m.daemon.tls, config_path);
    if (!material.ok()) return material.error();
    security = std::string(material.value().client_ca.empty() ? "TLS" : "mutual TLS") +
               " (certificate " + material.value().subject + ", expires " +
               material.value().not_after + ")";
  } else if (auto plain = check_plaintext(m.daemon, m.daemon.listen, false, config_path);
             !plain.ok()) {
    return plain.error();
  }
  // With Redis, the customers file is not read (and Redis is not contacted by a check).
  auto customers =
      m.redis ? engine::Result<std::unique_ptr<ports::CustomerLookup>>(
                    std::unique_ptr<ports::CustomerLookup>(std::make_unique<NoCustomers>()))
              : open_customers(m.daemon);
  if (!customers.ok()) return customers.error();
  const std::string store =
      m.redis ? "customers " + std::string(m.redis->journal ? "and journal " : "") + "in redis " +
                    m.redis->address() + " db " + std::to_string(m.redis->database) +
                    " (not contacted by --check)"
              : customers.value()->describe();
  const std::string summary =
      std::to_string(m.queues.size()) + " queues, " + std::to_string(m.agents.size()) +
      " agents, " + std::to_string(m.proto.entry_points_size()) + " entry points, " +
      std::to_string(m.auth.tokens.size()) + " tokens; " + store + "; " + security;
  EngineLoop loop;  // not started: building the host only validates
  host::HostPorts ports;
  ports.executor = &loop;
  ports.clock = &loop;
  ports.customers = std::move(customers).value();
  auto host = host::RoutingHost::create(std::move(model).value(), std::move(ports));
  if (!host.ok()) return from_status(host.status(), config_path + ": ");
  return summary;
}

int Daemon::port() const {
  std::lock_guard lock(state_->mu);
  return state_->listener ? state_->listener->port() : 0;
}

int Daemon::ready_port() const { return state_->readiness ? state_->readiness->port() : 0; }
int Daemon::metrics_port() const { return state_->metrics ? state_->metrics->port() : 0; }

std::string Daemon::address() const { return state_->host_name + ":" + std::to_string(port()); }

engine::Result<Daemon::ReloadReport> Daemon::reload() {
  std::promise<absl::StatusOr<host::RoutingHost::ReloadReport>> promise;
  auto future = promise.get_future();
  state_->reload_async([&promise](absl::StatusOr<host::RoutingHost::ReloadReport> r) {
    promise.set_value(std::move(r));
  });
  auto r = future.get();
  grpc::Caller signal;
  signal.name = "SIGHUP";
  state_->auditor->action(signal, "", "reload", state_->options.config_path, {},
                          r.ok() ? grpc::reload_summary(*r) : std::string(), r.status(),
                          r.ok() ? grpc::reload_detail(*r) : std::string());
  if (!r.ok()) return from_status(r.status(), "");
  return ReloadReport{r->changes, r->warnings};
}

std::chrono::milliseconds Daemon::shutdown_deadline() const {
  std::lock_guard lock(state_->mu);
  return state_->shutdown_deadline;
}

void Daemon::shutdown(std::chrono::milliseconds deadline) {
  State& st = *state_;
  {
    std::lock_guard lock(st.mu);
    if (st.shut_down || !st.listener) return;
    st.shut_down = true;
    st.refresh_serving();
  }
  spdlog::info("event=shutdown deadline_ms={}", deadline.count());
  // A takeover in progress gives up (its journal load, on the loop, is answered first).
  st.stopping = true;
  if (st.takeover.joinable()) st.takeover.join();
  // Streams end cleanly first (a deposed one's already ended UNAVAILABLE); then gRPC waits for
  // in-flight calls up to the deadline.
  std::promise<size_t> drained;
  st.host->post([&] {
    if (st.deposed) {
      st.host->drain(absl::UnavailableError("routerd is no longer the active instance"));
    } else {
      st.host->drain();
    }
    drained.set_value(st.host->live_count());
  });
  const size_t live = drained.get_future().get();
  st.listener->shutdown(std::chrono::system_clock::now() + deadline);
  {
    // A reload in progress finishes first (it waits for the engine thread); later ones refuse.
    std::lock_guard reload_lock(st.reload_mu);
    st.host_stopped = true;
  }
  st.stop_host();
  {
    std::lock_guard lock(st.mu);  // the journal's health callback reads it under mu
    st.listener.reset();
  }
  size_t unsynced = 0;
  if (st.redis) {
    if (st.redis->journal) unsynced = st.redis->journal->unsynced();
    if (st.redis->store != nullptr) {
      const redis::CustomerStoreStats c = st.redis->store->stats();
      spdlog::info(
          "event=customer_store_stats lookups={} cache_hits={} redis_hits={} not_found={} "
          "degraded={} write_backs={} write_back_failures={}",
          c.lookups, c.cache_hits, c.redis_hits, c.not_found, c.degraded, c.write_backs,
          c.write_back_failures);
    }
    st.redis->stop();
  }
  // With a journal, the live ones are in Redis for the next start (less any unsynced writes);
  // without one, they exist only in this process.
  spdlog::info("event=stopped live_interactions={} journaled={} unsynced_journal_writes={}", live,
               st.redis && st.redis->journal ? "yes" : "no", unsynced);
  {
    std::lock_guard lock(st.mu);
    st.stopped = true;
    st.cv.notify_all();
  }
}

bool Daemon::active() const {
  std::lock_guard lock(state_->mu);
  return state_->active && !state_->shut_down;
}

bool Daemon::deposed() const { return state_->deposed.load(); }

void Daemon::wait() {
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->stopped; });
}

}  // namespace router::routerd
