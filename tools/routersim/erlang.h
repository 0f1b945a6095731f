// Exact queueing formulas the simulator is validated against, computed rather than tabulated:
// Erlang C (M/M/N, callers never abandon) and Erlang A (M/M/N+M, exponential patience), plus
// the staffing question "fewest agents for this service level". Stable for loads of thousands
// of erlangs (Erlang B recursion; the birth–death chain in log space). Pure functions.
#pragma once

#include <optional>

#include "engine/types.h"

namespace router::sim {

// One queue served first come, first served by `agents` identical agents.
struct QueueModel {
  double arrival_per_s = 0.0;  // λ, Poisson
  double mean_handle_s = 0.0;  // 1/μ, exponential handle time
  int agents = 0;              // N
  // 1/θ, exponential patience: a caller abandons when it runs out while waiting.
  // Absent: callers never abandon (Erlang C, which then requires λ/μ < N).
  std::optional<double> patience_mean_s;

  double offered_load() const { return arrival_per_s * mean_handle_s; }  // erlangs
};

// What an arriving caller sees in steady state (PASTA). Rates are shares of the offered.
struct QueueMetrics {
  double p_wait = 0.0;         // finds every agent busy (then waits, or abandons)
  double p_abandon = 0.0;      // abandons before an answer (0 under Erlang C)
  double service_level = 0.0;  // answered within the threshold / offered
  double asa_s = 0.0;          // mean wait of the answered
  double wait_mean_s = 0.0;    // mean wait of all (to answer or to abandon)
  double occupancy = 0.0;      // mean busy agents / N
};

// Erlang B blocking probability for N servers and A erlangs, by the stable recursion
// B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)). REQUIRES: servers ≥ 0, load ≥ 0.
double erlang_b(int servers, double load);

// Erlang C probability of waiting, from B: C = N·B / (N − A(1 − B)). 1 when load ≥ servers.
double erlang_c(int servers, double load);

// Metrics of `model` with service level measured at `threshold_s`. Without patience this is
// Erlang C (SL = 1 − C·e^{−(Nμ−λ)t}, ASA = C/(Nμ−λ)); with patience it is Erlang A, solved on
// the birth–death chain (birth λ, death min(k,N)μ + max(k−N,0)θ) truncated where the terms no
// longer matter. Errors (invalid argument) name the field: non-positive rates or times, no
// agents, or a load that Erlang C cannot carry.
engine::Result<QueueMetrics> queue_metrics(const QueueModel& model, double threshold_s);

// The fewest agents (≤ max_agents) whose service level at `threshold_s` reaches
// `target_service_level` for `model` (its `agents` field is ignored). Pooled staffing: give it
// the total load of every call type. Error if even max_agents do not suffice.
engine::Result<int> agents_for_service_level(QueueModel model, double threshold_s,
                                             double target_service_level, int max_agents = 100000);

}  // namespace router::sim
