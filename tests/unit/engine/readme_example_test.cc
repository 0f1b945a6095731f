// The README's engine example, verbatim but for the checks, so the README cannot drift.
#include <catch2/catch.hpp>
#include <variant>

#include "engine/router.h"

namespace router::engine {

TEST_CASE("the README's example routes one call from offer to completion", "[readme]") {
  auto created = Router::create();    // RouterConfig{} defaults: a Result<unique_ptr>,
  Router& router = *created.value();  // an error naming the field for a bad config
  SkillId billing = router.add_skill("billing").value();
  QueueConfig q;
  q.name = "billing";
  q.required_skills = {{billing, 5}};
  QueueId queue = router.add_queue(q).value();
  AgentProfile p;
  p.name = "alice";
  p.skills = {{billing, 7}};
  p.languages = {"en"};
  AgentId alice = router.add_agent(p).value();

  TimePoint now{};  // the host's clock, passed in
  Status s = router.login(alice, /*ready=*/true, now);
  REQUIRE(s.ok());
  InteractionSpec call;
  call.id = InteractionId(1);
  call.queue = queue;
  auto queued = router.submit(call, now);
  REQUIRE(queued.ok());
  s = router.accept(alice, call.id, now);
  REQUIRE(s.ok());
  s = router.complete(alice, call.id, "sold", now);
  REQUIRE(s.ok());
  router.advance(now + std::chrono::seconds(30));

  std::vector<std::string> seen;
  for (const Event& e : router.events()) seen.push_back(describe(e));
  REQUIRE(seen.size() >= 5);
  bool completed = false;
  for (const Event& e : router.events())
    completed |= std::holds_alternative<CompletedEvent>(e.body);
  CHECK(completed);
  CHECK(router.live_count() == 0);
}

}  // namespace router::engine
