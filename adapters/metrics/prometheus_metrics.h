// routerd's Prometheus metrics (docs/operations.md, "Metrics"): an HTTP listener of its own
// (daemon.metrics_listen, GET /metrics, prometheus-cpp's exposer on CivetWeb threads) serving
//  - what the host measures as it works (the HostMetrics port: wait, handle time, offers,
//    engine command durations, submit to first offer, journal appends, refused submits), kept in
//    prometheus-cpp's counters and histograms;
//  - the queues' statistics and the daemon's state as of the latest snapshot (set_queues,
//    set_daemon: routerd refreshes them every second on its engine loop), turned into gauges and
//    counters when scraped.
// Labels are bounded: queue names come from the configuration, states and codes from fixed enums.
// Threading: the HostMetrics calls come from the host's executor; set_queues and set_daemon from
// any thread; scrapes run on the exposer's threads. All are safe together.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/ports/host_metrics.h"
#include "engine/types.h"
#include "router/v1/router.pb.h"

namespace router::adapters::metrics {

// The daemon's state as the snapshot sees it.
struct DaemonState {
  bool serving = false;       // health SERVING (the active, Redis reachable)
  bool active = true;         // holds the lease (always true without one)
  bool redis = false;         // a redis section is configured (the two below mean something)
  bool journal_up = false;    // the journal's connection is up
  bool customers_up = false;  // the customer store's connection is up
  uint64_t customer_lookups = 0;
  uint64_t customer_lookups_degraded = 0;  // answered anonymous: Redis slow or away
  uint64_t journal_unsynced = 0;           // state changes kept, not yet in Redis
  int64_t streams_open = 0;                // server and session streams open now
  int64_t stream_connections = 0;          // client connections holding at least one stream
  bool follower = false;      // a warm standby's journal follower exists (lease, not cold)
  bool standby_warm = false;  // its copy is loaded and following
  uint64_t follower_changes = 0;
  uint64_t follower_reloads = 0;
};

class PrometheusMetrics final : public ports::HostMetrics {
 public:
  // Listens on `address` (host:port; port 0: the kernel picks, see port()). `version` labels
  // router_build_info. Error (INVALID_ARGUMENT): the address cannot be bound.
  static engine::Result<std::unique_ptr<PrometheusMetrics>> start(const std::string& address,
                                                                  const std::string& version);
  ~PrometheusMetrics() override;  // stops listening
  PrometheusMetrics(const PrometheusMetrics&) = delete;
  PrometheusMetrics& operator=(const PrometheusMetrics&) = delete;

  int port() const;

  // The latest snapshots (any thread).
  void set_queues(const v1::GetQueueStatsResponse& queues);
  void set_daemon(const DaemonState& daemon);

  // The exposition as a scrape sees it now (the Prometheus text format).
  std::string text() const;

  // ports::HostMetrics
  void answered(const std::string& queue, engine::Duration wait) override;
  void handled(const std::string& queue, engine::Duration handle) override;
  void offered(const std::string& queue) override;
  void first_offer(engine::Duration after) override;
  void decided(engine::Duration took) override;
  void journaled(engine::Duration took) override;
  void refused(const std::string& code) override;

 private:
  struct Impl;
  explicit PrometheusMetrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace router::adapters::metrics
