// Points: every term of the score as the Offered event's breakdown shows it, per-queue weights,
// and explain()'s ranking and reasons. Points are thousandths (kPointsScale); the defaults of
// Weights and PointsRules give the numbers below.
#include <cmath>

#include "engine/builders.h"

namespace router::engine::testing {

using Catch::Contains;

namespace {

Points points(double p) { return std::llround(p * kPointsScale); }

const IneligibleAgent* reason_for(const Explanation& ex, AgentId a) {
  for (const IneligibleAgent& i : ex.ineligible) {
    if (i.agent == a) return &i;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("skill fit is the weight times the levels above each required minimum", "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 8).with_skill("tax", 6));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing").needs("tax", 3));
  const Breakdown b = c.offer_of(id).points;
  CHECK(b[Term::kSkillFit] == points(0.5 * ((8 - 5) + (6 - 3))));
  CHECK(b[Term::kWait] == 0);
  CHECK(b[Term::kIdle] == 0);
  CHECK(b[Term::kLoad] == 0);
  CHECK(b.total() == b[Term::kSkillFit] + b[Term::kCustomerValue] + b[Term::kPriority]);
  c.audit();
}

TEST_CASE("segment points rank strategic over profitable over ordinary over risk", "[points]") {
  auto value_of = [](Segment s) {
    Center c;
    c.add(a_queue("sales"));
    AgentId alice = c.add(an_agent("alice"));
    c.login(alice);
    InteractionId id = c.submit(a_call().to("sales").segment(s));
    c.audit();
    return c.offer_of(id).points[Term::kCustomerValue];
  };
  const Points strategic = value_of(Segment::kStrategic);
  const Points profitable = value_of(Segment::kProfitable);
  const Points ordinary = value_of(Segment::kOrdinary);
  const Points risk = value_of(Segment::kRisk);
  CHECK(strategic == points(30));
  CHECK(profitable == points(20));
  CHECK(ordinary == 0);
  CHECK(risk == points(-10));
  CHECK(strategic > profitable);
  CHECK(profitable > ordinary);
  CHECK(ordinary > risk);
}

TEST_CASE("lifetime value adds points in proportion to the cap, capped at ltv_points", "[points]") {
  auto value_of = [](Segment s, double ltv) {
    Center c;
    c.add(a_queue("sales"));
    c.login(c.add(an_agent("alice")));
    InteractionId id = c.submit(a_call().to("sales").segment(s).lifetime_value(ltv));
    return c.offer_of(id).points[Term::kCustomerValue];
  };
  CHECK(value_of(Segment::kOrdinary, 0) == 0);
  CHECK(value_of(Segment::kOrdinary, 50'000) == points(5));
  CHECK(value_of(Segment::kOrdinary, 100'000) == points(10));
  CHECK(value_of(Segment::kOrdinary, 5'000'000) == points(10));
  CHECK(value_of(Segment::kStrategic, 100'000) == points(40));
}

TEST_CASE("priority points are the weight times interaction plus queue priority", "[points]") {
  Center c;
  c.add(a_queue("vip").priority(3));
  c.login(c.add(an_agent("alice")));
  InteractionId id = c.submit(a_call().to("vip").priority(4));
  CHECK(c.offer_of(id).points[Term::kPriority] == points(30.0 * (4 + 3)));
}

TEST_CASE("wait points grow with the time since arrival", "[points]") {
  Center c;
  c.add(a_queue("billing").service_level(20s, 0.8).offer_timeout(10min));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  InteractionId first = c.submit(a_call().to("billing"));
  c.after(10s);
  c.login(alice);
  const Breakdown early = c.offer_of(first).points;
  CHECK(early[Term::kWait] == points(0.1 * 10));
  CHECK(early[Term::kServiceLevel] == 0);

  InteractionId second = c.submit(a_call().to("billing"));
  c.after(30s);
  c.login(bob);
  const Breakdown late = c.offer_of(second).points;
  CHECK(late[Term::kWait] == points(0.1 * 30));
  CHECK(late[Term::kWait] > early[Term::kWait]);
  CHECK(late[Term::kServiceLevel] == points(20));  // past the threshold: full pressure
  c.audit();
}

TEST_CASE("service-level pressure ramps from 80% of the threshold to full at it", "[points]") {
  Center c;
  c.add(a_queue("billing").service_level(100s, 0.8).offer_timeout(10min));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == alice);

  auto pressure_at = [&](Duration waited) {
    auto ex = c.router.explain(id, t0 + waited);
    REQUIRE(ex.ok());
    REQUIRE(ex->eligible.size() == 1);
    return ex->eligible[0].points;
  };
  CHECK(pressure_at(50s)[Term::kServiceLevel] == 0);
  CHECK(pressure_at(80s)[Term::kServiceLevel] == 0);
  CHECK(pressure_at(90s)[Term::kServiceLevel] == points(10));
  CHECK(pressure_at(95s)[Term::kServiceLevel] == points(15));
  CHECK(pressure_at(100s)[Term::kServiceLevel] == points(20));
  CHECK(pressure_at(150s)[Term::kServiceLevel] == points(20));
  CHECK(pressure_at(150s)[Term::kWait] == points(15));
  c.audit();
}

TEST_CASE("urgency is the wait as a share of the queue's own threshold, up to the cap",
          "[points]") {
  Center c;
  c.add(
      a_queue("billing").service_level(100s, 0.8).offer_timeout(10min).weight(Term::kUrgency, 10));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  const TimePoint t0 = c.now;
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == alice);
  auto at = [&](Duration waited) {
    auto ex = c.router.explain(id, t0 + waited);
    REQUIRE(ex.ok());
    REQUIRE(ex->eligible.size() == 1);
    return ex->eligible[0].points;
  };
  CHECK(at(0s)[Term::kUrgency] == 0);
  CHECK(at(50s)[Term::kUrgency] == points(5));
  CHECK(at(100s)[Term::kUrgency] == points(10));
  CHECK(at(250s)[Term::kUrgency] == points(25));  // past the threshold it keeps growing
  CHECK(at(300s)[Term::kUrgency] == points(30));
  CHECK(at(1000s)[Term::kUrgency] == points(30));  // up to points.urgency_cap (3 thresholds)
  // The other wait terms are what they were.
  CHECK(at(100s)[Term::kServiceLevel] == points(20));
  CHECK(at(100s)[Term::kWait] == points(10));
  CHECK(at(100s).total() == points(10 + 20 + 10) + at(100s)[Term::kIdle]);
  c.audit();
}

TEST_CASE("urgency compares channels by their own targets where seconds waited cannot",
          "[points]") {
  // One agent for a voice queue (80% in 20 s) and an email queue (80% in 4 h).
  struct Case {
    Duration email_waited, call_waited;
    bool urgency;      // the queues' weights: urgency alone, or the defaults
    bool email_first;  // who the agent gets when it logs in
  };
  const Case cases[] = {
      {2h, 18s, true, false},        // call at 0.9 of its target, email at 0.5: the call
      {3h + 54min, 0s, true, true},  // email at 0.975, a fresh call: the email
      {2h, 18s, false, true},        // default weights: 720 points of waiting beat the call's
      {10min, 19s, false, true},     // even a 10-minute email beats a call about to breach
  };
  for (const Case& k : cases) {
    INFO("email waited " << k.email_waited.count() << " ms, call " << k.call_waited.count()
                         << " ms, urgency " << k.urgency);
    for (MatchMode mode : {MatchMode::kIndexed, MatchMode::kNaiveScan}) {
      INFO((mode == MatchMode::kIndexed ? "indexed" : "naive"));
      Center c({}, mode);
      auto weights = [&](QueueBuilder q) {
        if (!k.urgency) return q;
        return q.weight(Term::kWait, 0).weight(Term::kServiceLevel, 0).weight(Term::kUrgency, 100);
      };
      c.add(weights(a_queue("voice").channels({Channel::kPhone}).service_level(20s, 0.8)));
      c.add(weights(a_queue("mail").channels({Channel::kEmail}).service_level(4h, 0.8)));
      AgentId alice = c.add(an_agent("alice"));
      InteractionId mail = c.submit(an_email().to("mail"));
      c.after(k.email_waited - k.call_waited);
      InteractionId call = c.submit(a_call().to("voice"));
      c.after(k.call_waited);
      c.login(alice);
      CHECK(c.holder(k.email_first ? mail : call) == alice);
      c.audit();
    }
  }
}

TEST_CASE("idle points grow with the agent's idle time up to the cap", "[points]") {
  Center c;
  c.add(a_queue("billing"));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  SECTION("one minute idle") {
    c.after(60s);
    InteractionId id = c.submit(a_call().to("billing"));
    CHECK(c.offer_of(id).points[Term::kIdle] == points(0.2 * 60));
  }
  SECTION("two hours idle count as the 30-minute cap") {
    c.after(2h);
    InteractionId id = c.submit(a_call().to("billing"));
    CHECK(c.offer_of(id).points[Term::kIdle] == points(0.2 * 30 * 60));
  }
  c.audit();
}

TEST_CASE("the customer's preferred agent earns the affinity weight and wins the call",
          "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(alice);
  c.login(bob);
  InteractionId id = c.submit(a_call().to("billing").preferred_agent("bob"));
  REQUIRE(c.holder(id) == bob);
  const Breakdown b = c.offer_of(id).points;
  CHECK(b[Term::kAffinity] == points(25));
  CHECK(b[Term::kSkillFit] == 0);
  c.audit();
}

TEST_CASE("the customer's last agent earns the last-agent share of the affinity weight",
          "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5));
  c.login(alice);
  c.login(bob);
  SECTION("the last agent wins over a better-skilled one") {
    InteractionId id = c.submit(a_call().to("billing").last_agent("bob"));
    REQUIRE(c.holder(id) == bob);
    CHECK(c.offer_of(id).points[Term::kAffinity] == points(25 * 0.6));
  }
  SECTION("the preferred agent outranks the last agent") {
    InteractionId id = c.submit(a_call().to("billing").last_agent("alice").preferred_agent("bob"));
    REQUIRE(c.holder(id) == bob);
    auto ex = c.router.explain(id, c.now);
    REQUIRE(ex.ok());
    REQUIRE(ex->eligible.size() == 2);
    CHECK(ex->eligible[1].agent == alice);
    CHECK(ex->eligible[1].points[Term::kAffinity] == points(15));
  }
  c.audit();
}

TEST_CASE("an agent speaking the interaction's language earns the language bonus", "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9).speaks("en"));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 5).speaks("zh"));
  c.login(alice);
  c.login(bob);
  InteractionId id = c.submit(a_call().to("billing").language("zh"));
  REQUIRE(c.holder(id) == bob);  // 10 language points beat 8 skill-fit points
  CHECK(c.offer_of(id).points[Term::kLanguage] == points(10));
  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  REQUIRE(ex->eligible.size() == 2);
  CHECK(ex->eligible[1].agent == alice);
  CHECK(ex->eligible[1].points[Term::kLanguage] == 0);
  c.audit();
}

TEST_CASE("a multi-channel agent holding work gets a load penalty per item held", "[points]") {
  Center c;
  c.add(a_queue("chat").channels({Channel::kWebChat}));
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWebChat, 3));
  c.login(alice);
  InteractionId first = c.submit(a_chat().to("chat"));
  CHECK(c.offer_of(first).points[Term::kLoad] == 0);
  c.accept(alice, first);
  InteractionId second = c.submit(a_chat().to("chat"));
  CHECK(c.offer_of(second).points[Term::kLoad] == points(-5));
  c.accept(alice, second);
  InteractionId third = c.submit(a_chat().to("chat"));
  CHECK(c.offer_of(third).points[Term::kLoad] == points(-10));
  c.audit();
}

TEST_CASE("an offer's breakdown shows every term and its total is their sum", "[points]") {
  Center c;
  c.add(a_queue("chat")
            .channels({Channel::kWebChat})
            .with_skill("billing", 5)
            .priority(1)
            .service_level(20s, 0.8));
  AgentId alice =
      c.add(an_agent("alice").with_skill("billing", 7).speaks("en").capacity(Channel::kWebChat, 3));
  c.login(alice);
  InteractionId held = c.submit(a_chat().to("chat"));
  c.accept(alice, held);
  c.ok(c.router.set_not_ready(alice, "break", c.now));
  InteractionId id = c.submit(a_chat()
                                  .to("chat")
                                  .segment(Segment::kStrategic)
                                  .lifetime_value(50'000)
                                  .priority(2)
                                  .language("en")
                                  .preferred_agent("alice"));
  c.after(18s);
  c.ok(c.router.set_ready(alice, c.now));
  REQUIRE(c.holder(id) == alice);
  const Breakdown b = c.offer_of(id).points;
  CHECK(b[Term::kSkillFit] == points(1));  // 2 levels × 0.5
  CHECK(b[Term::kCustomerValue] == points(35));
  CHECK(b[Term::kPriority] == points(90));  // (2 + 1) × 30
  CHECK(b[Term::kWait] == points(1.8));
  CHECK(b[Term::kServiceLevel] == points(10));  // 18 s is half-way from 16 s to 20 s
  CHECK(b[Term::kIdle] == points(3.6));         // idle since the last accept: 18 s × 0.2
  CHECK(b[Term::kAffinity] == points(25));
  CHECK(b[Term::kLanguage] == points(10));
  CHECK(b[Term::kLoad] == points(-5));
  CHECK(b.total() == points(171.4));
  c.audit();
}

TEST_CASE("per-queue weights override the router's default weights", "[points]") {
  RouterConfig cfg;
  cfg.default_weights[Term::kPriority] = 1.0;
  cfg.default_weights[Term::kSkillFit] = 0.5;
  Center c(cfg);
  c.add(a_queue("plain").with_skill("billing", 5));
  c.add(a_queue("tuned").with_skill("billing", 5).weight(Term::kPriority, 3.0));
  c.add(a_queue("muted").with_skill("billing", 5).weight(Term::kPriority, 0.0));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 9));
  c.login(alice);

  auto offered = [&](const std::string& queue) {
    InteractionId id = c.submit(a_call().to(queue).priority(5));
    Breakdown b = c.offer_of(id).points;
    c.ok(c.router.reject(alice, id, c.now));
    c.ok(c.router.cancel(id, c.now));
    return b;
  };
  const Breakdown plain = offered("plain");
  CHECK(plain[Term::kPriority] == points(5));
  CHECK(plain[Term::kSkillFit] == points(2));
  const Breakdown tuned = offered("tuned");
  CHECK(tuned[Term::kPriority] == points(15));
  CHECK(tuned[Term::kSkillFit] == points(2));  // terms the queue does not set keep the default
  CHECK(offered("muted")[Term::kPriority] == 0);
  c.audit();
}

TEST_CASE("explain ranks eligible agents best first with the breakdown the offer carried",
          "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 6));
  AgentId bob = c.add(an_agent("bob").with_skill("billing", 9));
  AgentId carol = c.add(an_agent("carol").with_skill("billing", 7));
  c.login(alice);
  c.login(bob);
  c.login(carol);
  c.after(10s);
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == bob);

  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  CHECK(ex->interaction == id);
  CHECK(ex->queue == c.queue("billing"));
  CHECK(ex->state == InteractionState::kOffered);
  CHECK(ex->stage == 0);
  REQUIRE(ex->effective_skills.size() == 1);
  CHECK(ex->effective_skills[0].min_level == 5);
  CHECK(ex->ineligible.empty());
  REQUIRE(ex->eligible.size() == 3);
  CHECK(ex->eligible[0].agent == bob);
  CHECK(ex->eligible[1].agent == carol);
  CHECK(ex->eligible[2].agent == alice);
  CHECK(ex->eligible[0].points.total() == c.offer_of(id).points.total());
  CHECK(ex->eligible[0].points.term == c.offer_of(id).points.term);
  CHECK(ex->eligible[0].points.total() > ex->eligible[1].points.total());
  CHECK(ex->eligible[1].points.total() > ex->eligible[2].points.total());
  CHECK(ex->eligible[1].points[Term::kSkillFit] == points(1));
  CHECK(ex->eligible[2].points[Term::kSkillFit] == points(0.5));
  c.audit();
}

TEST_CASE("explain names why each logged-in agent cannot take the interaction", "[points]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5).language_required().offer_timeout(5min));
  c.add(a_queue("sales").with_skill("sales", 1));
  AgentId bob = c.add(an_agent("bob").with_skill("sales", 5).speaks("en"));
  AgentId carol = c.add(an_agent("carol").with_skill("billing", 3).speaks("en"));
  AgentId dave = c.add(an_agent("dave").with_skill("billing", 7).speaks("fr"));
  AgentId erin = c.add(an_agent("erin").with_skill("billing", 7).speaks("en"));
  AgentId frank = c.add(an_agent("frank").with_skill("billing", 7).speaks("en"));
  AgentId gina = c.add(an_agent("gina").with_skill("billing", 9).speaks("en"));
  AgentId hank =
      c.add(an_agent("hank").with_skill("sales", 5).with_skill("billing", 7).speaks("en"));
  AgentId ivan = c.add(an_agent("ivan").with_skill("billing", 9).speaks("en"));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 7).speaks("en"));

  // frank is on a call.
  c.login(frank);
  InteractionId call = c.submit(a_call().to("billing").language("en"));
  REQUIRE(c.holder(call) == frank);
  c.accept(frank, call);
  // hank has an offer pending from sales.
  c.login(hank);
  InteractionId pending = c.submit(a_call().to("sales"));
  REQUIRE(c.holder(pending) == hank);
  // gina declines the interaction under test.
  c.login(gina);
  InteractionId id = c.submit(a_call().to("billing").language("en"));
  REQUIRE(c.holder(id) == gina);
  c.reject(gina, id);
  // The rest log in; only alice can take it.
  c.login(bob);
  c.login(carol);
  c.login(dave);
  c.login(erin, /*ready=*/false);
  c.login(alice);
  REQUIRE(c.holder(id) == alice);

  auto ex = c.router.explain(id, c.now);
  REQUIRE(ex.ok());
  REQUIRE(ex->eligible.size() == 1);
  CHECK(ex->eligible[0].agent == alice);
  CHECK(ex->ineligible.size() == 7);
  CHECK(reason_for(*ex, ivan) == nullptr);  // logged out: not listed
  struct Want {
    AgentId agent;
    Ineligibility reason;
    const char* detail;
  };
  const std::vector<Want> wants = {
      {bob, Ineligibility::kMissingSkill, "missing skill billing"},
      {carol, Ineligibility::kSkillBelowLevel, "skill billing at 3 below level 5"},
      {dave, Ineligibility::kLanguage, "does not speak en"},
      {erin, Ineligibility::kNotReady, "not ready: login"},
      {frank, Ineligibility::kChannel, "busy on a call"},
      {gina, Ineligibility::kAlreadyRejected, "rejected"},
      {hank, Ineligibility::kOfferPending, "offer"},
  };
  for (const Want& w : wants) {
    const IneligibleAgent* got = reason_for(*ex, w.agent);
    INFO("agent " << c.agent_state(w.agent).name);
    REQUIRE(got != nullptr);
    CHECK(got->reason == w.reason);
    CHECK_THAT(got->detail, Contains(w.detail));
  }
  c.audit();
}

TEST_CASE("explain reports an agent whose channel is full as having no capacity", "[points]") {
  Center c;
  c.add(a_queue("chat").channels({Channel::kWebChat}));
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWebChat, 1));
  c.login(alice);
  InteractionId first = c.submit(a_chat().to("chat"));
  c.accept(alice, first);
  InteractionId second = c.submit(a_chat().to("chat"));
  CHECK(c.interaction(second).state == InteractionState::kQueued);
  auto ex = c.router.explain(second, c.now);
  REQUIRE(ex.ok());
  CHECK(ex->eligible.empty());
  REQUIRE(ex->ineligible.size() == 1);
  CHECK(ex->ineligible[0].reason == Ineligibility::kChannel);
  CHECK_THAT(ex->ineligible[0].detail, Contains("no free web_chat capacity"));
  c.audit();
}

}  // namespace router::engine::testing

namespace router::engine::testing {

TEST_CASE("with only the handled weight the agent who completed fewest gets the call", "[points]") {
  Center c;
  Weights fewest_calls;
  fewest_calls.w.fill(0.0);
  fewest_calls[Term::kHandled] = 1.0;
  c.add(a_queue("billing").weights(fewest_calls).wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.login(alice);
  for (int i = 0; i < 2; ++i) {  // alice handles two calls while bob is away
    InteractionId id = c.submit(a_call().to("billing"));
    REQUIRE(c.holder(id) == alice);
    c.accept(alice, id);
    c.complete(alice, id);
  }
  c.login(bob);
  c.after(1s);  // bob is now the most recently idle: only the handled term favours him
  InteractionId id = c.submit(a_call().to("billing"));
  CHECK(c.holder(id) == bob);
  CHECK(c.offer_of(id).points[Term::kHandled] == 0);
  c.audit();
}

TEST_CASE("with only the round-robin weight the agents take turns in a circle", "[points]") {
  for (MatchMode mode : {MatchMode::kIndexed, MatchMode::kNaiveScan}) {
    INFO((mode == MatchMode::kIndexed ? "indexed" : "naive"));
    Center c({}, mode);
    Weights only;
    only.w.fill(0.0);
    only[Term::kRoundRobin] = 1.0;
    c.add(a_queue("sales").weights(only).wrap_up(0s));
    std::vector<AgentId> agents;
    for (const char* name : {"a0", "a1", "a2"}) agents.push_back(c.add(an_agent(name)));
    for (AgentId a : agents) c.login(a);
    // Every agent free each time: the rotation alone decides, a0, a1, a2, a0, ...
    for (int call = 0; call < 7; ++call) {
      INFO("call " << call);
      InteractionId id = c.submit(a_call().to("sales"));
      const AgentId expected = agents[static_cast<size_t>(call % 3)];
      REQUIRE(c.holder(id) == expected);
      // The one offered got the whole weight; the next in the circle would have had 2/3.
      CHECK(c.offer_of(id).points[Term::kRoundRobin] == points(1.0));
      c.accept(expected, id);
      c.complete(expected, id);
    }
    // A busy agent is skipped, and the circle goes on after the one offered.
    InteractionId held = c.submit(a_call().to("sales"));  // a1's turn
    REQUIRE(c.holder(held) == agents[1]);
    c.accept(agents[1], held);
    InteractionId next = c.submit(a_call().to("sales"));
    CHECK(c.holder(next) == agents[2]);
    c.accept(agents[2], next);
    InteractionId after = c.submit(a_call().to("sales"));
    CHECK(c.holder(after) == agents[0]);
    c.audit();
  }
}

TEST_CASE("the random term is a seeded draw in [0, weight) per agent and interaction", "[points]") {
  auto draws = [](uint64_t seed) {
    RouterConfig cfg;
    cfg.rules.random_seed = seed;
    Center c(cfg);
    c.add(a_queue("billing").weight(Term::kRandom, 100.0));
    AgentId alice = c.add(an_agent("alice"));
    c.login(alice);
    std::vector<Points> out;
    for (int i = 0; i < 20; ++i) {
      InteractionId id = c.submit(a_call().to("billing"));
      out.push_back(c.offer_of(id).points[Term::kRandom]);
      c.ok(c.router.cancel(id, c.now));
    }
    return out;
  };
  const auto a = draws(7), b = draws(7), other = draws(8);
  CHECK(a == b);
  CHECK(a != other);
  for (Points p : a) {
    CHECK(p >= 0);
    CHECK(p < points(100));
  }
}

}  // namespace router::engine::testing
