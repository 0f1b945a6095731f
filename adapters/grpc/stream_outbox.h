// A server stream's bounded outbox: the engine thread pushes messages, gRPC writes them one at a
// time (one write in flight, the rest queued), and a reader too slow to keep up is cut off with
// RESOURCE_EXHAUSTED instead of growing memory without bound. Three bounds, each named in the
// status: messages (daemon.stream_buffer) and bytes (daemon.server_limits.outbox_max_bytes) per
// stream, the age of the oldest unsent message (slow_reader_cut_s), and one byte budget shared by
// every outbox (outbox_budget_bytes; OutboxBudget).
//
// Ownership: gRPC owns the reactor (StreamWriter deletes itself in OnDone); the outbox is shared
// by the reactor and the producer, so the producer can keep pushing safely after the call ended
// (push() then returns false). It is the host's Subscriber of the stream.
// The reactor is an OutboxSink: StreamWriter for a server stream; a bidirectional stream's
// reactor (the session streams) implements OutboxSink too and forwards its write-side reactions
// (OnWriteDone, OnCancel, OnDone) to the outbox's reactor-side calls.
// Corked (the default, OutboxLimits::corked): a pushed message waits in the outbox until flush()
// (host::Subscriber::flush: the host calls it after each engine command on every subscriber it
// pushed to; whoever pushes outside the host's commands calls it after its pushes), so one
// command's messages leave back to back after the command, not interleaved with its work, and
// gRPC's transport can put the writes of every stream the command touched into one batch.
// finish() flushes too. Not used: WriteOptions::set_buffer_hint() on all but the last of a
// flush's messages. In gRPC 1.51's chttp2 a write with the hint completes (OnWriteDone) only once
// a later write on the connection is started, and a reactor has one write in flight: the hinted
// write would wait for a write that waits for it (grpc/grpc#12975, #34231 report the hang).
// Thread-safe: push/finish/flush from any thread; gRPC calls the reactor.
#pragma once

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/grpc/status.h"
#include "adapters/host/subscriber.h"

namespace router::adapters::grpc {

// The memory queued in every outbox together (protobuf's SpaceUsedLong), against one limit.
// Lock-free: every outbox of the process reserves and releases here from its own thread.
class OutboxBudget {
 public:
  explicit OutboxBudget(size_t limit) : limit_(limit) {}
  void set_limit(size_t limit) { limit_.store(limit, std::memory_order_relaxed); }
  size_t limit() const { return limit_.load(std::memory_order_relaxed); }
  size_t used() const { return used_.load(std::memory_order_relaxed); }

  // Reserves `bytes` unless the total would pass the limit (then nothing is reserved).
  bool try_reserve(size_t bytes) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > limit()) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void reserve(size_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  void release(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  std::atomic<size_t> limit_;
  std::atomic<size_t> used_{0};
};

// The bounds of one outbox. Zero-initialised fields mean "no bound" only where said.
struct OutboxLimits {
  size_t messages = 1024;                             // daemon.stream_buffer
  size_t bytes = std::numeric_limits<size_t>::max();  // outbox_max_bytes
  std::chrono::steady_clock::duration max_age = std::chrono::steady_clock::duration::max();
  std::shared_ptr<OutboxBudget> budget;  // null: none shared
  bool corked = true;                    // writes start at flush() (or finish()), not at push()
};

// The write side of a gRPC reactor, as an outbox drives it: one write in flight at a time, and
// one finish. Implemented by StreamWriter (server streams) and by bidirectional reactors.
template <class Message>
class OutboxSink {
 public:
  virtual void start_write(const Message* message) = 0;   // the reactor's StartWrite
  virtual void finish_stream(::grpc::Status status) = 0;  // the reactor's Finish

 protected:
  ~OutboxSink() = default;
};

template <class Message>
class StreamOutbox final : public host::Subscriber<Message> {
 public:
  explicit StreamOutbox(size_t limit) : StreamOutbox(messages_only(limit)) {}
  explicit StreamOutbox(OutboxLimits limits) : limits_(std::move(limits)) {}
  ~StreamOutbox() override { drop_all_locked(); }

  // Queues `m` behind the write in flight (corked: until flush()). False when the stream has ended
  // or is ending; cuts
  // the stream (RESOURCE_EXHAUSTED) instead when the reader is too slow: `messages` already
  // waiting, `bytes` would be passed, the oldest unsent message is older than `max_age`, or the
  // shared budget would be passed while this stream already has messages waiting.
  bool push(Message m) override {
    // What the message holds in memory (its serialized size can be several times smaller).
    const size_t size = m.SpaceUsedLong();
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (reactor_ == nullptr || finishing_) return false;
    std::string cut;
    if (queue_.size() >= limits_.messages) {
      cut = "stream buffer full (" + std::to_string(limits_.messages) +
            " messages): the client reads too slowly (daemon.stream_buffer)";
    } else if (!queue_.empty() && bytes_ + size > limits_.bytes) {
      cut = "stream buffer full (" + std::to_string(limits_.bytes) +
            " bytes): the client reads too slowly (daemon.server_limits.outbox_max_bytes)";
    } else if (!queue_.empty() && now - queue_.front().since > limits_.max_age) {
      cut = "the client has not read for more than " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(limits_.max_age).count()) +
            " s (daemon.server_limits.slow_reader_cut_s)";
    } else if (limits_.budget && !limits_.budget->try_reserve(size)) {
      // A reader that keeps up has at most its write in flight queued (and the messages of the
      // command pushing now, not flushed yet): it is never the one cut.
      if (released_ >= 2) {
        cut = "routerd's stream memory is full (" + std::to_string(limits_.budget->limit()) +
              " bytes, daemon.server_limits.outbox_budget_bytes) and this client reads too "
              "slowly";
      } else {
        limits_.budget->reserve(size);
      }
    }
    if (!cut.empty()) {
      spdlog::warn("event=stream_cut queued={} bytes={} reason=\"{}\"", queue_.size(), bytes_, cut);
      finish_locked(::grpc::Status(::grpc::StatusCode::RESOURCE_EXHAUSTED, cut),
                    /*drain=*/false);
      return false;
    }
    queue_.push_back(Pending{std::move(m), size, now});
    bytes_ += size;
    if (!limits_.corked) release_all_locked();
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

  // The end of one engine command's pushes (host::Subscriber): what was pushed may be written.
  void flush() override {
    std::lock_guard lock(mu_);
    release_all_locked();
  }

  size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }
  size_t queued_bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }
  // Pushed and not flushed yet (for tests).
  size_t held() const {
    std::lock_guard lock(mu_);
    return queue_.size() - released_;
  }

  // Reactor side (gRPC threads): the reactor calls attach() when it is made, and forwards
  // OnWriteDone, OnCancel and OnDone (detach(), before it deletes itself).
  void on_write_done(bool ok) {
    std::lock_guard lock(mu_);
    if (!queue_.empty()) pop_front_locked();
    if (!ok) {  // the peer is gone: the call is cancelled; OnCancel/OnDone follow
      writing_ = false;
      finish_locked(::grpc::Status::CANCELLED, /*drain=*/false);
      return;
    }
    if (released_ > 0 && !finish_called_ && (!finishing_ || pending_status_)) {
      reactor_->start_write(&queue_.front().message);
      return;
    }
    writing_ = false;
    if (pending_status_ && !finish_called_) {
      finish_called_ = true;
      reactor_->finish_stream(std::move(*pending_status_));
      pending_status_.reset();
    }
  }
  void on_cancel() {
    std::lock_guard lock(mu_);
    finish_locked(::grpc::Status::CANCELLED, /*drain=*/false);
  }
  void attach(OutboxSink<Message>* reactor) {
    std::lock_guard lock(mu_);
    reactor_ = reactor;
  }
  void detach() {
    std::lock_guard lock(mu_);
    reactor_ = nullptr;
    finishing_ = true;
    drop_all_locked();
  }

 private:
  static OutboxLimits messages_only(size_t limit) {
    OutboxLimits limits;
    limits.messages = limit;
    return limits;
  }

  void finish_locked(::grpc::Status status, bool drain) {
    if (reactor_ == nullptr || finish_called_) return;
    if (drain) release_all_locked();  // what was pushed is delivered before the end
    finishing_ = true;
    if (drain && writing_) {
      pending_status_ = std::move(status);  // OnWriteDone finishes after the last write
      return;
    }
    finish_called_ = true;
    pending_status_.reset();  // an immediate finish overrides a drained one
    reactor_->finish_stream(std::move(status));
  }

 private:
  struct Pending {
    Message message;
    size_t bytes;
    std::chrono::steady_clock::time_point since;  // when it was queued
  };
  void pop_front_locked() {
    release(queue_.front().bytes);
    queue_.pop_front();
    if (released_ > 0) --released_;
  }
  // Everything queued may be written; starts the first write unless one is in flight.
  void release_all_locked() {
    released_ = queue_.size();
    if (writing_ || released_ == 0 || reactor_ == nullptr || finishing_ || finish_called_) return;
    writing_ = true;
    reactor_->start_write(&queue_.front().message);
  }
  void drop_all_locked() {
    while (!queue_.empty()) pop_front_locked();
  }
  void release(size_t bytes) {
    bytes_ -= bytes;
    if (limits_.budget) limits_.budget->release(bytes);
  }

  // Recursive: gRPC may run a reaction inline from StartWrite/Finish on this thread.
  mutable std::recursive_mutex mu_;
  const OutboxLimits limits_;
  std::deque<Pending> queue_;  // front() is the write in flight while writing_
  size_t released_ = 0;        // queue_'s first ones, flushed: may be written (corked outbox)
  size_t bytes_ = 0;           // the sum of queue_'s sizes, reserved in limits_.budget
  OutboxSink<Message>* reactor_ = nullptr;
  bool writing_ = false;
  bool finishing_ = false;
  bool finish_called_ = false;
  std::optional<::grpc::Status> pending_status_;
};

// The gRPC reactor of one server stream. `on_done` runs once, on a gRPC thread, after the call is
// over (the peer went away, the stream was cut, or it was finished).
template <class Message>
class StreamWriter final : public ::grpc::ServerWriteReactor<Message>, public OutboxSink<Message> {
 public:
  StreamWriter(std::shared_ptr<StreamOutbox<Message>> outbox, std::function<void()> on_done)
      : outbox_(std::move(outbox)), on_done_(std::move(on_done)) {
    outbox_->attach(this);
  }

  void start_write(const Message* message) override { this->StartWrite(message); }
  void finish_stream(::grpc::Status status) override { this->Finish(std::move(status)); }
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
