// A server stream as the host sees it: a bounded sink of messages that the host pushes to and
// ends. adapters/grpc's StreamOutbox is the real one (a gRPC reactor behind it); the host
// simulation has an in-memory one. The host never learns what carries the messages.
// Threading: the host calls push/finish/open on its executor; implementations may be shared
// with other threads (a gRPC reactor) and must then be thread-safe.
#pragma once

#include <absl/status/status.h>

namespace router::adapters::host {

// What every Subscriber is whatever its message: the host keeps the ones a command pushed to
// in one list to flush them after the command.
class Flushable {
 public:
  virtual ~Flushable() = default;
  // The host calls it after each command on every subscriber it pushed to during the command,
  // so an implementation may hold writes back and send one command's messages together
  // (StreamOutbox does: it writes nothing before flush() or finish()). Whoever pushes outside
  // the host's commands calls it after its pushes.
  virtual void flush() {}
};

template <class Message>
class Subscriber : public Flushable {
 public:
  // Queues `m`. False when the stream has ended or is ending; a reader too slow to keep up is
  // cut off (the implementation's limit) and push() returns false from then on.
  virtual bool push(Message m) = 0;
  // Ends the stream with `status` once what is queued is delivered (`drain`), or at once.
  virtual void finish(absl::Status status, bool drain = true) = 0;
  virtual bool open() const = 0;
};

}  // namespace router::adapters::host
