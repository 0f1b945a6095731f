// Validation of the routing model (skills, agents, queues, interactions): each bad value is
// refused with the right code and a message naming the field.
#include <limits>

#include "engine/builders.h"

namespace router::engine::testing {

using Catch::Contains;

namespace {

// The error of a refused add_queue, after resolving the builder's skill names.
Error queue_error(Center& c, QueueBuilder b) {
  for (auto& [name, level] : b.skills) {
    b.cfg.required_skills.push_back(SkillRequirement{c.skill(name), level});
  }
  auto r = c.router.add_queue(b.cfg);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

Error agent_error(Center& c, AgentProfile p) {
  auto r = c.router.add_agent(std::move(p));
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("an agent skill level outside 1..10 is refused naming the skill's level field",
          "[model]") {
  Center c;
  SkillId billing = c.skill("billing");
  AgentProfile p;
  p.name = "alice";
  int level = GENERATE(0, 11, -3);
  p.skills = {SkillLevel{billing, level}};
  Error e = agent_error(c, p);
  CHECK(e.code == ErrorCode::kInvalidArgument);
  CHECK_THAT(e.message, Contains("agent.skills[0].level"));
  CHECK_FALSE(c.router.find_agent("alice").has_value());
}

TEST_CASE("an agent's name is found by id without a snapshot, and is empty for an unknown id",
          "[model]") {
  Center c;
  AgentProfile p;
  p.name = "alice";
  auto id = c.router.add_agent(p);
  REQUIRE(id.ok());
  CHECK(c.router.agent_name(id.value()) == "alice");
  CHECK(c.router.agent_name(AgentId(id.value().value() + 1)).empty());
  CHECK(c.router.agent_name(AgentId()).empty());
}

TEST_CASE("an agent with an unknown skill is refused as not found naming the skill field",
          "[model]") {
  Center c;
  c.skill("billing");
  AgentProfile p;
  p.name = "alice";
  p.skills = {SkillLevel{c.skill("billing"), 5}, SkillLevel{SkillId(42), 5}};
  Error e = agent_error(c, p);
  CHECK(e.code == ErrorCode::kNotFound);
  CHECK_THAT(e.message, Contains("agent.skills[1].skill"));
}

TEST_CASE("an agent listing the same skill twice is refused naming the skill", "[model]") {
  Center c;
  AgentProfile p;
  p.name = "alice";
  p.skills = {SkillLevel{c.skill("billing"), 5}, SkillLevel{c.skill("billing"), 7}};
  Error e = agent_error(c, p);
  CHECK(e.code == ErrorCode::kInvalidArgument);
  CHECK_THAT(e.message, Contains("agent.skills[1].skill"));
  CHECK_THAT(e.message, Contains("billing"));
}

TEST_CASE("an agent channel capacity outside 0..100 is refused naming the channel", "[model]") {
  Center c;
  AgentProfile p;
  p.name = "alice";
  p.capacity.max[static_cast<size_t>(Channel::kWebChat)] = -1;
  Error e = agent_error(c, p);
  CHECK(e.code == ErrorCode::kInvalidArgument);
  CHECK_THAT(e.message, Contains("agent.capacity.web_chat"));
}

TEST_CASE("duplicate skill, agent and queue names are refused as already existing", "[model]") {
  Center c;
  c.skill("billing");
  c.add(an_agent("alice"));
  c.add(a_queue("support"));

  auto skill = c.router.add_skill("billing");
  REQUIRE_FALSE(skill.ok());
  CHECK(skill.error().code == ErrorCode::kAlreadyExists);
  CHECK_THAT(skill.error().message, Contains("skill.name"));

  AgentProfile p;
  p.name = "alice";
  Error agent = agent_error(c, p);
  CHECK(agent.code == ErrorCode::kAlreadyExists);
  CHECK_THAT(agent.message, Contains("agent.name"));

  Error queue = queue_error(c, a_queue("support"));
  CHECK(queue.code == ErrorCode::kAlreadyExists);
  CHECK_THAT(queue.message, Contains("queue.name"));

  CHECK(c.router.agent_count() == 1);
  CHECK(c.router.queue_count() == 1);
}

TEST_CASE("an empty name is refused naming the name field", "[model]") {
  Center c;
  auto skill = c.router.add_skill("");
  REQUIRE_FALSE(skill.ok());
  CHECK(skill.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(skill.error().message, Contains("skill.name"));
  CHECK_THAT(agent_error(c, AgentProfile{}).message, Contains("agent.name"));
  CHECK_THAT(queue_error(c, a_queue("")).message, Contains("queue.name"));
}

TEST_CASE("a queue with a required skill level outside 1..10 is refused naming min_level",
          "[model]") {
  Center c;
  Error e = queue_error(c, a_queue("billing").with_skill("billing", 11));
  CHECK(e.code == ErrorCode::kInvalidArgument);
  CHECK_THAT(e.message, Contains("queue.required_skills[0].min_level"));
}

TEST_CASE("a queue requiring an unknown skill is refused as not found", "[model]") {
  Center c;
  QueueBuilder b = a_queue("billing");
  b.cfg.required_skills.push_back(SkillRequirement{SkillId(7), 5});
  Error e = queue_error(c, b);
  CHECK(e.code == ErrorCode::kNotFound);
  CHECK_THAT(e.message, Contains("queue.required_skills[0].skill"));
}

TEST_CASE("queue expansion steps out of order are refused naming the step", "[model]") {
  Center c;
  SECTION("decreasing") {
    Error e = queue_error(c, a_queue("billing").expand(60s, 1).expand(30s, 1));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.expansion[1].after"));
  }
  SECTION("equal") {
    Error e = queue_error(c, a_queue("billing").expand(30s, 1).expand(30s, 2));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.expansion[1].after"));
  }
  SECTION("not after zero") {
    Error e = queue_error(c, a_queue("billing").expand(0s, 1));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.expansion[0].after"));
  }
  SECTION("negative level drop") {
    Error e = queue_error(c, a_queue("billing").expand(10s, -1));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.expansion[0].lower_levels_by"));
  }
  SECTION("too many steps") {
    QueueBuilder b = a_queue("billing");
    for (int i = 1; i <= kMaxExpansionSteps + 1; ++i) b.expand(std::chrono::seconds(i), 1);
    Error e = queue_error(c, b);
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.expansion"));
  }
  CHECK_FALSE(c.router.find_queue("billing").has_value());
}

TEST_CASE("a negative or non-finite queue weight is refused naming the term", "[model]") {
  Center c;
  SECTION("negative priority weight") {
    Error e = queue_error(c, a_queue("billing").weight(Term::kPriority, -1.0));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.weights.priority"));
  }
  SECTION("NaN idle weight") {
    Error e = queue_error(
        c, a_queue("billing").weight(Term::kIdle, std::numeric_limits<double>::quiet_NaN()));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.weights.agent_idle"));
  }
  SECTION("infinite load weight") {
    Error e = queue_error(
        c, a_queue("billing").weight(Term::kLoad, std::numeric_limits<double>::infinity()));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.weights.agent_load"));
  }
}

TEST_CASE("overflow to an unknown queue or to itself is refused naming overflow_queue", "[model]") {
  Center c;
  SECTION("unknown") {
    QueueBuilder b = a_queue("billing");
    b.cfg.overflow_after = 30s;
    b.cfg.overflow_queue = QueueId(9);
    Error e = queue_error(c, b);
    CHECK(e.code == ErrorCode::kNotFound);
    CHECK_THAT(e.message, Contains("queue.overflow_queue"));
  }
  SECTION("not set") {
    QueueBuilder b = a_queue("billing");
    b.cfg.overflow_after = 30s;
    Error e = queue_error(c, b);
    CHECK(e.code == ErrorCode::kNotFound);
    CHECK_THAT(e.message, Contains("queue.overflow_queue"));
  }
  SECTION("itself, on update") {
    QueueId billing = c.add(a_queue("billing"));
    QueueConfig cfg;
    cfg.name = "billing";
    cfg.overflow_after = 30s;
    cfg.overflow_queue = billing;
    Status s = c.router.update_queue(billing, cfg, c.now);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(s.error().message, Contains("queue.overflow_queue"));
  }
  SECTION("a non-positive overflow delay") {
    c.add(a_queue("backup"));
    Error e = queue_error(c, a_queue("billing").overflow(0s, "backup"));
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("queue.overflow_after"));
  }
}

TEST_CASE("other bad queue settings are refused naming their field", "[model]") {
  Center c;
  CHECK_THAT(queue_error(c, a_queue("q").channels({})).message, Contains("queue.channels"));
  CHECK_THAT(queue_error(c, a_queue("q").priority(101)).message, Contains("queue.priority"));
  CHECK_THAT(queue_error(c, a_queue("q").service_level(0s, 0.8)).message,
             Contains("queue.service_level.threshold"));
  CHECK_THAT(queue_error(c, a_queue("q").service_level(20s, 1.5)).message,
             Contains("queue.service_level.fraction"));
  CHECK_THAT(queue_error(c, a_queue("q").offer_timeout(0s)).message,
             Contains("queue.offer_timeout"));
  CHECK_THAT(queue_error(c, a_queue("q").wrap_up(-1s)).message, Contains("queue.wrap_up"));
  CHECK_THAT(queue_error(c, a_queue("q").max_wait(0s)).message, Contains("queue.max_wait"));
  CHECK_THAT(queue_error(c, a_queue("q").short_abandon(-1s)).message,
             Contains("queue.short_abandon"));
  CHECK_THAT(queue_error(c, a_queue("q").default_handle_time(0s)).message,
             Contains("queue.default_handle_time"));
  CHECK(c.router.queue_count() == 0);
}

TEST_CASE("a bad submit is refused naming the field and leaves nothing behind", "[model]") {
  Center c;
  c.add(a_queue("chat").channels({Channel::kWebChat}));
  c.add(a_queue("billing"));

  auto refused = [&](InteractionSpec s, ErrorCode code, const char* field) {
    auto r = c.router.submit(s, c.now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code);
    CHECK_THAT(r.error().message, Contains(field));
  };
  refused(c.spec(a_call().to("chat")), ErrorCode::kInvalidArgument, "channel");
  refused(c.spec(a_call().to("billing").priority(101)), ErrorCode::kInvalidArgument, "priority");
  refused(c.spec(a_call().to("billing").lifetime_value(-1)), ErrorCode::kInvalidArgument,
          "customer.lifetime_value");
  InteractionSpec unknown_skill = c.spec(a_call().to("billing"));
  unknown_skill.extra_skills.push_back(SkillRequirement{SkillId(99), 3});
  refused(unknown_skill, ErrorCode::kNotFound, "extra_skills[0].skill");
  InteractionSpec future = c.spec(a_call().to("billing").arrived(c.now + 1s));
  refused(future, ErrorCode::kInvalidArgument, "arrival");
  InteractionSpec no_queue = c.spec(a_call().to("billing"));
  no_queue.queue = QueueId(77);
  refused(no_queue, ErrorCode::kNotFound, "queue");
  CHECK(c.router.live_count() == 0);

  InteractionId id = c.submit(a_call().to("billing").id(5));
  InteractionSpec again = c.spec(a_call().to("billing").id(5));
  refused(again, ErrorCode::kAlreadyExists, "id");
  CHECK(c.router.live_count() == 1);
  CHECK(c.interaction(id).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("updating an agent's skills validates them like a new agent's", "[model]") {
  Center c;
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 5));
  Status s = c.router.update_agent_skills(alice, {SkillLevel{c.skill("billing"), 0}}, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(s.error().message, Contains("skills[0].level"));
  // The old skills stay.
  REQUIRE(c.agent_state(alice).skills.size() == 1);
  CHECK(c.agent_state(alice).skills[0].level == 5);
}

}  // namespace router::engine::testing
