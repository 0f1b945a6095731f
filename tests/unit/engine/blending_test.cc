// Blended agents (docs/routing.md, "Blended capacity and headroom"): a capacity budget that
// each held item's channel cost draws on, calls offered over other work when the center allows
// it, and headroom: while a queue is at risk, the agents who serve it take no new work of the
// channels it does not take.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

RouterConfig blended(bool call_over_other_work = false) {
  RouterConfig cfg;
  cfg.blending.cost = {100, 25, 35, 100};
  cfg.blending.call_over_other_work = call_over_other_work;
  return cfg;
}

}  // namespace

TEST_CASE("an agent's budget caps what she holds by the cost of each channel's items",
          "[blending]") {
  Center c(blended());
  c.add(a_queue("support").wrap_up(0s));
  // Email limit 5 by count, but a budget of 100 at 25 an email: four.
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kEmail, 5).budget(100));
  c.login(alice);
  std::vector<InteractionId> emails;
  for (int i = 0; i < 5; ++i) emails.push_back(c.submit(an_email().to("support")));
  for (int i = 0; i < 4; ++i) {
    REQUIRE(c.holder(emails[static_cast<size_t>(i)]) == alice);
    c.accept(alice, emails[static_cast<size_t>(i)]);
  }
  CHECK(c.holder(emails[4]) == AgentId());
  CHECK(c.why_not(emails[4], alice) ==
        "over its capacity budget (holds 100 of 100; email costs 25)");
  c.audit();

  c.complete(alice, emails[0]);
  CHECK(c.holder(emails[4]) == alice);
  c.audit();
}

TEST_CASE("channels mix within the budget: two chats and an email fit 100, a second email not",
          "[blending]") {
  Center c(blended());
  c.add(a_queue("support").wrap_up(0s));
  AgentId alice = c.add(an_agent("alice").budget(100));
  c.login(alice);
  const InteractionId chat1 = c.submit(a_chat().to("support"));
  c.accept(alice, chat1);
  const InteractionId chat2 = c.submit(a_chat().to("support"));
  c.accept(alice, chat2);
  const InteractionId email1 = c.submit(an_email().to("support"));
  REQUIRE(c.holder(email1) == alice);  // 70 + 25 = 95
  c.accept(alice, email1);
  const InteractionId email2 = c.submit(an_email().to("support"));
  CHECK(c.holder(email2) == AgentId());  // 95 + 25 > 100
  CHECK(c.why_not(email2, alice) == "over its capacity budget (holds 95 of 100; email costs 25)");
  // No budget: the counts alone (chat 3, email 5) decide, as before.
  AgentId bob = c.add(an_agent("bob"));
  c.login(bob);
  CHECK(c.holder(email2) == bob);
  c.audit();
}

TEST_CASE("a call goes to an agent holding other work only when the center allows it",
          "[blending]") {
  // Alice (budget `budget`) holds an email; then a call arrives.
  struct Scene {
    Center c;
    AgentId alice;
    InteractionId email, call;
    Scene(bool call_over_other_work, int budget) : c(blended(call_over_other_work)) {
      c.add(a_queue("support").wrap_up(0s));
      alice = c.add(an_agent("alice").budget(budget));
      c.login(alice);
      email = c.submit(an_email().to("support"));
      c.accept(alice, email);
      call = c.submit(a_call().to("support"));
    }
  };
  SECTION("not allowed (the default): she keeps her email, the call waits") {
    Scene s(false, 200);
    CHECK(s.c.holder(s.call) == AgentId());
    CHECK(s.c.why_not(s.call, s.alice) ==
          "holds other work (a call goes only to an agent holding nothing)");
    s.c.complete(s.alice, s.email);
    CHECK(s.c.holder(s.call) == s.alice);
    s.c.audit();
  }
  SECTION("allowed: the call comes over her email; while on it she gets nothing else") {
    Scene s(true, 200);
    REQUIRE(s.c.holder(s.call) == s.alice);  // 25 + 100 ≤ 200
    s.c.accept(s.alice, s.call);
    const InteractionId chat = s.c.submit(a_chat().to("support"));
    CHECK(s.c.holder(chat) == AgentId());
    CHECK(s.c.why_not(chat, s.alice) == "busy on a call");
    s.c.audit();
    s.c.complete(s.alice, s.call);
    CHECK(s.c.holder(chat) == s.alice);  // the email is still hers; 25 + 35 fits
    CHECK(s.c.holder(s.email) == s.alice);
    s.c.audit();
  }
  SECTION("allowed, but the budget has no room for a call beside her email") {
    Scene s(true, 100);
    CHECK(s.c.holder(s.call) == AgentId());
    CHECK(s.c.why_not(s.call, s.alice) ==
          "over its capacity budget (holds 25 of 100; phone costs 100)");
    s.c.audit();
  }
}

TEST_CASE(
    "headroom: while a phone queue's SL is under its bound, its blended agents take no new "
    "email, but agents it does not use do, and it lifts once SL recovers",
    "[blending][headroom]") {
  Center c;
  c.add(a_queue("voice")
            .channels({Channel::kPhone})
            .with_skill("voice", 5)
            .service_level(20s, 0.8)
            .short_abandon(5s)
            .wrap_up(0s)
            .reserve_agents_when_sl_under(0.8));
  c.add(a_queue("mail").channels({Channel::kEmail}).with_skill("mail", 1).wrap_up(0s));
  AgentId bob = c.add(an_agent("bob").with_skill("voice", 6).with_skill("mail", 5));
  AgentId eve = c.add(an_agent("eve").with_skill("voice", 2).with_skill("mail", 5));
  // Nothing in the window yet: no evidence, no reservation.
  c.after(2s);
  c.login(bob, /*ready=*/false);
  c.login(eve, /*ready=*/false);
  const InteractionId lost = c.submit(a_call().to("voice"));
  c.after(30s);
  c.router.clear_events();
  Center::ok(c.router.cancel(lost, c.now));  // abandoned after 30 s: SL 0 of 1
  c.after(kConditionRecheck);
  auto changed = c.events<HeadroomChangedEvent>();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].queue == c.queue("voice"));
  CHECK(changed[0].at_risk);

  const InteractionId email = c.submit(an_email().to("mail"));
  Center::ok(c.router.set_ready(bob, c.now));
  CHECK(c.holder(email) == AgentId());
  CHECK(c.why_not(email, bob) == "kept for queue voice (at risk): no new email work");
  // Eve does not meet voice's requirements: she is not held back.
  Center::ok(c.router.set_ready(eve, c.now));
  CHECK(c.holder(email) == eve);
  c.accept(eve, email);
  Center::ok(c.router.set_not_ready(eve, "break", c.now));
  // Bob takes calls, which are what the queue at risk needs.
  const InteractionId call = c.submit(a_call().to("voice"));
  CHECK(c.holder(call) == bob);
  c.accept(bob, call);
  c.complete(bob, call);
  c.audit();

  // Answered at once, four times: SL 4 of 5 = 0.8, not under 0.8. The next look lifts it and
  // bob takes the email waiting.
  for (int i = 0; i < 3; ++i) {
    const InteractionId next = c.submit(a_call().to("voice"));
    REQUIRE(c.holder(next) == bob);
    c.accept(bob, next);
    c.complete(bob, next);
  }
  const InteractionId email2 = c.submit(an_email().to("mail"));
  CHECK(c.holder(email2) == AgentId());  // bob is still kept for voice; eve is on a break
  c.router.clear_events();
  c.after(kConditionRecheck);
  changed = c.events<HeadroomChangedEvent>();
  REQUIRE(changed.size() == 1);
  CHECK_FALSE(changed[0].at_risk);
  CHECK(c.holder(email2) == bob);
  c.audit();
}

TEST_CASE("headroom on EWT: waiting calls past the bound keep blended agents off chats",
          "[blending][headroom]") {
  Center c;
  c.add(a_queue("voice")
            .channels({Channel::kPhone})
            .with_skill("voice", 5)
            .default_handle_time(60s)
            .wrap_up(0s)
            .reserve_agents_when_ewt_over(90s));
  c.add(a_queue("chat").channels({Channel::kWebChat}).wrap_up(0s));
  AgentId bob = c.add(an_agent("bob").with_skill("voice", 6));
  c.login(bob);
  // Two calls that need more than bob has wait; bob alone is staffed for the queue as
  // configured, so a new arrival's EWT is well over 90 s (60 s each ahead of it).
  const InteractionId hard1 = c.submit(a_call().to("voice").needs("voice", 9));
  const InteractionId hard2 = c.submit(a_call().to("voice").needs("voice", 9));
  c.router.clear_events();
  c.after(kConditionRecheck);
  REQUIRE(c.events<HeadroomChangedEvent>().size() == 1);
  // Bob is idle, but a chat waits: he is kept for voice.
  const InteractionId chat = c.submit(a_chat().to("chat"));
  CHECK(c.holder(chat) == AgentId());
  CHECK(c.why_not(chat, bob) == "kept for queue voice (at risk): no new web_chat work");
  c.audit();
  // The calls go away (abandoned); at the next look the EWT is low again and he takes the chat.
  Center::ok(c.router.cancel(hard1, c.now));
  Center::ok(c.router.cancel(hard2, c.now));
  c.after(kConditionRecheck);
  CHECK(c.holder(chat) == bob);
  c.audit();
}

TEST_CASE("a queue's headroom condition, the budget and the costs are checked, naming the field",
          "[blending]") {
  RouterConfig bad = blended();
  bad.blending.cost[static_cast<size_t>(Channel::kEmail)] = -1;
  auto created = Router::create(bad, MatchMode::kIndexed);
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().message == "blending.cost.email: must be 0..1000");

  Center c;
  QueueConfig q = a_queue("voice").reserve_agents_when_sl_under(1.5).cfg;
  auto added = c.router.add_queue(q);
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().message == "queue.reserve_agents_when.sl_under: must be in (0, 1]");
  q = a_queue("voice").reserve_agents_when_ewt_over(0s).cfg;
  added = c.router.add_queue(q);
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().message == "queue.reserve_agents_when.ewt_over: must be > 0");

  AgentProfile a = an_agent("alice").budget(-5).profile;
  auto agent = c.router.add_agent(a);
  REQUIRE_FALSE(agent.ok());
  CHECK(agent.error().message == "agent.capacity.budget: must be 0..100000");
}

TEST_CASE("restored work counts against the budget: past it, the restore is refused",
          "[blending]") {
  Center c(blended());
  c.add(a_queue("support").wrap_up(0s));
  AgentId alice = c.add(an_agent("alice").budget(60));
  c.login(alice);
  InteractionSpec chat = c.spec(a_chat().to("support"));
  Center::ok(c.router.restore_held(chat, alice, InteractionState::kAssigned, c.now));
  InteractionSpec email = c.spec(an_email().to("support"));
  Center::ok(c.router.restore_held(email, alice, InteractionState::kAssigned, c.now));  // 60
  InteractionSpec more = c.spec(an_email().to("support"));
  const Status refused = c.router.restore_held(more, alice, InteractionState::kAssigned, c.now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "agent: has no free capacity for email");
  c.audit();
}

}  // namespace router::engine::testing
