// The shortest complete lifecycle, as a first check that the pieces fit.
#include "engine/builders.h"

namespace router::engine::testing {

TEST_CASE("a call reaches the only ready agent, is accepted, completed and wrapped up",
          "[router]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5).wrap_up(10s));
  AgentId alice = c.add(an_agent("alice").with_skill("billing", 7));
  c.login(alice);
  InteractionId id = c.submit(a_call().to("billing"));
  REQUIRE(c.holder(id) == alice);
  REQUIRE(c.interaction(id).state == InteractionState::kOffered);
  c.accept(alice, id);
  REQUIRE(c.agent_state(alice).state == AgentState::kBusy);
  c.complete(alice, id);
  REQUIRE(c.agent_state(alice).state == AgentState::kWrapUp);
  c.after(10s);
  REQUIRE(c.agent_state(alice).state == AgentState::kReady);
  REQUIRE(c.router.live_count() == 0);
  REQUIRE(c.stats("billing").completed == 1);
  c.audit();
}

}  // namespace router::engine::testing
