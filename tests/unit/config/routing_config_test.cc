// The routing configuration file: YAML/JSON -> model, with errors that name file and field.
#include "adapters/config/routing_config.h"

#include <catch2/catch.hpp>

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
  CHECK(redis.journal_timeout == engine::Duration(1000));  // default
  CHECK(redis.cache_entries == 0);                         // set: no cache
  CHECK(redis.history_max == 100'000);                     // default
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

}  // namespace router::adapters::config
