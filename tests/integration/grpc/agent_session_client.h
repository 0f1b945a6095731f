// A test client of AgentService.AgentSession / AgentLink: writes requests from the test thread,
// reads every response on its own thread into a list, and waits (with a deadline) for the
// response it expects. Responses are kept in arrival order, so a test can compare positions (an
// answer after the events its command caused).
// Not thread-safe: one test thread sends and waits; the reader thread only appends.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/grpc/fixture.h"

namespace router::it {

using AgentStreamIo = grpc::ClientReaderWriter<v1::AgentRequest, v1::AgentSessionResponse>;

class AgentStreamClient {
 public:
  // Opens AgentSession (`link` false) or AgentLink with `token` (none when empty).
  AgentStreamClient(Clients& clients, const std::string& token, bool link = false)
      : context_(context_for(token, Millis(0))) {
    auto& stub = clients.stub<v1::AgentService::Stub>();
    io_ = link ? stub.AgentLink(context_.get()) : stub.AgentSession(context_.get());
    thread_ = std::thread([this] { read_all(); });
  }
  ~AgentStreamClient() {
    context_->TryCancel();
    thread_.join();
  }
  AgentStreamClient(const AgentStreamClient&) = delete;
  AgentStreamClient& operator=(const AgentStreamClient&) = delete;

  bool send(const v1::AgentRequest& request, bool buffer = false) {
    grpc::WriteOptions options;
    if (buffer) options.set_buffer_hint();
    return io_->Write(request, options);
  }
  void close_writes() { io_->WritesDone(); }
  void cancel() { context_->TryCancel(); }

  // The next response at or after the cursor that satisfies `match` (the cursor moves past it).
  std::optional<v1::AgentSessionResponse> wait_for(
      const std::function<bool(const v1::AgentSessionResponse&)>& match,
      Millis timeout = kEventTimeout) {
    auto index = wait_index(match, timeout);
    if (!index) return std::nullopt;
    std::lock_guard lock(mu_);
    return responses_[*index];
  }
  // As wait_for, but the position of the response in the stream.
  std::optional<size_t> wait_index(
      const std::function<bool(const v1::AgentSessionResponse&)>& match,
      Millis timeout = kEventTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
      for (; cursor_ < responses_.size(); ++cursor_) {
        if (match(responses_[cursor_])) return cursor_++;
      }
      if (ended_) return std::nullopt;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        for (; cursor_ < responses_.size(); ++cursor_) {
          if (match(responses_[cursor_])) return cursor_++;
        }
        return std::nullopt;
      }
    }
  }
  // The answer to `correlation_id` (searched from the cursor on).
  std::optional<v1::AgentSessionResponse> answer(const std::string& correlation_id,
                                                 Millis timeout = kEventTimeout) {
    return wait_for(
        [&](const v1::AgentSessionResponse& r) {
          return r.has_answer() && r.answer().result().correlation_id() == correlation_id;
        },
        timeout);
  }
  // Sends `request` under `correlation_id` and waits for its answer.
  std::optional<v1::AgentSessionResponse> call(const std::string& correlation_id,
                                               v1::AgentRequest request) {
    request.set_correlation_id(correlation_id);
    if (!send(request)) return std::nullopt;
    return answer(correlation_id);
  }
  void rewind() {  // the next wait starts from the first response again
    std::lock_guard lock(mu_);
    cursor_ = 0;
  }
  std::vector<v1::AgentSessionResponse> responses() const {
    std::lock_guard lock(mu_);
    return responses_;
  }
  std::optional<grpc::Status> wait_end(Millis timeout = kEventTimeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return ended_; })) return std::nullopt;
    return status_;
  }

 private:
  void read_all() {
    v1::AgentSessionResponse r;
    while (io_->Read(&r)) {
      std::lock_guard lock(mu_);
      responses_.push_back(r);
      cv_.notify_all();
    }
    grpc::Status status = io_->Finish();
    std::lock_guard lock(mu_);
    status_ = std::move(status);
    ended_ = true;
    cv_.notify_all();
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<AgentStreamIo> io_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::AgentSessionResponse> responses_;
  size_t cursor_ = 0;
  bool ended_ = false;
  grpc::Status status_;
  std::thread thread_;
};

// Requests (agent empty: a session's own agent).
inline v1::AgentRequest login_request(const std::string& agent = "", bool ready = false) {
  v1::AgentRequest r;
  r.mutable_login()->set_agent(agent);
  r.mutable_login()->set_ready(ready);
  return r;
}
inline v1::AgentRequest logout_request(const std::string& agent = "") {
  v1::AgentRequest r;
  r.mutable_logout()->set_agent(agent);
  return r;
}
inline v1::AgentRequest state_request(v1::AgentState state, const std::string& agent = "",
                                      const std::string& reason = "") {
  v1::AgentRequest r;
  r.mutable_set_state()->set_agent(agent);
  r.mutable_set_state()->set_state(state);
  r.mutable_set_state()->set_reason(reason);
  return r;
}
enum class OfferOp { kAccept, kReject, kEndWrapUp };
inline v1::AgentRequest offer_request(OfferOp op, const std::string& interaction_id,
                                      const std::string& agent = "") {
  v1::AgentRequest r;
  v1::OfferRequest* o = op == OfferOp::kAccept   ? r.mutable_accept()
                        : op == OfferOp::kReject ? r.mutable_reject()
                                                 : r.mutable_end_wrap_up();
  o->set_agent(agent);
  o->set_interaction_id(interaction_id);
  return r;
}
inline v1::AgentRequest complete_request(const std::string& interaction_id,
                                         const std::string& agent = "") {
  v1::AgentRequest r;
  r.mutable_complete()->set_agent(agent);
  r.mutable_complete()->set_interaction_id(interaction_id);
  r.mutable_complete()->set_wrap_up_code("resolved");
  return r;
}
inline v1::AgentRequest transfer_request(const std::string& interaction_id,
                                         const std::string& queue, const std::string& to_agent,
                                         const std::string& agent = "") {
  v1::AgentRequest r;
  r.mutable_transfer()->set_agent(agent);
  r.mutable_transfer()->set_interaction_id(interaction_id);
  if (!queue.empty()) r.mutable_transfer()->set_queue(queue);
  if (!to_agent.empty()) r.mutable_transfer()->set_to_agent(to_agent);
  return r;
}

// Matchers.
inline bool is_offer(const v1::AgentSessionResponse& r, const std::string& id) {
  return r.has_work() && r.work().has_offer() &&
         r.work().offer().interaction().interaction_id() == id;
}
inline bool is_status(const v1::AgentSessionResponse& r, v1::AgentState state) {
  return r.has_work() && r.work().has_status() && r.work().status().state() == state;
}
inline bool is_update(const v1::AgentSessionResponse& r, const std::string& id,
                      const std::string& reason = "") {
  return r.has_work() && r.work().has_update() && r.work().update().interaction_id() == id &&
         r.work().reason() == reason;
}
inline int code_of(const v1::AgentSessionResponse& r) { return r.answer().result().code(); }

}  // namespace router::it
