// The routing configuration file: YAML/JSON -> model, with errors that name file and field.
#include "adapters/config/routing_config.h"

#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace router::adapters::config {
namespace {

using Catch::Matchers::Contains;
using engine::SegmentThresholds;

std::string error_of(const std::string& yaml) {
  auto r = parse_routing_config(yaml, "test.yaml");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

const char* kSmall = R"(
skills: [billing, sales]
queues:
  - {name: billing, channels: [PHONE, EMAIL], skills: [{skill: billing, min_level: 5}],
     wrap_up_s: 12.5, overflow_after_s: 60, overflow_queue: sales,
     weights: {wait: 0.5}}
  - {name: sales, channels: [PHONE]}
agents:
  - {name: alice, languages: [en], skills: [{skill: billing, level: 7}], capacity: {email: 2}}
)";

}  // namespace

TEST_CASE("a routing configuration resolves names to the ids a router assigns", "[config]") {
  auto r = parse_routing_config(kSmall, "small.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const RoutingModel& m = r.value();
  REQUIRE(m.skills == std::vector<std::string>{"billing", "sales"});
  REQUIRE(m.queues.size() == 2);
  const engine::QueueConfig& billing = m.queues[0];
  CHECK(billing.required_skills[0].skill == engine::SkillId(0));
  CHECK(billing.required_skills[0].min_level == 5);
  CHECK(billing.channels[static_cast<size_t>(engine::Channel::kEmail)]);
  CHECK(billing.wrap_up == engine::Duration(12500));
  CHECK(billing.overflow_queue == engine::QueueId(1));
  CHECK(billing.weights[engine::Term::kWait] == 0.5);
  CHECK_FALSE(billing.weights[engine::Term::kIdle].has_value());
  CHECK(m.agents[0].capacity.max[static_cast<size_t>(engine::Channel::kEmail)] == 2);
  CHECK(m.agents[0].capacity.max[static_cast<size_t>(engine::Channel::kPhone)] == 1);

  auto router = build_router(m);
  REQUIRE(router.ok());
  CHECK(router.value()->find_queue("sales") == engine::QueueId(1));
  CHECK(router.value()->find_agent("alice") == engine::AgentId(0));
}

TEST_CASE("the urgency weight and points.urgency_cap are read, with errors naming the field",
          "[config]") {
  auto r = parse_routing_config(
      std::string(kSmall) + "default_weights: {urgency: 40, wait: 0}\npoints: {urgency_cap: 2}\n",
      "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r.value().router.default_weights[engine::Term::kUrgency] == 40);
  CHECK(r.value().router.default_weights[engine::Term::kWait] == 0);
  CHECK(r.value().router.rules.urgency_cap == 2);
  auto defaults = parse_routing_config(std::string(kSmall), "t.yaml");
  REQUIRE(defaults.ok());
  CHECK(defaults.value().router.default_weights[engine::Term::kUrgency] == 0);
  CHECK(defaults.value().router.rules.urgency_cap == 3);
  CHECK_THAT(error_of(std::string(kSmall) + "default_weights: {urgency: -1}"),
             Contains("default_weights.urgency: must be ≥ 0"));
  CHECK_THAT(error_of(std::string(kSmall) + "points: {urgency_cap: 0}"),
             Contains("points.urgency_cap: must be 0.1..1000"));
}

TEST_CASE("conditional expansion steps are read, with errors naming the field", "[config]") {
  const std::string yaml = R"(
skills: [billing]
queues:
  - name: billing
    channels: [PHONE]
    skills: [{skill: billing, min_level: 8}]
    expansion:
      - {after_s: 10, lower_levels_by: 3, when_ewt_over_s: 120}
      - {after_s: 30, skills_optional: true, when_sl_under: 0.7, when_ewt_over_s: 300}
      - {after_s: 60, lower_levels_by: 1}
)";
  auto r = parse_routing_config(yaml, "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& steps = r.value().queues.at(0).expansion;
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].when_ewt_over == engine::Duration(std::chrono::seconds(120)));
  CHECK_FALSE(steps[0].when_sl_under);
  CHECK(steps[1].when_sl_under == 0.7);
  CHECK(steps[1].when_ewt_over == engine::Duration(std::chrono::seconds(300)));
  CHECK_FALSE(steps[2].conditional());
  CHECK(build_router(r.value()).ok());
  auto with_step = [&](const std::string& step) {
    return "skills: [b]\nqueues: [{name: q, channels: [PHONE], expansion: [" + step + "]}]";
  };
  CHECK_THAT(error_of(with_step("{after_s: 10, when_sl_under: 1.5}")),
             Contains("queues[0].expansion[0].when_sl_under: must be in (0, 1]"));
  CHECK_THAT(error_of(with_step("{after_s: 10, when_ewt_over_s: -5}")),
             Contains("queues[0].expansion[0].when_ewt_over_s: must be > 0 seconds"));
}

TEST_CASE("arrival rules are read, with errors naming the field", "[config][arrival]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - {name: front, channels: [PHONE], max_waiting: 10, when_full: OVERFLOW, overflow_queue: back,
     when_no_agents: REFUSE}
  - {name: back, channels: [PHONE], when_no_agents: OVERFLOW, overflow_queue: front}
  - {name: plain, channels: [PHONE]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& q = r.value().queues;
  CHECK(q.at(0).max_waiting == 10u);
  CHECK(q.at(0).when_full == engine::ArrivalAction::kOverflow);
  CHECK(q.at(0).when_no_agents == engine::ArrivalAction::kRefuse);
  CHECK(q.at(0).overflow_queue == engine::QueueId(1));
  CHECK_FALSE(q.at(0).overflow_after.has_value());  // an overflow target without a timed one
  CHECK(q.at(1).when_no_agents == engine::ArrivalAction::kOverflow);
  CHECK_FALSE(q.at(2).max_waiting.has_value());
  CHECK(q.at(2).when_full == engine::ArrivalAction::kRefuse);  // defaults
  CHECK(q.at(2).when_no_agents == engine::ArrivalAction::kWait);
  CHECK(build_router(r.value()).ok());
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], when_full: WAIT}]"),
             Contains("queues[0].when_full: must be OVERFLOW or REFUSE"));
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], max_waiting: 0}]"),
             Contains("queues[0].max_waiting: must be 1..1000000 (limits.max_waiting_per_queue)"));
  CHECK_THAT(error_of("skills: [b]\nlimits: {max_waiting_per_queue: 50}\n"
                      "queues: [{name: q, channels: [PHONE], max_waiting: 51}]"),
             Contains("queues[0].max_waiting: must be 1..50"));
  CHECK_THAT(
      error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], when_no_agents: OVERFLOW}]"),
      Contains("queues[0].overflow_queue: required with an OVERFLOW arrival rule"));
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], when_full: OVERFLOW, "
                      "overflow_queue: q}]"),
             Contains("queues[0].overflow_queue: is the queue itself"));
}

TEST_CASE("work item queues, capacity and cost are read, with errors naming the field",
          "[config][work_item]") {
  auto r = parse_routing_config(R"(
skills: [crm]
blending: {cost: {work_item: 40}}
queues:
  - {name: crm, channels: [WORK_ITEM], service_level_threshold_s: 28800}
agents:
  - {name: alice, skills: [{skill: crm, level: 5}], capacity: {work_item: 2}}
  - {name: bob, skills: [{skill: crm, level: 5}]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto item = static_cast<size_t>(engine::Channel::kWorkItem);
  CHECK(r.value().queues.at(0).channels.test(item));
  CHECK(r.value().queues.at(0).channels.count() == 1);
  CHECK(r.value().router.blending.cost[item] == 40);
  CHECK(r.value().agents.at(0).capacity.max[item] == 2);
  CHECK(r.value().agents.at(1).capacity.max[item] == 3);  // default
  CHECK_FALSE(r.value().agents.at(1).capacity.exclusive[item]);
  CHECK(build_router(r.value()).ok());
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE]}]\n"
                      "agents: [{name: a, capacity: {work_item: 1000}}]"),
             Contains("agents[0].capacity.work_item: must be 0.."));
  CHECK_THAT(error_of(std::string(kSmall) + "blending: {cost: {work_item: -1}}"),
             Contains("blending.cost.work_item: must be 0..1000"));
}

TEST_CASE("blending, budgets and headroom are read, with errors naming the field",
          "[config][blending]") {
  const std::string yaml = R"(
skills: [voice]
blending:
  cost: {email: 20, web_chat: 40}
  call_over_other_work: true
queues:
  - name: voice
    channels: [PHONE]
    skills: [{skill: voice, min_level: 3}]
    reserve_agents_when: {sl_under: 0.8, ewt_over_s: 30}
  - {name: mail, channels: [EMAIL]}
agents:
  - {name: alice, skills: [{skill: voice, level: 5}], capacity: {email: 4, budget: 100}}
)";
  auto r = parse_routing_config(yaml, "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& b = r.value().router.blending;
  CHECK(b.cost == std::array<int, engine::kChannelCount>{100, 20, 40, 100, 50});  // unset: default
  CHECK(b.call_over_other_work);
  const auto& reserve = r.value().queues.at(0).reserve_agents_when;
  CHECK(reserve.sl_under == 0.8);
  CHECK(reserve.ewt_over == engine::Duration(std::chrono::seconds(30)));
  CHECK_FALSE(r.value().queues.at(1).reserve_agents_when.set());
  CHECK(r.value().agents.at(0).capacity.budget == 100);
  CHECK(build_router(r.value()).ok());
  // Absent: no budget, no headroom, calls only to agents holding nothing.
  auto plain = parse_routing_config(kSmall, "t.yaml");
  REQUIRE(plain.ok());
  CHECK(plain.value().agents.at(0).capacity.budget == 0);
  CHECK_FALSE(plain.value().router.blending.call_over_other_work);

  CHECK_THAT(error_of(std::string(kSmall) + "blending: {cost: {phone: 5000}}"),
             Contains("test.yaml: blending.cost.phone: must be 0..1000"));
  CHECK_THAT(error_of(std::string(kSmall) + "blending: {costs: {}}"),
             Contains("blending.costs: unknown field"));
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], "
                      "reserve_agents_when: {sl_under: 80}}]"),
             Contains("queues[0].reserve_agents_when.sl_under: must be in (0, 1]"));
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE], "
                      "reserve_agents_when: {ewt_over_s: -1}}]"),
             Contains("queues[0].reserve_agents_when.ewt_over_s: must be > 0 seconds"));
  CHECK_THAT(error_of("skills: [b]\nqueues: [{name: q, channels: [PHONE]}]\n"
                      "agents: [{name: a, capacity: {budget: -3}}]"),
             Contains("agents[0].capacity.budget: must be 0..100000"));
}

TEST_CASE("JSON is read as well as YAML", "[config]") {
  auto r = parse_routing_config(
      R"({"skills": ["a"], "queues": [{"name": "q", "channels": ["EMAIL"],
          "skills": [{"skill": "a", "minLevel": 3}]}]})",
      "c.json");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r.value().queues[0].required_skills[0].min_level == 3);
}

TEST_CASE("configuration errors name the file and the field path", "[config]") {
  CHECK_THAT(error_of("skills: [a]\nqueues: [{name: q, channels: [PHONE], skils: []}]"),
             Contains("test.yaml: queues[0].skils: unknown field"));
  CHECK_THAT(error_of("skills: [a]\nqueues: [{name: q, channels: [PHONE], "
                      "skills: [{skill: a, min_level: 11}]}]"),
             Contains("test.yaml: queues[0].skills[0].min_level: must be 1..10"));
  CHECK_THAT(error_of("skills: [a]\nagents: [{name: x, skills: [{skill: b, level: 3}]}]"),
             Contains("agents[0].skills[0].skill: unknown skill 'b'"));
  CHECK_THAT(error_of("skills: [a]\nqueues: [{name: q, channels: [PHONE], "
                      "overflow_after_s: 5, overflow_queue: nowhere}]"),
             Contains("queues[0].overflow_queue: unknown queue 'nowhere'"));
  CHECK_THAT(error_of("skills: [a]\nqueues: [{name: q}]"),
             Contains("queues[0].channels: must name at least one"));
  CHECK_THAT(error_of("skills: [a, a]"), Contains("skills[1]: 'a' listed twice"));
  CHECK_THAT(error_of("default_weights: {wait: -1}"),
             Contains("default_weights.wait: must be ≥ 0"));
  // The file's own key, not the term's display name ("service_level_pressure").
  CHECK_THAT(error_of("default_weights: {service_level: -1}"),
             Contains("default_weights.service_level: must be ≥ 0"));
  CHECK_THAT(error_of("default_weights: {agent_idle: -1}"),
             Contains("default_weights.agent_idle: must be ≥ 0"));
  CHECK_THAT(error_of("skills: [a\nqueues: ["), Contains("test.yaml: line"));
  CHECK_THAT(error_of("queues: [{name: q, channels: [FAX]}]"), Contains("test.yaml"));
  auto missing = load_routing_config("/nonexistent/routing.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Contains("/nonexistent/routing.yaml"));
}

TEST_CASE("the example center in the repository loads and builds a router", "[config]") {
  auto r =
      load_routing_config(std::string(ROUTER_SOURCE_DIR) + "/tools/routersim/examples/center.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r.value().queues.size() == 5);
  CHECK(r.value().agents.size() == 10);
  auto router = build_router(r.value());
  INFO((router.ok() ? "" : router.error().message));
  REQUIRE(router.ok());
}

TEST_CASE(
    "the Wallace & Whitt examples load: center.yaml on the built-in weights, the earlier-defaults "
    "file with the weights docs/simulation.md's tuner example starts from",
    "[config]") {
  using engine::Term;
  const std::string dir = std::string(ROUTER_SOURCE_DIR) + "/tools/routersim/examples/ww2004/";
  auto current = load_routing_config(dir + "center.yaml");
  auto earlier = load_routing_config(dir + "center-earlier-defaults.yaml");
  INFO((current.ok() ? "" : current.error().message)
       << (earlier.ok() ? "" : earlier.error().message));
  REQUIRE(current.ok());
  REQUIRE(earlier.ok());
  const engine::Weights& built_in = current.value().router.default_weights;
  CHECK(built_in[Term::kSkillFit] == 0.5);
  CHECK(built_in[Term::kPriority] == 30);
  CHECK(built_in[Term::kIdle] == 0.2);
  const engine::Weights& before = earlier.value().router.default_weights;
  CHECK(before[Term::kSkillFit] == 2);
  CHECK(before[Term::kPriority] == 10);
  CHECK(before[Term::kIdle] == 0.05);
  for (int t = 0; t < engine::kTermCount; ++t) {  // nothing else differs
    const auto term = static_cast<Term>(t);
    if (term != Term::kSkillFit && term != Term::kPriority && term != Term::kIdle) {
      CHECK(before[term] == built_in[term]);
    }
  }
  CHECK(earlier.value().agents.size() == current.value().agents.size());
}

TEST_CASE("the blended-center examples load with their budgets and headroom", "[config]") {
  const std::string dir = std::string(ROUTER_SOURCE_DIR) + "/tools/routersim/examples/blended/";
  for (const char* name : {"center-separate.yaml", "center-blended.yaml", "center-headroom.yaml"}) {
    auto r = load_routing_config(dir + name);
    INFO(name << ": " << (r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    CHECK(r.value().queues.size() == 4);
    CHECK(build_router(r.value()).ok());
    const bool blended = std::string(name) != "center-separate.yaml";
    CHECK(r.value().agents.size() == (blended ? 20u : 24u));
    CHECK(r.value().agents.at(0).capacity.budget == (blended ? 100 : 0));
    CHECK(r.value().queues.at(0).reserve_agents_when.set() ==
          (std::string(name) == "center-headroom.yaml"));
  }
}

TEST_CASE("auth tokens and daemon settings are read with their defaults", "[config]") {
  setenv("ROUTER_TEST_GATEWAY_TOKEN", "gateway-secret-from-env-0001", 1);
  auto r = parse_routing_config(std::string(kSmall) + R"(
auth:
  tokens:
    - {token: supervisor-secret-000001, role: SUPERVISOR}
    - {token_env: ROUTER_TEST_GATEWAY_TOKEN, role: GATEWAY, name: ivr-1}
    - {token: alice-secret-0000000001, role: AGENT, agent: alice}
daemon: {listen: "0.0.0.0:6000", agent_grace_s: 2.5}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& m = r.value();
  REQUIRE(m.auth.tokens.size() == 3);
  CHECK(m.auth.tokens[1].token == "gateway-secret-from-env-0001");
  CHECK(m.auth.tokens[1].name == "ivr-1");
  CHECK(m.auth.tokens[2].agent == "alice");
  CHECK(m.auth.tokens[2].name == "agent:alice");
  CHECK_FALSE(m.auth.dev_no_auth);
  CHECK(m.daemon.listen == "0.0.0.0:6000");
  CHECK(m.daemon.agent_grace == engine::Duration(2500));
  CHECK(m.daemon.heartbeat == engine::Duration(5000));  // default
  CHECK(m.daemon.default_region == "US");
}

TEST_CASE("auth and daemon errors name the field", "[config]") {
  const std::string base(kSmall);
  CHECK_THAT(error_of(base + "auth: {tokens: [{token: short, role: GATEWAY}]}"),
             Contains("test.yaml: auth.tokens[0].token: must be 16..256 characters"));
  CHECK_THAT(error_of(base + "auth: {tokens: [{token: agent-token-00000001, role: AGENT}]}"),
             Contains("auth.tokens[0].agent: required"));
  CHECK_THAT(error_of(base + "auth: {tokens: [{token: agent-token-00000001, role: AGENT, "
                             "agent: bob}]}"),
             Contains("auth.tokens[0].agent: unknown agent 'bob'"));
  CHECK_THAT(error_of(base + "auth: {tokens: [{token: gateway-token-000001}]}"),
             Contains("auth.tokens[0].role: required"));
  CHECK_THAT(error_of(base + "auth: {tokens: [{token: same-token-0000000001, role: GATEWAY}, "
                             "{token: same-token-0000000001, role: SUPERVISOR}]}"),
             Contains("auth.tokens[1].token: the same token is listed twice"));
  CHECK_THAT(error_of(base + "auth: {tokens: [{token_env: ROUTER_TEST_UNSET_VARIABLE, "
                             "role: GATEWAY}]}"),
             Contains("auth.tokens[0].token_env: environment variable ROUTER_TEST_UNSET_VARIABLE"));
  CHECK_THAT(error_of(base + "daemon: {listen: nowhere}"), Contains("daemon.listen: must be"));
  CHECK_THAT(error_of(base + "daemon: {default_region: usa}"),
             Contains("daemon.default_region: must be a two-letter"));
  CHECK_THAT(error_of(base + "daemon: {agent_grace_s: -1}"),
             Contains("daemon.agent_grace_s: must be 0..3600"));
}

TEST_CASE("a gateway token's identity defaults to its name and its grants name known gateways",
          "[config][gateway_scope]") {
  auto r = parse_routing_config(std::string(kSmall) + R"(
auth:
  tokens:
    - {token: gateway-a-token-000001, role: GATEWAY, name: ivr-a-2026, gateway: gw-a}
    - {token: gateway-b-token-000001, role: GATEWAY, name: gw-b}
    - {token: frontend-token-0000001, role: GATEWAY, sees_gateways: [gw-a, gw-b, gw-a]}
    - {token: watcher-token-00000001, role: GATEWAY, name: all, sees_gateways: ["*"]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& t = r.value().auth.tokens;
  CHECK(t[0].gateway == "gw-a");
  CHECK(t[1].gateway == "gw-b");
  CHECK(t[2].gateway == "gateway:2");
  CHECK(t[2].sees_gateways == std::vector<std::string>{"gw-a", "gw-b"});
  CHECK_FALSE(t[2].sees_all_gateways);
  CHECK(t[3].sees_all_gateways);
}

TEST_CASE("gateway identity and grant errors name the field", "[config][gateway_scope]") {
  const std::string base = std::string(kSmall) + "auth: {tokens: [";
  CHECK_THAT(error_of(base + "{token: gateway-a-token-000001, role: GATEWAY, gateway: a/b}]}"),
             Contains("auth.tokens[0].gateway: must be printable ASCII without spaces or '/'"));
  CHECK_THAT(error_of(base + "{token: gateway-a-token-000001, role: GATEWAY, name: ivr/1}]}"),
             Contains("auth.tokens[0].name: must be printable ASCII without spaces or '/' (the "
                      "gateway identity when gateway is unset)"));
  CHECK_THAT(error_of(base + "{token: gateway-a-token-000001, role: GATEWAY, gateway: " +
                      std::string(65, 'g') + "}]}"),
             Contains("auth.tokens[0].gateway: must be at most 64 bytes"));
  CHECK_THAT(error_of(base + "{token: supervisor-token-00001, role: SUPERVISOR, gateway: gw}]}"),
             Contains("auth.tokens[0].gateway: only GATEWAY tokens have a gateway identity"));
  CHECK_THAT(error_of(base + "{token: supervisor-token-00001, role: SUPERVISOR, "
                             "sees_gateways: [gw]}]}"),
             Contains("auth.tokens[0].sees_gateways: only GATEWAY tokens"));
  CHECK_THAT(
      error_of(base + "{token: gateway-a-token-000001, role: GATEWAY, gateway: gw-a}, "
                      "{token: frontend-token-0000001, role: GATEWAY, "
                      "sees_gateways: [gw-a, gw-c]}]}"),
      Contains("auth.tokens[1].sees_gateways[1]: unknown gateway 'gw-c' (gateways: gateway:1, "
               "gw-a; or \"*\")"));
}

TEST_CASE("an agent link token lists the agents it acts for and its errors name the field",
          "[config][agent_link]") {
  auto r = parse_routing_config(std::string(kSmall) + R"(
auth:
  tokens:
    - {token: link-token-00000000001, role: AGENT_LINK, agents: [alice, alice]}
    - {token: link-token-00000000002, role: AGENT_LINK, name: cti, agents: ["*"]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& t = r.value().auth.tokens;
  CHECK(t[0].role == v1::AGENT_LINK);
  CHECK(t[0].name == "agent_link:0");
  CHECK(t[0].agents == std::vector<std::string>{"alice"});
  CHECK_FALSE(t[0].all_agents);
  CHECK(t[1].all_agents);
  const std::string base = std::string(kSmall) + "auth: {tokens: [";
  CHECK_THAT(error_of(base + "{token: link-token-00000000001, role: AGENT_LINK}]}"),
             Contains("auth.tokens[0].agents: required for an AGENT_LINK token"));
  CHECK_THAT(error_of(base + "{token: link-token-00000000001, role: AGENT_LINK, "
                             "agents: [alice, zed]}]}"),
             Contains("auth.tokens[0].agents[1]: unknown agent 'zed'"));
  CHECK_THAT(error_of(base + "{token: agent-token-0000000001, role: AGENT, agent: alice, "
                             "agents: [alice]}]}"),
             Contains("auth.tokens[0].agents: only AGENT_LINK tokens list agents"));
  CHECK_THAT(error_of(base + "{token: link-token-00000000001, role: AGENT_LINK, agent: alice, "
                             "agents: [alice]}]}"),
             Contains("auth.tokens[0].agent: only AGENT tokens name an agent"));
}

TEST_CASE("the redis section and segment thresholds are read with their defaults", "[config]") {
  auto none = parse_routing_config(std::string(kSmall), "t.yaml");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().redis.has_value());

  setenv("ROUTER_TEST_REDIS_PASSWORD", "s3cret", 1);
  auto r = parse_routing_config(std::string(kSmall) + R"(
redis:
  address: "10.0.0.5:6380"
  database: 2
  password_env: ROUTER_TEST_REDIS_PASSWORD
  lookup_timeout_ms: 20
  cache_entries: 0
daemon: {segments: {strategic_potential_min: 1000, risk_current_below: -5}}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r.value().redis.has_value());
  const RedisSettings& redis = *r.value().redis;
  CHECK(redis.host == "10.0.0.5");
  CHECK(redis.port == 6380);
  CHECK(redis.database == 2);
  CHECK(redis.password == "s3cret");
  CHECK(redis.key_prefix == "router:");
  CHECK(redis.lookup_timeout == engine::Duration(20));
  CHECK(redis.journal_timeout == engine::Duration(1000));       // default
  CHECK(redis.cache_entries == 0);                              // set: no cache
  CHECK(redis.history_max == 100'000);                          // default
  CHECK(redis.audit_retention == std::chrono::hours(24 * 90));  // default
  CHECK(redis.audit_max_entries == 1'000'000);                  // default
  CHECK(redis.journal);
  const SegmentThresholds& seg = r.value().daemon.segments;
  CHECK(seg.strategic_potential_min == 1000);
  CHECK(seg.profitable_current_min == 10'000);  // default
  CHECK(seg.risk_current_below == -5);
}

TEST_CASE("redis errors name the field", "[config]") {
  const std::string base(kSmall);
  CHECK_THAT(error_of(base + "redis: {database: 1}"), Contains("redis.address: required"));
  CHECK_THAT(error_of(base + "redis: {address: localhost}"),
             Contains("redis.address: must be host:port"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:99999\"}"),
             Contains("redis.address: port must be 1..65535"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", database: 16}"),
             Contains("redis.database: must be 0..15"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", audit_retention_days: 0.5}"),
             Contains("redis.audit_retention_days: must be 1..3650 (days)"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", audit_max_entries: 10}"),
             Contains("redis.audit_max_entries: must be 1000..100000000"));
  auto audit =
      parse_routing_config(base +
                               "redis: {address: \"127.0.0.1:6379\", audit_retention_days: 7, "
                               "audit_max_entries: 5000}",
                           "t.yaml");
  REQUIRE(audit.ok());
  CHECK(audit.value().redis->audit_retention == std::chrono::hours(24 * 7));
  CHECK(audit.value().redis->audit_max_entries == 5000);
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", password: a, "
                             "password_env: B}"),
             Contains("redis.password: set password or password_env, not both"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", "
                             "password_env: ROUTER_TEST_UNSET_VARIABLE}"),
             Contains("redis.password_env: environment variable ROUTER_TEST_UNSET_VARIABLE"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", lookup_timeout_ms: -1}"),
             Contains("redis.lookup_timeout_ms: must be 0..60000"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", reconnect_min_ms: 500, "
                             "reconnect_max_ms: 100}"),
             Contains("redis.reconnect_max_ms: must be ≥ reconnect_min_ms"));
  CHECK_THAT(error_of(base + "redis: {address: \"127.0.0.1:6379\", key_prefix: \"a b\"}"),
             Contains("redis.key_prefix: must be at most 64 characters without spaces"));
  CHECK_THAT(error_of(base + "redis: {adress: \"127.0.0.1:6379\"}"), Contains("adress"));
}

TEST_CASE(
    "the redis liveness probe is read with defaults that bound health to 2 s, and its "
    "errors name the field",
    "[config]") {
  const std::string base = std::string(kSmall) + "redis: {address: \"127.0.0.1:6379\"";
  auto defaults = parse_routing_config(base + "}\n", "t.yaml");
  REQUIRE(defaults.ok());
  const RedisSettings& d = *defaults.value().redis;
  CHECK(d.probe_failures * d.probe_interval + d.probe_timeout < std::chrono::seconds(2));
  auto set = parse_routing_config(
      base + ", probe_interval_ms: 250, probe_timeout_ms: 100, probe_failures: 4}\n", "t.yaml");
  INFO((set.ok() ? "" : set.error().message));
  REQUIRE(set.ok());
  CHECK(set.value().redis->probe_interval == engine::Duration(250));
  CHECK(set.value().redis->probe_timeout == engine::Duration(100));
  CHECK(set.value().redis->probe_failures == 4);
  CHECK_THAT(error_of(base + ", probe_interval_ms: 5}"),
             Contains("redis.probe_interval_ms: must be 10..10000"));
  CHECK_THAT(error_of(base + ", probe_timeout_ms: -1}"),
             Contains("redis.probe_timeout_ms: must be 10..10000"));
  CHECK_THAT(error_of(base + ", probe_failures: 0}"),
             Contains("redis.probe_failures: must be 1..10"));
  CHECK_THAT(error_of(base + ", probe_failures: 11}"),
             Contains("redis.probe_failures: must be 1..10"));
}

TEST_CASE("redis under Sentinel is read with the WAIT defaults and its errors name the field",
          "[config][sentinel]") {
  const std::string base = std::string(kSmall) + "redis: {";
  const std::string sentinels =
      "sentinels: [\"127.0.0.1:26379\", \"10.0.0.2:26380\"], sentinel_master: mymaster";
  auto read = parse_routing_config(base + sentinels + "}\n", "t.yaml");
  INFO((read.ok() ? "" : read.error().message));
  REQUIRE(read.ok());
  const RedisSettings& d = *read.value().redis;
  CHECK(d.sentinels == std::vector<std::string>{"127.0.0.1:26379", "10.0.0.2:26380"});
  CHECK(d.sentinel_master == "mymaster");
  CHECK(d.sentinel_password.empty());
  CHECK(d.wait_replicas == 0);
  CHECK(d.wait_timeout == engine::Duration(500));
  CHECK(d.address() == "sentinel mymaster via 127.0.0.1:26379,10.0.0.2:26380");
  auto set = parse_routing_config(base + sentinels +
                                      ", sentinel_password: pw, wait_replicas: 1, "
                                      "wait_timeout_ms: 250}\n",
                                  "t.yaml");
  REQUIRE(set.ok());
  CHECK(set.value().redis->sentinel_password == "pw");
  CHECK(set.value().redis->wait_replicas == 1);
  CHECK(set.value().redis->wait_timeout == engine::Duration(250));
  auto plain =
      parse_routing_config(base + "address: \"127.0.0.1:6379\", wait_replicas: 2}\n", "t.yaml");
  REQUIRE(plain.ok());  // WAIT needs no Sentinel
  CHECK(plain.value().redis->wait_replicas == 2);

  CHECK_THAT(error_of(base + "sentinels: [\"127.0.0.1:26379\"]}"),
             Contains("redis.sentinel_master: required with redis.sentinels"));
  CHECK_THAT(error_of(base + "sentinels: [\"127.0.0.1:26379\", nowhere], sentinel_master: m}"),
             Contains("redis.sentinels[1]: must be host:port"));
  CHECK_THAT(error_of(base + "address: \"127.0.0.1:6379\", " + sentinels + "}"),
             Contains("redis.address: set address or sentinels, not both"));
  CHECK_THAT(error_of(base + "address: \"127.0.0.1:6379\", sentinel_master: m}"),
             Contains("redis.sentinel_master: only with redis.sentinels"));
  CHECK_THAT(error_of(base + sentinels + ", sentinel_password: a, sentinel_password_env: B}"),
             Contains("redis.sentinel_password: set sentinel_password or sentinel_password_env"));
  CHECK_THAT(error_of(base + sentinels + ", sentinel_password_env: ROUTER_TEST_UNSET_VARIABLE}"),
             Contains("redis.sentinel_password_env: environment variable"));
  CHECK_THAT(error_of(base + sentinels + ", wait_replicas: 11}"),
             Contains("redis.wait_replicas: must be 0..10"));
  CHECK_THAT(error_of(base + sentinels + ", wait_timeout_ms: 10001}"),
             Contains("redis.wait_timeout_ms: must be 1..10000"));
  CHECK_THAT(error_of(base + sentinels + ", wait_timeout_ms: 0.5}"),
             Contains("redis.wait_timeout_ms: must be 1..10000"));
  CHECK_THAT(error_of(base + sentinels + ", wait_replicas: 1, wait_timeout_ms: 1000}"),
             Contains("redis.wait_timeout_ms: must be less than journal_timeout_ms (1000)"));
  CHECK_THAT(error_of(base + sentinels + ", wait_replicas: 1, no_journal: true}"),
             Contains("redis.wait_replicas: has nothing to wait for"));
}

}  // namespace router::adapters::config

// ---------------------------------------------------------------------------------------------
// Parse limits (docs/security.md, "Configuration limits").

namespace router::adapters::config {
namespace {

// "Billion laughs": each level names the previous one ten times; fully expanded, 10^9 skills.
std::string billion_laughs() {
  std::string y = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    y += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) y += (j ? ", " : "") + prev;
    y += "]\n";
  }
  return y + "skills: *l9\n";
}

}  // namespace

TEST_CASE("a configuration with YAML anchors or aliases is refused before anything expands",
          "[config][limits]") {
  const auto start = std::chrono::steady_clock::now();
  CHECK_THAT(error_of(billion_laughs()),
             Contains("test.yaml: line 1: l0: YAML anchors are not allowed"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK_THAT(error_of("skills: [a]\nqueues:\n  - {name: q, channels: &c [PHONE]}\n"),
             Contains("test.yaml: line 3: queues[0].channels: YAML anchors are not allowed (&c)"));
  // An alias without an anchor is yaml-cpp's own error; it expands nothing either.
  CHECK_THAT(error_of("skills: [a]\nqueues:\n  - {name: q, channels: *x}\n"),
             Contains("test.yaml: line 3:"));
}

TEST_CASE("a configuration over the node, depth or size limit is refused naming the limit",
          "[config][limits]") {
  SECTION("nodes") {
    std::string y = "skills: [";
    for (size_t i = 0; i < kMaxConfigNodes; ++i) y += "1,";
    y += "1]\n";
    REQUIRE(y.size() <= kMaxConfigBytes);
    CHECK_THAT(error_of(y), Contains("test.yaml: line 1: more than " +
                                     std::to_string(kMaxConfigNodes) + " YAML nodes (the limit"));
  }
  SECTION("depth") {
    std::string y = "skills: " + std::string(kMaxConfigDepth + 10, '[') +
                    std::string(kMaxConfigDepth + 10, ']') + "\n";
    CHECK_THAT(error_of(y), Contains("nested deeper than " + std::to_string(kMaxConfigDepth)));
  }
  SECTION("size") {
    std::string y = "skills: [a]\n# " + std::string(kMaxConfigBytes, 'x') + "\n";
    CHECK_THAT(error_of(y), Contains("test.yaml: larger than " + std::to_string(kMaxConfigBytes) +
                                     " bytes (the limit"));
  }
}

TEST_CASE("a configuration file over the size limit is refused before it is read",
          "[config][limits]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("routing_config_test_big_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "skills: [a]\n";
    // Past the limit by 1 MB: a sparse file, so the test writes almost nothing.
    out.seekp(static_cast<std::streamoff>(kMaxConfigBytes + 1'000'000));
    out << "\n";
  }
  auto r = load_routing_config(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Contains(path.string() + ": larger than " +
                                         std::to_string(kMaxConfigBytes) + " bytes (the limit"));
}

TEST_CASE("a scalar where the schema has a list is an error naming the field", "[config][limits]") {
  CHECK_THAT(error_of("skills: [a]\nqueues:\n  - {name: q, channels: PHONE}\n"),
             Contains("test.yaml: queues[0].channels: expected a list"));
  CHECK_THAT(error_of("skills: a\n"), Contains("test.yaml: skills: expected a list"));
  CHECK_THAT(error_of("skills: [a]\nqueues:\n  - {name: [q], channels: [PHONE]}\n"),
             Contains("test.yaml: queues[0].name: expected a single value, got a list"));
}

TEST_CASE("a key given twice in one mapping is an error naming the field, at any level",
          "[config][limits]") {
  CHECK_THAT(error_of("skills: [a]\nqueues: []\nskills: [b]\n"),
             Contains("test.yaml: line 3: skills: key repeated"));
  CHECK_THAT(error_of("skills: [a]\nqueues:\n  - {name: q, channels: [PHONE], name: r}\n"),
             Contains("test.yaml: line 3: queues[0].name: key repeated"));
  CHECK_THAT(error_of(R"({"skills": ["a"], "daemon": {"listen": "a:1", "listen": "b:2"}})"),
             Contains("test.yaml: line 1: daemon.listen: key repeated"));
  // The same key in different mappings is fine.
  auto r = parse_routing_config(kSmall, "small.yaml");
  CHECK(r.ok());
}

}  // namespace router::adapters::config

namespace router::adapters::config {
namespace {

TEST_CASE("daemon.tls and daemon.allow_insecure are read, with errors naming the field",
          "[config][tls]") {
  auto none = parse_routing_config(std::string(kSmall), "t.yaml");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().daemon.tls.has_value());
  CHECK_FALSE(none.value().daemon.allow_insecure);

  auto r = parse_routing_config(std::string(kSmall) + R"(
daemon:
  allow_insecure: true
  tls: {cert_file: server.crt, key_file: /etc/routerd/server.key, client_ca_file: ca.crt}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r.value().daemon.tls.has_value());
  CHECK(r.value().daemon.tls->cert_file == "server.crt");
  CHECK(r.value().daemon.tls->key_file == "/etc/routerd/server.key");
  CHECK(r.value().daemon.tls->client_ca_file == "ca.crt");
  CHECK(r.value().daemon.allow_insecure);

  const std::string base(kSmall);
  CHECK_THAT(error_of(base + "daemon: {tls: {key_file: k.pem}}"),
             Contains("test.yaml: daemon.tls.cert_file: required"));
  CHECK_THAT(error_of(base + "daemon: {tls: {cert_file: c.pem}}"),
             Contains("test.yaml: daemon.tls.key_file: required"));
  CHECK_THAT(error_of(base + "daemon: {tls: {cert_file: c.pem, key_file: k.pem, ca: x}}"),
             Contains("daemon.tls.ca"));
}

TEST_CASE("daemon.ready_listen and daemon.domain are read with errors naming the field",
          "[config][availability]") {
  auto none = parse_routing_config(std::string(kSmall), "t.yaml");
  REQUIRE(none.ok());
  CHECK(none.value().daemon.ready_listen.empty());
  CHECK(none.value().daemon.domain.empty());

  auto r = parse_routing_config(
      std::string(kSmall) + "daemon: {ready_listen: \"0.0.0.0:8061\", domain: east-1}\n", "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r.value().daemon.ready_listen == "0.0.0.0:8061");
  CHECK(r.value().daemon.domain == "east-1");

  const std::string base(kSmall);
  CHECK_THAT(error_of(base + "daemon: {ready_listen: nowhere}"),
             Contains("test.yaml: daemon.ready_listen: must be host:port"));
  CHECK_THAT(error_of(base + "daemon: {ready_listen: \"127.0.0.1:99999\"}"),
             Contains("daemon.ready_listen: must be host:port"));
  CHECK_THAT(error_of(base + "daemon: {domain: \"east west\"}"),
             Contains("test.yaml: daemon.domain: may hold letters"));
  CHECK_THAT(error_of(base + "daemon: {domain: " + std::string(65, 'a') + "}"),
             Contains("daemon.domain: must be at most 64"));
}

TEST_CASE("daemon.tls's paths are relative to the configuration file's folder", "[config][tls]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("routing-config-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "center.yaml").string();
  std::ofstream(path) << kSmall
                      << "daemon: {tls: {cert_file: pki/server.crt, key_file: /abs/server.key, "
                         "client_ca_file: ca.crt}}\n";
  auto r = load_routing_config(path);
  std::filesystem::remove_all(dir);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r.value().daemon.tls.has_value());
  CHECK(r.value().daemon.tls->cert_file == (dir / "pki/server.crt").string());
  CHECK(r.value().daemon.tls->key_file == "/abs/server.key");
  CHECK(r.value().daemon.tls->client_ca_file == (dir / "ca.crt").string());
}

}  // namespace
}  // namespace router::adapters::config

namespace router::adapters::config {

TEST_CASE("daemon.server_limits are read with their defaults and errors name the field",
          "[config]") {
  const std::string base(kSmall);
  auto defaults = parse_routing_config(base, "t.yaml");
  REQUIRE(defaults.ok());
  const ServerLimitSettings& d = defaults.value().daemon.server_limits;
  CHECK(d.max_connections == 256);
  CHECK(d.max_concurrent_streams == 200);
  CHECK(d.max_streams_per_connection == 100);
  CHECK(d.max_streams_per_token == 1024);
  CHECK(d.max_streams_total == 4096);
  CHECK(d.outbox_max_bytes == 1 << 20);
  CHECK(d.outbox_budget_bytes == 64 << 20);
  CHECK(d.slow_reader_cut == std::chrono::seconds(10));
  CHECK(d.grpc_memory_bytes == 128 << 20);
  CHECK(d.gateway_max_in_flight == 1024);

  auto set = parse_routing_config(base + R"(
daemon:
  server_limits: {max_connections: 20, max_streams_per_token: 7, slow_reader_cut_s: 2.5,
                  outbox_budget_bytes: 8388608, gateway_max_in_flight: 4}
)",
                                  "t.yaml");
  INFO((set.ok() ? "" : set.error().message));
  REQUIRE(set.ok());
  const ServerLimitSettings& s = set.value().daemon.server_limits;
  CHECK(s.max_connections == 20);
  CHECK(s.max_streams_per_token == 7);
  CHECK(s.slow_reader_cut == engine::Duration(2500));
  CHECK(s.outbox_budget_bytes == 8 << 20);
  CHECK(s.max_streams_total == 4096);  // default
  CHECK(s.gateway_max_in_flight == 4);

  CHECK_THAT(error_of(base + "daemon: {server_limits: {slow_reader_cut_s: 0.5}}"),
             Contains("test.yaml: daemon.server_limits.slow_reader_cut_s: must be 1..3600"));
  CHECK_THAT(error_of(base + "daemon: {server_limits: {max_streams_per_connection: 300}}"),
             Contains("daemon.server_limits.max_concurrent_streams: must exceed "
                      "max_streams_per_connection (300)"));
  CHECK_THAT(error_of(base + "daemon: {server_limits: {outbox_budget_bytes: 5000}}"),
             Contains("daemon.server_limits.outbox_budget_bytes: must be ≥ outbox_max_bytes"));
  CHECK_THAT(error_of(base + "daemon: {server_limits: {outbox_max_bytes: 100}}"),
             Contains("daemon.server_limits.outbox_max_bytes: must be ≥ 4096"));
  CHECK_THAT(error_of(base + "daemon: {server_limits: {max_connections: 100001}}"),
             Contains("daemon.server_limits.max_connections: must be ≤ 100000"));
  CHECK_THAT(error_of(base + "daemon: {server_limits: {gateway_max_in_flight: 65537}}"),
             Contains("daemon.server_limits.gateway_max_in_flight: must be 1..65536, got 65537"));
}

}  // namespace router::adapters::config
