// InteractionService.GatewayStream: the reactor, the session state it shares with the host's
// callbacks, and the relay of the stream's watch. See gateway_stream.h.
#include "adapters/grpc/gateway_stream.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "adapters/grpc/status.h"
#include "engine/log_text.h"

namespace router::adapters::grpc {

namespace {

using ::grpc::Status;
using ::grpc::StatusCode;

class GatewaySession;

// The host's subscriber for the stream's watch: each InteractionEvent goes out wrapped as
// GatewayResponse.event. The host's first message ("watching") is swallowed: the watch's answer
// (OK) says the same, and it is pushed right after the registration, so every event that
// follows the answer is a real change. A replaced watch is deactivated: open() turns false and
// the host forgets it at its next event.
class WatchRelay final : public host::Subscriber<v1::InteractionEvent> {
 public:
  WatchRelay(std::shared_ptr<GatewayOutbox> outbox, std::weak_ptr<GatewaySession> session)
      : outbox_(std::move(outbox)), session_(std::move(session)) {}

  // Executor only, as every host call.
  bool push(v1::InteractionEvent event) override {
    if (!active_) return false;
    if (swallow_hello_) {
      swallow_hello_ = false;
      if (event.change() == "watching" && !event.has_interaction()) return true;
    }
    v1::GatewayResponse response;
    *response.mutable_event() = std::move(event);
    return outbox_->push(std::move(response));
  }
  void finish(absl::Status status, bool drain) override;
  bool open() const override { return active_ && outbox_->open(); }
  void flush() override { outbox_->flush(); }
  void deactivate() { active_ = false; }

 private:
  const std::shared_ptr<GatewayOutbox> outbox_;
  const std::weak_ptr<GatewaySession> session_;
  std::atomic<bool> active_{true};
  bool swallow_hello_ = true;
};

// One stream's state, shared by its reactor (gRPC threads) and the closures and done callbacks
// it hands to the host (executor). It is also the stream as the host's drain() sees it
// (host::Subscriber, registered with end_at_drain): finish() there closes the stream once every
// answer is written.
class GatewaySession final : public host::Subscriber<v1::GatewayResponse>,
                             public std::enable_shared_from_this<GatewaySession> {
 public:
  explicit GatewaySession(GatewayStreamSetup& setup)
      : host_(*setup.host),
        gateway_(setup.caller.gateway),
        token_(setup.caller.name),
        scope_(std::move(setup.scope)),
        limits_(setup.limits),
        max_in_flight_(setup.max_in_flight),
        outbox_(setup.outbox) {}

  // host::Subscriber: what drain() calls.
  bool push(v1::GatewayResponse m) override { return outbox_->push(std::move(m)); }
  void finish(absl::Status status, bool /*drain*/) override { close(to_grpc(status)); }
  bool open() const override { return outbox_->open(); }
  void flush() override { outbox_->flush(); }

  uint32_t max_in_flight() const { return max_in_flight_; }
  const std::string& token() const { return token_; }

  // gRPC thread: one request read from the client.
  void on_request(v1::GatewayRequest request) {
    std::string id = request.correlation_id();
    if (Status s = check_correlation_id(id); !s.ok()) return reject("", std::move(s));
    {
      std::unique_lock lock(mu_);
      if (closing_) {
        lock.unlock();
        return reject(id, Status(StatusCode::UNAVAILABLE, "routerd is shutting down"));
      }
      if (in_flight_.count(id) != 0) {
        lock.unlock();
        return reject("", Status(StatusCode::INVALID_ARGUMENT,
                                 "correlation_id: \"" + id +
                                     "\" is already in flight on this stream (reuse it once "
                                     "it is answered)"));
      }
      if (in_flight_.size() >= max_in_flight_) {
        lock.unlock();
        return reject(id, Status(StatusCode::RESOURCE_EXHAUSTED,
                                 std::to_string(max_in_flight_) +
                                     " requests already in flight on this stream, at most " +
                                     std::to_string(max_in_flight_) +
                                     " (daemon.server_limits.gateway_max_in_flight): not acted "
                                     "on, send it again after an answer"));
      }
      in_flight_.insert(id);
      ++unanswered_;
    }
    if (Status s = check(request); !s.ok()) {
      return answer(id, s, v1::GatewayResponse());
    }
    auto self = shared_from_this();
    auto owned = std::make_shared<v1::GatewayRequest>(std::move(request));
    host_.post([self, owned] { self->act(owned); });
  }

  // gRPC thread: the client half-closed (or the call is over). The stream ends OK once every
  // answer still due is written.
  void reads_ended() {
    {
      std::lock_guard lock(mu_);
      reads_done_ = true;
    }
    finish_when_answered();
  }

  // The host drains (or the watch was finished by the host): requests from now on are answered
  // UNAVAILABLE, and the stream ends with `status` once every answer due is written.
  void close(Status status) {
    {
      std::lock_guard lock(mu_);
      if (!closing_) closing_ = std::move(status);
    }
    finish_when_answered();
  }

 private:
  static Status check(const v1::GatewayRequest& request, const RequestLimits& limits) {
    switch (request.request_case()) {
      case v1::GatewayRequest::kSubmit: return validate(request.submit(), limits);
      case v1::GatewayRequest::kCancel: return validate(request.cancel(), limits);
      case v1::GatewayRequest::kWatch: return validate(request.watch(), limits);
      case v1::GatewayRequest::REQUEST_NOT_SET: break;
    }
    return Status(StatusCode::INVALID_ARGUMENT, "request: unset (submit, cancel or watch)");
  }
  Status check(const v1::GatewayRequest& request) const { return check(request, limits_); }

  // Executor: the request, acted on as its unary twin.
  void act(const std::shared_ptr<v1::GatewayRequest>& request) {
    const std::string& id = request->correlation_id();
    auto response = std::make_shared<v1::GatewayResponse>();
    v1::GatewayAnswer* a = response->mutable_answer();
    switch (request->request_case()) {
      case v1::GatewayRequest::kSubmit: {
        // `request` and `response` live in the callback until the host answers (after the
        // journal's confirmation, as the unary call).
        host_.submit(gateway_, request->submit(), a->mutable_submitted(),
                     [self = shared_from_this(), request, response](const absl::Status& s) {
                       self->answer(request->correlation_id(), to_grpc(s), std::move(*response));
                     });
        return;
      }
      case v1::GatewayRequest::kCancel: {
        const absl::Status s =
            host_.cancel(scope_, request->cancel(), a->mutable_cancelled()->mutable_interaction());
        if (!s.ok()) return answer(id, to_grpc(s), std::move(*response));
        // Answered once journaled, as the unary call.
        return host_.when_journaled(
            [self = shared_from_this(), request, response](const absl::Status& j) {
              self->answer(request->correlation_id(), to_grpc(j), std::move(*response));
            });
      }
      case v1::GatewayRequest::kWatch: {
        if (watch_) watch_->deactivate();  // a second watch replaces the first
        watch_ = std::make_shared<WatchRelay>(outbox_, weak_from_this());
        host_.watch_interactions(scope_, request->watch(), watch_);
        bool closing = false;
        {
          std::lock_guard lock(mu_);
          closing = closing_.has_value();
        }
        if (closing) {
          return answer(id, Status(StatusCode::UNAVAILABLE, "routerd is shutting down"),
                        std::move(*response));
        }
        return answer(id, Status::OK, std::move(*response));
      }
      case v1::GatewayRequest::REQUEST_NOT_SET: break;
    }
    answer(id, check(*request), std::move(*response));  // not reached: checked before posting
  }

  // Any thread: the answer of a request that was counted in flight.
  void answer(const std::string& id, const Status& status, v1::GatewayResponse response) {
    fill(response, id, status);
    {
      // Reusable from now on: the client may send the id again as soon as it reads the answer.
      std::lock_guard lock(mu_);
      in_flight_.erase(id);
    }
    outbox_->push(std::move(response));
    outbox_->flush();
    {
      std::lock_guard lock(mu_);
      --unanswered_;
    }
    finish_when_answered();
  }

  // Any thread: the answer of a request that was not acted on (and not counted in flight).
  void reject(const std::string& id, const Status& status) {
    v1::GatewayResponse response;
    fill(response, id, status);
    outbox_->push(std::move(response));
    outbox_->flush();
  }

  static void fill(v1::GatewayResponse& response, const std::string& id, const Status& status) {
    v1::GatewayAnswer* a = response.mutable_answer();
    if (!status.ok()) a->clear_answer();
    v1::RequestResult* r = a->mutable_result();
    r->set_correlation_id(id);
    r->set_code(static_cast<int32_t>(status.error_code()));
    r->set_message(status.error_message());
  }

  void finish_when_answered() {
    Status end = Status::OK;
    {
      std::lock_guard lock(mu_);
      if (finish_requested_ || unanswered_ > 0 || !(reads_done_ || closing_)) return;
      finish_requested_ = true;
      if (closing_) end = *closing_;
    }
    outbox_->finish(std::move(end), /*drain=*/true);
  }

  host::RoutingHost& host_;
  const std::string gateway_;
  const std::string token_;
  const host::GatewayScope scope_;
  const RequestLimits limits_;
  const uint32_t max_in_flight_;
  const std::shared_ptr<GatewayOutbox> outbox_;

  std::mutex mu_;  // never held while pushing to the outbox (its lock may call the reactor)
  std::unordered_set<std::string> in_flight_;  // correlation ids acted on, answer not yet pushed
  size_t unanswered_ = 0;                      // requests acted on whose answer is not yet queued
  bool reads_done_ = false;
  std::optional<Status> closing_;
  bool finish_requested_ = false;

  std::shared_ptr<WatchRelay> watch_;  // executor only: the current watch
};

void WatchRelay::finish(absl::Status status, bool /*drain*/) {
  if (!active_) return;  // a replaced watch: the stream goes on
  if (auto session = session_.lock()) session->close(to_grpc(status));
}

class GatewayStream final : public GatewayReactor, public OutboxSink<v1::GatewayResponse> {
 public:
  GatewayStream(std::shared_ptr<GatewaySession> session, std::shared_ptr<GatewayOutbox> outbox,
                std::shared_ptr<StreamSlot> slot)
      : session_(std::move(session)), outbox_(std::move(outbox)), slot_(std::move(slot)) {
    outbox_->attach(this);
    v1::GatewayResponse window;
    window.mutable_window()->set_max_in_flight(session_->max_in_flight());
    outbox_->push(std::move(window));
    outbox_->flush();
    StartRead(&request_);
  }

  void start_write(const v1::GatewayResponse* message) override { StartWrite(message); }
  void finish_stream(Status status) override { Finish(std::move(status)); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed, or the call is over
      session_->reads_ended();
      return;
    }
    session_->on_request(std::move(request_));
    request_.Clear();
    // One read in flight while the stream lasts; none once it is finishing.
    if (outbox_->open()) StartRead(&request_);
  }
  void OnWriteDone(bool ok) override { outbox_->on_write_done(ok); }
  void OnCancel() override { outbox_->on_cancel(); }
  void OnDone() override {
    outbox_->detach();
    spdlog::debug("event=gateway_stream_done token={}", engine::log_text(session_->token()));
    delete this;
  }

 private:
  const std::shared_ptr<GatewaySession> session_;
  const std::shared_ptr<GatewayOutbox> outbox_;
  const std::shared_ptr<StreamSlot> slot_;  // the stream's places, given back with the reactor
  v1::GatewayRequest request_;              // the read in flight
};

class RefusedGatewayStream final : public GatewayReactor {
 public:
  explicit RefusedGatewayStream(Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

GatewayReactor* open_gateway_stream(GatewayStreamSetup setup) {
  auto session = std::make_shared<GatewaySession>(setup);
  host::RoutingHost* host = setup.host;
  auto* reactor = new GatewayStream(session, std::move(setup.outbox), std::move(setup.slot));
  host->post([host, weak = std::weak_ptr<GatewaySession>(session)] { host->end_at_drain(weak); });
  return reactor;
}

GatewayReactor* refused_gateway_stream(Status status) {
  return new RefusedGatewayStream(std::move(status));
}

}  // namespace router::adapters::grpc
