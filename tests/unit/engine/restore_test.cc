// Recovery's entry point (Router::restore_held): work another process had assigned is put back
// in its agent's hands, with no offer, and then lives on as if it had been accepted here.
#include "engine/builders.h"

namespace router::engine::testing {

using Catch::Contains;

TEST_CASE("restored work is held by its agent without an offer", "[restore]") {
  Center c;
  c.add(a_queue("billing").wrap_up(30s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  c.router.clear_events();
  const InteractionSpec call = c.spec(a_call().to("billing").arrived(c.now - 2min));
  c.ok(c.router.restore_held(call, alice, InteractionState::kAssigned, c.now));
  CHECK(c.events<OfferedEvent>().empty());
  CHECK(c.events<AssignedEvent>().empty());
  const InteractionSnapshot s = c.interaction(call.id);
  CHECK(s.state == InteractionState::kAssigned);
  CHECK(s.agent == alice);
  CHECK(c.agent_state(alice).state == AgentState::kBusy);
  // Not counted again: it was answered before the restart.
  CHECK(c.stats("billing").answered == 0);
  c.audit();

  SECTION("its agent completes it and ends the wrap-up as usual") {
    c.after(10s);
    c.complete(alice, call.id);
    CHECK(c.interaction(call.id).state == InteractionState::kWrapUp);
    c.ok(c.router.end_wrap_up(alice, call.id, c.now));
    CHECK_FALSE(c.router.interaction(call.id).ok());
    CHECK(c.stats("billing").completed == 1);
    CHECK(c.agent_state(alice).state == AgentState::kNotReady);
    c.audit();
  }
  SECTION("a forced logout sends it back to its queue for another agent") {
    AgentId bob = c.add(an_agent("bob"));
    c.login(bob);
    c.ok(c.router.logout(alice, LogoutMode::kForced, c.now));
    CHECK(c.holder(call.id) == bob);
    CHECK(c.interaction(call.id).state == InteractionState::kOffered);
    c.audit();
  }
}

TEST_CASE("restored wrap-up ends on a new wrap-up timer", "[restore]") {
  Center c;
  c.add(a_queue("billing").wrap_up(30s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  const InteractionSpec call = c.spec(a_call().to("billing"));
  c.ok(c.router.restore_held(call, alice, InteractionState::kWrapUp, c.now));
  CHECK(c.agent_state(alice).state == AgentState::kWrapUp);
  CHECK(c.router.next_deadline() == c.now + 30s);
  c.after(30s);
  CHECK_FALSE(c.router.interaction(call.id).ok());
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  c.audit();
}

TEST_CASE("a ready agent with restored work is offered only what its capacity leaves",
          "[restore]") {
  Center c;
  c.add(a_queue("mail").channels({Channel::kEmail}));
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kEmail, 2));
  c.login(alice, /*ready=*/false);
  const InteractionSpec first = c.spec(an_email().to("mail"));
  const InteractionSpec second = c.spec(an_email().to("mail"));
  c.ok(c.router.restore_held(first, alice, InteractionState::kAssigned, c.now));
  InteractionId waiting = c.submit(an_email().to("mail"));
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(waiting) == alice);  // one free slot of two
  c.accept(alice, waiting);
  const Status full = c.router.restore_held(second, alice, InteractionState::kAssigned, c.now);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == ErrorCode::kFailedPrecondition);
  CHECK_FALSE(c.router.interaction(second.id).ok());
  c.audit();
}

TEST_CASE("restoring onto a logged-out agent or in a waiting state is refused", "[restore]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  const InteractionSpec call = c.spec(a_call().to("billing"));
  Status s = c.router.restore_held(call, alice, InteractionState::kAssigned, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  c.login(alice);
  s = c.router.restore_held(call, alice, InteractionState::kQueued, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Contains("state"));
  CHECK(c.router.live_count() == 0);
  c.audit();
}

TEST_CASE("recovered work is taken back past the live and waiting limits", "[restore]") {
  RouterConfig cfg;
  cfg.limits.max_interactions = 1;
  cfg.limits.max_waiting_per_queue = 1;
  Center c(cfg);
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  c.submit(a_call().to("billing"));
  // A new submit past the limit is refused...
  auto refused = c.router.submit(c.spec(a_call().to("billing")), c.now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kResourceExhausted);
  // ...but work the journal held (its finish lost at a crash) is never dropped for a limit.
  InteractionSpec waiting = c.spec(a_call().to("billing"));
  waiting.recovered = true;
  CHECK(c.router.submit(waiting, c.now).ok());
  InteractionSpec held = c.spec(a_call().to("billing"));
  held.recovered = true;
  c.ok(c.router.restore_held(held, alice, InteractionState::kAssigned, c.now));
  CHECK(c.router.live_count() == 3);
  c.audit();
}

}  // namespace router::engine::testing
