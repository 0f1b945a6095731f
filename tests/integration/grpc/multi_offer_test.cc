// Multi-offer over the real API (issue 19, row 1; docs/routing.md, "Multi-offer"): a ring-all
// queue offers a call to every eligible agent's desktop at once; the first AcceptOffer wins, the
// others' desktops are told "taken_by_other_agent" and a late accept is FAILED_PRECONDITION; a
// reject ends only that agent's offer; the history records every offer's outcome.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

// phone-support (support ≥ 3: ana 7, ben 5, dev 4) rings every eligible agent.
CenterOptions ring_all() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    return replace_once(yaml, "    skills: [{skill: support, min_level: 3}]\n",
                        "    skills: [{skill: support, min_level: 3}]\n    ring_all: true\n");
  };
  return o;
}

// The update on `desk`'s work stream that takes `id` away, with its reason.
std::optional<v1::WorkEvent> taken_away(AgentDesk& desk, const std::string& id) {
  return desk.work().wait_for([&](const v1::WorkEvent& e) {
    return e.has_update() && e.update().interaction_id() == id && !e.reason().empty();
  });
}

std::vector<std::string> ringing(Clients& c, const std::string& id) {
  auto got = c.get_interaction(id);
  REQUIRE(got.ok());
  return {got.value.offered_to().begin(), got.value.offered_to().end()};
}

}  // namespace

TEST_CASE("a ring-all call rings every eligible desktop and the first accept wins",
          "[grpc][multi-offer]") {
  RouterFixture fx(ring_all());
  AgentDesk ana(fx, "ana");
  AgentDesk ben(fx, "ben");
  AgentDesk cara(fx, "cara");  // no support skill: never rung
  AgentDesk dev(fx, "dev");
  for (AgentDesk* d : {&ana, &ben, &cara, &dev}) REQUIRE(d->set_ready().ok());
  auto watch = fx.watch_interactions();  // the gateway's view
  REQUIRE(fx.submit(phone_call("ring-1", "+1 212 555 0142")).ok());
  for (AgentDesk* d : {&ana, &ben, &dev}) {
    INFO(d->agent());
    REQUIRE(d->wait_offer("ring-1").has_value());
  }
  // Best first: the skill fit ranks ana (7), ben (5), dev (4).
  CHECK(ringing(fx, "ring-1") == std::vector<std::string>{"ana", "ben", "dev"});
  CHECK(fx.get_interaction("ring-1").value.state() == v1::OFFERED);

  SECTION("ben answers first; ana and dev are told it was taken") {
    REQUIRE(ben.accept("ring-1").ok());
    for (AgentDesk* d : {&ana, &dev}) {
      INFO(d->agent());
      auto gone = taken_away(*d, "ring-1");
      REQUIRE(gone.has_value());
      CHECK(gone->reason() == "taken_by_other_agent");
      CHECK(gone->update().state() == v1::ASSIGNED);
      CHECK(gone->update().agent().empty());  // not the other agent's name
    }
    // The gateway sees each withdrawn offer as a change "offer_ended" with its reason.
    for (int i = 0; i < 2; ++i) {
      auto ended = watch->wait_for([](const v1::InteractionEvent& e) {
        return e.interaction().interaction_id() == "ring-1" && e.change() == "offer_ended";
      });
      REQUIRE(ended.has_value());
      CHECK(ended->reason() == "taken_by_other_agent");
    }
    const auto late = ana.accept("ring-1");
    CHECK(late.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    const auto got = fx.get_interaction("ring-1");
    CHECK(got.value.state() == v1::ASSIGNED);
    CHECK(got.value.agent() == "ben");
    CHECK(got.value.offered_to_size() == 0);
    // ana and dev are READY for the next call at once.
    REQUIRE(fx.submit(phone_call("ring-2", "+1 212 555 0143")).ok());
    REQUIRE(ana.wait_offer("ring-2").has_value());
    REQUIRE(dev.wait_offer("ring-2").has_value());
  }
  SECTION("ana rejects: ben and dev keep ringing; dev answers; the history has every outcome") {
    REQUIRE(ana.reject("ring-1").ok());
    auto gone = taken_away(ana, "ring-1");
    REQUIRE(gone.has_value());
    CHECK(gone->reason() == "rejected");
    CHECK(ringing(fx, "ring-1") == std::vector<std::string>{"ben", "dev"});
    REQUIRE(dev.accept("ring-1").ok());
    REQUIRE(taken_away(ben, "ring-1").has_value());
    REQUIRE(dev.complete("ring-1", "resolved").ok());
    REQUIRE(dev.end_wrap_up("ring-1").ok());
    REQUIRE(
        eventually([&] { return fx.get_interaction("ring-1").value.state() == v1::COMPLETED; }));
    v1::ExplainRoutingRequest request;
    request.set_interaction_id("it-gateway/ring-1");
    auto why = fx.call(&v1::SupervisorService::Stub::ExplainRouting, kSupervisorToken, request);
    REQUIRE(why.ok());
    std::map<std::string, std::string> outcome;
    for (const auto& offer : why.value.history().offers()) outcome[offer.agent()] = offer.outcome();
    CHECK(outcome == std::map<std::string, std::string>{{"ana", "rejected"},
                                                        {"ben", "taken_by_other_agent"},
                                                        {"dev", "accepted"}});
  }
}

}  // namespace router::it
