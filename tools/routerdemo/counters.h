// What the simulated gateways and desktops did, counted for the progress line and the final
// summary, plus the small helpers every simulated client uses to call routerd (bearer token,
// deadline, status names). Thread-safe: atomics and one mutex for the error table.
#pragma once

#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "tools/routerdemo/scenario.h"

namespace router::demo {

// Every request gets this deadline (its answer on a session stream): a stuck request must never
// stall a simulated desktop.
inline constexpr std::chrono::milliseconds kCallDeadline{5000};

// Adds "authorization: Bearer <token>" (unless `token` is empty) and a deadline.
void prepare(grpc::ClientContext& context, const std::string& token,
             std::chrono::milliseconds deadline = kCallDeadline);

// "FAILED_PRECONDITION", "UNAVAILABLE", ...
std::string code_name(grpc::StatusCode code);

enum class Count : size_t {
  kAccepted,          // AcceptOffer answered OK
  kRejected,          // RejectOffer answered OK (the agent said no)
  kIgnored,           // offers the agent let run out on purpose
  kMissed,            // the agent was set NOT_READY("missed") by an offer timeout
  kLate,              // accept / end-wrap-up refused because the offer or wrap-up had ended
  kCompleted,         // CompleteInteraction answered OK
  kWrapUpEnded,       // EndWrapUp answered OK (the rest end on routerd's timer)
  kAbandoned,         // a cancel answered OK: the caller hung up while waiting
  kAnsweredAtHangUp,  // the caller's patience ran out just as an agent took it
  kExpired,           // routerd reported EXPIRED (past the queue's maximum wait)
  kOverflowed,        // routerd reported a move to the overflow queue
  kRefused,           // a submit its queue's arrival rules or opening hours turned away
  kCallbacks,         // calls a closed queue took as callback work items
  kBreaks,            // agents going NOT_READY("break")
  kStreamsLost,       // AgentSession / GatewayStream streams that ended and were reopened
  kSize,
};

class Counters {
 public:
  void add(Count what, uint64_t n = 1) {
    counts_[static_cast<size_t>(what)].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t get(Count what) const {
    return counts_[static_cast<size_t>(what)].load(std::memory_order_relaxed);
  }

  void submitted(v1::Channel channel) {
    submitted_[channel_index(channel)].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t submitted(size_t channel_index) const {
    return submitted_[channel_index].load(std::memory_order_relaxed);
  }
  uint64_t submitted_total() const;

  // A call that failed in a way the demo did not expect; `method` is the RPC's name. The first
  // of each (method, code) is written to stderr.
  void error(std::string_view method, const grpc::Status& status);
  uint64_t errors_total() const;
  std::map<std::string, uint64_t> errors_by_code() const;    // "UNAVAILABLE" → n
  std::map<std::string, uint64_t> errors_by_method() const;  // "SubmitInteraction UNAVAILABLE"
  // The last error's text, for the log when it first appears.
  std::string last_error() const;

  // Any answer from routerd (OK or an application error) proves it is there.
  void reached() { last_reached_ns_.store(now_ns(), std::memory_order_relaxed); }
  std::chrono::steady_clock::time_point last_reached() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::nanoseconds(last_reached_ns_.load(std::memory_order_relaxed)));
  }

 private:
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::array<std::atomic<uint64_t>, static_cast<size_t>(Count::kSize)> counts_{};
  std::array<std::atomic<uint64_t>, kChannels> submitted_{};
  std::atomic<int64_t> last_reached_ns_{now_ns()};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> errors_;  // "method CODE" → n
  std::string last_error_;
};

}  // namespace router::demo
