// Agents' queue orders in the configuration file. See agent_rules.h.
#include "adapters/config/agent_rules.h"

#include <set>

namespace router::adapters::config {
namespace {

// One agent's queue_order: each name a known queue, listed once. `path` names the agent.
std::optional<engine::Error> queue_order(const std::string& source, const v1::Agent& in,
                                         const std::string& path,
                                         const std::map<std::string, uint32_t>& queue_ids,
                                         engine::AgentProfile& out) {
  std::set<std::string> seen;
  for (int i = 0; i < in.queue_order_size(); ++i) {
    const std::string& name = in.queue_order(i);
    const std::string field = path + ".queue_order[" + std::to_string(i) + "]";
    auto id = queue_ids.find(name);
    if (id == queue_ids.end()) {
      return engine::invalid_argument(source + ": " + field + ": unknown queue '" + name + "'");
    }
    if (!seen.insert(name).second) {
      return engine::invalid_argument(source + ": " + field + ": '" + name + "' listed twice");
    }
    out.queue_order.push_back(engine::QueueId(id->second));
  }
  return std::nullopt;
}

}  // namespace

std::optional<engine::Error> resolve_agent_rules(const std::string& source,
                                                 const v1::RoutingConfig& in,
                                                 const std::map<std::string, uint32_t>& queue_ids,
                                                 engine::CenterModel& out) {
  for (int i = 0; i < in.agents_size() && static_cast<size_t>(i) < out.agents.size(); ++i) {
    if (auto e = queue_order(source, in.agents(i), "agents[" + std::to_string(i) + "]", queue_ids,
                             out.agents[static_cast<size_t>(i)])) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace router::adapters::config
