// The board's one reader of routerd: every interval, GetQueueStats and ListAgents back to back with
// routerwall's own supervisor token (--token-file), the service level of each queue added to the
// hour's history, and the snapshot published to the Feed — whether anyone watches or not, so the
// sparklines have their hour when a screen comes on. When routerd does not answer, the last good
// figures are published again marked with routerd's error (and, with several addresses, the next
// SERVING routerd is looked for). Viewers never cause a read: however many watch, routerd sees one
// pair of calls per interval. Not thread-safe: start()/stop() from one control thread; sample()
// from that thread before start() or, after it, only from the sampling thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "router/v1/router.pb.h"
#include "tools/routerwall/feed.h"
#include "tools/routerwall/routerd_link.h"
#include "tools/routerwall/sl_history.h"
#include "tools/routerwall/snapshot.h"

namespace router::wall {

class Sampler {
 public:
  // The history keeps one point per kHistoryStep (or per interval, when longer) for kHistorySpan.
  static constexpr std::chrono::seconds kHistoryStep{30};
  static constexpr std::chrono::seconds kHistorySpan{3600};

  // REQUIRES: interval > 0. `link` and `feed` outlive the sampler.
  // `title` heads the page (it travels in every snapshot).
  Sampler(RouterdLink& link, std::string token, std::chrono::milliseconds interval, Feed& feed,
          std::string title);
  ~Sampler();  // stop()
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Reads routerd once and publishes; the status of the first call that failed (OK: both answered).
  grpc::Status sample();

  // A thread that calls sample() every interval until stop().
  void start();
  void stop();

 private:
  void run();

  RouterdLink& link_;
  const std::string token_;
  const std::chrono::milliseconds interval_;
  const std::string title_;
  Feed& feed_;
  SlHistory history_;
  uint64_t seq_ = 0;
  v1::GetQueueStatsResponse last_stats_;  // the last figures routerd gave
  AgentCounts last_agents_;
  SourceStatus source_;
  bool first_ = true;
  bool history_full_logged_ = false;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace router::wall
