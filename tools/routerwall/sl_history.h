// The service level of each queue over the last hour, for the wallboard's sparklines: one point
// per step (30 s by default, so 120 points an hour), each the service level routerd reported at
// that moment. Bounded: at most `span / step` points per queue and kMaxQueues queues; points
// older than the span and queues unseen for a span are dropped. A gap (routerd unreachable,
// routerwall restarted) stays a gap: nothing is interpolated. Kept in memory only.
// Not thread-safe: owned by the Sampler and used from its thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace router::wall {

using WallClock = std::chrono::system_clock;

struct SlPoint {
  WallClock::time_point at;
  double service_level = 1.0;  // 0..1, as GetQueueStats gave it
};

class SlHistory {
 public:
  // Queues beyond this many get no history (the board still shows their figures).
  static constexpr size_t kMaxQueues = 512;

  // REQUIRES: step > 0, span >= step.
  SlHistory(std::chrono::seconds step, std::chrono::seconds span);

  // Records `service_level` of `queue` at `at` when the queue's last point is at least a step
  // older (or it has none); drops points older than the span. False when the queue is new and
  // kMaxQueues queues are already tracked.
  bool record(const std::string& queue, WallClock::time_point at, double service_level);

  // Drops every point older than `now - span`, and the queues left without points.
  void prune(WallClock::time_point now);

  // The queue's points, oldest first (empty for an unknown queue).
  std::vector<SlPoint> points(const std::string& queue) const;

  std::chrono::seconds step() const { return step_; }
  std::chrono::seconds span() const { return span_; }
  size_t max_points() const { return max_points_; }
  size_t queues() const { return by_queue_.size(); }
  // Changes whenever a point is added or dropped: a viewer that has this version's points need
  // not be sent them again.
  uint64_t version() const { return version_; }

 private:
  std::chrono::seconds step_;
  std::chrono::seconds span_;
  size_t max_points_;
  std::map<std::string, std::deque<SlPoint>> by_queue_;
  uint64_t version_ = 0;
};

}  // namespace router::wall
