// Viewers' tokens checked by routerd, remembered briefly; see viewer_auth.h.
#include "tools/routerwall/viewer_auth.h"

#include <utility>

#include "tools/routerwall/routerd_link.h"

namespace router::wall {

int http_status(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted: return 200;
    case Verdict::kUnauthenticated:
    case Verdict::kMalformed: return 401;
    case Verdict::kPermissionDenied: return 403;
    case Verdict::kUnavailable: return 503;
    case Verdict::kBusy: return 429;
  }
  return 500;
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted: return "accepted";
    case Verdict::kUnauthenticated: return "unauthenticated";
    case Verdict::kPermissionDenied: return "permission_denied";
    case Verdict::kMalformed: return "malformed";
    case Verdict::kUnavailable: return "unavailable";
    case Verdict::kBusy: return "busy";
  }
  return "unknown";
}

ViewerAuth::ViewerAuth(Ask ask, std::chrono::milliseconds ttl) : ask_(std::move(ask)), ttl_(ttl) {}

bool ViewerAuth::may_ask(Clock::time_point now) {
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    asks_in_window_ = 0;
  }
  if (asks_in_window_ >= kMaxAsksPerSecond) return false;
  ++asks_in_window_;
  return true;
}

void ViewerAuth::remember(const std::string& token, const Check& check, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries && entries_.find(token) == entries_.end()) {
    // Expired ones first; when none has, the oldest check.
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now - it->second.checked_at >= ttl_ ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= kMaxEntries) {
      auto oldest = entries_.begin();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.checked_at < oldest->second.checked_at) oldest = it;
      }
      entries_.erase(oldest);
    }
  }
  entries_[token] = Entry{check, now};
}

Check ViewerAuth::check(const std::string& token) {
  if (token.size() > kMaxTokenLength) {
    return {Verdict::kMalformed, "not a token: longer than " + std::to_string(kMaxTokenLength)};
  }
  for (const char c : token) {
    if (c < 0x21 || c > 0x7e)
      return {Verdict::kMalformed,
              "not a token: a character is not "
              "printable ASCII"};
  }
  const Clock::time_point now = Clock::now();
  bool accepted_before = false;
  {
    std::lock_guard lock(mu_);
    const auto it = entries_.find(token);
    if (it != entries_.end()) {
      if (now - it->second.checked_at < ttl_) return it->second.check;
      accepted_before = it->second.check.verdict == Verdict::kAccepted;
    }
    // A token routerd accepted is asked about again whatever the rate; unknown ones are limited.
    if (!accepted_before && !may_ask(now)) {
      return {Verdict::kBusy, "too many sign-in attempts; try again in a second"};
    }
  }
  const grpc::Status status = ask_(token);
  Check check;
  switch (status.error_code()) {
    case grpc::StatusCode::OK: check = {Verdict::kAccepted, ""}; break;
    case grpc::StatusCode::UNAUTHENTICATED:
      check = {Verdict::kUnauthenticated, "routerd: " + status.error_message()};
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
      check = {Verdict::kPermissionDenied, "routerd: " + status.error_message()};
      break;
    default:
      // Not a verdict on the token: routerd away, a standby, a deadline. Not remembered.
      if (accepted_before) return {Verdict::kAccepted, ""};
      return {Verdict::kUnavailable, "cannot ask routerd about the token: " + describe(status)};
  }
  remember(token, check, now);
  return check;
}

}  // namespace router::wall
