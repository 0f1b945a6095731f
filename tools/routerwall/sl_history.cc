// The per-queue service-level ring; see sl_history.h.
#include "tools/routerwall/sl_history.h"

#include <stdexcept>

namespace router::wall {

SlHistory::SlHistory(std::chrono::seconds step, std::chrono::seconds span)
    : step_(step), span_(span) {
  if (step.count() <= 0 || span < step) {
    throw std::invalid_argument("SlHistory: step must be > 0 and span >= step");
  }
  max_points_ = static_cast<size_t>(span / step);
}

bool SlHistory::record(const std::string& queue, WallClock::time_point at, double service_level) {
  auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) {
    if (by_queue_.size() >= kMaxQueues) return false;
    it = by_queue_.emplace(queue, std::deque<SlPoint>{}).first;
  }
  auto& points = it->second;
  if (!points.empty() && at - points.back().at < step_) return true;
  points.push_back({at, service_level});
  while (points.size() > max_points_ || (points.size() > 1 && at - points.front().at > span_)) {
    points.pop_front();
  }
  ++version_;
  return true;
}

void SlHistory::prune(WallClock::time_point now) {
  for (auto it = by_queue_.begin(); it != by_queue_.end();) {
    auto& points = it->second;
    while (!points.empty() && now - points.front().at > span_) {
      points.pop_front();
      ++version_;
    }
    it = points.empty() ? by_queue_.erase(it) : std::next(it);
  }
}

std::vector<SlPoint> SlHistory::points(const std::string& queue) const {
  const auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace router::wall
