// The simulated world the host simulation runs in: one seeded PRNG, one simulated timeline, and
// the executor and clock ports (adapters/ports/) of each host incarnation. Nothing here reads a
// real clock or starts a thread, so one seed replays one run exactly.
// Invariants: time only moves forward, and only in advance(); posted closures run in FIFO order;
// timers and scheduled deliveries fire in (due, sequence) order; a closure or timer owned by a
// crashed incarnation never runs (the world never calls into a destroyed host).
// Threading: single-threaded; everything runs on the test's thread, inside run_until_idle() and
// advance().
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "adapters/ports/clock.h"
#include "adapters/ports/executor.h"
#include "engine/types.h"

namespace router::sim {

class SimWorld;

// One host's executor and clock. A crash (SimWorld::crash) kills the incarnation: what it posted
// and the timers it started are dropped, never run. Owned by the world, so it outlives the host
// and the timer handles the host destroys late.
class Incarnation final : public adapters::ports::Executor, public adapters::ports::Clock {
 public:
  Incarnation(SimWorld& world, uint64_t number) : world_(world), number_(number) {}

  void post(std::function<void()> fn) override;
  engine::TimePoint now() const override;
  std::chrono::system_clock::time_point wall(engine::TimePoint t) const override;
  engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const override;
  std::unique_ptr<adapters::ports::Timer> start_timer(engine::Duration after,
                                                      std::function<void()> fn) override;

  bool alive() const { return alive_; }
  uint64_t number() const { return number_; }

 private:
  friend class SimWorld;
  SimWorld& world_;
  const uint64_t number_;
  bool alive_ = true;
};

class SimWorld {
 public:
  explicit SimWorld(uint64_t seed);
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  // ---- Randomness: every random choice of a run comes from here.
  std::mt19937_64& rng() { return rng_; }
  uint64_t uniform(uint64_t lo, uint64_t hi);  // inclusive
  bool chance(double p);
  engine::Duration duration_between(engine::Duration lo, engine::Duration hi);

  // ---- Time.
  engine::TimePoint now() const { return now_; }
  std::chrono::system_clock::time_point wall(engine::TimePoint t) const;
  engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const;

  // ---- Host incarnations.
  // A new incarnation becomes the current one; the previous one must have crashed.
  Incarnation& start_incarnation();
  Incarnation* current() { return current_; }
  // The current incarnation dies: its queued closures and timers are dropped.
  void crash();

  // A delivery at now + `after` (a late journal answer, a window's end). With an owner, dropped
  // if the owner has crashed by then; without one (the store's own events), always run.
  void schedule(engine::Duration after, std::function<void()> fn,
                const Incarnation* owner = nullptr);

  // Runs posted closures and everything due at or before now until nothing is left. A run that
  // never goes idle is a livelock: throws after kMaxStepsPerRun closures.
  void run_until_idle();
  // Moves time forward by `d`, firing what falls due in (due, sequence) order and running the
  // queue idle after each.
  void advance(engine::Duration d);

  uint64_t closures_run() const { return closures_run_; }
  uint64_t closures_dropped() const { return closures_dropped_; }

  static constexpr uint64_t kMaxStepsPerRun = 1'000'000;

 private:
  friend class Incarnation;
  struct TimerState {
    std::function<void()> fn;
    bool cancelled = false;
  };
  class SimTimer;
  struct Due {
    const Incarnation* owner = nullptr;
    std::shared_ptr<TimerState> state;
  };
  struct Posted {
    const Incarnation* owner = nullptr;
    std::function<void()> fn;
  };

  void post(const Incarnation* owner, std::function<void()> fn);
  std::unique_ptr<adapters::ports::Timer> start_timer(const Incarnation* owner,
                                                      engine::Duration after,
                                                      std::function<void()> fn);
  bool runnable(const Incarnation* owner) const { return owner == nullptr || owner->alive_; }
  bool run_one();  // false: nothing runnable now

  std::mt19937_64 rng_;
  engine::TimePoint now_{};
  const std::chrono::system_clock::time_point wall_start_;
  std::deque<Posted> queue_;
  std::map<std::pair<engine::TimePoint, uint64_t>, Due> timers_;
  uint64_t next_sequence_ = 0;
  std::vector<std::unique_ptr<Incarnation>> incarnations_;
  Incarnation* current_ = nullptr;
  uint64_t closures_run_ = 0;
  uint64_t closures_dropped_ = 0;
};

}  // namespace router::sim
