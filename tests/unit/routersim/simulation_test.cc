// The simulation loop on a tiny hand-built center: determinism, common random numbers across
// policies, warm-up, input errors naming the field, and work items (done by due, scheduled).
#include "tools/routersim/simulation.h"

#include <catch2/catch.hpp>
#include <string>

#include "adapters/config/opening_hours.h"

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

// One back-office queue of work items (4 h target) and one agent who works one at a time.
adapters::config::RoutingModel work_item_desk() {
  adapters::config::RoutingModel m;
  m.skills = {"service"};
  engine::QueueConfig q;
  q.name = "crm";
  q.channels = engine::ChannelSet().set(static_cast<size_t>(engine::Channel::kWorkItem));
  q.required_skills = {{engine::SkillId(0), 1}};
  q.service_level = {4h, 0.95};
  q.wrap_up = 0s;
  m.queues.push_back(q);
  engine::AgentProfile p;
  p.name = "alice";
  p.skills.push_back({engine::SkillId(0), 5});
  p.capacity.max[static_cast<size_t>(engine::Channel::kWorkItem)] = 1;
  m.agents.push_back(p);
  return m;
}

// A light load for work_item_desk(): an item every 20 minutes on average, 5 minutes each.
Workload work_items() {
  Workload w;
  w.duration_s = 8 * 3600;
  w.warmup_s = 0;
  w.accept_delay_s = 1;
  w.replications = 3;
  w.seed = 5;
  CallType items;
  items.name = "items";
  items.queue = "crm";
  items.channel = engine::Channel::kWorkItem;
  items.per_hour = 3;
  items.handle = {Distribution::kDeterministic, 300, 0};
  w.call_types = {items};
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

TEST_CASE("a work item is within target only if done by its due time, however soon answered",
          "[routersim][work_item]") {
  Workload w = work_items();
  SECTION("due before its handle time is over: all outside, though answered at once") {
    w.call_types[0].due_s = 120;  // done 300 s after the answer at the soonest
    const auto r = simulate(work_item_desk(), w, Policy::kPoints);
    REQUIRE(r.ok());
    const Outcome& items = r->call_types[0];
    CHECK(items.service_level_measure == ServiceLevelMeasure::kDoneByDue);
    CHECK(r->queues[0].service_level_measure == ServiceLevelMeasure::kDoneByDue);
    CHECK(items.answered.mean > 0);
    CHECK(items.answered.mean == items.offered.mean);
    CHECK(items.wait_p90_s.mean < 120);  // most answered well inside the 120 s
    CHECK(items.service_level.mean == 0.0);
    CHECK(r->queues[0].service_level.mean == 0.0);
  }
  SECTION("no due given: its queue's threshold (4 h), met by every item") {
    const auto r = simulate(work_item_desk(), w, Policy::kPoints);
    REQUIRE(r.ok());
    CHECK(r->call_types[0].service_level.mean == 1.0);
  }
}

TEST_CASE("work items never abandon unless given a patience", "[routersim][work_item]") {
  Workload w = work_items();
  w.call_types[0].per_hour = 30;  // 2.5 times what the one agent can do: a growing backlog
  const auto r = simulate(work_item_desk(), w, Policy::kPoints);
  REQUIRE(r.ok());
  const Outcome& items = r->call_types[0];
  CHECK(items.answered.mean < items.offered.mean * 0.6);
  CHECK(items.abandoned.mean == 0.0);
  CHECK(items.expired.mean == 0.0);
  w.call_types[0].patience_mean_s = 600;
  const auto impatient = simulate(work_item_desk(), w, Policy::kPoints);
  REQUIRE(impatient.ok());
  CHECK(impatient->call_types[0].abandoned.mean > 0.0);
}

TEST_CASE("a scheduled work item is not routed before its time, and waits from it",
          "[routersim][work_item]") {
  Workload w = work_items();
  w.call_types[0].scheduled = Scheduling{1.0, 3600};
  SECTION("its wait runs from its not_before, never negative") {
    const auto r = simulate(work_item_desk(), w, Policy::kPoints);
    REQUIRE(r.ok());
    const Outcome& items = r->call_types[0];
    CHECK(items.answered.mean > 0);
    CHECK(items.asa_s.mean >= w.accept_delay_s);  // not answered before its time
    CHECK(items.asa_s.mean < 600);  // answered soon after it on this light load, not an hour off
    CHECK(items.service_level.mean == 1.0);  // due 4 h after its time, not its submit
  }
  SECTION("due after the end of the run: never offered, never counted") {
    w.duration_s = 1800;  // every item submitted in it is due to start after it
    const auto r = simulate(work_item_desk(), w, Policy::kPoints);
    REQUIRE(r.ok());
    CHECK(r->simulated_interactions > 0);
    CHECK(r->call_types[0].offered.mean == 0.0);
    CHECK(r->occupancy.mean == 0.0);  // the agent was offered nothing
  }
  SECTION("a share of them, drawn apart from arrivals: the same items arrive") {
    w.warmup_s = 3600;  // those scheduled during the warm-up arrive in the measured period
    w.call_types[0].scheduled = Scheduling{0.5, 600};
    const auto half = simulate(work_item_desk(), w, Policy::kPoints);
    w.call_types[0].scheduled.reset();
    const auto none = simulate(work_item_desk(), w, Policy::kPoints);
    REQUIRE(half.ok());
    REQUIRE(none.ok());
    CHECK(half->simulated_interactions == none->simulated_interactions);
  }
}

TEST_CASE("a queue taking calls and work items measures each by its own service level",
          "[routersim][work_item]") {
  adapters::config::RoutingModel m = work_item_desk();
  m.queues[0].channels.set(static_cast<size_t>(engine::Channel::kPhone));
  Workload w = work_items();
  CallType calls;
  calls.name = "calls";
  calls.queue = "crm";
  calls.per_hour = 3;
  calls.handle = {Distribution::kDeterministic, 300, 0};
  w.call_types.push_back(calls);
  w.call_types[0].due_s = 120;  // never met
  const auto r = simulate(m, w, Policy::kPoints);
  REQUIRE(r.ok());
  CHECK(r->queues[0].service_level_measure == ServiceLevelMeasure::kMixed);
  CHECK(r->call_types[1].service_level_measure == ServiceLevelMeasure::kAnsweredWithinThreshold);
  CHECK(r->call_types[0].service_level.mean == 0.0);
  CHECK(r->call_types[1].service_level.mean > 0.9);  // answered within 4 h
  CHECK(r->queues[0].service_level.mean > 0.3);
  CHECK(r->queues[0].service_level.mean < 0.7);
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

namespace router::sim {
namespace {

TEST_CASE("arrivals a queue's arrival rules turn away are counted refused, never answered",
          "[routersim][arrival]") {
  auto m = small_center();
  m.queues[0].max_waiting = 1;  // sales: one caller may wait, the next is refused
  Workload w = small_workload();
  w.call_types[0].per_hour = 200;  // far more than two agents can take
  auto r = simulate(m, w, Policy::kPoints);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const Outcome& sales = r->call_types[0];
  CHECK(sales.refused.mean > 0);
  CHECK(sales.answered.mean + sales.abandoned.mean + sales.refused.mean <= sales.offered.mean);
  CHECK(r->call_types[1].refused.mean == 0);  // support has no cap
  // Without the cap nobody is refused.
  auto open = simulate(small_center(), w, Policy::kPoints);
  REQUIRE(open.ok());
  CHECK(open->call_types[0].refused.mean == 0);
}

// Sales opens 08:00-10:00 UTC; the simulation runs 07:00-11:10 (10 min warm-up): closed for its
// first and last hour.
adapters::config::RoutingModel two_hour_sales(engine::ArrivalAction when_closed) {
  auto m = small_center();
  v1::OpeningHours hours;
  hours.add_weekly("mon-sun 08:00-10:00");
  auto parsed = adapters::config::parse_opening_hours(hours, "hours");
  REQUIRE(parsed.ok());
  m.queues[0].hours = parsed.value();
  m.queues[0].when_closed = when_closed;
  if (when_closed == engine::ArrivalAction::kCallback) {
    engine::QueueConfig callbacks = m.queues[0];
    callbacks.name = "callbacks";
    callbacks.channels = engine::ChannelSet().set(static_cast<size_t>(engine::Channel::kWorkItem));
    callbacks.hours.reset();
    m.queues[0].callback_queue = engine::QueueId(2);
    m.queues.push_back(callbacks);
  }
  return m;
}

TEST_CASE("a closed queue's arrivals are refused or called back at its opening",
          "[routersim][hours]") {
  Workload w = small_workload();
  w.start = std::chrono::sys_days(std::chrono::year{2026} / 12 / 7) + 7h;
  auto refused = simulate(two_hour_sales(engine::ArrivalAction::kRefuse), w, Policy::kPoints);
  INFO((refused.ok() ? "" : refused.error().message));
  REQUIRE(refused.ok());
  const Outcome& sales = refused->call_types[0];
  // Closed for 2 of the 4 measured hours (07:10-08:00, 10:00-11:10), at 40 an hour.
  CHECK(sales.refused.mean > 0.4 * sales.offered.mean);
  CHECK(sales.refused.mean < 0.6 * sales.offered.mean);
  CHECK(sales.answered.mean > 0);
  CHECK(sales.callbacks.mean == 0);
  CHECK(refused->call_types[1].refused.mean == 0);  // support keeps no hours

  auto called = simulate(two_hour_sales(engine::ArrivalAction::kCallback), w, Policy::kPoints);
  INFO((called.ok() ? "" : called.error().message));
  REQUIRE(called.ok());
  const Outcome& back = called->call_types[0];
  CHECK(back.refused.mean == 0);
  // The hour's callers before 08:00 (warm-up included) arrive at 08:00, in the measured period:
  // about 40; those after 10:00 are called back the next day, after the end, and not counted.
  CHECK(back.callbacks.mean > 25);
  CHECK(back.callbacks.mean < 55);
  CHECK(back.offered.mean < sales.offered.mean);
  // The early callers are called back from 08:00, so more are answered than when refused; the
  // late ones' callbacks fall after the end.
  CHECK(back.answered.mean > sales.answered.mean);
  CHECK(back.answered.mean + back.abandoned.mean <= back.offered.mean);

  // Open all the time from a start inside the hours: nobody refused.
  w.start = std::chrono::sys_days(std::chrono::year{2026} / 12 / 7) + 8h;
  w.duration_s = 3000;
  auto open = simulate(two_hour_sales(engine::ArrivalAction::kRefuse), w, Policy::kPoints);
  REQUIRE(open.ok());
  CHECK(open->call_types[0].refused.mean == 0);
}

TEST_CASE("calls whose customer knows an agent wait for her under a preferred-agent hold",
          "[routersim][hold]") {
  Workload w = small_workload();
  for (CallType& t : w.call_types) t.last_agent_share = 0.5;
  auto free = simulate(small_center(), w, Policy::kPoints);
  auto m = small_center();
  for (engine::QueueConfig& q : m.queues) q.hold_for_agent = 60s;
  auto held = simulate(m, w, Policy::kPoints);
  INFO((held.ok() ? "" : held.error().message));
  REQUIRE(free.ok());
  REQUIRE(held.ok());
  // The same arrivals (common random numbers); half of them wait for one agent of four.
  CHECK(held->call_types[0].offered.mean == free->call_types[0].offered.mean);
  CHECK(held->call_types[0].wait_mean_s.mean > free->call_types[0].wait_mean_s.mean);
  CHECK(held->call_types[0].answered.mean > 0);
}

}  // namespace
}  // namespace router::sim

namespace router::sim {
namespace {

TEST_CASE("agents who rank a queue first answer its callers sooner (agents' queue order)",
          "[routersim][queue-order]") {
  Workload w = small_workload();
  w.call_types[1].priority = 0;  // sales and support alike but for the order
  auto plain = simulate(small_center(), w, Policy::kPoints);
  REQUIRE(plain.ok());
  auto m = small_center();
  for (size_t a = 2; a < 4; ++a) m.agents[a].queue_order = {engine::QueueId(1)};  // support
  auto ranked = simulate(m, w, Policy::kPoints);
  INFO((ranked.ok() ? "" : ranked.error().message));
  REQUIRE(ranked.ok());
  const Outcome& support = ranked->call_types[1];
  CHECK(support.asa_s.mean < plain->call_types[1].asa_s.mean);
  CHECK(support.answered.mean + support.abandoned.mean <= support.offered.mean);
}

}  // namespace
}  // namespace router::sim

namespace router::sim {
namespace {

TEST_CASE("a queue adding idle agents outside its skills answers more of its callers",
          "[routersim][idle-agents]") {
  Workload w = small_workload();
  w.call_types[0].per_hour = 10;  // sales: light, so its own agent is often idle
  w.call_types[1].per_hour = 60;  // support: more than its agents can take
  auto plain = simulate(small_center(), w, Policy::kPoints);
  REQUIRE(plain.ok());
  auto m = small_center();
  m.queues[1].add_idle_agents_after = 30s;  // support takes agent0 (sales only) when idle
  auto added = simulate(m, w, Policy::kPoints);
  INFO((added.ok() ? "" : added.error().message));
  REQUIRE(added.ok());
  const Outcome& support = added->call_types[1];
  CHECK(support.answered.mean > plain->call_types[1].answered.mean);
  CHECK(support.service_level.mean > plain->call_types[1].service_level.mean);
  CHECK(support.answered.mean + support.abandoned.mean <= support.offered.mean);
}

}  // namespace
}  // namespace router::sim

namespace router::sim {
namespace {

TEST_CASE("ring-all keeps the other phones ringing until the answer, at a cost in waits",
          "[routersim][multi-offer]") {
  Workload w = small_workload();
  w.accept_delay_s = 8;  // every agent answers 8 s after the phone rings
  auto one = simulate(small_center(), w, Policy::kPoints);
  auto m = small_center();
  for (engine::QueueConfig& q : m.queues) q.offer_to = engine::kOfferToAll;
  auto all = simulate(m, w, Policy::kPoints);
  INFO((all.ok() ? "" : all.error().message));
  REQUIRE(one.ok());
  REQUIRE(all.ok());
  // The same arrivals; every call is still answered by one agent, but the agents rung with it
  // were reserved for those 8 s and the one who answers first is drawn, not the best: callers
  // wait longer (19.9 s against 17.6 s on these seeds).
  CHECK(all->call_types[0].offered.mean == one->call_types[0].offered.mean);
  CHECK(all->call_types[0].answered.mean > 0);
  CHECK(all->call_types[0].wait_mean_s.mean > one->call_types[0].wait_mean_s.mean);
}

}  // namespace
}  // namespace router::sim
