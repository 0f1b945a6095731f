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
  CHECK(c.offer_of(id).points[Term::kSkillFit] == -6'000);  // 5 − 8 = −3 levels × 2
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

}  // namespace router::engine::testing
