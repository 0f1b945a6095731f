// The request shape checks of adapters/grpc/validate.h: for each request a valid case and the
// main invalid ones, asserting the status code and the field path the error names.
#include "adapters/grpc/validate.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

namespace {

namespace v1 = router::v1;
using ::grpc::StatusCode;
using router::adapters::grpc::field_of;
using router::adapters::grpc::RequestLimits;
using router::adapters::grpc::validate;
using router::adapters::grpc::validate_force_state;

const RequestLimits kLimits;

void require_ok(const ::grpc::Status& status) {
  INFO("message: " << status.error_message());
  REQUIRE(status.ok());
}

void require_error(const ::grpc::Status& status, StatusCode code, const std::string& field) {
  INFO("message: " << status.error_message());
  REQUIRE_FALSE(status.ok());
  REQUIRE(status.error_code() == code);
  REQUIRE(field_of(status) == field);
}

void require_invalid(const ::grpc::Status& status, const std::string& field) {
  require_error(status, StatusCode::INVALID_ARGUMENT, field);
}

void require_exhausted(const ::grpc::Status& status, const std::string& field) {
  require_error(status, StatusCode::RESOURCE_EXHAUSTED, field);
}

v1::SubmitInteractionRequest a_phone_call() {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id("call-0001");
  r.set_channel(v1::PHONE);
  r.set_priority(10);
  r.mutable_phone()->set_ani("+1 (800) 555-0100");
  r.mutable_phone()->set_dnis("8005550199");
  return r;
}

v1::SubmitInteractionRequest an_email() {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id("mail-0001");
  r.set_channel(v1::EMAIL);
  r.mutable_email()->set_from("Ann <ann@example.com>");
  r.mutable_email()->set_to_mailbox("billing@example.com");
  r.mutable_email()->set_subject("Invoice 42");
  r.mutable_email()->add_references("a@example.com");
  r.mutable_email()->mutable_received()->set_seconds(1'700'000'000);
  return r;
}

v1::SubmitInteractionRequest a_web(v1::Channel channel) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id("web-0001");
  r.set_channel(channel);
  r.mutable_web()->set_visitor_id("v-123");
  r.mutable_web()->set_topic("pricing");
  if (channel == v1::WEB_CALLBACK) r.mutable_web()->set_callback_number("+18005550100");
  return r;
}

v1::SetStateRequest a_state(v1::AgentState state) {
  v1::SetStateRequest r;
  r.set_agent("a51");
  r.set_state(state);
  return r;
}

}  // namespace

TEST_CASE("a well-formed submit passes for every channel", "[validate][submit]") {
  SECTION("phone") { require_ok(validate(a_phone_call(), kLimits)); }
  SECTION("email") { require_ok(validate(an_email(), kLimits)); }
  SECTION("web chat") { require_ok(validate(a_web(v1::WEB_CHAT), kLimits)); }
  SECTION("web callback") { require_ok(validate(a_web(v1::WEB_CALLBACK), kLimits)); }
  SECTION("web with a kind that agrees with the channel") {
    auto chat = a_web(v1::WEB_CHAT);
    chat.mutable_web()->set_kind(v1::WebDetails::CHAT);
    require_ok(validate(chat, kLimits));
    auto callback = a_web(v1::WEB_CALLBACK);
    callback.mutable_web()->set_kind(v1::WebDetails::CALLBACK);
    require_ok(validate(callback, kLimits));
  }
  SECTION("web with an account and no visitor id") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_web()->clear_visitor_id();
    r.mutable_web()->set_account_id("acct-9");
    require_ok(validate(r, kLimits));
  }
  SECTION("every limit reached but none passed") {
    auto r = a_phone_call();
    r.set_interaction_id(std::string(kLimits.max_id_length, 'x'));
    r.set_priority(100);
    r.set_intent(std::string(kLimits.max_string_length, 'i'));
    for (size_t i = 0; i < kLimits.max_attributes; ++i) {
      (*r.mutable_attributes())["key" + std::to_string(i)] =
          std::string(kLimits.max_string_length, 'v');
    }
    require_ok(validate(r, kLimits));
  }
  SECTION("priority 0") {
    auto r = a_phone_call();
    r.set_priority(0);
    require_ok(validate(r, kLimits));
  }
}

TEST_CASE("a submit's interaction id is required, capped and printable ASCII without spaces",
          "[validate][submit]") {
  auto r = a_phone_call();
  SECTION("missing") {
    r.clear_interaction_id();
    const auto status = validate(r, kLimits);
    require_invalid(status, "interaction_id");
    REQUIRE(status.error_message() == "interaction_id: required");
  }
  SECTION("too long") {
    r.set_interaction_id(std::string(kLimits.max_id_length + 1, 'x'));
    require_exhausted(validate(r, kLimits), "interaction_id");
  }
  SECTION("with a space") {
    r.set_interaction_id("call 1");
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("with a control character") {
    r.set_interaction_id("call\n1");
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("with a non-ASCII character") {
    r.set_interaction_id("caf\xc3\xa9");
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("a submit needs a known channel", "[validate][submit]") {
  auto r = a_phone_call();
  SECTION("unspecified") {
    r.set_channel(v1::CHANNEL_UNSPECIFIED);
    require_invalid(validate(r, kLimits), "channel");
  }
  SECTION("a value the schema does not define") {
    r.set_channel(static_cast<v1::Channel>(42));
    require_invalid(validate(r, kLimits), "channel");
  }
}

TEST_CASE("a submit's priority is 0..100", "[validate][submit]") {
  auto r = a_phone_call();
  SECTION("above") {
    r.set_priority(140);
    const auto status = validate(r, kLimits);
    require_invalid(status, "priority");
    REQUIRE(status.error_message() == "priority: must be 0..100, got 140");
  }
  SECTION("below") {
    r.set_priority(-1);
    require_invalid(validate(r, kLimits), "priority");
  }
}

TEST_CASE("a submit's intent and attributes are capped", "[validate][submit]") {
  auto r = a_phone_call();
  SECTION("intent too long") {
    r.set_intent(std::string(kLimits.max_string_length + 1, 'i'));
    require_exhausted(validate(r, kLimits), "intent");
  }
  SECTION("too many attributes") {
    for (int i = 0; i < 40; ++i) (*r.mutable_attributes())["k" + std::to_string(i)] = "v";
    const auto status = validate(r, kLimits);
    require_exhausted(status, "attributes");
    REQUIRE(status.error_message() == "attributes: 40 entries, at most 32");
  }
  SECTION("an empty key") {
    (*r.mutable_attributes())[""] = "v";
    require_invalid(validate(r, kLimits), "attributes");
  }
  SECTION("a key too long") {
    (*r.mutable_attributes())[std::string(kLimits.max_string_length + 1, 'k')] = "v";
    require_exhausted(validate(r, kLimits), "attributes");
  }
  SECTION("a value too long names its key") {
    (*r.mutable_attributes())["vip"] = std::string(kLimits.max_string_length + 1, 'v');
    require_exhausted(validate(r, kLimits), "attributes['vip']");
  }
  SECTION("of two bad values the first key in order is reported, whatever the map's order") {
    for (int i = 0; i < 20; ++i) (*r.mutable_attributes())["k" + std::to_string(i)] = "v";
    (*r.mutable_attributes())["zeta"] = std::string(kLimits.max_string_length + 1, 'v');
    (*r.mutable_attributes())["alpha"] = std::string(kLimits.max_string_length + 1, 'v');
    require_exhausted(validate(r, kLimits), "attributes['alpha']");
  }
  SECTION("a key holding a quote and ': ' still yields its whole path") {
    (*r.mutable_attributes())["it's: odd"] = std::string(kLimits.max_string_length + 1, 'v');
    require_exhausted(validate(r, kLimits), "attributes['it\\'s: odd']");
  }
}

TEST_CASE("a submit's details are required and match the channel", "[validate][submit]") {
  SECTION("missing") {
    auto r = a_phone_call();
    r.clear_details();
    require_invalid(validate(r, kLimits), "details");
  }
  SECTION("email details on a phone call") {
    auto r = a_phone_call();
    r.mutable_email()->set_from("ann@example.com");
    const auto status = validate(r, kLimits);
    require_invalid(status, "details");
    REQUIRE(status.error_message() == "details: must be phone for channel PHONE (got email)");
  }
  SECTION("phone details on a web chat") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_phone()->set_ani("+18005550100");
    require_invalid(validate(r, kLimits), "details");
  }
  SECTION("web details on an email") {
    auto r = an_email();
    r.mutable_web()->set_visitor_id("v-1");
    require_invalid(validate(r, kLimits), "details");
  }
}

TEST_CASE("phone details need the caller's number and cap every string", "[validate][submit]") {
  auto r = a_phone_call();
  SECTION("ani missing") {
    r.mutable_phone()->clear_ani();
    const auto status = validate(r, kLimits);
    require_invalid(status, "phone.ani");
    REQUIRE(status.error_message() == "phone.ani: required for channel PHONE");
  }
  SECTION("ani too long") {
    r.mutable_phone()->set_ani(std::string(kLimits.max_string_length + 1, '1'));
    require_exhausted(validate(r, kLimits), "phone.ani");
  }
  SECTION("ivr_path too long") {
    r.mutable_phone()->set_ivr_path(std::string(kLimits.max_string_length + 1, '>'));
    require_exhausted(validate(r, kLimits), "phone.ivr_path");
  }
  SECTION("language too long") {
    r.mutable_phone()->set_language(std::string(kLimits.max_string_length + 1, 'e'));
    require_exhausted(validate(r, kLimits), "phone.language");
  }
}

TEST_CASE("email details need the sender and cap strings and references", "[validate][submit]") {
  auto r = an_email();
  SECTION("from missing") {
    r.mutable_email()->clear_from();
    require_invalid(validate(r, kLimits), "email.from");
  }
  SECTION("subject too long") {
    r.mutable_email()->set_subject(std::string(300, 's'));
    const auto status = validate(r, kLimits);
    require_exhausted(status, "email.subject");
    REQUIRE(status.error_message() == "email.subject: 300 bytes, at most 256");
  }
  SECTION("too many references") {
    for (size_t i = 0; i < kLimits.max_references; ++i) r.mutable_email()->add_references("id");
    require_exhausted(validate(r, kLimits), "email.references");
  }
  SECTION("one reference too long") {
    r.mutable_email()->add_references("id");
    r.mutable_email()->add_references(std::string(kLimits.max_string_length + 1, 'r'));
    require_exhausted(validate(r, kLimits), "email.references[2]");
  }
  SECTION("a received time outside Timestamp's range") {
    r.mutable_email()->mutable_received()->set_nanos(1'000'000'000);
    require_invalid(validate(r, kLimits), "email.received");
  }
}

TEST_CASE("web details need a visitor or an account and agree with the channel",
          "[validate][submit]") {
  SECTION("neither visitor nor account") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_web()->clear_visitor_id();
    require_invalid(validate(r, kLimits), "web.visitor_id");
  }
  SECTION("a chat kind on a callback") {
    auto r = a_web(v1::WEB_CALLBACK);
    r.mutable_web()->set_kind(v1::WebDetails::CHAT);
    require_invalid(validate(r, kLimits), "web.kind");
  }
  SECTION("a callback kind on a chat") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_web()->set_kind(v1::WebDetails::CALLBACK);
    require_invalid(validate(r, kLimits), "web.kind");
  }
  SECTION("a kind the schema does not define") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_web()->set_kind(static_cast<v1::WebDetails::Kind>(7));
    require_invalid(validate(r, kLimits), "web.kind");
  }
  SECTION("a callback without a number") {
    auto r = a_web(v1::WEB_CALLBACK);
    r.mutable_web()->clear_callback_number();
    require_invalid(validate(r, kLimits), "web.callback_number");
  }
  SECTION("page_url too long") {
    auto r = a_web(v1::WEB_CHAT);
    r.mutable_web()->set_page_url(std::string(kLimits.max_string_length + 1, 'u'));
    require_exhausted(validate(r, kLimits), "web.page_url");
  }
}

TEST_CASE("a submit reports its first problem in field order", "[validate][submit]") {
  SECTION("a bad id before a bad priority") {
    auto r = a_phone_call();
    r.clear_interaction_id();
    r.set_priority(500);
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("a bad priority before missing details") {
    auto r = a_phone_call();
    r.set_priority(500);
    r.clear_details();
    require_invalid(validate(r, kLimits), "priority");
  }
  SECTION("too many attributes before a missing ani") {
    auto r = a_phone_call();
    r.mutable_phone()->clear_ani();
    for (int i = 0; i < 33; ++i) (*r.mutable_attributes())["k" + std::to_string(i)] = "v";
    require_exhausted(validate(r, kLimits), "attributes");
  }
}

TEST_CASE("a submit obeys the limits it is given", "[validate][submit]") {
  RequestLimits tight;
  tight.max_id_length = 4;
  tight.max_string_length = 8;
  tight.max_attributes = 1;
  auto r = a_phone_call();
  r.set_interaction_id("c1");
  r.mutable_phone()->set_ani("+1800555");
  r.mutable_phone()->set_dnis("800");
  require_ok(validate(r, tight));
  SECTION("id") {
    r.set_interaction_id("c1234");
    require_exhausted(validate(r, tight), "interaction_id");
  }
  SECTION("string") {
    r.mutable_phone()->set_ani("+180055501");
    require_exhausted(validate(r, tight), "phone.ani");
  }
  SECTION("attributes") {
    (*r.mutable_attributes())["a"] = "1";
    (*r.mutable_attributes())["b"] = "2";
    require_exhausted(validate(r, tight), "attributes");
  }
}

TEST_CASE("cancel needs an interaction id and caps its reason", "[validate][interaction]") {
  v1::CancelInteractionRequest r;
  r.set_interaction_id("call-1");
  r.set_reason("caller_hangup");
  require_ok(validate(r, kLimits));
  SECTION("id missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("reason too long") {
    r.set_reason(std::string(kLimits.max_string_length + 1, 'r'));
    require_exhausted(validate(r, kLimits), "reason");
  }
}

TEST_CASE("get needs a well-formed interaction id", "[validate][interaction]") {
  v1::GetInteractionRequest r;
  r.set_interaction_id("call-1");
  require_ok(validate(r, kLimits));
  SECTION("missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("too long") {
    // The scoped form "<gateway>/<id>" may be up to 65 bytes longer than a submitted id.
    r.set_interaction_id(std::string(kLimits.max_id_length + 65, 'x'));
    require_ok(validate(r, kLimits));
    r.set_interaction_id(std::string(kLimits.max_id_length + 66, 'x'));
    require_exhausted(validate(r, kLimits), "interaction_id");
  }
  SECTION("with a space") {
    r.set_interaction_id("call 1");
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("watching interactions takes no ids or a capped list of well-formed ones",
          "[validate][interaction]") {
  v1::WatchInteractionsRequest r;
  require_ok(validate(r, kLimits));
  r.add_interaction_ids("call-1");
  r.add_interaction_ids("call-2");
  require_ok(validate(r, kLimits));
  SECTION("an empty id names its index") {
    r.set_interaction_ids(1, "");
    require_invalid(validate(r, kLimits), "interaction_ids[1]");
  }
  SECTION("too many ids") {
    for (size_t i = 0; i < kLimits.max_watch_ids; ++i) r.add_interaction_ids("c");
    require_exhausted(validate(r, kLimits), "interaction_ids");
  }
}

TEST_CASE("login, logout and stream work need an agent name within the id cap",
          "[validate][agent]") {
  v1::LoginRequest login;
  login.set_agent("a51");
  login.set_ready(true);
  require_ok(validate(login, kLimits));
  v1::LogoutRequest logout;
  logout.set_agent("a51");
  require_ok(validate(logout, kLimits));
  v1::StreamWorkRequest stream;
  stream.set_agent("a51");
  require_ok(validate(stream, kLimits));

  SECTION("missing") {
    require_invalid(validate(v1::LoginRequest(), kLimits), "agent");
    require_invalid(validate(v1::LogoutRequest(), kLimits), "agent");
    require_invalid(validate(v1::StreamWorkRequest(), kLimits), "agent");
  }
  SECTION("too long") {
    const std::string long_name(kLimits.max_id_length + 1, 'a');
    login.set_agent(long_name);
    logout.set_agent(long_name);
    stream.set_agent(long_name);
    require_exhausted(validate(login, kLimits), "agent");
    require_exhausted(validate(logout, kLimits), "agent");
    require_exhausted(validate(stream, kLimits), "agent");
  }
}

TEST_CASE("an agent sets itself READY or NOT_READY only", "[validate][agent]") {
  require_ok(validate(a_state(v1::READY), kLimits));
  auto on_break = a_state(v1::NOT_READY);
  on_break.set_reason("break");
  require_ok(validate(on_break, kLimits));

  SECTION("BUSY") {
    const auto status = validate(a_state(v1::BUSY), kLimits);
    require_invalid(status, "state");
    REQUIRE(status.error_message().rfind("state: must be READY or NOT_READY", 0) == 0);
  }
  SECTION("LOGGED_OUT") { require_invalid(validate(a_state(v1::LOGGED_OUT), kLimits), "state"); }
  SECTION("unset") {
    require_invalid(validate(a_state(v1::AGENT_STATE_UNSPECIFIED), kLimits), "state");
  }
  SECTION("agent missing") {
    auto r = a_state(v1::READY);
    r.clear_agent();
    require_invalid(validate(r, kLimits), "agent");
  }
  SECTION("reason too long") {
    on_break.set_reason(std::string(kLimits.max_string_length + 1, 'r'));
    require_exhausted(validate(on_break, kLimits), "reason");
  }
}

TEST_CASE("a supervisor may also force an agent LOGGED_OUT", "[validate][supervisor]") {
  require_ok(validate_force_state(a_state(v1::LOGGED_OUT), kLimits));
  require_ok(validate_force_state(a_state(v1::READY), kLimits));
  require_ok(validate_force_state(a_state(v1::NOT_READY), kLimits));
  SECTION("BUSY") { require_invalid(validate_force_state(a_state(v1::BUSY), kLimits), "state"); }
  SECTION("a value the schema does not define") {
    require_invalid(validate_force_state(a_state(static_cast<v1::AgentState>(99)), kLimits),
                    "state");
  }
  SECTION("agent missing") {
    auto r = a_state(v1::LOGGED_OUT);
    r.clear_agent();
    require_invalid(validate_force_state(r, kLimits), "agent");
  }
}

TEST_CASE("offer answers name the agent and the interaction", "[validate][agent]") {
  v1::OfferRequest r;
  r.set_agent("a51");
  r.set_interaction_id("call-1");
  require_ok(validate(r, kLimits));
  SECTION("agent missing") {
    r.clear_agent();
    require_invalid(validate(r, kLimits), "agent");
  }
  SECTION("interaction id missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
  SECTION("interaction id with a space") {
    r.set_interaction_id("call 1");
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("completing caps the wrap-up code", "[validate][agent]") {
  v1::CompleteRequest r;
  r.set_agent("a51");
  r.set_interaction_id("call-1");
  r.set_wrap_up_code(std::string(kLimits.max_string_length, 'w'));
  require_ok(validate(r, kLimits));
  SECTION("wrap-up code too long") {
    r.set_wrap_up_code(std::string(kLimits.max_string_length + 1, 'w'));
    require_exhausted(validate(r, kLimits), "wrap_up_code");
  }
  SECTION("interaction id missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("a transfer goes to exactly one of a queue or an agent", "[validate][agent]") {
  v1::TransferRequest r;
  r.set_agent("a51");
  r.set_interaction_id("call-1");
  SECTION("to a queue") {
    r.set_queue("billing");
    require_ok(validate(r, kLimits));
  }
  SECTION("to an agent") {
    r.set_to_agent("a52");
    require_ok(validate(r, kLimits));
  }
  SECTION("to nowhere") { require_invalid(validate(r, kLimits), "to"); }
  SECTION("to an empty queue name") {
    r.set_queue("");
    require_invalid(validate(r, kLimits), "queue");
  }
  SECTION("to an empty agent name") {
    r.set_to_agent("");
    require_invalid(validate(r, kLimits), "to_agent");
  }
  SECTION("to an agent name too long") {
    r.set_to_agent(std::string(kLimits.max_id_length + 1, 'a'));
    require_exhausted(validate(r, kLimits), "to_agent");
  }
  SECTION("the transferring agent missing") {
    r.set_queue("billing");
    r.clear_agent();
    require_invalid(validate(r, kLimits), "agent");
  }
}

TEST_CASE("queue stats take no queues or non-empty names", "[validate][supervisor]") {
  v1::GetQueueStatsRequest r;
  require_ok(validate(r, kLimits));
  r.add_queues("billing");
  r.add_queues("sales");
  require_ok(validate(r, kLimits));
  SECTION("an empty name") {
    r.set_queues(1, "");
    require_invalid(validate(r, kLimits), "queues[1]");
  }
  SECTION("a name too long") {
    r.add_queues(std::string(kLimits.max_string_length + 1, 'q'));
    require_exhausted(validate(r, kLimits), "queues[2]");
  }
}

TEST_CASE("listing agents caps the team name", "[validate][supervisor]") {
  v1::ListAgentsRequest r;
  require_ok(validate(r, kLimits));
  r.set_team("tier1");
  require_ok(validate(r, kLimits));
  r.set_team(std::string(kLimits.max_string_length + 1, 't'));
  require_exhausted(validate(r, kLimits), "team");
}

TEST_CASE("listing interactions needs a queue and a limit within bounds",
          "[validate][supervisor]") {
  v1::ListInteractionsRequest r;
  r.set_queue("billing");
  require_ok(validate(r, kLimits));
  r.set_limit(static_cast<int32_t>(kLimits.max_list_limit));
  require_ok(validate(r, kLimits));
  SECTION("queue missing") {
    r.clear_queue();
    require_invalid(validate(r, kLimits), "queue");
  }
  SECTION("negative limit") {
    r.set_limit(-1);
    require_invalid(validate(r, kLimits), "limit");
  }
  SECTION("limit above the cap") {
    r.set_limit(static_cast<int32_t>(kLimits.max_list_limit) + 1);
    require_exhausted(validate(r, kLimits), "limit");
  }
}

TEST_CASE("watching queues takes the default interval or 0.2..3600 seconds",
          "[validate][supervisor]") {
  v1::WatchQueuesRequest r;
  require_ok(validate(r, kLimits));
  for (double ok : {0.2, 1.0, 3600.0}) {
    r.set_interval_s(ok);
    require_ok(validate(r, kLimits));
  }
  for (double bad : {0.1, 3600.5, -1.0, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    INFO("interval_s " << bad);
    r.set_interval_s(bad);
    require_invalid(validate(r, kLimits), "interval_s");
  }
  SECTION("an empty queue name") {
    r.set_interval_s(0);
    r.add_queues("");
    require_invalid(validate(r, kLimits), "queues[0]");
  }
}

TEST_CASE("explaining routing needs an interaction id", "[validate][supervisor]") {
  v1::ExplainRoutingRequest r;
  r.set_interaction_id("call-1");
  require_ok(validate(r, kLimits));
  r.clear_interaction_id();
  require_invalid(validate(r, kLimits), "interaction_id");
}

TEST_CASE("updated skills are named, at level 1..10 and listed once", "[validate][supervisor]") {
  v1::UpdateAgentSkillsRequest r;
  r.set_agent("a51");
  require_ok(validate(r, kLimits));  // no skills left
  auto add = [&r](const std::string& skill, int32_t level) {
    v1::SkillLevel* s = r.add_skills();
    s->set_skill(skill);
    s->set_level(level);
  };
  add("billing", 1);
  add("sales", 10);
  add("disputes", 5);
  require_ok(validate(r, kLimits));
  SECTION("agent missing") {
    r.clear_agent();
    require_invalid(validate(r, kLimits), "agent");
  }
  SECTION("level 0") {
    r.mutable_skills(2)->set_level(0);
    require_invalid(validate(r, kLimits), "skills[2].level");
  }
  SECTION("level 11") {
    r.mutable_skills(2)->set_level(11);
    require_invalid(validate(r, kLimits), "skills[2].level");
  }
  SECTION("unnamed") {
    r.mutable_skills(1)->clear_skill();
    require_invalid(validate(r, kLimits), "skills[1].skill");
  }
  SECTION("listed twice") {
    add("sales", 3);
    require_invalid(validate(r, kLimits), "skills[3].skill");
  }
  SECTION("too many") {
    for (size_t i = 0; i < kLimits.max_skills; ++i) add("s" + std::to_string(i), 1);
    require_exhausted(validate(r, kLimits), "skills");
  }
}

TEST_CASE("setting an interaction's priority takes 0..100", "[validate][supervisor]") {
  v1::SetInteractionPriorityRequest r;
  r.set_interaction_id("call-1");
  r.set_priority(100);
  require_ok(validate(r, kLimits));
  SECTION("above") {
    r.set_priority(140);
    const auto status = validate(r, kLimits);
    require_invalid(status, "priority");
    REQUIRE(status.error_message() == "priority: must be 0..100, got 140");
  }
  SECTION("id missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("moving an interaction needs a queue", "[validate][supervisor]") {
  v1::MoveInteractionRequest r;
  r.set_interaction_id("call-1");
  r.set_queue("sales");
  require_ok(validate(r, kLimits));
  SECTION("queue missing") {
    r.clear_queue();
    require_invalid(validate(r, kLimits), "queue");
  }
  SECTION("queue too long") {
    r.set_queue(std::string(kLimits.max_string_length + 1, 'q'));
    require_exhausted(validate(r, kLimits), "queue");
  }
  SECTION("id missing") {
    r.clear_interaction_id();
    require_invalid(validate(r, kLimits), "interaction_id");
  }
}

TEST_CASE("a config reload request is always valid", "[validate][admin]") {
  require_ok(validate(v1::ReloadConfigRequest(), kLimits));
}

TEST_CASE("field_of returns the path before the first ': '", "[validate]") {
  REQUIRE(field_of(::grpc::Status::OK).empty());
  REQUIRE(field_of(::grpc::Status(StatusCode::INTERNAL, "no field here")).empty());
  REQUIRE(field_of(::grpc::Status(StatusCode::INVALID_ARGUMENT, "phone.ani: required: yes")) ==
          "phone.ani");
  REQUIRE(field_of(::grpc::Status(StatusCode::INVALID_ARGUMENT, "attributes['a: b']: too long")) ==
          "attributes['a: b']");
}
