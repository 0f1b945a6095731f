// The synthetic center: make_center builds the RoutingConfig from a seed with a splitmix64 stream
// (no std:: distributions, whose output differs between standard libraries); center_text writes
// it through protobuf's JSON printer, one list item per line.
#include "tools/routerload/center.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace router::load {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi]; the modulo bias is below 1e-17 for these small ranges.
  int between(int lo, int hi) {
    return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool percent(int p) { return next() % 100 < static_cast<uint64_t>(p); }

 private:
  uint64_t state_;
};

constexpr v1::Channel kChannels[] = {v1::PHONE, v1::EMAIL, v1::WEB_CHAT, v1::WEB_CALLBACK};
constexpr uint64_t kFirstDoorNumber = 18'005'550'100;  // +1 800 555 0100, toll-free, US
constexpr int kMaxExtraSkills = 2;
constexpr double kServiceLevelThresholdS = 20;
constexpr double kServiceLevelTarget = 0.8;

std::string numbered(const char* prefix, size_t number, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, width, number);
  return buf;
}

[[noreturn]] void bad_spec(const std::string& field, const std::string& what) {
  throw std::invalid_argument("CenterSpec." + field + ": " + what);
}

bool is_host_port(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return false;
  const std::string port = s.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

void check(const CenterSpec& spec) {
  const auto range = [](const char* field, uint64_t value, uint64_t lo, uint64_t hi) {
    if (value < lo || value > hi) {
      bad_spec(field, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                          std::to_string(value));
    }
  };
  range("agents", spec.agents, 1, kMaxCenterAgents);
  range("queues", spec.queues, 1, kMaxCenterQueues);
  range("skills", spec.skills, 1, kMaxCenterSkills);
  range("links", spec.links, 0, kMaxCenterLinks);
  if (!spec.agent_tokens && spec.links == 0) {
    bad_spec("agent_tokens", "false needs links (the agents would have no token at all)");
  }
  range("max_interactions", spec.max_interactions, 1, UINT64_MAX);
  range("max_waiting_per_queue", spec.max_waiting_per_queue, 1, UINT64_MAX);
  range("stream_buffer", spec.stream_buffer, 1, 1'000'000);
  // Written so that NaN fails too.
  if (!(spec.offer_timeout_s > 0 && spec.offer_timeout_s <= 3600)) {
    bad_spec("offer_timeout_s", "must be > 0 and ≤ 3600 seconds");
  }
  if (!(spec.wrap_up_s >= 0 && spec.wrap_up_s <= 3600)) {
    bad_spec("wrap_up_s", "must be 0..3600 seconds");
  }
  if (!is_host_port(spec.listen)) {
    bad_spec("listen", "must be host:port, got '" + spec.listen + "'");
  }
  if (!spec.redis.empty() && !is_host_port(spec.redis)) {
    bad_spec("redis", "must be host:port or empty, got '" + spec.redis + "'");
  }
}

v1::Queue make_queue(const CenterSpec& spec, size_t index, SplitMix64& rng) {
  v1::Queue q;
  q.set_name(queue_name(index));
  for (v1::Channel ch : kChannels) q.add_channels(ch);
  // Only skills some agent has as its main skill (see make_center's contract).
  const size_t served = std::min(spec.skills, spec.agents);
  v1::SkillRequirement* need = q.add_skills();
  need->set_skill(skill_name(index % served));
  need->set_min_level(rng.between(1, 5));
  q.set_service_level_threshold_s(kServiceLevelThresholdS);
  q.set_service_level_target(kServiceLevelTarget);
  q.set_offer_timeout_s(spec.offer_timeout_s);
  q.set_wrap_up_s(spec.wrap_up_s);
  return q;
}

v1::Agent make_agent(const CenterSpec& spec, size_t index, SplitMix64& rng) {
  v1::Agent a;
  a.set_name(agent_name(index));
  const size_t main_skill = index % spec.skills;
  a.set_team("team-" + skill_name(main_skill));
  v1::SkillLevel* main = a.add_skills();
  main->set_skill(skill_name(main_skill));
  main->set_level(rng.between(5, 10));
  const int extras =
      std::min<int>(rng.between(0, kMaxExtraSkills), static_cast<int>(spec.skills) - 1);
  for (int e = 0; e < extras; ++e) {
    // Any skill but the main one; a repeat is dropped, so an agent has 0..2 extra skills.
    const std::string skill =
        skill_name((main_skill + 1 + rng.next() % (spec.skills - 1)) % spec.skills);
    const int level = rng.between(1, 10);
    const bool listed = std::any_of(a.skills().begin(), a.skills().end(),
                                    [&](const v1::SkillLevel& s) { return s.skill() == skill; });
    if (listed) continue;
    v1::SkillLevel* extra = a.add_skills();
    extra->set_skill(skill);
    extra->set_level(level);
  }
  a.add_languages("en");
  if (rng.percent(15)) a.add_languages("es");
  if (rng.percent(5)) a.add_languages("zh");
  v1::ChannelCapacity* cap = a.mutable_capacity();
  cap->set_phone(1);
  cap->set_email(1);
  cap->set_web_chat(1);
  cap->set_web_callback(1);
  return a;
}

// Top-level entries whose value is a list of objects are written one object per line; objects
// holding such lists (auth) are opened as blocks; everything else is one JSON line.
bool is_object_list(const nlohmann::ordered_json& v) {
  return v.is_array() && !v.empty() && v.front().is_object();
}

void write_entry(std::string& out, const std::string& key, const nlohmann::ordered_json& value,
                 int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (is_object_list(value)) {
    out += pad + key + ":\n";
    for (const auto& item : value) out += pad + "  - " + item.dump() + "\n";
    return;
  }
  if (value.is_object() &&
      std::any_of(value.begin(), value.end(), [](const auto& v) { return is_object_list(v); })) {
    out += pad + key + ":\n";
    for (const auto& [k, v] : value.items()) write_entry(out, k, v, indent + 2);
    return;
  }
  out += pad + key + ": " + value.dump() + "\n";
}

}  // namespace

std::string agent_name(size_t index) { return numbered("ag", index + 1, 5); }
std::string queue_name(size_t index) { return numbered("q", index + 1, 4); }
std::string skill_name(size_t index) { return numbered("sk", index + 1, 3); }

std::string door_address(v1::Channel channel, size_t index) {
  if (index >= kMaxCenterQueues) {
    throw std::invalid_argument("door_address: queue index " + std::to_string(index) + " ≥ " +
                                std::to_string(kMaxCenterQueues));
  }
  switch (channel) {
    case v1::PHONE: return "+" + std::to_string(kFirstDoorNumber + index);
    case v1::EMAIL: return queue_name(index) + "@load.example.com";
    case v1::WEB_CHAT:
    case v1::WEB_CALLBACK: return queue_name(index);
    default: throw std::invalid_argument("door_address: channel must be one of the four");
  }
}

std::string agent_token(const std::string& agent) {
  if (agent.empty() || agent.size() > 200 ||
      std::any_of(agent.begin(), agent.end(), [](char c) { return c <= ' ' || c > '~'; })) {
    throw std::invalid_argument("agent_token: the agent name must be 1..200 printable characters");
  }
  return "routerload-agent-" + agent + "-token";
}

std::string link_token(size_t k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "routerload-agent-link-token-%04zu", k + 1);
  return buf;
}

v1::RoutingConfig make_center(const CenterSpec& spec) {
  check(spec);
  SplitMix64 rng(spec.seed);
  v1::RoutingConfig c;
  for (size_t s = 0; s < spec.skills; ++s) c.add_skills(skill_name(s));

  c.mutable_queues()->Reserve(static_cast<int>(spec.queues));
  c.mutable_entry_points()->Reserve(static_cast<int>(spec.queues * std::size(kChannels)));
  for (size_t q = 0; q < spec.queues; ++q) {
    *c.add_queues() = make_queue(spec, q, rng);
    for (v1::Channel ch : kChannels) {
      v1::EntryPoint* door = c.add_entry_points();
      door->set_channel(ch);
      door->set_address(door_address(ch, q));
      door->set_queue(queue_name(q));
    }
  }

  c.mutable_agents()->Reserve(static_cast<int>(spec.agents));
  v1::Auth* auth = c.mutable_auth();
  auth->mutable_tokens()->Reserve(static_cast<int>(spec.agents + 2));
  v1::Token* gateway = auth->add_tokens();
  gateway->set_token(kGatewayToken);
  gateway->set_role(v1::GATEWAY);
  gateway->set_name("routerload-gateway");
  v1::Token* supervisor = auth->add_tokens();
  supervisor->set_token(kSupervisorToken);
  supervisor->set_role(v1::SUPERVISOR);
  supervisor->set_name("routerload-supervisor");
  for (size_t i = 0; i < spec.agents; ++i) {
    *c.add_agents() = make_agent(spec, i, rng);
    if (!spec.agent_tokens) continue;
    v1::Token* t = auth->add_tokens();
    t->set_token(agent_token(agent_name(i)));
    t->set_role(v1::AGENT);
    t->set_agent(agent_name(i));
  }

  std::vector<v1::Token*> links;
  for (size_t k = 0; k < spec.links; ++k) {
    v1::Token* t = auth->add_tokens();
    t->set_token(link_token(k));
    t->set_role(v1::AGENT_LINK);
    t->set_name("routerload-link-" + std::to_string(k + 1));
    links.push_back(t);
  }
  for (size_t i = 0; i < spec.agents && !links.empty(); ++i) {
    links[i % links.size()]->add_agents(agent_name(i));
  }

  v1::Limits* limits = c.mutable_limits();
  limits->set_max_interactions(spec.max_interactions);
  limits->set_max_waiting_per_queue(spec.max_waiting_per_queue);

  v1::Daemon* daemon = c.mutable_daemon();
  daemon->set_listen(spec.listen);
  daemon->set_default_region("US");
  daemon->set_customers_file(spec.customers_file);
  daemon->set_stream_buffer(spec.stream_buffer);

  if (!spec.redis.empty()) c.mutable_redis()->set_address(spec.redis);  // journal on by default
  return c;
}

std::string center_text(const v1::RoutingConfig& config) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(config, &json, options);
  if (!status.ok()) {
    throw std::invalid_argument("center_text: " + std::string(status.message()));
  }
  const auto root = nlohmann::ordered_json::parse(json);

  std::string out;
  out.reserve(json.size() + json.size() / 8 + 512);
  out +=
      "# A routerd center written by `routerload center`: " + std::to_string(config.agents_size()) +
      " agents, " + std::to_string(config.queues_size()) + " queues, " +
      std::to_string(config.skills_size()) + " skills, " +
      std::to_string(config.entry_points_size()) + " entry points.\n";
  out += "# Schema: proto/router/v1/config.proto. Its tokens are PUBLIC (derived from names):\n";
  out += "# run routerd with this file on loopback only.\n";
  for (const auto& [key, value] : root.items()) write_entry(out, key, value, 0);
  return out;
}

}  // namespace router::load
