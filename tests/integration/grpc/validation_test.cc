// Requests are checked at the edge: INVALID_ARGUMENT naming the field for a bad value,
// RESOURCE_EXHAUSTED past a limit, NOT_FOUND for unknown names; none of it disturbs what is
// already queued.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using Catch::Matchers::StartsWith;

// A bad request and what it must be answered with.
struct BadRequest {
  std::string what;
  std::function<grpc::Status()> invoke;
  grpc::StatusCode code;
  std::string field;  // the message starts with this field path (INVALID_ARGUMENT only)
};

void check_all(const std::vector<BadRequest>& cases) {
  for (const auto& c : cases) {
    const grpc::Status status = c.invoke();
    INFO(c.what << " → " << describe(status));
    CHECK(status.error_code() == c.code);
    if (!c.field.empty()) CHECK_THAT(status.error_message(), StartsWith(c.field));
  }
}

template <class Event>
grpc::Status end_of(std::unique_ptr<EventStream<Event>> stream) {
  return stream->wait_end(kCallDeadline)
      .value_or(grpc::Status(grpc::DEADLINE_EXCEEDED, "the stream stayed open"));
}

// The interaction queued before the bad requests, and proof that it is still there after them.
void check_still_queued(RouterFixture& fx, const v1::SubmitInteractionResponse& before) {
  auto after = fx.get_interaction(before.interaction().interaction_id());
  INFO(describe(after.status));
  REQUIRE(after.ok());
  CHECK(after.value.state() == v1::QUEUED);
  CHECK(after.value.queue() == before.interaction().queue());
  CHECK(after.value.position() == 1);
  CHECK(after.value.arrived().seconds() == before.interaction().arrived().seconds());
  auto stats = fx.queue_stats(before.interaction().queue());
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 1);
  // And the server still routes it.
  AgentDesk ben(fx, "ben");
  REQUIRE(ben.set_ready().ok());
  CHECK(ben.wait_offer(before.interaction().interaction_id()).has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "every RPC answers an invalid request with INVALID_ARGUMENT naming the field, "
                 "and nothing queued is lost",
                 "[grpc][validation]") {
  auto queued = submit(phone_call("call-1", "+1 415 555 0100"));
  REQUIRE(queued.ok());
  v1::LoginRequest login;  // ana logged in, not ready: her requests fail on their fields only
  login.set_agent("ana");
  REQUIRE(call(&v1::AgentService::Stub::Login, agent_token("ana"), login).ok());
  using IS = v1::InteractionService::Stub;
  using AS = v1::AgentService::Stub;
  using SS = v1::SupervisorService::Stub;
  const std::string ana = agent_token("ana");
  auto gw = [this](v1::SubmitInteractionRequest r) {
    return [this, r] { return submit(r).status; };
  };
  auto with = [](v1::SubmitInteractionRequest r, auto edit) {
    edit(r);
    return r;
  };
  const auto base = phone_call("call-2", "+1 415 555 0101");
  std::vector<BadRequest> cases = {
      {"Submit without an id", gw(with(base, [](auto& r) { r.clear_interaction_id(); })),
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"Submit with a 129-character id (a length cap)",
       gw(with(base, [](auto& r) { r.set_interaction_id(std::string(129, 'x')); })),
       grpc::RESOURCE_EXHAUSTED, "interaction_id"},
      {"Submit without a channel",
       gw(with(base, [](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); })),
       grpc::INVALID_ARGUMENT, "channel"},
      {"Submit with priority 101", gw(with(base, [](auto& r) { r.set_priority(101); })),
       grpc::INVALID_ARGUMENT, "priority"},
      {"Submit with priority -1", gw(with(base, [](auto& r) { r.set_priority(-1); })),
       grpc::INVALID_ARGUMENT, "priority"},
      {"Submit a call from no phone number",
       gw(with(base, [](auto& r) { r.mutable_phone()->set_ani("call me maybe"); })),
       grpc::INVALID_ARGUMENT, "phone.ani"},
      {"Submit a call to a number no entry point serves",
       gw(with(base, [](auto& r) { r.mutable_phone()->set_dnis("+18005550000"); })),
       grpc::INVALID_ARGUMENT, "phone.dnis"},
      {"Submit an email from no address", gw(email("mail-2", "not an address")),
       grpc::INVALID_ARGUMENT, "email.from"},
      {"Submit an email to a mailbox no entry point serves",
       gw(email("mail-3", "ada@example.com", "", "", "nobody@example.com")), grpc::INVALID_ARGUMENT,
       "email.to_mailbox"},
      {"Cancel without an id",
       [&] {
         return call(&IS::CancelInteraction, kGatewayToken, v1::CancelInteractionRequest()).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"Get without an id",
       [&] { return call(&IS::GetInteraction, kGatewayToken, v1::GetInteractionRequest()).status; },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"WatchInteractions for an empty id",
       [&] {
         v1::WatchInteractionsRequest r;
         r.add_interaction_ids("");
         return end_of(open(&IS::WatchInteractions, kGatewayToken, r, 2s));
       },
       grpc::INVALID_ARGUMENT, "interaction_ids"},
      {"SetState to BUSY",
       [&] {
         v1::SetStateRequest r;
         r.set_agent("ana");
         r.set_state(v1::BUSY);
         return call(&AS::SetState, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "state"},
      {"AcceptOffer without an interaction",
       [&] {
         v1::OfferRequest r;
         r.set_agent("ana");
         return call(&AS::AcceptOffer, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"RejectOffer without an interaction",
       [&] {
         v1::OfferRequest r;
         r.set_agent("ana");
         return call(&AS::RejectOffer, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"CompleteInteraction without an interaction",
       [&] {
         v1::CompleteRequest r;
         r.set_agent("ana");
         r.set_wrap_up_code("resolved");
         return call(&AS::CompleteInteraction, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"EndWrapUp without an interaction",
       [&] {
         v1::OfferRequest r;
         r.set_agent("ana");
         return call(&AS::EndWrapUp, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"TransferInteraction without an interaction",
       [&] {
         v1::TransferRequest r;
         r.set_agent("ana");
         r.set_queue("phone-sales");
         return call(&AS::TransferInteraction, ana, r).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"GetQueueStats for an empty queue name",
       [&] {
         v1::GetQueueStatsRequest r;
         r.add_queues("");
         return call(&SS::GetQueueStats, kSupervisorToken, r).status;
       },
       grpc::INVALID_ARGUMENT, "queues"},
      {"ListInteractions without a queue",
       [&] {
         return call(&SS::ListInteractions, kSupervisorToken, v1::ListInteractionsRequest()).status;
       },
       grpc::INVALID_ARGUMENT, "queue"},
      {"ListInteractions with limit 10001",
       [&] {
         v1::ListInteractionsRequest r;
         r.set_queue("phone-support");
         r.set_limit(10001);
         return call(&SS::ListInteractions, kSupervisorToken, r).status;
       },
       grpc::RESOURCE_EXHAUSTED, "limit"},
      {"WatchQueues every 0.1 s",
       [&] {
         v1::WatchQueuesRequest r;
         r.set_interval_s(0.1);
         return end_of(open(&SS::WatchQueues, kSupervisorToken, r, 2s));
       },
       grpc::INVALID_ARGUMENT, "interval_s"},
      {"ExplainRouting without an interaction",
       [&] {
         return call(&SS::ExplainRouting, kSupervisorToken, v1::ExplainRoutingRequest()).status;
       },
       grpc::INVALID_ARGUMENT, "interaction_id"},
      {"UpdateAgentSkills to level 11",
       [&] {
         v1::UpdateAgentSkillsRequest r;
         r.set_agent("ana");
         auto* s = r.add_skills();
         s->set_skill("support");
         s->set_level(11);
         return call(&SS::UpdateAgentSkills, kSupervisorToken, r).status;
       },
       grpc::INVALID_ARGUMENT, "skills[0].level"},
      {"ForceAgentState to RESERVED",
       [&] {
         v1::SetStateRequest r;
         r.set_agent("ana");
         r.set_state(v1::RESERVED);
         return call(&SS::ForceAgentState, kSupervisorToken, r).status;
       },
       grpc::INVALID_ARGUMENT, "state"},
      {"SetInteractionPriority to 101",
       [&] {
         v1::SetInteractionPriorityRequest r;
         r.set_interaction_id("call-1");
         r.set_priority(101);
         return call(&SS::SetInteractionPriority, kSupervisorToken, r).status;
       },
       grpc::INVALID_ARGUMENT, "priority"},
      {"MoveInteraction to no queue",
       [&] {
         v1::MoveInteractionRequest r;
         r.set_interaction_id("call-1");
         return call(&SS::MoveInteraction, kSupervisorToken, r).status;
       },
       grpc::INVALID_ARGUMENT, "queue"},
  };
  check_all(cases);
  check_still_queued(*this, queued.value);
}

TEST_CASE_METHOD(DevNoAuthFixture,
                 "an agent request without an agent is INVALID_ARGUMENT naming agent",
                 "[grpc][validation]") {
  using AS = v1::AgentService::Stub;
  check_all({
      {"Login without an agent", [&] { return call(&AS::Login, "", v1::LoginRequest()).status; },
       grpc::INVALID_ARGUMENT, "agent"},
      {"Logout without an agent", [&] { return call(&AS::Logout, "", v1::LogoutRequest()).status; },
       grpc::INVALID_ARGUMENT, "agent"},
      {"SetState without an agent",
       [&] {
         v1::SetStateRequest r;
         r.set_state(v1::READY);
         return call(&AS::SetState, "", r).status;
       },
       grpc::INVALID_ARGUMENT, "agent"},
      {"StreamWork without an agent",
       [&] { return end_of(open(&AS::StreamWork, "", v1::StreamWorkRequest(), 2s)); },
       grpc::INVALID_ARGUMENT, "agent"},
  });
}

TEST_CASE_METHOD(RouterFixture,
                 "requests past a limit are RESOURCE_EXHAUSTED and nothing queued is lost",
                 "[grpc][validation]") {
  auto queued = submit(phone_call("call-1", "+1 415 555 0100"));
  REQUIRE(queued.ok());
  auto gw = [this](v1::SubmitInteractionRequest r) {
    return [this, r] { return submit(r).status; };
  };
  auto long_attribute = phone_call("call-2", "+1 415 555 0101");
  (*long_attribute.mutable_attributes())["note"] = std::string(kMaxStringLength + 1, 'a');
  auto long_intent = phone_call("call-3", "+1 415 555 0101");
  long_intent.set_intent(std::string(kMaxStringLength + 1, 'i'));
  auto many_attributes = phone_call("call-4", "+1 415 555 0101");
  for (size_t i = 0; i <= kMaxAttributes; ++i) {
    (*many_attributes.mutable_attributes())["k" + std::to_string(i)] = "v";
  }
  // Within every string and attribute limit, but larger than daemon.max_message_bytes.
  auto large = email("mail-1", "ada@example.com", "m-1@mail.example.com");
  for (int i = 0; i < 60; ++i) {
    large.mutable_email()->add_references("ref-" + std::to_string(i) + "-" + std::string(180, 'r'));
  }
  REQUIRE(large.ByteSizeLong() > kMaxMessageBytes);
  auto huge = phone_call("call-5", "+1 415 555 0101");
  huge.mutable_phone()->set_ivr_path(std::string(1 << 20, 'p'));

  v1::ListAgentsRequest long_team;
  long_team.set_team(std::string(kMaxStringLength + 1, 't'));

  check_all({
      {"an attribute value of max_string_length + 1", gw(long_attribute), grpc::RESOURCE_EXHAUSTED,
       ""},
      {"an intent of max_string_length + 1", gw(long_intent), grpc::RESOURCE_EXHAUSTED, ""},
      {"max_attributes + 1 attributes", gw(many_attributes), grpc::RESOURCE_EXHAUSTED, ""},
      {"a request over max_message_bytes", gw(large), grpc::RESOURCE_EXHAUSTED, ""},
      {"a 1 MiB request", gw(huge), grpc::RESOURCE_EXHAUSTED, ""},
      {"ListAgents for a team name of max_string_length + 1",
       [&] {
         return call(&v1::SupervisorService::Stub::ListAgents, kSupervisorToken, long_team).status;
       },
       grpc::RESOURCE_EXHAUSTED, ""},
  });
  // Exactly at the limits is fine.
  auto at_limits = phone_call("call-6", "+1 415 555 0101");
  for (size_t i = 0; i < kMaxAttributes; ++i) {
    (*at_limits.mutable_attributes())["k" + std::to_string(i)] = std::string(kMaxStringLength, 'v');
  }
  auto accepted = submit(at_limits);
  INFO(describe(accepted.status));
  CHECK(accepted.ok());
  auto cancel = v1::CancelInteractionRequest();
  cancel.set_interaction_id("call-6");
  REQUIRE(call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());

  check_still_queued(*this, queued.value);
}

TEST_CASE_METHOD(RouterFixture, "unknown interactions, agents and queues are NOT_FOUND",
                 "[grpc][validation]") {
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  using IS = v1::InteractionService::Stub;
  using SS = v1::SupervisorService::Stub;
  check_all({
      {"Get an unknown interaction",
       [&] {
         v1::GetInteractionRequest r;
         r.set_interaction_id("no-such-call");
         return call(&IS::GetInteraction, kGatewayToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"Cancel an unknown interaction",
       [&] {
         v1::CancelInteractionRequest r;
         r.set_interaction_id("no-such-call");
         return call(&IS::CancelInteraction, kGatewayToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"ExplainRouting of an unknown interaction",
       [&] {
         v1::ExplainRoutingRequest r;
         r.set_interaction_id("no-such-call");
         return call(&SS::ExplainRouting, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"GetQueueStats of an unknown queue",
       [&] {
         v1::GetQueueStatsRequest r;
         r.add_queues("no-such-queue");
         return call(&SS::GetQueueStats, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"ListInteractions of an unknown queue",
       [&] {
         v1::ListInteractionsRequest r;
         r.set_queue("no-such-queue");
         return call(&SS::ListInteractions, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"MoveInteraction to an unknown queue",
       [&] {
         v1::MoveInteractionRequest r;
         r.set_interaction_id("call-1");
         r.set_queue("no-such-queue");
         return call(&SS::MoveInteraction, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"ForceAgentState of an unknown agent",
       [&] {
         v1::SetStateRequest r;
         r.set_agent("nobody");
         r.set_state(v1::NOT_READY);
         return call(&SS::ForceAgentState, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
      {"UpdateAgentSkills of an unknown agent",
       [&] {
         v1::UpdateAgentSkillsRequest r;
         r.set_agent("nobody");
         return call(&SS::UpdateAgentSkills, kSupervisorToken, r).status;
       },
       grpc::NOT_FOUND, ""},
  });
  auto still = get_interaction("call-1");
  REQUIRE(still.ok());
  CHECK(still.value.state() == v1::QUEUED);
}

TEST_CASE_METHOD(RouterFixture,
                 "cancelling a queued interaction abandons it, but once assigned it "
                 "is FAILED_PRECONDITION",
                 "[grpc][validation]") {
  auto watch = watch_interactions();
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("call-1");
  cancel.set_reason("caller_hangup");
  auto cancelled = call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel);
  INFO(describe(cancelled.status));
  REQUIRE(cancelled.ok());
  CHECK(cancelled.value.interaction().state() == v1::ABANDONED);
  CHECK(watch
            ->wait_for([](const v1::InteractionEvent& e) {
              return e.interaction().interaction_id() == "call-1" && e.change() == "abandoned";
            })
            .has_value());

  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-2", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-2").has_value());
  REQUIRE(ana.accept("call-2").ok());
  cancel.set_interaction_id("call-2");
  auto too_late = call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel);
  INFO(describe(too_late.status));
  CHECK(too_late.code() == grpc::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace router::it
