// Simulated gateways and agent desktops on Asio driver threads, over gRPC's callback API
// (load.h).
#include "tools/routerload/load.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"
#include "router/v1/router.grpc.pb.h"
#include "tools/center/customers.h"

namespace router::load {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

constexpr char kSentAttribute[] = "routerload_t0";
constexpr auto kRpcDeadline = std::chrono::seconds(30);
constexpr auto kRetryAfterError = std::chrono::milliseconds(20);
constexpr auto kRetryFill = std::chrono::milliseconds(2);
constexpr size_t kAgentsPerChannel = 1000;  // StreamWork calls per HTTP/2 connection
constexpr size_t kMaxAgentChannels = 16;
constexpr auto kMaxRamp = std::chrono::seconds(300);

int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

// One driver thread: an io_context and the figures of what it owns.
struct Driver {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  Figures figures;
  std::thread thread;
};

class Run;

// A unary call in flight: what gRPC needs alive until the callback, and when it was sent.
template <class Request, class Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  int64_t sent_ns = 0;
};

// Shared by every gateway and agent of a run.
class Run {
 public:
  Run(const LoadOptions& options, const Center& center, const std::vector<CustomerKeys>& keys);
  engine::Result<Report> execute();

  const LoadOptions& options() const { return options_; }
  const Center& center() const { return center_; }
  const std::vector<CustomerKeys>& customers() const { return customers_; }
  const std::string& id_prefix() const { return id_prefix_; }
  bool measuring() const { return measuring_.load(std::memory_order_relaxed); }
  bool submitting() const { return submitting_.load(std::memory_order_relaxed); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  bool cancelling() const { return cancelling_.load(std::memory_order_relaxed); }

  // A submit may start: false past --count. Counts it.
  bool take_submit() {
    const uint64_t n = issued_.fetch_add(1, std::memory_order_relaxed);
    if (options_.count > 0 && n >= options_.count) {
      submitting_.store(false, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  bool take_inflight() {
    if (inflight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_inflight) {
      inflight_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release_inflight() { inflight_.fetch_sub(1, std::memory_order_relaxed); }

  // Every RPC started goes through these, so teardown can wait for the last callback.
  void rpc_started() { rpcs_pending_.fetch_add(1, std::memory_order_relaxed); }
  void rpc_finished() { rpcs_pending_.fetch_sub(1, std::memory_order_acq_rel); }

  // Progress counters (relaxed; only for the progress line and the drain).
  std::atomic<int64_t> live{0};  // submitted (or being submitted), not completed or cancelled
  std::atomic<uint64_t> progress_submitted{0};
  std::atomic<uint64_t> progress_completed{0};
  std::atomic<uint64_t> progress_errors{0};
  std::atomic<size_t> agents_ready{0};
  // Offers read and not yet through EndWrapUp (or failed): the end waits for these before the
  // agents log out, so a wrap-up timer still running is not cut short.
  std::atomic<int64_t> held{0};

  void finished(const std::string& interaction_id);  // posted to the submitting gateway

 private:
  friend class Gateway;
  friend class AgentDesktop;
  std::shared_ptr<grpc::Channel> make_channel(int index) const;
  void progress_line(double elapsed_s, const char* phase, bool final_line);
  bool wait_until(const std::function<bool()>& done, double timeout_s, const char* phase,
                  Clock::time_point started);

  const LoadOptions options_;
  const Center& center_;
  const std::vector<CustomerKeys>& customers_;
  std::string id_prefix_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::unique_ptr<class Gateway>> gateways_;
  std::vector<std::unique_ptr<class AgentDesktop>> agents_;
  std::atomic<bool> measuring_{false};
  std::atomic<bool> submitting_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cancelling_{false};  // the end cancels what is still live
  std::atomic<uint64_t> issued_{0};
  std::atomic<size_t> inflight_{0};
  std::atomic<int64_t> rpcs_pending_{0};
  bool tty_ = false;
  double last_line_s_ = -1;
};

std::string bearer(const std::string& token) { return "Bearer " + token; }

void prepare(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", bearer(token));
  context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
}

// ---------------------------------------------------------------------------------------------

class Gateway {
 public:
  Gateway(Run& run, Driver& driver, size_t index, std::shared_ptr<grpc::Channel> channel,
          size_t target_live, double rate)
      : run_(run),
        driver_(driver),
        index_(index),
        stub_(v1::InteractionService::NewStub(channel)),
        target_live_(target_live),
        rate_(rate),
        rng_(run.options().seed * 1'000'003 + index) {
    double total = 0;
    for (size_t c = 0; c < kChannels; ++c) {
      if (!run.center().doors[c].empty()) total += run.options().mix[c];
    }
    double acc = 0;
    for (size_t c = 0; c < kChannels; ++c) {
      if (!run.center().doors[c].empty()) acc += run.options().mix[c];
      cumulative_mix_[c] = total > 0 ? acc / total : 0;
    }
  }

  void start() {
    asio::post(driver_.io, [this] {
      if (rate_ > 0) {
        next_arrival_ = Clock::now() + gap();
        schedule_arrival();
      } else {
        fill();
      }
    });
  }

  // On the driver: one of this gateway's interactions was completed by an agent.
  void finished(uint64_t seq) {
    if (live_.erase(seq) == 0) return;
    run_.live.fetch_sub(1, std::memory_order_relaxed);
    if (rate_ <= 0) fill();
  }

  // On the driver, after the drain: cancel what is still live (a copy: answers erase from live_).
  void cancel_live() {
    const std::vector<uint64_t> seqs(live_.begin(), live_.end());
    for (uint64_t seq : seqs) cancel(seq);
  }

  Driver& driver() { return driver_; }

 private:
  using SubmitCall = Call<v1::SubmitInteractionRequest, v1::SubmitInteractionResponse>;
  using CancelCall = Call<v1::CancelInteractionRequest, v1::CancelInteractionResponse>;

  void fill() {
    while (run_.submitting() && live_.size() < target_live_) {
      if (!run_.take_inflight()) {
        // Other gateways hold every --max-inflight slot. This one may have nothing in flight to
        // call it back, so it looks again shortly.
        if (!retry_armed_) {
          retry_armed_ = true;
          retry_.expires_after(kRetryFill);
          retry_.async_wait([this](const std::error_code& ec) {
            retry_armed_ = false;
            if (!ec) fill();
          });
        }
        return;
      }
      if (!run_.take_submit()) {
        run_.release_inflight();
        return;
      }
      submit();
    }
  }

  Clock::duration gap() {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::exponential_distribution<double>(rate_)(rng_)));
  }

  void schedule_arrival() {
    if (!run_.submitting()) return;
    timer_.expires_at(next_arrival_);
    timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) arrive_due();
    });
  }

  // Every arrival already due goes now: under load the timer fires late, and an open loop does
  // not slow down because the server does.
  void arrive_due() {
    while (run_.submitting() && next_arrival_ <= Clock::now()) {
      if (!run_.take_submit()) return;
      if (run_.take_inflight()) {
        submit();
      } else {
        ++driver_.figures.throttled;
      }
      next_arrival_ += gap();
    }
    schedule_arrival();
  }

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  size_t pick_channel() {
    const double u = uniform();
    for (size_t c = 0; c < kChannels; ++c) {
      if (u < cumulative_mix_[c]) return c;
    }
    return kChannels - 1;
  }

  std::string anonymous_number() {
    static constexpr const char* kAreas[] = {"646", "305", "702", "971", "480"};
    char buf[32];
    std::snprintf(buf, sizeof buf, "+1%s55502%02zu", kAreas[pick(5)], pick(100));
    return buf;
  }

  void build(v1::SubmitInteractionRequest& r, uint64_t seq) {
    const size_t c = pick_channel();
    const auto& doors = run_.center().doors[c];
    const std::string& door = doors[pick(doors.size())];
    const CustomerKeys* known = nullptr;
    if (!run_.customers().empty() && uniform() < run_.options().known_share) {
      known = &run_.customers()[pick(run_.customers().size())];
    }
    r.set_interaction_id(run_.id_prefix() + std::to_string(index_) + "-" + std::to_string(seq));
    r.set_channel(kChannelOrder[c]);
    (*r.mutable_attributes())["source"] = "routerload";
    switch (kChannelOrder[c]) {
      case v1::PHONE: {
        auto* p = r.mutable_phone();
        p->set_ani(known != nullptr && !known->phone.empty() ? known->phone : anonymous_number());
        p->set_dnis(door);
        p->set_ivr_path("main");
        p->set_language("en");
        break;
      }
      case v1::EMAIL: {
        auto* e = r.mutable_email();
        if (known != nullptr && !known->email.empty()) {
          e->set_from(known->email);
        } else {
          e->set_from("guest" + std::to_string(pick(100'000)) + "@mail.example.org");
        }
        e->set_to_mailbox(door);
        e->set_subject("Question about my invoice");
        e->set_message_id(r.interaction_id() + "@load.example.net");
        break;
      }
      default: {
        auto* w = r.mutable_web();
        if (known != nullptr && !known->account.empty()) w->set_account_id(known->account);
        if (known != nullptr && !known->visitor.empty()) w->set_visitor_id(known->visitor);
        if (w->visitor_id().empty() && w->account_id().empty()) {
          w->set_visitor_id("v-anon-" + std::to_string(rng_() >> 33));
        }
        w->set_topic(door);
        w->set_page_url("https://www.example.com/" + door);
        if (kChannelOrder[c] == v1::WEB_CHAT) {
          w->set_kind(v1::WebDetails::CHAT);
        } else {
          w->set_kind(v1::WebDetails::CALLBACK);
          w->set_callback_number(known != nullptr && !known->phone.empty() ? known->phone
                                                                           : anonymous_number());
        }
        break;
      }
    }
  }

  void submit() {
    const uint64_t seq = next_seq_++;
    auto call = std::make_unique<SubmitCall>();
    build(call->request, seq);
    prepare(call->context, run_.center().gateway_token);
    live_.insert(seq);
    run_.live.fetch_add(1, std::memory_order_relaxed);
    call->sent_ns = now_ns();
    (*call->request.mutable_attributes())[kSentAttribute] = std::to_string(call->sent_ns);
    SubmitCall* c = call.release();
    run_.rpc_started();
    stub_->async()->SubmitInteraction(
        &c->context, &c->request, &c->response, [this, c, seq](grpc::Status status) {
          const int64_t at = now_ns();
          asio::post(driver_.io, [this, call = std::unique_ptr<SubmitCall>(c), seq, status, at] {
            submitted(*call, seq, status, at);
          });
          run_.rpc_finished();
        });
  }

  void submitted(const SubmitCall& call, uint64_t seq, const grpc::Status& status, int64_t at) {
    run_.release_inflight();
    Figures& f = driver_.figures;
    const bool window = run_.measuring();
    if (window) ++f.rpcs;
    if (status.ok()) {
      ++f.submitted_total;
      run_.progress_submitted.fetch_add(1, std::memory_order_relaxed);
      if (window) {
        ++f.submitted;
        f.submit_ack.record(nanoseconds(at - call.sent_ns));
      }
      if (rate_ <= 0) fill();
      return;
    }
    f.error(Rpc::kSubmit, status.error_code(), status.error_message());
    run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
    if (live_.erase(seq) > 0) run_.live.fetch_sub(1, std::memory_order_relaxed);
    if (rate_ <= 0 && run_.submitting()) {
      // Not at once: a refusing routerd would be hammered in a tight loop.
      auto timer = std::make_shared<asio::steady_timer>(driver_.io, kRetryAfterError);
      timer->async_wait([this, timer](const std::error_code& ec) {
        if (!ec) fill();
      });
    }
  }

  void cancel(uint64_t seq) {
    auto call = std::make_unique<CancelCall>();
    call->request.set_interaction_id(run_.id_prefix() + std::to_string(index_) + "-" +
                                     std::to_string(seq));
    call->request.set_reason("routerload_drain");
    prepare(call->context, run_.center().gateway_token);
    CancelCall* c = call.release();
    run_.rpc_started();
    stub_->async()->CancelInteraction(
        &c->context, &c->request, &c->response, [this, c, seq](grpc::Status status) {
          asio::post(driver_.io, [this, call = std::unique_ptr<CancelCall>(c), seq, status] {
            ++driver_.figures.rpcs;
            if (status.ok()) {
              ++driver_.figures.cancelled_at_end;
              if (live_.erase(seq) > 0) run_.live.fetch_sub(1, std::memory_order_relaxed);
            } else if (status.error_code() != grpc::FAILED_PRECONDITION) {
              // FAILED_PRECONDITION: an agent holds it and will complete it.
              driver_.figures.error(Rpc::kCancel, status.error_code(), status.error_message());
            }
          });
          run_.rpc_finished();
        });
  }

  Run& run_;
  Driver& driver_;
  const size_t index_;
  const std::unique_ptr<v1::InteractionService::Stub> stub_;
  const size_t target_live_;
  const double rate_;
  std::mt19937_64 rng_;
  std::array<double, kChannels> cumulative_mix_{};
  asio::steady_timer timer_{driver_.io};
  asio::steady_timer retry_{driver_.io};
  bool retry_armed_ = false;
  Clock::time_point next_arrival_;
  uint64_t next_seq_ = 1;
  std::unordered_set<uint64_t> live_;  // sequence numbers submitted and not yet finished
};

// ---------------------------------------------------------------------------------------------

class AgentDesktop : public grpc::ClientReadReactor<v1::WorkEvent> {
 public:
  AgentDesktop(Run& run, Driver& driver, size_t index, std::shared_ptr<grpc::Channel> channel)
      : run_(run),
        driver_(driver),
        login_(run.center().agents[index]),
        stub_(v1::AgentService::NewStub(channel)),
        rng_(run.options().seed * 2'000'003 + index) {}

  void start() {
    asio::post(driver_.io, [this] { log_in(); });
  }

  // From any thread, at the end: log out (the server ends the stream), then cancel it.
  void stop() {
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
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
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
  void start_work() {
    asio::post(driver_.io, [this] { go_ready(/*count=*/false); });
  }

  void cancel_stream() {
    if (stream_started_) stream_context_.TryCancel();
  }
  bool done() const { return done_.load(std::memory_order_acquire); }

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

// ---------------------------------------------------------------------------------------------

Run::Run(const LoadOptions& options, const Center& center, const std::vector<CustomerKeys>& keys)
    : options_(options), center_(center), customers_(keys) {
  char prefix[32];
  const uint64_t unique =
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
      (options.seed * 0x9E3779B97F4A7C15ull);
  std::snprintf(prefix, sizeof prefix, "ld%08" PRIx64 "-",
                static_cast<uint64_t>(unique & 0xFFFFFFFFFFull));
  id_prefix_ = prefix;
  tty_ = isatty(STDERR_FILENO) != 0;
}

std::shared_ptr<grpc::Channel> Run::make_channel(int index) const {
  grpc::ChannelArguments args;
  // A channel argument of its own keeps gRPC from sharing one connection between channels.
  args.SetInt("routerload.channel", index);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  std::string error;  // run_load() has checked the TLS files
  return grpc::CreateCustomChannel(
      options_.target, client_tls::channel_credentials(options_.tls, args, error), args);
}

void Run::finished(const std::string& interaction_id) {
  // "<prefix><gateway>-<seq>"
  if (interaction_id.compare(0, id_prefix_.size(), id_prefix_) != 0) return;
  const char* p = interaction_id.c_str() + id_prefix_.size();
  char* end = nullptr;
  const unsigned long long g = std::strtoull(p, &end, 10);
  if (end == nullptr || *end != '-' || g >= gateways_.size()) return;
  const unsigned long long seq = std::strtoull(end + 1, nullptr, 10);
  Gateway* gateway = gateways_[g].get();
  asio::post(gateway->driver().io, [gateway, seq] { gateway->finished(seq); });
}

void Run::progress_line(double elapsed_s, const char* phase, bool final_line) {
  if (!options_.progress) return;
  if (!final_line && !tty_ && elapsed_s - last_line_s_ < 5) return;
  last_line_s_ = elapsed_s;
  std::fprintf(stderr,
               "%s[%6.1f s] %-8s submitted %" PRIu64 "  completed %" PRIu64 "  live %" PRId64
               "  agents ready %zu  errors %" PRIu64 "%s",
               tty_ ? "\r" : "", elapsed_s, phase, progress_submitted.load(),
               progress_completed.load(), live.load(), agents_ready.load(), progress_errors.load(),
               tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
}

bool Run::wait_until(const std::function<bool()>& done, double timeout_s, const char* phase,
                     Clock::time_point started) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    if (elapsed - last_line_s_ >= (tty_ ? 0.5 : 5)) progress_line(elapsed, phase, false);
  }
  return true;
}

engine::Result<Report> Run::execute() {
  const size_t threads = std::max<size_t>(1, options_.threads);
  for (size_t i = 0; i < threads; ++i) drivers_.push_back(std::make_unique<Driver>());
  for (auto& d : drivers_) d->thread = std::thread([io = &d->io] { io->run(); });

  const size_t agent_count = options_.agents == 0
                                 ? center_.agents.size()
                                 : std::min(options_.agents, center_.agents.size());
  const size_t gateway_count = std::max<size_t>(1, options_.gateways);
  int channel_index = 0;
  for (size_t g = 0; g < gateway_count; ++g) {
    const size_t share =
        options_.concurrency / gateway_count + (g < options_.concurrency % gateway_count ? 1 : 0);
    gateways_.push_back(std::make_unique<Gateway>(*this, *drivers_[g % threads], g,
                                                  make_channel(channel_index++), share,
                                                  options_.rate / gateway_count));
  }
  const size_t agent_channels =
      std::min(kMaxAgentChannels, (agent_count + kAgentsPerChannel - 1) / kAgentsPerChannel);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (size_t i = 0; i < std::max<size_t>(1, agent_channels); ++i) {
    channels.push_back(make_channel(channel_index++));
  }
  for (size_t a = 0; a < agent_count; ++a) {
    agents_.push_back(std::make_unique<AgentDesktop>(*this, *drivers_[a % threads], a,
                                                     channels[a % channels.size()]));
  }

  const auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  auto teardown = [&] {
    stopping_.store(true);
    submitting_.store(false);
    wait_until([&] { return held.load() <= 0; }, 10, "wrap-up", started);
    for (auto& a : agents_) a->stop();
    wait_until(
        [&] {
          for (auto& a : agents_) {
            if (!a->stopped()) return false;
          }
          return true;
        },
        10, "logout", started);
    for (auto& a : agents_) a->cancel_stream();
    wait_until(
        [&] {
          for (auto& a : agents_) {
            if (!a->done()) return false;
          }
          return rpcs_pending_.load() == 0;
        },
        10, "closing", started);
    for (auto& d : drivers_) d->guard.reset();
    for (auto& d : drivers_) {
      d->io.stop();
      d->thread.join();
    }
  };

  for (auto& a : agents_) a->start();
  if (!wait_until([&] { return agents_ready.load() == agent_count; }, options_.login_timeout_s,
                  "login", started)) {
    const size_t ready = agents_ready.load();
    teardown();
    return engine::failed_precondition(
        std::to_string(ready) + " of " + std::to_string(agent_count) +
        " agents went READY within " + std::to_string(static_cast<int>(options_.login_timeout_s)) +
        " s (is routerd at " + options_.target + " running this configuration?)");
  }

  // No warm-up: every interaction is measured, from the first submit.
  if (options_.warmup_s <= 0) measuring_.store(true);
  submitting_.store(true);
  const auto load_started = Clock::now();
  for (auto& g : gateways_) g->start();
  const auto warm =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.warmup_s));
  const auto measure = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.duration_s));
  // A closed loop is warm once it also holds its concurrency (a 115,000-deep backlog takes a
  // while to build); it gives up waiting for that after kMaxRamp and measures what it has.
  const bool closed_loop = options_.rate <= 0;
  const auto ramped = [&] {
    return !closed_loop ||
           live.load() >= static_cast<int64_t>(static_cast<double>(options_.concurrency) * 0.95);
  };
  bool warmed = options_.warmup_s <= 0;
  Clock::time_point window_start = load_started;
  while (submitting_.load()) {
    const auto now = Clock::now();
    if (!warmed && now - load_started >= warm &&
        (ramped() || now - load_started >= warm + kMaxRamp)) {
      warmed = true;
      window_start = now;
      measuring_.store(true);
      if (options_.ready_after_warmup) {
        for (auto& a : agents_) a->start_work();
      }
    }
    if (warmed && options_.count == 0 && now - window_start >= measure) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (elapsed() - last_line_s_ >= (tty_ ? 0.5 : 5)) {
      progress_line(elapsed(), warmed ? "load" : "warm-up", false);
    }
  }
  submitting_.store(false);
  auto window_end = Clock::now();
  if (!warmed) window_start = window_end;
  // A duration run measures the steady state: its window closes when the submits stop, and the
  // drain that follows is left out. A count run measures those interactions, drain included.
  const bool count_run = options_.count > 0;
  if (!count_run) measuring_.store(false);

  wait_until([&] { return live.load() == 0; }, options_.drain_s, "drain", started);
  if (live.load() > 0) {
    cancelling_.store(true);
    for (auto& g : gateways_) {
      Gateway* gw = g.get();
      asio::post(gw->driver().io, [gw] { gw->cancel_live(); });
    }
    wait_until([&] { return live.load() == 0; }, 60, "cancel", started);
  }
  if (count_run) {
    measuring_.store(false);
    window_end = Clock::now();
  }
  const int64_t unfinished = live.load();
  const double run_s = elapsed();
  progress_line(run_s, "done", true);
  teardown();

  Report report;
  report.label = options_.label.empty() ? options_.target : options_.label;
  report.window_s = std::chrono::duration<double>(window_end - window_start).count();
  report.run_s = run_s;
  for (auto& d : drivers_) report.figures.merge(d->figures);
  report.figures.unfinished = static_cast<uint64_t>(std::max<int64_t>(0, unfinished));
  return report;
}

}  // namespace

engine::Result<Center> center_from_config(const adapters::config::RoutingModel& model) {
  center::Center found = center::center_from_config(model);
  if (found.gateway_token.empty() && !found.dev_no_auth) {
    return engine::invalid_argument("auth.tokens: no GATEWAY token to submit with");
  }
  if (!found.agents_without_token.empty()) {
    return engine::invalid_argument("auth.tokens: no AGENT token for agent \"" +
                                    found.agents_without_token.front() + "\"");
  }
  Center center;
  center.gateway_token = std::move(found.gateway_token);
  center.agents = std::move(found.agents);
  size_t doors = 0;
  for (size_t c = 0; c < kChannels; ++c) {
    doors += found.open_addresses[c].size();
    center.doors[c] = std::move(found.open_addresses[c]);
  }
  if (doors == 0) {
    return engine::invalid_argument(
        "entry_points: none with an address and without intent or language to submit to");
  }
  if (center.agents.empty()) return engine::invalid_argument("agents: none to log in");
  return center;
}

engine::Result<std::vector<CustomerKeys>> read_customer_keys(const std::string& path,
                                                             size_t limit) {
  std::vector<CustomerKeys> keys;
  center::CustomerFileRead options;  // region "US", rejected records skipped
  options.limit = limit;
  const engine::Status read =
      center::read_customer_file(path, options, [&](const adapters::channels::CustomerEntry& e) {
        CustomerKeys k;
        if (!e.phones.empty()) k.phone = e.phones.front();
        if (!e.emails.empty()) k.email = e.emails.front();
        if (!e.web_visitors.empty()) k.visitor = e.web_visitors.front();
        if (!e.web_accounts.empty()) k.account = e.web_accounts.front();
        keys.push_back(std::move(k));
      });
  if (!read.ok()) return read.error();
  return keys;
}

engine::Result<Report> run_load(const LoadOptions& options, const Center& center,
                                const std::vector<CustomerKeys>& customers) {
  grpc::ChannelArguments args;
  std::string tls_error;
  if (!client_tls::channel_credentials(options.tls, args, tls_error)) {
    return engine::invalid_argument(tls_error);
  }
  Run run(options, center, customers);
  return run.execute();
}

}  // namespace router::load
