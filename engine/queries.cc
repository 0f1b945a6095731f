// Read-only views: explain, queue statistics and EWT, agent and interaction snapshots, and the
// invariant audit. docs/routing.md, "Statistics" and "Eligibility" (explain).
#include <cmath>

#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Queries. They score "as of" `now` without firing timers (a query never changes state).

namespace {
// "60", "1.5": seconds as a person writes them.
std::string seconds_text(Duration d) {
  std::string s = std::to_string(d.count() / 1000);
  if (const int64_t ms = d.count() % 1000; ms != 0) {
    std::string frac = std::to_string(1000 + ms).substr(1);
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s;
}

class ScopedClock {
 public:
  ScopedClock(TimePoint& clock, TimePoint now) : clock_(clock), saved_(clock) {
    clock_ = std::max(clock_, now);
  }
  ~ScopedClock() { clock_ = saved_; }
  ScopedClock(const ScopedClock&) = delete;
  ScopedClock& operator=(const ScopedClock&) = delete;

 private:
  TimePoint& clock_;
  TimePoint saved_;
};
}  // namespace

std::string Router::Impl::missing_skill_detail(const Agent& a,
                                               const std::vector<SkillRequirement>& effective,
                                               Ineligibility* reason) const {
  for (const SkillRequirement& r : effective) {
    const int level = a.level(r.skill);
    if (level == 0) {
      *reason = Ineligibility::kMissingSkill;
      return "missing skill " + skill_names_[r.skill.value()] + " (needs " +
             std::to_string(r.min_level) + ")";
    }
    if (level < r.min_level) {
      *reason = Ineligibility::kSkillBelowLevel;
      return "skill " + skill_names_[r.skill.value()] + " at " + std::to_string(level) +
             " below level " + std::to_string(r.min_level);
    }
  }
  return {};
}

std::string Router::Impl::capacity_detail(const Agent& a, Channel ch) const {
  const auto c = static_cast<size_t>(ch);
  const ChannelCapacity& cap = a.profile.capacity;
  const std::string name(to_string(ch));
  if (a.exclusive_held > 0) return "busy on a call";
  if (a.held_per_channel[c] >= cap.max[c]) {
    return "no free " + name + " capacity (holds " + std::to_string(a.held_per_channel[c]) +
           " of " + std::to_string(cap.max[c]) + ")";
  }
  if (cap.budget > 0 && a.held_cost + cfg_.blending.cost[c] > cap.budget) {
    return "over its capacity budget (holds " + std::to_string(a.held_cost) + " of " +
           std::to_string(cap.budget) + "; " + name + " costs " +
           std::to_string(cfg_.blending.cost[c]) + ")";
  }
  if (cap.exclusive[c] && !a.held.empty() && !cfg_.blending.call_over_other_work) {
    return "holds other work (a call goes only to an agent holding nothing)";
  }
  for (const ServedQueue& s : a.served) {
    const Queue& q = *queues_[s.queue.value()];
    if (s.stage == 0 && q.at_risk) {
      return "kept for queue " + q.cfg.name + " (at risk): no new " + name + " work";
    }
  }
  return "no free " + name + " capacity";
}

Result<Explanation> Router::Impl::explain(InteractionId id, TimePoint now) const {
  ScopedClock clock(now_, now);
  const Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  const Queue& q = *find_queue(it->queue);
  const WaitingClass c = make_class(q, *it);
  Explanation ex;
  ex.interaction = id;
  ex.queue = q.id;
  ex.state = it->state;
  ex.stage = it->stage;
  ex.effective_skills = c.effective;
  // A scheduled work item waits for its time, not for an agent: nobody is ranked for it yet.
  if (it->state == InteractionState::kScheduled) return ex;
  if (it->state == InteractionState::kQueued) ex.held_until = held_until(*it, q);
  for (const auto& ap : agents_) {
    const Agent& a = *ap;
    if (!a.logged_in) continue;
    const bool holds_this = it->agent == a.id || it->offered_to(a.id);
    auto refuse = [&](Ineligibility why, std::string detail) {
      ex.ineligible.push_back(IneligibleAgent{a.id, why, std::move(detail)});
    };
    Ineligibility why{};
    if (it->excludes(a.id)) {
      refuse(Ineligibility::kAlreadyRejected,
             "rejected, missed or transferred away this interaction");
    } else if (it->target.valid() && it->target != a.id) {
      refuse(Ineligibility::kNotTargeted, "transferred to another agent by name");
    } else if (ex.held_until && a.id != it->customer.preferred_agent &&
               a.id != it->customer.last_agent) {
      refuse(Ineligibility::kHeldForAgent,
             "it waits for its preferred or last agent for another " +
                 std::to_string(
                     std::chrono::ceil<std::chrono::seconds>(*ex.held_until - now_).count()) +
                 " s");
    } else if (std::string d =
                   added_by_idle_rule(a, q) || (holds_this && q.cfg.add_idle_agents_after)
                       ? std::string()
                       : missing_skill_detail(a, c.effective, &why);
               !d.empty()) {
      if (q.cfg.add_idle_agents_after) {
        d += "; taken once idle " + seconds_text(*q.cfg.add_idle_agents_after) +
             " s (the queue's add_idle_agents_after)";
      }
      refuse(why, std::move(d));
    } else if (q.cfg.language_required && it->language_id != kNoLanguage &&
               !a.speaks(it->language_id)) {
      refuse(Ineligibility::kLanguage, "does not speak " + it->language);
    } else if (!holds_this && a.not_ready) {
      refuse(Ineligibility::kNotReady, "not ready: " + a.not_ready_reason);
    } else if (!holds_this && a.offer) {
      refuse(Ineligibility::kOfferPending, "has an offer waiting for an answer");
    } else if (!holds_this && !available(a, it->channel)) {
      refuse(Ineligibility::kChannel, capacity_detail(a, it->channel));
    } else {
      ex.eligible.push_back(RankedAgent{a.id, score(q, c, *it, a)});
    }
  }
  std::sort(ex.eligible.begin(), ex.eligible.end(),
            [this](const RankedAgent& x, const RankedAgent& y) {
              const Points tx = x.points.total(), ty = y.points.total();
              if (tx != ty) return tx > ty;
              const Agent& ax = *agents_[x.agent.value()];
              const Agent& ay = *agents_[y.agent.value()];
              return std::tie(ax.idle_since, ax.id) < std::tie(ay.idle_since, ay.id);
            });
  return ex;
}

namespace {

// The p-quantile of the standard normal distribution, by bisection on its CDF.
double normal_quantile(double p) {
  double lo = -10.0;
  double hi = 10.0;
  for (int i = 0; i < 80; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// The p-quantile of Erlang(k, 1): the time of the k-th event of a unit-rate Poisson process.
// Exact by bisection on the CDF 1 − e^−x Σ_{i<k} x^i ÷ i! up to k = 60; beyond, the
// Wilson–Hilferty approximation (relative error well under 1% there).
double erlang_quantile(int k, double p) {
  if (k > 60) {
    const double z = normal_quantile(p);
    const double c = 1.0 / (9.0 * k);
    return k * std::pow(1.0 - c + z * std::sqrt(c), 3.0);
  }
  auto cdf = [k](double x) {
    double term = std::exp(-x);
    double sum = term;
    for (int i = 1; i < k; ++i) {
      term *= x / i;
      sum += term;
    }
    return 1.0 - sum;
  };
  double lo = 0.0;
  double hi = k + 12.0 * std::sqrt(static_cast<double>(k)) + 12.0;  // past the 0.995 quantile
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (cdf(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

Result<WaitEstimate> Router::Impl::estimate_at(QueueId qid, int position, TimePoint now) const {
  const Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  if (position < 0) return invalid_argument("position: must be ≥ 0");
  WaitEstimate e;
  e.position = position;
  if (position == 0) return e;
  const ServiceWindow::Totals t = q->window.totals(std::max(now_, now));
  // Measured AHT once there are a few samples, the configured default before.
  // An agent is free for the next one after the handle time and the queue's wrap-up.
  const Duration aht =
      (t.handled >= 5 ? Duration(t.handle_ms / t.handled) : q->cfg.default_handle_time) +
      q->cfg.wrap_up;
  // The agents who meet its requirements as configured; those who qualify only after an
  // expansion step count only when there are none (they serve it late, if at all).
  auto staffed_of = [](const std::array<int, kAgentStateCount>& s) {
    return s[static_cast<size_t>(AgentState::kReady)] +
           s[static_cast<size_t>(AgentState::kReserved)] +
           s[static_cast<size_t>(AgentState::kBusy)] + s[static_cast<size_t>(AgentState::kWrapUp)];
  };
  const auto& s = staffed_of(q->agents_by_state_at_start) > 0 ? q->agents_by_state_at_start
                                                              : q->agents_by_state;
  const int ready = s[static_cast<size_t>(AgentState::kReady)];
  const int staffed = staffed_of(s);
  // Nobody staffed: as if one agent came back, serving them all in turn.
  const int ahead = staffed == 0 ? position : position - ready;  // idle agents take the first
  if (ahead <= 0) return e;
  const double scale = static_cast<double>(aht.count()) / std::max(1, staffed);
  auto at = [&](double units) {
    return Duration(static_cast<int64_t>(std::llround(units * scale)));
  };
  e.ewt = Duration(aht.count() * ahead / std::max(1, staffed));
  // The model's quantiles at the queue's calibrated tails (0.09 each until it has learned).
  e.low = at(erlang_quantile(ahead, q->range_tails[0]));
  e.high = at(erlang_quantile(ahead, 1.0 - q->range_tails[1]));
  return e;
}

Result<WaitEstimate> Router::Impl::wait_estimate(InteractionId id, TimePoint now) const {
  const Interaction* it = find_interaction(id);
  if (!it) return not_found("interaction: unknown interaction");
  if (it->state != InteractionState::kQueued) {
    return failed_precondition("interaction: not waiting (it is " +
                               std::string(to_string(it->state)) + ")");
  }
  return estimate_at(it->queue, std::max(1, position_of(*find_queue(it->queue), *it)), now);
}

Result<Duration> Router::Impl::ewt(QueueId qid, int position, TimePoint now) const {
  auto e = estimate_at(qid, position, now);
  if (!e.ok()) return e.error();
  return e->ewt;
}

Result<QueueStats> Router::Impl::queue_stats(QueueId qid, TimePoint now) const {
  const Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  now = std::max(now_, now);
  QueueStats s;
  s.queue = qid;
  s.name = q->cfg.name;
  s.target = q->cfg.service_level;
  s.waiting = q->waiting;
  s.offered_now = q->offered_now;
  for (const auto& c : q->classes) {
    if (c->members.empty()) continue;
    // A class is in arrival order but for work items (earliest due first): those are all read.
    if (c->key.channel == static_cast<uint8_t>(Channel::kWorkItem)) {
      for (const Member& m : c->members)
        s.longest_wait = std::max(s.longest_wait, now - m.it->arrival);
    } else {
      s.longest_wait = std::max(s.longest_wait, now - c->members.begin()->it->arrival);
    }
  }
  s.ewt_new = ewt(qid, q->waiting + 1, now).value();
  const ServiceWindow::Totals t = q->window.totals(now);
  const int64_t sl_base = t.answered + t.abandoned;
  s.service_level = sl_base > 0 ? static_cast<double>(t.answered_within_target) / sl_base : 1.0;
  s.abandon_rate = sl_base > 0 ? static_cast<double>(t.abandoned) / sl_base : 0.0;
  s.asa = t.answered > 0 ? Duration(t.answer_wait_ms / t.answered) : Duration::zero();
  s.aht = t.handled > 0 ? Duration(t.handle_ms / t.handled) : Duration::zero();
  s.window_answered = static_cast<int>(t.answered);
  s.window_abandoned = static_cast<int>(t.abandoned);
  s.window_short_abandoned = static_cast<int>(t.short_abandoned);
  s.arrived = q->arrived;
  s.answered = q->answered;
  s.abandoned = q->abandoned;
  s.expired = q->expired;
  s.left = q->left;
  s.completed = q->completed;
  s.agents_by_state = q->agents_by_state;
  if (q->cfg.hours && !q->cfg.hours->open_at(wall(now))) {
    s.open = false;
    s.next_open = q->cfg.hours->describe_next_open(wall(now));
  }
  return s;
}

Result<AgentSnapshot> Router::Impl::agent_snapshot(AgentId id, TimePoint now) const {
  const Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  AgentSnapshot s;
  s.agent = id;
  s.name = a->profile.name;
  s.team = a->profile.team;
  s.state = a->state;
  s.not_ready_reason = a->not_ready ? a->not_ready_reason : "";
  s.state_since = a->state_since;
  s.time_in_state = std::max(now_, now) - a->state_since;
  s.skills = a->profile.skills;
  if (a->offer) s.work.push_back(a->offer->id);
  for (const Interaction* it : a->held) s.work.push_back(it->id);
  s.handled = a->handled;
  return s;
}

namespace {
InteractionSnapshot snapshot_of(const Interaction& it) {
  InteractionSnapshot s;
  s.id = it.id;
  s.queue = it.queue;
  s.channel = it.channel;
  s.state = it.state;
  s.priority = it.priority;
  s.stage = it.stage;
  s.arrival = it.arrival;
  s.queued_at = it.queued_at;
  s.agent = it.offers.empty() ? it.agent : it.offers.front();
  s.offers = it.offers;
  s.target_agent = it.target;
  s.customer = it.customer;
  s.language = it.language;
  s.excluded = it.excluded;
  s.due = it.due;
  s.not_before = it.not_before;
  return s;
}
}  // namespace

Result<InteractionSnapshot> Router::Impl::interaction_snapshot(InteractionId id) const {
  const Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  return snapshot_of(*it);
}

Result<std::vector<InteractionSnapshot>> Router::Impl::waiting(QueueId qid, size_t limit) const {
  const Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  std::vector<std::pair<Points, const Member*>> all;
  for (const auto& c : q->classes) {
    for (const Member& m : c->members) {
      all.emplace_back(c->constant + wait_points(*q, m.rank_from), &m);
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first > y.first;
    return *x.second < *y.second;
  });
  std::vector<InteractionSnapshot> out;
  for (size_t i = 0; i < all.size() && i < limit; ++i)
    out.push_back(snapshot_of(*all[i].second->it));
  return out;
}

namespace {
size_t indexed_classes(const Queue& q) {
  size_t n = 0;
  for (const ScoreIndex& index : q.by_score) n += index.size();
  return n;
}
}  // namespace

// =============================================================================================
// Audit: recount everything and compare with what the Router maintains incrementally.

Status Router::Impl::audit(TimePoint now) const {
  auto fail = [](const std::string& m) -> Status { return failed_precondition("audit: " + m); };
  if (!timers_.empty() && timers_.begin()->due <= now_) {
    return fail("a timer is overdue after a command (due " +
                std::to_string(timers_.begin()->due.time_since_epoch().count()) + ")");
  }
  ScopedClock clock(now_, now);
  std::unordered_map<const Interaction*, int> refs;
  std::vector<std::array<int64_t, 3>> per_queue(queues_.size());  // waiting, offered, held
  for (const auto& qp : queues_) {
    const Queue& q = *qp;
    int waiting = 0;
    for (const auto& c : q.classes) {
      for (const Member& m : c->members) {
        ++refs[m.it];
        ++waiting;
        if (m.it->cls != c.get() || m.it->queue != q.id ||
            m.it->state != InteractionState::kQueued || m.it->rank_from != m.rank_from) {
          return fail("interaction " + std::to_string(m.it->id.value()) + " misfiled in queue " +
                      q.cfg.name);
        }
      }
    }
    if (waiting != q.waiting) return fail("queue " + q.cfg.name + " waiting count drifted");
    size_t non_empty = 0;
    for (const auto& c : q.classes) {
      non_empty += c->members.empty() ? 0 : 1;
      if (c->members.empty() == c->score_pos.has_value()) {
        return fail("queue " + q.cfg.name + " score index out of sync");
      }
    }
    if (non_empty != indexed_classes(q)) return fail("queue " + q.cfg.name + " score index size");
  }
  std::vector<std::array<int, kAgentStateCount>> by_state(queues_.size());
  std::vector<std::array<int, kAgentStateCount>> by_state_at_start(queues_.size());
  for (const auto& ap : agents_) {
    const Agent& a = *ap;
    const std::string who = "agent " + a.profile.name + ": ";
    if (derive_state(a) != a.state) return fail(who + "state drifted");
    for (const ServedQueue& s : a.served) {
      ++by_state[s.queue.value()][static_cast<size_t>(a.state)];
      if (s.stage == 0) ++by_state_at_start[s.queue.value()][static_cast<size_t>(a.state)];
    }
    std::array<int, kChannelCount> per_channel{};
    int exclusive = 0;
    int cost = 0;
    if (a.offer) {
      // Multi-offer: an interaction offered to several agents is in one place, its offers.
      if (a.offer->state != InteractionState::kOffered || !a.offer->offered_to(a.id)) {
        return fail(who + "offer not mirrored by the interaction");
      }
      if (a.offer->offers.front() == a.id) {
        ++refs[a.offer];
        ++per_queue[a.offer->queue.value()][1];
      }
    }
    for (const Interaction* it : a.held) {
      ++refs[it];
      if ((it->state != InteractionState::kAssigned && it->state != InteractionState::kWrapUp) ||
          it->agent != a.id) {
        return fail(who + "holds interaction " + std::to_string(it->id.value()) + " in state " +
                    std::string(to_string(it->state)));
      }
      ++per_channel[static_cast<size_t>(it->channel)];
      cost += cfg_.blending.cost[static_cast<size_t>(it->channel)];
      if (a.profile.capacity.exclusive[static_cast<size_t>(it->channel)]) ++exclusive;
      ++per_queue[it->queue.value()][2];
    }
    for (const Interaction* it : a.personal) {
      ++refs[it];
      if (it->target != a.id || it->state != InteractionState::kQueued || it->cls) {
        return fail(who + "personal queue holds a misfiled interaction");
      }
      ++per_queue[it->queue.value()][0];
    }
    if (!a.logged_in && (a.offer || !a.held.empty() || !a.personal.empty())) {
      return fail(who + "logged out but holds work");
    }
    if (per_channel != a.held_per_channel || exclusive != a.exclusive_held || cost != a.held_cost) {
      return fail(who + "capacity counters drifted");
    }
    for (int c = 0; c < kChannelCount; ++c) {
      if (per_channel[c] > a.profile.capacity.max[c]) return fail(who + "over capacity");
    }
    if (exclusive > 1 ||
        (exclusive > 0 && a.held.size() != 1 && !cfg_.blending.call_over_other_work)) {
      return fail(who + "a call held alongside other work");
    }
    if (a.profile.capacity.budget > 0 && cost > a.profile.capacity.budget) {
      return fail(who + "over its capacity budget");
    }
    if (idle(a) != (idle_agents_.count({a.idle_since, a.id}) == 1)) {
      return fail(who + "idle set out of sync");
    }
    for (int c = 0; c < kChannelCount; ++c) {
      const bool want = available(a, static_cast<Channel>(c));
      const auto& have = a.indexed[static_cast<size_t>(c)];
      if (want != have.has_value() || (have && *have != AgentIndex::Key{a.idle_since, a.id})) {
        return fail(who + "availability index out of sync");
      }
    }
  }
  for (const auto& [id, owned] : live_) {
    const Interaction& it = *owned;
    // A scheduled work item waits only on its timer.
    if (it.state == InteractionState::kScheduled) {
      if (!it.timer || (*it.timer)->kind != TimerKind::kScheduled || it.cls) {
        return fail("interaction " + std::to_string(id.value()) + " scheduled without its timer");
      }
      ++refs[&it];
    }
    const int n = refs.count(&it) ? refs.at(&it) : 0;
    if (n != 1) {
      return fail("interaction " + std::to_string(id.value()) + " is in " + std::to_string(n) +
                  " places (state " + std::string(to_string(it.state)) + ")");
    }
    if ((it.state == InteractionState::kOffered) == it.offers.empty()) {
      return fail("interaction " + std::to_string(id.value()) + " in state " +
                  std::string(to_string(it.state)) + " with " + std::to_string(it.offers.size()) +
                  " offers");
    }
    for (AgentId o : it.offers) {
      if (std::count(it.offers.begin(), it.offers.end(), o) != 1 ||
          agents_[o.value()]->offer != &it) {
        return fail("interaction " + std::to_string(id.value()) + " offered to " +
                    agents_[o.value()]->profile.name + ", who does not have the offer");
      }
    }
    const bool needs_timer =
        it.state == InteractionState::kOffered || it.state == InteractionState::kWrapUp;
    if (needs_timer && !it.timer)
      return fail("interaction " + std::to_string(id.value()) + " has no timer");
  }
  if (refs.size() != live_.size()) return fail("a structure holds a finished interaction");
  for (const auto& qp : queues_) {
    const Queue& q = *qp;
    const auto& pq = per_queue[q.id.value()];
    if (by_state[q.id.value()] != q.agents_by_state ||
        by_state_at_start[q.id.value()] != q.agents_by_state_at_start) {
      return fail("queue " + q.cfg.name + " agents by state drifted");
    }
    if (pq[1] != q.offered_now) return fail("queue " + q.cfg.name + " offered count drifted");
    const uint64_t accounted = static_cast<uint64_t>(q.waiting + pq[0] + pq[1] + pq[2]) +
                               q.abandoned + q.expired + q.left + q.completed;
    if (accounted != q.arrived) {
      return fail("queue " + q.cfg.name + " loses interactions: arrived " +
                  std::to_string(q.arrived) + ", accounted " + std::to_string(accounted));
    }
  }
  // The matched state: nobody waits while an eligible agent is free.
  for (const auto& qp : queues_) {
    const Queue& q = *qp;
    for (const auto& c : q.classes) {
      for (const Member& m : c->members) {
        for (const auto& ap : agents_) {
          if (available(*ap, m.it->channel) && eligible(*ap, *c, q, *m.it)) {
            return fail("interaction " + std::to_string(m.it->id.value()) + " waits while " +
                        ap->profile.name + " is free and eligible");
          }
        }
      }
    }
  }
  for (const auto& ap : agents_) {
    for (const Interaction* it : ap->personal) {
      if (available(*ap, it->channel)) {
        return fail("interaction " + std::to_string(it->id.value()) +
                    " waits for its target agent, who is free");
      }
    }
  }
  return {};
}

}  // namespace router::engine
