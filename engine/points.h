// INTERNAL to engine/: the points terms, one function per term (docs/routing.md, "Points").
// Each is used both for the exact score (score(), points.cc) and for the upper bounds of the
// indexed search (decisions.cc), so a bound can never be below the score it bounds. Inline
// because those bounds call them in their inner loops. Not thread-safe: owned by the Router.
// Included at the end of router_impl.h, after Router::Impl's definition; not on its own.
// IWYU pragma: private, include "engine/router_impl.h"
#pragma once

namespace router::engine {

inline int Router::Impl::ltv_band(const PointsRules& r, double ltv) {
  if (!(ltv > 0.0) || !(r.ltv_cap > 0.0)) return 0;
  const double share = std::min(ltv, r.ltv_cap) / r.ltv_cap;
  return std::min(kLtvBands, static_cast<int>(share * kLtvBands));
}

inline Points Router::Impl::value_points(const Queue& q, Segment seg, int band) const {
  const double raw = cfg_.rules.segment_points[static_cast<size_t>(seg)] +
                     cfg_.rules.ltv_points * band / kLtvBands;
  return pts(q.w[Term::kCustomerValue], raw);
}

inline Points Router::Impl::priority_points(const Queue& q, int priority) const {
  return pts(q.w[Term::kPriority], priority + q.cfg.priority);
}

// `from` is Interaction::rank_from. Before it (a work item due later than its queue's threshold
// from now) the wait is negative: the item has less claim than a fresh arrival until then.
inline Points Router::Impl::wait_points(const Queue& q, TimePoint from) const {
  const int64_t wait_ms = (now_ - from).count();
  // Wait weight is points per second; points are thousandths: w × ms.
  const Points wait = std::llround(q.w[Term::kWait] * static_cast<double>(wait_ms));
  const double threshold_ms = static_cast<double>(q.cfg.service_level.threshold.count());
  const double start = cfg_.rules.sl_pressure_start * threshold_ms;
  double ramp = 0.0;
  if (static_cast<double>(wait_ms) >= threshold_ms) {
    ramp = 1.0;
  } else if (static_cast<double>(wait_ms) > start && threshold_ms > start) {
    ramp = (static_cast<double>(wait_ms) - start) / (threshold_ms - start);
  }
  return wait + pts(q.w[Term::kServiceLevel], ramp) + urgency_points(q, wait_ms);
}

// Waited as a share of the queue's own service-level threshold, so a call 18 s into a 20 s
// target (0.9) outranks an email 2 h into its 4 h (0.5), and that email at 3 h 54 min (0.975)
// outranks a fresh call (0). Grows past the threshold up to urgency_cap: among late ones the
// latest first. Monotone in the wait, as wait_points must be (the indexed search relies on it).
inline Points Router::Impl::urgency_points(const Queue& q, int64_t wait_ms) const {
  if (q.w[Term::kUrgency] == 0.0) return 0;
  const double threshold_ms = static_cast<double>(q.cfg.service_level.threshold.count());
  const double share =
      threshold_ms > 0 ? static_cast<double>(wait_ms) / threshold_ms : cfg_.rules.urgency_cap;
  return pts(q.w[Term::kUrgency], std::min(share, cfg_.rules.urgency_cap));
}

inline Points Router::Impl::idle_since_points(const Queue& q, TimePoint idle_since) const {
  const int64_t idle_ms =
      std::clamp<int64_t>((now_ - idle_since).count(), 0, cfg_.rules.idle_cap.count());
  return std::llround(q.w[Term::kIdle] * static_cast<double>(idle_ms));
}

inline Points Router::Impl::load_points(const Queue& q, const Agent& a) const {
  return -pts(q.w[Term::kLoad], a.work_count());
}

inline Points Router::Impl::handled_points(const Queue& q, const Agent& a) const {
  return -pts(q.w[Term::kHandled], static_cast<double>(a.handled));
}

// SplitMix64 of (seed, agent, interaction): a fixed draw per pair, so a re-offer sees the same
// number and two runs with one seed decide alike.
inline Points Router::Impl::random_points(const Queue& q, const Interaction& it,
                                          const Agent& a) const {
  if (q.w[Term::kRandom] == 0.0) return 0;
  uint64_t x = cfg_.rules.random_seed ^ (it.seq * 0x9E3779B97F4A7C15ULL) ^
               (static_cast<uint64_t>(a.id.value()) << 32);
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return pts(q.w[Term::kRandom], static_cast<double>(x >> 11) * 0x1.0p-53);
}

inline Points Router::Impl::random_bound(const Queue& q) const {
  return pts(q.w[Term::kRandom], 1.0);
}

// Round robin with memory (Asterisk's rrmemory): agents in a circle by id; the one after the
// queue's last offer earns the whole weight, each further one 1/N less (N agents), the last
// one offered 1/N.
inline Points Router::Impl::round_robin_points(const Queue& q, const Agent& a) const {
  if (q.w[Term::kRoundRobin] == 0.0) return 0;
  const auto n = static_cast<int64_t>(agents_.size());
  const int64_t last = q.last_offered_agent == UINT32_MAX ? n - 1 : q.last_offered_agent;
  const int64_t after = ((static_cast<int64_t>(a.id.value()) - last - 1) % n + n) % n;
  return pts(q.w[Term::kRoundRobin], 1.0 - static_cast<double>(after) / static_cast<double>(n));
}

inline Points Router::Impl::round_robin_bound(const Queue& q) const {
  return pts(q.w[Term::kRoundRobin], 1.0);
}

inline Points Router::Impl::fit_points(const Queue& q, int levels) const {
  return pts(q.w[Term::kSkillFit], levels);
}

inline Points Router::Impl::language_points(const Queue& q) const {
  return pts(q.w[Term::kLanguage], 1);
}

inline Points Router::Impl::affinity_points(const Queue& q, const Interaction& it,
                                            const Agent& a) const {
  if (it.customer.preferred_agent == a.id) return pts(q.w[Term::kAffinity], 1.0);
  if (it.customer.last_agent == a.id) {
    return pts(q.w[Term::kAffinity], cfg_.rules.last_agent_ratio);
  }
  return 0;
}

inline int Router::Impl::fit_levels(const Agent& a,
                                    const std::vector<SkillRequirement>& skills) const {
  int levels = 0;
  for (const SkillRequirement& r : skills) levels += a.level(r.skill) - r.min_level;
  return levels;
}

}  // namespace router::engine
