// routerd's engine thread: one Asio io_context on a thread of its own, serving as the host's
// executor (ports/executor.h) and its clock and timers (ports/clock.h) on the steady and system
// clocks. The engine's timeline is milliseconds since the loop was made.
// Threading: post(), now(), wall() and from_wall() from any thread; start_timer() on the loop's
// thread only. start() once; stop() from any thread but the loop's, after the host has stopped
// its timers; it runs what was already posted, then joins.
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
