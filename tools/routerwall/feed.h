// The latest snapshot of the board, handed from the one thread that makes it (the Sampler) to the
// threads that send it (one per viewer's event stream): publish() replaces it, wait_newer() waits
// for one newer than the viewer last sent. Snapshots are immutable strings shared, not copied.
// close() wakes every waiter for shutdown. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace router::wall {

struct Published {
  uint64_t seq = 0;                          // 0: nothing published yet
  std::shared_ptr<const std::string> json;   // the whole snapshot; null when seq is 0
  std::shared_ptr<const std::string> light;  // the same without the history's points
  uint64_t history_version = 0;              // of the points in `json`
};

class Feed {
 public:
  // REQUIRES: published.seq greater than the last published; json and light set.
  void publish(Published published);
  Published latest() const;
  // The latest once its seq is greater than `after`, or the latest as it is when `timeout`
  // passes or the feed is closed first.
  Published wait_newer(uint64_t after, std::chrono::milliseconds timeout) const;
  void close();
  bool closed() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  Published latest_;     // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace router::wall
