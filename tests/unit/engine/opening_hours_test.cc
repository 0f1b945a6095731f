// Opening hours (issue 19, row 5; docs/routing.md, "Opening hours"): an arrival at a closed queue
// meets its when_closed rule (refuse naming the next opening, wait, overflow, or a callback work
// item scheduled for the opening); work already waiting stays. The engine reads the hours through
// engine::OpeningHours; the real schedule (time zones, holidays) is tested in
// tests/unit/config/opening_hours_test.cc, a fake one here.
#include "engine/builders.h"

namespace router::engine::testing {

namespace {

using WallTime = OpeningHours::WallTime;

// Open 08:00-18:00 UTC every day.
class OfficeHours final : public OpeningHours {
 public:
  bool open_at(WallTime t) const override {
    const int64_t hour = hour_of(t);
    return hour >= 8 && hour < 18;
  }
  std::optional<WallTime> next_open(WallTime t) const override {
    if (open_at(t)) return t;
    const auto day = std::chrono::floor<std::chrono::days>(t);
    return hour_of(t) < 8 ? day + 8h : day + std::chrono::days(1) + 8h;
  }
  std::string describe_next_open(WallTime t) const override {
    return "opens at " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::hours>(next_open(t)->time_since_epoch())
                   .count()) +
           " h";
  }

 private:
  static int64_t hour_of(WallTime t) {
    return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() % 24;
  }
};

// Zero on the engine's timeline is a midnight (UTC) 1000 days after the epoch; Center starts at
// 01:00, closed.
RouterConfig at_midnight() {
  RouterConfig cfg;
  cfg.wall_at_zero = WallTime(std::chrono::days(1000));
  return cfg;
}
const auto kHours = std::make_shared<OfficeHours>();
const TimePoint kOpens{8h};  // 08:00 on the engine's timeline

Error refused(Center& c, InteractionBuilder b) {
  auto r = c.router.submit(c.spec(std::move(b)), c.now);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("a closed queue refuses an arrival naming its next opening, and takes it once open",
          "[hours]") {
  Center c(at_midnight());
  c.add(a_queue("sales").hours(kHours, ArrivalAction::kRefuse));
  c.login(c.add(an_agent("ann")));
  const Error e = refused(c, a_call().to("sales"));
  CHECK(e.code == ErrorCode::kFailedPrecondition);
  CHECK(e.message == "queue: 'sales' is closed (opens at 24008 h)");
  CHECK_FALSE(c.stats("sales").open);
  CHECK(c.stats("sales").next_open == "opens at 24008 h");
  CHECK(c.stats("sales").arrived == 0);

  c.after(kOpens - c.now);
  CHECK(c.stats("sales").open);
  CHECK(c.stats("sales").next_open.empty());
  const InteractionId id = c.submit(a_call().to("sales"));
  CHECK(c.interaction(id).state == InteractionState::kOffered);
  c.audit();
}

TEST_CASE("work waiting when its queue closes stays, and a closed queue may let arrivals wait",
          "[hours]") {
  Center c(at_midnight());
  c.add(a_queue("sales").hours(kHours, ArrivalAction::kRefuse));
  c.add(a_queue("email").hours(kHours, ArrivalAction::kWait));
  c.after(kOpens + 9h - c.now);  // 17:00: open
  const InteractionId call = c.submit(a_call().to("sales"));
  c.after(2h);  // 19:00: closed
  const InteractionId mail = c.submit(an_email().to("email"));
  CHECK(c.interaction(call).state == InteractionState::kQueued);
  CHECK(c.interaction(mail).state == InteractionState::kQueued);
  CHECK(c.stats("email").waiting == 1);
  // An agent logging in after hours still takes the waiting work: hours gate arrivals only.
  const AgentId ann = c.add(an_agent("ann"));
  c.login(ann);
  CHECK(c.interaction(call).state == InteractionState::kOffered);
  c.audit();
}

TEST_CASE("a closed queue whose rule is overflow sends the arrival on, where its rules apply",
          "[hours]") {
  Center c(at_midnight());
  c.add(a_queue("night").max_waiting(1));
  c.add(a_queue("day").hours(kHours, ArrivalAction::kOverflow).overflow_to_queue("night"));
  c.router.clear_events();
  const InteractionId id = c.submit(a_call().to("day"));
  CHECK(c.interaction(id).queue == c.queue("night"));
  const auto queued = c.events<QueuedEvent>();
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].redirected_from == c.queue("day"));
  CHECK(c.stats("day").arrived == 0);
  // The night queue is full (its max_waiting 1, refuse): refused there.
  CHECK(refused(c, a_call().to("day")).message ==
        "queue: 'night' holds its limit of 1 waiting (its max_waiting)");
  c.audit();
}

TEST_CASE("a closed queue takes a call as a callback work item scheduled for its opening",
          "[hours]") {
  Center c(at_midnight());
  c.add(a_queue("callbacks").channels({Channel::kWorkItem}));
  c.add(a_queue("sales")
            .channels({Channel::kPhone, Channel::kEmail})
            .hours(kHours, ArrivalAction::kCallback)
            .callback_to_queue("callbacks"));
  c.router.clear_events();
  InteractionSpec call = c.spec(a_call().to("sales").customer("c-1").with_callback_number());
  auto r = c.router.submit(call, c.now);
  REQUIRE(r.ok());
  CHECK(r.value().queue == c.queue("callbacks"));
  REQUIRE(r.value().callback_at.has_value());
  CHECK(*r.value().callback_at == kOpens);
  const InteractionSnapshot item = c.interaction(call.id);
  CHECK(item.state == InteractionState::kScheduled);
  CHECK(item.channel == Channel::kWorkItem);
  CHECK(item.customer.customer_id == "c-1");
  const auto scheduled = c.events<ScheduledEvent>();
  REQUIRE(scheduled.size() == 1);
  CHECK(scheduled[0].at == kOpens);
  CHECK(scheduled[0].closed_queue == c.queue("sales"));

  SECTION("without a number to call back, the call is refused") {
    const Error e = refused(c, a_call().to("sales"));
    CHECK(e.message ==
          "queue: 'sales' is closed (opens at 24008 h); there is no number to call back");
  }
  SECTION("asynchronous work waits in the closed queue") {
    const InteractionId mail = c.submit(an_email().to("sales"));
    CHECK(c.interaction(mail).state == InteractionState::kQueued);
    CHECK(c.interaction(mail).queue == c.queue("sales"));
  }
  SECTION("at the opening the callback is queued and offered") {
    const AgentId ann = c.add(an_agent("ann"));
    c.login(ann);
    c.after(kOpens - c.now - 1ms);
    CHECK(c.interaction(call.id).state == InteractionState::kScheduled);
    c.after(1ms);
    CHECK(c.interaction(call.id).state == InteractionState::kOffered);
    CHECK(c.interaction(call.id).agent == ann);
  }
  c.audit();
}

TEST_CASE("a closed queue's rules are checked when the queue is configured", "[hours]") {
  Center c(at_midnight());
  c.add(a_queue("voice").channels({Channel::kPhone}));
  QueueConfig q;
  q.name = "sales";
  q.hours = kHours;
  q.when_closed = ArrivalAction::kCallback;
  auto r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.callback_queue: unknown queue");
  q.callback_queue = c.queue("voice");
  r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.callback_queue: does not take work_item");
  q.when_closed = ArrivalAction::kOverflow;
  r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.overflow_queue: unknown queue");
  q.when_closed = ArrivalAction::kWait;
  q.when_full = ArrivalAction::kCallback;
  r = c.router.add_queue(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "queue.when_full: must be overflow or refuse");
}

}  // namespace router::engine::testing
