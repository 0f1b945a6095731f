// The audit trail's query, its log line and the in-memory trail; see audit_trail.h.
#include "adapters/ports/audit_trail.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "engine/log_text.h"

namespace router::adapters::ports {

bool AuditQuery::matches(const v1::AuditEntry& e, int64_t at_ms) const {
  return at_ms >= from_ms && at_ms <= to_ms && (actor.empty() || e.actor() == actor) &&
         (action.empty() || e.action() == action) && (target.empty() || e.target() == target);
}

int64_t audit_ms(const v1::AuditEntry& entry) {
  return entry.at().seconds() * 1000 + entry.at().nanos() / 1'000'000;
}

void log_audit(const v1::AuditEntry& e, const char* event) {
  using engine::log_text;
  spdlog::info(
      "event={} action={} actor={} role={} target={} result={} before={} after={} "
      "detail={} peer={}",
      event, log_text(e.action()), log_text(e.actor()), log_text(e.role()), log_text(e.target()),
      log_text(e.result()), log_text(e.before()), log_text(e.after()), log_text(e.detail()),
      log_text(e.peer()));
}

void MemoryAuditTrail::record(v1::AuditEntry entry) {
  std::lock_guard lock(mu_);
  entry.set_id("mem-" + std::to_string(next_++));
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) entries_.pop_front();
}

void MemoryAuditTrail::list(const AuditQuery& query,
                            std::function<void(absl::StatusOr<AuditPage>)> done) const {
  AuditPage page;
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.rbegin(); it != entries_.rend() && page.entries.size() < query.limit;
         ++it) {
      if (query.matches(*it, audit_ms(*it))) page.entries.push_back(*it);
    }
  }
  done(std::move(page));
}

}  // namespace router::adapters::ports
