// The pieces of a routerload run (load.h) that its files share: the driver threads, the Run
// every gateway and agent desktop reports to, and the interfaces of gateways and desktops.
// load_gateway.cc holds the gateways, load_agent.cc the agent desktops, load.cc the run itself.
// Internal to routerload.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tools/routerload/load.h"

namespace router::load::detail {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

inline constexpr char kSentAttribute[] = "routerload_t0";
inline constexpr auto kRpcDeadline = std::chrono::seconds(30);
inline constexpr auto kRetryAfterError = std::chrono::milliseconds(20);
inline constexpr auto kRetryFill = std::chrono::milliseconds(2);
// After a failover (routerd answers UNAVAILABLE, a stream ends): what is safe to retry is sent
// again, and streams are reopened, after 100 ms, then 200, then every 250 ms (docs/availability.md,
// "What to retry"); `attempt` counts from 0. The cap is short because a takeover is: the new
// active serves 1.0-1.45 s after the kill with the lease's defaults, and with a 500 ms cap the
// tries fell at 1.2 s (too early) and 1.7 s, which added 0.5 s to one in six of the chaos test's
// kills; a try costs one HTTP/2 stream HAProxy answers 503.
inline Clock::duration failover_backoff(int attempt) {
  return std::chrono::milliseconds(std::min<int64_t>(250, int64_t{100} << std::min(attempt, 1)));
}
// A call that failed this way may not have reached the active routerd: retried. CANCELLED is
// among them because routerload cancels nothing before the run's end: HAProxy resets the calls
// in flight to a routerd that died (RST_STREAM CANCEL).
inline bool failover_code(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED;
}
// A stream with requests out and nothing read for --stall-s is given up and reopened on a new
// connection (StreamClient::abandon): seen after failovers through HAProxy, where now and then a
// new stream on a connection went unanswered and its cancel never completed.
inline std::chrono::nanoseconds stall_limit(const LoadOptions& options) {
  return std::chrono::nanoseconds(static_cast<int64_t>(options.stall_s * 1e9));
}
inline std::string stall_text(const LoadOptions& options, const char* what) {
  char text[160];
  std::snprintf(text, sizeof text,
                "no answer for %g s: the %s was given up and reopened on a new connection",
                options.stall_s, what);
  return text;
}
inline constexpr size_t kAgentsPerChannel = 1000;  // StreamWork calls per HTTP/2 connection
inline constexpr size_t kMaxAgentChannels = 16;
inline constexpr auto kMaxRamp = std::chrono::seconds(300);

inline int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

// Runs `task` on `io` after `delay`: a one-shot timer that keeps itself alive until then. A
// task whose io_context is stopped first never runs.
template <class Task>
void run_after(asio::io_context& io, Clock::duration delay, Task task) {
  auto timer = std::make_shared<asio::steady_timer>(io, delay);
  timer->async_wait([timer, task = std::move(task)](const std::error_code& ec) mutable {
    if (!ec) task();
  });
}

// One driver thread: an io_context and the figures of what it owns.
struct Driver {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  Figures figures;
  std::thread thread;
};

class Run;

// A unary call in flight: what gRPC needs alive until the callback, and when it was sent.
template <class Request, class Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  int64_t sent_ns = 0;
};

// A simulated gateway (load_gateway.cc). Its methods run on its driver unless said otherwise.
class GatewayBase {
 public:
  virtual ~GatewayBase() = default;
  virtual void start() = 0;  // from any thread: begins submitting
  // One of this gateway's interactions was completed by an agent.
  virtual void finished(uint64_t seq) = 0;
  // After the drain: cancel what is still live.
  virtual void cancel_live() = 0;
  virtual Driver& driver() = 0;
  // From any thread, at the end: ends its GatewayStream (--api stream); closed() once it is over.
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // On its driver: what is still open, for the line routerload prints when its end times out.
  virtual std::string describe() const = 0;
};

// A simulated agent desktop (load_agent.cc). Callable from any thread.
class AgentBase {
 public:
  virtual ~AgentBase() = default;
  virtual void start() = 0;          // log in, open the stream, go READY
  virtual void stop() = 0;           // at the end: log out
  virtual bool stopped() const = 0;  // the logout of stop() was answered (or skipped)
  virtual void start_work() = 0;     // --ready-after-warmup's moment: go READY
  virtual void cancel_stream() = 0;
  virtual bool done() const = 0;  // its stream is over
  virtual Driver& driver() = 0;
  // On its driver: what is still open, for the line routerload prints when its end times out.
  virtual std::string describe() const = 0;
};

// Shared by every gateway and agent of a run.
class Run {
 public:
  Run(const LoadOptions& options, const Center& center, const std::vector<CustomerKeys>& keys);
  engine::Result<Report> execute();

  const LoadOptions& options() const { return options_; }
  const Center& center() const { return center_; }
  const std::vector<CustomerKeys>& customers() const { return customers_; }
  const std::string& id_prefix() const { return id_prefix_; }
  bool measuring() const { return measuring_.load(std::memory_order_relaxed); }
  bool submitting() const { return submitting_.load(std::memory_order_relaxed); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  bool cancelling() const { return cancelling_.load(std::memory_order_relaxed); }

  // A submit may start: false past --count. Counts it.
  bool take_submit() {
    const uint64_t n = issued_.fetch_add(1, std::memory_order_relaxed);
    if (options_.count > 0 && n >= options_.count) {
      submitting_.store(false, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  bool take_inflight() {
    if (inflight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_inflight) {
      inflight_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release_inflight() { inflight_.fetch_sub(1, std::memory_order_relaxed); }

  // Every RPC started goes through these, so teardown can wait for the last callback.
  void rpc_started() { rpcs_pending_.fetch_add(1, std::memory_order_relaxed); }
  void rpc_finished() { rpcs_pending_.fetch_sub(1, std::memory_order_acq_rel); }

  // Progress counters (relaxed; only for the progress line and the drain).
  std::atomic<int64_t> live{0};  // submitted (or being submitted), not completed or cancelled
  std::atomic<uint64_t> progress_submitted{0};
  std::atomic<uint64_t> progress_completed{0};
  std::atomic<uint64_t> progress_errors{0};
  std::atomic<size_t> agents_ready{0};
  // Offers read and not yet through EndWrapUp (or failed): the end waits for these before the
  // agents log out, so a wrap-up timer still running is not cut short.
  std::atomic<int64_t> held{0};
  // Streams given up (StreamClient::abandon) whose call gRPC has not ended yet.
  std::atomic<int64_t> abandoned_calls{0};
  // The end left calls open (they did not end within its wait, or abandoned ones never did):
  // the run must not be freed, since destroying a channel waits for every call to end.
  bool calls_left_open() const { return calls_left_open_; }

  void finished(const std::string& interaction_id);  // posted to the submitting gateway
  // Any thread. An AcceptOffer of `agent` answered OK; an offer of the interaction to `agent`:
  // true when another agent's accept of it was answered OK and that agent has not completed it.
  void accepted(const std::string& interaction_id, const std::string& agent);
  // The agent whose AcceptOffer of `interaction_id` was answered OK (and who has not completed
  // it), if not `agent`.
  std::optional<std::string> offered_elsewhere(const std::string& interaction_id,
                                               const std::string& agent);
  void completed(const std::string& interaction_id);
  // A channel on a connection of its own, new (any thread): a client whose connection stopped
  // answering starts over on another.
  std::shared_ptr<grpc::Channel> fresh_channel() { return make_channel(fresh_channels_++); }

 private:
  std::shared_ptr<grpc::Channel> make_channel(int index) const;
  void progress_line(double elapsed_s, const char* phase, bool final_line);
  bool wait_until(const std::function<bool()>& done, double timeout_s, const char* phase,
                  Clock::time_point started);
  // The end timed out: a line on stderr for each agent and gateway whose calls are still open.
  void report_open();

  const LoadOptions options_;
  const Center& center_;
  const std::vector<CustomerKeys>& customers_;
  std::string id_prefix_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::unique_ptr<GatewayBase>> gateways_;
  std::vector<std::unique_ptr<AgentBase>> agents_;
  std::atomic<bool> measuring_{false};
  std::atomic<bool> submitting_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cancelling_{false};  // the end cancels what is still live
  std::atomic<uint64_t> issued_{0};
  std::atomic<size_t> inflight_{0};
  std::atomic<int64_t> rpcs_pending_{0};
  std::atomic<int> fresh_channels_{1 << 20};  // channel indexes past any make_channel() at start
  bool tty_ = false;
  double last_line_s_ = -1;
  bool calls_left_open_ = false;
  std::mutex accepted_mu_;
  std::unordered_map<std::string, std::string> accepted_;  // interaction -> agent (answered OK)
};

inline std::string bearer(const std::string& token) { return "Bearer " + token; }

inline void prepare(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", bearer(token));
  context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
}

// A gateway on its own connection: `target_live` interactions kept live (closed loop) or
// arrivals at `rate` per second (open loop, when > 0).
std::unique_ptr<GatewayBase> make_gateway(Run& run, Driver& driver, size_t index,
                                          std::shared_ptr<grpc::Channel> channel,
                                          size_t target_live, double rate);
// The desktop of the center's agent `index`.
std::unique_ptr<AgentBase> make_agent(Run& run, Driver& driver, size_t index,
                                      std::shared_ptr<grpc::Channel> channel);

// --agent-link: the desktops of the first `agents` agents, agent a served by the AgentLink of
// token `link_of[a]` (an index into center.links; past its end: no token), each link on its own
// driver and connection; appended to `out`, the links too (they stand for their streams).
void make_linked_agents(Run& run, const std::vector<Driver*>& drivers, size_t agents,
                        const std::vector<size_t>& link_of,
                        const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                        std::vector<std::unique_ptr<AgentBase>>& out);

}  // namespace router::load::detail
