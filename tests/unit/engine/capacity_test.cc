// Multi-channel capacity: a call is exclusive, chats and emails go up to the agent's own limits.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

QueueBuilder an_any_channel_queue() { return a_queue("support"); }

}  // namespace

TEST_CASE("an agent on a call gets no chat or email until the call is done", "[capacity]") {
  Center c;
  c.add(an_any_channel_queue().wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId call = c.submit(a_call().to("support"));
  c.accept(alice, call);
  InteractionId chat = c.submit(a_chat().to("support"));
  InteractionId email = c.submit(an_email().to("support"));
  CHECK(c.holder(chat) == AgentId());
  CHECK(c.holder(email) == AgentId());
  auto ex = c.router.explain(chat, c.now);
  REQUIRE(ex.ok());
  REQUIRE(ex->ineligible.size() == 1);
  CHECK(ex->ineligible[0].reason == Ineligibility::kChannel);
  CHECK(ex->ineligible[0].detail == "busy on a call");
  c.audit();

  c.complete(alice, call);
  CHECK(c.holder(chat) == alice);  // the older of the two
  c.accept(alice, chat);
  CHECK(c.holder(email) == alice);  // chats and emails mix
  c.audit();
}

TEST_CASE("a call is only offered to an agent holding nothing", "[capacity]") {
  Center c;
  c.add(an_any_channel_queue().wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.login(alice);
  InteractionId chat = c.submit(a_chat().to("support"));
  c.accept(alice, chat);
  InteractionId call = c.submit(a_call().to("support"));
  CHECK(c.holder(call) == AgentId());
  CHECK(c.agent_state(alice).state == AgentState::kBusy);

  SECTION("another agent who holds nothing takes it") {
    c.login(bob);
    CHECK(c.holder(call) == bob);
  }
  SECTION("the same agent takes it once her chat is done") {
    c.complete(alice, chat);
    CHECK(c.holder(call) == alice);
  }
  c.audit();
}

TEST_CASE("an agent takes chats up to her chat limit", "[capacity]") {
  Center c;
  c.add(an_any_channel_queue().wrap_up(0s));
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWebChat, 2));
  c.login(alice);
  std::vector<InteractionId> chats;
  for (int i = 0; i < 3; ++i) chats.push_back(c.submit(a_chat().to("support")));
  // One offer at a time: the second is offered once the first is accepted.
  CHECK(c.holder(chats[0]) == alice);
  CHECK(c.holder(chats[1]) == AgentId());
  c.accept(alice, chats[0]);
  CHECK(c.holder(chats[1]) == alice);
  c.accept(alice, chats[1]);
  CHECK(c.holder(chats[2]) == AgentId());
  CHECK(c.agent_state(alice).work.size() == 2);
  c.audit();
  c.complete(alice, chats[0]);
  CHECK(c.holder(chats[2]) == alice);
  c.audit();
}

TEST_CASE("email capacity is configured per agent", "[capacity]") {
  Center c;
  c.add(a_queue("mail").channels({Channel::kEmail}));
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kEmail, 1));
  AgentId bob = c.add(an_agent("bob").capacity(Channel::kEmail, 3));
  c.login(alice);
  c.login(bob);
  int alice_has = 0, bob_has = 0;
  for (int i = 0; i < 6; ++i) {
    InteractionId id = c.submit(an_email().to("mail"));
    const AgentId who = c.holder(id);
    if (who == alice) {
      c.accept(alice, id);
      ++alice_has;
    } else if (who == bob) {
      c.accept(bob, id);
      ++bob_has;
    }
  }
  CHECK(alice_has == 1);
  CHECK(bob_has == 3);
  CHECK(c.stats("mail").waiting == 2);
  c.audit();
}

TEST_CASE("an agent with no capacity for a channel never gets it", "[capacity]") {
  Center c;
  c.add(an_any_channel_queue());
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kPhone, 0));
  c.login(alice);
  InteractionId call = c.submit(a_call().to("support"));
  CHECK(c.holder(call) == AgentId());
  InteractionId chat = c.submit(a_chat().to("support"));
  CHECK(c.holder(chat) == alice);
  c.audit();
}

TEST_CASE("between equally skilled agents the one holding less work gets the chat", "[capacity]") {
  Center c;
  // No idle points, so only the load term separates them.
  c.add(an_any_channel_queue().weight(Term::kIdle, 0));
  AgentId alice = c.add(an_agent("alice"));
  AgentId bob = c.add(an_agent("bob"));
  c.login(alice);
  InteractionId first = c.submit(a_chat().to("support"));
  REQUIRE(c.holder(first) == alice);
  c.accept(alice, first);
  c.login(bob);
  InteractionId second = c.submit(a_chat().to("support"));
  CHECK(c.holder(second) == bob);
  c.accept(bob, second);
  InteractionId third = c.submit(a_chat().to("support"));
  CHECK(c.holder(third) == alice);  // equal load and idle again: the first agent created
  c.audit();
}

TEST_CASE("a multi-channel agent who misses an offer stays busy on her chat, then is not ready",
          "[capacity][lifecycle]") {
  Center c;
  c.add(an_any_channel_queue().offer_timeout(10s).wrap_up(0s));
  AgentId alice = c.add(an_agent("alice"));
  c.login(alice);
  InteractionId chat = c.submit(a_chat().to("support"));
  c.accept(alice, chat);
  InteractionId email = c.submit(an_email().to("support"));
  REQUIRE(c.holder(email) == alice);
  c.router.clear_events();
  c.after(10s);  // the email offer times out
  auto changes = c.events<AgentStateChangedEvent>();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].to == AgentState::kBusy);
  CHECK(changes[0].reason.empty());  // a reason belongs to NOT_READY only
  c.complete(alice, chat);
  AgentSnapshot a = c.agent_state(alice);
  CHECK(a.state == AgentState::kNotReady);
  CHECK(a.not_ready_reason == "missed");
  c.audit();
}

}  // namespace router::engine::testing
