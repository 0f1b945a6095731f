// The board's periodic read of routerd; see sampler.h.
#include "tools/routerwall/sampler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace router::wall {

namespace {
std::chrono::seconds history_step(std::chrono::milliseconds interval) {
  const auto interval_s = std::chrono::ceil<std::chrono::seconds>(interval);
  return std::max(Sampler::kHistoryStep, interval_s);
}
}  // namespace

Sampler::Sampler(RouterdLink& link, std::string token, std::chrono::milliseconds interval,
                 Feed& feed, std::string title)
    : link_(link),
      token_(std::move(token)),
      interval_(interval),
      title_(std::move(title)),
      feed_(feed),
      history_(history_step(interval), std::max(kHistorySpan, history_step(interval))) {
  source_.address = link_.address();
}

Sampler::~Sampler() { stop(); }

grpc::Status Sampler::sample() {
  v1::GetQueueStatsResponse stats;
  v1::ListAgentsResponse agents;
  grpc::Status status = link_.queue_stats(token_, &stats);
  if (status.ok()) status = link_.list_agents(token_, &agents);
  const WallClock::time_point now = WallClock::now();
  if (status.ok()) {
    if (!source_.ok && !first_) {
      spdlog::info("event=routerd_back address={} after_s={:.1f}", link_.address(),
                   std::chrono::duration<double>(now - source_.failing_since).count());
    }
    last_stats_ = std::move(stats);
    last_agents_ = count_agents(agents);
    for (const auto& q : last_stats_.queues()) {
      if (!history_.record(q.queue(), now, q.service_level()) && !history_full_logged_) {
        spdlog::warn(
            "event=history_full queues={} queue={} detail=\"no sparkline for queues "
            "beyond this many\"",
            SlHistory::kMaxQueues, q.queue());
        history_full_logged_ = true;
      }
    }
    source_ = SourceStatus{true, link_.address(), "", {}};
  } else {
    if (source_.ok || first_) {
      source_.failing_since = now;
      spdlog::warn("event=routerd_unreachable address={} error=\"{}\"", link_.address(),
                   describe(status));
    }
    source_.ok = false;
    source_.address = link_.address();
    source_.error = describe(status);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE && link_.several()) {
      // The next SERVING routerd of the list, if any (a standby that took over). Said once per
      // switch; the addresses passed over every interval of an outage only at debug level.
      const std::string before = link_.address();
      for (const auto& skipped : link_.move_on()) {
        spdlog::debug("event=routerd_passed_over detail=\"{}\"", skipped);
      }
      if (link_.address() != before) {
        spdlog::info("event=routerd_switched from={} to={}", before, link_.address());
      }
    }
  }
  first_ = false;
  history_.prune(now);
  SnapshotMeta meta;
  meta.seq = ++seq_;
  meta.interval_s = std::chrono::duration<double>(interval_).count();
  meta.sampled_at = now;
  meta.title = title_;
  Published published;
  published.seq = seq_;
  published.json = std::make_shared<const std::string>(
      snapshot_json(meta, last_stats_, last_agents_, history_, source_, true));
  published.light = std::make_shared<const std::string>(
      snapshot_json(meta, last_stats_, last_agents_, history_, source_, false));
  published.history_version = history_.version();
  feed_.publish(std::move(published));
  return status;
}

void Sampler::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void Sampler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sampler::run() {
  auto next = std::chrono::steady_clock::now() + interval_;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    sample();
    // A read slower than the interval delays the next one instead of piling them up.
    next = std::max(next + interval_, std::chrono::steady_clock::now());
  }
}

}  // namespace router::wall
