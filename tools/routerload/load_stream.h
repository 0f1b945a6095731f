// The client side of a session stream (GatewayStream, AgentSession, AgentLink), as routerload's
// gateways and desktops use it: requests queued on the owner's driver and written one at a time,
// each with a fresh correlation_id, never more unanswered than the window (a GatewayStream's
// FlowWindow: nothing is sent before it arrives); each answer goes back to the callback of its
// request, every other message to `on_message`. Internal to routerload.
// Threads: send(), open() and the callbacks run on the owner's driver; gRPC's threads only
// timestamp what they read and post it there. The stream holds a gRPC hold from open() until
// the driver has seen its read side end, so no write is started after the call is over.
#pragma once

#include <grpcpp/grpcpp.h>

#include <asio.hpp>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/load_internal.h"

namespace router::load::detail {

// How a response type carries answers and windows.
inline const v1::RequestResult* result_of(const v1::GatewayResponse& r) {
  return r.has_answer() ? &r.answer().result() : nullptr;
}
inline const v1::RequestResult* result_of(const v1::AgentSessionResponse& r) {
  return r.has_answer() ? &r.answer().result() : nullptr;
}
inline uint32_t window_of(const v1::GatewayResponse& r) {
  return r.has_window() ? r.window().max_in_flight() : 0;
}
inline uint32_t window_of(const v1::AgentSessionResponse&) { return 0; }

template <class Request, class Response>
class StreamClient final : public grpc::ClientBidiReactor<Request, Response> {
 public:
  // `status`: the answer's (its code and message); `response` the whole message.
  using Answer = std::function<void(const grpc::Status& status, const Response& response,
                                    int64_t answered_ns)>;
  using OnMessage = std::function<void(const Response& response, int64_t read_ns)>;
  using OnEnd = std::function<void(const grpc::Status& status)>;

  // `windowed`: wait for a FlowWindow and honour it (GatewayStream); else no bound.
  StreamClient(Run& run, Driver& driver, Rpc rpc, bool windowed)
      : run_(run), driver_(driver), rpc_(rpc), windowed_(windowed) {}

  void set_on_message(OnMessage on_message) { on_message_ = std::move(on_message); }
  // Runs on the driver once the call is over, after its unanswered requests were answered: the
  // owner may open a new stream (routerload reconnects through HAProxy after a failover). This
  // object must stay alive until then and must not be destroyed from inside `on_end`.
  void set_on_end(OnEnd on_end) { on_end_ = std::move(on_end); }

  // Starts the call (once, on the driver). `start(context, reactor)` is the stub's async call,
  // e.g. [&](auto* c, auto* r) { stub->async()->AgentSession(c, r); }.
  template <class Start>
  void open(const std::string& token, Start start) {
    if (opened_.exchange(true)) return;
    if (!token.empty()) context_.AddMetadata("authorization", bearer(token));
    last_read_ns_ = now_ns();
    start(&context_, this);
    this->AddHold();
    this->StartRead(&read_);
    this->StartCall();
  }
  bool opened() const { return opened_; }

  // Queues `request` with a new correlation_id; `answer` runs on the driver when it is answered
  // (or with the stream's status when the stream ends first).
  void send(Request request, Answer answer) {
    if (closed_) {  // the stream is over: answered as its unanswered requests were
      asio::post(driver_.io, [answer = std::move(answer)] {
        answer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended"), Response(),
               now_ns());
      });
      return;
    }
    const std::string id = std::to_string(next_id_++);
    request.set_correlation_id(id);
    pending_.emplace(id, std::move(answer));
    queue_.push_back(std::move(request));
    pump();
  }

  size_t unanswered() const { return unanswered_; }
  bool closed() const { return closed_; }  // the read side ended (on the driver)
  // On the driver: open, with requests waiting or unanswered, and nothing read for `limit`; or
  // its read side ended `limit` ago and the call never finished (after failovers through
  // HAProxy, a session was seen to stay so, its desktop silent until routerd's agent grace ran
  // out and its held work went to another agent).
  bool stalled(int64_t now, std::chrono::nanoseconds limit) const {
    if (!opened_ || abandoned_ || done()) return false;
    if (closed_) return now - closed_ns_ > limit.count();
    return (unanswered_ > 0 || !queue_.empty()) && now - last_read_ns_ > limit.count();
  }
  uint32_t window() const { return window_; }
  // On the driver: its state in a few words, for routerload's line about what did not end.
  std::string describe(int64_t now) const {
    if (!opened_) return "not opened";
    std::string text = done()       ? "done"
                       : abandoned_ ? "abandoned, not ended"
                       : closed_    ? "read side ended, not done"
                                    : "open";
    text += ", " + std::to_string(unanswered_) + " unanswered, " + std::to_string(queue_.size()) +
            " queued, last read " + std::to_string((now - last_read_ns_) / 1'000'000) + " ms ago";
    return text;
  }

  // From any thread: ends the call (the end of the run).
  void cancel() {
    if (opened_) context_.TryCancel();
  }
  // On the driver: gives up a call that stopped answering without waiting for it to end (after
  // failovers through HAProxy, a cancelled stream that had stalled was seen never to end): every
  // unanswered request is answered UNAVAILABLE now, nothing more is written or delivered, the
  // call is cancelled, and on_end is not called. Run::abandoned_calls counts it until gRPC ends
  // it; one that never ends keeps routerload from freeing the run at exit (load.cc).
  void abandon() {
    if (abandoned_ || done()) return;
    abandoned_ = true;
    closed_ = true;  // pump() writes nothing more; a write in flight keeps its buffer
    on_end_ = nullptr;
    on_message_ = nullptr;
    run_.abandoned_calls.fetch_add(1, std::memory_order_relaxed);
    auto pending = std::move(pending_);
    pending_.clear();
    unanswered_ = 0;
    for (auto& [id, answer] : pending) {
      asio::post(driver_.io, [answer = std::move(answer)] {
        answer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream stopped answering"),
               Response(), now_ns());
      });
    }
    if (opened_) context_.TryCancel();
  }
  // The call is over (or never started).
  bool done() const { return !opened_ || done_.load(std::memory_order_acquire); }

  // gRPC's threads.
  void OnReadInitialMetadataDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    asio::post(driver_.io, [this] {
      headers_ = true;
      pump();
    });
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      asio::post(driver_.io, [this] {
        closed_ = true;
        closed_ns_ = now_ns();
        this->RemoveHold();
      });
      return;
    }
    const int64_t at = now_ns();
    asio::post(driver_.io, [this, m = std::move(read_), at] { on_read(m, at); });
    read_.Clear();
    this->StartRead(&read_);
  }
  void OnWriteDone(bool ok) override {
    asio::post(driver_.io, [this, ok] {
      writing_ = false;
      if (!queue_.empty()) queue_.pop_front();
      if (ok) pump();
    });
  }
  void OnDone(const grpc::Status& status) override {
    asio::post(driver_.io, [this, status] {
      closed_ = true;
      if (abandoned_) {  // its requests were answered, and its owner has moved on
        run_.abandoned_calls.fetch_sub(1, std::memory_order_relaxed);
        done_.store(true, std::memory_order_release);
        return;
      }
      if (!status.ok() && !run_.stopping()) {
        driver_.figures.error(rpc_, status.error_code(), status.error_message());
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
      }
      // What was never answered ends with the stream's status.
      const grpc::Status end =
          status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended") : status;
      auto pending = std::move(pending_);
      pending_.clear();
      queue_.clear();
      const Response none;
      for (auto& [id, answer] : pending) answer(end, none, now_ns());
      done_.store(true, std::memory_order_release);
      if (on_end_) on_end_(status);
    });
  }

 private:
  void pump() {
    // Nothing is written before routerd's response headers: a request sent on a stream that
    // HAProxy refuses (no active routerd yet) would be dropped unread.
    if (writing_ || closed_ || !opened_ || !headers_ || queue_.empty()) return;
    if (windowed_ && unanswered_ >= window_) return;  // window_ 0 until the FlowWindow came
    writing_ = true;
    ++unanswered_;
    this->StartWrite(&queue_.front());
  }

  void on_read(const Response& m, int64_t at) {
    if (abandoned_) return;
    last_read_ns_ = at;
    if (const v1::RequestResult* r = result_of(m)) {
      auto it = pending_.find(r->correlation_id());
      if (it == pending_.end()) {
        // Not ours (an empty or unknown correlation_id): the server broke the contract.
        driver_.figures.error(
            rpc_, r->code() != 0 ? r->code() : grpc::StatusCode::INTERNAL,
            "answer with unknown correlation_id \"" + r->correlation_id() + "\": " + r->message());
        run_.progress_errors.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      Answer answer = std::move(it->second);
      pending_.erase(it);
      if (unanswered_ > 0) --unanswered_;
      answer(grpc::Status(static_cast<grpc::StatusCode>(r->code()), r->message()), m, at);
      pump();
      return;
    }
    if (const uint32_t w = window_of(m); w > 0) {
      window_ = w;
      pump();
      return;
    }
    if (on_message_) on_message_(m, at);
  }

  Run& run_;
  Driver& driver_;
  const Rpc rpc_;
  const bool windowed_;
  OnMessage on_message_;
  OnEnd on_end_;
  grpc::ClientContext context_;
  Response read_;  // the read buffer, gRPC's threads only
  // The driver's:
  std::atomic<bool> opened_{false};  // set on the driver, read anywhere
  bool closed_ = false;              // the read side ended: nothing more is written
  bool abandoned_ = false;           // abandon(): its owner has moved on
  bool headers_ = false;             // routerd's response headers came
  bool writing_ = false;             // queue_.front() is being written
  std::deque<Request> queue_;        // not yet written; front() in flight while writing_
  std::unordered_map<std::string, Answer> pending_;  // by correlation_id
  uint64_t next_id_ = 1;
  size_t unanswered_ = 0;     // written (or being written), not yet answered
  uint32_t window_ = 0;       // the FlowWindow's max_in_flight; 0 before it came
  int64_t last_read_ns_ = 0;  // when the last message was read (or the call was opened)
  int64_t closed_ns_ = 0;     // when the driver saw the read side end
  std::atomic<bool> done_{false};
};

using GatewayStreamClient = StreamClient<v1::GatewayRequest, v1::GatewayResponse>;
using AgentStreamClient = StreamClient<v1::AgentRequest, v1::AgentSessionResponse>;

}  // namespace router::load::detail
