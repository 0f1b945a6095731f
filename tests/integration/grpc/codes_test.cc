// Disposition (wrap-up) codes and not-ready reasons (RoutingConfig.codes; docs/operations.md,
// "Codes") over a real loopback socket: a code given must be on the queue's list (a queue's own
// list overrides the center's), a required one is due by EndWrapUp at the latest (by Complete
// when no wrap-up follows), the code is on the finished interaction, not-ready reasons are
// checked for agents and supervisors alike, and a bad list is refused naming its field.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

constexpr char kCodes[] = R"(codes:
  wrap_up: {codes: [resolved, escalated, callback], required: true}
  not_ready: {codes: [break, lunch, training], required: true}
)";

// phone-sales has its own optional list; web-chat has no wrap-up.
std::string codes_center(std::string yaml) {
  yaml = replace_once(yaml, "    offer_timeout_s: 5\n    wrap_up_s: 30\n  - name: email-billing",
                      "    offer_timeout_s: 5\n    wrap_up_s: 30\n"
                      "    wrap_up_codes: {codes: [sold, no_sale]}\n  - name: email-billing");
  return replace_once(yaml,
                      "    skills: [{skill: chat, min_level: 2}]\n    offer_timeout_s: 5\n"
                      "    wrap_up_s: 30\n",
                      "    skills: [{skill: chat, min_level: 2}]\n    offer_timeout_s: 5\n"
                      "    wrap_up_s: 0\n");
}

struct CodesCenter : RouterFixture {
  CodesCenter() : RouterFixture(CenterOptions{.extra_config = kCodes, .edit = codes_center}) {}
};

// An interaction submitted and accepted by `desk`.
void accepted(Clients& c, AgentDesk& desk, const v1::SubmitInteractionRequest& submit) {
  REQUIRE(c.submit(submit).ok());
  REQUIRE(desk.wait_offer(submit.interaction_id()).has_value());
  REQUIRE(desk.accept(submit.interaction_id()).ok());
}

TEST_CASE_METHOD(CodesCenter, "wrap-up codes are checked against the queue's list",
                 "[grpc][codes]") {
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());

  SECTION("a code not on the list is refused naming the field, and nothing changes") {
    accepted(*this, ana, phone_call("p-1", "+1 212 555 0101"));
    auto bad = ana.complete("p-1", "bogus");
    CHECK(bad.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(bad.message(), Contains("wrap_up_code: 'bogus' is not a wrap-up code of queue "
                                       "phone-support (one of: resolved escalated callback)"));
    CHECK(get_interaction("p-1").value.state() == v1::ASSIGNED);
    REQUIRE(ana.complete("p-1", "resolved").ok());
    auto in_wrap_up = get_interaction("p-1");
    CHECK(in_wrap_up.value.state() == v1::WRAP_UP);
    CHECK(in_wrap_up.value.wrap_up_code() == "resolved");
    REQUIRE(ana.end_wrap_up("p-1").ok());  // Complete gave it
    auto done = get_interaction("p-1");
    CHECK(done.value.state() == v1::COMPLETED);
    CHECK(done.value.wrap_up_code() == "resolved");
  }
  SECTION("a required code may come with EndWrapUp, and must come by then") {
    accepted(*this, ana, phone_call("p-2", "+1 212 555 0102"));
    REQUIRE(ana.complete("p-2", "").ok());  // a wrap-up follows
    auto none = ana.end_wrap_up("p-2");
    CHECK(none.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(none.message(), Contains("wrap_up_code: required for queue phone-support"));
    CHECK_THAT(none.message(), Contains("CompleteInteraction gave none"));
    auto wrong = ana.end_wrap_up("p-2", "sold");  // phone-sales's, not phone-support's
    CHECK(wrong.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(get_interaction("p-2").value.state() == v1::WRAP_UP);
    REQUIRE(ana.end_wrap_up("p-2", "escalated").ok());
    auto done = get_interaction("p-2");
    CHECK(done.value.state() == v1::COMPLETED);
    CHECK(done.value.wrap_up_code() == "escalated");
  }
  SECTION("EndWrapUp's code replaces Complete's") {
    accepted(*this, ana, phone_call("p-3", "+1 212 555 0103"));
    REQUIRE(ana.complete("p-3", "resolved").ok());
    REQUIRE(ana.end_wrap_up("p-3", "callback").ok());
    CHECK(get_interaction("p-3").value.wrap_up_code() == "callback");
  }
  SECTION("a queue's own list replaces the center's, and need not be required") {
    accepted(*this, ana, phone_call("s-1", "+1 212 555 0104", kSalesLine));
    auto center_code = ana.complete("s-1", "resolved");
    CHECK(center_code.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(center_code.message(), Contains("queue phone-sales (one of: sold no_sale)"));
    REQUIRE(ana.complete("s-1", "").ok());
    REQUIRE(ana.end_wrap_up("s-1").ok());  // not required there
    CHECK(get_interaction("s-1").value.wrap_up_code().empty());
  }
  SECTION("without a wrap-up a required code is due at Complete") {
    accepted(*this, ana, web_chat("c-1", "visitor-1"));
    auto none = ana.complete("c-1", "");
    CHECK(none.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(none.message(), Contains("wrap_up_code: required for queue web-chat"));
    CHECK(get_interaction("c-1").value.state() == v1::ASSIGNED);
    REQUIRE(ana.complete("c-1", "callback").ok());
    auto done = get_interaction("c-1");
    CHECK(done.value.state() == v1::COMPLETED);
    CHECK(done.value.wrap_up_code() == "callback");
  }
  SECTION("AcceptOffer and RejectOffer take no code") {
    REQUIRE(submit(phone_call("p-4", "+1 212 555 0105")).ok());
    REQUIRE(ana.wait_offer("p-4").has_value());
    v1::OfferRequest r;
    r.set_agent("ana");
    r.set_interaction_id("p-4");
    r.set_wrap_up_code("resolved");
    auto accept = call(&v1::AgentService::Stub::AcceptOffer, ana.token(), r);
    CHECK(accept.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(accept.message(), Contains("wrap_up_code: only EndWrapUp takes one"));
    auto reject = call(&v1::AgentService::Stub::RejectOffer, ana.token(), r);
    CHECK(reject.code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(ana.accept("p-4").ok());  // still offered to ana
  }
}

TEST_CASE_METHOD(CodesCenter, "not-ready reasons are checked for agents and supervisors",
                 "[grpc][codes]") {
  AgentDesk ben(*this, "ben");
  auto unknown = ben.set_not_ready("nap");
  CHECK(unknown.code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(unknown.message(),
             Contains("reason: 'nap' is not a not-ready reason (one of: break lunch training)"));
  auto none = ben.set_not_ready("");
  CHECK(none.code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(none.message(), Contains("reason: required for NOT_READY"));
  auto lunch = ben.set_not_ready("lunch");
  REQUIRE(lunch.ok());
  CHECK(lunch.value.reason() == "lunch");
  CHECK(ben.set_ready().ok());  // READY needs no reason

  v1::SetStateRequest force;
  force.set_agent("ben");
  force.set_state(v1::NOT_READY);
  force.set_reason("nap");
  auto forced = call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, force);
  CHECK(forced.code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(forced.message(), Contains("reason: 'nap' is not a not-ready reason"));
  force.set_reason("training");
  auto trained = call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, force);
  REQUIRE(trained.ok());
  CHECK(trained.value.reason() == "training");
}

TEST_CASE("a bad code list is refused naming its field", "[grpc][codes]") {
  struct Bad {
    std::string codes, field, says;
  };
  const Bad bad = GENERATE(
      Bad{"codes:\n  wrap_up: {codes: [ok, \"two words\"]}\n", "codes.wrap_up.codes[1]",
          "only letters, digits"},
      Bad{"codes:\n  not_ready: {codes: [break, break]}\n", "codes.not_ready.codes[1]",
          "'break' listed twice"},
      Bad{"codes:\n  wrap_up: {codes: [\"\"]}\n", "codes.wrap_up.codes[0]", "1..64 characters"});
  CenterFiles files;
  files.write_config(center_yaml(CenterOptions{.extra_config = bad.codes}));
  auto checked = routerd::Daemon::check(files.config_path());
  REQUIRE_FALSE(checked.ok());
  INFO(checked.error().message);
  CHECK_THAT(checked.error().message, Contains(bad.field));
  CHECK_THAT(checked.error().message, Contains(bad.says));

  CenterFiles queue_files;
  queue_files.write_config(replace_once(center_yaml(), "    wrap_up_s: 30\n  - name: phone-sales",
                                        "    wrap_up_s: 30\n    wrap_up_codes: {codes: [a/b]}\n"
                                        "  - name: phone-sales"));
  auto queue_checked = routerd::Daemon::check(queue_files.config_path());
  REQUIRE_FALSE(queue_checked.ok());
  CHECK_THAT(queue_checked.error().message, Contains("queues[0].wrap_up_codes.codes[0]"));
}

}  // namespace
}  // namespace router::it
