// Per-role authentication: every RPC of every service against no token, an unknown token and
// each role's token; an agent token acting for another agent; dev_no_auth.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

enum class Caller { kNone, kGateway, kAgent, kSupervisor };

std::string token_of(Caller c) {
  switch (c) {
    case Caller::kNone: return "";
    case Caller::kGateway: return kGatewayToken;
    case Caller::kAgent: return agent_token("ana");
    case Caller::kSupervisor: return kSupervisorToken;
  }
  return "";
}

const char* name_of(Caller c) {
  switch (c) {
    case Caller::kNone: return "no token";
    case Caller::kGateway: return "gateway";
    case Caller::kAgent: return "agent ana";
    case Caller::kSupervisor: return "supervisor";
  }
  return "?";
}

// One RPC, made with a given bearer token; answers the call's status.
struct Rpc {
  std::string name;
  Caller allowed;  // the one role whose service this is
  std::function<grpc::Status(Clients&, const std::string& token)> invoke;
};

template <class Stub, class Request, class Response>
Rpc unary(std::string name, Caller allowed,
          grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
          Request request) {
  return {std::move(name), allowed, [rpc, request](Clients& c, const std::string& token) {
            return c.call(rpc, token, request).status;
          }};
}

// A server stream: a refused one ends at once with its code; an accepted one stays open until
// the short deadline (DEADLINE_EXCEEDED) unless the request itself is refused.
template <class Stub, class Request, class Event>
Rpc stream(std::string name, Caller allowed,
           std::unique_ptr<grpc::ClientReader<Event>> (Stub::*rpc)(grpc::ClientContext*,
                                                                   const Request&),
           Request request) {
  return {std::move(name), allowed, [rpc, request](Clients& c, const std::string& token) {
            auto s = c.open(rpc, token, request, 400ms);
            auto end = s->wait_end(kCallDeadline);
            return end ? *end : grpc::Status(grpc::DEADLINE_EXCEEDED, "still open");
          }};
}

std::vector<Rpc> every_rpc() {
  using IS = v1::InteractionService::Stub;
  using AS = v1::AgentService::Stub;
  using SS = v1::SupervisorService::Stub;
  using MS = v1::AdminService::Stub;
  const std::string agent = "ana";
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("auth-probe");
  v1::GetInteractionRequest get;
  get.set_interaction_id("auth-probe");
  v1::LoginRequest login;
  login.set_agent(agent);
  v1::LogoutRequest logout;
  logout.set_agent(agent);
  v1::SetStateRequest set_state;
  set_state.set_agent(agent);
  set_state.set_state(v1::NOT_READY);
  set_state.set_reason("break");
  v1::StreamWorkRequest work;
  work.set_agent(agent);
  v1::OfferRequest offer;
  offer.set_agent(agent);
  offer.set_interaction_id("auth-probe");
  v1::CompleteRequest complete;
  complete.set_agent(agent);
  complete.set_interaction_id("auth-probe");
  v1::TransferRequest transfer;
  transfer.set_agent(agent);
  transfer.set_interaction_id("auth-probe");
  transfer.set_queue("phone-sales");
  v1::ListInteractionsRequest list;
  list.set_queue("phone-support");
  v1::ExplainRoutingRequest explain;
  explain.set_interaction_id("auth-probe");
  v1::UpdateAgentSkillsRequest skills;
  skills.set_agent(agent);
  auto* s = skills.add_skills();
  s->set_skill("support");
  s->set_level(7);
  v1::SetInteractionPriorityRequest priority;
  priority.set_interaction_id("auth-probe");
  priority.set_priority(5);
  v1::MoveInteractionRequest move;
  move.set_interaction_id("auth-probe");
  move.set_queue("phone-sales");
  v1::WatchQueuesRequest watch_queues;
  watch_queues.set_interval_s(0.2);

  return {
      unary("InteractionService.SubmitInteraction", Caller::kGateway, &IS::SubmitInteraction,
            phone_call("auth-probe", "+1 415 555 0100")),
      unary("InteractionService.CancelInteraction", Caller::kGateway, &IS::CancelInteraction,
            cancel),
      unary("InteractionService.GetInteraction", Caller::kGateway, &IS::GetInteraction, get),
      stream("InteractionService.WatchInteractions", Caller::kGateway, &IS::WatchInteractions,
             v1::WatchInteractionsRequest()),
      unary("AgentService.Login", Caller::kAgent, &AS::Login, login),
      unary("AgentService.SetState", Caller::kAgent, &AS::SetState, set_state),
      stream("AgentService.StreamWork", Caller::kAgent, &AS::StreamWork, work),
      unary("AgentService.AcceptOffer", Caller::kAgent, &AS::AcceptOffer, offer),
      unary("AgentService.RejectOffer", Caller::kAgent, &AS::RejectOffer, offer),
      unary("AgentService.CompleteInteraction", Caller::kAgent, &AS::CompleteInteraction, complete),
      unary("AgentService.EndWrapUp", Caller::kAgent, &AS::EndWrapUp, offer),
      unary("AgentService.TransferInteraction", Caller::kAgent, &AS::TransferInteraction, transfer),
      unary("AgentService.Logout", Caller::kAgent, &AS::Logout, logout),
      unary("SupervisorService.GetQueueStats", Caller::kSupervisor, &SS::GetQueueStats,
            v1::GetQueueStatsRequest()),
      unary("SupervisorService.ListAgents", Caller::kSupervisor, &SS::ListAgents,
            v1::ListAgentsRequest()),
      unary("SupervisorService.ListInteractions", Caller::kSupervisor, &SS::ListInteractions, list),
      stream("SupervisorService.WatchQueues", Caller::kSupervisor, &SS::WatchQueues, watch_queues),
      unary("SupervisorService.ExplainRouting", Caller::kSupervisor, &SS::ExplainRouting, explain),
      unary("SupervisorService.UpdateAgentSkills", Caller::kSupervisor, &SS::UpdateAgentSkills,
            skills),
      unary("SupervisorService.ForceAgentState", Caller::kSupervisor, &SS::ForceAgentState,
            set_state),
      unary("SupervisorService.SetInteractionPriority", Caller::kSupervisor,
            &SS::SetInteractionPriority, priority),
      unary("SupervisorService.MoveInteraction", Caller::kSupervisor, &SS::MoveInteraction, move),
      unary("AdminService.ReloadConfig", Caller::kSupervisor, &MS::ReloadConfig,
            v1::ReloadConfigRequest()),
  };
}

TEST_CASE_METHOD(RouterFixture,
                 "every RPC is UNAUTHENTICATED without a valid token, PERMISSION_DENIED for "
                 "another role and let through for its own role",
                 "[grpc][auth]") {
  const auto rpcs = every_rpc();
  REQUIRE(rpcs.size() == 23);  // 4 + 9 + 9 + 1: every RPC of the four services
  for (const Rpc& rpc : rpcs) {
    for (Caller caller : {Caller::kNone, Caller::kGateway, Caller::kAgent, Caller::kSupervisor}) {
      const grpc::Status status = rpc.invoke(*this, token_of(caller));
      INFO(rpc.name << " as " << name_of(caller) << " → " << describe(status));
      if (caller == Caller::kNone) {
        CHECK(status.error_code() == grpc::UNAUTHENTICATED);
      } else if (caller != rpc.allowed) {
        CHECK(status.error_code() == grpc::PERMISSION_DENIED);
      } else {
        CHECK(status.error_code() != grpc::UNAUTHENTICATED);
        CHECK(status.error_code() != grpc::PERMISSION_DENIED);
      }
    }
  }
}

TEST_CASE_METHOD(RouterFixture, "an unknown or malformed bearer token is UNAUTHENTICATED",
                 "[grpc][auth]") {
  const auto rpcs = every_rpc();
  for (const Rpc& rpc : rpcs) {
    const grpc::Status unknown = rpc.invoke(*this, "it-not-a-known-token-0001");
    INFO(rpc.name << " with an unknown token → " << describe(unknown));
    CHECK(unknown.error_code() == grpc::UNAUTHENTICATED);
  }
  // The right secret in the wrong scheme is no bearer token.
  v1::GetQueueStatsRequest request;
  for (const std::string& header :
       {std::string("Basic ") + kSupervisorToken, std::string(kSupervisorToken),
        std::string("Bearer"), std::string("Bearer ")}) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", header);
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    v1::GetQueueStatsResponse response;
    const auto status =
        stub<v1::SupervisorService::Stub>().GetQueueStats(&context, request, &response);
    INFO("authorization: '" << header << "' → " << describe(status));
    CHECK(status.error_code() == grpc::UNAUTHENTICATED);
  }
}

TEST_CASE_METHOD(RouterFixture, "an agent token acts for its own agent only", "[grpc][auth]") {
  // ben holds a real offer; ana's token tries to act for ben.
  AgentDesk ben(*this, "ben");
  REQUIRE(ben.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ben.wait_offer("call-1").has_value());
  const std::string ana = agent_token("ana");

  v1::LoginRequest login;
  login.set_agent("ben");
  v1::LogoutRequest logout;
  logout.set_agent("ben");
  v1::SetStateRequest set_state;
  set_state.set_agent("ben");
  set_state.set_state(v1::NOT_READY);
  v1::OfferRequest offer;
  offer.set_agent("ben");
  offer.set_interaction_id("call-1");
  v1::CompleteRequest complete;
  complete.set_agent("ben");
  complete.set_interaction_id("call-1");
  v1::TransferRequest transfer;
  transfer.set_agent("ben");
  transfer.set_interaction_id("call-1");
  transfer.set_queue("phone-support");
  v1::StreamWorkRequest work;
  work.set_agent("ben");

  using AS = v1::AgentService::Stub;
  const std::vector<std::pair<std::string, grpc::Status>> attempts = {
      {"Login", call(&AS::Login, ana, login).status},
      {"SetState", call(&AS::SetState, ana, set_state).status},
      {"AcceptOffer", call(&AS::AcceptOffer, ana, offer).status},
      {"RejectOffer", call(&AS::RejectOffer, ana, offer).status},
      {"CompleteInteraction", call(&AS::CompleteInteraction, ana, complete).status},
      {"EndWrapUp", call(&AS::EndWrapUp, ana, offer).status},
      {"TransferInteraction", call(&AS::TransferInteraction, ana, transfer).status},
      {"Logout", call(&AS::Logout, ana, logout).status},
      {"StreamWork", open(&AS::StreamWork, ana, work, 2s)
                         ->wait_end(kCallDeadline)
                         .value_or(grpc::Status(grpc::DEADLINE_EXCEEDED, "still open"))},
  };
  for (const auto& [name, status] : attempts) {
    INFO(name << " by ana for ben → " << describe(status));
    CHECK(status.error_code() == grpc::PERMISSION_DENIED);
  }
  // None of it touched ben: still logged in, still holding the offer, which he can accept.
  auto status = agent_status("ben");
  REQUIRE(status.has_value());
  CHECK(status->state() == v1::RESERVED);
  auto accepted = ben.accept("call-1");
  INFO(describe(accepted.status));
  CHECK(accepted.ok());
}

TEST_CASE_METHOD(DevNoAuthFixture, "with dev_no_auth a call without a token is let through",
                 "[grpc][auth]") {
  auto submitted = call(&v1::InteractionService::Stub::SubmitInteraction, "",
                        phone_call("call-1", "+1 415 555 0100"));
  INFO(describe(submitted.status));
  CHECK(submitted.ok());
  v1::LoginRequest login;
  login.set_agent("ben");
  auto logged_in = call(&v1::AgentService::Stub::Login, "", login);
  INFO(describe(logged_in.status));
  CHECK(logged_in.ok());
  auto stats = call(&v1::SupervisorService::Stub::GetQueueStats, "", v1::GetQueueStatsRequest());
  INFO(describe(stats.status));
  CHECK(stats.ok());
  auto reload = call(&v1::AdminService::Stub::ReloadConfig, "", v1::ReloadConfigRequest());
  INFO(describe(reload.status));
  CHECK(reload.ok());
}

}  // namespace
}  // namespace router::it
