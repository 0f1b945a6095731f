// Idle agents added to a queue, the "reverse bullseye" (issue 19, row 4; docs/routing.md, "Idle
// agents added to a queue"): agents READY and holding nothing for at least the queue's
// add_idle_agents_after become eligible for its work without its skills, their skill fit counted
// as it is; an arrival may go to one, and one who reaches the threshold while the queue has
// work is offered it then, without another event. Every scenario runs in both match modes.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// billing needs billing 5 and adds agents idle for a minute; sam has sales only.
QueueBuilder billing() {
  return a_queue("billing")
      .with_skill("billing", 5)
      .add_idle_agents_after(std::chrono::seconds(60));
}

bool ranked(Center& c, InteractionId id, AgentId agent) {
  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  for (const RankedAgent& r : ex->eligible) {
    if (r.agent == agent) return true;
  }
  return false;
}

}  // namespace

TEST_CASE(
    "an agent outside a queue's skills is offered its waiting call when its idle time "
    "reaches the threshold, with no other event",
    "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  const TimePoint idle_from = c.now;
  c.after(std::chrono::seconds(10));
  const InteractionId call = c.submit(a_call().to("billing"));
  CHECK_FALSE(c.holder(call).valid());
  CHECK(c.why_not(call, sam) ==
        "missing skill billing (needs 5); taken once idle 60 s (the queue's "
        "add_idle_agents_after)");
  REQUIRE(c.router.next_deadline() == idle_from + std::chrono::seconds(60));
  c.after(std::chrono::milliseconds(49'999));
  CHECK_FALSE(c.holder(call).valid());
  c.audit();
  c.router.clear_events();
  c.after(std::chrono::milliseconds(1));
  REQUIRE(c.holder(call) == sam);
  // Skill fit as it is: billing at level 0 against a minimum of 5, at 0.5 points a level.
  CHECK(c.offer_of(call).points[Term::kSkillFit] == -5 * kPointsScale / 2);
  c.audit();
}

TEST_CASE("an arrival goes at once to an agent already idle past the threshold", "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  c.after(std::chrono::minutes(2));
  const InteractionId call = c.submit(a_call().to("billing"));
  CHECK(c.holder(call) == sam);
  c.audit();
}

TEST_CASE("a qualified agent still beats one added by the rule when it has more points",
          "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  const AgentId bea = c.add(an_agent("bea").with_skill("billing", 8));
  c.login(sam);
  c.after(std::chrono::seconds(5));
  c.login(bea);
  c.after(std::chrono::seconds(60));
  // sam: idle 65 s (13 points), fit -2.5; bea: idle 60 s (12 points), fit +1.5.
  const InteractionId call = c.submit(a_call().to("billing"));
  CHECK(c.holder(call) == bea);
  CHECK(ranked(c, call, sam));  // explain ranks him as eligible, by the rule
  const InteractionId next = c.submit(a_call().to("billing"));
  CHECK(c.holder(next) == sam);
  c.audit();
}

TEST_CASE("the rule keeps the queue's channels, the agent's capacity and the language rule",
          "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(a_queue("chinese")
            .with_skill("billing", 5)
            .language_required()
            .add_idle_agents_after(std::chrono::seconds(60)));
  c.add(billing().channels({Channel::kPhone}));
  const AgentId ann = c.add(an_agent("ann").speaks("en"));
  const AgentId mail = c.add(an_agent("mail").speaks("zh").capacity(Channel::kPhone, 0));
  c.login(ann);
  c.login(mail);
  c.after(std::chrono::minutes(5));
  const InteractionId zh = c.submit(a_call().to("chinese").language("zh"));
  const InteractionId call = c.submit(a_call().to("billing"));
  CHECK_FALSE(c.holder(zh).valid());  // ann does not speak it; mail takes no calls
  CHECK(c.holder(call) == ann);
  c.audit();
}

TEST_CASE("an agent holding work is not idle, and its idle time starts when it is done",
          "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(a_queue("sales").channels({Channel::kEmail}).wrap_up(Duration::zero()));
  c.add(billing().channels({Channel::kEmail}));
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  const InteractionId mine = c.submit(an_email().to("sales"));
  c.accept(sam, mine);
  c.after(std::chrono::minutes(5));  // room for four more emails, but not idle
  const InteractionId bill = c.submit(an_email().to("billing"));
  CHECK_FALSE(c.holder(bill).valid());
  c.complete(sam, mine);
  c.after(std::chrono::seconds(59));
  CHECK_FALSE(c.holder(bill).valid());
  c.after(std::chrono::seconds(1));
  CHECK(c.holder(bill) == sam);
  c.audit();
}

TEST_CASE("an agent added by the rule who rejects the interaction is not offered it again",
          "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  c.after(std::chrono::minutes(2));
  const InteractionId call = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(call) == sam);
  c.reject(sam, call);
  CHECK_FALSE(c.holder(call).valid());
  c.after(std::chrono::minutes(5));
  CHECK_FALSE(c.holder(call).valid());
  c.audit();
}

TEST_CASE(
    "the rule adds no deadline while its queue has nothing waiting, or when no queue "
    "sets it",
    "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  c.add(a_queue("plain").with_skill("billing", 5));
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  CHECK_FALSE(c.router.next_deadline().has_value());  // billing has nothing waiting
  const InteractionId call = c.submit(a_call().to("plain"));
  CHECK_FALSE(c.router.next_deadline().has_value());
  c.after(std::chrono::hours(1));
  CHECK_FALSE(c.holder(call).valid());
  c.audit();
}

TEST_CASE(
    "several agents reaching the threshold at once are offered the work longest idle "
    "first",
    "[idle-agents]") {
  Center c({}, any_match_mode());
  c.add(billing());
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  const AgentId tom = c.add(an_agent("tom").with_skill("sales", 7));
  c.login(tom);
  c.login(sam);
  const InteractionId first = c.submit(a_call().to("billing"));
  const InteractionId second = c.submit(a_call().to("billing"));
  c.after(std::chrono::minutes(1));
  CHECK(c.holder(first) == sam);  // equal idle time: the lower id first
  CHECK(c.holder(second) == tom);
  c.audit();
}

TEST_CASE("a queue given the rule by update_queue offers its work to agents already idle past it",
          "[idle-agents]") {
  Center c({}, any_match_mode());
  const QueueId q = c.add(a_queue("billing").with_skill("billing", 5));
  const AgentId sam = c.add(an_agent("sam").with_skill("sales", 7));
  c.login(sam);
  const InteractionId call = c.submit(a_call().to("billing"));
  c.after(std::chrono::minutes(2));
  CHECK_FALSE(c.holder(call).valid());
  QueueBuilder with_rule = billing();
  with_rule.cfg.required_skills = {SkillRequirement{c.skill("billing"), 5}};
  c.ok(c.router.update_queue(q, with_rule.cfg, c.now));
  CHECK(c.holder(call) == sam);
  c.audit();
}

TEST_CASE("add_idle_agents_after must be positive", "[idle-agents]") {
  Center c;
  QueueConfig q;
  q.name = "q";
  q.add_idle_agents_after = Duration::zero();
  auto r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message == "queue.add_idle_agents_after: must be > 0");
}

}  // namespace router::engine::testing
