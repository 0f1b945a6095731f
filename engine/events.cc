// One-line descriptions of events, for logs, test failure messages and the randomized test's
// comparison of the indexed and naive routers.
#include "engine/events.h"

#include <string>
#include <type_traits>

namespace router::engine {
namespace {

std::string id(InteractionId i) { return std::to_string(i.value()); }
// Appending (rather than "a" + to_string) sidesteps GCC 12's false -Wrestrict (PR 105329).
std::string prefixed(char prefix, uint64_t value) {
  std::string s(1, prefix);
  s += std::to_string(value);
  return s;
}
std::string id(AgentId a) { return a.valid() ? prefixed('a', a.value()) : "-"; }
std::string id(QueueId q) { return prefixed('q', q.value()); }
std::string ms(Duration d) { return std::to_string(d.count()) + "ms"; }

std::string points(const Breakdown& b) {
  std::string s = "{";
  for (int t = 0; t < kTermCount; ++t) {
    if (b.term[static_cast<size_t>(t)] == 0) continue;
    if (s.size() > 1) s += ",";
    s += std::string(to_string(static_cast<Term>(t))) + "=" +
         std::to_string(b.term[static_cast<size_t>(t)]);
  }
  return s + "}";
}

}  // namespace

std::string describe(const Event& e) {
  std::string at = prefixed('@', static_cast<uint64_t>(e.at.time_since_epoch().count()));
  at += ' ';
  return at + std::visit(
                  [](const auto& v) -> std::string {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, QueuedEvent>) {
                      return "queued " + id(v.interaction) + " " + id(v.queue) + " pos " +
                             std::to_string(v.position);
                    } else if constexpr (std::is_same_v<T, OfferedEvent>) {
                      return "offered " + id(v.interaction) + " to " + id(v.agent) + " " +
                             points(v.points);
                    } else if constexpr (std::is_same_v<T, AssignedEvent>) {
                      return "assigned " + id(v.interaction) + " to " + id(v.agent);
                    } else if constexpr (std::is_same_v<T, RequeuedEvent>) {
                      return "requeued " + id(v.interaction) + " from " + id(v.agent) + " (" +
                             std::string(to_string(v.reason)) + ")";
                    } else if constexpr (std::is_same_v<T, OfferEndedEvent>) {
                      return "offer of " + id(v.interaction) + " to " + id(v.agent) + " ended (" +
                             std::string(to_string(v.reason)) + ")";
                    } else if constexpr (std::is_same_v<T, AbandonedEvent>) {
                      return "abandoned " + id(v.interaction) + " after " + ms(v.waited);
                    } else if constexpr (std::is_same_v<T, ExpiredEvent>) {
                      return "expired " + id(v.interaction) + " after " + ms(v.waited);
                    } else if constexpr (std::is_same_v<T, OverflowedEvent>) {
                      return "overflowed " + id(v.interaction) + " " + id(v.from) + "->" + id(v.to);
                    } else if constexpr (std::is_same_v<T, ExpandedEvent>) {
                      return "expanded " + id(v.interaction) + " stage " + std::to_string(v.stage);
                    } else if constexpr (std::is_same_v<T, MovedEvent>) {
                      return "moved " + id(v.interaction) + " " + id(v.from) + "->" + id(v.to);
                    } else if constexpr (std::is_same_v<T, TransferredToAgentEvent>) {
                      return "transferred " + id(v.interaction) + " " + id(v.from) + "->" +
                             id(v.to);
                    } else if constexpr (std::is_same_v<T, PriorityChangedEvent>) {
                      return "priority " + id(v.interaction) + " " + std::to_string(v.priority);
                    } else if constexpr (std::is_same_v<T, WrapUpStartedEvent>) {
                      return "wrap-up " + id(v.interaction) + " by " + id(v.agent);
                    } else if constexpr (std::is_same_v<T, CompletedEvent>) {
                      return "completed " + id(v.interaction) + " by " + id(v.agent);
                    } else if constexpr (std::is_same_v<T, ScheduledEvent>) {
                      return "scheduled " + id(v.interaction) + " " + id(v.queue) + " at " +
                             std::to_string(v.at.time_since_epoch().count());
                    } else if constexpr (std::is_same_v<T, HeadroomChangedEvent>) {
                      return "headroom " + id(v.queue) + (v.at_risk ? " at risk" : " clear");
                    } else {
                      static_assert(std::is_same_v<T, AgentStateChangedEvent>);
                      return "agent " + id(v.agent) + " " + std::string(to_string(v.from)) + "->" +
                             std::string(to_string(v.to)) +
                             (v.reason.empty() ? "" : " (" + v.reason + ")");
                    }
                  },
                  e.body);
}

}  // namespace router::engine
