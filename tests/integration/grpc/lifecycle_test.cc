// An interaction's whole life over the real API, once per channel: submitted by the gateway,
// offered to an agent over StreamWork with its points, accepted, completed, wrapped up; the
// gateway follows it on WatchInteractions. And the customer each address finds.
#include <algorithm>
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

struct Expected {
  std::string queue;
  std::string customer_id;  // empty: anonymous
  std::string matched_by;
};

std::function<bool(const v1::InteractionEvent&)> change_is(const std::string& id,
                                                           const std::string& change) {
  return [id, change](const v1::InteractionEvent& e) {
    return e.interaction().interaction_id() == id && e.change() == change;
  };
}

// Whether the agent's work stream carries an update of `id` in `state`.
bool work_update(AgentDesk& desk, const std::string& id, v1::InteractionState state) {
  return desk.work()
      .wait_for([&](const v1::WorkEvent& e) {
        return e.has_update() && e.update().interaction_id() == id && e.update().state() == state;
      })
      .has_value();
}

// Submits `request` while `agent` is logged in but not ready, then lets the agent take it from
// offer to completion, checking every step on the agent's stream, the gateway's watch and the
// replies.
void run_full_lifecycle(RouterFixture& fx, const v1::SubmitInteractionRequest& request,
                        const std::string& agent, const Expected& expected) {
  const std::string& id = request.interaction_id();
  AgentDesk desk(fx, agent);
  auto watch = fx.watch_interactions();

  auto submitted = fx.submit(request);
  INFO("SubmitInteraction: " << describe(submitted.status));
  REQUIRE(submitted.ok());
  const v1::Interaction& queued = submitted.value.interaction();
  CHECK(queued.interaction_id() == id);
  CHECK(queued.channel() == request.channel());
  CHECK(queued.state() == v1::QUEUED);
  CHECK(queued.queue() == expected.queue);
  CHECK(queued.position() == 1);
  CHECK(queued.ewt_s() >= 0);
  CHECK(queued.customer().customer_id() == expected.customer_id);
  CHECK(queued.customer().matched_by() == expected.matched_by);
  CHECK_FALSE(submitted.value.replayed());

  REQUIRE(desk.set_ready().ok());
  auto offer = desk.wait_offer(id);
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().queue() == expected.queue);
  CHECK(offer->interaction().state() == v1::OFFERED);
  CHECK(offer->interaction().agent() == agent);
  CHECK(offer->has_expires());
  // The breakdown explains the total: the terms add up to it.
  REQUIRE(offer->breakdown_size() > 0);
  double sum = 0;
  for (const auto& term : offer->breakdown()) {
    CHECK_FALSE(term.term().empty());
    sum += term.points();
  }
  CHECK(sum == Approx(offer->points()).margin(1e-6));

  auto offered = watch->wait_for(change_is(id, "offered"));
  REQUIRE(offered.has_value());
  CHECK(offered->interaction().agent() == agent);

  auto accepted = desk.accept(id);
  INFO("AcceptOffer: " << describe(accepted.status));
  REQUIRE(accepted.ok());
  CHECK(accepted.value.state() == v1::BUSY);
  CHECK(std::find(accepted.value.work().begin(), accepted.value.work().end(), id) !=
        accepted.value.work().end());

  // The desktop hears about its own work on its stream too.
  CHECK(work_update(desk, id, v1::ASSIGNED));
  auto assigned = watch->wait_for(change_is(id, "assigned"));
  REQUIRE(assigned.has_value());
  CHECK(assigned->interaction().state() == v1::ASSIGNED);
  CHECK(assigned->interaction().agent() == agent);
  CHECK(assigned->interaction().customer().customer_id() == expected.customer_id);

  auto completed = desk.complete(id, "resolved");
  INFO("CompleteInteraction: " << describe(completed.status));
  REQUIRE(completed.ok());
  CHECK(completed.value.state() == v1::AGENT_WRAP_UP);

  auto wrap_up = watch->wait_for(change_is(id, "wrap_up"));
  REQUIRE(wrap_up.has_value());
  CHECK(wrap_up->interaction().state() == v1::WRAP_UP);
  CHECK(wrap_up->interaction().agent() == agent);
  CHECK(work_update(desk, id, v1::WRAP_UP));

  auto ended = desk.end_wrap_up(id);
  INFO("EndWrapUp: " << describe(ended.status));
  REQUIRE(ended.ok());
  CHECK(ended.value.state() == v1::READY);
  CHECK(ended.value.work_size() == 0);
  CHECK(ended.value.handled() == 1);

  auto done = watch->wait_for(change_is(id, "completed"));
  REQUIRE(done.has_value());
  CHECK(done->interaction().state() == v1::COMPLETED);
  CHECK(work_update(desk, id, v1::COMPLETED));

  auto final_state = fx.get_interaction(id);
  REQUIRE(final_state.ok());
  CHECK(final_state.value.state() == v1::COMPLETED);

  auto stats = fx.queue_stats(expected.queue);
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 0);
  CHECK(stats->arrived() == 1);
  CHECK(stats->answered() == 1);
  CHECK(stats->completed() == 1);
}

TEST_CASE_METHOD(RouterFixture,
                 "an interaction of every channel goes from submit through offer, assignment "
                 "and wrap-up to completed",
                 "[grpc][lifecycle]") {
  SECTION("a phone call, found by the caller's number") {
    auto call = phone_call("call-1", "(415) 555-0100", "(800) 555-0100");
    run_full_lifecycle(*this, call, "ana", {"phone-support", "C1", "phone"});
  }
  SECTION("an email, found by its sender's address") {
    run_full_lifecycle(*this, email("mail-1", "Ada <ADA@Example.com>", "m-1@mail.example.com"),
                       "cara", {"email-billing", "C1", "email"});
  }
  SECTION("a web chat, found by the visitor id") {
    run_full_lifecycle(*this, web_chat("chat-1", " v-2 "), "cara",
                       {"web-chat", "C2", "web_visitor"});
  }
  SECTION("a web callback request, found by the account id") {
    run_full_lifecycle(*this, web_callback("cb-1", "acct-2", "+1 212 555 0199"), "ana",
                       {"web-callback", "C2", "web_account"});
  }
}

TEST_CASE_METHOD(RouterFixture,
                 "submitted addresses come back normalized: E.164 numbers, lower-cased emails",
                 "[grpc][lifecycle]") {
  auto call = submit(phone_call("call-1", "415.555.0100", "1-800-555-0100"));
  INFO(describe(call.status));
  REQUIRE(call.ok());
  CHECK(call.value.interaction().phone().ani() == "+14155550100");
  CHECK(call.value.interaction().phone().dnis() == "+18005550100");
  CHECK(call.value.interaction().customer().customer_id() == "C1");

  auto mail = submit(email("mail-1", "  Bob@EXAMPLE.com "));
  INFO(describe(mail.status));
  REQUIRE(mail.ok());
  CHECK(mail.value.interaction().email().from() == "bob@example.com");
  CHECK(mail.value.interaction().customer().customer_id() == "C2");
  CHECK(mail.value.interaction().customer().name() == "Bob");
  CHECK(mail.value.interaction().customer().segment() == v1::PROFITABLE);

  auto callback_request = web_callback("cb-1", "", "(415) 555-0101");
  callback_request.mutable_web()->set_visitor_id("v-9");
  auto callback = submit(callback_request);
  INFO(describe(callback.status));
  REQUIRE(callback.ok());
  CHECK(callback.value.interaction().web().callback_number() == "+14155550101");
}

TEST_CASE_METHOD(RouterFixture,
                 "entry points choose the queue by channel, address and intent, the first "
                 "matching rule winning",
                 "[grpc][lifecycle]") {
  struct Case {
    std::string intent, dnis, queue;
  };
  const Case c =
      GENERATE(Case{"", kSupportLine, "phone-support"}, Case{"sales", kSupportLine, "phone-sales"},
               Case{"SALES", kSupportLine, "phone-sales"},
               Case{"vip", kSupportLine, "phone-support"},  // a later rule
               Case{"", kSalesLine, "phone-sales"}, Case{"support", kSalesLine, "phone-sales"});
  auto request = phone_call("call-1", "+1 415 555 0100", c.dnis);
  request.set_intent(c.intent);
  auto reply = submit(request);
  INFO("intent '" << c.intent << "' to " << c.dnis << ": " << describe(reply.status));
  REQUIRE(reply.ok());
  CHECK(reply.value.interaction().queue() == c.queue);
  CHECK(reply.value.interaction().intent() == c.intent);
  CHECK(reply.value.interaction().priority() == 0);
}

TEST_CASE_METHOD(RouterFixture, "an interaction from an unknown address is routed anonymously",
                 "[grpc][lifecycle]") {
  const v1::SubmitInteractionRequest unknown = GENERATE(
      phone_call("call-x", "+1 212 555 0000"), email("mail-x", "stranger@example.org"),
      web_chat("chat-x", "v-unknown"), web_callback("cb-x", "acct-unknown", "+1 212 555 0001"));
  auto reply = submit(unknown);
  INFO(unknown.interaction_id() << ": " << describe(reply.status));
  REQUIRE(reply.ok());
  const auto& customer = reply.value.interaction().customer();
  CHECK(customer.customer_id().empty());
  CHECK(customer.matched_by().empty());
  CHECK(reply.value.interaction().state() == v1::QUEUED);
  CHECK_FALSE(reply.value.interaction().queue().empty());
}

TEST_CASE_METHOD(RouterFixture,
                 "a customer record carries its segment, value and language into the interaction",
                 "[grpc][lifecycle]") {
  auto reply = submit(web_chat("chat-1", "v-1"));
  INFO(describe(reply.status));
  REQUIRE(reply.ok());
  const auto& customer = reply.value.interaction().customer();
  CHECK(customer.customer_id() == "C1");
  CHECK(customer.name() == "Ada");
  CHECK(customer.segment() == v1::STRATEGIC);
  CHECK(customer.lifetime_value() == Approx(91000));
  CHECK(customer.language() == "en");
  CHECK(customer.matched_by() == "web_visitor");
}

TEST_CASE_METHOD(RouterFixture,
                 "GetInteraction gives a waiting call's position and wait range as of now",
                 "[grpc][lifecycle][estimate]") {
  // Nobody logged in: each call ahead costs one handle time plus wrap-up, and the range is the
  // calibrated range of that many in a row (docs/routing.md, "Estimated wait").
  for (const char* id : {"wait-1", "wait-2", "wait-3"}) {
    REQUIRE(submit(phone_call(id, "+1 415 555 0100")).ok());
  }
  auto third = get_interaction("wait-3");
  INFO(describe(third.status));
  REQUIRE(third.ok());
  CHECK(third.value.state() == v1::QUEUED);
  CHECK(third.value.position() == 3);
  CHECK(third.value.ewt_low_s() > 0);
  CHECK(third.value.ewt_low_s() < third.value.ewt_s());
  CHECK(third.value.ewt_s() < third.value.ewt_high_s());

  // The first hangs up: the others move up, and their estimates with them.
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("wait-1");
  REQUIRE(call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
  auto moved = get_interaction("wait-3");
  REQUIRE(moved.ok());
  CHECK(moved.value.position() == 2);
  CHECK(moved.value.ewt_s() < third.value.ewt_s());
  CHECK(moved.value.ewt_high_s() < third.value.ewt_high_s());
  auto first = get_interaction("wait-2");
  REQUIRE(first.ok());
  CHECK(first.value.position() == 1);
}

}  // namespace
}  // namespace router::it
