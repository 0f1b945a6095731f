// Who may see the board: routerd decides. A viewer's token (from the routerwall_token cookie or an
// "Authorization: Bearer" header) is forwarded to routerd in one GetQueueStats; routerd's answer
// is the verdict, remembered for a short while so that a page, its event stream and its reloads
// cost routerd one call per token per `ttl`. routerwall holds no list of tokens and never logs one.
// A token routerd accepted stays accepted while routerd cannot be asked (a wall screen keeps its
// last figures, marked stale); a refusal takes effect at the next check. Bounded: at most
// kMaxEntries tokens remembered, at most kMaxAsksPerSecond calls to routerd for tokens not
// remembered (more: kBusy). Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace router::wall {

enum class Verdict {
  kAccepted,          // routerd answered the call: a SUPERVISOR token (or routerd without auth)
  kUnauthenticated,   // routerd: UNAUTHENTICATED (no token, an unknown token)
  kPermissionDenied,  // routerd: PERMISSION_DENIED (a token of another role)
  kMalformed,         // not asked: longer than kMaxTokenLength or not printable ASCII
  kUnavailable,       // routerd could not be asked (and had not accepted this token before)
  kBusy,              // too many unknown tokens to ask about this second
};

struct Check {
  Verdict verdict = Verdict::kUnauthenticated;
  std::string message;  // routerd's words (or ours), for the viewer; never the token
};

// The HTTP status routerwall answers a verdict with: 200, 401 (unauthenticated, malformed), 403,
// 503 (unavailable), 429 (busy).
int http_status(Verdict verdict);
const char* verdict_name(Verdict verdict);  // "accepted", "unauthenticated", ...

class ViewerAuth {
 public:
  static constexpr size_t kMaxEntries = 1024;
  static constexpr int kMaxAsksPerSecond = 20;
  static constexpr size_t kMaxTokenLength = 512;

  using Clock = std::chrono::steady_clock;
  // Asks routerd whether `token` may read the supervisor's figures.
  using Ask = std::function<grpc::Status(const std::string& token)>;

  ViewerAuth(Ask ask, std::chrono::milliseconds ttl);

  // The verdict on `token` ("" : no token; routerd decides that too).
  Check check(const std::string& token);

 private:
  struct Entry {
    Check check;
    Clock::time_point checked_at;
  };
  bool may_ask(Clock::time_point now);  // REQUIRES: mu_ held
  void remember(const std::string& token, const Check& check, Clock::time_point now);

  Ask ask_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // guarded by mu_
  Clock::time_point window_start_{};      // guarded by mu_: the second asks are counted in
  int asks_in_window_ = 0;                // guarded by mu_
};

}  // namespace router::wall
