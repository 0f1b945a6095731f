// The two decisions: an arriving interaction goes to the best idle eligible agent; an agent
// with free capacity takes the best waiting interaction of every queue it serves. Ties are
// broken deterministically.
#include "engine/builders.h"

namespace router::engine::testing {

TEST_CASE("an arriving call goes to the eligible idle agent with the most points", "[decisions]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 6));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 9));
  AgentId carol = c.add(an_agent("carol").with_skill("billing", 7));
  AgentId dave = c.add(an_agent("dave").with_skill("sales", 10));
  c.login(alice);  // idle 5 s longer: 1 point, not enough against bob's 1.5 more for fit
  c.after(5s);
  c.login(bob);
  c.login(carol);
  c.login(dave);
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.holder(id) == bob);
  CHECK(c.agent_state(bob).state == AgentState::kReserved);
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  CHECK(c.agent_state(carol).state == AgentState::kReady);
  c.audit();
}

TEST_CASE("among agents with equal points the longest idle one gets the call", "[decisions]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 7));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 7));
  // Both idle past the 30-minute idle cap: equal idle points, different idle times.
  SECTION("alice idle longer") {
    c.login(alice);
    c.after(10min);
    c.login(bob);
    c.after(45min);
    InteractionId id = c.submit(a_call().to("billing"));
    CHECK(c.holder(id) == alice);
  }
  SECTION("bob idle longer") {
    c.login(bob);
    c.after(10min);
    c.login(alice);
    c.after(45min);
    InteractionId id = c.submit(a_call().to("billing"));
    CHECK(c.holder(id) == bob);
    auto ex = c.router.explain(id, c.now);
    REQUIRE(ex.ok());
    REQUIRE(ex->eligible.size() == 2);
    CHECK(ex->eligible[0].points.total() == ex->eligible[1].points.total());
    CHECK(ex->eligible[0].agent == bob);  // explain ranks ties as the router breaks them
  }
  SECTION("idle since the same moment: the first agent created") {
    c.login(bob);
    c.login(alice);
    InteractionId id = c.submit(a_call().to("billing"));
    CHECK(c.holder(id) == alice);
  }
  c.audit();
}

TEST_CASE("an agent who becomes ready takes the best waiting interaction over all its queues",
          "[decisions]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  c.add(a_queue("sales").with_skill("sales", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 7).with_skill("sales", 7));
  c.login(alice, /*ready=*/false);
  InteractionId older = c.submit(a_call().to("billing"));
  c.after(5s);
  InteractionId urgent = c.submit(a_call().to("sales").priority(1));
  c.after(5s);
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(urgent) == alice);
  CHECK(c.interaction(older).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("a strategic customer is served before an older ordinary one", "[decisions]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  InteractionId ordinary = c.submit(a_call().to("billing"));
  c.after(30s);
  InteractionId strategic = c.submit(a_call().to("billing").segment(Segment::kStrategic));
  c.after(30s);
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(strategic) == alice);
  CHECK(c.interaction(ordinary).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("in the same class the older interaction is served first", "[decisions]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  InteractionId first = c.submit(a_call().to("billing"));
  c.after(5s);
  InteractionId second = c.submit(a_call().to("billing"));
  c.after(5s);
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(first) == alice);
  CHECK(c.holder(second) == AgentId());
  c.audit();
}

TEST_CASE("across two queues that score alike the older interaction is served first",
          "[decisions]") {
  Center c;
  c.add(a_queue("billing"));
  c.add(a_queue("sales"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  SECTION("the older one in the first queue") {
    InteractionId billing = c.submit(a_call().to("billing"));
    c.after(5s);
    c.submit(a_call().to("sales"));
    c.after(5s);
    c.ok(c.router.set_ready(alice, c.now));
    CHECK(c.holder(billing) == alice);
  }
  SECTION("the older one in the second queue") {
    InteractionId sales = c.submit(a_call().to("sales"));
    c.after(5s);
    c.submit(a_call().to("billing"));
    c.after(5s);
    c.ok(c.router.set_ready(alice, c.now));
    CHECK(c.holder(sales) == alice);
  }
  c.audit();
}

TEST_CASE("with equal points the earliest arrival is served first", "[decisions]") {
  Center c;
  // No wait or pressure points: interactions of the same class score exactly alike.
  Weights flat;
  flat[Term::kWait] = 0;
  flat[Term::kServiceLevel] = 0;
  c.add(a_queue("billing").weights(flat));
  c.add(a_queue("sales").weights(flat));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  InteractionId sales = c.submit(a_call().to("sales"));
  c.after(5s);
  InteractionId billing = c.submit(a_call().to("billing"));
  c.after(5s);
  c.ok(c.router.set_ready(alice, c.now));
  REQUIRE(c.holder(sales) == alice);
  CHECK(c.offer_of(sales).points[Term::kWait] == 0);
  c.accept(alice, sales);
  c.complete(alice, sales);
  c.ok(c.router.end_wrap_up(alice, sales, c.now));
  CHECK(c.holder(billing) == alice);
  c.audit();
}

TEST_CASE("an agent whose wrap-up ends takes the best waiting interaction", "[decisions]") {
  Center c;
  c.add(a_queue("billing").wrap_up(10s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId first = c.submit(a_call().to("billing"));
  c.accept(alice, first);
  InteractionId plain = c.submit(a_call().to("billing"));
  c.after(1s);
  InteractionId urgent = c.submit(a_call().to("billing").priority(5));
  c.complete(alice, first);
  CHECK(c.agent_state(alice).state == AgentState::kWrapUp);
  CHECK(c.holder(urgent) == AgentId());
  SECTION("on the wrap-up timer") {
    c.after(10s);
    CHECK(c.holder(urgent) == alice);
  }
  SECTION("on the agent's word") {
    c.after(2s);
    c.ok(c.router.end_wrap_up(alice, first, c.now));
    CHECK(c.holder(urgent) == alice);
  }
  CHECK(c.interaction(plain).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("an agent is never given work from a queue whose skills it lacks", "[decisions]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  c.add(a_queue("sales").with_skill("sales", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("sales", 5).with_skill("billing", 4));
  c.login(alice, /*ready=*/false);
  InteractionId billing = c.submit(a_call().to("billing").priority(9));
  c.after(30s);
  InteractionId sales = c.submit(a_call().to("sales"));
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(sales) == alice);
  CHECK(c.interaction(billing).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("an extra skill an interaction needs narrows the agents who can take it", "[decisions]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5).with_skill("spanish", 6));
  c.login(alice);
  c.login(bob);
  InteractionId id = c.submit(a_call().to("billing").needs("spanish", 6));
  CHECK(c.holder(id) == bob);
  c.audit();
}

}  // namespace router::engine::testing
