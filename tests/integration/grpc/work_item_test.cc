// Work items over the real API (docs/routing.md, "Work items"): a CRM submits service requests,
// leads and scheduled callbacks with SubmitInteraction; routerd finds the customer by its CRM id,
// routes by type, answers with the due time in force, holds a scheduled one until its time,
// honours the owner hint, counts done-by-due, and names the work_item field it refuses.
#include <google/protobuf/util/time_util.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using google::protobuf::util::TimeUtil;

// The test center with a work-item queue (1 h target) and its entry points: leads by type, the
// rest by the catch-all. Ana (support 7), Ben (5) and Dev (4) meet its support 3.
CenterOptions with_crm_queue() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    yaml = replace_once(yaml, "\nagents:\n", R"(
  - name: crm
    channels: [WORK_ITEM]
    skills: [{skill: support, min_level: 3}]
    service_level_threshold_s: 3600
    service_level_target: 0.95
    offer_timeout_s: 5
    wrap_up_s: 0

agents:
)");
    return replace_once(yaml, "\nentry_points:\n", R"(
entry_points:
  - {channel: WORK_ITEM, address: lead, queue: crm, priority: 5}
  - {channel: WORK_ITEM, queue: crm}
)");
  };
  return o;
}

v1::SubmitInteractionRequest work_item(
    const std::string& id, v1::WorkItemDetails::Type type = v1::WorkItemDetails::SERVICE_REQUEST) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::WORK_ITEM);
  r.mutable_work_item()->set_type(type);
  r.mutable_work_item()->set_subject("Printer warranty claim");
  return r;
}

google::protobuf::Timestamp from_now(Millis d) {
  return TimeUtil::MillisecondsToTimestamp(
      std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch() + d)
          .count());
}

std::function<bool(const v1::InteractionEvent&)> change_is(const std::string& id,
                                                           const std::string& change) {
  return [id, change](const v1::InteractionEvent& e) {
    return e.interaction().interaction_id() == id && e.change() == change;
  };
}

}  // namespace

TEST_CASE("a work item is found by its CRM customer id, routed by type, offered and done by due",
          "[grpc][work_item]") {
  RouterFixture fx(with_crm_queue());
  AgentDesk ana(fx, "ana");
  auto request = work_item("sr-1");
  request.mutable_work_item()->set_customer_id(" C1 ");
  auto submitted = fx.submit(request);
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  const v1::Interaction& queued = submitted.value.interaction();
  CHECK(queued.state() == v1::QUEUED);
  CHECK(queued.queue() == "crm");
  CHECK(queued.channel() == v1::WORK_ITEM);
  CHECK(queued.customer().customer_id() == "C1");
  CHECK(queued.customer().matched_by() == "customer_id");
  CHECK(queued.customer().segment() == v1::STRATEGIC);
  REQUIRE(queued.has_work_item());
  CHECK(queued.work_item().customer_id() == "C1");  // trimmed
  CHECK(queued.work_item().subject() == "Printer warranty claim");
  // Unset due: the queue's threshold (1 h) after its arrival, in the answer.
  REQUIRE(queued.work_item().has_due());
  CHECK(TimeUtil::DurationToMilliseconds(queued.work_item().due() - queued.arrived()) ==
        Approx(3'600'000).margin(2));

  REQUIRE(ana.set_ready().ok());
  auto offer = ana.wait_offer("sr-1");
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().work_item().type() == v1::WorkItemDetails::SERVICE_REQUEST);
  REQUIRE(ana.accept("sr-1").ok());
  REQUIRE(ana.complete("sr-1").ok());
  REQUIRE(eventually([&] {
    auto stats = fx.queue_stats("crm");
    return stats && stats->completed() == 1;
  }));
  auto stats = fx.queue_stats("crm");
  CHECK(stats->answered() == 1);
  CHECK(stats->service_level() == 1.0);  // done well before its due time
}

TEST_CASE("a work item's type picks its entry point, and the owner hint picks among free agents",
          "[grpc][work_item]") {
  RouterFixture fx(with_crm_queue());
  AgentDesk ana(fx, "ana");
  AgentDesk ben(fx, "ben");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(ben.set_ready().ok());

  // No owner: the better skill fit (Ana, support 7 against Ben's 5).
  auto plain = fx.submit(work_item("lead-1", v1::WorkItemDetails::LEAD));
  REQUIRE(plain.ok());
  CHECK(plain.value.interaction().priority() == 5);  // the lead rule's bonus
  CHECK(plain.value.interaction().agent() == "ana");

  // Owner Ben: his affinity outweighs Ana's skill fit.
  auto owned = work_item("lead-2", v1::WorkItemDetails::LEAD);
  owned.mutable_work_item()->set_owner("ben");
  auto reply = fx.submit(owned);
  REQUIRE(reply.ok());
  CHECK(reply.value.interaction().agent() == "ben");
  CHECK(reply.value.interaction().customer().preferred_agent() == "ben");

  // An owner routerd does not know is ignored, as a customer record's is.
  auto unknown = work_item("sr-2");
  unknown.mutable_work_item()->set_owner("nobody");
  auto r3 = fx.submit(unknown);
  REQUIRE(r3.ok());
  CHECK(r3.value.interaction().customer().preferred_agent().empty());
  CHECK(r3.value.interaction().state() == v1::QUEUED);  // both have an offer pending
}

TEST_CASE("a scheduled work item waits in no queue until its time, then is offered",
          "[grpc][work_item]") {
  RouterFixture fx(with_crm_queue());
  AgentDesk dev(fx, "dev");
  REQUIRE(dev.set_ready().ok());
  auto watch = fx.watch_interactions();

  auto request = work_item("cb-1", v1::WorkItemDetails::CALLBACK);
  request.mutable_work_item()->set_callback_number("(415) 555-0101");  // Bob's number
  *request.mutable_work_item()->mutable_not_before() = from_now(1500ms);
  auto submitted = fx.submit(request);
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  const v1::Interaction& scheduled = submitted.value.interaction();
  CHECK(scheduled.state() == v1::SCHEDULED);
  CHECK(scheduled.agent().empty());
  CHECK(scheduled.position() == 0);
  CHECK(scheduled.work_item().callback_number() == "+14155550101");
  CHECK(scheduled.customer().customer_id() == "C2");  // found by the callback number
  // Due: the threshold after not_before.
  CHECK(TimeUtil::DurationToMilliseconds(scheduled.work_item().due() -
                                         scheduled.work_item().not_before()) ==
        Approx(3'600'000).margin(2));
  REQUIRE(watch->wait_for(change_is("cb-1", "scheduled")).has_value());
  auto waiting = fx.get_interaction("cb-1");
  REQUIRE(waiting.ok());
  CHECK(waiting.value.state() == v1::SCHEDULED);
  CHECK(fx.queue_stats("crm")->waiting() == 0);

  auto offer = dev.wait_offer("cb-1", 5s);
  REQUIRE(offer.has_value());
  CHECK(from_now(0ms) >= scheduled.work_item().not_before());
  CHECK(watch->wait_for(change_is("cb-1", "queued")).has_value());

  // Cancelled before its time: ABANDONED, and its queue never saw it.
  auto later = work_item("cb-2", v1::WorkItemDetails::ACTIVITY);
  *later.mutable_work_item()->mutable_not_before() = from_now(std::chrono::hours(2));
  REQUIRE(fx.submit(later).ok());
  const uint64_t arrived = fx.queue_stats("crm")->arrived();
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("cb-2");
  auto cancelled = fx.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel);
  INFO(describe(cancelled.status));
  REQUIRE(cancelled.ok());
  CHECK(cancelled.value.interaction().state() == v1::ABANDONED);
  CHECK(fx.queue_stats("crm")->arrived() == arrived);
  CHECK(fx.queue_stats("crm")->abandoned() == 0);
}

TEST_CASE("a restarted routerd gets its work items back from the journal, due and schedule kept",
          "[grpc][work_item][redis]") {
  RedisServer redis;
  CenterOptions options = with_crm_queue();
  options.redis = "127.0.0.1:" + std::to_string(redis.port());
  RouterFixture fx(options);
  auto queued = work_item("sr-9");
  *queued.mutable_work_item()->mutable_due() = from_now(30min);
  auto scheduled = work_item("cb-9", v1::WorkItemDetails::ACTIVITY);
  *scheduled.mutable_work_item()->mutable_not_before() = from_now(3s);
  REQUIRE(fx.submit(queued).ok());
  REQUIRE(fx.submit(scheduled).ok());
  const auto before_queued = fx.get_interaction("sr-9");
  const auto before_scheduled = fx.get_interaction("cb-9");
  REQUIRE(before_queued.ok());
  REQUIRE(before_scheduled.ok());
  REQUIRE(before_scheduled.value.state() == v1::SCHEDULED);

  fx.restart();

  const auto after_queued = fx.get_interaction("sr-9");
  const auto after_scheduled = fx.get_interaction("cb-9");
  INFO(describe(after_queued.status) << " / " << describe(after_scheduled.status));
  REQUIRE(after_queued.ok());
  REQUIRE(after_scheduled.ok());
  CHECK(after_queued.value.state() == v1::QUEUED);
  CHECK(after_scheduled.value.state() == v1::SCHEDULED);
  // The same due times, to the millisecond the clocks' mapping allows across two processes.
  const auto ms = [](const google::protobuf::Timestamp& t) {
    return TimeUtil::TimestampToMilliseconds(t);
  };
  CHECK(std::abs(ms(after_queued.value.work_item().due()) -
                 ms(before_queued.value.work_item().due())) <= 5);
  CHECK(std::abs(ms(after_scheduled.value.work_item().due()) -
                 ms(before_scheduled.value.work_item().due())) <= 5);
  CHECK(after_scheduled.value.work_item().not_before() ==
        before_scheduled.value.work_item().not_before());

  // Offered in due order: the queued one at once, the scheduled one only at its time.
  AgentDesk ana(fx, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(ana.wait_offer("sr-9").has_value());
  REQUIRE(ana.accept("sr-9").ok());
  auto later = ana.wait_offer("cb-9", 6s);
  REQUIRE(later.has_value());
  CHECK(from_now(0ms) >= before_scheduled.value.work_item().not_before());
}

TEST_CASE("a bad work item is refused naming its work_item field", "[grpc][work_item]") {
  RouterFixture fx(with_crm_queue());
  auto refused = [&](v1::SubmitInteractionRequest r) {
    auto reply = fx.submit(r);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.code() == grpc::StatusCode::INVALID_ARGUMENT);
    return reply.message();
  };
  CHECK_THAT(refused(work_item("e1", v1::WorkItemDetails::TYPE_UNSPECIFIED)),
             Catch::StartsWith("work_item.type: required"));
  CHECK_THAT(refused(work_item("e2", v1::WorkItemDetails::CALLBACK)),
             Catch::StartsWith("work_item.callback_number: required for type CALLBACK"));
  auto bad_number = work_item("e3", v1::WorkItemDetails::CALLBACK);
  bad_number.mutable_work_item()->set_callback_number("not a number");
  CHECK_THAT(refused(bad_number), Catch::StartsWith("work_item.callback_number:"));
  auto far = work_item("e4");
  *far.mutable_work_item()->mutable_due() = from_now(std::chrono::hours(24 * 401));
  CHECK(refused(far) == "work_item.due: more than 400 days from now");
  auto year_9999 = work_item("e5");
  year_9999.mutable_work_item()->mutable_due()->set_seconds(253'402'300'000);
  CHECK(refused(year_9999) == "work_item.due: more than 400 days from now");
  auto backwards = work_item("e6");
  *backwards.mutable_work_item()->mutable_not_before() = from_now(std::chrono::hours(2));
  *backwards.mutable_work_item()->mutable_due() = from_now(std::chrono::hours(1));
  CHECK(refused(backwards) == "work_item.due: before not_before");
  auto wrong_details = work_item("e7");
  wrong_details.mutable_phone()->set_ani("+14155550100");
  CHECK_THAT(refused(wrong_details), Catch::StartsWith("details: must be work_item"));
  // Nothing refused is left behind.
  CHECK(fx.queue_stats("crm")->arrived() == 0);
}

}  // namespace router::it
