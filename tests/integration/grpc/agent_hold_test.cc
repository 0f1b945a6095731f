// Preferred-agent hold over the real API (issue 19, row 2; docs/routing.md, "Preferred-agent
// hold"): a work item whose owner is logged in waits for her while another agent is free, the
// supervisor's ExplainRouting says so, and when the hold ends anyone may take it.
#include <google/protobuf/util/time_util.h>

#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using google::protobuf::util::TimeUtil;

// A work-item queue that holds an item 2 s for its owner (the preferred agent).
CenterOptions with_hold() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    yaml = replace_once(yaml, "\nagents:\n", R"(
  - name: crm
    channels: [WORK_ITEM]
    skills: [{skill: support, min_level: 3}]
    service_level_threshold_s: 3600
    offer_timeout_s: 5
    wrap_up_s: 0
    hold_for_agent_s: 2

agents:
)");
    return replace_once(yaml, "\nentry_points:\n", R"(
entry_points:
  - {channel: WORK_ITEM, queue: crm}
)");
  };
  return o;
}

v1::SubmitInteractionRequest owned_by(const std::string& id, const std::string& owner) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::WORK_ITEM);
  r.mutable_work_item()->set_type(v1::WorkItemDetails::SERVICE_REQUEST);
  r.mutable_work_item()->set_owner(owner);
  return r;
}

}  // namespace

TEST_CASE("a work item waits for its logged-in owner, then goes to anyone", "[grpc][hold]") {
  RouterFixture fx(with_hold());
  AgentDesk ana(fx, "ana");  // the owner: logged in, NOT_READY
  AgentDesk ben(fx, "ben");
  REQUIRE(ben.set_ready().ok());
  const auto submitted_at = std::chrono::steady_clock::now();
  auto sent = fx.submit(owned_by("sr-1", "ana"));
  INFO(describe(sent.status));
  REQUIRE(sent.ok());
  CHECK(sent.value.interaction().state() == v1::QUEUED);  // Ben is free, but it waits for Ana

  v1::ExplainRoutingRequest request;
  request.set_interaction_id("it-gateway/sr-1");
  auto why = fx.call(&v1::SupervisorService::Stub::ExplainRouting, kSupervisorToken, request);
  INFO(describe(why.status));
  REQUIRE(why.ok());
  CHECK(why.value.has_held_until());
  const auto held_ms = TimeUtil::TimestampToMilliseconds(why.value.held_until()) -
                       TimeUtil::TimestampToMilliseconds(sent.value.interaction().arrived());
  CHECK(held_ms >= 1900);
  CHECK(held_ms <= 2100);
  bool ben_held_off = false;
  for (const auto& i : why.value.ineligible()) {
    if (i.agent() == "ben") ben_held_off = i.reason() == "held_for_preferred_agent";
  }
  CHECK(ben_held_off);

  SECTION("the owner gets ready within the hold and is offered it") {
    REQUIRE(ana.set_ready().ok());
    REQUIRE(ana.wait_offer("sr-1").has_value());
  }
  SECTION("the hold ends and the free agent is offered it") {
    auto offer = ben.wait_offer("sr-1", Millis(5000));
    REQUIRE(offer.has_value());
    CHECK(std::chrono::steady_clock::now() - submitted_at >= Millis(1900));
  }
}

}  // namespace router::it
