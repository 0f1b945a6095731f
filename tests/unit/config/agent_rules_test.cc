// The configuration's rules about which agent takes which queue's work beyond skills (issue 19,
// rows 3 and 4): agents' queue orders and queues' add_idle_agents_after_s, read and resolved, with
// errors naming the field.
#include <catch2/catch.hpp>

#include "adapters/config/routing_config.h"

namespace router::adapters::config {
namespace {

using Catch::Matchers::Contains;

std::string error_of(const std::string& yaml) {
  auto r = parse_routing_config(yaml, "test.yaml");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("an agent's queue order is read as queue ids, first listed first",
          "[config][queue-order]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - {name: sales, channels: [PHONE]}
  - {name: billing, channels: [PHONE]}
  - {name: support, channels: [PHONE]}
agents:
  - {name: alice, queue_order: [billing, sales]}
  - {name: bob}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& agents = r.value().agents;
  CHECK(agents.at(0).queue_order ==
        std::vector<engine::QueueId>{engine::QueueId(1), engine::QueueId(0)});
  CHECK(agents.at(1).queue_order.empty());
  auto router = build_router(r.value());
  REQUIRE(router.ok());
}

TEST_CASE("an unknown or repeated queue in an agent's queue order is an error naming the entry",
          "[config][queue-order]") {
  const std::string queues =
      "skills: [s]\nqueues: [{name: a, channels: [PHONE]}, "
      "{name: b, channels: [PHONE]}]\n";
  CHECK(error_of(queues + "agents: [{name: x}, {name: y, queue_order: [a, nope]}]") ==
        "test.yaml: agents[1].queue_order[1]: unknown queue 'nope'");
  CHECK(error_of(queues + "agents: [{name: x, queue_order: [b, a, b]}]") ==
        "test.yaml: agents[0].queue_order[2]: 'b' listed twice");
  CHECK_THAT(error_of(queues + "agents: [{name: x, queue_order: b}]"), Contains("queue_order"));
}

TEST_CASE("a queue's add_idle_agents_after_s is read, absent or 0 meaning never",
          "[config][idle-agents]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - {name: billing, channels: [PHONE], skills: [{skill: s, min_level: 5}],
     add_idle_agents_after_s: 90.5}
  - {name: sales, channels: [PHONE], add_idle_agents_after_s: 0}
  - {name: support, channels: [PHONE]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& q = r.value().queues;
  CHECK(q.at(0).add_idle_agents_after == engine::Duration(90'500));
  CHECK_FALSE(q.at(1).add_idle_agents_after.has_value());
  CHECK_FALSE(q.at(2).add_idle_agents_after.has_value());
  CHECK(build_router(r.value()).ok());
}

TEST_CASE("a negative add_idle_agents_after_s is an error naming the queue and the field",
          "[config][idle-agents]") {
  CHECK(error_of("skills: [s]\nqueues: [{name: a, channels: [PHONE]}, "
                 "{name: b, channels: [PHONE], add_idle_agents_after_s: -1}]") ==
        "test.yaml: queues[1].add_idle_agents_after_s: must be >= 0 (0: never)");
  CHECK(error_of("skills: [s]\nqueues: [{name: a, channels: [PHONE], "
                 "add_idle_agents_after_s: 0.0001}]") ==
        "test.yaml: queues[0].add_idle_agents_after_s: must be at least 0.001");
  CHECK_THAT(error_of("skills: [s]\nqueues: [{name: a, channels: [PHONE], "
                      "add_idle_agents_after_s: soon}]"),
             Contains("add_idle_agents_after_s"));
}

}  // namespace router::adapters::config
