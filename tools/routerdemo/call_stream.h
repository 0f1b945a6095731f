// A session stream (GatewayStream, AgentSession) used the way the demo used unary calls: call()
// sends one request with a fresh correlation id and waits for the answer carrying it, while one
// reader thread (read_all()) takes every message off the stream, completes the waiting calls and
// hands the rest (work events, interaction events, flow windows) to a handler. A FlowWindow
// bounds the requests in flight: call() waits for a free place (GatewayStream's contract: one more
// would be refused). Thread-safe: call() from any thread, read_all() from exactly one; writes are
// serialized, and none is made once the stream has ended.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace router::demo {

// `Answer` is GatewayAnswer or AgentAnswer (both have result(): RequestResult); `Request` has
// set_correlation_id().
template <class Request, class Response, class Answer>
class CallStream {
 public:
  using Stream = grpc::ClientReaderWriter<Request, Response>;
  // The answer in `response`, or null when it is something else.
  using AnswerOf = std::function<const Answer*(const Response&)>;
  // Everything that is not an answer, on the reader thread (which may set_window()). It must not
  // call call().
  using OnMessage = std::function<void(CallStream&, const Response&)>;
  static constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();

  // Opens the stream with `context` (which this object then owns). `window`: requests allowed in
  // flight until the server says otherwise (set_window); 0 waits for the server's first window.
  CallStream(std::unique_ptr<grpc::ClientContext> context,
             const std::function<std::unique_ptr<Stream>(grpc::ClientContext*)>& open,
             AnswerOf answer_of, OnMessage on_message, uint32_t window)
      : context_(std::move(context)),
        stream_(open(context_.get())),
        answer_of_(std::move(answer_of)),
        on_message_(std::move(on_message)),
        window_(window) {}
  CallStream(const CallStream&) = delete;
  CallStream& operator=(const CallStream&) = delete;

  // Sends `request` and waits for its answer, at most `deadline` (DEADLINE_EXCEEDED; the answer,
  // should it come later, is dropped). The answer's status, and its message in `answer`.
  // UNAVAILABLE when the stream has ended (or ends before the answer comes).
  grpc::Status call(Request request, Answer* answer, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    auto waiter = std::make_shared<Waiter>();
    std::string id;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_until(lock, until, [this] { return ended_ || in_flight_ < window_; })) {
        return {grpc::StatusCode::DEADLINE_EXCEEDED, "no room in the flow window in time"};
      }
      if (ended_) return ended_status();
      id = std::to_string(next_id_++);
      waiting_[id] = waiter;
      ++in_flight_;
    }
    request.set_correlation_id(id);
    {
      std::lock_guard write_lock(write_mu_);
      bool written = false;
      {
        std::lock_guard lock(mu_);
        written = !ended_;
      }
      if (written) written = stream_->Write(request);
      if (!written) {
        forget(id);
        return ended_status();
      }
    }
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, until, [&] { return waiter->done; })) {
      waiting_.erase(id);  // its answer, if it comes, still frees its place in the window
      return {grpc::StatusCode::DEADLINE_EXCEEDED, "no answer in time"};
    }
    if (answer != nullptr) *answer = std::move(waiter->answer);
    return waiter->status;
  }

  // The server's flow window (GatewayStream's `window` messages); wakes calls waiting for room.
  void set_window(uint32_t max_in_flight) {
    std::lock_guard lock(mu_);
    window_ = max_in_flight;
    cv_.notify_all();
  }

  // Reads until the stream ends, then fails the calls still waiting (UNAVAILABLE) and returns the
  // stream's status. Call from one thread, once.
  grpc::Status read_all() {
    Response response;
    while (stream_->Read(&response)) {
      const Answer* answer = answer_of_(response);
      if (answer == nullptr) {
        on_message_(*this, response);
        continue;
      }
      std::lock_guard lock(mu_);
      if (in_flight_ > 0) --in_flight_;
      auto it = waiting_.find(answer->result().correlation_id());
      if (it != waiting_.end()) {
        it->second->done = true;
        it->second->status = grpc::Status(static_cast<grpc::StatusCode>(answer->result().code()),
                                          answer->result().message());
        it->second->answer = *answer;
        waiting_.erase(it);
      }
      cv_.notify_all();
    }
    {
      // No write starts after this (call() looks at ended_ under write_mu_), so Finish() below
      // runs alone.
      std::lock_guard write_lock(write_mu_);
      std::lock_guard lock(mu_);
      ended_ = true;
      for (auto& [id, waiter] : waiting_) {
        waiter->done = true;
        waiter->status = ended_status();
      }
      waiting_.clear();
      cv_.notify_all();
    }
    return stream_->Finish();
  }

  // Ends the stream from this side (the reader's read_all() returns). Idempotent.
  void cancel() { context_->TryCancel(); }

 private:
  struct Waiter {
    bool done = false;
    grpc::Status status;
    Answer answer;
  };

  static grpc::Status ended_status() {
    return {grpc::StatusCode::UNAVAILABLE, "the session stream has ended"};
  }

  void forget(const std::string& id) {
    std::lock_guard lock(mu_);
    if (waiting_.erase(id) > 0 && in_flight_ > 0) --in_flight_;
    cv_.notify_all();
  }

  const std::unique_ptr<grpc::ClientContext> context_;
  const std::unique_ptr<Stream> stream_;
  const AnswerOf answer_of_;
  const OnMessage on_message_;

  std::mutex write_mu_;  // one Write at a time; taken before mu_
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, std::shared_ptr<Waiter>> waiting_;  // by correlation id
  uint64_t next_id_ = 1;
  uint32_t window_;
  uint32_t in_flight_ = 0;  // sent and not answered (timed-out calls included)
  bool ended_ = false;
};

}  // namespace router::demo
