// Arrival rules (issue 19, rows 6 and 7; docs/routing.md, "Arrival rules"): a queue's own waiting
// cap, and what a new arrival meets when the queue is full or nobody who can serve it is logged
// in: wait, go at once to the overflow queue, or be refused at once with a status naming the
// rule.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

Error refused(Center& c, InteractionBuilder b) {
  auto r = c.router.submit(c.spec(std::move(b)), c.now);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("a queue's own waiting cap refuses the next arrival", "[arrival]") {
  Center c;
  c.add(a_queue("small").max_waiting(2));
  c.add(a_queue("big"));
  for (int i = 0; i < 2; ++i) c.submit(a_call().to("small"));
  const Error e = refused(c, a_call().to("small"));
  CHECK(e.code == ErrorCode::kResourceExhausted);
  CHECK(e.message == "queue: 'small' holds its limit of 2 waiting (its max_waiting)");
  for (int i = 0; i < 3; ++i) c.submit(a_call().to("big"));  // the router-wide limit is higher
  CHECK(c.stats("small").waiting == 2);
  c.audit();
}

TEST_CASE("a full queue whose rule is overflow sends the arrival to its overflow queue",
          "[arrival]") {
  Center c;
  c.add(a_queue("backup"));
  c.add(a_queue("front").max_waiting(1, ArrivalAction::kOverflow).overflow_to_queue("backup"));
  c.submit(a_call().to("front"));
  c.router.clear_events();
  const InteractionId sent = c.submit(a_call().to("front"));
  CHECK(c.interaction(sent).queue == c.queue("backup"));
  const auto queued = c.events<QueuedEvent>();
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].queue == c.queue("backup"));
  CHECK(queued[0].redirected_from == c.queue("front"));
  CHECK(c.stats("front").waiting == 1);
  CHECK(c.stats("front").arrived == 1);  // counted where it waits
  CHECK(c.stats("backup").arrived == 1);
  // The overflow queue full too, with no overflow of its own: refused there.
  c.router.clear_events();
  Center d;
  d.add(a_queue("backup").max_waiting(1));
  d.add(a_queue("front").max_waiting(1, ArrivalAction::kOverflow).overflow_to_queue("backup"));
  d.submit(a_call().to("front"));
  d.submit(a_call().to("front"));
  CHECK(refused(d, a_call().to("front")).message ==
        "queue: 'backup' holds its limit of 1 waiting (its max_waiting)");
  c.audit();
  d.audit();
}

TEST_CASE("with nobody logged in who can serve it, a queue waits, refuses or overflows as told",
          "[arrival]") {
  Center c;
  c.add(a_queue("billing").with_skill("billing", 5).when_no_agents(ArrivalAction::kRefuse));
  c.add(a_queue("general").with_skill("general", 1));
  c.add(a_queue("sales")
            .with_skill("sales", 5)
            .when_no_agents(ArrivalAction::kOverflow)
            .overflow_to_queue("general"));
  c.add(a_queue("support").with_skill("support", 5));  // the default: wait
  // Someone is logged in, but cannot take billing work: he does not count.
  AgentId gus = c.add(an_agent("gus").with_skill("general", 5));
  c.login(gus, /*ready=*/false);

  const Error e = refused(c, a_call().to("billing"));
  CHECK(e.code == ErrorCode::kFailedPrecondition);
  CHECK(e.message ==
        "queue: nobody who can take 'billing' work is logged in (its when_no_agents is refuse)");
  const InteractionId sale = c.submit(a_call().to("sales"));
  CHECK(c.interaction(sale).queue == c.queue("general"));
  const InteractionId help = c.submit(a_call().to("support"));
  CHECK(c.interaction(help).queue == c.queue("support"));
  CHECK(c.interaction(help).state == InteractionState::kQueued);

  // A billing agent logs in, NOT_READY: logged in is enough, the arrival waits for her.
  AgentId bea = c.add(an_agent("bea").with_skill("billing", 7));
  c.login(bea, /*ready=*/false);
  const InteractionId bill = c.submit(a_call().to("billing"));
  CHECK(c.interaction(bill).state == InteractionState::kQueued);
  // Logged out again: the next one is refused; the one waiting stays.
  Center::ok(c.router.logout(bea, LogoutMode::kGraceful, c.now));
  CHECK(refused(c, a_call().to("billing")).code == ErrorCode::kFailedPrecondition);
  CHECK(c.interaction(bill).state == InteractionState::kQueued);
  c.audit();
}

TEST_CASE("an overflow target that does not take the channel leaves an unstaffed arrival waiting",
          "[arrival]") {
  Center c;
  c.add(a_queue("mail").channels({Channel::kEmail}));
  c.add(a_queue("voice").when_no_agents(ArrivalAction::kOverflow).overflow_to_queue("mail"));
  const InteractionId call = c.submit(a_call().to("voice"));
  CHECK(c.interaction(call).queue == c.queue("voice"));
  c.audit();
}

TEST_CASE("a recovered or scheduled interaction is not turned away by the arrival rules",
          "[arrival]") {
  Center c;
  c.add(a_queue("billing").when_no_agents(ArrivalAction::kRefuse).max_waiting(1));
  InteractionSpec back = c.spec(a_call().to("billing"));
  back.recovered = true;
  CHECK(c.router.submit(back, c.now).ok());
  InteractionSpec second = c.spec(a_call().to("billing"));
  second.recovered = true;
  CHECK(c.router.submit(second, c.now).ok());  // past the cap too: it was accepted once
  c.add(a_queue("crm").channels({Channel::kWorkItem}).when_no_agents(ArrivalAction::kRefuse));
  const InteractionId later = c.submit(a_work_item().to("crm").not_before(c.now + 1h));
  CHECK(c.interaction(later).state == InteractionState::kScheduled);
  c.audit();
}

TEST_CASE("arrival rules are checked", "[arrival]") {
  Center c;
  c.add(a_queue("q"));
  auto bad = [&](QueueConfig cfg) {
    cfg.name = "bad";
    auto r = c.router.add_queue(cfg);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  QueueConfig full_wait;
  full_wait.when_full = ArrivalAction::kWait;
  CHECK(bad(full_wait) == "queue.when_full: must be overflow or refuse");
  QueueConfig zero;
  zero.max_waiting = 0;
  CHECK(bad(zero) == "queue.max_waiting: must be 1..1000000");
  QueueConfig nowhere;
  nowhere.when_no_agents = ArrivalAction::kOverflow;
  CHECK(bad(nowhere) == "queue.overflow_queue: unknown queue");
}

}  // namespace router::engine::testing
