// The interval-report port: counters per fixed interval (15 minutes by default), per queue and
// per agent, kept for a retention and read back by a supervisor (SupervisorService.GetReport,
// `routerctl report`; docs/operations.md, "Interval reports").
// An interval's counters are a flat map of integer fields named "<scope>\x1f<metric>\x1f<name>"
// (interval_field below): scope 'q' (a queue) or 'a' (an agent), metric "answered",
// "handle_ms", "code=<code>", "not_ready_ms=<reason>", ... (docs/operations.md lists them), name
// the queue's or agent's. The host adds to them (never sets), so two writers — a restarted
// routerd, a standby that took over — add up instead of overwriting each other.
// Threads: add() and read() from any thread; `done` runs on the implementation's thread (never
// inline in the call for the Redis one; at once for the memory one).
// Implementations: MemoryIntervalStore (below; routerd without Redis) and adapters/redis's
// RedisIntervalStore.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace router::adapters::ports {

struct IntervalCounters {
  int64_t start_ms = 0;   // Unix milliseconds, a multiple of length_ms
  int64_t length_ms = 0;  // > 0
  std::map<std::string, int64_t> fields;
};

// "<scope>\x1f<metric>\x1f<name>"; a '\x1f' in metric is replaced by '?'.
std::string interval_field(char scope, std::string_view metric, std::string_view name);
// The inverse; false if `field` is not of that form.
bool split_interval_field(std::string_view field, char& scope, std::string& metric,
                          std::string& name);

// What a read asks: the intervals that start in [from_ms, to_ms); with `scope` set ('q' or 'a'),
// only the fields of that queue or agent `name`.
struct IntervalQuery {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  char scope = 0;
  std::string name;
  bool wants(std::string_view field) const;
};

class IntervalStore {
 public:
  virtual ~IntervalStore() = default;
  // Adds every counter of `deltas` to its interval's (an interval not stored yet starts at 0),
  // all of them or, on an error, none.
  virtual void add(std::vector<IntervalCounters> deltas,
                   std::function<void(absl::Status)> done) = 0;
  // The stored intervals `query` asks for, oldest first (an interval with none of its fields
  // left out).
  virtual void read(
      const IntervalQuery& query,
      std::function<void(absl::StatusOr<std::vector<IntervalCounters>>)> done) const = 0;
};

// In memory, the newest `capacity` intervals (routerd without Redis: lost at a restart, as its
// routing state is). Thread-safe.
class MemoryIntervalStore final : public IntervalStore {
 public:
  explicit MemoryIntervalStore(size_t capacity = 2'000) : capacity_(capacity) {}
  void add(std::vector<IntervalCounters> deltas, std::function<void(absl::Status)> done) override;
  void read(const IntervalQuery& query,
            std::function<void(absl::StatusOr<std::vector<IntervalCounters>>)> done) const override;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::pair<int64_t, int64_t>, IntervalCounters> intervals_;  // by (start, length)
};

}  // namespace router::adapters::ports
