// The executor port: the one thread of execution the host and its Router run on (single writer).
// Work from elsewhere (a gRPC callback) reaches the host only as a posted closure; a callback
// already on the executor's thread may skip the post where running_here() says so.
// routerd's implementation is an Asio io_context on its own thread (tools/routerd/engine_loop.h);
// the host simulation's is a seeded run queue that may reorder nothing it was not told to.
// Threading: post() from any thread, including the executor's own (the closure then runs later,
// never inline). Closures run one at a time, in the order they were posted.
#pragma once

#include <functional>

namespace router::adapters::ports {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void post(std::function<void()> fn) = 0;
  // True when the caller runs on the executor's thread (in routerd the Redis replies do: one
  // loop serves both). A callback its implementation promises never to run inline in the call
  // that started it (InteractionJournal::append's) may then run the host at once instead of
  // posting. False: not here, or unknown.
  virtual bool running_here() const { return false; }
};

}  // namespace router::adapters::ports
