// The routing configuration's rules about which agent takes which queue's work beyond skills
// (issue 19, rows 1, 3 and 4): agents' own queue orders, resolved to queue ids, queues'
// add_idle_agents_after_s (the reverse bullseye) and multi-offer (offer_to, ring_all); split from
// routing_config.cc by concern. Errors read "<source>: agents[i].queue_order[j]: <what>",
// "<source>: queues[i].<field>: <what>". Thread-safe: a plain function.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/model.h"
#include "engine/types.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {

// The most agents one interaction may ring at once by Queue.offer_to (ring_all has no limit
// but the agents eligible).
inline constexpr uint32_t kMaxOfferTo = 100;

// Reads these rules of `in` into `out`, whose queues and agents are already resolved from `in`
// in file order; `queue_ids` maps queue names to ids.
std::optional<engine::Error> resolve_agent_rules(const std::string& source,
                                                 const v1::RoutingConfig& in,
                                                 const std::map<std::string, uint32_t>& queue_ids,
                                                 engine::CenterModel& out);

}  // namespace router::adapters::config
