// The audit trail in a Redis stream (<p>audit; docs/operations.md, "Audit trail"): one entry
// per record, its fields as readable text (at, actor, role, action, target, before, after,
// result, detail, peer), so `redis-cli XREVRANGE router:audit + - COUNT 10` reads it too.
// Retention: every XADD trims entries older than `retention` (MINID, exact, by the stream ids:
// the Redis server's clock); every 256th record also trims the stream to about
// `max_entries` (XTRIM MAXLEN ~). A record Redis did not take (down, timeout, error) is written
// to the log instead (event=audit_unstored), with every field.
// list() reads newest first in one Lua call: pages of 1,000 between `to` and `from` (stream ids:
// Redis's clock), filters, and stops at `limit` matches or after 100,000 entries read
// (AuditPage::truncated).
// Threading: any thread (Client's commands are); `done` runs on the client's loop.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "adapters/ports/audit_trail.h"
#include "adapters/redis/client.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct AuditOptions {
  std::string key_prefix = "router:";
  engine::Duration retention = std::chrono::hours(24 * 90);
  size_t max_entries = 1'000'000;
  engine::Duration timeout = std::chrono::seconds(1);
  size_t scan_max = 100'000;  // list(): entries read at most per call
};

class RedisAuditTrail final : public ports::AuditTrail {
 public:
  // `client` must outlive the trail.
  RedisAuditTrail(Client& client, AuditOptions options);
  void record(v1::AuditEntry entry) override;
  void list(const ports::AuditQuery& query,
            std::function<void(absl::StatusOr<ports::AuditPage>)> done) const override;

 private:
  Client& client_;
  const AuditOptions options_;
  const std::string key_;
  std::atomic<uint64_t> records_{0};
};

}  // namespace router::adapters::redis
