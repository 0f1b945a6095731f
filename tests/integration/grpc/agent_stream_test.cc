// The agent's work stream: its end logs the agent out after the grace period and gives offered
// work to someone else; a reconnect within the grace keeps the agent; an offer left unanswered
// times out, goes back to its queue and sets the agent NOT_READY("missed").
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

bool is_change(const v1::InteractionEvent& e, const std::string& id, const std::string& change) {
  return e.interaction().interaction_id() == id && e.change() == change;
}

TEST_CASE_METHOD(RouterFixture,
                 "an agent whose work stream ends is logged out after the grace period and its "
                 "offer goes to another ready agent",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  AgentDesk ben(*this, "ben");
  auto watch = watch_interactions();
  REQUIRE(ana.set_ready().ok());
  // phone-sales: a 5 s offer timeout, well beyond the grace, so only the logout can requeue.
  auto submitted = submit(phone_call("call-1", "+1 415 555 0100", kSalesLine));
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  REQUIRE(ben.set_ready().ok());

  const auto dropped = std::chrono::steady_clock::now();
  ana.hang_up();

  auto requeued = watch->wait_for(
      [](const v1::InteractionEvent& e) { return is_change(e, "call-1", "requeued"); });
  REQUIRE(requeued.has_value());
  CHECK(requeued->reason() == "agent_logged_out");
  // Not before the grace period (a lost connection may come back).
  CHECK(std::chrono::steady_clock::now() - dropped >= kAgentGrace - 50ms);

  auto offer = ben.wait_offer("call-1");
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().agent() == "ben");
  CHECK(offer->interaction().arrived().seconds() ==
        submitted.value.interaction().arrived().seconds());
  CHECK(offer->interaction().arrived().nanos() == submitted.value.interaction().arrived().nanos());

  auto status = agent_status("ana");
  REQUIRE(status.has_value());
  CHECK(status->state() == v1::LOGGED_OUT);
  CHECK(status->work_size() == 0);
  REQUIRE(ben.accept("call-1").ok());
  auto assigned = get_interaction("call-1");
  REQUIRE(assigned.ok());
  CHECK(assigned.value.state() == v1::ASSIGNED);
  CHECK(assigned.value.agent() == "ben");
}

TEST_CASE_METHOD(RouterFixture,
                 "with no other agent ready, the logged-out agent's offer waits in its queue",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  ana.hang_up();
  REQUIRE(eventually([&] {
    auto s = agent_status("ana");
    return s && s->state() == v1::LOGGED_OUT;
  }));
  REQUIRE(eventually([&] {
    auto i = get_interaction("call-1");
    return i.ok() && i.value.state() == v1::QUEUED;
  }));
  auto stats = queue_stats("phone-sales");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 1);
}

TEST_CASE_METHOD(RouterFixture,
                 "an agent who reconnects the work stream within the grace period stays logged "
                 "in and keeps getting work",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  ana.hang_up();
  REQUIRE(ana.work().wait_end().has_value());
  ana.reconnect();

  // Past the grace period (and then some) the agent must still be READY.
  const auto until = std::chrono::steady_clock::now() + kAgentGrace * 2;
  while (std::chrono::steady_clock::now() < until) {
    auto s = agent_status("ana");
    REQUIRE(s.has_value());
    REQUIRE(s->state() == v1::READY);
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  auto offer = ana.wait_offer("call-1");
  REQUIRE(offer.has_value());
  CHECK(ana.accept("call-1").ok());
}

TEST_CASE_METHOD(RouterFixture,
                 "an offer not accepted in time goes back to its queue and the agent becomes "
                 "NOT_READY missed, and accepting it afterwards is FAILED_PRECONDITION",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  auto watch = watch_interactions();
  REQUIRE(ana.set_ready().ok());
  // phone-support: offer timeout 1 s.
  auto submitted = submit(phone_call("call-1", "+1 415 555 0100", kSupportLine));
  REQUIRE(submitted.ok());
  auto offer = ana.wait_offer("call-1");
  REQUIRE(offer.has_value());

  auto requeued = watch->wait_for(
      [](const v1::InteractionEvent& e) { return is_change(e, "call-1", "requeued"); });
  REQUIRE(requeued.has_value());
  CHECK(requeued->reason() == "offer_timeout");
  CHECK(requeued->interaction().state() == v1::QUEUED);
  CHECK(requeued->interaction().arrived().seconds() ==
        submitted.value.interaction().arrived().seconds());

  // The agent's own stream says so too.
  auto missed = ana.work().wait_for(
      [](const v1::WorkEvent& e) { return e.has_status() && e.status().state() == v1::NOT_READY; });
  REQUIRE(missed.has_value());
  CHECK(missed->status().reason() == "missed");

  auto status = agent_status("ana");
  REQUIRE(status.has_value());
  CHECK(status->state() == v1::NOT_READY);
  CHECK(status->reason() == "missed");
  CHECK(status->work_size() == 0);

  auto late = ana.accept("call-1");
  CHECK(late.code() == grpc::FAILED_PRECONDITION);
  INFO(describe(late.status));

  auto still = get_interaction("call-1");
  REQUIRE(still.ok());
  CHECK(still.value.state() == v1::QUEUED);
  CHECK(still.value.agent().empty());

  SECTION("the agent who missed it is not offered it again; another agent is") {
    REQUIRE(ana.set_ready().ok());
    AgentDesk ben(*this, "ben");
    REQUIRE(ben.set_ready().ok());
    REQUIRE(ben.wait_offer("call-1").has_value());
    CHECK_FALSE(ana.wait_offer("call-1", 300ms).has_value());
  }
}

TEST_CASE_METHOD(RouterFixture,
                 "accepting an interaction that was never offered to the agent is "
                 "FAILED_PRECONDITION",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  auto reply = ana.accept("call-1");
  INFO(describe(reply.status));
  CHECK(reply.code() == grpc::FAILED_PRECONDITION);
  SECTION("and an interaction that does not exist is NOT_FOUND") {
    auto unknown = ana.accept("no-such-call");
    INFO(describe(unknown.status));
    CHECK(unknown.code() == grpc::NOT_FOUND);
  }
}

TEST_CASE_METHOD(RouterFixture, "a rejected offer goes back to its queue and on to another agent",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  AgentDesk ben(*this, "ben");
  auto watch = watch_interactions();
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  REQUIRE(ben.set_ready().ok());
  auto rejected = ana.reject("call-1");
  INFO(describe(rejected.status));
  REQUIRE(rejected.ok());
  auto requeued = watch->wait_for(
      [](const v1::InteractionEvent& e) { return is_change(e, "call-1", "requeued"); });
  REQUIRE(requeued.has_value());
  CHECK(requeued->reason() == "rejected");
  CHECK(ben.wait_offer("call-1").has_value());
}

TEST_CASE_METHOD(RouterFixture, "the work stream carries heartbeats at the configured interval",
                 "[grpc][agent_stream]") {
  AgentDesk ana(*this, "ana");
  const auto start = std::chrono::steady_clock::now();
  int beats = 0;
  while (beats < 3) {
    auto beat = ana.work().wait_for([](const v1::WorkEvent& e) { return e.has_heartbeat(); },
                                    kHeartbeat * 5);
    REQUIRE(beat.has_value());
    ++beats;
  }
  // Three beats at 0.2 s: well under a second, and not all at once.
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took < 2s);
  CHECK(took >= kHeartbeat);
}

}  // namespace
}  // namespace router::it
