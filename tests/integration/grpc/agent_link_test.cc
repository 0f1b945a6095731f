// AgentService.AgentLink end to end: a CTI link's token (role AGENT_LINK) acts for its agents
// only, every request names its agent, the link carries only its agents' work, a newer stream
// takes one agent over without ending the link, and the link's end starts each agent's grace.
#include <catch2/catch.hpp>

#include "integration/grpc/agent_session_client.h"

namespace router::it {
namespace {

inline constexpr char kLinkToken[] = "it-link-token-0001";

CenterOptions link_center() {
  CenterOptions o;
  o.extra_tokens =
      "    - {token: \"it-link-token-0001\", role: AGENT_LINK, name: it-link, agents: [ana, "
      "ben]}\n";
  return o;
}

class LinkFixture : public RouterFixture {
 public:
  LinkFixture() : RouterFixture(link_center()) {}
};

bool answered(const v1::AgentSessionResponse& r, const std::string& id) {
  return r.has_answer() && r.answer().result().correlation_id() == id;
}

TEST_CASE_METHOD(LinkFixture, "an agent link acts only for the agents its token lists",
                 "[grpc][agent_link]") {
  AgentDesk cara(*this, "cara");  // not the link's: her work never shows on it
  AgentStreamClient link(*this, kLinkToken, /*link=*/true);

  auto ana = link.call("ana-login", login_request("ana", true));
  REQUIRE(ana);
  CHECK(code_of(*ana) == 0);
  CHECK(ana->agent() == "ana");
  CHECK(ana->answer().status().state() == v1::READY);
  auto ben = link.call("ben-login", login_request("ben"));
  REQUIRE(ben);
  CHECK(code_of(*ben) == 0);
  CHECK(ben->agent() == "ben");

  auto other = link.call("cara-ready", state_request(v1::READY, "cara"));
  REQUIRE(other);
  CHECK(code_of(*other) == static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  auto unnamed = link.call("unnamed", state_request(v1::READY));
  REQUIRE(unnamed);
  CHECK(code_of(*unnamed) == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  CHECK(unnamed->answer().result().message().find("agent") == 0);

  // Work for ana arrives on the link, named; she accepts through it.
  REQUIRE(cara.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  auto offer = link.wait_for([](const auto& r) { return is_offer(r, "call-1"); });
  REQUIRE(offer);
  CHECK(offer->agent() == "ana");
  auto accept = link.call("accept", offer_request(OfferOp::kAccept, "call-1", "ana"));
  REQUIRE(accept);
  CHECK(code_of(*accept) == 0);
  // cara's work (an email to billing: cara and ben have the skill, only cara is ready).
  REQUIRE(submit(email("mail-1", "ada@example.com")).ok());
  REQUIRE(cara.wait_offer("mail-1").has_value());
  auto logout = link.call("ben-logout", logout_request("ben"));
  REQUIRE(logout);
  CHECK(code_of(*logout) == 0);
  for (const auto& r : link.responses()) {
    // Answers name the request's agent ("" when it named none).
    CHECK((r.agent() == "ana" || r.agent() == "ben" || r.agent() == "cara" || r.agent().empty()));
    if (r.has_work()) CHECK(r.agent() != "cara");
    if (r.has_work() && r.work().has_offer()) {
      CHECK(r.work().offer().interaction().interaction_id() == "call-1");
    }
  }

  // The link token on the unary calls: its agents only; AgentSession and StreamWork refused.
  v1::SetStateRequest ready;
  ready.set_agent("ben");
  ready.set_state(v1::READY);
  CHECK(call(&v1::AgentService::Stub::SetState, kLinkToken, ready).code() ==
        grpc::StatusCode::FAILED_PRECONDITION);  // ben logged out: allowed, refused by state
  ready.set_agent("cara");
  CHECK(call(&v1::AgentService::Stub::SetState, kLinkToken, ready).code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  AgentStreamClient session(*this, kLinkToken);
  auto refused = session.wait_end();
  REQUIRE(refused);
  CHECK(refused->error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_FALSE(link.wait_end(Millis(1)).has_value());
}

TEST_CASE_METHOD(LinkFixture,
                 "a newer stream takes one agent over from a link and the link keeps the others",
                 "[grpc][agent_link]") {
  AgentStreamClient link(*this, kLinkToken, /*link=*/true);
  REQUIRE(link.call("ana", login_request("ana", true)));
  REQUIRE(link.call("ben", login_request("ben", true)));

  AgentStreamClient desk(*this, agent_token("ana"));  // ana's own desktop session
  auto taken = link.wait_for([](const auto& r) {
    return r.has_answer() && r.answer().result().correlation_id().empty() && r.agent() == "ana";
  });
  REQUIRE(taken);
  CHECK(code_of(*taken) == static_cast<int>(grpc::StatusCode::ABORTED));
  auto still = link.call("ben-nr", state_request(v1::NOT_READY, "ben", "break"));
  REQUIRE(still);
  CHECK(code_of(*still) == 0);

  // The link's next request for ana takes her back (and ends the desktop's session).
  auto back = link.call("ana-nr", state_request(v1::NOT_READY, "ana", "break"));
  REQUIRE(back);
  CHECK(code_of(*back) == 0);
  auto ended = desk.wait_end();
  REQUIRE(ended);
  CHECK(ended->error_code() == grpc::StatusCode::ABORTED);
  link.rewind();
  auto status = link.wait_index([](const auto& r) {
    return r.agent() == "ana" && r.has_work() && r.work().has_status() &&
           r.work().status().reason() == "break";
  });
  auto answer = link.wait_index([](const auto& r) { return answered(r, "ana-nr"); });
  REQUIRE(status);
  REQUIRE(answer);
  CHECK(*status < *answer);
}

TEST_CASE_METHOD(LinkFixture, "an agent link's end starts the grace period of each of its agents",
                 "[grpc][agent_link]") {
  auto link = std::make_unique<AgentStreamClient>(*this, kLinkToken, /*link=*/true);
  REQUIRE(link->call("ana", login_request("ana", true)));
  REQUIRE(link->call("ben", login_request("ben", false)));
  // One heartbeat per tick on the link, however many agents it holds.
  auto heartbeat = [](const v1::AgentSessionResponse& r) {
    return r.has_work() && r.work().has_heartbeat();
  };
  for (int i = 0; i < 3; ++i) REQUIRE(link->wait_for(heartbeat));
  int64_t last_ns = 0;
  for (const auto& r : link->responses()) {
    if (!heartbeat(r)) continue;
    const int64_t at = r.work().at().seconds() * 1'000'000'000 + r.work().at().nanos();
    if (last_ns != 0) CHECK(at - last_ns >= std::chrono::nanoseconds(kHeartbeat).count() / 2);
    last_ns = at;
  }
  const auto cut = std::chrono::steady_clock::now();
  link.reset();  // cancelled
  REQUIRE(eventually([&] {
    auto a = agent_status("ana");
    auto b = agent_status("ben");
    return a && b && a->state() == v1::LOGGED_OUT && b->state() == v1::LOGGED_OUT;
  }));
  CHECK(std::chrono::steady_clock::now() - cut >= kAgentGrace - 50ms);
}

}  // namespace
}  // namespace router::it
