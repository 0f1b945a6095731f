// Time: each live interaction has at most one due-time (offer timeout, wrap-up end, its next
// expansion step, overflow or expiry, or a scheduled work item's time); advance(now) fires them in
// due order. docs/routing.md, "The shape" and "Queues and expansion".
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Timers.

void Router::Impl::schedule(Interaction& it, TimerKind kind, TimePoint due) {
  cancel_timer(it);
  it.timer = timers_.insert(Timer{due, timer_seq_++, it.id, kind}).first;
}

void Router::Impl::cancel_timer(Interaction& it) {
  if (it.timer) {
    timers_.erase(*it.timer);
    it.timer.reset();
  }
}

// The next thing that happens to a waiting interaction by the passing of time alone: the end of
// its preferred-agent hold, its next expansion step, its overflow, or its expiry.
void Router::Impl::schedule_queue_timer(Interaction& it) {
  cancel_timer(it);
  const Queue& q = *find_queue(it.queue);
  std::optional<TimePoint> due;
  auto consider = [&due](TimePoint t) { due = due ? std::min(*due, t) : t; };
  if (!it.target.valid()) {
    if (it.stage < static_cast<int>(q.cfg.expansion.size())) {
      const ExpansionStep& step = q.cfg.expansion[static_cast<size_t>(it.stage)];
      const TimePoint step_due = it.queued_at + step.after;
      // Past it and not applied: a conditional step whose condition did not hold when it was
      // last looked at; due now if it holds now, else looked at again in kConditionRecheck.
      const bool held_back = step_due <= now_ && !condition_holds(q, step);
      consider(held_back ? now_ + kConditionRecheck : step_due);
    }
    if (q.cfg.overflow_after && it.overflow_hops < cfg_.limits.max_overflow_hops) {
      consider(it.queued_at + *q.cfg.overflow_after);
    }
    if (q.cfg.hold_for_agent && it.queued_at + *q.cfg.hold_for_agent > now_) {
      consider(it.queued_at + *q.cfg.hold_for_agent);
    }
  }
  if (q.cfg.max_wait) consider(it.queued_at + *q.cfg.max_wait);
  if (due) schedule(it, TimerKind::kQueue, *due);
}

// =============================================================================================
// Time.

void Router::Impl::advance(TimePoint now) {
  // Timers fire in due order, each at its own due time: a clock jump is the same as the time
  // passing gradually. The look at queues' risks and idle agents reaching a queue's threshold
  // fall between them in due order like timers; at one time, idle agents first (their due-time
  // is computed from the clock, so it must not be passed by the others), then risks, then timers.
  for (;;) {
    const bool timer_due = !timers_.empty() && timers_.begin()->due <= now;
    if (const auto crossing = next_idle_crossing();
        crossing && *crossing <= now && (!timer_due || *crossing <= timers_.begin()->due) &&
        (!next_risk_look_ || *crossing <= *next_risk_look_)) {
      set_clock(*crossing);
      add_idle_agents();
      continue;
    }
    if (next_risk_look_ && *next_risk_look_ <= now &&
        (!timer_due || *next_risk_look_ <= timers_.begin()->due)) {
      set_clock(*next_risk_look_);
      look_at_risks();
      continue;
    }
    if (!timer_due) break;
    const Timer t = *timers_.begin();
    Interaction* it = find_interaction(t.id);
    ROUTER_CHECK(it != nullptr && it->timer && *it->timer == timers_.begin());
    timers_.erase(timers_.begin());
    it->timer.reset();
    set_clock(t.due);
    fire(*it, t.kind);
  }
  set_clock(now);
}

void Router::Impl::look_at_risks() {
  next_risk_look_.reset();
  std::vector<QueueId> changed;
  for (const auto& qp : queues_) {
    Queue& q = *qp;
    const bool watched = q.cfg.reserve_agents_when.set();
    if (watched) next_risk_look_ = now_ + kConditionRecheck;
    // A queue whose condition a reconfiguration removed is no longer at risk.
    const bool at_risk = watched && risk_holds(q, q.cfg.reserve_agents_when);
    if (at_risk == q.at_risk) continue;
    q.at_risk = at_risk;
    queues_at_risk_ += at_risk ? 1 : -1;
    changed.push_back(q.id);
    emit(HeadroomChangedEvent{q.id, at_risk});
  }
  if (changed.empty()) return;
  // Agents who meet a changed queue's requirements as configured: their headroom changed.
  std::vector<Agent*> touched;
  for (const auto& ap : agents_) {
    Agent& a = *ap;
    for (const ServedQueue& s : a.served) {
      if (s.stage == 0 && std::find(changed.begin(), changed.end(), s.queue) != changed.end()) {
        touched.push_back(&a);
        break;
      }
    }
  }
  for (Agent* a : touched) reindex(*a);
  for (Agent* a : touched) fill_agent(*a);  // a lifted reservation frees it for other work
}

std::optional<TimePoint> Router::Impl::next_idle_crossing() const {
  std::optional<TimePoint> due;
  for (QueueId id : idle_rule_queues_) {
    const Queue& q = *queues_[id.value()];
    if (q.waiting == 0) continue;
    const Duration after = *q.cfg.add_idle_agents_after;
    // The longest idle agent not yet idle that long (idle since after now − after).
    const auto next = idle_agents_.upper_bound({now_ - after, AgentId()});
    if (next != idle_agents_.end() && (!due || next->first + after < *due)) {
      due = next->first + after;
    }
  }
  return due;
}

void Router::Impl::add_idle_agents() {
  // Every agent whose idle time reaches a threshold now, of any queue with work waiting; in
  // idle order (longest first, then id), each once.
  std::set<AgentIndex::Key> reaching;
  for (QueueId id : idle_rule_queues_) {
    const Queue& q = *queues_[id.value()];
    if (q.waiting == 0) continue;
    const TimePoint since = now_ - *q.cfg.add_idle_agents_after;
    for (auto a = idle_agents_.lower_bound({since, AgentId(0)});
         a != idle_agents_.end() && a->first == since; ++a) {
      reaching.insert(*a);
    }
  }
  for (const AgentIndex::Key& key : reaching) fill_agent(*agents_[key.second.value()]);
}

void Router::Impl::fire(Interaction& it, TimerKind kind) {
  switch (kind) {
    case TimerKind::kOffer: {
      // Every agent it still rings missed it (multi-offer: they share the timeout); the last
      // one's offer ending puts it back in its queue.
      ROUTER_CHECK(it.state == InteractionState::kOffered);
      std::vector<Agent*> missed;
      for (AgentId id : std::vector<AgentId>(it.offers)) {
        Agent& a = *find_agent(id);
        end_offer(it, a, RequeueReason::kOfferTimeout, /*exclude=*/true);
        missed.push_back(&a);
      }
      for (Agent* a : missed) {
        a->not_ready = true;
        a->not_ready_reason = "missed";
        refresh_agent(*a, "missed");
      }
      route_interaction(it);
      return;
    }
    case TimerKind::kWrapUp:
      ROUTER_CHECK(it.state == InteractionState::kWrapUp);
      finish(it, /*then_fill=*/true);
      return;
    case TimerKind::kScheduled: {
      // A scheduled work item's time has come: it enters its queue as a new arrival there.
      ROUTER_CHECK(it.state == InteractionState::kScheduled);
      Queue& q = *find_queue(it.queue);
      transition(it, InteractionState::kQueued);
      it.arrival = now_;
      it.queued_at = now_;
      it.stage = stage_at(q, Duration::zero());
      ++q.arrived;
      enqueue(it);
      schedule_queue_timer(it);
      emit(QueuedEvent{it.id, q.id, position_of(q, it), false, QueueId()});
      route_interaction(it);
      tell_range(it);
      return;
    }
    case TimerKind::kQueue: break;
  }
  ROUTER_CHECK(it.state == InteractionState::kQueued);
  Queue& q = *find_queue(it.queue);
  const Duration in_queue = now_ - it.queued_at;
  if (q.cfg.max_wait && in_queue >= *q.cfg.max_wait) {
    ++q.expired;
    transition(it, InteractionState::kExpired);
    emit(ExpiredEvent{it.id, q.id, now_ - it.arrival});
    erase(it);
    return;
  }
  if (!it.target.valid() && q.cfg.overflow_after && in_queue >= *q.cfg.overflow_after &&
      it.overflow_hops < cfg_.limits.max_overflow_hops) {
    ++it.overflow_hops;
    Queue* dst = find_queue(q.cfg.overflow_queue);
    if (dst && dst->cfg.channels[static_cast<size_t>(it.channel)] &&
        static_cast<size_t>(dst->waiting) < waiting_cap(*dst)) {
      dequeue(it);
      ++q.left;
      transition(it, InteractionState::kQueued);
      // The caller keeps their place: ordering in the overflow queue is by original arrival.
      place_in_queue(it, dst->id, it.arrival);
      emit(OverflowedEvent{it.id, q.id, dst->id});
      route_interaction(it);
      return;
    }
    // Overflow target cannot take it: stay, and stop trying (hops exhausted).
    it.overflow_hops = cfg_.limits.max_overflow_hops;
  }
  const int stage = it.target.valid() ? it.stage : stage_at(q, in_queue, it.stage);
  if (stage != it.stage) {
    dequeue(it);
    it.stage = stage;
    enqueue(it);
    emit(ExpandedEvent{it.id, q.id, stage});
    schedule_queue_timer(it);
    route_interaction(it);
    return;
  }
  schedule_queue_timer(it);
  // Its preferred-agent hold ends now: anyone may take it.
  if (q.cfg.hold_for_agent && it.queued_at + *q.cfg.hold_for_agent == now_) route_interaction(it);
}

}  // namespace router::engine
