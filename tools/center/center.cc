// center_from_config: tokens, agents and doors read off a RoutingModel.
#include "tools/center/center.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace router::center {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool known_channel(v1::Channel channel) {
  return channel >= v1::PHONE && channel <= v1::WEB_CALLBACK;
}

// Doors per channel from the entry-point rules, in file order of first appearance.
void collect_doors(const v1::RoutingConfig& config, Center& center) {
  struct Pending {
    Door door;
    std::set<std::string> languages;  // of its intent-less rules; "" for a rule with none
  };
  std::array<std::vector<Pending>, kChannels> pending;
  std::array<bool, kChannels> has_rule{};
  for (const auto& rule : config.entry_points()) {
    if (!known_channel(rule.channel())) continue;
    const size_t c = channel_index(rule.channel());
    has_rule[c] = true;
    if (rule.address().empty()) continue;
    auto& doors = pending[c];
    auto it = std::find_if(doors.begin(), doors.end(), [&](const Pending& p) {
      return lower(p.door.address) == lower(rule.address());
    });
    if (it == doors.end()) {
      doors.push_back(Pending{Door{rule.channel(), rule.address(), 0, "", {}}, {}});
      it = doors.end() - 1;
    }
    if (!rule.intent().empty()) {
      it->door.intents.push_back(rule.intent());
      continue;
    }
    it->door.priority = std::max(it->door.priority, rule.priority());
    it->languages.insert(!rule.language().empty() ? lower(rule.language())
                                                  : lower(rule.set_language()));
  }
  for (size_t c = 0; c < kChannels; ++c) {
    for (auto& p : pending[c]) {
      if (p.languages.size() == 1) p.door.language = *p.languages.begin();
      center.doors[c].push_back(std::move(p.door));
    }
    // Only catch-all rules: arrivals without an address still find their queue.
    if (center.doors[c].empty() && has_rule[c]) {
      center.doors[c].push_back(Door{channel_at(c), "", 0, "", {}});
    }
  }
}

}  // namespace

size_t channel_index(v1::Channel channel) {
  if (!known_channel(channel)) return 0;
  return static_cast<size_t>(channel) - 1;
}

v1::Channel channel_at(size_t index) { return static_cast<v1::Channel>(index + 1); }

Center center_from_config(const adapters::config::RoutingModel& model) {
  Center center;
  center.dev_no_auth = model.auth.dev_no_auth;
  std::map<std::string, std::string> agent_tokens;
  for (const auto& t : model.auth.tokens) {
    if (t.role == v1::GATEWAY && center.gateway_token.empty()) center.gateway_token = t.token;
    if (t.role == v1::SUPERVISOR && center.supervisor_token.empty()) {
      center.supervisor_token = t.token;
    }
    if (t.role == v1::AGENT) agent_tokens.emplace(t.agent, t.token);
  }
  for (const auto& a : model.agents) {
    auto token = agent_tokens.find(a.name);
    if (token == agent_tokens.end() && !center.dev_no_auth) {
      center.agents_without_token.push_back(a.name);
      continue;
    }
    center.agents.push_back(
        AgentLogin{a.name, a.team, token == agent_tokens.end() ? "" : token->second});
  }
  collect_doors(model.proto, center);
  for (const auto& rule : model.proto.entry_points()) {
    if (!known_channel(rule.channel()) || !rule.intent().empty() || !rule.language().empty() ||
        rule.address().empty()) {
      continue;
    }
    center.open_addresses[channel_index(rule.channel())].push_back(rule.address());
  }
  return center;
}

}  // namespace router::center
