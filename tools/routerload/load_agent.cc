// routerload's simulated agent desktops (load_internal.h): log in, StreamWork, READY, and each
// offer through accept, complete and end wrap-up.
#include <grpcpp/grpcpp.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <unordered_set>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/load_internal.h"

namespace router::load::detail {
namespace {

class AgentDesktop final : public AgentBase, public grpc::ClientReadReactor<v1::WorkEvent> {
 public:
  AgentDesktop(Run& run, Driver& driver, size_t index, std::shared_ptr<grpc::Channel> channel)
      : run_(run),
        driver_(driver),
        login_(run.center().agents[index]),
        stub_(v1::AgentService::NewStub(channel)),
        rng_(run.options().seed * 2'000'003 + index) {}

  void start() override {
    asio::post(driver_.io, [this] { log_in(); });
  }

  // From any thread, at the end: log out (the server ends the stream), then cancel it.
  void stop() override {
    asio::post(driver_.io, [this] {
      // An agent still on a call at the end (a long --handle-ms) cannot log out (routerd answers
      // FAILED_PRECONDITION): its stream is closed instead, and routerd logs it out after its
      // grace period.
      if (holding_ > 0) {
        stopped_.store(true, std::memory_order_release);
        return;
      }
      auto call = std::make_unique<Call<v1::LogoutRequest, v1::AgentStatus>>();
      call->request.set_agent(login_.name);
      unary(
          std::move(call), [](auto* stub, auto&&... args) { stub->Logout(args...); }, Rpc::kLogout,
          [](auto&, int64_t) {}, [this] { stopped_.store(true, std::memory_order_release); });
    });
  }
  // The Logout of stop() was answered (or skipped): the stream may be closed now. Closing it
  // first would make routerd log the agent out on its own and refuse the Logout.
  bool stopped() const override { return stopped_.load(std::memory_order_acquire); }
  // SetState READY; `count`: add to Run::agents_ready once it is.
  void go_ready(bool count) {
    auto call = std::make_unique<Call<v1::SetStateRequest, v1::AgentStatus>>();
    call->request.set_agent(login_.name);
    call->request.set_state(v1::READY);
    unary(
        std::move(call), [](auto* stub, auto&&... args) { stub->SetState(args...); },
        Rpc::kSetState,
        [this, count](auto&, int64_t) {
          if (count) run_.agents_ready.fetch_add(1, std::memory_order_relaxed);
        });
  }
  // From any thread: --ready-after-warmup's moment.
  void start_work() override {
    asio::post(driver_.io, [this] { go_ready(/*count=*/false); });
  }

  void cancel_stream() override {
    if (stream_started_) stream_context_.TryCancel();
  }
  bool done() const override { return done_.load(std::memory_order_acquire); }

  // gRPC's threads.
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    const int64_t at = now_ns();
    Event e;
    switch (event_.event_case()) {
      case v1::WorkEvent::kOffer: {
        e.kind = Event::kOffer;
        const auto& ix = event_.offer().interaction();
        e.interaction_id = ix.interaction_id();
        auto it = ix.attributes().find(kSentAttribute);
        if (it != ix.attributes().end()) e.sent_ns = std::strtoll(it->second.c_str(), nullptr, 10);
        break;
      }
      case v1::WorkEvent::kStatus: e.kind = Event::kStatus; break;
      default: e.kind = Event::kOther; break;
    }
    e.at_ns = at;
    asio::post(driver_.io, [this, e = std::move(e)] { on_event(e); });
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    asio::post(driver_.io, [this, status] {
      if (!status.ok() && !run_.stopping()) {
        driver_.figures.error(Rpc::kStreamWork, status.error_code(), status.error_message());
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
      }
      done_.store(true, std::memory_order_release);
    });
  }

 private:
  struct Event {
    enum Kind { kOffer, kStatus, kOther } kind = kOther;
    std::string interaction_id;
    int64_t sent_ns = 0;
    int64_t at_ns = 0;
  };

  // Starts a unary AgentService call; `on_ok(response, answered_ns)` runs on the driver.
  // `method` picks the RPC: [](auto* stub, auto&&... args) { stub->Login(args...); }.
  template <class Request, class Response, class Method, class OnOk>
  void unary(std::unique_ptr<Call<Request, Response>> call, Method method, Rpc rpc, OnOk on_ok,
             std::function<void()> after_any = {}) {
    prepare(call->context, login_.token);
    call->sent_ns = now_ns();
    auto* c = call.release();
    run_.rpc_started();
    method(stub_->async(), &c->context, &c->request, &c->response,
           [this, c, rpc, on_ok = std::move(on_ok),
            after_any = std::move(after_any)](grpc::Status status) mutable {
             const int64_t at = now_ns();
             asio::post(driver_.io,
                        [this, call = std::unique_ptr<Call<Request, Response>>(c), rpc, status, at,
                         on_ok = std::move(on_ok), after_any = std::move(after_any)]() mutable {
                          if (run_.measuring()) ++driver_.figures.rpcs;
                          if (status.ok()) {
                            on_ok(*call, at);
                          } else {
                            failed(rpc, status);
                          }
                          // The end of an offer's path, whichever way it ended.
                          if (rpc == Rpc::kEndWrapUp ||
                              (!status.ok() && (rpc == Rpc::kAccept || rpc == Rpc::kComplete))) {
                            run_.held.fetch_sub(1, std::memory_order_relaxed);
                            --holding_;
                          }
                          if (after_any) after_any();
                        });
             run_.rpc_finished();
           });
  }

  void failed(Rpc rpc, const grpc::Status& status) {
    if (rpc == Rpc::kAccept && status.error_code() == grpc::FAILED_PRECONDITION &&
        run_.cancelling()) {
      return;  // an offer racing the end's own CancelInteraction: not the server's error
    }
    driver_.figures.error(rpc, status.error_code(), status.error_message());
    run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
  }

  void log_in() {
    auto call = std::make_unique<Call<v1::LoginRequest, v1::AgentStatus>>();
    call->request.set_agent(login_.name);
    call->request.set_ready(false);
    unary(
        std::move(call), [](auto* stub, auto&&... args) { stub->Login(args...); }, Rpc::kLogin,
        [this](auto&, int64_t) { open_stream(); });
  }

  void open_stream() {
    v1::StreamWorkRequest request;
    request.set_agent(login_.name);
    if (!login_.token.empty()) stream_context_.AddMetadata("authorization", bearer(login_.token));
    stream_request_ = request;
    stream_started_ = true;
    stub_->async()->StreamWork(&stream_context_, &stream_request_, this);
    StartRead(&event_);
    StartCall();
  }

  void on_event(const Event& e) {
    Figures& f = driver_.figures;
    const bool window = run_.measuring();
    if (window) ++f.stream_events;
    if (e.kind == Event::kStatus && !ready_requested_) {
      // The stream's first event says it is registered: only now can READY bring offers.
      ready_requested_ = true;
      if (run_.options().ready_after_warmup) {
        run_.agents_ready.fetch_add(1, std::memory_order_relaxed);  // logged in, NOT_READY
      } else {
        go_ready(/*count=*/true);
      }
      return;
    }
    if (e.kind != Event::kOffer) return;
    run_.held.fetch_add(1, std::memory_order_relaxed);
    ++holding_;
    if (window) {
      ++f.offered;
      if (e.sent_ns > 0) f.submit_to_offer.record(nanoseconds(e.at_ns - e.sent_ns));
    }
    after(run_.options().think, [this, id = e.interaction_id] { accept(id); });
  }

  void accept(const std::string& id) {
    auto call = std::make_unique<Call<v1::OfferRequest, v1::AgentStatus>>();
    call->request.set_agent(login_.name);
    call->request.set_interaction_id(id);
    unary(
        std::move(call), [](auto* stub, auto&&... args) { stub->AcceptOffer(args...); },
        Rpc::kAccept,
        [this](auto& c, int64_t at) {
          if (run_.measuring()) {
            ++driver_.figures.accepted;
            driver_.figures.accept_ack.record(nanoseconds(at - c.sent_ns));
          }
          after(run_.options().handle, [this, id = c.request.interaction_id()] { complete(id); });
        });
  }

  void complete(const std::string& id) {
    auto call = std::make_unique<Call<v1::CompleteRequest, v1::AgentStatus>>();
    call->request.set_agent(login_.name);
    call->request.set_interaction_id(id);
    call->request.set_wrap_up_code("resolved");
    unary(
        std::move(call), [](auto* stub, auto&&... args) { stub->CompleteInteraction(args...); },
        Rpc::kComplete,
        [this](auto& c, int64_t at) {
          Figures& f = driver_.figures;
          ++f.completed_total;
          run_.progress_completed.fetch_add(1, std::memory_order_relaxed);
          if (run_.measuring()) {
            ++f.completed;
            f.complete_ack.record(nanoseconds(at - c.sent_ns));
          }
          run_.finished(c.request.interaction_id());
          after(run_.options().wrap_up,
                [this, id = c.request.interaction_id()] { end_wrap_up(id); });
        });
  }

  void end_wrap_up(const std::string& id) {
    auto call = std::make_unique<Call<v1::OfferRequest, v1::AgentStatus>>();
    call->request.set_agent(login_.name);
    call->request.set_interaction_id(id);
    unary(
        std::move(call), [](auto* stub, auto&&... args) { stub->EndWrapUp(args...); },
        Rpc::kEndWrapUp, [](auto&, int64_t) {});
  }

  // Runs `task` on the driver after a time drawn from `spread` (at once when it is zero).
  template <class Task>
  void after(const Spread& spread, Task task) {
    if (spread.max_ms <= 0) {
      task();
      return;
    }
    const double ms = std::uniform_real_distribution<double>(spread.min_ms, spread.max_ms)(rng_);
    auto timer = std::make_shared<asio::steady_timer>(
        driver_.io,
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms)));
    timer->async_wait([timer, task = std::move(task)](const std::error_code& ec) mutable {
      if (!ec) task();
    });
  }

  Run& run_;
  Driver& driver_;
  const AgentLogin& login_;
  const std::unique_ptr<v1::AgentService::Stub> stub_;
  std::mt19937_64 rng_;
  grpc::ClientContext stream_context_;
  v1::StreamWorkRequest stream_request_;
  v1::WorkEvent event_;  // the read buffer, gRPC's threads only
  bool stream_started_ = false;
  bool ready_requested_ = false;
  int holding_ = 0;  // offers read and not yet through EndWrapUp (or failed)
  std::atomic<bool> stopped_{false};
  std::atomic<bool> done_{false};
};

}  // namespace

std::unique_ptr<AgentBase> make_agent(Run& run, Driver& driver, size_t index,
                                      std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<AgentDesktop>(run, driver, index, std::move(channel));
}

}  // namespace router::load::detail
