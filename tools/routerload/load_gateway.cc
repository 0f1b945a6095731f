// routerload's simulated gateways (load_internal.h): submits, closed or open loop, and the
// cancels at the end.
#include <grpcpp/grpcpp.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <unordered_set>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/load_internal.h"
#include "tools/routerload/load_stream.h"

namespace router::load::detail {
namespace {

class Gateway final : public GatewayBase {
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
    if (run.options().api == Api::kStream) {
      stream_ = std::make_unique<GatewayStreamClient>(run, driver, Rpc::kGatewayStream,
                                                      /*windowed=*/true);
    }
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

  void start() override {
    asio::post(driver_.io, [this] {
      if (stream_) {
        open_stream();
        watch_stall();
      }
      if (rate_ > 0) {
        next_arrival_ = Clock::now() + gap();
        schedule_arrival();
      } else {
        fill();
      }
    });
  }

  // On the driver: one of this gateway's interactions was completed by an agent.
  void finished(uint64_t seq) override {
    if (live_.erase(seq) == 0) return;
    run_.live.fetch_sub(1, std::memory_order_relaxed);
    if (rate_ <= 0) fill();
  }

  // On the driver, after the drain: cancel what is still live (a copy: answers erase from live_).
  void cancel_live() override {
    const std::vector<uint64_t> seqs(live_.begin(), live_.end());
    for (uint64_t seq : seqs) cancel(seq);
  }

  Driver& driver() override { return driver_; }

  // From any thread (after Run::stopping() is set, so no stream is opened again).
  void close() override {
    asio::post(driver_.io, [this] {
      if (stream_) stream_->cancel();
    });
  }
  bool closed() const override {
    const GatewayStreamClient* s = current_.load(std::memory_order_acquire);
    return s == nullptr || s->done();
  }
  std::string describe() const override {
    std::string text = "gateway " + std::to_string(index_) + ": ";
    text += stream_ ? "stream " + stream_->describe(now_ns()) : "unary";
    size_t retired_open = 0;
    for (const auto& r : retired_) retired_open += r->done() ? 0 : 1;
    return text + ", " + std::to_string(retired_open) + " earlier streams not done, " +
           std::to_string(live_.size()) + " live";
  }

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
    v1::SubmitInteractionRequest request;
    build(request, seq);
    live_.insert(seq);
    run_.live.fetch_add(1, std::memory_order_relaxed);
    const int64_t sent = now_ns();
    (*request.mutable_attributes())[kSentAttribute] = std::to_string(sent);
    send_submit(seq, std::move(request), sent, 0);
  }

  // One attempt at a submit; a failed attempt that may not have reached the active routerd is
  // sent again, the same request (idempotent on its interaction_id).
  void send_submit(uint64_t seq, v1::SubmitInteractionRequest request, int64_t sent, int attempt) {
    if (stream_) {
      v1::GatewayRequest r;
      *r.mutable_submit() = request;  // the copy a retry needs
      stream_->send(std::move(r), [this, seq, sent, attempt, request = std::move(request)](
                                      const grpc::Status& status, const v1::GatewayResponse&,
                                      int64_t at) mutable {
        submitted(sent, seq, status, at, std::move(request), attempt);
      });
      return;
    }
    auto call = std::make_unique<SubmitCall>();
    call->request = std::move(request);
    call->sent_ns = sent;
    prepare(call->context, run_.center().gateway_token);
    SubmitCall* c = call.release();
    run_.rpc_started();
    stub_->async()->SubmitInteraction(
        &c->context, &c->request, &c->response, [this, c, seq, attempt](grpc::Status status) {
          const int64_t at = now_ns();
          asio::post(driver_.io,
                     [this, call = std::unique_ptr<SubmitCall>(c), seq, status, at, attempt] {
                       submitted(call->sent_ns, seq, status, at, std::move(call->request), attempt);
                     });
          run_.rpc_finished();
        });
  }

  void submitted(int64_t sent_ns, uint64_t seq, const grpc::Status& status, int64_t at,
                 v1::SubmitInteractionRequest request, int attempt) {
    Figures& f = driver_.figures;
    const bool window = run_.measuring();
    if (window) ++f.rpcs;
    if (status.ok()) {
      run_.release_inflight();
      reopen_attempt_ = 0;
      ++f.submitted_total;
      run_.progress_submitted.fetch_add(1, std::memory_order_relaxed);
      if (window) {
        ++f.submitted;
        f.submit_ack.record(nanoseconds(at - sent_ns));
      }
      if (rate_ <= 0) fill();
      return;
    }
    f.error(Rpc::kSubmit, status.error_code(), status.error_message());
    run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
    if (failover_code(status.error_code()) && !run_.cancelling() && !run_.stopping()) {
      // It may have been journaled before the active failed, or not: the same request again
      // (it keeps its --max-inflight slot and its place in the live count).
      run_after(driver_.io, failover_backoff(attempt),
                [this, seq, sent_ns, attempt, request = std::move(request)]() mutable {
                  send_submit(seq, std::move(request), sent_ns, attempt + 1);
                });
      return;
    }
    run_.release_inflight();
    if (live_.erase(seq) > 0) run_.live.fetch_sub(1, std::memory_order_relaxed);
    if (rate_ <= 0 && run_.submitting()) {
      // Not at once: a refusing routerd would be hammered in a tight loop.
      run_after(driver_.io, kRetryAfterError, [this] { fill(); });
    }
  }

  // --api stream: the GatewayStream, opened again after it ends before the run does (a
  // failover: through HAProxy the new one reaches the new active). Requests sent meanwhile wait
  // in the new stream's queue until it is open.
  void open_stream() {
    current_.store(stream_.get(), std::memory_order_release);
    if (run_.stopping()) return;  // not opened: done() says so
    stream_->set_on_end([this](const grpc::Status&) { stream_ended(); });
    stream_->open(run_.center().gateway_token, [this](auto* context, auto* reactor) {
      stub_->async()->GatewayStream(context, reactor);
    });
  }
  // A stream with requests out and nothing read for --stall-s is given up and reopened on a
  // new connection (counted as a GatewayStream DEADLINE_EXCEEDED error; docs/availability.md,
  // "The failover test"). Its unanswered submits are answered UNAVAILABLE and sent again.
  void watch_stall() {
    stall_timer_.expires_after(std::chrono::milliseconds(250));
    stall_timer_.async_wait([this](const std::error_code& ec) {
      if (ec || run_.stopping()) return;
      if (stream_ && stream_->stalled(now_ns(), stall_limit(run_.options()))) {
        driver_.figures.error(Rpc::kGatewayStream, grpc::StatusCode::DEADLINE_EXCEEDED,
                              stall_text(run_.options(), "stream"));
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
        old_stubs_.push_back(std::move(stub_));
        stub_ = v1::InteractionService::NewStub(run_.fresh_channel());
        stream_->abandon();
        stream_ended();
      }
      watch_stall();
    });
  }
  void stream_ended() {
    if (run_.stopping()) return;
    retired_.push_back(std::move(stream_));  // it posts nothing more, but stays until the end
    stream_ = std::make_unique<GatewayStreamClient>(run_, driver_, Rpc::kGatewayStream,
                                                    /*windowed=*/true);
    run_after(driver_.io, failover_backoff(reopen_attempt_++), [this] { open_stream(); });
  }

  void cancel(uint64_t seq) {
    v1::CancelInteractionRequest request;
    request.set_interaction_id(run_.id_prefix() + std::to_string(index_) + "-" +
                               std::to_string(seq));
    request.set_reason("routerload_drain");
    if (stream_) {
      v1::GatewayRequest r;
      *r.mutable_cancel() = std::move(request);
      stream_->send(std::move(r),
                    [this, seq](const grpc::Status& status, const v1::GatewayResponse&, int64_t) {
                      cancelled(seq, status);
                    });
      return;
    }
    auto call = std::make_unique<CancelCall>();
    call->request = std::move(request);
    prepare(call->context, run_.center().gateway_token);
    CancelCall* c = call.release();
    run_.rpc_started();
    stub_->async()->CancelInteraction(
        &c->context, &c->request, &c->response, [this, c, seq](grpc::Status status) {
          asio::post(driver_.io, [this, call = std::unique_ptr<CancelCall>(c), seq, status] {
            cancelled(seq, status);
          });
          run_.rpc_finished();
        });
  }

  void cancelled(uint64_t seq, const grpc::Status& status) {
    ++driver_.figures.rpcs;
    if (status.ok()) {
      ++driver_.figures.cancelled_at_end;
      if (live_.erase(seq) > 0) run_.live.fetch_sub(1, std::memory_order_relaxed);
    } else if (status.error_code() != grpc::FAILED_PRECONDITION) {
      // FAILED_PRECONDITION: an agent holds it and will complete it.
      driver_.figures.error(Rpc::kCancel, status.error_code(), status.error_message());
    }
  }

  Run& run_;
  Driver& driver_;
  const size_t index_;
  std::unique_ptr<v1::InteractionService::Stub> stub_;
  std::vector<std::unique_ptr<v1::InteractionService::Stub>> old_stubs_;  // of stalled connections
  const size_t target_live_;
  const double rate_;
  std::mt19937_64 rng_;
  std::array<double, kChannels> cumulative_mix_{};
  asio::steady_timer timer_{driver_.io};
  asio::steady_timer retry_{driver_.io};
  asio::steady_timer stall_timer_{driver_.io};
  bool retry_armed_ = false;
  Clock::time_point next_arrival_;
  uint64_t next_seq_ = 1;
  std::unordered_set<uint64_t> live_;            // sequence numbers submitted and not yet finished
  std::unique_ptr<GatewayStreamClient> stream_;  // --api stream: its GatewayStream
  std::vector<std::unique_ptr<GatewayStreamClient>> retired_;  // ended before the run did
  int reopen_attempt_ = 0;                                     // since the last answered submit
  std::atomic<const GatewayStreamClient*> current_{nullptr};   // stream_, for closed()
};

}  // namespace

std::unique_ptr<GatewayBase> make_gateway(Run& run, Driver& driver, size_t index,
                                          std::shared_ptr<grpc::Channel> channel,
                                          size_t target_live, double rate) {
  return std::make_unique<Gateway>(run, driver, index, std::move(channel), target_live, rate);
}

}  // namespace router::load::detail
