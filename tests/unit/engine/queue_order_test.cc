// An agent's own queue order (issue 19, row 3; docs/routing.md, "An agent's queue order"): when
// an agent is freed it takes work from its best-ranked queue that has any it may take, by points
// within that rank; arrivals still choose among idle agents by points alone. Every scenario runs
// in both match modes.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// Two plain phone queues; a sales call that has waited five minutes (its wait and service-level
// points far above a fresh call's) and a fresh billing call.
struct TwoQueues {
  Center c;
  InteractionId sales_call, billing_call;
  explicit TwoQueues(MatchMode mode) : c({}, mode) {
    c.add(a_queue("billing"));
    c.add(a_queue("sales"));
    sales_call = c.submit(a_call().to("sales"));
    c.after(std::chrono::minutes(5));
    billing_call = c.submit(a_call().to("billing"));
  }
};

}  // namespace

TEST_CASE(
    "a freed agent takes work from the first queue of its order before a longer wait "
    "elsewhere",
    "[queue-order]") {
  TwoQueues t(any_match_mode());
  const AgentId alice = t.c.add(an_agent("alice").queue_order({"billing", "sales"}));
  const AgentId bob = t.c.add(an_agent("bob"));
  t.c.login(alice);
  CHECK(t.c.holder(t.billing_call) == alice);
  t.c.login(bob);  // no order: points alone, and the older call has more
  CHECK(t.c.holder(t.sales_call) == bob);
  t.c.audit();
}

TEST_CASE("without an order the same agent takes the interaction with the most points",
          "[queue-order]") {
  TwoQueues t(any_match_mode());
  const AgentId alice = t.c.add(an_agent("alice"));
  t.c.login(alice);
  CHECK(t.c.holder(t.sales_call) == alice);
}

TEST_CASE(
    "queues left out of an order come after every listed one and are equal among "
    "themselves",
    "[queue-order]") {
  Center c({}, any_match_mode());
  c.add(a_queue("a"));
  c.add(a_queue("b"));
  c.add(a_queue("listed"));
  const AgentId alice = c.add(an_agent("alice").queue_order({"listed"}));
  const AgentId bob = c.add(an_agent("bob").queue_order({"listed"}));
  const InteractionId in_b = c.submit(a_call().to("b"));
  c.after(std::chrono::seconds(30));
  const InteractionId in_a = c.submit(a_call().to("a"));
  c.after(std::chrono::seconds(30));
  const InteractionId in_listed = c.submit(a_call().to("listed"));
  c.login(alice);
  CHECK(c.holder(in_listed) == alice);  // the listed queue, though its call is the newest
  c.login(bob);
  CHECK(c.holder(in_b) == bob);  // a and b rank alike: points (b's call waited longer)
  CHECK_FALSE(c.holder(in_a).valid());
  c.audit();
}

TEST_CASE("a rank holding nothing the agent may take is passed over for the next",
          "[queue-order]") {
  Center c({}, any_match_mode());
  c.add(a_queue("chinese").language_required());
  c.add(a_queue("sales"));
  c.add(a_queue("billing"));
  const AgentId alice =
      c.add(an_agent("alice").speaks("en").queue_order({"chinese", "billing", "sales"}));
  c.submit(a_call().to("chinese").language("zh"));  // alice does not speak it
  const InteractionId sale = c.submit(a_call().to("sales"));
  c.after(std::chrono::minutes(2));
  const InteractionId bill = c.submit(a_call().to("billing"));
  c.login(alice);
  CHECK(c.holder(bill) == alice);  // billing is her first rank with anything she may take
  CHECK_FALSE(c.holder(sale).valid());
  c.audit();
}

TEST_CASE("rank comes before the affinity bonus too", "[queue-order]") {
  Center c({}, any_match_mode());
  c.add(a_queue("billing"));
  c.add(a_queue("sales"));
  const AgentId alice = c.add(an_agent("alice").queue_order({"billing"}));
  const InteractionId mine = c.submit(a_call().to("sales").preferred_agent("alice"));
  c.after(std::chrono::minutes(1));
  const InteractionId bill = c.submit(a_call().to("billing"));
  c.login(alice);
  CHECK(c.holder(bill) == alice);
  CHECK_FALSE(c.holder(mine).valid());
  c.audit();
}

TEST_CASE(
    "an arrival still goes to the idle agent with the most points whatever the agents' "
    "orders",
    "[queue-order]") {
  Center c({}, any_match_mode());
  c.add(a_queue("billing"));
  c.add(a_queue("sales"));
  const AgentId alice = c.add(an_agent("alice").queue_order({"sales", "billing"}));
  const AgentId bob = c.add(an_agent("bob").queue_order({"billing"}));
  c.login(alice);
  c.after(std::chrono::seconds(20));
  c.login(bob);
  // Decision 1: alice has been idle longer; her order ranks billing second, which does not
  // matter to an arrival.
  const InteractionId bill = c.submit(a_call().to("billing"));
  CHECK(c.holder(bill) == alice);
  c.audit();
}

TEST_CASE("work transferred to an agent by name still comes before its queue order",
          "[queue-order]") {
  Center c({}, any_match_mode());
  c.add(a_queue("billing"));
  c.add(a_queue("sales"));
  const AgentId alice = c.add(an_agent("alice"));
  const AgentId bob = c.add(an_agent("bob").queue_order({"billing"}));
  c.login(alice);
  const InteractionId sale = c.submit(a_call().to("sales"));
  c.accept(alice, sale);
  c.login(bob);
  c.ok(c.router.set_not_ready(bob, "break", c.now));
  c.ok(c.router.transfer_to_agent(alice, sale, bob, c.now));
  c.ok(c.router.set_not_ready(alice, "break", c.now));
  const InteractionId bill = c.submit(a_call().to("billing"));
  c.ok(c.router.set_ready(bob, c.now));
  CHECK(c.holder(sale) == bob);
  CHECK_FALSE(c.holder(bill).valid());
  c.audit();
}

TEST_CASE("an agent's order can be replaced and applies from its next decision", "[queue-order]") {
  TwoQueues t(any_match_mode());
  const AgentId alice = t.c.add(an_agent("alice").queue_order({"billing", "sales"}));
  t.c.ok(t.c.router.set_agent_queue_order(alice, {t.c.queue("sales")}, t.c.now));
  t.c.login(alice);
  CHECK(t.c.holder(t.sales_call) == alice);
  t.c.audit();
}

TEST_CASE("an unknown or repeated queue in an order is refused naming the entry", "[queue-order]") {
  Center c;
  c.add(a_queue("billing"));
  c.add(a_queue("sales"));
  AgentProfile p;
  p.name = "alice";
  p.queue_order = {c.queue("sales"), QueueId(7)};
  auto unknown = c.router.add_agent(p);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(unknown.error().message == "agent.queue_order[1]: unknown queue");
  p.queue_order = {c.queue("sales"), c.queue("billing"), c.queue("sales")};
  auto twice = c.router.add_agent(p);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kInvalidArgument);
  CHECK(twice.error().message == "agent.queue_order[2]: 'sales' listed twice");
  const AgentId bob = c.add(an_agent("bob"));
  const Status s = c.router.set_agent_queue_order(bob, {QueueId()}, c.now);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "queue_order[0]: unknown queue");
}

}  // namespace router::engine::testing
