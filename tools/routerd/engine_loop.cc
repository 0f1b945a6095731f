// routerd's engine thread on Asio; see engine_loop.h.
#include "tools/routerd/engine_loop.h"

#include <memory>

namespace router::routerd {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

// A steady_timer whose callback may destroy the Timer (the host's grace timers erase their own
// entry): the handler owns the asio timer and the callback, the handle only cancels.
class AsioTimer final : public adapters::ports::Timer {
 public:
  struct State {
    explicit State(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    std::function<void()> fn;
    bool cancelled = false;
  };

  explicit AsioTimer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ~AsioTimer() override { cancel(); }
  void cancel() override {
    state_->cancelled = true;
    state_->timer.cancel();
  }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

EngineLoop::EngineLoop()
    : work_(asio::make_work_guard(io_)),
      steady_start_(std::chrono::steady_clock::now()),
      wall_start_(std::chrono::system_clock::now()) {}

EngineLoop::~EngineLoop() { stop(); }

void EngineLoop::start() {
  thread_ = std::thread([this] { io_.run(); });
}

void EngineLoop::stop() {
  if (!thread_.joinable()) return;
  post([this] { work_.reset(); });
  thread_.join();
  io_.stop();
}

void EngineLoop::post(std::function<void()> fn) { asio::post(io_, std::move(fn)); }

engine::TimePoint EngineLoop::now() const {
  return engine::TimePoint(
      duration_cast<milliseconds>(std::chrono::steady_clock::now() - steady_start_));
}

std::chrono::system_clock::time_point EngineLoop::wall(engine::TimePoint t) const {
  return wall_start_ + t.time_since_epoch();
}

engine::TimePoint EngineLoop::from_wall(std::chrono::system_clock::time_point w) const {
  const auto since = w - wall_start_;
  auto ms = duration_cast<milliseconds>(since);
  if (ms > since) ms -= milliseconds(1);  // floor, also before the start
  return engine::TimePoint(ms);
}

std::unique_ptr<adapters::ports::Timer> EngineLoop::start_timer(engine::Duration after,
                                                                std::function<void()> fn) {
  auto state = std::make_shared<AsioTimer::State>(io_);
  state->fn = std::move(fn);
  state->timer.expires_after(std::max(engine::Duration(0), after));
  state->timer.async_wait([state](const asio::error_code& ec) {
    if (ec || state->cancelled) return;
    auto fn = std::move(state->fn);  // the callback may destroy the handle, not the state
    fn();
  });
  return std::make_unique<AsioTimer>(std::move(state));
}

}  // namespace router::routerd
