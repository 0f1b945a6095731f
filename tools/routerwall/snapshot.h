// What the wallboard shows at one moment, as the JSON document the page's server-sent events and
// GET /api/snapshot carry (docs/wallboard.md lists its fields): per queue GetQueueStats's figures
// with its service-level history, the agents of ListAgents counted by state and by not-ready
// reason, and whether routerd answered. Numbers are routerd's, unrounded; the page formats them.
// Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "router/v1/router.pb.h"
#include "tools/routerwall/sl_history.h"

namespace router::wall {

// Agents by state (every state named, zeros included: LOGGED_OUT, NOT_READY, READY, RESERVED,
// BUSY, WRAP_UP, the names QueueStats.agents_by_state uses) and NOT_READY agents by reason
// (an empty reason counts as "(none)"; beyond kMaxReasons distinct reasons, the least frequent
// are summed under "(other)").
struct AgentCounts {
  static constexpr size_t kMaxReasons = 16;
  int total = 0;
  std::map<std::string, int> by_state;
  std::map<std::string, int> not_ready_by_reason;
};
AgentCounts count_agents(const v1::ListAgentsResponse& agents);

// The state's name on the board: AGENT_WRAP_UP is "WRAP_UP", as in QueueStats.agents_by_state.
std::string state_name(v1::AgentState state);

// Whether the last attempt to read routerd succeeded; when not, since when it has failed and why
// (the figures are then the last good ones).
struct SourceStatus {
  bool ok = false;
  std::string address;  // the routerd in use
  std::string error;    // "UNAVAILABLE: ..." when not ok
  WallClock::time_point failing_since{};
};

struct SnapshotMeta {
  uint64_t seq = 0;                    // increases by one per snapshot published
  double interval_s = 1;               // how often routerwall reads routerd
  WallClock::time_point sampled_at{};  // when routerwall read these figures
  std::string title;                   // the page's heading (--title)
};

// The JSON document (one line, no newline inside: it is an SSE data field as is). With
// `with_history`, each queue carries its sl_history points; without, only history.version says
// which points are current (the page keeps those it was last sent), which keeps the message sent
// every interval small.
std::string snapshot_json(const SnapshotMeta& meta, const v1::GetQueueStatsResponse& stats,
                          const AgentCounts& agents, const SlHistory& history,
                          const SourceStatus& source, bool with_history = true);

// Milliseconds since the Unix epoch.
int64_t unix_ms(WallClock::time_point t);

}  // namespace router::wall
