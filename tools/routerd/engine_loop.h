// routerd's engine thread: one Asio io_context on a thread of its own, serving as the host's
// executor (ports/executor.h) and its clock and timers (ports/clock.h) on the steady and system
// clocks, and as the event loop of the Redis clients (io(): adapters/redis/client.h), so a
// customer lookup or a journal write and its reply never cross a thread (docs/routerd.md,
// "Threads"). The engine's timeline is milliseconds since the loop was made.
// Threading: post(), now(), wall(), from_wall() and running_here() from any thread;
// start_timer() on the loop's thread only. start() once; stop() from any thread but the loop's,
// after the host has stopped its timers and the Redis clients were stopped (their sockets and
// timers keep the loop busy otherwise); it runs what was already posted, then joins.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <thread>

#include "adapters/ports/clock.h"
#include "adapters/ports/executor.h"

namespace router::routerd {

class EngineLoop final : public adapters::ports::Executor, public adapters::ports::Clock {
 public:
  EngineLoop();
  ~EngineLoop() override;  // stop()
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  void start();
  void stop();  // idempotent

  void post(std::function<void()> fn) override;
  bool running_here() const override {
    // get_executor() is not const, running_in_this_thread() changes nothing.
    return const_cast<asio::io_context&>(io_).get_executor().running_in_this_thread();
  }

  // The loop's io_context, for what shares the thread (the Redis clients). It outlives
  // everything built on it as long as the EngineLoop does.
  asio::io_context& io() { return io_; }

  engine::TimePoint now() const override;
  std::chrono::system_clock::time_point wall(engine::TimePoint t) const override;
  engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const override;
  std::unique_ptr<adapters::ports::Timer> start_timer(engine::Duration after,
                                                      std::function<void()> fn) override;

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  const std::chrono::steady_clock::time_point steady_start_;
  const std::chrono::system_clock::time_point wall_start_;
};

}  // namespace router::routerd
