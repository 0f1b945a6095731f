// Preferred-agent hold (issue 19, row 2; docs/routing.md, "Preferred-agent hold"): an interaction
// whose preferred or last agent is logged in waits for one of them up to the queue's
// hold_for_agent, then goes to anyone; explain says which phase it is in.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// Ana is the customer's agent; Ben could take the call as well.
struct HoldCenter {
  Center c;
  AgentId ana, ben;
  HoldCenter() {
    c.add(a_queue("support").hold_for_agent(30s));
    ana = c.add(an_agent("ana"));
    ben = c.add(an_agent("ben"));
  }
  const IneligibleAgent* why_not(InteractionId id, AgentId a) {
    explanation = c.router.explain(id, c.now).value();
    for (const IneligibleAgent& i : explanation.ineligible) {
      if (i.agent == a) return &i;
    }
    return nullptr;
  }
  Explanation explanation;
};

}  // namespace

TEST_CASE("a call waits for its busy preferred agent, not for anyone, until the hold ends",
          "[hold]") {
  HoldCenter h;
  h.c.login(h.ana);
  h.c.login(h.ben);
  const InteractionId first = h.c.submit(a_call().to("support"));  // keeps Ana busy
  REQUIRE(h.c.interaction(first).agent == h.ana);                  // longest idle, tie: id
  h.c.accept(h.ana, first);
  h.c.after(1s);
  const InteractionId mine = h.c.submit(a_call().to("support").preferred_agent("ana"));
  // Ben is free, but the call waits for Ana.
  CHECK(h.c.interaction(mine).state == InteractionState::kQueued);
  const IneligibleAgent* ben = h.why_not(mine, h.ben);
  REQUIRE(ben != nullptr);
  CHECK(ben->reason == Ineligibility::kHeldForAgent);
  CHECK(ben->detail == "it waits for its preferred or last agent for another 30 s");
  REQUIRE(h.explanation.held_until.has_value());
  CHECK(*h.explanation.held_until == h.c.now + 30s);

  SECTION("its agent frees up within the hold and gets it") {
    h.c.after(10s);
    h.c.complete(h.ana, first);  // wrap-up 30 s by default
    h.c.after(30s);              // 41 s after arrival: the hold ended at 31 s
    CHECK(h.c.interaction(mine).agent == h.ben);
  }
  SECTION("its agent frees up in time") {
    h.c.after(5s);
    h.c.ok(h.c.router.complete(h.ana, first, "done", h.c.now));
    h.c.ok(h.c.router.end_wrap_up(h.ana, first, h.c.now));
    CHECK(h.c.interaction(mine).agent == h.ana);
  }
  SECTION("the hold ends and the call goes to anyone, with nothing else happening") {
    h.c.after(29s);
    CHECK(h.c.interaction(mine).state == InteractionState::kQueued);
    h.c.after(1s);
    CHECK(h.c.interaction(mine).state == InteractionState::kOffered);
    CHECK(h.c.interaction(mine).agent == h.ben);
    CHECK_FALSE(h.c.router.explain(mine, h.c.now).value().held_until.has_value());
  }
  SECTION("its agent logs out: the hold ends at once") {
    h.c.complete(h.ana, first);  // in wrap-up, still logged in: still waited for
    CHECK(h.c.interaction(mine).state == InteractionState::kQueued);
    h.c.ok(h.c.router.logout(h.ana, LogoutMode::kForced, h.c.now));
    CHECK(h.c.interaction(mine).agent == h.ben);
  }
  SECTION("a freed agent other than its own passes it by for later work") {
    h.c.ok(h.c.router.set_not_ready(h.ben, "break", h.c.now));
    const InteractionId other = h.c.submit(a_call().to("support"));
    h.c.after(1s);
    h.c.ok(h.c.router.set_ready(h.ben, h.c.now));
    CHECK(h.c.interaction(other).agent == h.ben);  // behind the held one, but Ben may take it
    CHECK(h.c.interaction(mine).state == InteractionState::kQueued);
  }
  h.c.audit();
}

TEST_CASE("no hold without a logged-in preferred or last agent, or once it declined", "[hold]") {
  HoldCenter h;
  h.c.login(h.ben);
  // Ana is logged out: nothing to wait for.
  const InteractionId a = h.c.submit(a_call().to("support").preferred_agent("ana"));
  CHECK(h.c.interaction(a).agent == h.ben);
  h.c.accept(h.ben, a);

  // The last agent counts as well; a NOT_READY one is still waited for.
  h.c.login(h.ana, /*ready=*/false);
  const InteractionId b = h.c.submit(a_call().to("support").last_agent("ana"));
  CHECK(h.c.interaction(b).state == InteractionState::kQueued);
  h.c.ok(h.c.router.set_ready(h.ana, h.c.now));
  CHECK(h.c.interaction(b).agent == h.ana);
  // She rejects it: it is not held for her any more, and waits for the next free agent.
  h.c.reject(h.ana, b);
  CHECK(h.c.interaction(b).state == InteractionState::kQueued);
  CHECK_FALSE(h.c.router.explain(b, h.c.now).value().held_until.has_value());
  h.c.audit();
}

TEST_CASE("a queue's hold is checked when it is configured", "[hold]") {
  Center c;
  QueueConfig q;
  q.name = "support";
  q.hold_for_agent = Duration::zero();
  auto r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.hold_for_agent: must be > 0 and at most 1 h");
  q.hold_for_agent = std::chrono::hours(2);
  CHECK_FALSE(c.router.add_queue(q).ok());
  q.hold_for_agent = std::chrono::minutes(5);
  CHECK(c.router.add_queue(q).ok());
}

}  // namespace router::engine::testing
