// The simulated timeline and the per-incarnation executor and clock; see sim_world.h.
#include "tests/simulation/sim_world.h"

#include <stdexcept>
#include <string>

namespace router::sim {

// ---------------------------------------------------------------------------------------------
// Incarnation: the ports one host sees.

void Incarnation::post(std::function<void()> fn) { world_.post(this, std::move(fn)); }

engine::TimePoint Incarnation::now() const { return world_.now(); }

std::chrono::system_clock::time_point Incarnation::wall(engine::TimePoint t) const {
  return world_.wall(t);
}

engine::TimePoint Incarnation::from_wall(std::chrono::system_clock::time_point w) const {
  return world_.from_wall(w);
}

std::unique_ptr<adapters::ports::Timer> Incarnation::start_timer(engine::Duration after,
                                                                 std::function<void()> fn) {
  return world_.start_timer(this, after, std::move(fn));
}

// ---------------------------------------------------------------------------------------------
// SimWorld.

// A handle on a pending timer: destroying it cancels; the world owns the callback, so the
// callback may destroy its own handle.
class SimWorld::SimTimer final : public adapters::ports::Timer {
 public:
  explicit SimTimer(std::shared_ptr<TimerState> state) : state_(std::move(state)) {}
  ~SimTimer() override { cancel(); }
  void cancel() override {
    state_->cancelled = true;
    state_->fn = nullptr;
  }

 private:
  std::shared_ptr<TimerState> state_;
};

// A fixed wall-clock origin: the timeline starts at 2024-01-01T00:00:00Z in every run.
SimWorld::SimWorld(uint64_t seed)
    : rng_(seed),
      wall_start_(std::chrono::system_clock::time_point(std::chrono::seconds(1704067200))) {}

uint64_t SimWorld::uniform(uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
}

bool SimWorld::chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

engine::Duration SimWorld::duration_between(engine::Duration lo, engine::Duration hi) {
  return engine::Duration(static_cast<int64_t>(
      uniform(static_cast<uint64_t>(lo.count()), static_cast<uint64_t>(hi.count()))));
}

std::chrono::system_clock::time_point SimWorld::wall(engine::TimePoint t) const {
  return wall_start_ + t.time_since_epoch();
}

engine::TimePoint SimWorld::from_wall(std::chrono::system_clock::time_point w) const {
  const auto since = w - wall_start_;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since);
  if (ms > since) ms -= std::chrono::milliseconds(1);  // floor, as routerd's EngineLoop does
  return engine::TimePoint(ms);
}

Incarnation& SimWorld::start_incarnation() {
  if (current_ != nullptr && current_->alive_) {
    throw std::logic_error("SimWorld: the current incarnation must crash before a new one");
  }
  incarnations_.push_back(std::make_unique<Incarnation>(*this, incarnations_.size() + 1));
  current_ = incarnations_.back().get();
  return *current_;
}

void SimWorld::crash() {
  if (current_ != nullptr) current_->alive_ = false;
}

void SimWorld::post(const Incarnation* owner, std::function<void()> fn) {
  queue_.push_back(Posted{owner, std::move(fn)});
}

std::unique_ptr<adapters::ports::Timer> SimWorld::start_timer(const Incarnation* owner,
                                                              engine::Duration after,
                                                              std::function<void()> fn) {
  auto state = std::make_shared<TimerState>();
  state->fn = std::move(fn);
  const engine::TimePoint due = now_ + std::max(engine::Duration(0), after);
  timers_.emplace(std::make_pair(due, next_sequence_++), Due{owner, state});
  return std::make_unique<SimTimer>(std::move(state));
}

void SimWorld::schedule(engine::Duration after, std::function<void()> fn,
                        const Incarnation* owner) {
  auto state = std::make_shared<TimerState>();
  state->fn = std::move(fn);
  const engine::TimePoint due = now_ + std::max(engine::Duration(0), after);
  timers_.emplace(std::make_pair(due, next_sequence_++), Due{owner, std::move(state)});
}

bool SimWorld::run_one() {
  while (!queue_.empty()) {
    Posted p = std::move(queue_.front());
    queue_.pop_front();
    if (!runnable(p.owner)) {
      ++closures_dropped_;
      continue;
    }
    ++closures_run_;
    p.fn();
    return true;
  }
  while (!timers_.empty() && timers_.begin()->first.first <= now_) {
    Due d = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    if (d.state->cancelled || !d.state->fn) continue;
    if (!runnable(d.owner)) {
      ++closures_dropped_;
      continue;
    }
    auto fn = std::move(d.state->fn);  // the callback may destroy its own handle
    d.state->fn = nullptr;
    ++closures_run_;
    fn();
    return true;
  }
  return false;
}

void SimWorld::run_until_idle() {
  for (uint64_t steps = 0; run_one(); ++steps) {
    if (steps >= kMaxStepsPerRun) {
      throw std::runtime_error("SimWorld: no idle after " + std::to_string(kMaxStepsPerRun) +
                               " closures at t=" + std::to_string(now_.time_since_epoch().count()) +
                               " ms (livelock)");
    }
  }
}

void SimWorld::advance(engine::Duration d) {
  const engine::TimePoint target = now_ + std::max(engine::Duration(0), d);
  run_until_idle();
  while (!timers_.empty() && timers_.begin()->first.first <= target) {
    now_ = std::max(now_, timers_.begin()->first.first);
    run_until_idle();
  }
  now_ = target;
  run_until_idle();
}

}  // namespace router::sim
