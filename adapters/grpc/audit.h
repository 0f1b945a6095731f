// The audit trail at the gRPC edge, where the caller is known (docs/operations.md, "Audit
// trail"): every supervisor and admin action with who, when, before and after, and every refused
// token, into the AuditTrail port (Redis, or memory without it). Each record is also one log line
// (event=audit).
// Refused tokens come from outside and may come fast (a scanner, a misconfigured gateway): at
// most `refused_per_second` are recorded in each second; the rest are counted, and the next one
// recorded says how many were not (detail "... (+N refusals not recorded)").
// Thread-safe.
#pragma once

#include <absl/status/status.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "adapters/grpc/auth.h"
#include "adapters/ports/audit_trail.h"

namespace router::adapters::grpc {

class Auditor {
 public:
  // `trail` must outlive the auditor.
  explicit Auditor(ports::AuditTrail& trail, int refused_per_second = 10)
      : trail_(trail), refused_per_second_(refused_per_second) {}

  ports::AuditTrail& trail() { return trail_; }

  // A supervisor's or admin's action by `caller` (from `peer`) on `target`, with its outcome.
  void action(const Caller& caller, std::string_view peer, std::string_view action,
              std::string_view target, std::string before, std::string after,
              const absl::Status& result, std::string detail = {});
  // A call refused for its token (UNAUTHENTICATED, PERMISSION_DENIED): `call` names what was
  // called (the request's type or the stream's name), `caller` is what authorize() filled in
  // (the token's name and role when the token was known but its role was wrong).
  void refused(const Caller& caller, std::string_view peer, std::string_view call,
               const ::grpc::Status& status);
  // Any other record (a reload by SIGHUP): `at` is set here when unset.
  void record(v1::AuditEntry entry);

 private:
  ports::AuditTrail& trail_;
  const int refused_per_second_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_{};
  int in_window_ = 0;
  uint64_t not_recorded_ = 0;
};

// The name of a status code as the audit trail and gRPC write it ("OK", "NOT_FOUND").
std::string code_name(absl::StatusCode code);

}  // namespace router::adapters::grpc
