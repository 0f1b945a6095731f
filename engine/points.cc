// The score of one (interaction, agent) pair, term by term: docs/routing.md, "Points". The terms
// are in engine/points.h; a new term goes there, here in score(), and in the bounds of
// decisions.cc (and a case in tests/unit/engine/points_test.cc).
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// The score: every term of engine/points.h for one pair, in the breakdown an offer carries.

Breakdown Router::Impl::score(const Queue& q, const WaitingClass& c, const Interaction& it,
                              const Agent& a) const {
  Breakdown b;
  auto set = [&b](Term t, Points p) { b.term[static_cast<size_t>(t)] = p; };
  set(Term::kSkillFit, fit_points(q, fit_levels(a, c.skills)));
  set(Term::kCustomerValue,
      value_points(q, it.customer.segment, ltv_band(cfg_.rules, it.customer.lifetime_value)));
  set(Term::kPriority, priority_points(q, it.priority));
  const int64_t wait_ms = (now_ - it.rank_from).count();
  const Points wait_only = std::llround(q.w[Term::kWait] * static_cast<double>(wait_ms));
  const Points urgency = urgency_points(q, wait_ms);
  set(Term::kWait, wait_only);
  set(Term::kServiceLevel, wait_points(q, it.rank_from) - wait_only - urgency);
  set(Term::kUrgency, urgency);
  set(Term::kRoundRobin, round_robin_points(q, a));
  set(Term::kIdle, idle_points(q, a));
  set(Term::kAffinity, affinity_points(q, it, a));
  set(Term::kLanguage,
      it.language_id != kNoLanguage && a.speaks(it.language_id) ? language_points(q) : 0);
  set(Term::kLoad, load_points(q, a));
  set(Term::kHandled, handled_points(q, a));
  set(Term::kRandom, random_points(q, it, a));
  return b;
}

}  // namespace router::engine
