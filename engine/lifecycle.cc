// The interaction lifecycle: transitions and the commands that drive them (submit, cancel,
// priority, move, accept, reject, complete, end of wrap-up, transfers). docs/routing.md,
// "Lifecycle".
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Transitions.

void Router::Impl::transition(Interaction& it, InteractionState to) {
  ROUTER_CHECK(is_legal_transition(it.state, to));
  it.state = to;
}

void Router::Impl::tell_range(Interaction& it) {
  if (it.state != InteractionState::kQueued) return;
  auto e = wait_estimate(it.id, now_);
  if (e.ok() && e.value().high > Duration::zero()) {
    it.told_range = Interaction::ToldRange{it.queue, e.value().low, e.value().high};
  }
}

void Router::Impl::learn_range(Interaction& it) {
  if (!it.told_range) return;
  const Duration waited = now_ - it.arrival;
  // The queue that told it learns, even if it overflowed or was moved since.
  Queue& q = *find_queue(it.told_range->queue);
  const bool below = waited < it.told_range->low;
  const bool above = waited > it.told_range->high;
  const auto step = [](double& tail, bool missed) {
    tail = std::clamp(tail + kRangeTailStep * (kRangeTailTarget - (missed ? 1.0 : 0.0)),
                      kRangeTailMin, kRangeTailMax);
  };
  step(q.range_tails[0], below);
  step(q.range_tails[1], above);
  it.told_range.reset();
}

void Router::Impl::offer(Interaction& it, const std::vector<std::pair<Agent*, Breakdown>>& to) {
  ROUTER_CHECK(!to.empty());
  learn_range(it);
  dequeue(it);
  transition(it, InteractionState::kOffered);
  Queue& q = *find_queue(it.queue);
  it.offer_counted = true;
  ++q.offered_now;
  q.last_offered_agent = to.front().first->id.value();
  const TimePoint expires = now_ + q.cfg.offer_timeout;
  schedule(it, TimerKind::kOffer, expires);
  for (const auto& [a, points] : to) {
    ROUTER_CHECK(available(*a, it.channel));
    it.offers.push_back(a->id);
    a->offer = &it;
    emit(OfferedEvent{it.id, a->id, q.id, expires, points});
    refresh_agent(*a);
  }
}

bool Router::Impl::end_offer(Interaction& it, Agent& a, RequeueReason reason, bool exclude) {
  ROUTER_CHECK(a.offer == &it && it.offered_to(a.id));
  if (it.offers.size() == 1) {
    requeue_from_agent(it, a, reason, exclude);
    return true;
  }
  std::erase(it.offers, a.id);
  a.offer = nullptr;
  if (exclude && !it.excludes(a.id)) it.excluded.push_back(a.id);
  emit(OfferEndedEvent{it.id, a.id, it.queue, reason});
  return false;
}

std::vector<Agent*> Router::Impl::withdraw_offers(Interaction& it, const Agent* keep,
                                                  RequeueReason reason) {
  std::vector<Agent*> freed;
  for (AgentId id : it.offers) {
    Agent& b = *find_agent(id);
    if (&b == keep) continue;
    b.offer = nullptr;
    emit(OfferEndedEvent{it.id, b.id, it.queue, reason});
    freed.push_back(&b);
  }
  it.offers.clear();
  if (keep != nullptr) it.offers.push_back(keep->id);
  return freed;
}

void Router::Impl::release_held(Agent& a, Interaction& it) {
  auto found = std::find(a.held.begin(), a.held.end(), &it);
  ROUTER_CHECK(found != a.held.end());
  a.held.erase(found);
  const auto c = static_cast<size_t>(it.channel);
  --a.held_per_channel[c];
  a.held_cost -= cfg_.blending.cost[c];
  if (a.profile.capacity.exclusive[c]) --a.exclusive_held;
  if (a.held.empty()) a.idle_since = now_;
}

// REQUIRES: `it` is offered to or held by `a`. The caller refreshes `a` and routes `it`.
void Router::Impl::requeue_from_agent(Interaction& it, Agent& a, RequeueReason reason,
                                      bool exclude) {
  cancel_timer(it);
  if (a.offer == &it) {
    ROUTER_CHECK(it.offers.size() == 1 && it.offers.front() == a.id);
    a.offer = nullptr;
    it.offers.clear();
    if (it.offer_counted) --find_queue(it.queue)->offered_now;
    it.offer_counted = false;
  } else {
    release_held(a, it);
  }
  it.agent = AgentId();
  if (exclude && !it.excludes(a.id)) it.excluded.push_back(a.id);
  // Whoever it was transferred to had their chance; from now on it waits for anyone.
  if (it.target.valid()) it.target = AgentId();
  transition(it, InteractionState::kQueued);
  enqueue(it);
  schedule_queue_timer(it);
  emit(RequeuedEvent{it.id, a.id, it.queue, reason});
}

void Router::Impl::place_in_queue(Interaction& it, QueueId to, TimePoint arrival) {
  Queue& q = *find_queue(to);
  it.queue = to;
  it.arrival = arrival;
  it.queued_at = now_;
  it.stage = 0;
  it.target = AgentId();
  it.reqset = intern_reqset(q, it.extra_skills);
  ++q.arrived;
  enqueue(it);
  schedule_queue_timer(it);
}

void Router::Impl::erase(Interaction& it) {
  cancel_timer(it);
  dequeue(it);
  live_.erase(it.id);  // destroys `it`
}

// WRAP_UP -> COMPLETED: the slot is free; the agent may take more work at once.
void Router::Impl::finish(Interaction& it, bool then_fill) {
  Agent& a = *find_agent(it.agent);
  Queue& q = *find_queue(it.queue);
  cancel_timer(it);
  release_held(a, it);
  transition(it, InteractionState::kCompleted);
  ++q.completed;
  q.window.record_handled(now_, now_ - it.assigned_at);
  ++a.handled;
  emit(CompletedEvent{it.id, a.id, q.id, it.customer.customer_id, now_ - it.assigned_at});
  erase(it);
  if (then_fill) {
    refresh_agent(a);
    fill_agent(a);
  }
}

// =============================================================================================
// Commands.

Status Router::Impl::check_spec(const InteractionSpec& spec) const {
  const Limits& lim = cfg_.limits;
  if (!spec.id.valid()) return invalid_argument("id: must be set");
  if (live_.count(spec.id)) {
    return already_exists("id: interaction " + std::to_string(spec.id.value()) + " is live");
  }
  Queue* q = find_queue(spec.queue);
  if (!q) return not_found("queue: unknown queue");
  const auto ch = static_cast<size_t>(spec.channel);
  if (ch >= static_cast<size_t>(kChannelCount)) return invalid_argument("channel: unknown");
  if (!q->cfg.channels[ch]) {
    return invalid_argument("channel: queue '" + q->cfg.name + "' does not take " +
                            std::string(to_string(spec.channel)));
  }
  if (spec.priority < 0 || spec.priority > 100) {
    return invalid_argument("priority: must be 0..100, got " + std::to_string(spec.priority));
  }
  if (static_cast<size_t>(spec.customer.segment) >= static_cast<size_t>(kSegmentCount)) {
    return invalid_argument("customer.segment: unknown");
  }
  if (!std::isfinite(spec.customer.lifetime_value) || spec.customer.lifetime_value < 0) {
    return invalid_argument("customer.lifetime_value: must be a finite number ≥ 0");
  }
  if (spec.customer.customer_id.size() > lim.max_string_length) {
    return invalid_argument("customer.customer_id: longer than " +
                            std::to_string(lim.max_string_length));
  }
  if (spec.language.size() > lim.max_string_length) {
    return invalid_argument("language: too long");
  }
  if (spec.extra_skills.size() > lim.max_extra_skills) {
    return invalid_argument("extra_skills: more than " + std::to_string(lim.max_extra_skills));
  }
  for (size_t i = 0; i < spec.extra_skills.size(); ++i) {
    const SkillRequirement& r = spec.extra_skills[i];
    const std::string f = "extra_skills[" + std::to_string(i) + "]";
    if (!r.skill.valid() || r.skill.value() >= skill_names_.size()) {
      return not_found(f + ".skill: unknown skill");
    }
    if (r.min_level < kMinSkillLevel || r.min_level > kMaxSkillLevel) {
      return invalid_argument(f + ".min_level: must be 1..10");
    }
  }
  if (spec.attributes.size() > lim.max_attributes) {
    return resource_exhausted("attributes: more than " + std::to_string(lim.max_attributes));
  }
  for (size_t i = 0; i < spec.attributes.size(); ++i) {
    if (spec.attributes[i].first.empty() ||
        spec.attributes[i].first.size() > lim.max_string_length ||
        spec.attributes[i].second.size() > lim.max_string_length) {
      return invalid_argument("attributes[" + std::to_string(i) +
                              "]: key empty, or key or value too long");
    }
  }
  if (spec.arrival && *spec.arrival > now_) return invalid_argument("arrival: in the future");
  if (spec.channel != Channel::kWorkItem && (spec.due || spec.not_before)) {
    return invalid_argument(std::string(spec.due ? "due" : "not_before") +
                            ": only for channel work_item");
  }
  const auto far = [this](TimePoint t) {
    return t - now_ > kMaxWorkItemHorizon || now_ - t > kMaxWorkItemHorizon;
  };
  if (spec.due && far(*spec.due)) return invalid_argument("due: more than 400 days from now");
  if (spec.not_before && far(*spec.not_before)) {
    return invalid_argument("not_before: more than 400 days from now");
  }
  if (spec.due && spec.not_before && *spec.due < *spec.not_before) {
    return invalid_argument("due: before not_before");
  }
  if (spec.excluded.size() > lim.max_agents) {
    return invalid_argument("excluded: more than " + std::to_string(lim.max_agents) + " agents");
  }
  if (live_.size() >= lim.max_interactions && !spec.recovered) {
    return resource_exhausted("interactions: " + std::to_string(lim.max_interactions) +
                              " live, the router's limit");
  }
  return {};
}

Interaction& Router::Impl::make_interaction(const InteractionSpec& spec, Queue& queue) {
  Queue* q = &queue;
  auto owned = std::make_unique<Interaction>();
  Interaction& it = *owned;
  it.id = spec.id;
  it.queue = q->id;
  it.channel = spec.channel;
  it.customer = spec.customer;
  // A customer record may name an agent that no longer exists: that is not the caller's error.
  if (!find_agent(it.customer.preferred_agent)) it.customer.preferred_agent = AgentId();
  if (!find_agent(it.customer.last_agent)) it.customer.last_agent = AgentId();
  it.language = spec.language;
  it.language_id = intern_language(spec.language);
  it.priority = spec.priority;
  it.extra_skills = spec.extra_skills;
  it.attributes = spec.attributes;
  for (AgentId a : spec.excluded) {
    if (find_agent(a) && !it.excludes(a)) it.excluded.push_back(a);
  }
  it.arrival = spec.arrival.value_or(now_);
  it.not_before = spec.not_before;
  // A scheduled item's wait starts at its time, not at its submit.
  if (it.not_before && *it.not_before > it.arrival) it.arrival = std::min(*it.not_before, now_);
  it.queued_at = it.arrival;
  if (it.channel == Channel::kWorkItem) {
    it.due = spec.due.value_or(std::max(it.arrival, it.not_before.value_or(it.arrival)) +
                               q->cfg.service_level.threshold);
  }
  it.rank_from = rank_from_in(it, *q);
  it.seq = submit_seq_++;
  it.reqset = intern_reqset(*q, it.extra_skills);
  it.stage = stage_at(*q, now_ - it.queued_at);
  live_.emplace(it.id, std::move(owned));
  return it;
}

bool Router::Impl::anyone_logged_in(const Queue& q) const {
  for (int s = 0; s < kAgentStateCount; ++s) {
    if (static_cast<AgentState>(s) != AgentState::kLoggedOut && q.agents_by_state[s] > 0)
      return true;
  }
  return false;
}

bool Router::Impl::closed_now(const Queue& q) const {
  return q.cfg.hours && !q.cfg.hours->open_at(wall(now_));
}

Result<Router::Impl::Arrival> Router::Impl::arrival_queue(Queue& submitted,
                                                          const InteractionSpec& spec) {
  const auto ch = static_cast<size_t>(spec.channel);
  // Only a call can be called back; asynchronous work (email, chat, work items) waits.
  const bool call = spec.channel == Channel::kPhone || spec.channel == Channel::kWebCallback;
  Queue* at = &submitted;
  for (int hop = 0;; ++hop) {
    // Which rule applies, first match: closed, full, nobody logged in.
    enum class Why { kClosed, kFull, kUnstaffed } why;
    ArrivalAction action;
    const size_t cap = waiting_cap(*at);
    if (closed_now(*at) && at->cfg.when_closed != ArrivalAction::kWait &&
        (call || at->cfg.when_closed != ArrivalAction::kCallback)) {
      why = Why::kClosed;
      action = at->cfg.when_closed;
    } else if (static_cast<size_t>(at->waiting) >= cap) {
      why = Why::kFull;
      action = at->cfg.when_full;
    } else if (!anyone_logged_in(*at)) {
      why = Why::kUnstaffed;
      action = at->cfg.when_no_agents;
    } else {
      return Arrival{at};
    }
    const std::string closed = why == Why::kClosed
                                   ? "queue: '" + at->cfg.name + "' is closed (" +
                                         at->cfg.hours->describe_next_open(wall(now_)) + ")"
                                   : std::string();
    switch (action) {
      case ArrivalAction::kWait: return Arrival{at};
      case ArrivalAction::kCallback: {
        if (!spec.callback_number) {
          return failed_precondition(closed + "; there is no number to call back");
        }
        const auto opens = at->cfg.hours->next_open(wall(now_));
        if (!opens) return failed_precondition(closed);
        // Called back from its opening (a later instant than now: it is closed now).
        const TimePoint from = std::max(from_wall(*opens), now_ + Duration(1));
        return Arrival{find_queue(at->cfg.callback_queue), from, at->id};
      }
      case ArrivalAction::kOverflow:
        if (Queue* next = find_queue(at->cfg.overflow_queue);
            next && next->cfg.channels[ch] && hop < cfg_.limits.max_overflow_hops) {
          at = next;
          continue;
        }
        // Its overflow cannot take it: an unstaffed queue keeps it, a closed or full one
        // refuses.
        if (why == Why::kUnstaffed) return Arrival{at};
        break;
      case ArrivalAction::kRefuse: break;
    }
    switch (why) {
      case Why::kClosed:
        return failed_precondition(closed + (action == ArrivalAction::kOverflow
                                                 ? "; its overflow queue cannot take it"
                                                 : ""));
      case Why::kFull:
        return resource_exhausted("queue: '" + at->cfg.name + "' holds its limit of " +
                                  std::to_string(cap) + " waiting" +
                                  (at->cfg.max_waiting ? " (its max_waiting)" : ""));
      case Why::kUnstaffed:
        return failed_precondition("queue: nobody who can take '" + at->cfg.name +
                                   "' work is logged in (its when_no_agents is refuse)");
    }
  }
}

Result<SubmitResult> Router::Impl::submit(const InteractionSpec& spec, TimePoint now) {
  advance(now);
  if (Status s = check_spec(spec); !s) return s.error();
  Queue* q = find_queue(spec.queue);
  // A recovered interaction was accepted already; a scheduled one arrives at its time.
  const bool scheduled = spec.not_before && *spec.not_before > now_;
  QueueId redirected_from;
  if (!spec.recovered && !scheduled) {
    auto arrival = arrival_queue(*q, spec);
    if (!arrival.ok()) return arrival.error();
    if (arrival.value().callback_at) {
      // Closed: the call becomes a callback work item, called back when its queue opens.
      InteractionSpec callback = spec;
      callback.queue = arrival.value().queue->id;
      callback.channel = Channel::kWorkItem;
      callback.not_before = arrival.value().callback_at;
      callback.due.reset();
      if (Status s = check_spec(callback); !s) return s.error();
      Interaction& it = make_interaction(callback, *arrival.value().queue);
      return schedule_work_item(it, arrival.value().closed);
    }
    if (arrival.value().queue != q) redirected_from = q->id;
    q = arrival.value().queue;
  }
  Interaction& it = make_interaction(spec, *q);
  if (it.not_before && *it.not_before > now_) return schedule_work_item(it, QueueId());

  transition(it, InteractionState::kQueued);
  ++q->arrived;
  enqueue(it);
  schedule_queue_timer(it);
  SubmitResult result{q->id, position_of(*q, it), {}, {}};
  emit(QueuedEvent{it.id, q->id, result.position, spec.recovered, redirected_from});
  route_interaction(it);
  if (!spec.recovered) tell_range(it);
  // A recovered interaction may already be past an expansion step or its maximum wait.
  advance(now_);
  if (Interaction* still = find_interaction(spec.id);
      still == nullptr || still->state != InteractionState::kQueued) {
    result.position = 0;
  }
  auto estimate = ewt(q->id, result.position, now_);
  result.ewt = estimate.ok() ? estimate.value() : Duration::zero();
  return result;
}

Result<SubmitResult> Router::Impl::schedule_work_item(Interaction& it, QueueId closed_queue) {
  // Counted in its queue when it enters it, at its time (fire()).
  transition(it, InteractionState::kScheduled);
  schedule(it, TimerKind::kScheduled, *it.not_before);
  emit(ScheduledEvent{it.id, it.queue, *it.not_before, closed_queue});
  SubmitResult result{it.queue, 0, {}, {}};
  if (closed_queue.valid()) result.callback_at = it.not_before;
  return result;
}

Status Router::Impl::restore_held(const InteractionSpec& spec, AgentId id, InteractionState state,
                                  TimePoint now) {
  advance(now);
  if (state != InteractionState::kAssigned && state != InteractionState::kWrapUp) {
    return invalid_argument("state: must be ASSIGNED or WRAP_UP");
  }
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (!a->logged_in) return failed_precondition("agent: not logged in");
  if (Status s = check_spec(spec); !s) return s;
  // Capacity as a decision counts it, but readiness and a pending offer do not matter: the work
  // is this agent's already. Past capacity (the configuration changed) it waits again instead.
  const auto c = static_cast<size_t>(spec.channel);
  if (!fits(*a, spec.channel)) {
    return failed_precondition("agent: has no free capacity for " +
                               std::string(to_string(spec.channel)));
  }
  Queue& q = *find_queue(spec.queue);
  Interaction& it = make_interaction(spec, q);
  // No lifecycle walk: it was queued, offered and answered before the restart. It arrives in its
  // queue's count as every recovered interaction does, so the queue's accounting balances; it is
  // not answered a second time.
  ++q.arrived;
  it.state = state;
  it.agent = id;
  it.assigned_at = now_;
  a->held.push_back(&it);
  ++a->held_per_channel[c];
  a->held_cost += cfg_.blending.cost[c];
  if (a->profile.capacity.exclusive[c]) ++a->exclusive_held;
  a->idle_since = now_;
  if (state == InteractionState::kWrapUp) {
    if (q.cfg.wrap_up == Duration::zero()) {
      refresh_agent(*a, {}, /*restoring=*/true);
      finish(it, /*then_fill=*/true);
      return {};
    }
    schedule(it, TimerKind::kWrapUp, now_ + q.cfg.wrap_up);
  }
  refresh_agent(*a, {}, /*restoring=*/true);
  return {};
}

Status Router::Impl::cancel(InteractionId id, TimePoint now) {
  advance(now);
  Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  if (it->state == InteractionState::kScheduled) {
    // It never entered its queue: neither its counts nor its service level see it.
    transition(*it, InteractionState::kAbandoned);
    emit(AbandonedEvent{id, it->queue, Duration::zero(), /*short_abandon=*/true,
                        /*before_queued=*/true});
    erase(*it);
    return {};
  }
  std::vector<Agent*> offered;  // the caller hung up while these agents' phones rang
  if (it->state == InteractionState::kOffered) {
    for (AgentId o : it->offers) {
      offered.push_back(find_agent(o));
      offered.back()->offer = nullptr;
    }
    it->offers.clear();
    --find_queue(it->queue)->offered_now;
    it->offer_counted = false;
  } else if (it->state != InteractionState::kQueued) {
    return failed_precondition("id: interaction is " + std::string(to_string(it->state)) +
                               "; only SCHEDULED, QUEUED or OFFERED can be cancelled");
  }
  Queue& q = *find_queue(it->queue);
  const Duration waited = now_ - it->arrival;
  const bool short_abandon = waited < q.cfg.short_abandon;
  ++q.abandoned;
  q.window.record_abandon(now_, short_abandon);
  transition(*it, InteractionState::kAbandoned);
  emit(AbandonedEvent{id, q.id, waited, short_abandon});
  erase(*it);
  for (Agent* a : offered) refresh_agent(*a);
  for (Agent* a : offered) fill_agent(*a);
  return {};
}

Status Router::Impl::set_priority(InteractionId id, int priority, TimePoint now) {
  advance(now);
  Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  if (priority < 0 || priority > 100) return invalid_argument("priority: must be 0..100");
  if (it->cls) {
    dequeue(*it);
    it->priority = priority;
    enqueue(*it);
  } else {
    it->priority = priority;
  }
  emit(PriorityChangedEvent{id, priority});
  // Priority changes the order, not who is eligible: no idle agent can now take it.
  return {};
}

Status Router::Impl::move(InteractionId id, QueueId to, TimePoint now) {
  advance(now);
  Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  Queue* dst = find_queue(to);
  if (!dst) return not_found("queue: unknown queue");
  if (it->state != InteractionState::kQueued && it->state != InteractionState::kOffered) {
    return failed_precondition("id: interaction is " + std::string(to_string(it->state)) +
                               "; only waiting work can be moved");
  }
  if (!dst->cfg.channels[static_cast<size_t>(it->channel)]) {
    return invalid_argument("queue: '" + dst->cfg.name + "' does not take " +
                            std::string(to_string(it->channel)));
  }
  if (to == it->queue) return {};
  if (static_cast<size_t>(dst->waiting) >= waiting_cap(*dst)) {
    return resource_exhausted("queue: '" + dst->cfg.name + "' is full");
  }
  std::vector<Agent*> offered;
  if (it->state == InteractionState::kOffered) {
    Agent& last = *find_agent(it->offers.back());
    offered = withdraw_offers(*it, &last, RequeueReason::kOfferWithdrawn);
    requeue_from_agent(*it, last, RequeueReason::kOfferWithdrawn, /*exclude=*/false);
    offered.push_back(&last);
  }
  const QueueId from = it->queue;
  dequeue(*it);
  cancel_timer(*it);
  ++find_queue(from)->left;
  transition(*it, InteractionState::kQueued);
  place_in_queue(*it, to, it->arrival);
  emit(MovedEvent{id, from, to});
  for (Agent* a : offered) refresh_agent(*a);
  for (Agent* a : offered) fill_agent(*a);
  route_interaction(*it);
  return {};
}

namespace {
Status not_offered(const Interaction* it, AgentId a) {
  if (!it) return not_found("interaction_id: no live interaction");
  if (it->state != InteractionState::kOffered || !it->offered_to(a)) {
    return failed_precondition("interaction_id: not offered to this agent (it is " +
                               std::string(to_string(it->state)) +
                               "; the offer may have timed out or been taken by another agent)");
  }
  return {};
}
Status not_held(const Interaction* it, AgentId a, InteractionState want) {
  if (!it) return not_found("interaction_id: no live interaction");
  if (it->state != want || it->agent != a) {
    return failed_precondition("interaction_id: is " + std::string(to_string(it->state)) +
                               (it->agent == a ? "" : " and not held by this agent") +
                               ", expected " + std::string(to_string(want)));
  }
  return {};
}
}  // namespace

Status Router::Impl::accept(AgentId id, InteractionId iid, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_offered(it, id); !s) return s;
  Queue& q = *find_queue(it->queue);
  cancel_timer(*it);
  // Multi-offer: the first accept wins; the other agents' offers are withdrawn.
  const std::vector<Agent*> others = withdraw_offers(*it, a, RequeueReason::kTakenByOther);
  it->offers.clear();
  a->offer = nullptr;
  --q.offered_now;
  it->offer_counted = false;
  transition(*it, InteractionState::kAssigned);
  it->agent = id;
  it->assigned_at = now_;
  a->held.push_back(it);
  const auto c = static_cast<size_t>(it->channel);
  ++a->held_per_channel[c];
  a->held_cost += cfg_.blending.cost[c];
  if (a->profile.capacity.exclusive[c]) ++a->exclusive_held;
  a->idle_since = now_;
  const Duration waited = now_ - it->arrival;
  ++q.answered;
  // A work item's service level is "done by due": it counts when completed (complete()).
  const bool within_target = it->due ? now_ <= *it->due : waited <= q.cfg.service_level.threshold;
  if (!it->due) q.window.record_answer(now_, waited, within_target);
  emit(AssignedEvent{iid, id, q.id, waited, within_target});
  refresh_agent(*a);
  for (Agent* b : others) refresh_agent(*b);
  fill_agent(*a);
  for (Agent* b : others) fill_agent(*b);
  return {};
}

Status Router::Impl::reject(AgentId id, InteractionId iid, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_offered(it, id); !s) return s;
  // With other offers pending it stays offered to them.
  const bool requeued = end_offer(*it, *a, RequeueReason::kRejected, /*exclude=*/true);
  refresh_agent(*a);
  fill_agent(*a);
  if (requeued) route_interaction(*it);
  return {};
}

Status Router::Impl::complete(AgentId id, InteractionId iid, std::string_view code, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  if (code.size() > cfg_.limits.max_string_length) {
    return invalid_argument("wrap_up_code: too long");
  }
  Interaction* it = find_interaction(iid);
  if (Status s = not_held(it, id, InteractionState::kAssigned); !s) return s;
  Queue& q = *find_queue(it->queue);
  transition(*it, InteractionState::kWrapUp);
  if (it->due) q.window.record_answer(now_, it->assigned_at - it->arrival, now_ <= *it->due);
  const TimePoint ends = now_ + q.cfg.wrap_up;
  emit(WrapUpStartedEvent{iid, id, ends, std::string(code)});
  if (q.cfg.wrap_up == Duration::zero()) {
    finish(*it, /*then_fill=*/true);
  } else {
    schedule(*it, TimerKind::kWrapUp, ends);
    refresh_agent(*a);
  }
  return {};
}

Status Router::Impl::end_wrap_up(AgentId id, InteractionId iid, TimePoint now) {
  advance(now);
  if (!find_agent(id)) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_held(it, id, InteractionState::kWrapUp); !s) return s;
  finish(*it, /*then_fill=*/true);
  return {};
}

Status Router::Impl::transfer_to_queue(AgentId id, InteractionId iid, QueueId to, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_held(it, id, InteractionState::kAssigned); !s) return s;
  Queue* dst = find_queue(to);
  if (!dst) return not_found("to_queue: unknown queue");
  if (!dst->cfg.channels[static_cast<size_t>(it->channel)]) {
    return invalid_argument("to_queue: '" + dst->cfg.name + "' does not take " +
                            std::string(to_string(it->channel)));
  }
  if (static_cast<size_t>(dst->waiting) >= waiting_cap(*dst)) {
    return resource_exhausted("to_queue: '" + dst->cfg.name + "' is full");
  }
  const QueueId from = it->queue;
  release_held(*a, *it);
  it->agent = AgentId();
  transition(*it, InteractionState::kQueued);
  it->excluded.assign(1, id);  // not straight back to the agent who passed it on
  ++find_queue(from)->left;
  emit(RequeuedEvent{iid, id, from, RequeueReason::kTransferred});
  // A transfer is a new request to the new queue: its wait there starts now.
  place_in_queue(*it, to, now_);
  emit(MovedEvent{iid, from, to});
  refresh_agent(*a);
  fill_agent(*a);
  route_interaction(*it);
  return {};
}

Status Router::Impl::transfer_to_agent(AgentId id, InteractionId iid, AgentId to, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_held(it, id, InteractionState::kAssigned); !s) return s;
  Agent* b = find_agent(to);
  if (!b) return not_found("to_agent: unknown agent");
  if (b == a) return invalid_argument("to_agent: is the agent holding it");
  if (!b->logged_in) return failed_precondition("to_agent: is logged out");
  if (b->profile.capacity.max[static_cast<size_t>(it->channel)] <= 0) {
    return failed_precondition("to_agent: takes no " + std::string(to_string(it->channel)));
  }
  release_held(*a, *it);
  it->agent = AgentId();
  transition(*it, InteractionState::kQueued);
  it->excluded.assign(1, id);  // if the named agent declines, not back to the one who passed it
  it->target = to;
  it->arrival = now_;
  it->queued_at = now_;
  enqueue(*it);
  schedule_queue_timer(*it);
  emit(RequeuedEvent{iid, id, it->queue, RequeueReason::kTransferred});
  emit(TransferredToAgentEvent{iid, id, to});
  refresh_agent(*a);
  fill_agent(*a);
  route_interaction(*it);
  return {};
}

}  // namespace router::engine
