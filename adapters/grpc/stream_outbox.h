// A server stream's bounded outbox: the engine thread pushes messages, gRPC writes them one at a
// time (one write in flight, the rest queued), and a reader too slow to keep the queue under its
// limit is cut off with RESOURCE_EXHAUSTED instead of growing memory without bound.
//
// Ownership: gRPC owns the reactor (StreamWriter deletes itself in OnDone); the outbox is shared
// by the reactor and the producer, so the producer can keep pushing safely after the call ended
// (push() then returns false). It is the host's Subscriber of the stream.
// Thread-safe: push/finish from any thread; gRPC calls the reactor.
#pragma once

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/grpc/status.h"
#include "adapters/host/subscriber.h"

namespace router::adapters::grpc {

template <class Message>
class StreamWriter;

template <class Message>
class StreamOutbox final : public host::Subscriber<Message> {
 public:
  explicit StreamOutbox(size_t limit) : limit_(limit) {}

  // Queues `m` behind the write in flight. False when the stream has ended or is ending; cuts
  // the stream (RESOURCE_EXHAUSTED) when `limit` messages are already waiting.
  bool push(Message m) override {
    std::lock_guard lock(mu_);
    if (reactor_ == nullptr || finishing_) return false;
    if (queue_.size() >= limit_) {
      finish_locked(::grpc::Status(::grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   "stream buffer full (" + std::to_string(limit_) +
                                       " messages): the client reads too slowly"),
                    /*drain=*/false);
      return false;
    }
    queue_.push_back(std::move(m));
    if (!writing_) {
      writing_ = true;
      reactor_->StartWrite(&queue_.front());
    }
    return true;
  }

  // Ends the stream with `status` once the queued messages are written (`drain`), or at once.
  void finish(::grpc::Status status, bool drain = true) {
    std::lock_guard lock(mu_);
    finish_locked(std::move(status), drain);
  }

  // The host's end of the stream (host::Subscriber).
  void finish(absl::Status status, bool drain = true) override { finish(to_grpc(status), drain); }

  bool open() const override {
    std::lock_guard lock(mu_);
    return reactor_ != nullptr && !finishing_;
  }

  size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  friend class StreamWriter<Message>;

  void finish_locked(::grpc::Status status, bool drain) {
    if (reactor_ == nullptr || finish_called_) return;
    finishing_ = true;
    if (drain && writing_) {
      pending_status_ = std::move(status);  // OnWriteDone finishes after the last write
      return;
    }
    finish_called_ = true;
    pending_status_.reset();  // an immediate finish overrides a drained one
    reactor_->Finish(std::move(status));
  }

  // Reactor side (gRPC threads).
  void on_write_done(bool ok) {
    std::lock_guard lock(mu_);
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) {  // the peer is gone: the call is cancelled; OnCancel/OnDone follow
      writing_ = false;
      finish_locked(::grpc::Status::CANCELLED, /*drain=*/false);
      return;
    }
    if (!queue_.empty() && !finish_called_ && (!finishing_ || pending_status_)) {
      reactor_->StartWrite(&queue_.front());
      return;
    }
    writing_ = false;
    if (pending_status_ && !finish_called_) {
      finish_called_ = true;
      reactor_->Finish(std::move(*pending_status_));
      pending_status_.reset();
    }
  }
  void on_cancel() {
    std::lock_guard lock(mu_);
    finish_locked(::grpc::Status::CANCELLED, /*drain=*/false);
  }
  void attach(StreamWriter<Message>* reactor) {
    std::lock_guard lock(mu_);
    reactor_ = reactor;
  }
  void detach() {
    std::lock_guard lock(mu_);
    reactor_ = nullptr;
    finishing_ = true;
    queue_.clear();
  }

  // Recursive: gRPC may run a reaction inline from StartWrite/Finish on this thread.
  mutable std::recursive_mutex mu_;
  const size_t limit_;
  std::deque<Message> queue_;  // front() is the write in flight while writing_
  StreamWriter<Message>* reactor_ = nullptr;
  bool writing_ = false;
  bool finishing_ = false;
  bool finish_called_ = false;
  std::optional<::grpc::Status> pending_status_;
};

// The gRPC reactor of one server stream. `on_done` runs once, on a gRPC thread, after the call is
// over (the peer went away, the stream was cut, or it was finished).
template <class Message>
class StreamWriter final : public ::grpc::ServerWriteReactor<Message> {
 public:
  StreamWriter(std::shared_ptr<StreamOutbox<Message>> outbox, std::function<void()> on_done)
      : outbox_(std::move(outbox)), on_done_(std::move(on_done)) {
    outbox_->attach(this);
  }

  void OnWriteDone(bool ok) override { outbox_->on_write_done(ok); }
  void OnCancel() override { outbox_->on_cancel(); }
  void OnDone() override {
    outbox_->detach();
    if (on_done_) on_done_();
    delete this;
  }

 private:
  std::shared_ptr<StreamOutbox<Message>> outbox_;
  std::function<void()> on_done_;
};

}  // namespace router::adapters::grpc
