// What a routerload run measured, and how it is shown: counts, latency histograms and errors by
// RPC and status code (Figures), gathered per driver thread and merged at the end; a Report adds
// the run's target and measuring window, and prints as a table or as JSON, optionally next to an
// echo baseline run with the same load (the ratio is the figure that travels between machines).
// Not thread-safe: each driver thread fills its own Figures; merge() after they stopped.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tools/routerload/latency_histogram.h"

namespace router::load {

// The RPCs routerload makes (all but StreamWork, which is counted as stream events).
enum class Rpc {
  kSubmit,
  kCancel,
  kLogin,
  kSetState,
  kAccept,
  kReject,
  kComplete,
  kEndWrapUp,
  kLogout,
  kStreamWork,  // only its final status, when it ends with an error while the run goes on
  // The session streams (--api stream), likewise: only a final status that is an error.
  kGatewayStream,
  kAgentSession,
  kAgentLink,
};
inline constexpr size_t kRpcKinds = 13;
const char* rpc_name(Rpc rpc);  // "SubmitInteraction", ...

struct Figures {
  // Latencies of what happened inside the measuring window.
  LatencyHistogram submit_ack;       // SubmitInteraction sent → its answer
  LatencyHistogram submit_to_offer;  // SubmitInteraction sent → the offer read from StreamWork
  LatencyHistogram accept_ack;       // AcceptOffer sent → its answer
  LatencyHistogram complete_ack;     // CompleteInteraction sent → its answer

  // Counts inside the measuring window.
  uint64_t submitted = 0;      // SubmitInteraction answered OK (replays included)
  uint64_t offered = 0;        // offers read by the agent desktops
  uint64_t accepted = 0;       // AcceptOffer answered OK
  uint64_t completed = 0;      // CompleteInteraction answered OK: one full lifecycle
  uint64_t rpcs = 0;           // unary RPCs answered (any status)
  uint64_t stream_events = 0;  // WorkEvents read (offers, updates, statuses, heartbeats)

  // Whole run, window or not: what the end check needs.
  uint64_t submitted_total = 0;
  uint64_t completed_total = 0;
  uint64_t cancelled_at_end = 0;  // still live after the drain, cancelled by routerload
  uint64_t unfinished = 0;        // live after the drain and the cancels (lost, or stuck)
  uint64_t throttled = 0;  // open loop: arrivals not sent, --max-inflight submits were pending
  // Offers of an interaction another agent's AcceptOffer was answered OK for (and that agent had
  // not completed): accepted work that did not stay with its agent (a failover that lost it).
  uint64_t reoffered_after_accept = 0;
  // The first few of them, "<interaction> accepted by <agent>, offered to <agent>": what to
  // look up in routerd's log.
  std::vector<std::string> reoffered_examples;
  static constexpr size_t kMaxReofferedExamples = 5;

  // Non-OK answers over the whole run, by RPC and grpc::StatusCode.
  std::map<std::pair<Rpc, int>, uint64_t> errors;
  // The first message of each (RPC, code), as an example of what the server said.
  std::map<std::pair<Rpc, int>, std::string> error_examples;

  void error(Rpc rpc, int code, const std::string& message = {}) {
    if (++errors[{rpc, code}] == 1 && !message.empty()) error_examples[{rpc, code}] = message;
  }
  uint64_t error_count() const;
  void merge(const Figures& other);
};

// What the server process cost, read from /proc/<pid> (routerload --server-pid, and the echo
// baseline it starts itself); zero when not measured.
struct ServerUsage {
  bool measured = false;
  double cpu_s = 0;                 // utime + stime over the measuring window
  double cpu_us_per_lifecycle = 0;  // cpu_s / lifecycles completed in the window
  uint64_t rss_before = 0;          // VmRSS before the agents connected, bytes
  uint64_t rss_connected = 0;       // VmRSS with every agent connected (logged in), bytes
  double rss_per_agent = 0;         // (rss_connected - rss_before) / agents, bytes
  size_t agents = 0;
};

struct Report {
  std::string label;          // "routerd 127.0.0.1:50051", "echo 127.0.0.1:40117"
  std::string api = "unary";  // "unary", "stream" or "stream, N agent links" (--api, --agent-link)
  ServerUsage server;
  double window_s = 0;  // the measuring window (after the warm-up, until submits stop)
  double run_s = 0;     // start to the end of the drain
  Figures figures;

  double lifecycles_per_s() const;  // completed / window_s
  double rpcs_per_s() const;        // (rpcs + stream_events) / window_s
};

// The report as a fixed-width table; with `baseline`, the baseline's figures and the ratios
// (rate: this / baseline; latency: this / baseline) follow each row.
std::string format_table(const Report& report, const Report* baseline = nullptr);

// {"label", "window_s", "lifecycles_per_s", "rpcs_per_s", "counts": {...},
//  "latency_ms": {"submit_ack": {"p50", "p90", "p99", "p99_9", "max", "mean", "count"}, ...},
//  "errors": [{"rpc", "code", "count", "example"}]}; with `baseline`: "baseline": {...same...},
//  "ratios": {"lifecycles_per_s", "rpcs_per_s", "submit_to_offer_p99", ...}.
nlohmann::json to_json(const Report& report, const Report* baseline = nullptr);

// "OK", "UNAVAILABLE", ...: grpc::StatusCode's name.
std::string status_code_name(int code);

}  // namespace router::load
