// AgentService.AgentSession end to end: every request kind answered on the stream after the work
// events its command caused; every error answered with the stream staying up; a cut session
// logging its agent out after the grace period; sessions and StreamWork replacing each other.
#include <catch2/catch.hpp>

#include "integration/grpc/agent_session_client.h"

namespace router::it {
namespace {

// True when a work event between the answer before the one to `correlation_id` and that answer
// satisfies `match`: the command's own events came before its answer (requests are sent one at
// a time, and answers come in request order).
bool before_answer(const AgentStreamClient& s, const std::string& correlation_id,
                   const std::function<bool(const v1::AgentSessionResponse&)>& match) {
  bool seen = false;
  for (const auto& r : s.responses()) {
    if (r.has_answer()) {
      if (r.answer().result().correlation_id() == correlation_id) return seen;
      seen = false;
    } else if (match(r)) {
      seen = true;
    }
  }
  return false;
}

// Submits `id` on the sales line (offer timeout 5 s) and waits for its offer on `s`.
void offered(RouterFixture& f, AgentStreamClient& s, const std::string& id) {
  auto submitted = f.submit(phone_call(id, "+1 415 555 0100", kSalesLine));
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  REQUIRE(s.wait_for([&](const v1::AgentSessionResponse& r) { return is_offer(r, id); }));
}

TEST_CASE_METHOD(RouterFixture,
                 "an agent session carries every request kind and answers each after the events "
                 "its command caused",
                 "[grpc][agent_session]") {
  AgentDesk dev(*this, "dev");  // the target of a transfer to an agent
  AgentStreamClient s(*this, agent_token("ana"));
  // The first status, as StreamWork sends it at open.
  REQUIRE(s.wait_for([](const auto& r) { return is_status(r, v1::LOGGED_OUT); }));

  auto login = s.call("login", login_request());
  REQUIRE(login);
  CHECK(login->agent() == "ana");
  CHECK(code_of(*login) == 0);
  CHECK(login->answer().status().state() == v1::NOT_READY);
  CHECK(before_answer(s, "login", [](const auto& r) { return is_status(r, v1::NOT_READY); }));

  auto not_ready = s.call("break", state_request(v1::NOT_READY, "", "break"));
  REQUIRE(not_ready);
  CHECK(code_of(*not_ready) == 0);
  CHECK(not_ready->answer().status().reason() == "break");

  auto ready = s.call("ready", state_request(v1::READY, "ana"));  // naming itself is fine
  REQUIRE(ready);
  CHECK(code_of(*ready) == 0);
  CHECK(ready->answer().status().state() == v1::READY);
  CHECK(before_answer(s, "ready", [](const auto& r) { return is_status(r, v1::READY); }));

  offered(*this, s, "call-1");
  auto reject = s.call("reject", offer_request(OfferOp::kReject, "call-1"));
  REQUIRE(reject);
  CHECK(code_of(*reject) == 0);
  CHECK(
      before_answer(s, "reject", [](const auto& r) { return is_update(r, "call-1", "rejected"); }));

  offered(*this, s, "call-2");
  auto accept = s.call("accept", offer_request(OfferOp::kAccept, "call-2"));
  REQUIRE(accept);
  CHECK(code_of(*accept) == 0);
  REQUIRE(accept->answer().status().work_size() == 1);
  CHECK(before_answer(s, "accept", [](const auto& r) {
    return is_update(r, "call-2") && r.work().update().state() == v1::ASSIGNED;
  }));
  auto complete = s.call("complete", complete_request("call-2"));
  REQUIRE(complete);
  CHECK(code_of(*complete) == 0);
  CHECK(before_answer(s, "complete", [](const auto& r) {
    return is_update(r, "call-2") && r.work().update().state() == v1::WRAP_UP;
  }));
  auto wrapped = s.call("wrapped", offer_request(OfferOp::kEndWrapUp, "call-2"));
  REQUIRE(wrapped);
  CHECK(code_of(*wrapped) == 0);

  offered(*this, s, "call-3");
  REQUIRE(s.call("accept-3", offer_request(OfferOp::kAccept, "call-3")));
  auto to_agent = s.call("to-dev", transfer_request("call-3", "", "dev"));
  REQUIRE(to_agent);
  CHECK(code_of(*to_agent) == 0);
  CHECK(before_answer(s, "to-dev",
                      [](const auto& r) { return is_update(r, "call-3", "transferred"); }));
  auto passed = get_interaction("call-3");  // waits for dev (NOT_READY) in its queue
  REQUIRE(passed.ok());
  CHECK(passed.value.state() == v1::QUEUED);

  offered(*this, s, "call-4");
  REQUIRE(s.call("accept-4", offer_request(OfferOp::kAccept, "call-4")));
  REQUIRE(s.call("pause", state_request(v1::NOT_READY, "", "after")));
  auto to_queue = s.call("to-support", transfer_request("call-4", "phone-support", ""));
  REQUIRE(to_queue);
  CHECK(code_of(*to_queue) == 0);
  CHECK(before_answer(s, "to-support",
                      [](const auto& r) { return is_update(r, "call-4", "transferred"); }));

  auto logout = s.call("logout", logout_request());
  REQUIRE(logout);
  CHECK(code_of(*logout) == 0);
  CHECK(logout->answer().status().state() == v1::LOGGED_OUT);
  CHECK(before_answer(s, "logout", [](const auto& r) { return is_status(r, v1::LOGGED_OUT); }));

  // A half-close ends the stream OK once everything is answered.
  REQUIRE(s.send([] {
    auto r = state_request(v1::READY);
    r.set_correlation_id("last");
    return r;
  }()));
  s.close_writes();
  auto last = s.answer("last");
  REQUIRE(last);
  CHECK(code_of(*last) == static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  auto end = s.wait_end();
  REQUIRE(end);
  CHECK(end->ok());
}

TEST_CASE_METHOD(RouterFixture,
                 "a bad request on an agent session is answered with its error and the stream "
                 "stays up",
                 "[grpc][agent_session]") {
  AgentStreamClient s(*this, agent_token("ana"));
  REQUIRE(s.call("login", login_request("", true)));
  auto code = [&](const std::string& id, v1::AgentRequest r) {
    auto a = s.call(id, std::move(r));
    REQUIRE(a);
    CHECK(a->answer().result().correlation_id() == id);
    CHECK_FALSE(a->answer().has_status());
    return std::make_pair(static_cast<grpc::StatusCode>(code_of(*a)),
                          a->answer().result().message());
  };
  using grpc::StatusCode;

  auto [not_found, nf_message] = code("nf", offer_request(OfferOp::kAccept, "no-such-call"));
  CHECK(not_found == StatusCode::NOT_FOUND);

  auto [other, other_message] = code("other", login_request("ben"));
  CHECK(other == StatusCode::PERMISSION_DENIED);
  CHECK(other_message.find("agent") == 0);

  auto [no_id, no_id_message] = code("no-id", complete_request(""));
  CHECK(no_id == StatusCode::INVALID_ARGUMENT);
  CHECK(no_id_message.find("interaction_id") == 0);

  auto [bad_state, bad_state_message] = code("state", state_request(v1::LOGGED_OUT));
  CHECK(bad_state == StatusCode::INVALID_ARGUMENT);
  CHECK(bad_state_message.find("state") == 0);

  auto [empty, empty_message] = code("empty", v1::AgentRequest());
  CHECK(empty == StatusCode::INVALID_ARGUMENT);
  CHECK(empty_message.find("request") == 0);

  auto [transfer, transfer_message] = code("nowhere", transfer_request("x", "", ""));
  CHECK(transfer == StatusCode::INVALID_ARGUMENT);

  // Correlation ids: empty and over-long are answered without one.
  REQUIRE(s.send(state_request(v1::READY)));
  auto missing = s.wait_for(
      [](const auto& r) { return r.has_answer() && r.answer().result().correlation_id().empty(); });
  REQUIRE(missing);
  CHECK(code_of(*missing) == static_cast<int>(StatusCode::INVALID_ARGUMENT));
  CHECK(missing->answer().result().message().find("correlation_id") == 0);
  auto long_id = state_request(v1::READY);
  long_id.set_correlation_id(std::string(129, 'x'));
  REQUIRE(s.send(long_id));
  auto too_long = s.wait_for(
      [](const auto& r) { return r.has_answer() && r.answer().result().correlation_id().empty(); });
  REQUIRE(too_long);
  CHECK(code_of(*too_long) == static_cast<int>(StatusCode::RESOURCE_EXHAUSTED));
  CHECK(too_long->answer().result().message().find("correlation_id") == 0);

  // The same id many times in one burst: each is answered; those read while an earlier one was
  // still in flight are INVALID_ARGUMENT, and the id is reusable once answered.
  auto same = state_request(v1::READY);
  same.set_correlation_id("same");
  // Past the 64 requests read ahead: routerd stops reading and resumes as answers go out (seen
  // pausing and resuming in a run instrumented for it).
  constexpr int kBurst = 300;
  for (int i = 0; i < kBurst; ++i) REQUIRE(s.send(same, /*buffer=*/i + 1 < kBurst));
  int ok = 0;
  int duplicate = 0;
  for (int i = 0; i < kBurst; ++i) {
    auto a = s.answer("same");
    REQUIRE(a);
    if (code_of(*a) == 0) ++ok;
    if (code_of(*a) == static_cast<int>(StatusCode::INVALID_ARGUMENT)) {
      CHECK(a->answer().result().message().find("correlation_id") == 0);
      ++duplicate;
    }
  }
  CHECK(ok >= 1);
  CHECK(duplicate >= 1);
  CHECK(ok + duplicate == kBurst);

  // An offer that timed out: FAILED_PRECONDITION (phone-support: offer timeout 1 s).
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  REQUIRE(s.wait_for([](const auto& r) { return is_offer(r, "call-1"); }));
  REQUIRE(s.wait_for([](const auto& r) { return is_update(r, "call-1", "offer_timeout"); }));
  auto [late, late_message] = code("late", offer_request(OfferOp::kAccept, "call-1"));
  CHECK(late == StatusCode::FAILED_PRECONDITION);

  // Still up: a good request is answered OK.
  auto again = s.call("again", state_request(v1::READY));
  REQUIRE(again);
  CHECK(code_of(*again) == 0);
  CHECK_FALSE(s.wait_end(Millis(1)).has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "an agent session cut mid session logs its agent out after the grace period "
                 "unless a new session comes in time",
                 "[grpc][agent_session]") {
  {
    AgentStreamClient s(*this, agent_token("ana"));
    REQUIRE(s.call("login", login_request("", true)));
    const auto cut = std::chrono::steady_clock::now();
    s.cancel();
    REQUIRE(eventually([&] {
      auto a = agent_status("ana");
      return a && a->state() == v1::LOGGED_OUT;
    }));
    CHECK(std::chrono::steady_clock::now() - cut >= kAgentGrace - 50ms);
  }
  AgentStreamClient first(*this, agent_token("ben"));
  REQUIRE(first.call("login", login_request("", true)));
  first.cancel();
  REQUIRE(first.wait_end());
  AgentStreamClient second(*this, agent_token("ben"));
  REQUIRE(second.wait_for([](const auto& r) { return is_status(r, v1::READY); }));
  const auto until = std::chrono::steady_clock::now() + kAgentGrace * 2;
  while (std::chrono::steady_clock::now() < until) {
    auto b = agent_status("ben");
    REQUIRE(b.has_value());
    REQUIRE(b->state() == v1::READY);
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(second.wait_for([](const auto& r) { return is_offer(r, "call-1"); }));
}

TEST_CASE_METHOD(RouterFixture,
                 "an agent session replaces the agent's StreamWork and a new StreamWork replaces "
                 "the session",
                 "[grpc][agent_session]") {
  AgentDesk ana(*this, "ana");  // logged in, StreamWork open
  AgentStreamClient s(*this, agent_token("ana"));
  auto replaced = ana.work().wait_end();
  REQUIRE(replaced);
  CHECK(replaced->error_code() == grpc::StatusCode::ABORTED);
  REQUIRE(s.wait_for([](const auto& r) { return is_status(r, v1::NOT_READY); }));
  REQUIRE(s.call("ready", state_request(v1::READY)));

  ana.reconnect();  // a new StreamWork for ana
  auto ended = s.wait_end();
  REQUIRE(ended);
  CHECK(ended->error_code() == grpc::StatusCode::ABORTED);
  auto a = agent_status("ana");
  REQUIRE(a);
  CHECK(a->state() == v1::READY);  // replaced, not lost: no grace, no logout
}

TEST_CASE_METHOD(RouterFixture, "an agent token may not open an AgentLink",
                 "[grpc][agent_session]") {
  AgentStreamClient link(*this, agent_token("ana"), /*link=*/true);
  auto end = link.wait_end();
  REQUIRE(end);
  CHECK(end->error_code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE_METHOD(DevNoAuthFixture,
                 "without auth a session is bound by the first request that names an agent",
                 "[grpc][agent_session]") {
  AgentStreamClient s(*this, "");
  auto unbound = s.call("unbound", login_request());
  REQUIRE(unbound);
  CHECK(code_of(*unbound) == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  auto unknown = s.call("unknown", login_request("nobody"));
  REQUIRE(unknown);
  CHECK(code_of(*unknown) == static_cast<int>(grpc::StatusCode::NOT_FOUND));
  auto bound = s.call("bound", login_request("cara", true));
  REQUIRE(bound);
  CHECK(code_of(*bound) == 0);
  CHECK(before_answer(s, "bound", [](const auto& r) { return is_status(r, v1::READY); }));
  auto own = s.call("own", state_request(v1::NOT_READY));
  REQUIRE(own);
  CHECK(own->agent() == "cara");
  CHECK(code_of(*own) == 0);
  auto other = s.call("other", login_request("dev"));
  REQUIRE(other);
  CHECK(code_of(*other) == static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
}

}  // namespace
}  // namespace router::it
