// Multi-offer (issue 19, row 1; docs/routing.md, "Multi-offer"): a queue's offer_to rings up to
// K eligible agents at once, the best by points first; the first accept wins and the other offers
// end with kTakenByOther; a reject, logout or not-ready ends that agent's offer only; the offers
// share one timeout; ring-all rings every eligible agent. Every scenario runs in both match modes.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// support rings three; a1..a4 have support 9, 8, 7, 6 (so a1 is best by skill fit), a5 lacks it.
struct Ringing {
  Center c;
  std::vector<AgentId> a;
  explicit Ringing(int offer_to = 3, MatchMode mode = MatchMode::kIndexed) : c({}, mode) {
    c.add(a_queue("support").with_skill("support", 1).offer_to(offer_to).offer_timeout(20s));
    c.add(a_queue("other").with_skill("support", 1));
    for (int i = 1; i <= 4; ++i) {
      a.push_back(c.add(an_agent("a" + std::to_string(i)).with_skill("support", 10 - i)));
    }
    a.push_back(c.add(an_agent("a5").with_skill("sales", 5)));
    for (AgentId id : a) c.login(id);
    c.router.clear_events();
  }
  std::vector<AgentId> ringing(InteractionId id) const { return c.interaction(id).offers; }
  AgentState state(AgentId id) const { return c.agent_state(id).state; }
};

std::vector<std::pair<AgentId, RequeueReason>> ended(const Center& c) {
  std::vector<std::pair<AgentId, RequeueReason>> out;
  for (const OfferEndedEvent& e : c.events<OfferEndedEvent>()) out.emplace_back(e.agent, e.reason);
  return out;
}

}  // namespace

TEST_CASE("a call rings the three best agents at once, best first, with one expiry",
          "[multi-offer]") {
  Ringing r(3, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[0], r.a[1], r.a[2]});
  const auto offers = r.c.events<OfferedEvent>();
  REQUIRE(offers.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(offers[i].agent == r.a[i]);
    CHECK(offers[i].expires == r.c.now + 20s);
  }
  CHECK(offers[0].points.total() > offers[1].points.total());
  CHECK(r.state(r.a[0]) == AgentState::kReserved);
  CHECK(r.state(r.a[2]) == AgentState::kReserved);
  CHECK(r.state(r.a[3]) == AgentState::kReady);
  CHECK(r.c.interaction(call).agent == r.a[0]);  // the snapshot names the best
  CHECK(r.c.stats("support").offered_now == 1);  // one interaction, three offers
  r.c.audit();
}

TEST_CASE("the first accept wins: the others' offers end and they take the next call",
          "[multi-offer]") {
  Ringing r(3, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  const InteractionId next = r.c.submit(a_call().to("support"));  // rings a4 only
  CHECK(r.ringing(next) == std::vector<AgentId>{r.a[3]});
  r.c.router.clear_events();
  r.c.accept(r.a[1], call);  // not the best: whoever answers first gets it
  CHECK(r.c.interaction(call).state == InteractionState::kAssigned);
  CHECK(r.c.interaction(call).agent == r.a[1]);
  CHECK(r.c.interaction(call).offers.empty());
  CHECK(ended(r.c) ==
        std::vector<std::pair<AgentId, RequeueReason>>{{r.a[0], RequeueReason::kTakenByOther},
                                                       {r.a[2], RequeueReason::kTakenByOther}});
  REQUIRE(r.c.events<AssignedEvent>().size() == 1);
  CHECK(r.c.events<RequeuedEvent>().empty());
  // Freed, a1 and a3 are READY again: nothing else waits (the next call rings a4 already).
  CHECK(r.state(r.a[0]) == AgentState::kReady);
  CHECK(r.state(r.a[2]) == AgentState::kReady);
  // A late accept from a withdrawn agent is refused and changes nothing.
  const Status late = r.c.router.accept(r.a[0], call, r.c.now);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kFailedPrecondition);
  CHECK(late.error().message.find("taken by another agent") != std::string::npos);
  CHECK(r.c.interaction(call).agent == r.a[1]);
  r.c.audit();
}

TEST_CASE("a reject ends only that agent's offer and the last one to end requeues it",
          "[multi-offer]") {
  Ringing r(3, any_match_mode());
  r.c.ok(r.c.router.set_not_ready(r.a[3], "break", r.c.now));  // no fourth agent to ring
  const InteractionId call = r.c.submit(a_call().to("support"));
  r.c.router.clear_events();
  r.c.reject(r.a[0], call);
  CHECK(r.c.interaction(call).state == InteractionState::kOffered);
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[1], r.a[2]});
  CHECK(ended(r.c) ==
        std::vector<std::pair<AgentId, RequeueReason>>{{r.a[0], RequeueReason::kRejected}});
  CHECK(r.state(r.a[0]) == AgentState::kReady);  // free for other work, never this call again
  CHECK(r.c.why_not(call, r.a[0]) == "rejected, missed or transferred away this interaction");
  r.c.reject(r.a[1], call);
  r.c.router.clear_events();
  r.c.reject(r.a[2], call);  // the last: back in the queue, nobody left who has not declined
  CHECK(ended(r.c).empty());
  REQUIRE(r.c.events<RequeuedEvent>().size() == 1);
  CHECK(r.c.events<RequeuedEvent>()[0].agent == r.a[2]);
  CHECK(r.c.interaction(call).state == InteractionState::kQueued);
  // a4 comes back: it rings a4 alone.
  r.c.ok(r.c.router.set_ready(r.a[3], r.c.now));
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[3]});
  r.c.audit();
}

TEST_CASE("nobody answers: every ringing agent missed it and it rings the next ones",
          "[multi-offer]") {
  Ringing r(2, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[0], r.a[1]});
  r.c.router.clear_events();
  r.c.after(20s);
  CHECK(ended(r.c) ==
        std::vector<std::pair<AgentId, RequeueReason>>{{r.a[0], RequeueReason::kOfferTimeout}});
  REQUIRE(r.c.events<RequeuedEvent>().size() == 1);
  CHECK(r.c.events<RequeuedEvent>()[0].reason == RequeueReason::kOfferTimeout);
  CHECK(r.state(r.a[0]) == AgentState::kNotReady);
  CHECK(r.state(r.a[1]) == AgentState::kNotReady);
  CHECK(r.c.agent_state(r.a[0]).not_ready_reason == "missed");
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[2], r.a[3]});
  r.c.audit();
}

TEST_CASE("ring-all rings every eligible agent and nobody else", "[multi-offer]") {
  Ringing r(kOfferToAll, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[0], r.a[1], r.a[2], r.a[3]});  // not a5
  r.c.accept(r.a[3], call);
  CHECK(ended(r.c).size() == 3);
  CHECK(r.c.interaction(call).agent == r.a[3]);
  r.c.audit();
}

TEST_CASE("a caller who hangs up while several phones ring frees them all", "[multi-offer]") {
  Ringing r(3, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  const InteractionId other = r.c.submit(a_call().to("other"));  // a4 takes it
  CHECK(r.c.interaction(other).agent == r.a[3]);
  r.c.ok(r.c.router.cancel(call, r.c.now));
  for (int i = 0; i < 3; ++i) CHECK(r.state(r.a[static_cast<size_t>(i)]) == AgentState::kReady);
  CHECK(r.c.stats("support").offered_now == 0);
  CHECK(r.c.stats("support").abandoned == 1);
  r.c.audit();
}

TEST_CASE("one ringing agent logging out or going not ready leaves the others ringing",
          "[multi-offer]") {
  Ringing r(3, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  r.c.router.clear_events();
  SECTION("logout") {
    r.c.ok(r.c.router.logout(r.a[1], LogoutMode::kForced, r.c.now));
    CHECK(ended(r.c) ==
          std::vector<std::pair<AgentId, RequeueReason>>{{r.a[1], RequeueReason::kAgentLoggedOut}});
  }
  SECTION("not ready") {
    r.c.ok(r.c.router.set_not_ready(r.a[1], "break", r.c.now));
    CHECK(ended(r.c) ==
          std::vector<std::pair<AgentId, RequeueReason>>{{r.a[1], RequeueReason::kAgentNotReady}});
  }
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[0], r.a[2]});
  CHECK(r.c.events<RequeuedEvent>().empty());
  r.c.accept(r.a[2], call);
  CHECK(r.c.interaction(call).agent == r.a[2]);
  r.c.audit();
}

TEST_CASE("a supervisor's move withdraws every offer", "[multi-offer]") {
  Ringing r(3, any_match_mode());
  const InteractionId call = r.c.submit(a_call().to("support"));
  r.c.router.clear_events();
  r.c.ok(r.c.router.move(call, r.c.queue("other"), r.c.now));
  CHECK(ended(r.c).size() == 2);
  REQUIRE(r.c.events<RequeuedEvent>().size() == 1);
  CHECK(r.c.events<RequeuedEvent>()[0].reason == RequeueReason::kOfferWithdrawn);
  // "other" rings one agent at a time: the best of the four, a1, again.
  CHECK(r.ringing(call) == std::vector<AgentId>{r.a[0]});
  r.c.audit();
}

TEST_CASE("a freed agent and a preferred-agent hold each get an offer alone", "[multi-offer]") {
  const MatchMode mode = any_match_mode();
  SECTION("decision 2: the agent freed takes the waiting call by itself") {
    Ringing r(3, mode);
    for (AgentId id : r.a) r.c.ok(r.c.router.set_not_ready(id, "break", r.c.now));
    const InteractionId call = r.c.submit(a_call().to("support"));
    r.c.ok(r.c.router.set_ready(r.a[2], r.c.now));
    CHECK(r.ringing(call) == std::vector<AgentId>{r.a[2]});
    r.c.audit();
  }
  SECTION("a hold rings its agent only") {
    Center c({}, mode);
    c.add(a_queue("support").offer_to(3).hold_for_agent(30s));
    const AgentId ana = c.add(an_agent("ana"));
    const AgentId ben = c.add(an_agent("ben"));
    c.login(ben);
    c.login(ana);
    const InteractionId call = c.submit(a_call().to("support").preferred_agent("ana"));
    CHECK(c.interaction(call).offers == std::vector<AgentId>{ana});
    c.audit();
  }
}

TEST_CASE("offer_to below one is refused, naming the field", "[multi-offer]") {
  Center c;
  QueueConfig q;
  q.name = "bad";
  q.offer_to = 0;
  const auto r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.offer_to: must be at least 1");
}

}  // namespace router::engine::testing
