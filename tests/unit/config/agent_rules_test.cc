// The configuration's rules about which agent takes which queue's work beyond skills (issue 19,
// rows 1, 3 and 4): agents' queue orders, queues' add_idle_agents_after_s and multi-offer
// (offer_to, ring_all), read and resolved, with errors naming the field; and the demo center's.
#include <catch2/catch.hpp>
#include <map>

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

namespace router::adapters::config {

TEST_CASE("a queue's offer_to and ring_all are read, 0 or absent ringing one agent",
          "[config][multi-offer]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - {name: one, channels: [PHONE]}
  - {name: three, channels: [PHONE], offer_to: 3}
  - {name: all, channels: [PHONE], ring_all: true}
  - {name: explicit-one, channels: [PHONE], offer_to: 1}
agents: [{name: alice}]
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& queues = r.value().queues;
  CHECK(queues.at(0).offer_to == 1);
  CHECK(queues.at(1).offer_to == 3);
  CHECK(queues.at(2).offer_to == engine::kOfferToAll);
  CHECK(queues.at(3).offer_to == 1);
  REQUIRE(build_router(r.value()).ok());
}

TEST_CASE("offer_to above 100, or with ring_all, is an error naming the field",
          "[config][multi-offer]") {
  const std::string head =
      "skills: [s]\nagents: [{name: x}]\nqueues:\n  - {name: a, channels: [PHONE]}\n";
  CHECK(error_of(head + "  - {name: b, channels: [PHONE], offer_to: 101}\n") ==
        "test.yaml: queues[1].offer_to: must be 1..100 (0: 1; ring_all: every eligible agent)");
  CHECK(error_of(head + "  - {name: b, channels: [PHONE], offer_to: 2, ring_all: true}\n") ==
        "test.yaml: queues[1].ring_all: set either ring_all or offer_to, not both");
  CHECK_THAT(error_of(head + "  - {name: b, channels: [PHONE], offer_to: -1}\n"),
             Catch::Matchers::Contains("offer_to"));
}

}  // namespace router::adapters::config

namespace router::adapters::config {

TEST_CASE("the demo center rings every vip agent and keeps sales-phone's office hours",
          "[config][multi-offer][demo]") {
  auto r = load_routing_config(std::string(ROUTER_SOURCE_DIR) + "/tools/routerd/demo/center.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  std::map<std::string, const engine::QueueConfig*> by_name;
  for (const auto& q : r.value().queues) by_name[q.name] = &q;
  REQUIRE(by_name.count("vip") == 1);
  CHECK(by_name.at("vip")->offer_to == engine::kOfferToAll);
  REQUIRE(by_name.count("sales-phone") == 1);
  CHECK(by_name.at("sales-phone")->hours != nullptr);
  CHECK(by_name.at("sales-phone")->when_closed == engine::ArrivalAction::kCallback);
  REQUIRE(build_router(r.value()).ok());
}

}  // namespace router::adapters::config
