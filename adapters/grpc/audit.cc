// Audit records at the gRPC edge; see audit.h.
#include "adapters/grpc/audit.h"

#include <utility>

namespace router::adapters::grpc {

namespace {

void stamp_now(v1::AuditEntry& e) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  e.mutable_at()->set_seconds(ns / 1'000'000'000);
  e.mutable_at()->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
}

}  // namespace

std::string code_name(absl::StatusCode code) { return absl::StatusCodeToString(code); }

void Auditor::record(v1::AuditEntry entry) {
  if (!entry.has_at()) stamp_now(entry);
  ports::log_audit(entry, "audit");
  trail_.record(std::move(entry));
}

void Auditor::action(const Caller& caller, std::string_view peer, std::string_view action,
                     std::string_view target, std::string before, std::string after,
                     const absl::Status& result, std::string detail) {
  v1::AuditEntry e;
  e.set_actor(caller.name);
  e.set_role(std::string(to_string(caller.role)));
  e.set_action(std::string(action));
  e.set_target(std::string(target));
  e.set_before(std::move(before));
  if (result.ok()) e.set_after(std::move(after));
  e.set_result(code_name(result.code()));
  e.set_detail(result.ok() ? std::move(detail) : std::string(result.message()));
  e.set_peer(std::string(peer));
  record(std::move(e));
}

void Auditor::refused(const Caller& caller, std::string_view peer, std::string_view call,
                      const ::grpc::Status& status) {
  uint64_t skipped = 0;
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - window_ >= std::chrono::seconds(1)) {
      window_ = now;
      in_window_ = 0;
    }
    if (in_window_ >= refused_per_second_) {
      ++not_recorded_;
      return;
    }
    ++in_window_;
    skipped = std::exchange(not_recorded_, 0);
  }
  v1::AuditEntry e;
  const bool known = status.error_code() == ::grpc::StatusCode::PERMISSION_DENIED;
  e.set_actor(known && !caller.name.empty() ? caller.name : "-");
  if (known) e.set_role(std::string(to_string(caller.role)));
  e.set_action("token_refused");
  e.set_target(std::string(call));
  e.set_result(code_name(static_cast<absl::StatusCode>(status.error_code())));
  std::string detail = status.error_message();
  if (skipped > 0) detail += " (+" + std::to_string(skipped) + " refusals not recorded)";
  e.set_detail(std::move(detail));
  e.set_peer(std::string(peer));
  record(std::move(e));
}

}  // namespace router::adapters::grpc
