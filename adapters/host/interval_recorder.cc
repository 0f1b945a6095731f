#include "adapters/host/interval_recorder.h"

#include <algorithm>
#include <utility>

namespace router::adapters::host {

IntervalRecorder::IntervalRecorder(int64_t length_ms, size_t max_pending)
    : length_(length_ms), max_pending_(std::max<size_t>(max_pending, 2)) {}

int64_t IntervalRecorder::interval_of(int64_t at_ms) const {
  const int64_t r = at_ms % length_;
  return at_ms - (r < 0 ? r + length_ : r);
}

void IntervalRecorder::count(int64_t at_ms, char scope, std::string_view metric,
                             std::string_view name, int64_t n) {
  if (n == 0) return;
  pending_[interval_of(at_ms)][ports::interval_field(scope, metric, name)] += n;
  bound();
}

void IntervalRecorder::agent_state(int64_t at_ms, const std::string& agent, std::string state,
                                   std::string reason) {
  auto it = agents_.find(agent);
  if (it != agents_.end()) {
    add_time(agent, it->second, at_ms);
    if (state.empty()) {
      agents_.erase(it);
      return;
    }
    it->second = AgentTime{std::move(state), std::move(reason), std::max(at_ms, it->second.since)};
    return;
  }
  if (!state.empty()) agents_.emplace(agent, AgentTime{std::move(state), std::move(reason), at_ms});
}

void IntervalRecorder::add_time(const std::string& agent, const AgentTime& t, int64_t to_ms) {
  for (int64_t from = t.since; from < to_ms;) {
    const int64_t start = interval_of(from);
    const int64_t until = std::min(to_ms, start + length_);
    auto& fields = pending_[start];
    fields[ports::interval_field('a', t.state + "_ms", agent)] += until - from;
    if (t.state == "not_ready") {
      fields[ports::interval_field('a', "not_ready_ms=" + (t.reason.empty() ? "-" : t.reason),
                                   agent)] += until - from;
    }
    from = until;
  }
  bound();
}

std::vector<ports::IntervalCounters> IntervalRecorder::take(int64_t now_ms) {
  for (auto& [agent, t] : agents_) {
    if (now_ms <= t.since) continue;
    add_time(agent, t, now_ms);
    t.since = now_ms;
  }
  std::vector<ports::IntervalCounters> out;
  out.reserve(pending_.size());
  for (auto& [start, fields] : pending_) {
    if (fields.empty()) continue;
    out.push_back(ports::IntervalCounters{start, length_, std::move(fields)});
  }
  pending_.clear();
  return out;
}

void IntervalRecorder::give_back(std::vector<ports::IntervalCounters> deltas) {
  for (auto& d : deltas) {
    auto& fields = pending_[d.start_ms];
    for (const auto& [field, n] : d.fields) fields[field] += n;
  }
  bound();
}

void IntervalRecorder::bound() {
  while (pending_.size() > max_pending_) {
    pending_.erase(pending_.begin());
    ++dropped_;
  }
}

}  // namespace router::adapters::host
