// Statistics: queue counts and rates over the sliding window, estimated wait, agent snapshots.
#include "engine/builders.h"

namespace router::engine::testing {

TEST_CASE("queue stats report waiting, longest wait and interactions on offer", "[stats]") {
  Center c;
  c.add(a_queue("billing").offer_timeout(10min));
  AgentId alice = c.add(an_agent("alice"));
  c.submit(a_call().to("billing"));
  c.after(10s);
  c.submit(a_call().to("billing"));
  c.after(15s);
  c.submit(a_call().to("billing"));
  c.after(15s);
  QueueStats s = c.stats("billing");
  CHECK(s.name == "billing");
  CHECK(s.queue == c.queue("billing"));
  CHECK(s.waiting == 3);
  CHECK(s.offered_now == 0);
  CHECK(s.longest_wait == 40s);
  CHECK(s.arrived == 3);

  c.login(alice);  // takes the oldest: the longest wait is now the second one's
  s = c.stats("billing");
  CHECK(s.waiting == 2);
  CHECK(s.offered_now == 1);
  CHECK(s.longest_wait == 30s);
  c.audit();
}

TEST_CASE(
    "service level, ASA, AHT and abandon rate count over the window, short abandons "
    "excluded",
    "[stats]") {
  Center c;
  c.add(a_queue("billing").service_level(20s, 0.8).short_abandon(5s).wrap_up(10s).offer_timeout(
      5min));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId c1 = c.submit(a_call().to("billing"));
  c.after(10s);
  c.accept(alice, c1);  // answered after 10 s: within 20 s
  InteractionId c2 = c.submit(a_call().to("billing"));
  InteractionId c3 = c.submit(a_call().to("billing"));
  c.after(10s);
  InteractionId c4 = c.submit(a_call().to("billing"));
  c.after(2s);
  c.ok(c.router.cancel(c4, c.now));  // after 2 s: a short abandon
  c.after(28s);
  CHECK(c.stats("billing").longest_wait == 40s);
  c.ok(c.router.cancel(c3, c.now));  // after 40 s: held against the service level
  c.after(10s);
  c.complete(alice, c1);
  c.after(10s);  // wrap-up ends: handled in 60 s
  REQUIRE(c.holder(c2) == alice);
  c.accept(alice, c2);  // answered after 60 s: late
  c.after(40s);
  c.complete(alice, c2);
  c.ok(c.router.end_wrap_up(alice, c2, c.now));  // handled in 40 s

  QueueStats s = c.stats("billing");
  CHECK(s.waiting == 0);
  CHECK(s.window_answered == 2);
  CHECK(s.window_abandoned == 1);
  CHECK(s.window_short_abandoned == 1);
  CHECK(s.service_level == Approx(1.0 / 3.0));
  CHECK(s.abandon_rate == Approx(1.0 / 3.0));
  CHECK(s.asa == 35s);
  CHECK(s.aht == 50s);
  CHECK(s.arrived == 4);
  CHECK(s.answered == 2);
  CHECK(s.abandoned == 2);
  CHECK(s.completed == 2);
  CHECK(s.expired == 0);
  CHECK(s.left == 0);
  c.audit();
}

TEST_CASE("an empty window reports a full service level and no abandons", "[stats]") {
  Center c;
  c.add(a_queue("billing"));
  QueueStats s = c.stats("billing");
  CHECK(s.service_level == 1.0);
  CHECK(s.abandon_rate == 0.0);
  CHECK(s.asa == 0s);
  CHECK(s.aht == 0s);
  CHECK(s.longest_wait == 0s);
}

TEST_CASE("outcomes older than the stats window drop out of it", "[stats]") {
  RouterConfig cfg;
  cfg.stats_window = 10min;
  cfg.stats_buckets = 10;
  Center c(cfg);
  c.add(a_queue("billing").wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId answered = c.submit(a_call().to("billing"));
  c.accept(alice, answered);
  c.after(1min);
  c.complete(alice, answered);
  c.ok(c.router.set_not_ready(alice, "break", c.now));
  c.after(2min);
  InteractionId gone = c.submit(a_call().to("billing"));
  c.after(30s);
  c.ok(c.router.cancel(gone, c.now));

  c.after(2min);
  QueueStats s = c.stats("billing");
  CHECK(s.window_answered == 1);
  CHECK(s.window_abandoned == 1);
  CHECK(s.service_level == Approx(0.5));
  CHECK(s.aht == 1min);

  c.after(5min + 30s);  // 11 min after the answer, 7.5 after the abandon
  s = c.stats("billing");
  CHECK(s.window_answered == 0);
  CHECK(s.window_abandoned == 1);
  CHECK(s.service_level == 0.0);
  CHECK(s.aht == 0s);

  c.after(4min);
  s = c.stats("billing");
  CHECK(s.window_abandoned == 0);
  CHECK(s.service_level == 1.0);
  CHECK(s.abandon_rate == 0.0);
  // Counts since creation do not slide.
  CHECK(s.answered == 1);
  CHECK(s.abandoned == 1);
  CHECK(s.completed == 1);
  c.audit();
}

TEST_CASE("agents by state counts the agents able to serve the queue", "[stats]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5).wrap_up(30s));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 6));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 7));
  c.add(an_agent("carol").with_skill("billing", 5));
  AgentId dave = c.add(an_agent("dave").with_skill("sales", 9));
  AgentId erin = c.add(an_agent("erin").with_skill("billing", 8));
  AgentId frank = c.add(an_agent("frank").with_skill("billing", 9));
  AgentId gina = c.add(an_agent("gina").with_skill("billing", 9));
  c.login(erin);
  InteractionId first = c.submit(a_call().to("billing"));
  c.accept(erin, first);
  c.login(gina);
  InteractionId second = c.submit(a_call().to("billing"));
  c.accept(gina, second);
  c.complete(gina, second);
  c.login(frank);
  c.submit(a_call().to("billing"));
  c.login(alice);
  c.login(bob, /*ready=*/false);
  c.login(dave);

  const auto by = c.stats("billing").agents_by_state;
  auto count = [&by](AgentState s) { return by[static_cast<size_t>(s)]; };
  CHECK(count(AgentState::kReady) == 1);      // alice
  CHECK(count(AgentState::kNotReady) == 1);   // bob
  CHECK(count(AgentState::kLoggedOut) == 1);  // carol; dave serves no billing
  CHECK(count(AgentState::kBusy) == 1);       // erin
  CHECK(count(AgentState::kWrapUp) == 1);     // gina
  CHECK(count(AgentState::kReserved) == 1);   // frank
  c.audit();
}

TEST_CASE("estimated wait divides the handle time by the staffed agents", "[stats]") {
  Center c;
  c.add(a_queue("billing").default_handle_time(120s).wrap_up(0s));
  const QueueId billing = c.queue("billing");
  auto ewt = [&](int position) {
    auto r = c.router.ewt(billing, position, c.now);
    REQUIRE(r.ok());
    return r.value();
  };

  SECTION("nobody staffed: one handle time per position") {
    CHECK(ewt(1) == 120s);
    CHECK(ewt(3) == 360s);
  }
  SECTION("two agents busy") {
    AgentId alice = c.add(an_agent("alice"));
    AgentId bob = c.add(an_agent("bob"));
    c.login(alice);
    c.accept(alice, c.submit(a_call().to("billing")));
    c.login(bob);
    c.accept(bob, c.submit(a_call().to("billing")));
    CHECK(ewt(0) == 0s);
    CHECK(ewt(1) == 60s);
    CHECK(ewt(3) == 180s);

    auto first = c.router.submit(c.spec(a_call().to("billing")), c.now);
    REQUIRE(first.ok());
    CHECK(first->position == 1);
    CHECK(first->ewt == 60s);
    auto second = c.router.submit(c.spec(a_call().to("billing")), c.now);
    REQUIRE(second.ok());
    CHECK(second->position == 2);
    CHECK(second->ewt == 120s);
    auto urgent = c.router.submit(c.spec(a_call().to("billing").priority(5)), c.now);
    REQUIRE(urgent.ok());
    CHECK(urgent->position == 1);
    CHECK(urgent->ewt == 60s);
    CHECK(c.stats("billing").ewt_new == 240s);  // 3 waiting: position 4
  }
  SECTION("an idle agent takes the first position at once") {
    AgentId alice = c.add(an_agent("alice"));
    AgentId carol = c.add(an_agent("carol"));
    c.login(alice);
    c.accept(alice, c.submit(a_call().to("billing")));
    c.login(carol);
    CHECK(ewt(1) == 0s);
    CHECK(ewt(3) == 120s);
    auto offered = c.router.submit(c.spec(a_call().to("billing")), c.now);
    REQUIRE(offered.ok());
    CHECK(offered->position == 0);  // offered at once
    CHECK(offered->ewt == 0s);
  }
  SECTION("an agent is free again after the handle time and the queue's wrap-up") {
    c.add(a_queue("sales").default_handle_time(120s).wrap_up(30s));
    AgentId alice = c.add(an_agent("alice"));
    c.login(alice);
    c.accept(alice, c.submit(a_call().to("sales")));
    auto e = c.router.ewt(c.queue("sales"), 2, c.now);
    REQUIRE(e.ok());
    CHECK(e.value() == 300s);  // 2 × (120 s + 30 s) with one agent
  }
  SECTION("a bad position is refused") {
    auto r = c.router.ewt(billing, -1, c.now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  c.audit();
}

TEST_CASE("a waiting interaction's position and wait range are computed when asked",
          "[stats][estimate]") {
  Center c;
  c.add(a_queue("billing").default_handle_time(120s).wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.login(alice);
  const InteractionId talking = c.submit(a_call().to("billing"));
  c.accept(alice, talking);
  c.login(bob);
  c.accept(bob, c.submit(a_call().to("billing")));
  // Two agents busy, AHT 120 s: the k-th to free up does so after Erlang(k, 2 ÷ 120 s).
  InteractionId first = c.submit(a_call().to("billing"));
  InteractionId second = c.submit(a_call().to("billing"));
  InteractionId third = c.submit(a_call().to("billing"));
  auto estimate = [&](InteractionId id) {
    auto r = c.router.wait_estimate(id, c.now);
    REQUIRE(r.ok());
    return r.value();
  };
  auto seconds_of = [](Duration d) { return std::chrono::duration<double>(d).count(); };
  const WaitEstimate e3 = estimate(third);
  CHECK(e3.position == 3);
  CHECK(e3.ewt == 180s);  // 3 × 60 s, the mean, as ewt() gives
  // A queue that has learned nothing yet gives the model's 9th and 91st percentiles (the
  // calibration's starting point, docs/routing.md "Estimated wait"). Erlang(3, 1): 1.0514 and
  // 5.4740 (× 60 s).
  CHECK(seconds_of(e3.low) == Approx(1.0514 * 60).epsilon(0.001));
  CHECK(seconds_of(e3.high) == Approx(5.4740 * 60).epsilon(0.001));
  const WaitEstimate e1 = estimate(first);
  CHECK(e1.position == 1);
  // Erlang(1, 1) is the exponential: −ln 0.91 and −ln 0.09.
  CHECK(seconds_of(e1.low) == Approx(0.0943 * 60).epsilon(0.001));
  CHECK(seconds_of(e1.high) == Approx(2.4079 * 60).epsilon(0.001));
  CHECK(e1.low < e1.ewt);
  CHECK(e1.ewt < e1.high);

  // Live: the first hangs up, and everyone behind moves up; a higher priority goes ahead.
  Center::ok(c.router.cancel(first, c.now));
  CHECK(estimate(second).position == 1);
  CHECK(estimate(third).position == 2);
  c.submit(a_call().to("billing").priority(5));
  CHECK(estimate(second).position == 2);
  CHECK(estimate(third).position == 3);

  // Not waiting, or unknown: said so.
  auto assigned = c.router.wait_estimate(talking, c.now);
  REQUIRE_FALSE(assigned.ok());
  CHECK(assigned.error().code == ErrorCode::kFailedPrecondition);
  auto unknown = c.router.wait_estimate(InteractionId(999'999), c.now);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  c.audit();
}

TEST_CASE("the wait range for a long line uses the normal approximation of the Erlang",
          "[stats][estimate]") {
  Center c;
  c.add(a_queue("billing").default_handle_time(100s).wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  c.accept(alice, c.submit(a_call().to("billing")));
  auto e = c.router.estimate_at(c.queue("billing"), 100, c.now);
  REQUIRE(e.ok());
  CHECK(e->ewt == 10000s);
  // Erlang(100, 1): 9th percentile 86.88, 91st 113.65 (× 100 s; Wilson–Hilferty).
  CHECK(std::chrono::duration<double>(e->low).count() == Approx(8688).epsilon(0.003));
  CHECK(std::chrono::duration<double>(e->high).count() == Approx(11365).epsilon(0.003));
  auto none = c.router.estimate_at(c.queue("billing"), 0, c.now);
  REQUIRE(none.ok());
  CHECK(none->high == 0s);
}

TEST_CASE("a queue whose ranges are missed learns to give wider ones", "[stats][estimate]") {
  Center c;
  c.add(a_queue("billing").default_handle_time(60s).wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  const InteractionId talking = c.submit(a_call().to("billing"));
  c.accept(alice, talking);
  const InteractionId waiting = c.submit(a_call().to("billing"));
  auto told = c.router.wait_estimate(waiting, c.now);
  REQUIRE(told.ok());
  // Exponential(60 s): 9th and 91st percentiles.
  CHECK(std::chrono::duration<double>(told->high).count() == Approx(2.4079 * 60).epsilon(0.001));
  // Alice talks for 1000 s, far past the range's top: a miss above.
  c.after(1000s);
  c.complete(alice, talking);
  REQUIRE(c.holder(waiting) == alice);
  // Both sides step (adaptive conformal inference): above 0.09 + 0.005 × (0.09 − 1) = 0.08545,
  // below 0.09 + 0.005 × 0.09 = 0.09045. The same line now gets a wider top and a higher bottom.
  auto now = c.router.estimate_at(c.queue("billing"), 1, c.now);
  REQUIRE(now.ok());
  CHECK(std::chrono::duration<double>(now->high).count() == Approx(2.4598 * 60).epsilon(0.001));
  CHECK(std::chrono::duration<double>(now->low).count() == Approx(0.09481 * 60).epsilon(0.002));
  c.audit();
}

TEST_CASE("estimated wait uses the measured handle time once five are handled", "[stats]") {
  Center c;
  c.add(a_queue("billing").default_handle_time(120s).wrap_up(10s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  for (int i = 0; i < 5; ++i) {
    InteractionId id = c.submit(a_call().to("billing"));
    c.accept(alice, id);
    c.after(50s);
    c.complete(alice, id);
    c.after(10s);
  }
  CHECK(c.stats("billing").aht == 60s);
  auto r = c.router.ewt(c.queue("billing"), 3, c.now);
  REQUIRE(r.ok());
  CHECK(r.value() == 140s);  // (3 − 1 ready) × (60 s AHT + 10 s wrap-up) / 1 staffed
  c.audit();
}

TEST_CASE("an agent snapshot shows state, time in state, current work and handled count",
          "[stats]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5).wrap_up(10s));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 7).team("north"));
  const TimePoint t0 = c.now;
  c.login(alice);
  AgentSnapshot s = c.agent_state(alice);
  CHECK(s.name == "alice");
  CHECK(s.team == "north");
  CHECK(s.state == AgentState::kReady);
  CHECK(s.state_since == t0);
  CHECK(s.work.empty());
  CHECK(s.handled == 0);
  REQUIRE(s.skills.size() == 1);
  CHECK(s.skills[0].level == 7);

  c.after(5s);
  InteractionId id = c.submit(a_call().to("billing"));
  s = c.agent_state(alice);
  CHECK(s.state == AgentState::kReserved);
  CHECK(s.state_since == t0 + 5s);
  CHECK(s.work == std::vector<InteractionId>{id});

  c.after(3s);
  CHECK(c.agent_state(alice).time_in_state == 3s);  // reserved for 3 s so far
  c.accept(alice, id);
  s = c.agent_state(alice);
  CHECK(s.state == AgentState::kBusy);
  CHECK(s.state_since == t0 + 8s);
  CHECK(s.work == std::vector<InteractionId>{id});

  c.after(1min);
  c.complete(alice, id);
  CHECK(c.agent_state(alice).state == AgentState::kWrapUp);
  CHECK(c.agent_state(alice).work == std::vector<InteractionId>{id});
  c.after(10s);
  s = c.agent_state(alice);
  CHECK(s.state == AgentState::kReady);
  CHECK(s.state_since == t0 + 78s);
  CHECK(s.work.empty());
  CHECK(s.handled == 1);

  c.ok(c.router.set_not_ready(alice, "lunch", c.now));
  s = c.agent_state(alice);
  CHECK(s.state == AgentState::kNotReady);
  CHECK(s.not_ready_reason == "lunch");
  c.audit();
}

}  // namespace router::engine::testing
