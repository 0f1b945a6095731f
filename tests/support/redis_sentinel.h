// A real Redis Sentinel for fault tests: `redis-server <conf> --sentinel` (the redis-sentinel
// package's binary is the same program) bound to 127.0.0.1 on a free port, monitoring one
// primary under a name, with short timings so a failover takes seconds. Sentinel rewrites its
// config file, so the file lives in a fresh temporary folder of its own. The child dies with
// the test (ChildProcess). Not thread-safe: one test thread drives it. Startup failures throw.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/child_process.h"

namespace router::it {

struct SentinelTimings {
  int down_after_ms = 500;         // sentinel down-after-milliseconds: a silent primary is SDOWN
  int failover_timeout_ms = 2000;  // sentinel failover-timeout
};

class RedisSentinel {
 public:
  // Starts a sentinel monitoring 127.0.0.1:`primary_port` as `master` with quorum `quorum`;
  // throws std::runtime_error (with its log) if it does not answer PING within 10 s.
  RedisSentinel(int primary_port, std::string master = "mymaster", int quorum = 2,
                SentinelTimings timings = {});
  ~RedisSentinel();  // kills it and removes its folder
  RedisSentinel(const RedisSentinel&) = delete;
  RedisSentinel& operator=(const RedisSentinel&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // True once this sentinel knows at least `other_sentinels` other sentinels and `replicas`
  // replicas of its master (what a failover needs), within `timeout`.
  bool wait_ready(int other_sentinels, int replicas, std::chrono::milliseconds timeout);
  // SENTINEL get-master-addr-by-name: the port of the primary it names now (loopback), or
  // nothing when it does not answer.
  std::optional<int> primary_port() const;
  std::string log_tail() const;

 private:
  std::filesystem::path dir_;
  std::string master_;
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

}  // namespace router::it
