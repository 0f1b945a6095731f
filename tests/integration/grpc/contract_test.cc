// Contract bugs found black-box (issue 13), each pinned by a test: a late AcceptOffer is a race,
// not a broken token; every event carries the state right after its own change; a WorkEvent that
// takes an offer away says why.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

bool is_change(const v1::InteractionEvent& e, const std::string& id, const std::string& change) {
  return e.interaction().interaction_id() == id && e.change() == change;
}

bool takes_away(const v1::WorkEvent& e, const std::string& id) {
  return e.has_update() && e.update().interaction_id() == id && !e.reason().empty();
}

TEST_CASE_METHOD(RouterFixture,
                 "a late AcceptOffer for an offer that timed out and went to another agent is "
                 "FAILED_PRECONDITION, not PERMISSION_DENIED",
                 "[grpc][contract]") {
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  // phone-support: offer timeout 1 s.
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSupportLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  auto gone = ana.work().wait_for([](const v1::WorkEvent& e) { return takes_away(e, "call-1"); });
  REQUIRE(gone.has_value());
  CHECK(gone->reason() == "offer_timeout");
  CHECK(gone->update().state() == v1::QUEUED);

  AgentDesk ben(*this, "ben");
  REQUIRE(ben.set_ready().ok());
  REQUIRE(ben.wait_offer("call-1").has_value());

  auto late = ana.accept("call-1");
  INFO(describe(late.status));
  CHECK(late.code() == grpc::FAILED_PRECONDITION);
  SECTION("and so are reject, complete and end of wrap-up by the agent who lost it") {
    CHECK(ana.reject("call-1").code() == grpc::FAILED_PRECONDITION);
    CHECK(ana.complete("call-1").code() == grpc::FAILED_PRECONDITION);
    CHECK(ana.end_wrap_up("call-1").code() == grpc::FAILED_PRECONDITION);
  }
  // ben's offer was not touched.
  auto accepted = ben.accept("call-1");
  INFO(describe(accepted.status));
  CHECK(accepted.ok());
}

TEST_CASE_METHOD(RouterFixture,
                 "with a queue's wrap_up_s of 0 every event after CompleteInteraction carries its "
                 "state and the agent",
                 "[grpc][contract]") {
  std::string yaml = files().read_config();
  yaml = replace_once(yaml,
                      "skills: [{skill: sales, min_level: 3}]\n    offer_timeout_s: 5\n"
                      "    wrap_up_s: 30",
                      "skills: [{skill: sales, min_level: 3}]\n    offer_timeout_s: 5\n"
                      "    wrap_up_s: 0");
  files().write_config(yaml);
  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  REQUIRE(reloaded.ok());

  auto watch = watch_interactions();
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  REQUIRE(ana.accept("call-1").ok());
  REQUIRE(ana.complete("call-1").ok());

  auto completed = watch->wait_for(
      [](const v1::InteractionEvent& e) { return is_change(e, "call-1", "completed"); });
  REQUIRE(completed.has_value());
  CHECK(completed->interaction().state() == v1::COMPLETED);
  CHECK(completed->interaction().agent() == "ana");
  for (const v1::InteractionEvent& e : watch->events()) {
    if (e.interaction().interaction_id() != "call-1") continue;
    INFO("change " << e.change());
    CHECK(e.interaction().state() != v1::INTERACTION_STATE_UNSPECIFIED);
    if (e.change() == "wrap_up") {
      CHECK(e.interaction().state() == v1::WRAP_UP);
      CHECK(e.interaction().agent() == "ana");
    }
  }
  auto last = ana.work().wait_for([](const v1::WorkEvent& e) {
    return e.has_update() && e.update().interaction_id() == "call-1" &&
           e.update().state() == v1::COMPLETED;
  });
  REQUIRE(last.has_value());
  CHECK(last->update().agent() == "ana");
  for (const v1::WorkEvent& e : ana.work().events()) {
    if (!e.has_update()) continue;
    INFO("update " << v1::InteractionState_Name(e.update().state()));
    CHECK(e.update().state() != v1::INTERACTION_STATE_UNSPECIFIED);
    CHECK(e.update().agent() == "ana");
  }
}

TEST_CASE_METHOD(RouterFixture, "a WorkEvent that takes an offer away says why",
                 "[grpc][contract]") {
  auto watch = watch_interactions();
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());

  SECTION("rejected by this agent") {
    // ben is ready while ana holds the offer: the reject requeues it and offers it to ben in the
    // same step, which is when an update built from the engine's latest state went wrong.
    AgentDesk ben(*this, "ben");
    REQUIRE(ben.set_ready().ok());
    REQUIRE(ana.reject("call-1").ok());
    auto gone = ana.work().wait_for([](const v1::WorkEvent& e) { return takes_away(e, "call-1"); });
    REQUIRE(gone.has_value());
    CHECK(gone->reason() == "rejected");
    // The update is the interaction as the reject left it, even when the next offer (to ben)
    // was made in the same step.
    CHECK(gone->update().state() == v1::QUEUED);
    CHECK(gone->update().agent().empty());
    auto requeued = watch->wait_for(
        [](const v1::InteractionEvent& e) { return is_change(e, "call-1", "requeued"); });
    REQUIRE(requeued.has_value());
    CHECK(requeued->interaction().state() == v1::QUEUED);
    REQUIRE(ben.wait_offer("call-1").has_value());
  }
  SECTION("the caller hung up while it was offered") {
    v1::CancelInteractionRequest cancel;
    cancel.set_interaction_id("call-1");
    cancel.set_reason("caller hung up");
    auto cancelled = call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel);
    INFO(describe(cancelled.status));
    REQUIRE(cancelled.ok());
    auto gone = ana.work().wait_for([](const v1::WorkEvent& e) { return takes_away(e, "call-1"); });
    REQUIRE(gone.has_value());
    CHECK(gone->reason() == "abandoned");
    CHECK(gone->update().state() == v1::ABANDONED);
  }
  SECTION("not for the offer itself or an accepted interaction's updates") {
    REQUIRE(ana.accept("call-1").ok());
    auto assigned = ana.work().wait_for([](const v1::WorkEvent& e) {
      return e.has_update() && e.update().state() == v1::ASSIGNED;
    });
    REQUIRE(assigned.has_value());
    CHECK(assigned->reason().empty());
  }
}

}  // namespace
}  // namespace router::it
