// routerecho's session streams (echo_service.h): GatewayStream, AgentSession and AgentLink. Each
// is a bidirectional reactor that reads one request at a time, runs it as the unary call would
// (the same EchoCore command), and writes its answer, tagged with the request's correlation_id,
// after the events the command caused, through routerd's StreamOutbox. Since every request is
// answered before the next one is read, a GatewayStream never has more than one in flight here:
// the window bound is announced and would be enforced by routerd, never reached by routerecho.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "tools/routerload/echo_core.h"
#include "tools/routerload/echo_services.h"

namespace router::load::echo {
namespace {

constexpr size_t kMaxCorrelationId = 128;

// One bidirectional stream. Reads run `handle` on a gRPC thread, one at a time; writes go through
// `out`'s StreamOutbox, to which the write-side reactions are forwarded. Deletes itself in
// OnDone, after running `on_done`.
template <class Request, class Response>
class BidiStream final : public ::grpc::ServerBidiReactor<Request, Response>,
                         public adapters::grpc::OutboxSink<Response> {
 public:
  using Handler = std::function<void(const Request&)>;

  explicit BidiStream(std::shared_ptr<OrderedStream<Response>> out) : out_(std::move(out)) {
    // The response headers at once, as routerd's session streams send them: routerload writes
    // nothing on a stream before it has them.
    this->StartSendInitialMetadata();
    out_->outbox()->attach(this);
  }

  // Starts reading; once, before the reactor is returned to gRPC.
  void start(Handler handle, std::function<void()> on_done) {
    handle_ = std::move(handle);
    on_done_ = std::move(on_done);
    this->StartRead(&request_);
  }

  void start_write(const Response* message) override { this->StartWrite(message); }
  void finish_stream(Status status) override { this->Finish(std::move(status)); }

  void OnWriteDone(bool ok) override { out_->outbox()->on_write_done(ok); }
  void OnCancel() override { out_->outbox()->on_cancel(); }
  void OnReadDone(bool ok) override {
    if (!ok) {  // the client is done sending (or gone): end once what is queued is written
      out_->finish(Status::OK, /*drain=*/true);
      return;
    }
    handle_(request_);
    if (out_->outbox()->open()) this->StartRead(&request_);
  }
  void OnDone() override {
    out_->outbox()->detach();
    if (on_done_) on_done_();
    delete this;
  }

 private:
  std::shared_ptr<OrderedStream<Response>> out_;
  Handler handle_;
  std::function<void()> on_done_;
  Request request_;  // the read buffer
};

// routerd's checks of a correlation id: OK, or the status its answer carries (with an empty
// correlation_id).
Status check_correlation(const std::string& id) {
  if (id.empty()) return invalid("correlation_id: required");
  if (id.size() > kMaxCorrelationId) {
    return {StatusCode::RESOURCE_EXHAUSTED,
            "correlation_id: longer than " + std::to_string(kMaxCorrelationId) + " bytes"};
  }
  return Status::OK;
}

void fill_result(const std::string& id, const Status& s, v1::RequestResult* out) {
  out->set_correlation_id(id);
  out->set_code(static_cast<int32_t>(s.error_code()));
  out->set_message(s.error_message());
}

// ---------------------------------------------------------------------------------------------
// GatewayStream.

class GatewaySession {
 public:
  GatewaySession(std::shared_ptr<EchoCore> core, std::shared_ptr<GatewayOut> out)
      : core_(std::move(core)), out_(std::move(out)) {}

  void handle(const v1::GatewayRequest& request) {
    v1::GatewayResponse response;
    v1::GatewayAnswer* answer = response.mutable_answer();
    Status s = check_correlation(request.correlation_id());
    const std::string echoed = s.ok() ? request.correlation_id() : std::string();
    if (s.ok()) {
      Batch b;
      switch (request.request_case()) {
        case v1::GatewayRequest::kSubmit:
          s = core_->submit(request.submit(), answer->mutable_submitted(), b);
          break;
        case v1::GatewayRequest::kCancel:
          s = core_->cancel(request.cancel(), answer->mutable_cancelled(), b);
          break;
        case v1::GatewayRequest::kWatch:
          s = {StatusCode::UNIMPLEMENTED, "watch: routerecho does not serve watches"};
          break;
        default: s = invalid("request: one of submit, cancel or watch is required");
      }
      b.flush();
      if (!s.ok()) answer->clear_answer();
    }
    fill_result(echoed, s, answer->mutable_result());
    out_->enqueue(std::move(response));
    out_->flush();
  }

 private:
  std::shared_ptr<EchoCore> core_;
  std::shared_ptr<GatewayOut> out_;
};

// ---------------------------------------------------------------------------------------------
// AgentSession and AgentLink.

// The agent a request names ("" when none).
const std::string& agent_named(const v1::AgentRequest& r) {
  static const std::string kNone;
  switch (r.request_case()) {
    case v1::AgentRequest::kLogin: return r.login().agent();
    case v1::AgentRequest::kLogout: return r.logout().agent();
    case v1::AgentRequest::kSetState: return r.set_state().agent();
    case v1::AgentRequest::kAccept: return r.accept().agent();
    case v1::AgentRequest::kReject: return r.reject().agent();
    case v1::AgentRequest::kComplete: return r.complete().agent();
    case v1::AgentRequest::kEndWrapUp: return r.end_wrap_up().agent();
    case v1::AgentRequest::kTransfer: return r.transfer().agent();
    default: return kNone;
  }
}

// An AgentSession (one agent, bound by the first request naming it) or an AgentLink (each agent
// its requests name, bound on its first one). handle() runs on one read at a time; ended() once,
// after the last.
class AgentStream {
 public:
  AgentStream(std::shared_ptr<EchoCore> core, std::shared_ptr<SessionStream> out, bool link)
      : core_(std::move(core)), out_(std::move(out)), link_(link) {}

  void handle(const v1::AgentRequest& request) {
    v1::AgentSessionResponse response;
    v1::AgentAnswer* answer = response.mutable_answer();
    Status s = check_correlation(request.correlation_id());
    const std::string echoed = s.ok() ? request.correlation_id() : std::string();
    std::string agent = agent_named(request);
    if (s.ok() && request.request_case() == v1::AgentRequest::REQUEST_NOT_SET) {
      s = invalid(
          "request: one of login, logout, set_state, accept, reject, complete, end_wrap_up or "
          "transfer is required");
    }
    if (s.ok()) s = resolve(agent);
    if (s.ok()) s = bind(agent);
    if (s.ok()) {
      s = run(request, agent, answer->mutable_status());
      if (!s.ok()) answer->clear_status();
    }
    response.set_agent(agent);
    fill_result(echoed, s, answer->mutable_result());
    out_->enqueue(std::move(response));
    out_->flush();
  }

  // The stream is over: each of its agents is logged out, as after StreamWork's end.
  void ended() {
    Batch b;
    for (auto& [name, sink] : sinks_) core_->stream_ended(name, sink, b);
    b.flush();
  }

 private:
  // The agent the request acts for, after the session's or link's rules.
  Status resolve(std::string& agent) const {
    if (link_) {
      if (agent.empty()) return invalid("agent: required: every request on an AgentLink names it");
      return Status::OK;
    }
    if (bound_.empty()) {
      if (agent.empty()) {
        return invalid("agent: required: the first request of an AgentSession names its agent");
      }
      return Status::OK;
    }
    if (agent.empty()) {
      agent = bound_;
    } else if (agent != bound_) {
      return {StatusCode::PERMISSION_DENIED,
              "agent: this session acts for agent '" + bound_ + "', not '" + agent + "'"};
    }
    return Status::OK;
  }

  // The stream carries `agent`'s work events from now on (as StreamWork's open: status, held
  // work, then an offer if it is free).
  Status bind(const std::string& agent) {
    if (sinks_.count(agent) > 0) return Status::OK;
    auto sink = std::make_shared<SessionSink>(out_, agent, link_);
    Batch b;
    std::shared_ptr<AgentSink> replaced;
    const Status s = core_->open_stream(agent, sink, replaced, b);
    if (replaced) replaced->taken_over();
    if (!s.ok()) return s;
    sinks_.emplace(agent, std::move(sink));
    if (!link_) bound_ = agent;
    b.flush();
    return Status::OK;
  }

  // The unary call's command, for `agent`.
  Status run(const v1::AgentRequest& request, const std::string& agent, v1::AgentStatus* out) {
    Batch b;
    Status s;
    switch (request.request_case()) {
      case v1::AgentRequest::kLogin: {
        v1::LoginRequest r = request.login();
        r.set_agent(agent);
        s = core_->login(r, out, b);
        break;
      }
      case v1::AgentRequest::kLogout: {
        v1::LogoutRequest r = request.logout();
        r.set_agent(agent);
        s = core_->logout(r, out, b);
        break;
      }
      case v1::AgentRequest::kSetState: {
        v1::SetStateRequest r = request.set_state();
        r.set_agent(agent);
        s = core_->set_state(r, out, b);
        break;
      }
      case v1::AgentRequest::kAccept: {
        v1::OfferRequest r = request.accept();
        r.set_agent(agent);
        s = core_->accept(r, out, b);
        break;
      }
      case v1::AgentRequest::kReject: {
        v1::OfferRequest r = request.reject();
        r.set_agent(agent);
        s = core_->reject(r, out, b);
        break;
      }
      case v1::AgentRequest::kComplete: {
        v1::CompleteRequest r = request.complete();
        r.set_agent(agent);
        s = core_->complete(r, out, b);
        break;
      }
      case v1::AgentRequest::kEndWrapUp: {
        v1::OfferRequest r = request.end_wrap_up();
        r.set_agent(agent);
        s = core_->end_wrap_up(r, out, b);
        break;
      }
      case v1::AgentRequest::kTransfer:
        s = {StatusCode::UNIMPLEMENTED, "transfer: routerecho does not serve transfers"};
        break;
      default: s = invalid("request: required");
    }
    b.flush();
    return s;
  }

  std::shared_ptr<EchoCore> core_;
  std::shared_ptr<SessionStream> out_;
  const bool link_;
  std::string bound_;  // an AgentSession's agent, once bound
  std::map<std::string, std::shared_ptr<SessionSink>> sinks_;  // the agents it carries
};

using AgentReactor = BidiStream<v1::AgentRequest, v1::AgentSessionResponse>;

AgentReactor* open_agent_stream(const std::shared_ptr<EchoCore>& core, bool link) {
  auto out = std::make_shared<SessionStream>(core->stream_buffer());
  auto* reactor = new AgentReactor(out);
  if (!core->register_stream(out)) {
    out->finish({StatusCode::UNAVAILABLE, "routerecho is shutting down"}, /*drain=*/false);
    return reactor;
  }
  auto state = std::make_shared<AgentStream>(core, out, link);
  reactor->start([state](const v1::AgentRequest& r) { state->handle(r); },
                 [state] { state->ended(); });
  return reactor;
}

}  // namespace

::grpc::ServerBidiReactor<v1::GatewayRequest, v1::GatewayResponse>*
InteractionServiceImpl::GatewayStream(CallbackServerContext*) {
  const EchoOptions& options = core_->options();
  // As routerd: answers and events count against daemon.stream_buffer.
  auto out = std::make_shared<GatewayOut>(options.stream_buffer);
  auto* reactor = new BidiStream<v1::GatewayRequest, v1::GatewayResponse>(out);
  if (!core_->register_stream(out)) {
    out->finish({StatusCode::UNAVAILABLE, "routerecho is shutting down"}, /*drain=*/false);
    return reactor;
  }
  v1::GatewayResponse window;
  window.mutable_window()->set_max_in_flight(options.gateway_max_in_flight);
  out->enqueue(std::move(window));
  out->flush();
  auto session = std::make_shared<GatewaySession>(core_, out);
  reactor->start([session](const v1::GatewayRequest& r) { session->handle(r); }, {});
  return reactor;
}

::grpc::ServerBidiReactor<v1::AgentRequest, v1::AgentSessionResponse>*
AgentServiceImpl::AgentSession(CallbackServerContext*) {
  return open_agent_stream(core_, /*link=*/false);
}

::grpc::ServerBidiReactor<v1::AgentRequest, v1::AgentSessionResponse>* AgentServiceImpl::AgentLink(
    CallbackServerContext*) {
  return open_agent_stream(core_, /*link=*/true);
}

}  // namespace router::load::echo
