// routerload's simulated agent desktops (load_internal.h): log in, READY, and each offer through
// accept, complete and end wrap-up. The unary API: each request its RPC, the events on
// StreamWork. The stream API: every request and event on the desktop's AgentSession, or on the
// AgentLink serving it (--agent-link).
#include <grpcpp/grpcpp.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/load_internal.h"
#include "tools/routerload/load_stream.h"

namespace router::load::detail {
namespace {

// What a desktop needs of a work event.
struct Event {
  // kOffer: an offer, or an update showing an interaction OFFERED to the agent (what routerd
  // sends for offers made before the desktop's stream opened: after a takeover, a reconnect).
  // kAssigned: an update showing an interaction ASSIGNED to the agent.
  enum Kind { kOffer, kAssigned, kStatus, kOther } kind = kOther;
  std::string interaction_id;
  bool not_ready = false;  // kStatus: the agent is NOT_READY (e.g. "missed": an offer timed out)
  int64_t sent_ns = 0;     // the submit's send time, from its routerload_t0 attribute
  int64_t at_ns = 0;       // when it was read
};

Event event_of(const v1::WorkEvent& w, int64_t at) {
  Event e;
  switch (w.event_case()) {
    case v1::WorkEvent::kOffer: {
      e.kind = Event::kOffer;
      const auto& ix = w.offer().interaction();
      e.interaction_id = ix.interaction_id();
      auto it = ix.attributes().find(kSentAttribute);
      if (it != ix.attributes().end()) e.sent_ns = std::strtoll(it->second.c_str(), nullptr, 10);
      break;
    }
    case v1::WorkEvent::kUpdate: {
      const auto& ix = w.update();
      e.interaction_id = ix.interaction_id();
      if (ix.state() == v1::OFFERED) e.kind = Event::kOffer;
      if (ix.state() == v1::ASSIGNED) e.kind = Event::kAssigned;
      break;
    }
    case v1::WorkEvent::kStatus:
      e.kind = Event::kStatus;
      e.not_ready = w.status().state() == v1::NOT_READY;
      break;
    default: e.kind = Event::kOther; break;
  }
  e.at_ns = at;
  return e;
}

Rpc rpc_of(const v1::AgentRequest& r) {
  switch (r.request_case()) {
    case v1::AgentRequest::kLogin: return Rpc::kLogin;
    case v1::AgentRequest::kLogout: return Rpc::kLogout;
    case v1::AgentRequest::kSetState: return Rpc::kSetState;
    case v1::AgentRequest::kAccept: return Rpc::kAccept;
    case v1::AgentRequest::kReject: return Rpc::kReject;
    case v1::AgentRequest::kComplete: return Rpc::kComplete;
    default: return Rpc::kEndWrapUp;
  }
}

class AgentDesktop final : public AgentBase, public grpc::ClientReadReactor<v1::WorkEvent> {
 public:
  // `link`: the AgentLink serving this desktop (--agent-link); else its own stream, by --api.
  AgentDesktop(Run& run, Driver& driver, size_t index, std::shared_ptr<grpc::Channel> channel,
               AgentStreamClient* link)
      : run_(run),
        driver_(driver),
        login_(run.center().agents[index]),
        stub_(v1::AgentService::NewStub(channel)),
        rng_(run.options().seed * 2'000'003 + index),
        link_(link) {
    if (link_ == nullptr && run.options().api == Api::kStream) make_session();
  }

  const std::string& name() const { return login_.name; }

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
      v1::AgentRequest r;
      r.mutable_logout()->set_agent(login_.name);
      request(
          std::move(r), [](int64_t, int64_t) {},
          [this] { stopped_.store(true, std::memory_order_release); });
    });
  }
  // The Logout of stop() was answered (or skipped): the stream may be closed now. Closing it
  // first would make routerd log the agent out on its own and refuse the Logout.
  bool stopped() const override { return stopped_.load(std::memory_order_acquire); }
  // SetState READY; `count`: add to Run::agents_ready once it is.
  void go_ready(bool count) {
    v1::AgentRequest r;
    r.mutable_set_state()->set_agent(login_.name);
    r.mutable_set_state()->set_state(v1::READY);
    request(std::move(r), [this, count](int64_t, int64_t) {
      if (count) run_.agents_ready.fetch_add(1, std::memory_order_relaxed);
    });
  }
  // From any thread: --ready-after-warmup's moment.
  void start_work() override {
    asio::post(driver_.io, [this] {
      work_started_ = true;
      go_ready(/*count=*/false);
    });
  }

  // From any thread (after Run::stopping() is set, so no session is opened again).
  void cancel_stream() override {
    if (AgentStreamClient* s = current_session_.load(std::memory_order_acquire)) {
      s->cancel();
    } else if (link_ == nullptr && stream_started_.load(std::memory_order_acquire)) {
      stream_context_.TryCancel();
    }
  }
  bool done() const override {
    if (const AgentStreamClient* s = current_session_.load(std::memory_order_acquire)) {
      return s->done();
    }
    if (link_ != nullptr) return true;  // the link's end is the link's
    return done_.load(std::memory_order_acquire);
  }
  Driver& driver() override { return driver_; }
  std::string describe() const override {
    std::string text = "agent " + login_.name + ": ";
    if (session_) {
      text += "session " + session_->describe(now_ns());
    } else if (link_ == nullptr) {
      text += done_.load(std::memory_order_acquire) ? "StreamWork done" : "StreamWork open";
    } else {
      text += "on a link";
    }
    return text + ", " + std::to_string(holding_) + " held, " +
           (stopped() ? "logged out" : "logout unanswered");
  }

  // On the driver: an event of this agent read from its AgentSession or AgentLink.
  void on_event(const Event& e) {
    Figures& f = driver_.figures;
    const bool window = run_.measuring();
    if (window) ++f.stream_events;
    if (e.kind == Event::kStatus && !ready_requested_ && link_ == nullptr && !session_) {
      // StreamWork's first event says it is registered: only now can READY bring offers.
      registered();
      return;
    }
    if (e.kind == Event::kStatus && e.not_ready && work_started_ && !run_.stopping() &&
        !ready_pending_) {
      // routerd made the agent NOT_READY (an offer it did not answer in time, as around a
      // takeover): the simulated agent clicks READY again, as a person at the desktop would.
      ready_pending_ = true;
      after(Spread{200, 200}, [this] {
        ready_pending_ = false;
        if (!run_.stopping()) go_ready(/*count=*/false);
      });
      return;
    }
    if (e.kind == Event::kAssigned) {
      auto it = in_hand_.find(e.interaction_id);
      if (it != in_hand_.end()) {
        it->second = true;  // an accept whose answer was lost took effect
        return;
      }
      // Work routerd kept for this agent that the desktop no longer has in hand: completed.
      in_hand_.emplace(e.interaction_id, true);
      run_.held.fetch_add(1, std::memory_order_relaxed);
      ++holding_;
      after(run_.options().handle, [this, id = e.interaction_id] { complete(id); });
      return;
    }
    if (e.kind != Event::kOffer) return;
    // An offer sent again (after a reconnect) for one already in hand is the same offer.
    if (!in_hand_.emplace(e.interaction_id, false).second) return;
    if (auto holder = run_.offered_elsewhere(e.interaction_id, login_.name)) {
      ++f.reoffered_after_accept;
      if (f.reoffered_examples.size() < Figures::kMaxReofferedExamples) {
        f.reoffered_examples.push_back(e.interaction_id + " accepted by " + *holder +
                                       ", offered to " + login_.name);
      }
    }
    run_.held.fetch_add(1, std::memory_order_relaxed);
    ++holding_;
    if (window) {
      ++f.offered;
      if (e.sent_ns > 0) f.submit_to_offer.record(nanoseconds(e.at_ns - e.sent_ns));
    }
    after(run_.options().think, [this, id = e.interaction_id] { accept(id); });
  }

  // StreamWork's reactions (the unary API), on gRPC's threads.
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    Event e = event_of(event_, now_ns());
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
  // Sends one agent request: its unary RPC, or on the session stream. On the driver, when it is
  // answered: `on_ok(sent_ns, answered_ns)` if OK, then `after_any`.
  template <class OnOk>
  void request(v1::AgentRequest r, OnOk on_ok, std::function<void()> after_any = {},
               int attempt = 0) {
    const Rpc rpc = rpc_of(r);
    const int64_t sent = now_ns();
    // What is safe to repeat after a failover (docs/availability.md, "What to retry") keeps a
    // copy. A session's Login is not among them: a reopened session logs in again by itself.
    std::string offer_id;  // the interaction whose path (offer to end of wrap-up) `r` is on
    if (r.has_accept()) offer_id = r.accept().interaction_id();
    if (r.has_complete()) offer_id = r.complete().interaction_id();
    if (r.has_end_wrap_up()) offer_id = r.end_wrap_up().interaction_id();
    std::optional<v1::AgentRequest> again;
    if (rpc == Rpc::kAccept || rpc == Rpc::kComplete || rpc == Rpc::kEndWrapUp ||
        rpc == Rpc::kSetState || (rpc == Rpc::kLogin && session_ == nullptr && link_ == nullptr)) {
      again = r;
    }
    auto answered = [this, rpc, sent, attempt, offer_id, again = std::move(again),
                     on_ok = std::move(on_ok), after_any = std::move(after_any)](
                        const grpc::Status& status, int64_t at) mutable {
      if (run_.measuring()) ++driver_.figures.rpcs;
      if (!status.ok() && again && failover_code(status.error_code()) && !run_.stopping()) {
        driver_.figures.error(rpc, status.error_code(), status.error_message());
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
        retry_later(
            [this, r = std::move(*again), on_ok = std::move(on_ok),
             after_any = std::move(after_any), attempt]() mutable {
              request(std::move(r), std::move(on_ok), std::move(after_any), attempt + 1);
            },
            attempt);
        return;
      }
      // An accept sent again after a failover, answered FAILED_PRECONDITION, while the work
      // stream (the current one: log_in_again) shows the interaction assigned to this agent: the
      // first attempt took effect (docs/availability.md, "What to retry").
      auto hand = in_hand_.find(offer_id);
      const auto code = status.error_code();
      // A complete sent again after a failover for work this agent held (accepted OK, or shown
      // assigned on the current stream), answered FAILED_PRECONDITION (in wrap-up) or NOT_FOUND
      // (finished): the first attempt took effect and was journaled; its answer was lost with
      // the old active.
      const bool took_effect =
          attempt > 0 &&
          ((rpc == Rpc::kAccept && code == grpc::StatusCode::FAILED_PRECONDITION &&
            hand != in_hand_.end() && hand->second) ||
           (rpc == Rpc::kComplete && (code == grpc::StatusCode::FAILED_PRECONDITION ||
                                      code == grpc::StatusCode::NOT_FOUND)));
      if (status.ok() || took_effect) {
        if (rpc == Rpc::kAccept && hand != in_hand_.end()) hand->second = true;
        if (rpc == Rpc::kAccept && status.ok()) run_.accepted(offer_id, login_.name);
        if (rpc == Rpc::kComplete) run_.completed(offer_id);
        on_ok(sent, at);
      } else {
        failed(rpc, status);
      }
      // The end of an offer's path, whichever way it ended.
      if (rpc == Rpc::kEndWrapUp ||
          (!status.ok() && !took_effect && (rpc == Rpc::kAccept || rpc == Rpc::kComplete))) {
        run_.held.fetch_sub(1, std::memory_order_relaxed);
        --holding_;
        in_hand_.erase(offer_id);
      }
      if (after_any) after_any();
    };
    if (AgentStreamClient* stream = session_ ? session_.get() : link_) {
      stream->send(std::move(r), [answered = std::move(answered)](
                                     const grpc::Status& status, const v1::AgentSessionResponse&,
                                     int64_t at) mutable { answered(status, at); });
      return;
    }
    switch (r.request_case()) {
      case v1::AgentRequest::kLogin:
        unary<v1::LoginRequest>(
            r.login(), [](auto* s, auto&&... a) { s->Login(a...); }, std::move(answered));
        break;
      case v1::AgentRequest::kLogout:
        unary<v1::LogoutRequest>(
            r.logout(), [](auto* s, auto&&... a) { s->Logout(a...); }, std::move(answered));
        break;
      case v1::AgentRequest::kSetState:
        unary<v1::SetStateRequest>(
            r.set_state(), [](auto* s, auto&&... a) { s->SetState(a...); }, std::move(answered));
        break;
      case v1::AgentRequest::kAccept:
        unary<v1::OfferRequest>(
            r.accept(), [](auto* s, auto&&... a) { s->AcceptOffer(a...); }, std::move(answered));
        break;
      case v1::AgentRequest::kComplete:
        unary<v1::CompleteRequest>(
            r.complete(), [](auto* s, auto&&... a) { s->CompleteInteraction(a...); },
            std::move(answered));
        break;
      default:
        unary<v1::OfferRequest>(
            r.end_wrap_up(), [](auto* s, auto&&... a) { s->EndWrapUp(a...); }, std::move(answered));
        break;
    }
  }

  // One unary AgentService call; `answered(status, answered_ns)` runs on the driver.
  // `method` picks the RPC: [](auto* stub, auto&&... args) { stub->Login(args...); }.
  template <class Request, class Method, class Answered>
  void unary(const Request& request, Method method, Answered answered) {
    auto call = std::make_unique<Call<Request, v1::AgentStatus>>();
    call->request = request;
    prepare(call->context, login_.token);
    auto* c = call.release();
    run_.rpc_started();
    method(stub_->async(), &c->context, &c->request, &c->response,
           [this, c, answered = std::move(answered)](grpc::Status status) mutable {
             const int64_t at = now_ns();
             asio::post(driver_.io,
                        [call = std::unique_ptr<Call<Request, v1::AgentStatus>>(c), status, at,
                         answered = std::move(answered)]() mutable { answered(status, at); });
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

  // Login NOT_READY. Unary: then StreamWork, READY on its first status. Stream: on the session
  // (opened first) or the link; READY once the Login is answered (the stream is the agent's).
  void log_in() {
    if (session_) open_session();
    v1::AgentRequest r;
    r.mutable_login()->set_agent(login_.name);
    r.mutable_login()->set_ready(false);
    const bool streamed = session_ != nullptr || link_ != nullptr;
    request(std::move(r), [this, streamed](int64_t, int64_t) {
      if (streamed) {
        registered();
      } else {
        open_stream();
      }
    });
  }

  // --api stream: the desktop's AgentSession. When it ends before the run does (a failover:
  // through HAProxy the next one reaches the new active), a new one is opened after a backoff,
  // the agent logs in on it (routerd answers OK for an agent still logged in, its work kept),
  // goes READY again if it was, and what failed meanwhile is sent again.
  void make_session() {
    session_ = std::make_unique<AgentStreamClient>(run_, driver_, Rpc::kAgentSession,
                                                   /*windowed=*/false);
    session_->set_on_message([this](const v1::AgentSessionResponse& m, int64_t at) {
      if (m.has_work()) on_event(event_of(m.work(), at));
    });
    current_session_.store(session_.get(), std::memory_order_release);
  }
  void open_session() {
    if (run_.stopping()) return;
    session_->set_on_end([this](const grpc::Status&) { session_ended(); });
    session_->open(login_.token, [this](auto* context, auto* reactor) {
      stub_->async()->AgentSession(context, reactor);
    });
    if (!watching_stall_) {
      watching_stall_ = true;
      watch_stall();
    }
  }
  // A session with requests out and nothing read for --stall-s is given up and reopened on a
  // new connection, as a gateway's stream is (counted as an AgentSession DEADLINE_EXCEEDED
  // error): its unanswered requests fail over and are sent again after the new Login.
  void watch_stall() {
    stall_timer_.expires_after(std::chrono::milliseconds(250));
    stall_timer_.async_wait([this](const std::error_code& ec) {
      if (ec || run_.stopping()) return;
      if (session_ && session_->stalled(now_ns(), stall_limit(run_.options()))) {
        driver_.figures.error(Rpc::kAgentSession, grpc::StatusCode::DEADLINE_EXCEEDED,
                              stall_text(run_.options(), "session"));
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
        old_stubs_.push_back(std::move(stub_));
        stub_ = v1::AgentService::NewStub(run_.fresh_channel());
        session_->abandon();
        session_ended();
      }
      watch_stall();
    });
  }
  void session_ended() {
    if (run_.stopping()) return;
    retired_.push_back(std::move(session_));  // posts nothing more; kept until the end
    make_session();
    run_after(driver_.io, failover_backoff(reopen_attempt_++), [this] { log_in_again(); });
  }
  void log_in_again() {
    if (run_.stopping()) return;
    // What the old stream showed ASSIGNED may not have outlived its routerd (the update goes out
    // before the change is journaled; only the answer waits for it): only what the new stream
    // shows counts as taking effect (docs/availability.md, "What to retry").
    for (auto& [id, assigned] : in_hand_) assigned = false;
    open_session();
    v1::AgentRequest r;
    r.mutable_login()->set_agent(login_.name);
    r.mutable_login()->set_ready(false);
    request(std::move(r), [this](int64_t, int64_t) {
      reopen_attempt_ = 0;
      if (!ready_requested_) {
        // The first session ended before its Login was answered (HAProxy sent it to a standby
        // that had not failed its first check yet): this is the agent's first login.
        registered();
      } else if (work_started_) {
        // routerd kept the agent's state across the takeover; READY again in case it was not
        // (its desktop was gone past the grace period, or an offer it missed made it NOT_READY).
        go_ready(/*count=*/false);
      }
      auto waiting = std::move(deferred_);
      deferred_.clear();
      for (auto& task : waiting) task();
    });
  }
  // A request that failed over runs again: after the session is back (and logged in), or after
  // a backoff when its stream is still up (routerd itself answered UNAVAILABLE).
  void retry_later(std::function<void()> task, int attempt) {
    if (session_ && (session_->closed() || !session_->opened())) {
      deferred_.push_back(std::move(task));
      return;
    }
    run_after(driver_.io, failover_backoff(attempt), std::move(task));
  }

  // The agent's events reach this desktop: READY now, or at the warm-up's end.
  void registered() {
    ready_requested_ = true;
    work_started_ = !run_.options().ready_after_warmup;
    if (run_.options().ready_after_warmup) {
      run_.agents_ready.fetch_add(1, std::memory_order_relaxed);  // logged in, NOT_READY
    } else {
      go_ready(/*count=*/true);
    }
  }

  void open_stream() {
    v1::StreamWorkRequest request;
    request.set_agent(login_.name);
    if (!login_.token.empty()) stream_context_.AddMetadata("authorization", bearer(login_.token));
    stream_request_ = request;
    stub_->async()->StreamWork(&stream_context_, &stream_request_, this);
    stream_started_.store(true, std::memory_order_release);
    StartRead(&event_);
    StartCall();
  }

  void accept(const std::string& id) {
    v1::AgentRequest r;
    r.mutable_accept()->set_agent(login_.name);
    r.mutable_accept()->set_interaction_id(id);
    request(std::move(r), [this, id](int64_t sent, int64_t at) {
      if (run_.measuring()) {
        ++driver_.figures.accepted;
        driver_.figures.accept_ack.record(nanoseconds(at - sent));
      }
      after(run_.options().handle, [this, id] { complete(id); });
    });
  }

  void complete(const std::string& id) {
    v1::AgentRequest r;
    r.mutable_complete()->set_agent(login_.name);
    r.mutable_complete()->set_interaction_id(id);
    r.mutable_complete()->set_wrap_up_code("resolved");
    request(std::move(r), [this, id](int64_t sent, int64_t at) {
      Figures& f = driver_.figures;
      ++f.completed_total;
      run_.progress_completed.fetch_add(1, std::memory_order_relaxed);
      if (run_.measuring()) {
        ++f.completed;
        f.complete_ack.record(nanoseconds(at - sent));
      }
      run_.finished(id);
      after(run_.options().wrap_up, [this, id] { end_wrap_up(id); });
    });
  }

  void end_wrap_up(const std::string& id) {
    v1::AgentRequest r;
    r.mutable_end_wrap_up()->set_agent(login_.name);
    r.mutable_end_wrap_up()->set_interaction_id(id);
    request(std::move(r), [](int64_t, int64_t) {});
  }

  // Runs `task` on the driver after a time drawn from `spread` (at once when it is zero).
  template <class Task>
  void after(const Spread& spread, Task task) {
    if (spread.max_ms <= 0) {
      task();
      return;
    }
    const double ms = std::uniform_real_distribution<double>(spread.min_ms, spread.max_ms)(rng_);
    run_after(
        driver_.io,
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms)),
        std::move(task));
  }

  Run& run_;
  Driver& driver_;
  const AgentLogin& login_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
  std::vector<std::unique_ptr<v1::AgentService::Stub>> old_stubs_;  // of stalled connections
  // Interactions offered or assigned to this agent, from the offer to the end of wrap-up;
  // true once assigned (accept answered, or an update showed it).
  std::unordered_map<std::string, bool> in_hand_;
  bool ready_pending_ = false;  // a READY after a NOT_READY status is on its way
  asio::steady_timer stall_timer_{driver_.io};
  bool watching_stall_ = false;
  std::mt19937_64 rng_;
  AgentStreamClient* const link_;                            // --agent-link: the link serving it
  std::unique_ptr<AgentStreamClient> session_;               // --api stream: its AgentSession
  std::vector<std::unique_ptr<AgentStreamClient>> retired_;  // sessions that ended before the run
  std::vector<std::function<void()>> deferred_;  // retries waiting for the session to be back
  int reopen_attempt_ = 0;                       // since the last Login answered on a session
  std::atomic<AgentStreamClient*> current_session_{nullptr};  // session_, for other threads
  bool work_started_ = false;           // READY was asked for (or is at the warm-up's end)
  grpc::ClientContext stream_context_;  // the unary API's StreamWork
  v1::StreamWorkRequest stream_request_;
  v1::WorkEvent event_;  // the read buffer, gRPC's threads only
  std::atomic<bool> stream_started_{false};
  bool ready_requested_ = false;
  int holding_ = 0;  // offers read and not yet through EndWrapUp (or failed)
  std::atomic<bool> stopped_{false};
  std::atomic<bool> done_{false};
};

// One AgentLink (--agent-link): its desktops' requests and events on one stream, opened with
// the link's token when its first desktop logs in. Stands in the run's agent list for the stream
// itself: cancel_stream() ends it, done() says it is over; the rest is its desktops'.
class AgentLinkStream final : public AgentBase {
 public:
  AgentLinkStream(Run& run, Driver& driver, std::shared_ptr<grpc::Channel> channel,
                  std::string token)
      : driver_(driver),
        stub_(v1::AgentService::NewStub(channel)),
        token_(std::move(token)),
        client_(run, driver, Rpc::kAgentLink, /*windowed=*/false) {
    client_.set_on_message([this](const v1::AgentSessionResponse& m, int64_t at) {
      if (!m.has_work()) return;
      auto it = desktops_.find(m.agent());
      if (it != desktops_.end()) it->second->on_event(event_of(m.work(), at));
    });
  }

  // Before the run starts.
  void add(AgentDesktop* desktop) { desktops_.emplace(desktop->name(), desktop); }
  // On the driver, before the first desktop's Login.
  AgentStreamClient* client() { return &client_; }
  void open() {
    client_.open(token_, [this](auto* context, auto* reactor) {
      stub_->async()->AgentLink(context, reactor);
    });
  }

  void start() override {}
  void stop() override {}
  bool stopped() const override { return true; }
  void start_work() override {}
  void cancel_stream() override { client_.cancel(); }
  bool done() const override { return client_.done(); }
  Driver& driver() override { return driver_; }
  std::string describe() const override { return "agent link: " + client_.describe(now_ns()); }

 private:
  Driver& driver_;
  const std::unique_ptr<v1::AgentService::Stub> stub_;
  const std::string token_;
  AgentStreamClient client_;
  std::unordered_map<std::string, AgentDesktop*> desktops_;
};

}  // namespace

std::unique_ptr<AgentBase> make_agent(Run& run, Driver& driver, size_t index,
                                      std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<AgentDesktop>(run, driver, index, std::move(channel), nullptr);
}

void make_linked_agents(Run& run, const std::vector<Driver*>& drivers, size_t agents,
                        const std::vector<size_t>& link_of,
                        const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                        std::vector<std::unique_ptr<AgentBase>>& out) {
  // One link per used token, each on its own driver and connection; its desktops on its driver.
  std::unordered_map<size_t, AgentLinkStream*> links;
  std::vector<std::unique_ptr<AgentBase>> link_objects;
  for (size_t a = 0; a < agents; ++a) {
    const size_t l = link_of[a];
    if (links.count(l) == 0) {
      const size_t n = links.size();
      const std::string token = l < run.center().links.size() ? run.center().links[l].token : "";
      auto link = std::make_unique<AgentLinkStream>(run, *drivers[n % drivers.size()],
                                                    channels[n % channels.size()], token);
      links.emplace(l, link.get());
      link_objects.push_back(std::move(link));
    }
  }
  std::unordered_map<AgentLinkStream*, Driver*> driver_of;
  for (size_t i = 0; i < link_objects.size(); ++i) {
    driver_of[static_cast<AgentLinkStream*>(link_objects[i].get())] = drivers[i % drivers.size()];
  }
  for (size_t a = 0; a < agents; ++a) {
    AgentLinkStream* link = links.at(link_of[a]);
    Driver& driver = *driver_of.at(link);
    auto desktop = std::make_unique<AgentDesktop>(run, driver, a, channels[0], link->client());
    link->add(desktop.get());
    out.push_back(std::move(desktop));
  }
  // The links open before any desktop logs in (posted first on their drivers).
  for (auto& l : link_objects) {
    auto* link = static_cast<AgentLinkStream*>(l.get());
    asio::post(driver_of.at(link)->io, [link] { link->open(); });
    out.push_back(std::move(l));
  }
}

}  // namespace router::load::detail
