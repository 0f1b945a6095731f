// The audit-trail port: who did what to the routing, and when (docs/operations.md, "Audit
// trail"). routerd's gRPC layer records every supervisor and admin action (skills, forced state,
// priority, move, reload) with the state before and after, and every refused token; a supervisor
// lists them back (SupervisorService.ListAudit, `routerctl audit`).
// Threads: record() and list() from any thread; list()'s `done` runs on the implementation's
// thread (never inline in the call for the Redis one; at once for the memory one). A record that
// cannot be stored is written to the log instead (event=audit_unstored), never dropped silently.
// Implementations: MemoryAuditTrail (below; routerd without Redis) and adapters/redis's
// RedisAuditTrail.
#pragma once

#include <absl/status/statusor.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "router/v1/router.pb.h"

namespace router::adapters::ports {

// What ListAudit asks, bounds checked. `from_ms`/`to_ms`: milliseconds since the Unix epoch,
// inclusive; 0 and INT64_MAX when unset.
struct AuditQuery {
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  std::string actor, action, target;  // empty: any
  size_t limit = 100;
  bool matches(const v1::AuditEntry& e, int64_t at_ms) const;
};

struct AuditPage {
  std::vector<v1::AuditEntry> entries;  // newest first
  bool truncated = false;               // the scan bound was reached first
};

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Stores `entry` (its id is assigned here; `at` must be set).
  virtual void record(v1::AuditEntry entry) = 0;
  virtual void list(const AuditQuery& query,
                    std::function<void(absl::StatusOr<AuditPage>)> done) const = 0;
};

// The entry's `at` in milliseconds since the Unix epoch.
int64_t audit_ms(const v1::AuditEntry& entry);
// One log line with every field of `entry` (event=<event>), for the log of each action and for
// a record the store could not take.
void log_audit(const v1::AuditEntry& entry, const char* event);

// In memory, the newest `capacity` entries (routerd without Redis: lost at a restart, as its
// routing state is). Thread-safe.
class MemoryAuditTrail final : public AuditTrail {
 public:
  explicit MemoryAuditTrail(size_t capacity = 10'000) : capacity_(capacity) {}
  void record(v1::AuditEntry entry) override;
  void list(const AuditQuery& query,
            std::function<void(absl::StatusOr<AuditPage>)> done) const override;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<v1::AuditEntry> entries_;  // oldest first
  uint64_t next_ = 1;
};

}  // namespace router::adapters::ports
