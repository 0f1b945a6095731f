// The interval reports in Redis (docs/operations.md, "Interval reports"; keys in keys.h): one
// hash per interval, <p>report:<start ms>:<length ms>, of integer counters, and the sorted set
// <p>reports of the intervals stored (score: the start). add() is one Lua call: HINCRBY of every
// counter, ZADD to the index and PEXPIREAT of each hash at the interval's end + `retention`, and
// index entries older than the retention removed — so two routerd (a restart, a takeover) add
// up, and what expires leaves no trace. read() is one Lua call too: the index's range, then each
// hash (only one queue's or agent's fields when asked).
// Threading: any thread (Client's commands are); `done` runs on the client's loop.
#pragma once

#include <string>

#include "adapters/ports/interval_store.h"
#include "adapters/redis/client.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct IntervalReportOptions {
  std::string key_prefix = "router:";
  engine::Duration retention = std::chrono::hours(24 * 90);
  engine::Duration timeout = std::chrono::seconds(1);
};

class RedisIntervalStore final : public ports::IntervalStore {
 public:
  // `client` must outlive the store.
  RedisIntervalStore(Client& client, IntervalReportOptions options);
  void add(std::vector<ports::IntervalCounters> deltas,
           std::function<void(absl::Status)> done) override;
  void read(const ports::IntervalQuery& query,
            std::function<void(absl::StatusOr<std::vector<ports::IntervalCounters>>)> done)
      const override;

 private:
  Client& client_;
  const IntervalReportOptions options_;
};

}  // namespace router::adapters::redis
