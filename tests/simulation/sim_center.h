// The host simulation's center and the small helpers its driver (host_simulation.cc) and its
// invariants (host_invariants.cc) share: agents, queues, the routing configuration with short
// timers, and which of the two gateways submits a client id. Plain values and functions.
#pragma once

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>

#include "adapters/config/routing_config.h"
#include "adapters/host/routing_host.h"
#include "engine/types.h"
#include "router/v1/router.pb.h"

namespace router::sim::simcenter {

namespace v1 = ::router::v1;

inline constexpr std::array<const char*, 4> kAgents = {"ana", "ben", "cara", "dev"};
inline constexpr std::array<const char*, 5> kQueues = {"phone-support", "phone-sales",
                                                       "email-billing", "web-chat", "web-callback"};
inline constexpr size_t kTraceLength = 40;
// A submit's longest honest path: a late lookup, then a journal timeout or a late append.
inline constexpr engine::Duration kAnswerWithin = std::chrono::seconds(10);

// Short timers so a few hundred steps see offer timeouts, wrap-up ends, overflow, max wait and
// the stream grace period; a small max_interactions so RESOURCE_EXHAUSTED happens too.
inline constexpr char kCenter[] = R"(
skills: [support, sales, billing, chat]
queues:
  - {name: phone-support, channels: [PHONE], skills: [{skill: support, min_level: 3}],
     offer_timeout_s: 2, wrap_up_s: 4, max_wait_s: 90}
  - {name: phone-sales, channels: [PHONE], skills: [{skill: sales, min_level: 3}],
     offer_timeout_s: 3, wrap_up_s: 4, overflow_after_s: 45, overflow_queue: phone-support}
  - {name: email-billing, channels: [EMAIL], skills: [{skill: billing, min_level: 4}],
     offer_timeout_s: 5, wrap_up_s: 6}
  - {name: web-chat, channels: [WEB_CHAT], skills: [{skill: chat, min_level: 2}],
     offer_timeout_s: 2, wrap_up_s: 3, max_wait_s: 60}
  - {name: web-callback, channels: [WEB_CALLBACK], skills: [{skill: support, min_level: 2}],
     offer_timeout_s: 4, wrap_up_s: 4}
agents:
  - {name: ana, team: north, languages: [en], skills: [{skill: support, level: 7}, {skill: sales, level: 6}, {skill: chat, level: 5}]}
  - {name: ben, team: north, languages: [en], skills: [{skill: support, level: 5}, {skill: sales, level: 5}, {skill: billing, level: 7}]}
  - {name: cara, team: south, languages: [en], skills: [{skill: billing, level: 8}, {skill: chat, level: 6}]}
  - {name: dev, team: south, languages: [en], skills: [{skill: support, level: 4}, {skill: sales, level: 4}]}
entry_points:
  - {channel: PHONE, address: "+18005550100", intent: sales, queue: phone-sales}
  - {channel: PHONE, address: "+18005550100", queue: phone-support}
  - {channel: PHONE, address: "+18005550199", queue: phone-sales}
  - {channel: PHONE, address: "+18005550100", intent: vip, queue: phone-sales, priority: 50}
  - {channel: EMAIL, address: "billing@example.com", queue: email-billing}
  - {channel: WEB_CHAT, queue: web-chat}
  - {channel: WEB_CALLBACK, queue: web-callback}
limits:
  max_interactions: 40
daemon:
  default_region: US
  agent_grace_s: 3
  heartbeat_s: 5
)";

inline const adapters::config::RoutingModel& center() {
  static const adapters::config::RoutingModel model = [] {
    auto m = adapters::config::parse_routing_config(kCenter, "host-simulation center");
    if (!m.ok()) throw std::runtime_error("simulation center: " + m.error().message);
    return std::move(m).value();
  }();
  return model;
}

inline bool is_final(v1::InteractionState s) {
  return s == v1::COMPLETED || s == v1::ABANDONED || s == v1::EXPIRED;
}

// Each client id is submitted by one of two gateways, always the same one.
inline std::string gateway_of(const std::string& id) {
  return id.back() % 2 == 0 ? "gw-even" : "gw-odd";
}
inline adapters::host::GatewayScope scope(const std::string& gateway) {
  return adapters::host::GatewayScope{gateway, {}, false};
}
inline std::string other_gateway(const std::string& id) {
  return id.back() % 2 == 0 ? "gw-odd" : "gw-even";
}

}  // namespace router::sim::simcenter
