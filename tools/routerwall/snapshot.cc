// The wallboard's JSON document; see snapshot.h.
#include "tools/routerwall/snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace router::wall {

namespace {

constexpr const char* kStates[] = {"LOGGED_OUT", "NOT_READY", "READY",
                                   "RESERVED",   "BUSY",      "WRAP_UP"};

int64_t timestamp_ms(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

}  // namespace

int64_t unix_ms(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string state_name(v1::AgentState state) {
  switch (state) {
    case v1::LOGGED_OUT: return "LOGGED_OUT";
    case v1::NOT_READY: return "NOT_READY";
    case v1::READY: return "READY";
    case v1::RESERVED: return "RESERVED";
    case v1::BUSY: return "BUSY";
    case v1::AGENT_WRAP_UP: return "WRAP_UP";
    default: return "UNKNOWN";
  }
}

AgentCounts count_agents(const v1::ListAgentsResponse& agents) {
  AgentCounts counts;
  for (const char* state : kStates) counts.by_state[state] = 0;
  std::map<std::string, int> reasons;
  for (const auto& agent : agents.agents()) {
    ++counts.total;
    ++counts.by_state[state_name(agent.state())];
    if (agent.state() == v1::NOT_READY)
      ++reasons[agent.reason().empty() ? "(none)" : agent.reason()];
  }
  if (reasons.size() <= AgentCounts::kMaxReasons) {
    counts.not_ready_by_reason = std::move(reasons);
    return counts;
  }
  // The most frequent first (ties by name), the rest summed.
  std::vector<std::pair<std::string, int>> sorted(reasons.begin(), reasons.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < AgentCounts::kMaxReasons) {
      counts.not_ready_by_reason[sorted[i].first] = sorted[i].second;
    } else {
      counts.not_ready_by_reason["(other)"] += sorted[i].second;
    }
  }
  return counts;
}

std::string snapshot_json(const SnapshotMeta& meta, const v1::GetQueueStatsResponse& stats,
                          const AgentCounts& agents, const SlHistory& history,
                          const SourceStatus& source, bool with_history) {
  using nlohmann::json;
  json doc;
  doc["seq"] = meta.seq;
  doc["title"] = meta.title;
  doc["interval_s"] = meta.interval_s;
  doc["sampled_at_ms"] = unix_ms(meta.sampled_at);
  doc["at_ms"] = stats.has_at() ? timestamp_ms(stats.at()) : int64_t{0};
  doc["routerd"] = {{"ok", source.ok},
                    {"address", source.address},
                    {"error", source.error},
                    {"failing_since_ms", source.ok ? int64_t{0} : unix_ms(source.failing_since)}};
  doc["history"] = {{"step_s", history.step().count()},
                    {"span_s", history.span().count()},
                    {"version", history.version()}};
  json queues = json::array();
  for (const auto& q : stats.queues()) {
    json agents_by_state = json::object();
    for (const char* state : kStates) {
      const auto it = q.agents_by_state().find(state);
      agents_by_state[state] = it == q.agents_by_state().end() ? 0 : it->second;
    }
    json row = {
        {"queue", q.queue()},
        {"waiting", q.waiting()},
        {"offered_now", q.offered_now()},
        {"longest_wait_s", q.longest_wait_s()},
        {"ewt_s", q.ewt_new_s()},
        {"service_level", q.service_level()},
        {"service_level_target", q.service_level_target()},
        {"service_level_threshold_s", q.service_level_threshold_s()},
        {"below_target", q.service_level() < q.service_level_target()},
        {"asa_s", q.asa_s()},
        {"aht_s", q.aht_s()},
        {"abandon_rate", q.abandon_rate()},
        {"arrived", q.arrived()},
        {"answered", q.answered()},
        {"abandoned", q.abandoned()},
        {"agents_by_state", std::move(agents_by_state)},
        {"closed", q.closed()},
        {"next_open", q.next_open()},
    };
    if (with_history) {
      json points = json::array();
      for (const SlPoint& p : history.points(q.queue())) {
        points.push_back(json::array({unix_ms(p.at), p.service_level}));
      }
      row["sl_history"] = std::move(points);
    }
    queues.push_back(std::move(row));
  }
  doc["queues"] = std::move(queues);
  doc["agents"] = {{"total", agents.total},
                   {"by_state", agents.by_state},
                   {"not_ready_by_reason", agents.not_ready_by_reason}};
  // Invalid UTF-8 from a configuration (queue names) or an agent (reasons) is replaced, not
  // thrown on.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace router::wall
