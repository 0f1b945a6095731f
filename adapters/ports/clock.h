// The clock-and-timers port: the host's only source of time. routerd's implementation reads the
// steady and system clocks (tools/routerd/engine_loop.h); the host simulation's is a simulated
// timeline that jumps from one due timer to the next (tests/simulation/). The engine itself never
// reads a clock: the host passes now() into every command.
// Threading: now(), wall() and from_wall() from any thread; start_timer() and Timer::cancel()
// only from the executor the host runs on (executor.h), where timers also fire.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "engine/types.h"

namespace router::adapters::ports {

// A pending timer. Destroying it (or cancel()) guarantees its callback does not run afterwards.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void cancel() = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;

  // Now, on the engine's monotonic timeline.
  virtual engine::TimePoint now() const = 0;
  // The wall-clock instant of `t` (for timestamps clients read and for the journal, whose entries
  // outlive this process's timeline).
  virtual std::chrono::system_clock::time_point wall(engine::TimePoint t) const = 0;
  // The inverse of wall(), truncated to the engine's resolution: instants a whole number of
  // milliseconds apart stay exactly that far apart (recovery keeps their order).
  virtual engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const = 0;

  // Runs `fn` on the executor once `after` has passed (at once if ≤ 0), unless the returned
  // timer is cancelled or destroyed first. Never runs `fn` inline.
  virtual std::unique_ptr<Timer> start_timer(engine::Duration after, std::function<void()> fn) = 0;
};

}  // namespace router::adapters::ports
