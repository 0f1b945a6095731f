// Agents' queue orders and queues' idle-agent thresholds in the configuration file. See
// agent_rules.h.
#include "adapters/config/agent_rules.h"

#include <algorithm>
#include <cmath>
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

// A queue's add_idle_agents_after_s: 0 never, else > 0 seconds. `path` names the queue.
std::optional<engine::Error> idle_agents_after(const std::string& source, const v1::Queue& in,
                                               const std::string& path, engine::QueueConfig& out) {
  const double s = in.add_idle_agents_after_s();
  if (!(s >= 0) || !std::isfinite(s)) {
    return engine::invalid_argument(source + ": " + path +
                                    ".add_idle_agents_after_s: must be >= 0 (0: never)");
  }
  if (s > 0) {
    out.add_idle_agents_after = engine::Duration(static_cast<int64_t>(std::llround(s * 1000.0)));
    if (*out.add_idle_agents_after <= engine::Duration::zero()) {
      return engine::invalid_argument(source + ": " + path +
                                      ".add_idle_agents_after_s: must be at least 0.001");
    }
  }
  return std::nullopt;
}

// A queue's multi-offer: offer_to 0 or 1 one agent, else up to kMaxOfferTo; ring_all every
// eligible agent (then offer_to must be unset). `path` names the queue.
std::optional<engine::Error> multi_offer(const std::string& source, const v1::Queue& in,
                                         const std::string& path, engine::QueueConfig& out) {
  if (in.offer_to() > kMaxOfferTo) {
    return engine::invalid_argument(source + ": " + path + ".offer_to: must be 1.." +
                                    std::to_string(kMaxOfferTo) +
                                    " (0: 1; ring_all: every eligible agent)");
  }
  if (in.ring_all() && in.offer_to() > 1) {
    return engine::invalid_argument(source + ": " + path +
                                    ".ring_all: set either ring_all or offer_to, not both");
  }
  out.offer_to = in.ring_all() ? engine::kOfferToAll : std::max<int>(1, in.offer_to());
  return std::nullopt;
}

}  // namespace

std::optional<engine::Error> resolve_agent_rules(const std::string& source,
                                                 const v1::RoutingConfig& in,
                                                 const std::map<std::string, uint32_t>& queue_ids,
                                                 engine::CenterModel& out) {
  for (int i = 0; i < in.queues_size() && static_cast<size_t>(i) < out.queues.size(); ++i) {
    const std::string path = "queues[" + std::to_string(i) + "]";
    if (auto e =
            idle_agents_after(source, in.queues(i), path, out.queues[static_cast<size_t>(i)])) {
      return e;
    }
    if (auto e = multi_offer(source, in.queues(i), path, out.queues[static_cast<size_t>(i)])) {
      return e;
    }
  }
  for (int i = 0; i < in.agents_size() && static_cast<size_t>(i) < out.agents.size(); ++i) {
    if (auto e = queue_order(source, in.agents(i), "agents[" + std::to_string(i) + "]", queue_ids,
                             out.agents[static_cast<size_t>(i)])) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace router::adapters::config
