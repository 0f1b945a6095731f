// The counters of the interval reports as the host sees events happen (docs/operations.md,
// "Interval reports"): counts added to the interval their event falls in, and each agent's time
// in its state split at interval boundaries. No I/O: the host takes what was gathered every few
// seconds and adds it to the store (ports::IntervalStore); what the store refused is given back
// and taken again next time.
// Times are Unix milliseconds (the wall clock of the events). Not thread-safe: the host's
// executor only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapters/ports/interval_store.h"

namespace router::adapters::host {

class IntervalRecorder {
 public:
  // REQUIRES: length_ms > 0. At most `max_pending` intervals are held while the store refuses
  // them; older ones are dropped (and counted in dropped_intervals()).
  explicit IntervalRecorder(int64_t length_ms, size_t max_pending = 96);

  int64_t length_ms() const { return length_; }
  int64_t interval_of(int64_t at_ms) const;  // the start of the interval `at_ms` falls in

  // Adds `n` to "<scope>\x1f<metric>\x1f<name>" of the interval of `at_ms`.
  void count(int64_t at_ms, char scope, std::string_view metric, std::string_view name,
             int64_t n = 1);

  // From `at_ms` on, `agent` is in `state` ("ready", "reserved", "busy", "wrap_up",
  // "not_ready"; "" = logged out, not counted) with `reason` (NOT_READY's); the time it spent in
  // its previous state until `at_ms` is counted first ("<state>_ms", and "not_ready_ms=<reason>").
  void agent_state(int64_t at_ms, const std::string& agent, std::string state,
                   std::string reason = "");
  bool tracks(const std::string& agent) const { return agents_.count(agent) != 0; }

  // Counts every tracked agent's time up to `now_ms`, then returns what was gathered since the
  // last take (oldest interval first) and forgets it.
  std::vector<ports::IntervalCounters> take(int64_t now_ms);
  // What a store refused: added back, to be taken again.
  void give_back(std::vector<ports::IntervalCounters> deltas);
  uint64_t dropped_intervals() const { return dropped_; }

 private:
  struct AgentTime {
    std::string state;
    std::string reason;
    int64_t since = 0;
  };
  void add_time(const std::string& agent, const AgentTime& t, int64_t to_ms);
  void bound();

  const int64_t length_;
  const size_t max_pending_;
  std::map<int64_t, std::map<std::string, int64_t>> pending_;  // by interval start
  std::unordered_map<std::string, AgentTime> agents_;
  uint64_t dropped_ = 0;
};

}  // namespace router::adapters::host
