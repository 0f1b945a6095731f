// Agents: the commands an agent or supervisor gives (login, logout, ready, not ready, skills)
// and the bookkeeping behind them (derived state, capacity, the availability index, the queues
// an agent serves). docs/routing.md, "Lifecycle" (agent states) and "Capacity".
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Agent commands.

Status Router::Impl::login(AgentId id, bool ready, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (a->logged_in) return failed_precondition("agent: already logged in");
  a->logged_in = true;
  a->not_ready = !ready;
  a->not_ready_reason = ready ? "" : "login";
  a->idle_since = now_;
  refresh_agent(*a);
  fill_agent(*a);
  return {};
}

Status Router::Impl::logout(AgentId id, LogoutMode mode, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (!a->logged_in) return failed_precondition("agent: not logged in");
  if (mode == LogoutMode::kGraceful) {
    for (const Interaction* it : a->held) {
      if (it->state == InteractionState::kAssigned) {
        return failed_precondition("agent: holds assigned interaction " +
                                   std::to_string(it->id.value()) +
                                   "; complete or transfer it first");
      }
    }
  }
  std::vector<InteractionId> to_route;
  if (a->offer) {
    Interaction& it = *a->offer;
    // With other offers pending it stays offered to them.
    if (end_offer(it, *a, RequeueReason::kAgentLoggedOut, /*exclude=*/false)) {
      to_route.push_back(it.id);
    }
  }
  for (Interaction* it : std::vector<Interaction*>(a->held)) {
    if (it->state == InteractionState::kWrapUp) {
      finish(*it, /*then_fill=*/false);
    } else {
      requeue_from_agent(*it, *a, RequeueReason::kAgentLoggedOut, /*exclude=*/false);
      to_route.push_back(it->id);
    }
  }
  // Work transferred to this agent by name now waits for anyone.
  while (!a->personal.empty()) {
    Interaction& it = *a->personal.front();
    a->personal.pop_front();
    it.target = AgentId();
    enqueue(it);
    schedule_queue_timer(it);
    to_route.push_back(it.id);
  }
  a->logged_in = false;
  a->not_ready = true;
  a->not_ready_reason.clear();
  refresh_agent(*a);
  // Work held for this agent (its preferred or last) may now go to anyone: in submission order
  // (the set's own order is its pointers', which differ from router to router).
  std::vector<const Interaction*> held_for;
  for (const Interaction* it : a->affine) {
    if (find_queue(it->queue)->cfg.hold_for_agent) held_for.push_back(it);
  }
  std::sort(held_for.begin(), held_for.end(),
            [](const Interaction* x, const Interaction* y) { return x->seq < y->seq; });
  for (const Interaction* it : held_for) to_route.push_back(it->id);
  for (InteractionId rid : to_route) {
    if (Interaction* it = find_interaction(rid)) route_interaction(*it);
  }
  return {};
}

Status Router::Impl::set_ready(AgentId id, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (!a->logged_in) return failed_precondition("agent: not logged in");
  if (a->not_ready) {
    a->not_ready = false;
    a->not_ready_reason.clear();
    if (a->held.empty()) a->idle_since = now_;
  }
  refresh_agent(*a);
  fill_agent(*a);
  return {};
}

Status Router::Impl::set_not_ready(AgentId id, std::string_view reason, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (!a->logged_in) return failed_precondition("agent: not logged in");
  if (reason.size() > cfg_.limits.max_string_length) return invalid_argument("reason: too long");
  Interaction* withdrawn = a->offer;
  if (withdrawn && !end_offer(*withdrawn, *a, RequeueReason::kAgentNotReady, /*exclude=*/false)) {
    withdrawn = nullptr;  // still offered to others
  }
  std::string next_reason = reason.empty() ? "not_ready" : std::string(reason);
  // NOT_READY with another reason ("login" -> "break"): the state is the same, the reason is
  // news (to the agent's desktop, the session journal and the interval reports' time by reason).
  const bool reason_changed =
      a->state == AgentState::kNotReady && a->not_ready_reason != next_reason;
  a->not_ready = true;
  a->not_ready_reason = std::move(next_reason);
  refresh_agent(*a, a->not_ready_reason);
  if (reason_changed) {
    emit(AgentStateChangedEvent{a->id, AgentState::kNotReady, AgentState::kNotReady,
                                a->not_ready_reason});
  }
  if (withdrawn) route_interaction(*withdrawn);
  return {};
}

Status Router::Impl::update_agent_skills(AgentId id, std::vector<SkillLevel> skills,
                                         TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (Status s = validate_skills(skills, "skills"); !s) return s;
  std::sort(skills.begin(), skills.end(),
            [](const SkillLevel& x, const SkillLevel& y) { return x.skill < y.skill; });
  for (int c = 0; c < kChannelCount; ++c) {
    auto& have = a->indexed[static_cast<size_t>(c)];
    if (have) {
      index_.erase(static_cast<Channel>(c), *have, a->profile.skills, a->language_ids);
      have.reset();
    }
  }
  count_agent(*a, -1);
  a->profile.skills = std::move(skills);
  recompute_served(*a);
  count_agent(*a, +1);
  refresh_agent(*a);
  fill_agent(*a);
  return {};
}

Status Router::Impl::set_queue_order(AgentId id, std::vector<QueueId> order, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (Status s = validate_queue_order(order, "queue_order"); !s) return s;
  apply_queue_order(*a, std::move(order));
  fill_agent(*a);  // an order changes what it takes next, never whether it may
  return {};
}

// =============================================================================================
// Agent bookkeeping.

Status Router::Impl::validate_queue_order(const std::vector<QueueId>& order,
                                          std::string_view field) const {
  std::set<QueueId> seen;
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    const Queue* q = find_queue(order[i]);
    if (!q) return not_found(f + ": unknown queue");
    if (!seen.insert(order[i]).second) {
      return invalid_argument(f + ": '" + q->cfg.name + "' listed twice");
    }
  }
  return {};
}

void Router::Impl::apply_queue_order(Agent& a, std::vector<QueueId> order) {
  a.profile.queue_order = std::move(order);
  a.ranks.clear();
  for (size_t i = 0; i < a.profile.queue_order.size(); ++i) {
    a.ranks.emplace_back(a.profile.queue_order[i], static_cast<int>(i));
  }
  std::sort(a.ranks.begin(), a.ranks.end());
  for (ServedQueue& s : a.served) s.rank = a.rank_of(s.queue);
}

AgentState Router::Impl::derive_state(const Agent& a) const {
  if (!a.logged_in) return AgentState::kLoggedOut;
  if (a.offer != nullptr) return AgentState::kReserved;
  bool wrap_up = false;
  for (const Interaction* it : a.held) {
    if (it->state == InteractionState::kAssigned) return AgentState::kBusy;
    wrap_up = true;
  }
  if (wrap_up) return AgentState::kWrapUp;
  return a.not_ready ? AgentState::kNotReady : AgentState::kReady;
}

void Router::Impl::count_agent(Agent& a, int delta) {
  for (const ServedQueue& s : a.served) {
    Queue& q = *queues_[s.queue.value()];
    q.agents_by_state[static_cast<size_t>(a.state)] += delta;
    if (s.stage == 0) q.agents_by_state_at_start[static_cast<size_t>(a.state)] += delta;
  }
}

void Router::Impl::refresh_agent(Agent& a, std::string reason, bool restoring) {
  const AgentState next = derive_state(a);
  if (next != a.state) {
    ROUTER_CHECK(restoring || is_legal_transition(a.state, next));
    count_agent(a, -1);
    const AgentState prev = a.state;
    a.state = next;
    a.state_since = now_;
    count_agent(a, +1);
    if (next != AgentState::kNotReady) {
      reason.clear();  // a reason belongs to NOT_READY only
    } else if (reason.empty()) {
      reason = a.not_ready_reason;
    }
    emit(AgentStateChangedEvent{a.id, prev, next, std::move(reason)});
  }
  reindex(a);
}

void Router::Impl::reindex(Agent& a) {
  // The idle set (reverse bullseye) follows the same changes as the availability index.
  idle_agents_.erase(AgentIndex::Key{a.idle_key_since, a.id});
  if (idle(a)) idle_agents_.insert(AgentIndex::Key{a.idle_since, a.id});
  a.idle_key_since = a.idle_since;
  for (int c = 0; c < kChannelCount; ++c) {
    const Channel ch = static_cast<Channel>(c);
    const bool want = available(a, ch);
    const AgentIndex::Key key{a.idle_since, a.id};
    auto& have = a.indexed[static_cast<size_t>(c)];
    if (have && (!want || *have != key)) {
      index_.erase(ch, *have, a.profile.skills, a.language_ids);
      have.reset();
    }
    if (want && !have) {
      index_.insert(ch, key, a.profile.skills, a.language_ids);
      have = key;
    }
  }
}

void Router::Impl::recompute_served(Agent& a) {
  a.served.clear();
  for (const auto& qp : queues_) {
    const Queue& q = *qp;
    bool channel = false;
    for (int c = 0; c < kChannelCount; ++c) {
      channel = channel || (q.cfg.channels[static_cast<size_t>(c)] &&
                            a.profile.capacity.max[static_cast<size_t>(c)] > 0);
    }
    if (!channel) continue;
    for (int stage = 0; stage <= static_cast<int>(q.cfg.expansion.size()); ++stage) {
      if (meets(a, effective_skills(q, q.cfg.required_skills, stage))) {
        a.served.push_back(
            ServedQueue{q.id, fit_levels(a, q.cfg.required_skills), stage, a.rank_of(q.id)});
        break;
      }
    }
  }
}

}  // namespace router::engine
