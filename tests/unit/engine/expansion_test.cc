// Target expansion: a waiting interaction's requirements relax step by step, driven only by
// the passing of time (next_deadline() / advance()), then it overflows.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// billing needs level 8; after 30 s level 5, after 60 s no skill at all, after 90 s backup.
QueueBuilder expanding_billing() {
  return a_queue("billing")
      .with_skill("billing", 8)
      .expand(30s, 3)
      .expand(60s, 0, /*optional=*/true)
      .overflow(90s, "backup");
}

}  // namespace

TEST_CASE("after the first step minimum levels drop and an under-skilled agent gets it",
          "[expansion]") {
  Center c;
  c.add(a_queue("backup").with_skill("backup", 1));
  c.add(expanding_billing());
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(bob);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.holder(id) == AgentId());
  CHECK(c.router.next_deadline() == t0 + 30s);

  c.router.clear_events();
  c.router.advance(t0 + 29s);
  CHECK(c.events<ExpandedEvent>().empty());
  CHECK(c.interaction(id).stage == 0);

  c.now = *c.router.next_deadline();
  c.router.advance(c.now);
  auto expanded = c.events<ExpandedEvent>();
  REQUIRE(expanded.size() == 1);
  CHECK(expanded[0].interaction == id);
  CHECK(expanded[0].queue == c.queue("billing"));
  CHECK(expanded[0].stage == 1);
  CHECK(c.holder(id) == bob);
  CHECK(c.offer_of(id).points[Term::kSkillFit] == -1'500);  // 5 − 8 = −3 levels × 0.5
  c.audit();
}

TEST_CASE("after a later step skills become optional and an agent without them gets it",
          "[expansion]") {
  Center c;
  c.add(a_queue("backup").with_skill("backup", 1));
  c.add(expanding_billing());
  AgentId carol = c.add(an_agent("carol").with_skill("sales", 9));
  c.login(carol);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));

  c.after(30s);
  CHECK(c.interaction(id).stage == 1);
  CHECK(c.holder(id) == AgentId());
  CHECK(c.router.next_deadline() == t0 + 60s);
  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  REQUIRE(ex->effective_skills.size() == 1);
  CHECK(ex->effective_skills[0].min_level == 5);

  c.after(30s);
  auto expanded = c.events<ExpandedEvent>();
  REQUIRE(expanded.size() == 2);
  CHECK(expanded[1].stage == 2);
  CHECK(c.holder(id) == carol);
  auto after = c.router.explain(id, c.now);
  REQUIRE(after.ok());
  CHECK(after->effective_skills.empty());
  c.audit();
}

TEST_CASE("after the overflow time an unanswered interaction moves to the overflow queue",
          "[expansion]") {
  Center c;
  c.add(a_queue("backup").with_skill("backup", 1));
  c.add(a_queue("billing").with_skill("billing", 8).expand(30s, 3).overflow(90s, "backup"));
  AgentId dave = c.add(an_agent("dave").with_skill("backup", 3));
  c.login(dave);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));

  std::vector<TimePoint> deadlines;
  while (c.router.next_deadline() && c.holder(id) == AgentId()) {
    deadlines.push_back(*c.router.next_deadline());
    c.now = deadlines.back();
    c.router.advance(c.now);
  }
  CHECK(deadlines == std::vector<TimePoint>{t0 + 30s, t0 + 90s});
  auto overflowed = c.events<OverflowedEvent>();
  REQUIRE(overflowed.size() == 1);
  CHECK(overflowed[0].to == c.queue("backup"));
  CHECK(c.holder(id) == dave);
  CHECK(c.interaction(id).queue == c.queue("backup"));
  CHECK(c.interaction(id).stage == 0);
  c.audit();
}

TEST_CASE("expansion steps in the overflow queue count from entering it", "[expansion]") {
  Center c;
  c.add(a_queue("backup").with_skill("billing", 9).expand(20s, 2));
  c.add(a_queue("billing").with_skill("billing", 9).overflow(60s, "backup"));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 7));
  c.login(bob);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(60s);
  REQUIRE(c.interaction(id).queue == c.queue("backup"));
  CHECK(c.holder(id) == AgentId());
  CHECK(c.router.next_deadline() == t0 + 80s);
  c.after(20s);
  CHECK(c.holder(id) == bob);
  c.audit();
}

TEST_CASE("a waiting interaction with nothing left to happen has no deadline", "[expansion]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 8).expand(30s, 1));
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.router.next_deadline().has_value());
  c.after(30s);
  CHECK(c.interaction(id).stage == 1);
  CHECK_FALSE(c.router.next_deadline().has_value());
  c.after(1h);
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("a jump of the clock fires every step that fell due, in order", "[expansion]") {
  Center c;
  c.add(a_queue("backup").with_skill("backup", 1));
  c.add(expanding_billing());
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(10min);
  auto expanded = c.events<ExpandedEvent>();
  REQUIRE(expanded.size() == 2);
  CHECK(expanded[0].stage == 1);
  CHECK(expanded[1].stage == 2);
  REQUIRE(c.events<OverflowedEvent>().size() == 1);
  CHECK(c.interaction(id).queue == c.queue("backup"));
  c.audit();
}

// Conditional group routing (docs/routing.md, "Queues and expansion"): a step that also needs
// its queue to be in trouble.

TEST_CASE(
    "a conditional step waits past its time until the queue's EWT is over its bound, "
    "then applies at the next check",
    "[expansion][conditional]") {
  Center c;
  // Level 8 wanted; after 10 s level 5 will do, but only while EWT for a new arrival > 200 s.
  // Bob (level 5) is the only agent: ready, he counts as staffed; EWT = AHT (180 s, the
  // default before any is measured) × calls ahead of a new arrival beyond the ready agents.
  c.add(a_queue("billing")
            .with_skill("billing", 8)
            .default_handle_time(180s)
            .wrap_up(0s)
            .expand_when_ewt_over(10s, 3, 200s));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(bob);
  const TimePoint t0 = c.now;
  InteractionId first = c.submit(a_call().to("billing"));
  CHECK(c.router.next_deadline() == t0 + 10s);

  // One waiting: a new arrival would be 2nd, 1 ahead of bob's place → EWT 180 s ≤ 200 s.
  c.router.clear_events();
  c.after(10s);
  CHECK(c.events<ExpandedEvent>().empty());
  CHECK(c.interaction(first).stage == 0);
  CHECK(c.holder(first) == AgentId());
  CHECK(c.router.next_deadline() == t0 + 10s + kConditionRecheck);  // checked again in 1 s
  c.after(5s);
  CHECK(c.interaction(first).stage == 0);

  // A second call: a new arrival would now be 3rd → EWT 360 s > 200 s. The first call widens at
  // its next check (within kConditionRecheck) and goes to bob.
  InteractionId second = c.submit(a_call().to("billing"));
  const TimePoint submitted = c.now;
  c.router.clear_events();
  c.now = *c.router.next_deadline();
  CHECK(c.now - submitted <= kConditionRecheck);
  c.router.advance(c.now);
  auto expanded = c.events<ExpandedEvent>();
  REQUIRE(expanded.size() == 1);
  CHECK(expanded[0].interaction == first);
  CHECK(expanded[0].stage == 1);
  CHECK(c.holder(first) == bob);
  // The second has not waited its 10 s: the condition alone does not widen it.
  CHECK(c.interaction(second).stage == 0);
  c.audit();
}

TEST_CASE(
    "a conditional step applies once the queue's service level falls below its bound, "
    "never on an empty window, and stays applied",
    "[expansion][conditional]") {
  Center c;
  c.add(a_queue("billing")
            .with_skill("billing", 8)
            .service_level(20s, 0.8)
            .short_abandon(5s)
            .expand_when_sl_under(10s, 3, 0.8));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(bob);
  // Nothing answered or abandoned yet: no evidence of trouble, the step holds back.
  InteractionId first = c.submit(a_call().to("billing"));
  c.after(30s);
  CHECK(c.interaction(first).stage == 0);
  CHECK(c.holder(first) == AgentId());

  // The caller hangs up after 30 s (past the short-abandon threshold): SL in the window 0%.
  c.router.clear_events();
  Center::ok(c.router.cancel(first, c.now));
  InteractionId second = c.submit(a_call().to("billing"));
  c.after(9s);
  CHECK(c.interaction(second).stage == 0);  // its 10 s have not passed
  c.after(1s);
  REQUIRE(c.events<ExpandedEvent>().size() == 1);
  CHECK(c.interaction(second).stage == 1);
  CHECK(c.holder(second) == bob);
  c.audit();
}

TEST_CASE("a conditional step once applied stays applied when its condition ends",
          "[expansion][conditional]") {
  Center c;
  // Two conditional steps on EWT > 200 s: level 8 → 5 after 10 s, → 2 after 20 s.
  c.add(a_queue("billing")
            .with_skill("billing", 8)
            .default_handle_time(180s)
            .wrap_up(0s)
            .expand_when_ewt_over(10s, 3, 200s)
            .expand_when_ewt_over(20s, 3, 200s));
  AgentId dan = c.add(an_agent("dan").with_skill("billing", 2));
  c.login(dan);
  InteractionId first = c.submit(a_call().to("billing"));
  InteractionId second = c.submit(a_call().to("billing"));
  InteractionId third = c.submit(a_call().to("billing"));
  c.after(10s);  // three waiting: EWT 540 s > 200 s; each reaches stage 1 (dan needs stage 2)
  CHECK(c.interaction(first).stage == 1);
  // Two hang up: one waiting, EWT 180 s ≤ 200 s: the condition ends. The applied step stays.
  Center::ok(c.router.cancel(second, c.now));
  Center::ok(c.router.cancel(third, c.now));
  c.after(5s);
  CHECK(c.interaction(first).stage == 1);
  c.after(10s);  // 25 s in queue: the second step's time passed, its condition does not hold
  CHECK(c.interaction(first).stage == 1);
  CHECK(c.holder(first) == AgentId());
  c.audit();
}

TEST_CASE("a plain step after a conditional one waits behind it", "[expansion][conditional]") {
  Center c;
  c.add(a_queue("billing")
            .with_skill("billing", 8)
            .expand_when_sl_under(10s, 1, 0.5)
            .expand(20s, 0, /*optional=*/true));
  AgentId carol = c.add(an_agent("carol").with_skill("sales", 9));
  c.login(carol);
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(60s);  // both times passed; the first step's condition never held (empty window)
  CHECK(c.interaction(id).stage == 0);
  CHECK(c.holder(id) == AgentId());
  c.audit();
}

TEST_CASE("conditional steps with bad bounds are refused naming the field",
          "[expansion][conditional]") {
  RouterConfig cfg;
  auto router = make_router(cfg);
  QueueConfig q;
  q.name = "q";
  ExpansionStep s{10s, 1, false, std::nullopt, std::nullopt};
  s.when_ewt_over = Duration::zero();
  q.expansion = {s};
  auto added = router->add_queue(q);
  REQUIRE_FALSE(added.ok());
  CHECK_THAT(added.error().message, Catch::Contains("queue.expansion[0].when_ewt_over"));
  s.when_ewt_over.reset();
  s.when_sl_under = 1.5;
  q.expansion = {s};
  added = router->add_queue(q);
  REQUIRE_FALSE(added.ok());
  CHECK_THAT(added.error().message, Catch::Contains("queue.expansion[0].when_sl_under"));
}

}  // namespace router::engine::testing
