// An in-memory server stream (host::Subscriber<M>) for the host simulation: it records what the
// host pushes until the driver takes it, and can be closed to play a desktop that disconnects.
// Corked like StreamOutbox: a pushed message is held until flush() (or finish()), and take()
// returns only what was flushed; unflushed() lets the driver check that every command flushed
// what it pushed.
// Invariants: after close() or finish(), open() is false and push() refuses (returns false) and
// records nothing; finish() is recorded once. Bounded: past `limit` untaken messages the reader
// is "too slow" and cut off, as a real stream is.
// Threading: single-threaded (SimWorld).
#pragma once

#include <absl/status/status.h>

#include <deque>
#include <optional>
#include <vector>

#include "adapters/host/subscriber.h"

namespace router::sim {

template <class Message>
class SimSubscriber final : public adapters::host::Subscriber<Message> {
 public:
  explicit SimSubscriber(size_t limit = 4096) : limit_(limit) {}

  bool push(Message m) override {
    if (!open_) return false;
    if (messages_.size() >= limit_) {
      finish(absl::ResourceExhaustedError("simulated reader too slow"), /*drain=*/false);
      return false;
    }
    messages_.push_back(std::move(m));
    return true;
  }
  void flush() override { flushed_ = messages_.size(); }
  void finish(absl::Status status, bool drain = true) override {
    if (!open_) return;
    if (drain) flush();
    open_ = false;
    finished_ = std::move(status);
  }
  bool open() const override { return open_; }

  // The client went away (a desktop disconnect): nothing more is accepted.
  void close() { open_ = false; }
  // What the host pushed and flushed since the last take().
  std::vector<Message> take() {
    const auto end = messages_.begin() + static_cast<std::ptrdiff_t>(flushed_);
    std::vector<Message> out(std::make_move_iterator(messages_.begin()),
                             std::make_move_iterator(end));
    messages_.erase(messages_.begin(), end);
    flushed_ = 0;
    return out;
  }
  // Pushed on an open stream and not flushed.
  size_t unflushed() const { return open_ ? messages_.size() - flushed_ : 0; }
  // How the host ended the stream, if it did.
  const std::optional<absl::Status>& finished() const { return finished_; }

 private:
  const size_t limit_;
  bool open_ = true;
  std::deque<Message> messages_;
  size_t flushed_ = 0;  // messages_'s first ones, flushed
  std::optional<absl::Status> finished_;
};

}  // namespace router::sim
