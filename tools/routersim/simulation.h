// routersim's core: a discrete-event simulation in simulated time that drives the very same
// engine::Router the daemon runs (no copy of the routing logic). Poisson arrivals per call
// type (optionally per interval of the day), exponential or lognormal handle times,
// exponential patience (abandon while waiting), work items with a due time (some scheduled
// ahead), agents from the routing configuration with an accept delay and the queue's wrap-up;
// independent replications give 95% confidence intervals. Deterministic: the same workload,
// seed and policy give the same results.
// Not thread-safe: one simulation runs on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "engine/router.h"

namespace router::sim {

enum class Distribution : uint8_t { kExponential, kLognormal, kDeterministic };

struct HandleTime {
  Distribution distribution = Distribution::kExponential;
  double mean_s = 180.0;
  double sd_s = 0.0;  // lognormal only
};

// Arrival rate for [from_s, to_s), in seconds since the start of the measured period (after
// warm-up); the warm-up runs at the rate in force at 0. Outside every interval the rate is 0.
struct RateInterval {
  double from_s = 0.0;
  double to_s = 0.0;
  double per_hour = 0.0;
};

// Work items only: a share of them submitted ahead of their time (a follow-up, a scheduled
// callback), routed from not_before = arrival + after_s.
struct Scheduling {
  double share = 0.0;  // (0, 1]
  double after_s = 0.0;
};

struct CallType {
  std::string name;   // a "class" in the results
  std::string queue;  // queue name in the routing configuration
  engine::Channel channel = engine::Channel::kPhone;
  double per_hour = 0.0;                // used when `intervals` is empty
  std::vector<RateInterval> intervals;  // piecewise-constant rate over the run
  HandleTime handle;
  std::optional<double> patience_mean_s;  // exponential; absent: callers never abandon
  engine::Segment segment = engine::Segment::kOrdinary;
  double lifetime_value = 0.0;
  std::string language;
  int priority = 0;
  // Work items only (channel kWorkItem). Due this long after the time it is routed from (its
  // arrival, or not_before when scheduled); absent: its queue's service-level threshold.
  std::optional<double> due_s;
  std::optional<Scheduling> scheduled;  // absent: every item is routed at its arrival
  // The share of arrivals whose customer has a last agent: one of the workload's agents, drawn
  // at random (affinity, and a queue's preferred-agent hold). Default 0.
  double last_agent_share = 0.0;
};

struct Workload {
  std::vector<CallType> call_types;
  double duration_s = 8 * 3600.0;  // measured period per replication
  double warmup_s = 1800.0;        // simulated before measuring (not counted)
  double accept_delay_s = 2.0;     // from offer to the agent's accept (deterministic)
  int replications = 10;
  uint64_t seed = 1;
  // Agents log in READY at the start; absent: every agent of the routing configuration.
  std::optional<std::vector<std::string>> agents;
  // The wall-clock instant warm-up starts at, for opening hours (RFC 3339, e.g.
  // "2026-12-07T08:00:00Z"; default: that Monday 08:00 UTC).
  std::chrono::system_clock::time_point start =
      std::chrono::sys_days(std::chrono::year{2026} / 12 / 7) + std::chrono::hours(8);
};

// Load a workload from YAML or JSON (same schema; see docs/simulation.md). Errors name the
// file and the field.
engine::Result<Workload> load_workload(const std::string& path);
engine::Result<Workload> parse_workload(const std::string& text, const std::string& source);

// Routing policies compared on the same workload and random numbers. All but kPoints replace
// every queue's weights (engine::WeightOverrides) with the reference strategy's setting.
enum class Policy : uint8_t {
  kPoints,           // the configuration's own weights (the product)
  kFifoLongestIdle,  // wait only: oldest first, longest-idle agent (Asterisk leastrecent)
  kFewestCalls,      // agent who completed fewest (Asterisk fewestcalls)
  kRandom,           // a random eligible agent (Asterisk random)
  kStaticPriority,   // interaction + queue priority first, then FIFO
  kRoundRobin,       // the agent after the last one offered, in a circle (Asterisk rrmemory)
  kRingAll,          // every eligible agent rings, the first to answer takes it (Asterisk ringall)
};
std::string_view to_string(Policy p);
std::optional<Policy> policy_from_string(std::string_view name);

// A mean with its 95% confidence half-width over replications (Student t).
struct Estimate {
  double mean = 0.0;
  double half_width = 0.0;
};

// What an Outcome's service level counts as within target.
enum class ServiceLevelMeasure : uint8_t {
  kAnsweredWithinThreshold,  // answered (accepted) within its queue's threshold
  kDoneByDue,                // work items: done (answered + its handle time) by its due time
  kMixed,                    // a queue taking both: each interaction by its own measure
};
std::string_view to_string(ServiceLevelMeasure m);

// Per queue or per call type, measured after warm-up. Interactions that arrive in the measured
// period count; those still waiting at its end count as offered, not answered (their wait so
// far counts in the wait statistics). An interaction counts for the queue it entered at arrival
// (its call type's queue) even if it overflowed, and is judged against that queue's
// service-level threshold. A wait runs from arrival to accept (so it includes the accept
// delay), to cancel, or to expiry. A scheduled work item arrives at its not_before: it counts
// if that falls in the measured period, and its wait runs from it. A work item is within target
// when done by its due time (answer + handle time <= due), whenever it was answered.
struct Outcome {
  std::string name;
  ServiceLevelMeasure service_level_measure = ServiceLevelMeasure::kAnsweredWithinThreshold;
  Estimate offered;  // per replication
  Estimate answered;
  Estimate abandoned;
  Estimate expired;    // reached the queue's max_wait
  Estimate refused;    // turned away at submit by the arrival rules (closed, cap, nobody logged in)
  Estimate callbacks;  // calls a closed queue took as callback work items (when_closed CALLBACK)
  Estimate service_level;  // within target (service_level_measure) / offered
  Estimate asa_s;          // mean wait of the answered
  Estimate wait_mean_s;    // mean wait of all (answered: to answer; abandoned: to abandon)
  Estimate wait_p90_s;     // 90th percentile of the wait of all
  Estimate abandon_rate;   // abandoned / offered
  Estimate p_wait;         // not offered to an agent on arrival (had to queue) / offered
  // Share of all logged-in agent time spent on this queue's / call type's work (offered,
  // talking, wrap-up), so the queues' figures add up to the overall occupancy when agents hold
  // one interaction at a time.
  Estimate occupancy;
  std::vector<double> wait_histogram;  // share of interactions per 5 s bucket, 0..300 s+
  // The engine's wait range (Router::wait_estimate, calibrated) for each interaction that had to
  // wait, taken when it arrived, against its actual wait to its first offer; those that
  // abandoned or expired before an offer are left out (their wait is not known). Shares of
  // those estimated: in the range, below it, above it.
  Estimate ewt_in_range;
  Estimate ewt_below;
  Estimate ewt_above;
};

struct Results {
  Policy policy = Policy::kPoints;
  int replications = 0;
  double simulated_interactions = 0;  // all replications
  double wall_s = 0;                  // time taken (for the speed claim)
  std::vector<Outcome> queues;
  std::vector<Outcome> call_types;
  // Occupied (RESERVED + BUSY + WRAP_UP: an offer ringing counts as work) time / logged-in time,
  // over all agents, in the measured period.
  Estimate occupancy;
};

// Called after each replication with (replications done, replications in all).
using ProgressFn = std::function<void(int done, int total)>;

// Runs `workload.replications` independent replications (seeds seed, seed+1, ...). Errors:
// a call type naming an unknown queue or a channel its queue does not take, an unknown agent,
// an accept delay not shorter than a queue's offer timeout, or an engine refusal (a bug).
engine::Result<Results> simulate(const adapters::config::RoutingModel& model,
                                 const Workload& workload, Policy policy,
                                 const ProgressFn& progress = {});

}  // namespace router::sim
