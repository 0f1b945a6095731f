// The contact center as the traffic tools (routerdemo, routerload) find it in the routing
// configuration routerd runs: the tokens to call with, the agents to log in with their own tokens,
// and the doors customers come in by (entry-point addresses) per channel. Derived from a validated
// RoutingModel; plain values, shared read-only by any thread.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "router/v1/config.pb.h"

namespace router::center {

// PHONE, EMAIL, WEB_CHAT, WEB_CALLBACK: router.v1.Channel order without UNSPECIFIED, so a
// channel's index is Channel - 1.
inline constexpr size_t kChannels = 4;
size_t channel_index(v1::Channel channel);  // anything but PHONE..WEB_CALLBACK counts as phone
v1::Channel channel_at(size_t index);       // REQUIRES: index < kChannels

struct AgentLogin {
  std::string name;
  std::string team;
  std::string token;  // the agent's own AGENT token; empty with auth.dev_no_auth
};

// An entry-point address customers use: one dialled number, mailbox or web topic, with what the
// rules at that address say about who uses it.
struct Door {
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string address;  // as written in the configuration; empty: the channel has no address
  // The highest priority the address's intent-less rules add: a door with priority > 0 is a
  // private line (the VIP number) that only strategic customers are given.
  int priority = 0;
  // The language its intent-less rules match or set ("zh" for a Mandarin hotline): only callers
  // of that language use it. Empty: anyone.
  std::string language;
  std::vector<std::string> intents;  // intents some rule at this address matches
};

struct Center {
  bool dev_no_auth = false;
  std::string gateway_token;     // the first GATEWAY token; empty when there is none
  std::string supervisor_token;  // the first SUPERVISOR token; empty when there is none
  // The configured agents with an AGENT token (all of them with dev_no_auth), in file order,
  // and the names of the others.
  std::vector<AgentLogin> agents;
  std::vector<std::string> agents_without_token;
  // Per channel, every address some rule names, in file order of first appearance (compared
  // case-insensitively). A channel whose rules name no address but exist gets one Door with an
  // empty address; a channel without rules, none.
  std::array<std::vector<Door>, kChannels> doors;
  // Per channel, the address of each rule that needs no intent and no language, in file order
  // (once per rule): any of them takes any arrival of the channel.
  std::array<std::vector<std::string>, kChannels> open_addresses;
};

Center center_from_config(const adapters::config::RoutingModel& model);

}  // namespace router::center
