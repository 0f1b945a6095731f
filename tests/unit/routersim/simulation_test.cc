// The simulation loop on a tiny hand-built center: determinism, common random numbers across
// policies, warm-up, and input errors naming the field.
#include "tools/routersim/simulation.h"

#include <catch2/catch.hpp>
#include <string>

namespace router::sim {
namespace {

using namespace std::chrono_literals;

// Two queues, one skill each; four agents, two of whom have both skills.
adapters::config::RoutingModel small_center() {
  adapters::config::RoutingModel m;
  m.skills = {"sales", "support"};
  for (uint32_t s = 0; s < 2; ++s) {
    engine::QueueConfig q;
    q.name = m.skills[s];
    q.required_skills = {{engine::SkillId(s), 1}};
    q.wrap_up = 5s;
    m.queues.push_back(q);
  }
  for (int a = 0; a < 4; ++a) {
    engine::AgentProfile p;
    p.name = "agent" + std::to_string(a);
    p.skills.push_back({engine::SkillId(a % 2), 5});
    if (a >= 2) p.skills.push_back({engine::SkillId(1 - a % 2), 3});
    m.agents.push_back(p);
  }
  return m;
}

Workload small_workload() {
  Workload w;
  w.duration_s = 4 * 3600;
  w.warmup_s = 600;
  w.accept_delay_s = 1;
  w.replications = 3;
  w.seed = 11;
  CallType sales;
  sales.name = "sales";
  sales.queue = "sales";
  sales.per_hour = 40;
  sales.handle = {Distribution::kExponential, 150, 0};
  sales.patience_mean_s = 60;
  CallType support = sales;
  support.name = "support";
  support.queue = "support";
  support.per_hour = 30;
  support.handle = {Distribution::kLognormal, 200, 120};
  support.priority = 10;
  w.call_types = {sales, support};
  return w;
}

}  // namespace

TEST_CASE("the same workload and seed give the same results", "[routersim]") {
  const auto a = simulate(small_center(), small_workload(), Policy::kPoints);
  const auto b = simulate(small_center(), small_workload(), Policy::kPoints);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->simulated_interactions == b->simulated_interactions);
  REQUIRE(a->call_types.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(a->call_types[i].answered.mean == b->call_types[i].answered.mean);
    CHECK(a->call_types[i].wait_p90_s.mean == b->call_types[i].wait_p90_s.mean);
  }
  CHECK(a->occupancy.mean == b->occupancy.mean);
}

TEST_CASE("every policy sees the same arrivals (common random numbers)", "[routersim]") {
  const auto points = simulate(small_center(), small_workload(), Policy::kPoints);
  REQUIRE(points.ok());
  for (Policy p : {Policy::kFifoLongestIdle, Policy::kFewestCalls, Policy::kRandom,
                   Policy::kStaticPriority, Policy::kRoundRobin}) {
    const auto other = simulate(small_center(), small_workload(), p);
    REQUIRE(other.ok());
    CHECK(other->policy == p);
    CHECK(other->simulated_interactions == points->simulated_interactions);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(other->call_types[i].offered.mean == points->call_types[i].offered.mean);
    }
  }
}

TEST_CASE("outcomes add up and stay in range", "[routersim]") {
  const auto r = simulate(small_center(), small_workload(), Policy::kPoints);
  REQUIRE(r.ok());
  REQUIRE(r->queues.size() == 2);
  CHECK(r->queues[0].name == "sales");
  for (const Outcome& o : r->call_types) {
    CHECK(o.offered.mean > 0);
    CHECK(o.answered.mean + o.abandoned.mean + o.expired.mean <= o.offered.mean);
    CHECK(o.service_level.mean >= 0.0);
    CHECK(o.service_level.mean <= 1.0);
    CHECK(o.asa_s.mean >= 1.0);  // every answer waits at least the accept delay
    CHECK(o.wait_p90_s.mean >= 0.0);
    double share = 0;
    for (double h : o.wait_histogram) share += h;
    CHECK(share == Approx(1.0));
  }
  CHECK(r->occupancy.mean > 0.0);
  CHECK(r->occupancy.mean < 1.0);
}

TEST_CASE("per-queue occupancy adds up to the overall occupancy for one-call-at-a-time agents",
          "[routersim]") {
  const auto r = simulate(small_center(), small_workload(), Policy::kPoints);
  REQUIRE(r.ok());
  double queues = 0, types = 0;
  for (const Outcome& o : r->queues) {
    CHECK(o.occupancy.mean > 0.05);  // both queues keep agents busy
    queues += o.occupancy.mean;
  }
  for (const Outcome& o : r->call_types) types += o.occupancy.mean;
  // Phone only, so every agent holds one call at a time: the shares partition the busy time.
  CHECK(queues == Approx(r->occupancy.mean).epsilon(0.01));
  CHECK(types == Approx(queues).epsilon(1e-9));
}

TEST_CASE("interactions arriving during warm-up are not counted", "[routersim]") {
  Workload w = small_workload();
  w.replications = 1;
  w.duration_s = 3600;
  w.warmup_s = 0;
  const auto cold = simulate(small_center(), w, Policy::kPoints);
  w.warmup_s = 3600;
  const auto warm = simulate(small_center(), w, Policy::kPoints);
  REQUIRE(cold.ok());
  REQUIRE(warm.ok());
  // Twice the simulated time, one hour counted in each.
  CHECK(warm->simulated_interactions > cold->simulated_interactions * 1.4);
  const double counted = warm->call_types[0].offered.mean + warm->call_types[1].offered.mean;
  CHECK(counted < warm->simulated_interactions * 0.7);
}

TEST_CASE("simulation input errors name the field", "[routersim]") {
  Workload w = small_workload();
  SECTION("an unknown queue") {
    w.call_types[1].queue = "billing";
    const auto r = simulate(small_center(), w, Policy::kPoints);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "call_types[1].queue: no queue named 'billing' in the routing configuration");
  }
  SECTION("an unknown agent") {
    w.agents = std::vector<std::string>{"agent0", "zoe"};
    const auto r = simulate(small_center(), w, Policy::kPoints);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "agents[1]: no agent named 'zoe' in the routing configuration");
  }
  SECTION("an accept delay every offer would miss") {
    w.accept_delay_s = 20;
    const auto r = simulate(small_center(), w, Policy::kPoints);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("accept_delay_s:"));
  }
}

TEST_CASE("policies have names for the command line", "[routersim]") {
  for (Policy p : {Policy::kPoints, Policy::kFifoLongestIdle, Policy::kFewestCalls, Policy::kRandom,
                   Policy::kStaticPriority, Policy::kRoundRobin}) {
    CHECK(policy_from_string(to_string(p)) == p);
  }
  CHECK(policy_from_string("round_robin") == Policy::kRoundRobin);
  CHECK_FALSE(policy_from_string("roundrobin"));
}

}  // namespace router::sim
