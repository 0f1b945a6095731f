// The router.v1 services: authenticate, validate, post to the host's executor. See services.h.
#include "adapters/grpc/services.h"

#include <spdlog/spdlog.h>

#include "adapters/grpc/agent_session.h"
#include "adapters/grpc/audit.h"
#include "adapters/grpc/gateway_stream.h"
#include "engine/log_text.h"

namespace router::adapters::grpc {

namespace {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;
using ::grpc::Status;
using ::grpc::StatusCode;

// What a gateway caller may see: its own interactions, and those of the gateways it is granted.
host::GatewayScope scope_of(const Caller& caller) {
  return host::GatewayScope{caller.gateway, caller.sees_gateways, caller.sees_all_gateways};
}

// The common shape of a unary call: checks on the gRPC thread, `op` on the engine thread.
class Handler {
 public:
  Handler(RoutingHost& host, Gate& gate, Auditor& auditor)
      : host_(host), gate_(gate), auditor_(auditor) {}

  template <class Request, class Op>
  ServerUnaryReactor* unary(CallbackServerContext* context, v1::Role role, const Request& request,
                            Op op,
                            Status (*check)(const Request&, const RequestLimits&) = nullptr) {
    return start(context, role, request, std::move(op), check, /*journaled=*/false);
  }

  // A unary call that changes routing state: answered once the journal has stored the change
  // (RoutingHost::when_journaled), so an answered change survives a crash of routerd.
  template <class Request, class Op>
  ServerUnaryReactor* change(CallbackServerContext* context, v1::Role role, const Request& request,
                             Op op,
                             Status (*check)(const Request&, const RequestLimits&) = nullptr) {
    return start(context, role, request, std::move(op), check, /*journaled=*/true);
  }

  template <class Request>
  Status admit(CallbackServerContext* context, v1::Role role, const Request& request,
               Caller& caller,
               Status (*check)(const Request&, const RequestLimits&) = nullptr) const {
    if (Status s = gate_.active().admit(); !s.ok()) return s;
    const Gate::Rules rules = gate_.get();
    if (Status s = authorize(*rules.auth, *context, role, caller, Request::descriptor()->name());
        !s.ok()) {
      return s;
    }
    if (check != nullptr) return check(request, rules.limits);
    return validate(request, rules.limits);
  }

  // The token's check; a refusal for the token (not for the domain) goes to the audit trail.
  Status authorize(const Authenticator& auth, const CallbackServerContext& context, v1::Role role,
                   Caller& caller, std::string_view call) const {
    Status s = auth.authorize(context, role, caller);
    if (s.error_code() == StatusCode::UNAUTHENTICATED ||
        s.error_code() == StatusCode::PERMISSION_DENIED) {
      auditor_.refused(caller, context.peer(), call, s);
    }
    return s;
  }
  Auditor& auditor() { return auditor_; }

  // A server stream that ends at once with `status` (refused before it started).
  template <class Message>
  static ::grpc::ServerWriteReactor<Message>* refused(Status status) {
    auto outbox = std::make_shared<StreamOutbox<Message>>(1);
    auto* reactor = new StreamWriter<Message>(outbox, nullptr);
    outbox->finish(std::move(status), /*drain=*/false);
    return reactor;
  }

  // Admits a server stream of `caller` against the stream limits: its outbox (bounded by the
  // configuration, sharing the Gate's budget) and the slot the stream holds until it is over.
  template <class Message>
  Status open_stream(CallbackServerContext* context, const Caller& caller,
                     std::shared_ptr<StreamOutbox<Message>>& outbox,
                     std::shared_ptr<StreamSlot>& slot) {
    const Gate::Rules rules = gate_.get();
    if (Status s = gate_.streams().admit(context->peer(), caller.name, rules.streams, slot);
        !s.ok()) {
      spdlog::warn("event=stream_refused token={} peer={} reason=\"{}\"", caller.name,
                   context->peer(), s.error_message());
      return s;
    }
    OutboxLimits limits = rules.outbox;
    limits.messages = rules.stream_buffer;
    limits.budget = gate_.budget();
    outbox = std::make_shared<StreamOutbox<Message>>(std::move(limits));
    return Status::OK;
  }
  RoutingHost& host() { return host_; }

 private:
  // Admits the call, then runs `op` on the engine thread and answers with its status; with
  // `journaled`, an OK only after RoutingHost::when_journaled.
  template <class Request, class Op>
  ServerUnaryReactor* start(CallbackServerContext* context, v1::Role role, const Request& request,
                            Op op, Status (*check)(const Request&, const RequestLimits&),
                            bool journaled) {
    auto* reactor = context->DefaultReactor();
    Caller caller;
    if (Status s = admit(context, role, request, caller, check); !s.ok()) {
      reactor->Finish(s);
      return reactor;
    }
    host_.post([&host = host_, reactor, caller = std::move(caller), op = std::move(op),
                journaled]() mutable {
      Status s = op(caller);
      if (!s.ok() || !journaled) return reactor->Finish(s);
      host.when_journaled([reactor](const absl::Status& j) { reactor->Finish(to_grpc(j)); });
    });
    return reactor;
  }

 public:
  Gate::Rules rules() const { return gate_.get(); }
  Status active() const { return gate_.active().admit(); }

  // A session stream (AgentSession, AgentLink): the caller authorized for `role` and admitted
  // against the stream limits; the request limits each message is checked with.
  template <class Message>
  Status open_session(CallbackServerContext* context, v1::Role role, Caller& caller,
                      RequestLimits& limits, std::shared_ptr<StreamOutbox<Message>>& outbox,
                      std::shared_ptr<StreamSlot>& slot) {
    if (Status s = gate_.active().admit(); !s.ok()) return s;
    const Gate::Rules rules = gate_.get();
    if (Status s = authorize(*rules.auth, *context, role, caller,
                             role == v1::AGENT_LINK ? "AgentLink" : "AgentSession");
        !s.ok()) {
      return s;
    }
    limits = rules.limits;
    return open_stream(context, caller, outbox, slot);
  }

 private:
  RoutingHost& host_;
  Gate& gate_;
  Auditor& auditor_;
};

class InteractionServiceImpl final : public v1::InteractionService::CallbackService {
 public:
  explicit InteractionServiceImpl(Handler handler) : h_(handler) {}

  ServerUnaryReactor* SubmitInteraction(CallbackServerContext* context,
                                        const v1::SubmitInteractionRequest* request,
                                        v1::SubmitInteractionResponse* response) override {
    auto* reactor = context->DefaultReactor();
    Caller caller;
    if (Status s = h_.admit(context, v1::GATEWAY, *request, caller); !s.ok()) {
      reactor->Finish(s);
      return reactor;
    }
    RoutingHost& host = h_.host();
    host.post([&host, reactor, caller = std::move(caller), request, response] {
      host.submit(caller.gateway, *request, response,
                  [reactor](const absl::Status& s) { reactor->Finish(to_grpc(s)); });
    });
    return reactor;
  }

  ServerUnaryReactor* CancelInteraction(CallbackServerContext* context,
                                        const v1::CancelInteractionRequest* request,
                                        v1::CancelInteractionResponse* response) override {
    return h_.change(context, v1::GATEWAY, *request, [this, request, response](const Caller& c) {
      return to_grpc(h_.host().cancel(scope_of(c), *request, response->mutable_interaction()));
    });
  }

  ServerUnaryReactor* GetInteraction(CallbackServerContext* context,
                                     const v1::GetInteractionRequest* request,
                                     v1::Interaction* response) override {
    return h_.unary(context, v1::GATEWAY, *request, [this, request, response](const Caller& c) {
      return to_grpc(h_.host().get(scope_of(c), request->interaction_id(), response));
    });
  }

  ::grpc::ServerWriteReactor<v1::InteractionEvent>* WatchInteractions(
      CallbackServerContext* context, const v1::WatchInteractionsRequest* request) override {
    Caller caller;
    if (Status s = h_.admit(context, v1::GATEWAY, *request, caller); !s.ok()) {
      return Handler::refused<v1::InteractionEvent>(s);
    }
    std::shared_ptr<InteractionOutbox> outbox;
    std::shared_ptr<StreamSlot> slot;
    if (Status s = h_.open_stream(context, caller, outbox, slot); !s.ok()) {
      return Handler::refused<v1::InteractionEvent>(s);
    }
    auto* reactor = new StreamWriter<v1::InteractionEvent>(outbox, [slot] {});
    RoutingHost& host = h_.host();
    host.post([&host, caller = std::move(caller), request = *request, outbox] {
      host.watch_interactions(scope_of(caller), request, outbox);
    });
    return reactor;
  }

  GatewayReactor* GatewayStream(CallbackServerContext* context) override {
    GatewayStreamSetup setup;
    setup.host = &h_.host();
    if (Status s = h_.active(); !s.ok()) return refused_gateway_stream(s);
    const Gate::Rules rules = h_.rules();
    if (Status s = h_.authorize(*rules.auth, *context, v1::GATEWAY, setup.caller, "GatewayStream");
        !s.ok()) {
      return refused_gateway_stream(s);
    }
    if (Status s = h_.open_stream(context, setup.caller, setup.outbox, setup.slot); !s.ok()) {
      return refused_gateway_stream(s);
    }
    setup.scope = scope_of(setup.caller);
    setup.limits = rules.limits;
    setup.max_in_flight = rules.gateway_max_in_flight;
    return open_gateway_stream(std::move(setup));
  }

 private:
  Handler h_;
};

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  explicit AgentServiceImpl(Handler handler) : h_(handler) {}

  ServerUnaryReactor* Login(CallbackServerContext* context, const v1::LoginRequest* request,
                            v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().login(*request, response));
    });
  }

  ServerUnaryReactor* Logout(CallbackServerContext* context, const v1::LogoutRequest* request,
                             v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().logout(request->agent(), /*forced=*/false, response));
    });
  }

  ServerUnaryReactor* SetState(CallbackServerContext* context, const v1::SetStateRequest* request,
                               v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().set_state(*request, response));
    });
  }

  ::grpc::ServerWriteReactor<v1::WorkEvent>* StreamWork(
      CallbackServerContext* context, const v1::StreamWorkRequest* request) override {
    Caller caller;
    if (Status s = h_.admit(context, v1::AGENT, *request, caller); !s.ok()) {
      return Handler::refused<v1::WorkEvent>(s);
    }
    if (Status s = require_agent(caller, request->agent()); !s.ok()) {
      return Handler::refused<v1::WorkEvent>(s);
    }
    if (caller.role == v1::AGENT_LINK) return Handler::refused<v1::WorkEvent>(one_desktop());
    std::shared_ptr<WorkOutbox> outbox;
    std::shared_ptr<StreamSlot> slot;
    if (Status s = h_.open_stream(context, caller, outbox, slot); !s.ok()) {
      return Handler::refused<v1::WorkEvent>(s);
    }
    RoutingHost& host = h_.host();
    const std::string agent = request->agent();
    auto* reactor = new StreamWriter<v1::WorkEvent>(outbox, [&host, agent, outbox, slot] {
      host.post([&host, agent, outbox] { host.stream_work_ended(agent, outbox); });
    });
    host.post([&host, agent, outbox] {
      if (absl::Status s = host.stream_work(agent, outbox); !s.ok()) outbox->finish(s, false);
    });
    return reactor;
  }

  AgentStreamReactor* AgentSession(CallbackServerContext* context) override {
    return agent_stream(context, AgentStreamMode::kSession);
  }

  AgentStreamReactor* AgentLink(CallbackServerContext* context) override {
    return agent_stream(context, AgentStreamMode::kLink);
  }

  ServerUnaryReactor* AcceptOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().accept(*request, response));
    });
  }

  ServerUnaryReactor* RejectOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().reject(*request, response));
    });
  }

  ServerUnaryReactor* CompleteInteraction(CallbackServerContext* context,
                                          const v1::CompleteRequest* request,
                                          v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().complete(*request, response));
    });
  }

  ServerUnaryReactor* EndWrapUp(CallbackServerContext* context, const v1::OfferRequest* request,
                                v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().end_wrap_up(*request, response));
    });
  }

  ServerUnaryReactor* TransferInteraction(CallbackServerContext* context,
                                          const v1::TransferRequest* request,
                                          v1::AgentStatus* response) override {
    return h_.change(context, v1::AGENT, *request, [this, request, response](const Caller& c) {
      if (Status s = require_agent(c, request->agent()); !s.ok()) return s;
      return to_grpc(h_.host().transfer(*request, response));
    });
  }

 private:
  // StreamWork and AgentSession are one desktop's: an AGENT_LINK token uses AgentLink.
  static Status one_desktop() {
    return {StatusCode::PERMISSION_DENIED,
            "an agent_link token may not open a single agent's stream; use AgentLink"};
  }

  AgentStreamReactor* agent_stream(CallbackServerContext* context, AgentStreamMode mode) {
    AgentStreamSetup setup;
    setup.mode = mode;
    const v1::Role role = mode == AgentStreamMode::kLink ? v1::AGENT_LINK : v1::AGENT;
    if (Status s =
            h_.open_session(context, role, setup.caller, setup.limits, setup.outbox, setup.slot);
        !s.ok()) {
      return refuse_agent_stream(s);
    }
    if (mode == AgentStreamMode::kSession && setup.caller.role == v1::AGENT_LINK) {
      return refuse_agent_stream(one_desktop());
    }
    return start_agent_stream(h_.host(), std::move(setup));
  }

  Handler h_;
};

class SupervisorServiceImpl final : public v1::SupervisorService::CallbackService {
 public:
  explicit SupervisorServiceImpl(Handler handler) : h_(handler) {}

  ServerUnaryReactor* GetQueueStats(CallbackServerContext* context,
                                    const v1::GetQueueStatsRequest* request,
                                    v1::GetQueueStatsResponse* response) override {
    return h_.unary(context, v1::SUPERVISOR, *request, [this, request, response](const Caller&) {
      return to_grpc(h_.host().queue_stats(*request, response));
    });
  }

  ServerUnaryReactor* ListAgents(CallbackServerContext* context,
                                 const v1::ListAgentsRequest* request,
                                 v1::ListAgentsResponse* response) override {
    return h_.unary(context, v1::SUPERVISOR, *request, [this, request, response](const Caller&) {
      return to_grpc(h_.host().list_agents(*request, response));
    });
  }

  ServerUnaryReactor* ListInteractions(CallbackServerContext* context,
                                       const v1::ListInteractionsRequest* request,
                                       v1::ListInteractionsResponse* response) override {
    return h_.unary(context, v1::SUPERVISOR, *request, [this, request, response](const Caller&) {
      return to_grpc(h_.host().list_interactions(*request, response));
    });
  }

  ::grpc::ServerWriteReactor<v1::GetQueueStatsResponse>* WatchQueues(
      CallbackServerContext* context, const v1::WatchQueuesRequest* request) override {
    Caller caller;
    if (Status s = h_.admit(context, v1::SUPERVISOR, *request, caller); !s.ok()) {
      return Handler::refused<v1::GetQueueStatsResponse>(s);
    }
    std::shared_ptr<QueueOutbox> outbox;
    std::shared_ptr<StreamSlot> slot;
    if (Status s = h_.open_stream(context, caller, outbox, slot); !s.ok()) {
      return Handler::refused<v1::GetQueueStatsResponse>(s);
    }
    auto* reactor = new StreamWriter<v1::GetQueueStatsResponse>(outbox, [slot] {});
    RoutingHost& host = h_.host();
    host.post([&host, request = *request, outbox] {
      if (absl::Status s = host.watch_queues(request, outbox); !s.ok()) outbox->finish(s, false);
    });
    return reactor;
  }

  ServerUnaryReactor* ExplainRouting(CallbackServerContext* context,
                                     const v1::ExplainRoutingRequest* request,
                                     v1::ExplainRoutingResponse* response) override {
    return on_host_async(context, request, response, &RoutingHost::explain);
  }

  ServerUnaryReactor* GetReport(CallbackServerContext* context, const v1::GetReportRequest* request,
                                v1::GetReportResponse* response) override {
    return on_host_async(context, request, response, &RoutingHost::report);
  }

  ServerUnaryReactor* UpdateAgentSkills(CallbackServerContext* context,
                                        const v1::UpdateAgentSkillsRequest* request,
                                        v1::AgentStatus* response) override {
    return h_.change(
        context, v1::SUPERVISOR, *request, [this, context, request, response](const Caller& c) {
          RoutingHost& host = h_.host();
          std::string before = host.audit_agent(request->agent());
          const absl::Status s = host.update_skills(*request, response);
          h_.auditor().action(c, context->peer(), "skills", request->agent(), std::move(before),
                              host.audit_agent(request->agent()), s);
          return to_grpc(s);
        });
  }

  ServerUnaryReactor* ForceAgentState(CallbackServerContext* context,
                                      const v1::SetStateRequest* request,
                                      v1::AgentStatus* response) override {
    return h_.change(
        context, v1::SUPERVISOR, *request,
        [this, context, request, response](const Caller& c) {
          RoutingHost& host = h_.host();
          std::string before = host.audit_agent(request->agent());
          const absl::Status s = host.set_state(*request, response);
          // The log line names the state asked for (also when refused); the audit trail has
          // before and after.
          spdlog::info("event=force_state agent={} state={} reason={} by={} result={}",
                       engine::log_text(request->agent()), v1::AgentState_Name(request->state()),
                       engine::log_text(request->reason()), engine::log_text(c.name),
                       absl::StatusCodeToString(s.code()));
          h_.auditor().action(c, context->peer(), "force_state", request->agent(),
                              std::move(before), host.audit_agent(request->agent()), s,
                              v1::AgentState_Name(request->state()) +
                                  (request->reason().empty() ? "" : " " + request->reason()));
          return to_grpc(s);
        },
        &validate_force_state);
  }

  ServerUnaryReactor* SetInteractionPriority(CallbackServerContext* context,
                                             const v1::SetInteractionPriorityRequest* request,
                                             v1::Interaction* response) override {
    return audited_interaction_change(
        context, request, response, "priority",
        [](RoutingHost& host, const auto& r, auto* out) { return host.set_priority(r, out); });
  }

  ServerUnaryReactor* MoveInteraction(CallbackServerContext* context,
                                      const v1::MoveInteractionRequest* request,
                                      v1::Interaction* response) override {
    return audited_interaction_change(
        context, request, response, "move",
        [](RoutingHost& host, const auto& r, auto* out) { return host.move(r, out); });
  }

  ServerUnaryReactor* ListAudit(CallbackServerContext* context, const v1::ListAuditRequest* request,
                                v1::ListAuditResponse* response) override {
    auto* reactor = context->DefaultReactor();
    Caller caller;
    if (Status s = h_.admit(context, v1::SUPERVISOR, *request, caller); !s.ok()) {
      reactor->Finish(s);
      return reactor;
    }
    ports::AuditQuery query;
    if (request->has_from()) query.from_ms = ms_of(request->from());
    if (request->has_to()) query.to_ms = ms_of(request->to());
    query.actor = request->actor();
    query.action = request->action();
    query.target = request->target();
    if (request->limit() > 0) query.limit = static_cast<size_t>(request->limit());
    h_.auditor().trail().list(query, [reactor, response](absl::StatusOr<ports::AuditPage> page) {
      if (!page.ok()) {
        return reactor->Finish(to_grpc(absl::UnavailableError(
            "the audit trail could not be read: " + std::string(page.status().message()))));
      }
      for (auto& e : page->entries) *response->add_entries() = std::move(e);
      response->set_truncated(page->truncated);
      reactor->Finish(Status::OK);
    });
    return reactor;
  }

 private:
  // A supervisor's read the host answers later (it may wait for Redis): admitted, then `call`
  // on the engine thread, whose `done` finishes the call from whichever thread it runs on.
  template <class Request, class Response>
  ServerUnaryReactor* on_host_async(CallbackServerContext* context, const Request* request,
                                    Response* response,
                                    void (RoutingHost::*call)(const Request&, Response*,
                                                              std::function<void(absl::Status)>)) {
    auto* reactor = context->DefaultReactor();
    Caller caller;
    if (Status s = h_.admit(context, v1::SUPERVISOR, *request, caller); !s.ok()) {
      reactor->Finish(s);
      return reactor;
    }
    RoutingHost& host = h_.host();
    host.post([&host, call, reactor, request, response] {
      (host.*call)(*request, response,
                   [reactor](const absl::Status& s) { reactor->Finish(to_grpc(s)); });
    });
    return reactor;
  }

  // A supervisor's change to one interaction (`change(host, request, response)` on the engine
  // thread), recorded in the audit trail with the interaction's state before and after.
  template <class Request, class Change>
  ServerUnaryReactor* audited_interaction_change(CallbackServerContext* context,
                                                 const Request* request, v1::Interaction* response,
                                                 const char* action, Change change) {
    return h_.change(context, v1::SUPERVISOR, *request,
                     [this, context, request, response, action, change](const Caller& c) {
                       RoutingHost& host = h_.host();
                       const std::string& id = request->interaction_id();
                       std::string before = host.audit_interaction(id);
                       const absl::Status s = change(host, *request, response);
                       h_.auditor().action(c, context->peer(), action, id, std::move(before),
                                           host.audit_interaction(id), s);
                       return to_grpc(s);
                     });
  }

  static int64_t ms_of(const google::protobuf::Timestamp& t) {
    return t.seconds() * 1000 + t.nanos() / 1'000'000;
  }

 private:
  Handler h_;
};

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(Handler handler, ReloadFn reload, std::string path)
      : h_(handler), reload_(std::move(reload)), path_(std::move(path)) {}

  ServerUnaryReactor* ReloadConfig(CallbackServerContext* context,
                                   const v1::ReloadConfigRequest* request,
                                   v1::ReloadConfigResponse* response) override {
    auto* reactor = context->DefaultReactor();
    Caller caller;
    if (Status s = h_.admit(context, v1::SUPERVISOR, *request, caller); !s.ok()) {
      reactor->Finish(s);
      return reactor;
    }
    spdlog::info("event=reload_requested by={}", engine::log_text(caller.name));
    RoutingHost& host = h_.host();
    reload_([reactor, response, &host, &auditor = h_.auditor(), caller, peer = context->peer(),
             path = path_](absl::StatusOr<RoutingHost::ReloadReport> result) {
      auditor.action(caller, peer, "reload", path, {},
                     result.ok() ? reload_summary(*result) : std::string(), result.status(),
                     result.ok() ? reload_detail(*result) : std::string());
      if (!result.ok()) {
        reactor->Finish(to_grpc(result.status()));
        return;
      }
      response->set_file(path);
      for (const auto& c : result->changes) response->add_changes(c);
      for (const auto& w : result->warnings) response->add_warnings(w);
      host.post([reactor, response, &host] {
        response->set_queues(static_cast<uint32_t>(host.queue_count()));
        response->set_agents(static_cast<uint32_t>(host.agent_count()));
        reactor->Finish(Status::OK);
      });
    });
    return reactor;
  }

 private:
  Handler h_;
  ReloadFn reload_;
  std::string path_;
};

}  // namespace

Gate::Rules gate_rules(const config::RoutingModel& model) {
  Gate::Rules rules;
  rules.auth = std::make_shared<const Authenticator>(model.auth, model.daemon.domain);
  rules.limits.max_string_length = model.router.limits.max_string_length;
  rules.limits.max_attributes = model.router.limits.max_attributes;
  rules.stream_buffer = model.daemon.stream_buffer;
  const config::ServerLimitSettings& l = model.daemon.server_limits;
  rules.streams.max_connections = l.max_connections;
  rules.streams.max_streams_per_connection = l.max_streams_per_connection;
  rules.streams.max_streams_per_token = l.max_streams_per_token;
  rules.streams.max_streams_total = l.max_streams_total;
  rules.outbox.bytes = l.outbox_max_bytes;
  rules.outbox.max_age = l.slow_reader_cut;
  rules.outbox_budget_bytes = l.outbox_budget_bytes;
  rules.gateway_max_in_flight = l.gateway_max_in_flight;
  return rules;
}

std::string reload_summary(const RoutingHost::ReloadReport& report) {
  return "{\"changes\":" + std::to_string(report.changes.size()) +
         ",\"warnings\":" + std::to_string(report.warnings.size()) + "}";
}

std::string reload_detail(const RoutingHost::ReloadReport& report) {
  std::string out;
  for (const auto& c : report.changes) {
    if (out.size() > 2000) {
      out += "; ...";
      break;
    }
    out += (out.empty() ? "" : "; ") + c;
  }
  return out;
}

Services make_services(RoutingHost& host, Gate& gate, Auditor& auditor, ReloadFn reload,
                       std::string config_path) {
  Handler handler(host, gate, auditor);
  Services s;
  s.interactions = std::make_unique<InteractionServiceImpl>(handler);
  s.agents = std::make_unique<AgentServiceImpl>(handler);
  s.supervisors = std::make_unique<SupervisorServiceImpl>(handler);
  s.admin = std::make_unique<AdminServiceImpl>(handler, std::move(reload), std::move(config_path));
  return s;
}

}  // namespace router::adapters::grpc
