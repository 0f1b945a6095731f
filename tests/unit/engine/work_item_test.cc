// Work items (docs/routing.md, "Work items"): CRM work with a due time. Its points count the
// time left to the due time on its queue's own scale, so within a class the earliest due goes
// first and an item about to breach outranks a fresh call; its service level is "done by due";
// one scheduled for later waits in no queue until its time.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

// A blended desk: calls (20 s target) and work items (4 h target) in two queues, one agent who
// takes both; urgency instead of the absolute wait, so the channels compare fairly.
QueueBuilder work_queue() {
  return a_queue("crm")
      .channels({Channel::kWorkItem})
      .service_level(4h, 0.95)
      .wrap_up(0s)
      .weight(Term::kWait, 0.0)
      .weight(Term::kUrgency, 20.0);
}
QueueBuilder call_queue() {
  return a_queue("voice")
      .channels({Channel::kPhone})
      .service_level(20s, 0.8)
      .wrap_up(0s)
      .weight(Term::kWait, 0.0)
      .weight(Term::kUrgency, 20.0);
}

}  // namespace

TEST_CASE("work items wait earliest due first, whatever order they came in", "[work_item]") {
  Center c;
  c.add(work_queue());
  const InteractionId late = c.submit(a_work_item().to("crm").due(c.now + 3h));
  c.after(1min);
  const InteractionId soon = c.submit(a_work_item().to("crm").due(c.now + 30min));
  const InteractionId unset = c.submit(a_work_item().to("crm"));  // due now + 4 h
  CHECK(c.interaction(unset).due == c.now + 4h);
  CHECK(c.interaction(soon).due == c.now + 30min);

  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWorkItem, 1));
  c.login(alice);
  CHECK(c.holder(soon) == alice);
  c.accept(alice, soon);
  c.complete(alice, soon);
  CHECK(c.holder(late) == alice);  // due at +3 h (submitted a minute earlier), before +4 h
  c.accept(alice, late);
  c.complete(alice, late);
  CHECK(c.holder(unset) == alice);
  c.audit();
}

TEST_CASE(
    "an item about to miss its due time outranks a call 15 s into 20, one with hours left not",
    "[work_item]") {
  for (const bool about_to_miss : {true, false}) {
    CAPTURE(about_to_miss);
    Center c;
    c.add(work_queue());
    c.add(call_queue());
    const InteractionId call = c.submit(a_call().to("voice"));
    c.after(15s);
    const InteractionId item =
        c.submit(a_work_item().to("crm").due(about_to_miss ? c.now + 2min : c.now + 3h));
    AgentId alice = c.add(an_agent("alice").capacity(Channel::kWorkItem, 1));
    c.login(alice);
    // Urgency: the item 0.99 (2 min left of 4 h) or 0.25 (3 h left); the call 0.75 (15 of 20 s).
    CHECK(c.holder(about_to_miss ? item : call) == alice);
    CHECK(c.holder(about_to_miss ? call : item) == AgentId());
    c.audit();
  }
}

TEST_CASE("a work item's service level counts the items done by their due time", "[work_item]") {
  Center c;
  c.add(work_queue());
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWorkItem, 2));
  c.login(alice);
  const InteractionId on_time = c.submit(a_work_item().to("crm").due(c.now + 1h));
  const InteractionId late = c.submit(a_work_item().to("crm").due(c.now + 10min));
  c.accept(alice, on_time);
  c.accept(alice, late);
  // Accepted in time, but not yet done: nothing counts.
  CHECK(c.stats("crm").window_answered == 0);
  CHECK(c.stats("crm").answered == 2);
  c.after(30min);
  c.complete(alice, on_time);
  c.complete(alice, late);  // started by its due time, done 20 minutes after it
  const QueueStats s = c.stats("crm");
  CHECK(s.window_answered == 2);
  CHECK(s.service_level == Approx(0.5));
  c.audit();
}

TEST_CASE("a scheduled item waits in no queue until its time, then arrives", "[work_item]") {
  Center c;
  c.add(work_queue());
  AgentId alice = c.add(an_agent("alice").capacity(Channel::kWorkItem, 1));
  c.login(alice);
  const TimePoint at = c.now + 10min;
  const InteractionId callback = c.submit(a_work_item().to("crm").not_before(at));
  CHECK(c.interaction(callback).state == InteractionState::kScheduled);
  CHECK(c.interaction(callback).due == at + 4h);  // its target counts from its time
  CHECK(c.holder(callback) == AgentId());
  CHECK(c.stats("crm").waiting == 0);
  CHECK(c.stats("crm").arrived == 0);
  REQUIRE(c.router.next_deadline() == at);
  auto ex = c.router.explain(callback, c.now);
  REQUIRE(ex.ok());
  CHECK(ex->state == InteractionState::kScheduled);
  CHECK(ex->eligible.empty());  // it waits for its time, not for an agent
  CHECK(ex->ineligible.empty());
  c.audit();
  c.after(10min);
  const InteractionSnapshot s = c.interaction(callback);
  CHECK(s.state == InteractionState::kOffered);
  CHECK(s.arrival == at);  // its wait starts at its time
  CHECK(c.holder(callback) == alice);
  CHECK(c.stats("crm").arrived == 1);
  CHECK(c.events<QueuedEvent>().size() == 1);
  c.audit();
}

TEST_CASE("a scheduled item cancelled before its time never reaches its queue", "[work_item]") {
  Center c;
  c.add(work_queue());
  const InteractionId callback = c.submit(a_work_item().to("crm").not_before(c.now + 1h));
  Center::ok(c.router.cancel(callback, c.now));
  const auto abandoned = c.events<AbandonedEvent>();
  REQUIRE(abandoned.size() == 1);
  CHECK(abandoned[0].before_queued);
  const QueueStats s = c.stats("crm");
  CHECK(s.arrived == 0);
  CHECK(s.abandoned == 0);
  CHECK(s.window_abandoned == 0);
  CHECK_FALSE(c.router.interaction(callback).ok());
  c.audit();
}

TEST_CASE("due and not_before are checked", "[work_item]") {
  Center c;
  c.add(work_queue());
  c.add(call_queue());
  auto refused = [&](InteractionBuilder b) {
    auto r = c.router.submit(c.spec(std::move(b)), c.now);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(refused(a_call().to("voice").due(c.now + 1h)) == "due: only for channel work_item");
  CHECK(refused(a_call().to("voice").not_before(c.now + 1h)) ==
        "not_before: only for channel work_item");
  CHECK(refused(a_work_item().to("crm").due(c.now + 24h * 401)) ==
        "due: more than 400 days from now");
  CHECK(refused(a_work_item().to("crm").not_before(c.now + 24h * 401)) ==
        "not_before: more than 400 days from now");
  CHECK(refused(a_work_item().to("crm").not_before(c.now + 2h).due(c.now + 1h)) ==
        "due: before not_before");
  // Overdue already (a backlog import) is allowed: it ranks first.
  const InteractionId overdue = c.submit(a_work_item().to("crm").due(c.now - 1h));
  CHECK(c.interaction(overdue).state == InteractionState::kQueued);
}

TEST_CASE("moved to a queue with another target, a work item keeps its due time", "[work_item]") {
  Center c;
  c.add(work_queue());
  c.add(a_queue("backoffice").channels({Channel::kWorkItem}).service_level(24h, 0.9));
  const InteractionId item = c.submit(a_work_item().to("crm"));
  const TimePoint due = c.interaction(item).due.value();
  Center::ok(c.router.move(item, c.queue("backoffice"), c.now));
  CHECK(c.interaction(item).due == due);
  c.audit();
}

}  // namespace router::engine::testing
