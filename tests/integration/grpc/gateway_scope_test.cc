// Gateway isolation: interaction ids are scoped by the gateway that submitted them. Two gateways
// using one id get two interactions; a gateway gets, cancels, replays and watches only its own
// unless its token is granted others (sees_gateways); agents and supervisors name an interaction
// by its bare id while that is unambiguous, or as "<gateway>/<id>"; the scope survives a restart
// from the Redis journal, and a journal entry written before the scoping is moved under it.
#include <hiredis/hiredis.h>

#include <catch2/catch.hpp>
#include <string>

#include "integration/grpc/fixture.h"
#include "router/v1/journal.pb.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

// gw-a has two tokens (the rotated one and its successor, one identity); gw-b's identity is its
// name; "front" submits nothing of interest but is granted gw-a's interactions.
constexpr char kGatewayA[] = "it-gateway-a-token-2026";
constexpr char kGatewayAOld[] = "it-gateway-a-token-2025";
constexpr char kGatewayB[] = "it-gateway-b-token-0001";
constexpr char kFront[] = "it-frontend-token-00001";
constexpr char kScopeTokens[] =
    R"(    - {token: "it-gateway-a-token-2026", role: GATEWAY, name: ivr-a-2026, gateway: gw-a}
    - {token: "it-gateway-a-token-2025", role: GATEWAY, name: ivr-a-2025, gateway: gw-a}
    - {token: "it-gateway-b-token-0001", role: GATEWAY, name: gw-b}
    - {token: "it-frontend-token-00001", role: GATEWAY, name: front, sees_gateways: [gw-a]}
)";

CenterOptions scoped_center(std::string redis = "") {
  CenterOptions o;
  o.redis = std::move(redis);
  o.extra_tokens = kScopeTokens;
  return o;
}

Reply<v1::SubmitInteractionResponse> submit_as(Clients& c, const std::string& token,
                                               const v1::SubmitInteractionRequest& request) {
  return c.call(&v1::InteractionService::Stub::SubmitInteraction, token, request);
}

Reply<v1::Interaction> get_as(Clients& c, const std::string& token, const std::string& id) {
  v1::GetInteractionRequest request;
  request.set_interaction_id(id);
  return c.call(&v1::InteractionService::Stub::GetInteraction, token, request);
}

Reply<v1::CancelInteractionResponse> cancel_as(Clients& c, const std::string& token,
                                               const std::string& id) {
  v1::CancelInteractionRequest request;
  request.set_interaction_id(id);
  request.set_reason("caller_hangup");
  return c.call(&v1::InteractionService::Stub::CancelInteraction, token, request);
}

std::unique_ptr<EventStream<v1::InteractionEvent>> watch_as(Clients& c, const std::string& token) {
  auto stream = c.open(&v1::InteractionService::Stub::WatchInteractions, token,
                       v1::WatchInteractionsRequest());
  REQUIRE(stream->wait_for([](const v1::InteractionEvent& e) { return e.change() == "watching"; }));
  return stream;
}

// The next event about an interaction (not the "watching" hello).
std::optional<v1::InteractionEvent> next_change(EventStream<v1::InteractionEvent>& s) {
  return s.wait_for([](const v1::InteractionEvent& e) { return e.has_interaction(); });
}

std::string number(int i) { return "+1 212 555 " + std::to_string(2000 + i); }
std::string e164(int i) { return "+1212555" + std::to_string(2000 + i); }

TEST_CASE(
    "Two gateways submitting the same interaction id get two interactions, and a repeat replays "
    "only within the gateway that submitted it, whichever of its tokens repeats it",
    "[grpc][gateway_scope]") {
  RouterFixture f(scoped_center());
  auto a = submit_as(f, kGatewayA, phone_call("dup-1", number(1)));
  INFO(describe(a.status));
  REQUIRE(a.ok());
  CHECK_FALSE(a.value.replayed());
  CHECK(a.value.interaction().interaction_id() == "dup-1");
  CHECK(a.value.interaction().gateway() == "gw-a");

  auto b = submit_as(f, kGatewayB, phone_call("dup-1", number(2)));
  INFO(describe(b.status));
  REQUIRE(b.ok());
  CHECK_FALSE(b.value.replayed());  // not gw-a's call replayed: a second one
  CHECK(b.value.interaction().phone().ani() == e164(2));
  CHECK(b.value.interaction().gateway() == "gw-b");

  // Replays: the same gateway (by either token) gets its own call back, never the other's.
  auto again = submit_as(f, kGatewayAOld, phone_call("dup-1", number(1)));
  REQUIRE(again.ok());
  CHECK(again.value.replayed());
  CHECK(again.value.interaction().phone().ani() == e164(1));
  auto b_again = submit_as(f, kGatewayB, phone_call("dup-1", number(2)));
  REQUIRE(b_again.ok());
  CHECK(b_again.value.replayed());
  CHECK(b_again.value.interaction().phone().ani() == e164(2));

  // A supervisor sees both, told apart by gateway.
  CHECK(waiting_in(f, "phone-support").size() == 2);
  auto got_a = get_as(f, kGatewayA, "dup-1");
  auto got_b = get_as(f, kGatewayB, "dup-1");
  REQUIRE(got_a.ok());
  REQUIRE(got_b.ok());
  CHECK(got_a.value.phone().ani() == e164(1));
  CHECK(got_b.value.phone().ani() == e164(2));
}

TEST_CASE(
    "A gateway cannot get, cancel or watch another gateway's interaction, but a token granted that "
    "gateway can, naming it \"<gateway>/<id>\"",
    "[grpc][gateway_scope]") {
  RouterFixture f(scoped_center());
  auto watch_a = watch_as(f, kGatewayA);
  auto watch_b = watch_as(f, kGatewayB);
  auto watch_front = watch_as(f, kFront);
  REQUIRE(submit_as(f, kGatewayA, phone_call("s-1", number(1))).ok());

  // gw-b: unknown, by the bare id and by the scoped one (it is granted nothing).
  for (const std::string id : {"s-1", "gw-a/s-1"}) {
    INFO(id);
    CHECK(get_as(f, kGatewayB, id).code() == grpc::StatusCode::NOT_FOUND);
    CHECK(cancel_as(f, kGatewayB, id).code() == grpc::StatusCode::NOT_FOUND);
  }
  auto still = get_as(f, kGatewayA, "s-1");
  REQUIRE(still.ok());
  CHECK(still.value.state() == v1::QUEUED);

  // Watches: gw-a sees its own by the bare id; front (granted gw-a) by the scoped id; gw-b never:
  // its first event is about its own later submit, not gw-a's earlier one.
  auto seen_a = next_change(*watch_a);
  REQUIRE(seen_a);
  CHECK(seen_a->interaction().interaction_id() == "s-1");
  auto seen_front = next_change(*watch_front);
  REQUIRE(seen_front);
  CHECK(seen_front->interaction().interaction_id() == "gw-a/s-1");
  CHECK(seen_front->interaction().gateway() == "gw-a");
  REQUIRE(submit_as(f, kGatewayB, web_chat("s-3", "visitor-3")).ok());
  auto seen_b = next_change(*watch_b);
  REQUIRE(seen_b);
  CHECK(seen_b->interaction().interaction_id() == "s-3");
  CHECK(seen_b->interaction().gateway() == "gw-b");

  // front: gw-a's by the scoped id, not by the bare one (that would be its own), not gw-b's.
  auto front_get = get_as(f, kFront, "gw-a/s-1");
  INFO(describe(front_get.status));
  REQUIRE(front_get.ok());
  CHECK(front_get.value.interaction_id() == "gw-a/s-1");
  CHECK(get_as(f, kFront, "s-1").code() == grpc::StatusCode::NOT_FOUND);
  CHECK(get_as(f, kFront, "gw-b/s-3").code() == grpc::StatusCode::NOT_FOUND);
  CHECK(cancel_as(f, kFront, "gw-b/s-3").code() == grpc::StatusCode::NOT_FOUND);
  auto front_cancel = cancel_as(f, kFront, "gw-a/s-1");
  INFO(describe(front_cancel.status));
  REQUIRE(front_cancel.ok());
  CHECK(front_cancel.value.interaction().state() == v1::ABANDONED);
  CHECK(front_cancel.value.interaction().interaction_id() == "gw-a/s-1");
  auto abandoned = get_as(f, kGatewayA, "s-1");
  REQUIRE(abandoned.ok());
  CHECK(abandoned.value.state() == v1::ABANDONED);
  // The front end's own submits are its own, under its own gateway.
  auto own = submit_as(f, kFront, phone_call("s-1", number(5)));
  REQUIRE(own.ok());
  CHECK_FALSE(own.value.replayed());
  CHECK(own.value.interaction().gateway() == "front");
}

TEST_CASE(
    "Agents and supervisors name an interaction by its bare id while it is unambiguous (an agent: "
    "among the ones offered to it), or as \"<gateway>/<id>\"",
    "[grpc][gateway_scope]") {
  RouterFixture f(scoped_center());
  REQUIRE(submit_as(f, kGatewayA, phone_call("same-1", number(1))).ok());
  REQUIRE(submit_as(f, kGatewayB, phone_call("same-1", number(2))).ok());
  AgentDesk ana(f, "ana");
  REQUIRE(ana.set_ready().ok());
  auto offer = ana.wait_offer("same-1");
  REQUIRE(offer);
  const std::string gateway = offer->interaction().gateway();
  CHECK((gateway == "gw-a" || gateway == "gw-b"));
  auto accepted = ana.accept("same-1");  // the one offered to ana
  INFO(describe(accepted.status));
  REQUIRE(accepted.ok());

  v1::SetInteractionPriorityRequest priority;
  priority.set_interaction_id("same-1");
  priority.set_priority(50);
  auto ambiguous =
      f.call(&v1::SupervisorService::Stub::SetInteractionPriority, kSupervisorToken, priority);
  CHECK(ambiguous.code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ambiguous.message().find("gw-a/same-1") != std::string::npos);
  const std::string other = gateway == "gw-a" ? "gw-b" : "gw-a";
  priority.set_interaction_id(other + "/same-1");
  auto scoped =
      f.call(&v1::SupervisorService::Stub::SetInteractionPriority, kSupervisorToken, priority);
  INFO(describe(scoped.status));
  REQUIRE(scoped.ok());
  CHECK(scoped.value.priority() == 50);
  CHECK(scoped.value.gateway() == other);
  CHECK(scoped.value.interaction_id() == "same-1");
  v1::ExplainRoutingRequest explain;
  explain.set_interaction_id(other + "/same-1");
  CHECK(f.call(&v1::SupervisorService::Stub::ExplainRouting, kSupervisorToken, explain).ok());
  auto completed = ana.complete("same-1");
  INFO(describe(completed.status));
  CHECK(completed.ok());
}

// A synchronous connection to look at and write the journal's keys (prefix "router:").
struct RedisLook {
  explicit RedisLook(const RedisServer& redis) : c(redisConnect("127.0.0.1", redis.port())) {
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
  }
  ~RedisLook() { redisFree(c); }
  RedisLook(const RedisLook&) = delete;
  RedisLook& operator=(const RedisLook&) = delete;
  std::string entry(const std::string& id) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "HGET router:ix:%s entry", id.c_str()));
    REQUIRE(r != nullptr);
    std::string out = r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    return out;
  }
  long long live_score(const std::string& id) {  // -1: not in the live set
    auto* r = static_cast<redisReply*>(redisCommand(c, "ZSCORE router:live %s", id.c_str()));
    REQUIRE(r != nullptr);
    const long long out = r->type == REDIS_REPLY_STRING ? std::stoll(r->str) : -1;
    freeReplyObject(r);
    return out;
  }
  void command(const char* format, const std::string& a, const std::string& b) {
    auto* r = static_cast<redisReply*>(redisCommand(c, format, a.c_str(), b.data(), b.size()));
    REQUIRE(r != nullptr);
    REQUIRE(r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
  }
  redisContext* c;
};

TEST_CASE(
    "After a restart from the Redis journal each gateway still has its own interaction of a "
    "shared id, and an entry journaled before ids were scoped becomes its submitter's",
    "[grpc][gateway_scope][redis][journal]") {
  RedisServer redis;
  RouterFixture f(scoped_center("127.0.0.1:" + std::to_string(redis.port())));
  REQUIRE(submit_as(f, kGatewayA, phone_call("r-1", number(1))).ok());
  REQUIRE(submit_as(f, kGatewayB, phone_call("r-1", number(2))).ok());
  RedisLook look(redis);
  // Journaled under scoped keys.
  CHECK(look.live_score("gw-a/r-1") >= 0);
  CHECK(look.live_score("gw-b/r-1") >= 0);
  CHECK(look.live_score("r-1") == -1);

  // An entry as routerd wrote it before the scoping: the bare id, the submitter's token name.
  v1::JournalEntry legacy;
  REQUIRE(legacy.ParseFromString(look.entry("gw-a/r-1")));
  legacy.mutable_interaction()->set_interaction_id("old-1");
  legacy.mutable_interaction()->clear_gateway();
  legacy.mutable_interaction()->mutable_phone()->set_ani(e164(9));
  legacy.set_submitter("gw-b");  // gw-b's token name is its gateway
  look.command("HSET router:ix:%s live 1 state QUEUED entry %b", "old-1",
               legacy.SerializeAsString());
  auto* r = static_cast<redisReply*>(redisCommand(look.c, "ZADD router:live 999999 old-1"));
  REQUIRE(r != nullptr);
  freeReplyObject(r);

  f.restart();

  auto a = get_as(f, kGatewayA, "r-1");
  auto b = get_as(f, kGatewayB, "r-1");
  INFO(describe(a.status) << " / " << describe(b.status));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value.phone().ani() == e164(1));
  CHECK(b.value.phone().ani() == e164(2));
  CHECK(a.value.state() == v1::QUEUED);
  CHECK(get_as(f, kGatewayB, "gw-a/r-1").code() == grpc::StatusCode::NOT_FOUND);
  CHECK(get_as(f, kFront, "gw-a/r-1").ok());
  auto replay = submit_as(f, kGatewayAOld, phone_call("r-1", number(1)));
  REQUIRE(replay.ok());
  CHECK(replay.value.replayed());
  CHECK(replay.value.interaction().phone().ani() == e164(1));

  // The legacy entry is gw-b's now, and moved to its scoped key.
  auto moved = get_as(f, kGatewayB, "old-1");
  INFO(describe(moved.status));
  REQUIRE(moved.ok());
  CHECK(moved.value.phone().ani() == e164(9));
  CHECK(get_as(f, kGatewayA, "old-1").code() == grpc::StatusCode::NOT_FOUND);
  CHECK(eventually([&] { return look.live_score("old-1") == -1; }));
  CHECK(look.live_score("gw-b/old-1") >= 0);
  CHECK(waiting_in(f, "phone-support").size() == 3);
}

}  // namespace
}  // namespace router::it
