// Counters and the call helpers of counters.h.
#include "tools/routerdemo/counters.h"

#include <absl/status/status.h>

#include <cstdio>

namespace router::demo {

void prepare(grpc::ClientContext& context, const std::string& token,
             std::chrono::milliseconds deadline) {
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + deadline);
}

std::string code_name(grpc::StatusCode code) {
  // gRPC's codes are absl's (same names, same numbers).
  const std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN_STATUS_CODE" : name;
}

uint64_t Counters::submitted_total() const {
  uint64_t n = 0;
  for (size_t c = 0; c < kChannels; ++c) n += submitted(c);
  return n;
}

void Counters::error(std::string_view method, const grpc::Status& status) {
  std::lock_guard lock(mu_);
  const uint64_t seen = errors_[std::string(method) + " " + code_name(status.error_code())]++;
  last_error_ =
      std::string(method) + ": " + code_name(status.error_code()) + ": " + status.error_message();
  // The first of each kind goes to the log with routerd's message; the rest are counted.
  if (seen == 0) std::fprintf(stderr, "routerdemo: %s\n", last_error_.c_str());
}

uint64_t Counters::errors_total() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const auto& [key, count] : errors_) n += count;
  return n;
}

std::map<std::string, uint64_t> Counters::errors_by_code() const {
  std::lock_guard lock(mu_);
  std::map<std::string, uint64_t> out;
  for (const auto& [key, count] : errors_) out[key.substr(key.rfind(' ') + 1)] += count;
  return out;
}

std::map<std::string, uint64_t> Counters::errors_by_method() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::string Counters::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace router::demo
