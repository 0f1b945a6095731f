// A server stream as the host sees it: a bounded sink of messages that the host pushes to and
// ends. adapters/grpc's StreamOutbox is the real one (a gRPC reactor behind it); the host
// simulation has an in-memory one. The host never learns what carries the messages.
// Threading: the host calls push/finish/open on its executor; implementations may be shared
// with other threads (a gRPC reactor) and must then be thread-safe.
#pragma once

#include <absl/status/status.h>

namespace router::adapters::host {

template <class Message>
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Queues `m`. False when the stream has ended or is ending; a reader too slow to keep up is
  // cut off (the implementation's limit) and push() returns false from then on.
  virtual bool push(Message m) = 0;
  // Ends the stream with `status` once what is queued is delivered (`drain`), or at once.
  virtual void finish(absl::Status status, bool drain = true) = 0;
  virtual bool open() const = 0;
  // The host calls it after each command on every subscriber it pushed to during the command,
  // so an implementation may hold writes back and send one command's messages together.
  virtual void flush() {}
};

}  // namespace router::adapters::host
