// The interaction history (issue 17 part 5; docs/routing.md, "Interaction history") over a real
// loopback socket: ExplainRouting of a finished interaction answers from what routerd recorded
// while routing it — each offer with its agent, time, queue, outcome and the points breakdown as
// the decision was made, when it was answered and finished, its queue path, its agent and
// wrap-up code — from memory, and with Redis also after a restart (from the journal's finished
// entry).
#include <catch2/catch.hpp>
#include <string>

#include "integration/grpc/fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

Reply<v1::ExplainRoutingResponse> explain(Clients& c, const std::string& id) {
  v1::ExplainRoutingRequest request;
  request.set_interaction_id(id);
  return c.call(&v1::SupervisorService::Stub::ExplainRouting, kSupervisorToken, request);
}

double term_sum(const v1::InteractionHistory::Offer& offer) {
  double sum = 0;
  for (const auto& t : offer.breakdown()) sum += t.points();
  return sum;
}

// ana rejects "h-1", ben accepts it, completes it with a code and ends the wrap-up.
void rejected_then_handled(Clients& c, AgentDesk& ana, AgentDesk& ben) {
  REQUIRE(ana.set_ready().ok());
  REQUIRE(c.submit(phone_call("h-1", "+1 212 555 0142")).ok());
  REQUIRE(ana.wait_offer("h-1").has_value());
  REQUIRE(ben.set_ready().ok());
  REQUIRE(ana.reject("h-1").ok());
  REQUIRE(ben.wait_offer("h-1").has_value());
  REQUIRE(ben.accept("h-1").ok());
  REQUIRE(ben.complete("h-1", "resolved").ok());
  REQUIRE(ben.end_wrap_up("h-1").ok());
  REQUIRE(eventually([&] { return c.get_interaction("h-1").value.state() == v1::COMPLETED; }));
}

void check_handled(const v1::ExplainRoutingResponse& r) {
  CHECK(r.state() == v1::COMPLETED);
  CHECK(r.eligible_size() == 0);
  REQUIRE(r.has_history());
  const v1::InteractionHistory& h = r.history();
  CHECK(h.interaction().agent() == "ben");
  CHECK(h.interaction().wrap_up_code() == "resolved");
  CHECK(h.interaction().queue() == "phone-support");
  CHECK(std::vector<std::string>(h.queue_path().begin(), h.queue_path().end()) ==
        std::vector<std::string>{"phone-support"});
  REQUIRE(h.offers_size() == 2);
  CHECK(h.offers(0).agent() == "ana");
  CHECK(h.offers(0).outcome() == "rejected");
  CHECK(h.offers(1).agent() == "ben");
  CHECK(h.offers(1).outcome() == "accepted");
  for (const auto& offer : h.offers()) {
    CHECK(offer.queue() == "phone-support");
    CHECK(offer.points() > 0);
    CHECK(offer.breakdown_size() > 0);
    CHECK(term_sum(offer) == Approx(offer.points()).margin(0.01));
  }
  // In time order: arrived ≤ first offer ≤ second offer ≤ answered ≤ finished.
  const auto ms = [](const google::protobuf::Timestamp& t) {
    return t.seconds() * 1000 + t.nanos() / 1'000'000;
  };
  REQUIRE(h.has_arrived());
  REQUIRE(h.has_answered());
  REQUIRE(h.has_finished());
  CHECK(ms(h.arrived()) <= ms(h.offers(0).at()));
  CHECK(ms(h.offers(0).at()) <= ms(h.offers(1).at()));
  CHECK(ms(h.offers(1).at()) <= ms(h.answered()));
  CHECK(ms(h.answered()) <= ms(h.finished()));
  CHECK_FALSE(h.partial());
}

TEST_CASE("ExplainRouting of a finished interaction answers from its history", "[grpc][history]") {
  RouterFixture f;
  AgentDesk ana(f, "ana");
  AgentDesk ben(f, "ben");

  SECTION("offers, outcomes and points as decided; answered, finished, agent and code") {
    rejected_then_handled(f, ana, ben);
    auto r = explain(f, "h-1");
    INFO(describe(r.status));
    REQUIRE(r.ok());
    CHECK(r.value.interaction_id() == "h-1");
    check_handled(r.value);
    // The scoped id names the same record.
    auto scoped = explain(f, "it-gateway/h-1");
    REQUIRE(scoped.ok());
    CHECK(scoped.value.history().offers_size() == 2);
    // routerctl explain shows the same record.
    const ProcessRun ctl =
        run_captured({ROUTERCTL_PATH, "--server", "127.0.0.1:" + std::to_string(f.server().port()),
                      "--token", kSupervisorToken, "explain", "h-1"},
                     10s);
    INFO(ctl.out << ctl.err);
    REQUIRE(ctl.exit_code == 0);
    CHECK_THAT(ctl.out, Contains("COMPLETED (finished)") && Contains("phone-support") &&
                            Contains("rejected") && Contains("accepted") && Contains("resolved"));
  }

  SECTION("a moved and abandoned interaction: its queue path, no offers") {
    REQUIRE(f.submit(phone_call("h-2", "+1 212 555 0143")).ok());
    v1::MoveInteractionRequest move;
    move.set_interaction_id("h-2");
    move.set_queue("phone-sales");
    REQUIRE(f.call(&v1::SupervisorService::Stub::MoveInteraction, kSupervisorToken, move).ok());
    v1::CancelInteractionRequest cancel;
    cancel.set_interaction_id("h-2");
    REQUIRE(f.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
    auto r = explain(f, "h-2");
    INFO(describe(r.status));
    REQUIRE(r.ok());
    CHECK(r.value.state() == v1::ABANDONED);
    const auto& h = r.value.history();
    CHECK(std::vector<std::string>(h.queue_path().begin(), h.queue_path().end()) ==
          std::vector<std::string>{"phone-support", "phone-sales"});
    CHECK(h.offers_size() == 0);
    CHECK_FALSE(h.has_answered());
  }

  SECTION("an offer out when the caller hangs up ends 'abandoned'") {
    REQUIRE(ana.set_ready().ok());
    REQUIRE(f.submit(phone_call("h-3", "+1 212 555 0144")).ok());
    REQUIRE(ana.wait_offer("h-3").has_value());
    v1::CancelInteractionRequest cancel;
    cancel.set_interaction_id("h-3");
    REQUIRE(f.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
    auto r = explain(f, "h-3");
    REQUIRE(r.ok());
    REQUIRE(r.value.history().offers_size() == 1);
    CHECK(r.value.history().offers(0).outcome() == "abandoned");
  }

  SECTION("a live interaction is still explained live; an unknown one is NOT_FOUND") {
    REQUIRE(f.submit(phone_call("h-4", "+1 212 555 0145")).ok());
    auto live = explain(f, "h-4");
    REQUIRE(live.ok());
    CHECK(live.value.state() == v1::QUEUED);
    CHECK_FALSE(live.value.has_history());
    CHECK(live.value.ineligible_size() + live.value.eligible_size() > 0);
    CHECK(explain(f, "nope").status.error_code() == grpc::StatusCode::NOT_FOUND);
  }
}

TEST_CASE("With Redis, a finished interaction is explained after a restart from the journal",
          "[grpc][history][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center("127.0.0.1:" + std::to_string(redis.port())));
  {
    AgentDesk ana(f, "ana");
    AgentDesk ben(f, "ben");
    rejected_then_handled(f, ana, ben);
  }
  f.restart();
  for (const char* id : {"h-1", "it-gateway/h-1"}) {
    auto r = explain(f, id);
    INFO(id << ": " << describe(r.status));
    REQUIRE(r.ok());
    CHECK(r.value.interaction_id() == id);
    check_handled(r.value);
  }
  CHECK(explain(f, "never-was").status.error_code() == grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace router::it
