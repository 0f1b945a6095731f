// Reads the routing configuration and the customers file into the demo's Scenario.
#include "tools/routerdemo/scenario.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace router::demo {
namespace {

using engine::Result;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Doors per channel from the entry-point rules, in file order of first appearance.
void collect_doors(const v1::RoutingConfig& config, Scenario& s) {
  struct Pending {
    Door door;
    std::set<std::string> languages;  // of its intent-less rules; "" for a rule with none
  };
  std::array<std::vector<Pending>, kChannels> pending;
  std::array<bool, kChannels> has_rule{};
  for (const auto& rule : config.entry_points()) {
    if (rule.channel() < v1::PHONE || rule.channel() > v1::WEB_CALLBACK) continue;
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
      s.doors[c].push_back(std::move(p.door));
    }
    // Only catch-all rules: arrivals without an address still find their queue.
    if (s.doors[c].empty() && has_rule[c]) s.doors[c].push_back(Door{channel_at(c), "", 0, "", {}});
  }
}

Result<std::vector<std::string>> string_list(const nlohmann::json& record, const char* field,
                                             const std::string& where) {
  std::vector<std::string> out;
  if (!record.contains(field) || record[field].is_null()) return out;
  const auto& v = record[field];
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) return engine::invalid_argument(where + field + ": expected a list");
  for (const auto& item : v) {
    if (!item.is_string()) {
      return engine::invalid_argument(where + field + ": expected strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string string_field(const nlohmann::json& record, const char* field) {
  if (!record.contains(field) || !record[field].is_string()) return {};
  return record[field].get<std::string>();
}

Result<std::vector<KnownCustomer>> load_customers(const std::string& path) {
  std::ifstream in(path);
  if (!in) return engine::not_found(path + ": cannot open the customers file");
  std::vector<KnownCustomer> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (line.size() > kMaxCustomerLineBytes) {
      return engine::invalid_argument(where + "line longer than " +
                                      std::to_string(kMaxCustomerLineBytes) + " bytes");
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (out.size() == kMaxCustomers) {
      return engine::invalid_argument(where + "more than " + std::to_string(kMaxCustomers) +
                                      " customers");
    }
    const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) {
      return engine::invalid_argument(where + "not a JSON object");
    }
    KnownCustomer c;
    if (record.contains("id") && record["id"].is_number_integer()) {
      c.id = std::to_string(record["id"].get<int64_t>());
    } else {
      c.id = string_field(record, "id");
    }
    if (c.id.empty()) return engine::invalid_argument(where + "id: required");
    c.name = string_field(record, "name");
    c.language = lower(string_field(record, "language"));
    auto tags = string_list(record, "tags", where);
    if (!tags.ok()) return tags.error();
    const std::string segment = lower(string_field(record, "segment"));
    const double potential =
        record.contains("potential_value") && record["potential_value"].is_number()
            ? record["potential_value"].get<double>()
            : 0.0;
    // routerd's default threshold for a record without a segment (SegmentThresholds).
    c.strategic = segment == "strategic" || (segment.empty() && potential >= 50'000) ||
                  std::count(tags.value().begin(), tags.value().end(), "vip") > 0;
    const std::pair<const char*, std::vector<std::string>*> lists[] = {
        {"phones", &c.phones},
        {"emails", &c.emails},
        {"web_visitors", &c.web_visitors},
        {"web_accounts", &c.web_accounts}};
    for (const auto& [field, target] : lists) {
      auto values = string_list(record, field, where);
      if (!values.ok()) return values.error();
      *target = std::move(values).value();
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

size_t channel_index(v1::Channel channel) {
  if (channel < v1::PHONE || channel > v1::WEB_CALLBACK) return 0;
  return static_cast<size_t>(channel) - 1;
}

v1::Channel channel_at(size_t index) { return static_cast<v1::Channel>(index + 1); }

const char* channel_short_name(v1::Channel channel) {
  switch (channel) {
    case v1::PHONE: return "phone";
    case v1::EMAIL: return "email";
    case v1::WEB_CHAT: return "chat";
    case v1::WEB_CALLBACK: return "callback";
    default: return "?";
  }
}

Result<Scenario> load_scenario(const std::string& config_path) {
  auto model = adapters::config::load_routing_config(config_path);
  if (!model.ok()) return model.error();
  const auto& m = model.value();
  Scenario s;
  s.config_path = config_path;
  s.listen = m.daemon.listen;
  s.dev_no_auth = m.auth.dev_no_auth;
  std::map<std::string, std::string> agent_tokens;
  for (const auto& t : m.auth.tokens) {
    if (t.role == v1::GATEWAY && s.gateway_token.empty()) s.gateway_token = t.token;
    if (t.role == v1::SUPERVISOR && s.supervisor_token.empty()) s.supervisor_token = t.token;
    if (t.role == v1::AGENT) agent_tokens.emplace(t.agent, t.token);
  }
  if (s.gateway_token.empty() && !s.dev_no_auth) {
    return engine::invalid_argument(config_path +
                                    ": auth.tokens: no GATEWAY token (routerdemo submits "
                                    "interactions as a gateway)");
  }
  for (const auto& a : m.agents) {
    auto token = agent_tokens.find(a.name);
    if (token == agent_tokens.end() && !s.dev_no_auth) {
      s.agents_skipped.push_back(a.name);
      continue;
    }
    s.agents.push_back(
        SimulatedAgent{a.name, a.team, token == agent_tokens.end() ? "" : token->second});
  }
  collect_doors(m.proto, s);
  s.customers_path = m.daemon.customers_file;
  if (!s.customers_path.empty()) {
    auto customers = load_customers(s.customers_path);
    if (!customers.ok()) return customers.error();
    s.customers = std::move(customers).value();
  }
  return s;
}

}  // namespace router::demo
