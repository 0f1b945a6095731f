// The timed-task scheduler of scheduler.h.
#include "tools/routerdemo/scheduler.h"

namespace router::demo {

Scheduler::Scheduler(size_t workers, size_t max_pending) : max_pending_(max_pending) {
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

Scheduler::~Scheduler() { stop(); }

bool Scheduler::at(Clock::time_point due, std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (tasks_.size() >= max_pending_) {
      ++refused_;
      return false;
    }
    tasks_.push(Task{due, next_seq_++, std::move(task)});
  }
  // Every worker may be sleeping until a later due time: wake them all to re-check.
  cv_.notify_all();
  return true;
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    tasks_ = {};
  }
  cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
}

size_t Scheduler::pending() const {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

uint64_t Scheduler::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void Scheduler::work() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto due = tasks_.top().due;
    if (due > Clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    // priority_queue::top() is const: copy the function out, then pop.
    std::function<void()> run = tasks_.top().run;
    tasks_.pop();
    lock.unlock();
    run();
    lock.lock();
  }
}

}  // namespace router::demo
