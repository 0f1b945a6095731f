// The executor port: the one thread of execution the host and its Router run on (single writer).
// Work from elsewhere (a gRPC callback, a Redis reply) reaches the host only as a posted closure.
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
};

}  // namespace router::adapters::ports
