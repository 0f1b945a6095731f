// Timed tasks for the simulated clients: "accept this offer in 2.1 s", "this caller hangs up in
// 40 s", "the next call arrives in 0.3 s". A min-heap of due times served by a few worker
// threads, so a slow RPC in one task delays no other.
// Thread-safe: at() from any thread, including from inside a task. Tasks run on the workers,
// never inline; a task must not call stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace router::demo {

using Clock = std::chrono::steady_clock;

class Scheduler {
 public:
  // `max_pending`: tasks waiting beyond this are refused (at() returns false), never queued.
  Scheduler(size_t workers, size_t max_pending);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `task` on a worker at or after `due`. False once stopped or when full.
  bool at(Clock::time_point due, std::function<void()> task);
  bool after(std::chrono::duration<double> delay, std::function<void()> task) {
    return at(Clock::now() + std::chrono::duration_cast<Clock::duration>(delay), std::move(task));
  }

  // Drops every task not yet started, waits for the running ones, joins the workers.
  // Idempotent.
  void stop();

  size_t pending() const;
  uint64_t refused() const;

 private:
  struct Task {
    Clock::time_point due;
    uint64_t seq;  // FIFO among equal due times
    std::function<void()> run;
    bool operator>(const Task& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };

  void work();

  const size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Task, std::vector<Task>, std::greater<>> tasks_;
  uint64_t next_seq_ = 0;
  uint64_t refused_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace router::demo
