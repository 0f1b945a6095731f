// routerecho's gRPC services (echo_service.h): InteractionService and AgentService answered by
// the EchoCore. Internal to routerecho.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/echo_core.h"

namespace router::load::echo {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;

// The shape of every unary call: the command under the lock, its writes, then the answer.
template <class Fn>
ServerUnaryReactor* answer(CallbackServerContext* context, Fn&& fn) {
  auto* reactor = context->DefaultReactor();
  Batch b;
  Status s = fn(b);
  b.flush();
  reactor->Finish(s);
  return reactor;
}

class InteractionServiceImpl final : public v1::InteractionService::CallbackService {
 public:
  explicit InteractionServiceImpl(std::shared_ptr<EchoCore> core) : core_(std::move(core)) {}

  ServerUnaryReactor* SubmitInteraction(CallbackServerContext* context,
                                        const v1::SubmitInteractionRequest* request,
                                        v1::SubmitInteractionResponse* response) override {
    return answer(context, [&](Batch& b) { return core_->submit(*request, response, b); });
  }

  ServerUnaryReactor* CancelInteraction(CallbackServerContext* context,
                                        const v1::CancelInteractionRequest* request,
                                        v1::CancelInteractionResponse* response) override {
    return answer(context, [&](Batch& b) { return core_->cancel(*request, response, b); });
  }

  ServerUnaryReactor* GetInteraction(CallbackServerContext* context,
                                     const v1::GetInteractionRequest* request,
                                     v1::Interaction* response) override {
    return answer(context, [&](Batch&) { return core_->get(*request, response); });
  }

  // echo_streams.cc.
  ::grpc::ServerBidiReactor<v1::GatewayRequest, v1::GatewayResponse>* GatewayStream(
      CallbackServerContext* context) override;

 private:
  std::shared_ptr<EchoCore> core_;
};

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  explicit AgentServiceImpl(std::shared_ptr<EchoCore> core) : core_(std::move(core)) {}

  ServerUnaryReactor* Login(CallbackServerContext* context, const v1::LoginRequest* request,
                            v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->login(*request, response, b); });
  }

  ServerUnaryReactor* Logout(CallbackServerContext* context, const v1::LogoutRequest* request,
                             v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->logout(*request, response, b); });
  }

  ServerUnaryReactor* SetState(CallbackServerContext* context, const v1::SetStateRequest* request,
                               v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->set_state(*request, response, b); });
  }

  ::grpc::ServerWriteReactor<v1::WorkEvent>* StreamWork(
      CallbackServerContext*, const v1::StreamWorkRequest* request) override {
    auto out = std::make_shared<WorkStream>(core_->stream_buffer());
    auto stream = std::make_shared<WorkSink>(out);
    const std::string agent = request->agent();
    std::shared_ptr<EchoCore> core = core_;
    auto* writer = new WorkWriter(out->outbox(), [core, agent, stream] {
      Batch b;
      core->stream_ended(agent, stream, b);
      b.flush();
    });
    Batch b;
    std::shared_ptr<AgentSink> replaced;
    Status s = core_->open_stream(agent, stream, replaced, b);
    if (replaced) replaced->taken_over();
    if (s.ok() && !core_->register_stream(out)) {
      s = Status(StatusCode::UNAVAILABLE, "routerecho is shutting down");
    }
    if (!s.ok()) {
      out->finish(s, /*drain=*/false);
    } else {
      b.flush();
    }
    return writer;
  }

  // echo_streams.cc.
  ::grpc::ServerBidiReactor<v1::AgentRequest, v1::AgentSessionResponse>* AgentSession(
      CallbackServerContext* context) override;
  ::grpc::ServerBidiReactor<v1::AgentRequest, v1::AgentSessionResponse>* AgentLink(
      CallbackServerContext* context) override;

  ServerUnaryReactor* AcceptOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->accept(*request, response, b); });
  }

  ServerUnaryReactor* RejectOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->reject(*request, response, b); });
  }

  ServerUnaryReactor* CompleteInteraction(CallbackServerContext* context,
                                          const v1::CompleteRequest* request,
                                          v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->complete(*request, response, b); });
  }

  ServerUnaryReactor* EndWrapUp(CallbackServerContext* context, const v1::OfferRequest* request,
                                v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->end_wrap_up(*request, response, b); });
  }

 private:
  std::shared_ptr<EchoCore> core_;
};

}  // namespace router::load::echo
