// routerd's Prometheus metrics: prometheus-cpp's registry for what the host measures, a
// collectable of its own for the snapshots. See prometheus_metrics.h and docs/operations.md.
#include "adapters/metrics/prometheus_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace router::adapters::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double seconds(engine::Duration d) { return std::chrono::duration<double>(d).count(); }

// Bucket boundaries, in seconds (Prometheus's unit), for what each histogram measures.
const prometheus::Histogram::BucketBoundaries kWaitBuckets{1,  2,   5,   10,  20,   30,
                                                           60, 120, 300, 600, 1800, 3600};
const prometheus::Histogram::BucketBoundaries kHandleBuckets{10,  30,   60,   120,  300,
                                                             600, 1200, 1800, 3600, 7200};
// An engine command takes microseconds: 1 µs to 10 ms.
const prometheus::Histogram::BucketBoundaries kDecisionBuckets{
    1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2};
const prometheus::Histogram::BucketBoundaries kFirstOfferBuckets{
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};
const prometheus::Histogram::BucketBoundaries kJournalBuckets{
    0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2};

// The snapshots, turned into metric families when scraped.
class Snapshots final : public prometheus::Collectable {
 public:
  void set(const v1::GetQueueStatsResponse& queues) {
    std::lock_guard lock(mu_);
    queues_ = queues;
  }
  void set(const DaemonState& daemon) {
    std::lock_guard lock(mu_);
    daemon_ = daemon;
  }

  std::vector<MetricFamily> Collect() const override {
    v1::GetQueueStatsResponse queues;
    DaemonState d;
    {
      std::lock_guard lock(mu_);
      queues = queues_;
      d = daemon_;
    }
    std::vector<MetricFamily> out;
    auto family = [&](std::string name, std::string help, MetricType type) -> MetricFamily& {
      out.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
      return out.back();
    };
    auto sample = [](MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
      ClientMetric m;
      m.label = std::move(labels);
      if (f.type == MetricType::Counter) {
        m.counter.value = value;
      } else {
        m.gauge.value = value;
      }
      f.metric.push_back(std::move(m));
    };
    // Per queue: one family per figure, one sample per queue.
    struct Figure {
      const char* name;
      const char* help;
      MetricType type;
      double (*value)(const v1::QueueStats&);
    };
    static const Figure kFigures[] = {
        {"router_queue_waiting", "Interactions waiting in the queue (not offered).",
         MetricType::Gauge, [](const v1::QueueStats& q) { return double(q.waiting()); }},
        {"router_queue_offered", "Interactions of the queue offered to an agent now.",
         MetricType::Gauge, [](const v1::QueueStats& q) { return double(q.offered_now()); }},
        {"router_queue_oldest_wait_seconds", "How long the longest-waiting interaction has waited.",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.longest_wait_s(); }},
        {"router_queue_ewt_seconds", "Estimated wait time for a new arrival.", MetricType::Gauge,
         [](const v1::QueueStats& q) { return q.ewt_new_s(); }},
        {"router_queue_open",
         "1 while the queue is open by its opening hours (or has none), else 0.", MetricType::Gauge,
         [](const v1::QueueStats& q) { return q.closed() ? 0.0 : 1.0; }},
        {"router_queue_service_level_ratio",
         "Share answered within the threshold over the statistics window (0..1).",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.service_level(); }},
        {"router_queue_service_level_target_ratio", "The queue's service-level target (0..1).",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.service_level_target(); }},
        {"router_queue_service_level_threshold_seconds",
         "The answer time the service level counts against.", MetricType::Gauge,
         [](const v1::QueueStats& q) { return q.service_level_threshold_s(); }},
        {"router_queue_asa_seconds", "Average speed of answer over the statistics window.",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.asa_s(); }},
        {"router_queue_aht_seconds", "Average handle time over the statistics window.",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.aht_s(); }},
        {"router_queue_abandon_ratio",
         "Share abandoned (short abandons excluded) over the statistics window (0..1).",
         MetricType::Gauge, [](const v1::QueueStats& q) { return q.abandon_rate(); }},
        {"router_queue_arrived_total", "Interactions that entered the queue.", MetricType::Counter,
         [](const v1::QueueStats& q) { return double(q.arrived()); }},
        {"router_queue_answered_total", "Interactions of the queue accepted by an agent.",
         MetricType::Counter, [](const v1::QueueStats& q) { return double(q.answered()); }},
        {"router_queue_abandoned_total", "Interactions cancelled while waiting or offered.",
         MetricType::Counter, [](const v1::QueueStats& q) { return double(q.abandoned()); }},
        {"router_queue_expired_total", "Interactions that waited past the queue's maximum wait.",
         MetricType::Counter, [](const v1::QueueStats& q) { return double(q.expired()); }},
        {"router_queue_completed_total", "Interactions of the queue completed by an agent.",
         MetricType::Counter, [](const v1::QueueStats& q) { return double(q.completed()); }},
    };
    for (const Figure& fig : kFigures) {
      MetricFamily& f = family(fig.name, fig.help, fig.type);
      for (const auto& q : queues.queues()) sample(f, {{"queue", q.queue()}}, fig.value(q));
    }
    MetricFamily& agents = family("router_queue_agents",
                                  "Agents who can serve the queue, by state.", MetricType::Gauge);
    static const char* kStates[] = {"LOGGED_OUT", "NOT_READY", "READY",
                                    "RESERVED",   "BUSY",      "WRAP_UP"};
    for (const auto& q : queues.queues()) {
      for (const char* state : kStates) {
        auto it = q.agents_by_state().find(state);
        sample(agents, {{"queue", q.queue()}, {"state", state}},
               it == q.agents_by_state().end() ? 0.0 : double(it->second));
      }
    }
    // The daemon.
    sample(family("router_serving", "1 while health is SERVING (active, Redis reachable).",
                  MetricType::Gauge),
           {}, d.serving ? 1 : 0);
    sample(family("router_lease_active", "1 while this routerd holds the lease (or has none).",
                  MetricType::Gauge),
           {}, d.active ? 1 : 0);
    sample(family("router_streams_open", "Server and session streams open now.", MetricType::Gauge),
           {}, double(d.streams_open));
    sample(family("router_stream_connections",
                  "Client connections holding at least one open stream.", MetricType::Gauge),
           {}, double(d.stream_connections));
    if (d.redis) {
      MetricFamily& up =
          family("router_redis_up", "1 while the Redis connection is up.", MetricType::Gauge);
      sample(up, {{"connection", "journal"}}, d.journal_up ? 1 : 0);
      sample(up, {{"connection", "customers"}}, d.customers_up ? 1 : 0);
      sample(family("router_customer_lookups_total", "Customer lookups.", MetricType::Counter), {},
             double(d.customer_lookups));
      sample(family("router_customer_lookups_degraded_total",
                    "Lookups answered with the anonymous profile: Redis slow or away.",
                    MetricType::Counter),
             {}, double(d.customer_lookups_degraded));
      sample(family("router_journal_unsynced_writes",
                    "State changes kept in routerd, not yet written to Redis.", MetricType::Gauge),
             {}, double(d.journal_unsynced));
    }
    if (d.follower) {
      sample(family("router_standby_warm",
                    "1 while this standby's copy of the journal is loaded and follows the "
                    "active's change feed; 0 on the active and while the copy loads.",
                    MetricType::Gauge),
             {}, d.standby_warm ? 1 : 0);
      sample(family("router_standby_feed_entries_total",
                    "Change feed entries this standby applied to its copy of the journal.",
                    MetricType::Counter),
             {}, double(d.follower_changes));
      sample(family("router_standby_reloads_total",
                    "Copies of the journal loaded again after the change feed was trimmed past "
                    "what this standby had read.",
                    MetricType::Counter),
             {}, double(d.follower_reloads));
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  v1::GetQueueStatsResponse queues_;  // guarded by mu_
  DaemonState daemon_;                // guarded by mu_
};

}  // namespace

struct PrometheusMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<Snapshots> snapshots = std::make_shared<Snapshots>();
  std::unique_ptr<prometheus::Exposer> exposer;

  prometheus::Family<prometheus::Histogram>& wait =
      prometheus::BuildHistogram()
          .Name("router_wait_seconds")
          .Help("Time from arrival to an agent's acceptance, per queue answered in.")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& handle =
      prometheus::BuildHistogram()
          .Name("router_handle_seconds")
          .Help("Time from an agent's acceptance to the interaction's completion, per queue.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& offers =
      prometheus::BuildCounter()
          .Name("router_offers_total")
          .Help("Offers made to agents, per queue (each re-offer counts).")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& refusals =
      prometheus::BuildCounter()
          .Name("router_submits_refused_total")
          .Help("Submits answered with an error, by gRPC status code.")
          .Register(*registry);
  prometheus::Histogram& decision =
      prometheus::BuildHistogram()
          .Name("router_engine_command_duration_seconds")
          .Help(
              "Time the engine takes per command (submit, agent command, timer), matching "
              "included.")
          .Register(*registry)
          .Add({}, kDecisionBuckets);
  prometheus::Histogram& first_offer =
      prometheus::BuildHistogram()
          .Name("router_submit_to_first_offer_seconds")
          .Help("Time from a submit's arrival at routerd to its first offer to an agent.")
          .Register(*registry)
          .Add({}, kFirstOfferBuckets);
  prometheus::Histogram& journal =
      prometheus::BuildHistogram()
          .Name("router_journal_append_duration_seconds")
          .Help("Round trip of a submit's journal append to Redis (OK or not).")
          .Register(*registry)
          .Add({}, kJournalBuckets);

  Impl(const std::string& version) {
    prometheus::BuildGauge()
        .Name("router_build_info")
        .Help("routerd's version (the value is always 1).")
        .Register(*registry)
        .Add({{"version", version}})
        .Set(1);
  }
};

engine::Result<std::unique_ptr<PrometheusMetrics>> PrometheusMetrics::start(
    const std::string& address, const std::string& version) {
  auto impl = std::make_unique<Impl>(version);
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return engine::invalid_argument("cannot listen on " + address + ": " + e.what());
  }
  impl->exposer->RegisterCollectable(impl->registry);
  impl->exposer->RegisterCollectable(impl->snapshots);
  return std::unique_ptr<PrometheusMetrics>(new PrometheusMetrics(std::move(impl)));
}

PrometheusMetrics::PrometheusMetrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrometheusMetrics::~PrometheusMetrics() = default;

int PrometheusMetrics::port() const {
  const auto ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void PrometheusMetrics::set_queues(const v1::GetQueueStatsResponse& queues) {
  impl_->snapshots->set(queues);
}
void PrometheusMetrics::set_daemon(const DaemonState& daemon) { impl_->snapshots->set(daemon); }

std::string PrometheusMetrics::text() const {
  std::vector<MetricFamily> all = impl_->registry->Collect();
  for (auto& f : impl_->snapshots->Collect()) all.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(all);
}

void PrometheusMetrics::answered(const std::string& queue, engine::Duration wait) {
  impl_->wait.Add({{"queue", queue}}, kWaitBuckets).Observe(seconds(wait));
}
void PrometheusMetrics::handled(const std::string& queue, engine::Duration handle) {
  impl_->handle.Add({{"queue", queue}}, kHandleBuckets).Observe(seconds(handle));
}
void PrometheusMetrics::offered(const std::string& queue) {
  impl_->offers.Add({{"queue", queue}}).Increment();
}
void PrometheusMetrics::first_offer(engine::Duration after) {
  impl_->first_offer.Observe(seconds(after));
}
void PrometheusMetrics::decided(engine::Duration took) { impl_->decision.Observe(seconds(took)); }
void PrometheusMetrics::journaled(engine::Duration took) { impl_->journal.Observe(seconds(took)); }
void PrometheusMetrics::refused(const std::string& code) {
  impl_->refusals.Add({{"code", code}}).Increment();
}

}  // namespace router::adapters::metrics
