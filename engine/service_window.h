// Queue outcomes over a sliding time window, kept as a ring of fixed-width buckets so memory
// is bounded whatever the traffic. Feeds service level, ASA, AHT and abandon rate.
// Not thread-safe: owned by the Router.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/types.h"

namespace router::engine {

class ServiceWindow {
 public:
  struct Totals {
    int64_t answered = 0;
    int64_t answered_within_target = 0;
    int64_t abandoned = 0;        // after the short-abandon threshold
    int64_t short_abandoned = 0;  // sooner: not held against the service level
    int64_t handled = 0;
    int64_t answer_wait_ms = 0;
    int64_t handle_ms = 0;
  };

  // REQUIRES: window > 0, buckets ≥ 1.
  ServiceWindow(Duration window, int buckets);

  void record_answer(TimePoint now, Duration waited, bool within_target);
  void record_abandon(TimePoint now, bool short_abandon);
  void record_handled(TimePoint now, Duration handle_time);
  Totals totals(TimePoint now) const;

 private:
  struct Bucket {
    int64_t epoch = -1;
    Totals t;
  };
  Bucket& bucket(TimePoint now);
  int64_t epoch_of(TimePoint now) const;

  Duration width_;
  std::vector<Bucket> ring_;
};

}  // namespace router::engine
