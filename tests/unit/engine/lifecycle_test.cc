// The interaction and agent lifecycles: offers and their timeouts, accept, reject, wrap-up,
// abandon, expiry, overflow, transfers, supervisor actions and logout.
#include "engine/builders.h"

namespace router::engine::testing {

using Catch::Contains;

namespace {

bool excludes(const InteractionSnapshot& s, AgentId a) {
  return std::find(s.excluded.begin(), s.excluded.end(), a) != s.excluded.end();
}

}  // namespace

TEST_CASE("an offer expires after the queue's offer timeout", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").offer_timeout(15s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  const OfferedEvent offer = c.offer_of(id);
  CHECK(offer.agent == alice);
  CHECK(offer.queue == c.queue("billing"));
  CHECK(offer.expires == c.now + 15s);
  CHECK(c.router.next_deadline() == c.now + 15s);
  CHECK(c.interaction(id).state == InteractionState::kOffered);
  CHECK(c.agent_state(alice).state == AgentState::kReserved);
  c.audit();
}

TEST_CASE("an offer that times out goes back to its queue keeping its arrival time",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").offer_timeout(20s));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  const TimePoint arrival = c.now;
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(19s);
  CHECK(c.holder(id) == alice);
  c.router.clear_events();
  c.after(1s);
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].interaction == id);
  CHECK(requeued[0].agent == alice);
  CHECK(requeued[0].reason == RequeueReason::kOfferTimeout);
  InteractionSnapshot s = c.interaction(id);
  CHECK(s.state == InteractionState::kQueued);
  CHECK(s.arrival == arrival);
  CHECK(excludes(s, alice));

  // Never offered to alice again, even once she is ready; bob gets it.
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(id) == AgentId());
  c.login(bob);
  CHECK(c.holder(id) == bob);
  CHECK(c.interaction(id).arrival == arrival);
  c.audit();
}

TEST_CASE("a missed offer sets the agent NOT_READY with reason missed", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").offer_timeout(20s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  c.submit(a_call().to("billing"));
  c.router.clear_events();
  c.after(20s);
  AgentSnapshot s = c.agent_state(alice);
  CHECK(s.state == AgentState::kNotReady);
  CHECK(s.not_ready_reason == "missed");
  CHECK(s.state_since == c.now);
  auto changes = c.events<AgentStateChangedEvent>();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].agent == alice);
  CHECK(changes[0].from == AgentState::kReserved);
  CHECK(changes[0].to == AgentState::kNotReady);
  CHECK(changes[0].reason == "missed");
  c.audit();
}

TEST_CASE("a rejected offer goes back keeping its arrival time and never returns to that agent",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  const TimePoint arrival = c.now;
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(5s);
  c.router.clear_events();
  c.reject(alice, id);
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].reason == RequeueReason::kRejected);
  CHECK(c.agent_state(alice).state == AgentState::kReady);  // a reject is not a miss
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  CHECK(c.interaction(id).arrival == arrival);
  CHECK(c.holder(id) == AgentId());

  c.login(bob);
  REQUIRE(c.holder(id) == bob);
  c.reject(bob, id);
  CHECK(c.holder(id) == AgentId());
  InteractionSnapshot s = c.interaction(id);
  CHECK(excludes(s, alice));
  CHECK(excludes(s, bob));
  c.after(1min);
  CHECK(c.holder(id) == AgentId());
  // Rejecting again, or someone else's offer, is a wrong state.
  Status again = c.router.reject(bob, id, c.now);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kFailedPrecondition);
  c.audit();
}

TEST_CASE("accepting an offer makes the interaction ASSIGNED and the agent BUSY", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.router.clear_events();
  c.accept(alice, id);
  auto assigned = c.events<AssignedEvent>();
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0].interaction == id);
  CHECK(assigned[0].agent == alice);
  CHECK(c.interaction(id).state == InteractionState::kAssigned);
  CHECK(c.agent_state(alice).state == AgentState::kBusy);
  CHECK_FALSE(c.router.next_deadline().has_value());  // no offer timer any more
  c.audit();
}

TEST_CASE("accepting an offer that already timed out fails as a failed precondition",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").offer_timeout(20s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(25s);
  Status s = c.router.accept(alice, id, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK_THAT(s.error().message, Contains("interaction_id"));
  CHECK(c.interaction(id).state == InteractionState::kQueued);

  SECTION("even when the accept carries a time before the timeout") {
    // The engine never goes back in time: the offer is gone.
    Status late = c.router.accept(alice, id, c.now - 10s);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == ErrorCode::kFailedPrecondition);
  }
  SECTION("an unknown interaction is not found") {
    Status unknown = c.router.accept(alice, InteractionId(999), c.now);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == ErrorCode::kNotFound);
  }
  c.audit();
}

TEST_CASE("completing starts the queue's wrap-up, after which the agent is READY again",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").wrap_up(30s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing").customer("cust-7"));
  c.accept(alice, id);
  c.after(2min);
  c.router.clear_events();
  c.complete(alice, id);
  auto wrap = c.events<WrapUpStartedEvent>();
  REQUIRE(wrap.size() == 1);
  CHECK(wrap[0].ends == c.now + 30s);
  CHECK(wrap[0].wrap_up_code == "done");
  CHECK(c.router.next_deadline() == c.now + 30s);
  CHECK(c.interaction(id).state == InteractionState::kWrapUp);
  CHECK(c.agent_state(alice).state == AgentState::kWrapUp);

  c.after(29s);
  CHECK(c.agent_state(alice).state == AgentState::kWrapUp);
  c.after(1s);
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  auto done = c.events<CompletedEvent>();
  REQUIRE(done.size() == 1);
  CHECK(done[0].interaction == id);
  CHECK(done[0].agent == alice);
  CHECK(done[0].customer_id == "cust-7");
  CHECK(c.router.live_count() == 0);
  c.audit();
}

TEST_CASE("ending wrap-up on the agent's word frees the agent at once", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").wrap_up(60s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.complete(alice, id);
  c.after(5s);
  c.ok(c.router.end_wrap_up(alice, id, c.now));
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  CHECK(c.router.live_count() == 0);
  CHECK_FALSE(c.router.next_deadline().has_value());
  CHECK(c.agent_state(alice).handled == 1);
  c.audit();
}

TEST_CASE("a queue without wrap-up time completes at once", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  InteractionId next = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.complete(alice, id);
  CHECK(c.router.live_count() == 1);
  CHECK(c.holder(next) == alice);
  c.audit();
}

TEST_CASE("a caller who hangs up while queued is abandoned", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(12s);
  c.ok(c.router.cancel(id, c.now));
  auto abandoned = c.events<AbandonedEvent>();
  REQUIRE(abandoned.size() == 1);
  CHECK(abandoned[0].interaction == id);
  CHECK(abandoned[0].waited == 12s);
  CHECK(c.router.live_count() == 0);
  CHECK(c.stats("billing").abandoned == 1);
  CHECK(c.stats("billing").waiting == 0);
  Status again = c.router.cancel(id, c.now);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kNotFound);
  c.audit();
}

TEST_CASE("a caller who hangs up while offered frees the agent for the next one", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  InteractionId next = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == alice);
  c.after(3s);
  c.ok(c.router.cancel(id, c.now));
  CHECK(c.events<AbandonedEvent>().size() == 1);
  CHECK(c.holder(next) == alice);
  CHECK(c.agent_state(alice).work == std::vector<InteractionId>{next});
  CHECK(c.stats("billing").offered_now == 1);
  c.audit();
}

TEST_CASE("assigned work cannot be cancelled", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  Status s = c.router.cancel(id, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK(c.interaction(id).state == InteractionState::kAssigned);
  c.audit();
}

TEST_CASE("an interaction waiting past the queue's maximum wait expires", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").max_wait(2min));
  const TimePoint arrival = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.router.next_deadline() == arrival + 2min);
  c.after(119s);
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  c.after(1s);
  auto expired = c.events<ExpiredEvent>();
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].interaction == id);
  CHECK(expired[0].waited == 2min);
  CHECK(c.router.live_count() == 0);
  CHECK(c.stats("billing").expired == 1);
  c.audit();
}

TEST_CASE("an interaction overflows to another queue keeping its place by arrival", "[lifecycle]") {
  Center c;
  c.add(a_queue("backup"));
  c.add(a_queue("billing").with_skill("billing", 5).overflow(30s, "backup"));
  AgentId alice = c.add(an_agent("alice"));  // serves backup only
  const TimePoint arrival = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(10s);
  InteractionId local = c.submit(a_call().to("backup"));
  CHECK(c.router.next_deadline() == arrival + 30s);
  c.after(20s);
  auto overflowed = c.events<OverflowedEvent>();
  REQUIRE(overflowed.size() == 1);
  CHECK(overflowed[0].interaction == id);
  CHECK(overflowed[0].from == c.queue("billing"));
  CHECK(overflowed[0].to == c.queue("backup"));
  InteractionSnapshot s = c.interaction(id);
  CHECK(s.queue == c.queue("backup"));
  CHECK(s.arrival == arrival);
  CHECK(s.queued_at == c.now);

  auto waiting = c.router.waiting(c.queue("backup"), 10);
  REQUIRE(waiting.ok());
  REQUIRE(waiting->size() == 2);
  CHECK((*waiting)[0].id == id);
  CHECK((*waiting)[1].id == local);
  c.login(alice);
  CHECK(c.holder(id) == alice);
  CHECK(c.stats("billing").left == 1);
  CHECK(c.stats("backup").arrived == 2);
  c.audit();
}

TEST_CASE("a transfer to a queue is offered there and not back to the agent who passed it on",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("tier1").with_skill("billing", 1));
  c.add(a_queue("tier2").with_skill("billing", 8));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 8));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("tier1"));
  c.accept(alice, id);
  c.router.clear_events();
  c.ok(c.router.transfer_to_queue(alice, id, c.queue("tier2"), c.now));
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].reason == RequeueReason::kTransferred);
  auto moved = c.events<MovedEvent>();
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].from == c.queue("tier1"));
  CHECK(moved[0].to == c.queue("tier2"));
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  CHECK(c.interaction(id).queue == c.queue("tier2"));
  c.login(bob);
  CHECK(c.holder(id) == bob);
  c.audit();
}

TEST_CASE("a transfer to a named agent waits for that agent and is offered when they are free",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").wrap_up(10s));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  AgentId carol = c.add(an_agent("carol"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.login(bob);
  InteractionId bobs = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(bobs) == bob);
  c.accept(bob, bobs);

  c.router.clear_events();
  c.ok(c.router.transfer_to_agent(alice, id, bob, c.now));
  auto transferred = c.events<TransferredToAgentEvent>();
  REQUIRE(transferred.size() == 1);
  CHECK(transferred[0].from == alice);
  CHECK(transferred[0].to == bob);
  InteractionSnapshot s = c.interaction(id);
  CHECK(s.state == InteractionState::kQueued);
  CHECK(s.target_agent == bob);

  // carol is free and able, but the interaction waits for bob.
  c.login(carol);
  CHECK(c.holder(id) == AgentId());
  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  bool carol_not_targeted = false;
  for (const IneligibleAgent& i : ex->ineligible) {
    if (i.agent == carol) carol_not_targeted = i.reason == Ineligibility::kNotTargeted;
  }
  CHECK(carol_not_targeted);

  c.complete(bob, bobs);
  CHECK(c.holder(id) == AgentId());  // wrap-up is not free
  c.after(10s);
  CHECK(c.holder(id) == bob);
  c.accept(bob, id);
  CHECK(c.interaction(id).state == InteractionState::kAssigned);
  c.audit();
}

TEST_CASE("a transfer to a named agent who rejects it goes to the general queue", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  AgentId carol = c.add(an_agent("carol"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.login(bob);
  c.ok(c.router.transfer_to_agent(alice, id, bob, c.now));
  REQUIRE(c.holder(id) == bob);
  CHECK(c.interaction(id).target_agent == bob);
  c.ok(c.router.set_not_ready(alice, "break", c.now));
  c.login(carol);
  CHECK(c.holder(id) == bob);
  c.reject(bob, id);
  InteractionSnapshot s = c.interaction(id);
  CHECK(s.target_agent == AgentId());
  CHECK(excludes(s, bob));
  CHECK(c.holder(id) == carol);
  c.audit();
}

TEST_CASE("a transfer declined by the named agent does not go back to the agent who passed it",
          "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  AgentId carol = c.add(an_agent("carol"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.login(bob);
  c.ok(c.router.transfer_to_agent(alice, id, bob, c.now));
  REQUIRE(c.holder(id) == bob);
  c.reject(bob, id);  // alice is free and ready, but passed it on: it waits for someone else
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  CHECK(excludes(c.interaction(id), alice));
  c.login(carol);
  CHECK(c.holder(id) == carol);
  c.audit();
}

TEST_CASE("transfers refuse a logged-out target or someone else's interaction", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  Status to_logged_out = c.router.transfer_to_agent(alice, id, bob, c.now);
  REQUIRE_FALSE(to_logged_out.ok());
  CHECK(to_logged_out.error().code == ErrorCode::kFailedPrecondition);
  CHECK_THAT(to_logged_out.error().message, Contains("to_agent"));
  Status to_self = c.router.transfer_to_agent(alice, id, alice, c.now);
  REQUIRE_FALSE(to_self.ok());
  CHECK(to_self.error().code == ErrorCode::kInvalidArgument);
  c.login(bob);
  Status not_bobs = c.router.transfer_to_queue(bob, id, c.queue("billing"), c.now);
  REQUIRE_FALSE(not_bobs.ok());
  CHECK(not_bobs.error().code == ErrorCode::kFailedPrecondition);
  CHECK(c.interaction(id).state == InteractionState::kAssigned);
  c.audit();
}

TEST_CASE("a supervisor raising a waiting interaction's priority serves it first", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice, /*ready=*/false);
  InteractionId first = c.submit(a_call().to("billing"));
  c.after(10s);
  InteractionId second = c.submit(a_call().to("billing"));
  c.ok(c.router.set_priority(second, 3, c.now));
  auto changed = c.events<PriorityChangedEvent>();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].interaction == second);
  CHECK(changed[0].priority == 3);
  CHECK(c.interaction(second).priority == 3);
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(second) == alice);
  CHECK(c.offer_of(second).points[Term::kPriority] == 90'000);  // 3 × 30
  CHECK(c.interaction(first).state == InteractionState::kQueued);

  Status bad = c.router.set_priority(first, 101, c.now);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  c.audit();
}

TEST_CASE("a supervisor move keeps the arrival time and routes in the new queue", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  c.add(a_queue("sales").with_skill("sales", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("sales", 5));
  c.login(alice);
  const TimePoint arrival = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  c.after(40s);
  c.ok(c.router.move(id, c.queue("sales"), c.now));
  auto moved = c.events<MovedEvent>();
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].from == c.queue("billing"));
  CHECK(moved[0].to == c.queue("sales"));
  CHECK(c.holder(id) == alice);
  CHECK(c.interaction(id).arrival == arrival);
  CHECK(c.offer_of(id).points[Term::kWait] == 4'000);
  CHECK(c.stats("billing").left == 1);
  CHECK(c.stats("sales").arrived == 1);
  c.audit();
}

TEST_CASE("a supervisor move of an offered interaction withdraws the offer", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  c.add(a_queue("sales").with_skill("sales", 5));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob").with_skill("sales", 5));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == alice);
  c.login(bob);
  c.router.clear_events();
  c.ok(c.router.move(id, c.queue("sales"), c.now));
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].reason == RequeueReason::kOfferWithdrawn);
  CHECK(c.agent_state(alice).state == AgentState::kReady);
  CHECK(c.holder(id) == bob);
  c.audit();
}

TEST_CASE("updated skills take effect on the agent's next decision", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 3));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.holder(id) == AgentId());
  c.ok(c.router.update_agent_skills(alice, {SkillLevel{c.skill("billing"), 6}}, c.now));
  CHECK(c.holder(id) == alice);
  c.accept(alice, id);
  c.complete(alice, id);
  c.ok(c.router.end_wrap_up(alice, id, c.now));
  // Taking the skill away keeps the next call from her.
  c.ok(c.router.update_agent_skills(alice, {}, c.now));
  InteractionId next = c.submit(a_call().to("billing"));
  CHECK(c.holder(next) == AgentId());
  CHECK(c.agent_state(alice).skills.empty());
  c.audit();
}

TEST_CASE("a graceful logout is refused while the agent holds assigned work", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing").wrap_up(30s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  Status s = c.router.logout(alice, LogoutMode::kGraceful, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK(c.agent_state(alice).state == AgentState::kBusy);
  CHECK(c.interaction(id).state == InteractionState::kAssigned);
  // In wrap-up it is allowed: the wrap-up ends with the logout.
  c.complete(alice, id);
  c.ok(c.router.logout(alice, LogoutMode::kGraceful, c.now));
  CHECK(c.agent_state(alice).state == AgentState::kLoggedOut);
  CHECK(c.router.live_count() == 0);
  CHECK(c.stats("billing").completed == 1);
  c.audit();
}

TEST_CASE("a forced logout requeues the agent's work keeping its arrival time", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  const TimePoint arrival = c.now;
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.accept(alice, id);
  c.after(1min);
  c.router.clear_events();
  c.ok(c.router.logout(alice, LogoutMode::kForced, c.now));
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].reason == RequeueReason::kAgentLoggedOut);
  CHECK(c.agent_state(alice).state == AgentState::kLoggedOut);
  CHECK(c.agent_state(alice).work.empty());
  InteractionSnapshot s = c.interaction(id);
  CHECK(s.state == InteractionState::kQueued);
  CHECK(s.arrival == arrival);
  c.login(bob);
  CHECK(c.holder(id) == bob);
  c.audit();
}

TEST_CASE("an agent going NOT_READY with an offer pending hands it back", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  c.router.clear_events();
  c.ok(c.router.set_not_ready(alice, "break", c.now));
  auto requeued = c.events<RequeuedEvent>();
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].reason == RequeueReason::kAgentNotReady);
  AgentSnapshot a = c.agent_state(alice);
  CHECK(a.state == AgentState::kNotReady);
  CHECK(a.not_ready_reason == "break");
  auto changes = c.events<AgentStateChangedEvent>();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].reason == "break");
  // Not a rejection: she gets it back when ready.
  CHECK_FALSE(excludes(c.interaction(id), alice));
  c.ok(c.router.set_ready(alice, c.now));
  CHECK(c.holder(id) == alice);
  c.audit();
}

TEST_CASE("agent commands check the agent's state", "[lifecycle]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  Status ready = c.router.set_ready(alice, c.now);
  REQUIRE_FALSE(ready.ok());
  CHECK(ready.error().code == ErrorCode::kFailedPrecondition);
  Status out = c.router.logout(alice, LogoutMode::kForced, c.now);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == ErrorCode::kFailedPrecondition);
  c.login(alice, /*ready=*/false);
  CHECK(c.agent_state(alice).state == AgentState::kNotReady);
  CHECK(c.agent_state(alice).not_ready_reason == "login");
  Status twice = c.router.login(alice, true, c.now);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kFailedPrecondition);
  Status unknown = c.router.login(AgentId(99), true, c.now);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  c.audit();
}

TEST_CASE("the lifecycle tables allow only the documented transitions", "[lifecycle]") {
  using S = InteractionState;
  const std::vector<std::pair<S, S>> legal = {
      {S::kReceived, S::kQueued},  {S::kQueued, S::kOffered},    {S::kQueued, S::kAbandoned},
      {S::kQueued, S::kExpired},   {S::kQueued, S::kQueued},     {S::kOffered, S::kQueued},
      {S::kOffered, S::kAssigned}, {S::kOffered, S::kAbandoned}, {S::kAssigned, S::kWrapUp},
      {S::kAssigned, S::kQueued},  {S::kWrapUp, S::kCompleted},
  };
  const std::vector<S> all = {S::kReceived, S::kQueued,    S::kOffered,   S::kAssigned,
                              S::kWrapUp,   S::kCompleted, S::kAbandoned, S::kExpired};
  for (S from : all) {
    for (S to : all) {
      const bool want = std::find(legal.begin(), legal.end(), std::pair(from, to)) != legal.end();
      INFO(to_string(from) << " -> " << to_string(to));
      CHECK(is_legal_transition(from, to) == want);
    }
  }

  using A = AgentState;
  CHECK(is_legal_transition(A::kLoggedOut, A::kReady));
  CHECK(is_legal_transition(A::kLoggedOut, A::kNotReady));
  CHECK_FALSE(is_legal_transition(A::kLoggedOut, A::kBusy));
  CHECK_FALSE(is_legal_transition(A::kLoggedOut, A::kReserved));
  CHECK(is_legal_transition(A::kReady, A::kReserved));
  CHECK_FALSE(is_legal_transition(A::kReady, A::kBusy));  // only through an offer
  CHECK(is_legal_transition(A::kReserved, A::kBusy));
  CHECK(is_legal_transition(A::kReserved, A::kNotReady));  // a missed offer
  CHECK(is_legal_transition(A::kBusy, A::kWrapUp));
  CHECK(is_legal_transition(A::kWrapUp, A::kReady));
  CHECK_FALSE(is_legal_transition(A::kNotReady, A::kBusy));
  CHECK_FALSE(is_legal_transition(A::kNotReady, A::kReserved));
  CHECK_FALSE(is_legal_transition(A::kReady, A::kReady));
  for (A from : {A::kNotReady, A::kReady, A::kReserved, A::kBusy, A::kWrapUp}) {
    CHECK(is_legal_transition(from, A::kLoggedOut));
  }
}

TEST_CASE("a rejected offer past an expansion step is routed at the expanded stage at once",
          "[lifecycle][expansion]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 8).expand(30s, 3).offer_timeout(5min));
  AgentId gina = c.add(an_agent("gina").with_skill("billing", 9));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(gina);
  c.login(bob);
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == gina);
  c.after(40s);  // in queue 40 s: the 30 s step (minimum 8 -> 5) is due
  c.reject(gina, id);
  // bob meets the relaxed minimum and is free: he should have it now, not at the next command.
  CHECK(c.interaction(id).stage == 1);
  CHECK(c.holder(id) == bob);
  CHECK(c.router.next_deadline() >= std::optional<TimePoint>(c.now));
  c.audit();
}

TEST_CASE("an interaction expires at max_wait when that comes before its overflow", "[lifecycle]") {
  // docs/routing.md: overflow_after moves it, max_wait expires it, whichever comes first.
  Center c;
  c.add(a_queue("backup"));
  c.add(a_queue("billing").with_skill("billing", 5).max_wait(60s).overflow(120s, "backup"));
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.router.next_deadline() == c.now + 60s);
  c.after(60s);
  auto expired = c.events<ExpiredEvent>();
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].interaction == id);
  CHECK(c.events<OverflowedEvent>().empty());
  CHECK_FALSE(c.router.interaction(id).ok());
  c.audit();
}

}  // namespace router::engine::testing

namespace router::engine::testing {

TEST_CASE(
    "a recovered interaction keeps the agents it excluded and its original arrival time, and "
    "unknown "
    "agent ids are dropped",
    "[lifecycle][recovery]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.after(60s);
  const TimePoint arrival = c.now - 45s;
  InteractionSpec s = c.spec(a_call().to("billing"));
  s.arrival = arrival;
  s.excluded = {alice, AgentId(999)};
  auto r = c.router.submit(s, c.now);
  REQUIRE(r.ok());
  InteractionSnapshot snap = c.interaction(s.id);
  CHECK(snap.arrival == arrival);
  CHECK(snap.excluded == std::vector<AgentId>{alice});

  c.login(alice);
  CHECK(c.holder(s.id) == AgentId());  // alice rejected it before the restart
  c.login(bob);
  CHECK(c.holder(s.id) == bob);
  c.audit();
}

}  // namespace router::engine::testing
