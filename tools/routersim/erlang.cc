// Erlang C in closed form from the Erlang B recursion; Erlang A on the truncated birth–death
// chain, with the waiting time of a tagged caller solved exactly (see erlang_a below).
#include "tools/routersim/erlang.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>
#include <vector>

namespace router::sim {
namespace {

// The chain is cut where a state's probability falls below e^−45 (≈ 3e−20) of the largest.
constexpr double kNegligibleLog = -45.0;
// Limits: states of the chain and uniformization steps × states for SL(t) under Erlang A.
constexpr size_t kMaxStates = size_t{1} << 22;
constexpr double kMaxUniformizationWork = 4e8;

bool positive(double x) { return std::isfinite(x) && x > 0.0; }

engine::Status check(const QueueModel& m, double threshold_s) {
  if (!positive(m.arrival_per_s)) {
    return engine::invalid_argument("arrival_per_s: must be > 0");
  }
  if (!positive(m.mean_handle_s)) return engine::invalid_argument("mean_handle_s: must be > 0");
  if (m.agents < 1) return engine::invalid_argument("agents: must be ≥ 1");
  if (m.patience_mean_s && !positive(*m.patience_mean_s)) {
    return engine::invalid_argument("patience_mean_s: must be > 0 when set");
  }
  if (!std::isfinite(threshold_s) || threshold_s < 0.0) {
    return engine::invalid_argument("threshold_s: must be ≥ 0");
  }
  return {};
}

QueueMetrics erlang_c_metrics(const QueueModel& m, double threshold_s) {
  const double load = m.offered_load();
  const double mu = 1.0 / m.mean_handle_s;
  const double drain_per_s = m.agents * mu - m.arrival_per_s;  // Nμ − λ > 0
  QueueMetrics r;
  r.p_wait = erlang_c(m.agents, load);
  r.service_level = 1.0 - r.p_wait * std::exp(-drain_per_s * threshold_s);
  r.asa_s = r.p_wait / drain_per_s;
  r.wait_mean_s = r.asa_s;
  r.occupancy = load / m.agents;
  return r;
}

// P(Σ_{i=0..j} Exp(q_i) ≤ t) for every j in [0, q.size()), by uniformization of the pure-death
// chain "i callers ahead" at rate Λ = max q: F_j(t) = Σ_n Poisson(n; Λt)·u_n(j), where u_n(j)
// is the chance the jump chain from j is absorbed within n jumps. O(steps × states), no
// alternating sums (the closed hypoexponential form cancels catastrophically).
engine::Result<std::vector<double>> hypoexponential_cdfs(const std::vector<double>& q, double t) {
  std::vector<double> cdf(q.size(), 0.0);
  if (q.empty() || t <= 0.0) return cdf;
  const double rate = *std::max_element(q.begin(), q.end());
  const double x = rate * t;
  const double steps = std::ceil(x + 12.0 * std::sqrt(x) + 40.0);
  if (steps * static_cast<double>(q.size()) > kMaxUniformizationWork) {
    return engine::resource_exhausted("threshold_s: service level too costly to compute (" +
                                      std::to_string(steps) + " uniformization steps)");
  }
  std::vector<double> u(q.size(), 0.0);
  std::vector<double> next(q.size());
  const double log_x = std::log(x);
  for (int n = 0; n <= static_cast<int>(steps); ++n) {
    const double poisson = std::exp(-x + n * log_x - std::lgamma(n + 1.0));
    for (size_t j = 0; j < q.size(); ++j) cdf[j] += poisson * u[j];
    for (size_t j = 0; j < q.size(); ++j) {
      const double move = q[j] / rate;
      const double ahead = j == 0 ? 1.0 : u[j - 1];
      next[j] = move * ahead + (1.0 - move) * u[j];
    }
    u.swap(next);
  }
  for (double& c : cdf) c = std::clamp(c, 0.0, 1.0);
  return cdf;
}

// Erlang A. The stationary law π_k of the number in system comes from the birth–death chain.
// A caller arriving to k ≥ N (PASTA) has j = k − N callers ahead; it moves up one place at rate
// r_i = Nμ + iθ when i are ahead (an answer, or an abandon ahead: FIFO makes those behind
// irrelevant) and reaches an agent after S = Σ_{i=0..j} Exp(r_i), unless its own patience
// T ~ Exp(θ) runs out first. Since T is independent of S,
//   P(S ≤ t, S < T) = E[e^{−θS}; S ≤ t] = Π_i r_i/(r_i+θ) · P(S' ≤ t),  S' = Σ Exp(r_i + θ),
//   E[S; S < T]     = Π_i r_i/(r_i+θ) · Σ_i 1/(r_i + θ).
// That gives SL(t) and ASA exactly; P(abandon) = θ·E[queue]/λ is computed independently and
// the two agree (a check in the unit test).
engine::Result<QueueMetrics> erlang_a_metrics(const QueueModel& m, double threshold_s) {
  const double lambda = m.arrival_per_s;
  const double mu = 1.0 / m.mean_handle_s;
  const double theta = 1.0 / *m.patience_mean_s;
  const int n_agents = m.agents;

  // log π_k up to the point where the tail no longer matters (the death rate grows without
  // bound past N because θ > 0, so the terms eventually fall geometrically).
  std::vector<double> log_pi{0.0};
  double log_max = 0.0;
  for (size_t k = 1;; ++k) {
    if (k >= kMaxStates) {
      return engine::resource_exhausted("patience_mean_s: the chain needs more than " +
                                        std::to_string(kMaxStates) + " states");
    }
    const double served = std::min<double>(static_cast<double>(k), n_agents) * mu;
    const double waiting = std::max<double>(static_cast<double>(k) - n_agents, 0.0) * theta;
    const double death = served + waiting;
    log_pi.push_back(log_pi.back() + std::log(lambda) - std::log(death));
    log_max = std::max(log_max, log_pi.back());
    const bool past_mode = death > lambda;
    if (k > static_cast<size_t>(n_agents) && past_mode && log_pi.back() - log_max < kNegligibleLog)
      break;
  }
  std::vector<double> w(log_pi.size());
  double total = 0.0;
  for (size_t k = 0; k < w.size(); ++k) {
    w[k] = std::exp(log_pi[k] - log_max);
    total += w[k];
  }
  for (double& x : w) x /= total;

  const size_t n = static_cast<size_t>(n_agents);
  double no_wait = 0.0;
  double busy = 0.0;
  for (size_t k = 0; k < n; ++k) {
    no_wait += w[k];
    busy += static_cast<double>(k) * w[k];
  }
  const size_t queued_states = w.size() - n;  // j = 0 .. queued_states−1 callers ahead
  std::vector<double> q(queued_states);       // r_j + θ
  for (size_t j = 0; j < queued_states; ++j) {
    q[j] = n_agents * mu + static_cast<double>(j + 1) * theta;
  }
  auto cdf = hypoexponential_cdfs(q, threshold_s);
  if (!cdf.ok()) return cdf.error();

  double queue_mean = 0.0;
  double answered = no_wait;
  double answered_in_time = no_wait;
  double answered_wait = 0.0;
  double survive = 1.0;      // Π r_i/(r_i+θ) over i ≤ j
  double mean_tilted = 0.0;  // Σ 1/(r_i+θ) over i ≤ j
  for (size_t j = 0; j < queued_states; ++j) {
    const double pj = w[n + j];
    const double r = q[j] - theta;
    survive *= r / q[j];
    mean_tilted += 1.0 / q[j];
    queue_mean += static_cast<double>(j) * pj;
    busy += n_agents * pj;
    answered += pj * survive;
    answered_in_time += pj * survive * (*cdf)[j];
    answered_wait += pj * survive * mean_tilted;
  }
  QueueMetrics r;
  r.p_wait = 1.0 - no_wait;
  r.p_abandon = theta * queue_mean / lambda;
  r.service_level = answered_in_time;
  r.asa_s = answered > 0.0 ? answered_wait / answered : 0.0;
  r.wait_mean_s = queue_mean / lambda;  // Little's law on the waiting line
  r.occupancy = busy / n_agents;
  assert(std::abs(answered + r.p_abandon - 1.0) < 1e-9);
  return r;
}

}  // namespace

double erlang_b(int servers, double load) {
  assert(servers >= 0 && load >= 0.0);
  double b = 1.0;
  for (int n = 1; n <= servers; ++n) b = load * b / (n + load * b);
  return b;
}

double erlang_c(int servers, double load) {
  if (load >= servers) return 1.0;
  const double b = erlang_b(servers, load);
  return servers * b / (servers - load * (1.0 - b));
}

engine::Result<QueueMetrics> queue_metrics(const QueueModel& model, double threshold_s) {
  if (engine::Status s = check(model, threshold_s); !s.ok()) return s.error();
  if (model.patience_mean_s) return erlang_a_metrics(model, threshold_s);
  if (model.offered_load() >= model.agents) {
    return engine::invalid_argument("agents: Erlang C needs more agents than the offered load (" +
                                    std::to_string(model.offered_load()) +
                                    " erlangs); without patience the queue grows "
                                    "without bound");
  }
  return erlang_c_metrics(model, threshold_s);
}

engine::Result<int> agents_for_service_level(QueueModel model, double threshold_s,
                                             double target_service_level, int max_agents) {
  if (!(target_service_level > 0.0 && target_service_level < 1.0)) {
    return engine::invalid_argument("target_service_level: must be in (0, 1)");
  }
  model.agents = 1;
  if (!model.patience_mean_s) {
    model.agents = static_cast<int>(std::floor(model.offered_load())) + 1;
  }
  for (; model.agents <= max_agents; ++model.agents) {
    auto m = queue_metrics(model, threshold_s);
    if (!m.ok()) return m.error();
    if (m->service_level >= target_service_level) return model.agents;
  }
  return engine::invalid_argument("max_agents: " + std::to_string(max_agents) +
                                  " agents do not reach the target service level");
}

}  // namespace router::sim
