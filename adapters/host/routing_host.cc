// The host's construction, its lookups and proto building, and the engine's events turned into
// subscriber messages, journal writes and timers. See routing_host.h.
#include "adapters/host/routing_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string reason_name(engine::RequeueReason r) { return std::string(engine::to_string(r)); }

bool finished(v1::InteractionState s) {
  return s == v1::COMPLETED || s == v1::ABANDONED || s == v1::EXPIRED;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, start and stop.

absl::StatusOr<std::unique_ptr<RoutingHost>> RoutingHost::create(config::RoutingModel model,
                                                                 HostPorts ports) {
  if (ports.executor == nullptr || ports.clock == nullptr || ports.customers == nullptr) {
    return absl::InvalidArgumentError("host: an executor, a clock and a customer store are needed");
  }
  auto phones = channels::PhoneNormalizer::make(model.daemon.default_region);
  if (!phones.ok()) {
    return absl::InvalidArgumentError("daemon.default_region: " + phones.error().message);
  }
  auto entry = channels::EntryPointTable::build(model.proto, model, phones.value());
  if (!entry.ok()) return to_status(entry.error());
  if (entry.value().size() == 0) {
    return absl::InvalidArgumentError("entry_points: routerd needs at least one entry point rule");
  }
  // Opening hours read the engine's times as wall-clock time.
  model.router.wall_at_zero = ports.clock->wall(engine::TimePoint{});
  auto router = config::build_router(model);
  if (!router.ok()) return to_status(router.error());
  return std::unique_ptr<RoutingHost>(new RoutingHost(std::move(model), std::move(router).value(),
                                                      std::move(phones).value(),
                                                      std::move(entry).value(), std::move(ports)));
}

RoutingHost::RoutingHost(config::RoutingModel model, std::unique_ptr<engine::Router> router,
                         channels::PhoneNormalizer phones, channels::EntryPointTable entry_points,
                         HostPorts ports)
    : executor_(*ports.executor),
      clock_(*ports.clock),
      model_(std::move(model)),
      router_(std::move(router)),
      phones_(std::move(phones)),
      entry_points_(std::move(entry_points)),
      customers_(std::move(ports.customers)),
      journal_(ports.journal),
      metrics_(ports.metrics),
      reports_(ports.reports),
      recorder_(std::chrono::duration_cast<std::chrono::milliseconds>(model_.daemon.report_interval)
                    .count()),
      threads_(model_.daemon.max_email_threads) {}

RoutingHost::~RoutingHost() = default;  // the timers cancel themselves as they go

void RoutingHost::start() { arm_report_timer(); }

void RoutingHost::stop() {
  if (!stopped_ && reports_ != nullptr) {
    // What was gathered since the last store: sent, not waited for (best effort at shutdown).
    if (auto last = recorder_.take(wall_ms(clock_.now())); !last.empty()) {
      reports_->add(std::move(last), [](const absl::Status&) {});
    }
  }
  stopped_ = true;
  report_timer_.reset();
  deadline_timer_.reset();
  armed_deadline_.reset();
  heartbeat_timer_.reset();
  for (auto& w : queue_watchers_) w->timer.reset();
  for (auto& [agent, s] : agent_streams_) s.grace.reset();
}

std::vector<std::string> RoutingHost::live_client_ids() const {
  std::vector<std::string> out;
  out.reserve(by_scoped_id_.size());
  for (const auto& [id, engine_id] : by_scoped_id_) out.push_back(id);
  return out;
}

void RoutingHost::stamp(engine::TimePoint t, google::protobuf::Timestamp* out) const {
  host::stamp(clock_, t, out);
}

// ---------------------------------------------------------------------------------------------
// Lookups and proto building.

absl::Status RoutingHost::find_agent(const std::string& name, engine::AgentId& out) const {
  auto id = router_->find_agent(name);
  if (!id) return absl::NotFoundError("agent: unknown agent '" + name + "'");
  out = *id;
  return absl::OkStatus();
}

std::string RoutingHost::Tracked::scoped() const {
  return scoped_id(submitter, proto.interaction_id());
}

absl::Status RoutingHost::find_scoped(const std::string& interaction_id, engine::AgentId agent,
                                      std::string& scoped) const {
  if (interaction_id.find('/') != std::string::npos && known(interaction_id)) {
    scoped = interaction_id;
    return absl::OkStatus();
  }
  // A bare client id: whichever gateway's it is, live ones first.
  std::vector<std::string> live;
  std::vector<std::string> other;
  for (const std::string& g : gateways_) {
    std::string candidate = scoped_id(g, interaction_id);
    if (by_scoped_id_.count(candidate)) {
      live.push_back(std::move(candidate));
    } else if (known(candidate)) {
      other.push_back(std::move(candidate));
    }
  }
  if (live.size() > 1 && agent.valid()) {
    // An agent names the one offered to it or held by it.
    std::erase_if(live, [&](const std::string& k) {
      const Tracked& t = tracked_.at(by_scoped_id_.at(k).value());
      if (std::find(t.offered_to.begin(), t.offered_to.end(), agent) != t.offered_to.end()) {
        return false;
      }
      auto snap = router_->interaction(t.id);
      return !snap.ok() || snap.value().agent != agent;
    });
  }
  std::vector<std::string>& found = live.empty() ? other : live;
  if (found.empty()) {
    return absl::NotFoundError("interaction_id: unknown interaction '" + interaction_id + "'");
  }
  if (found.size() > 1) {
    std::string which;
    for (const auto& k : found) which += (which.empty() ? "'" : ", '") + k + "'";
    return absl::InvalidArgumentError("interaction_id: '" + interaction_id +
                                      "' is the id of interactions of " +
                                      std::to_string(found.size()) + " gateways (" + which +
                                      "); name one as \"<gateway>/<interaction_id>\"");
  }
  scoped = std::move(found.front());
  return absl::OkStatus();
}

absl::Status RoutingHost::find_interaction(const std::string& interaction_id,
                                           engine::InteractionId& out,
                                           engine::AgentId agent) const {
  std::string client_id;  // the scoped id
  if (absl::Status s = find_scoped(interaction_id, agent, client_id); !s.ok()) return s;
  auto it = by_scoped_id_.find(client_id);
  if (it != by_scoped_id_.end()) {
    out = it->second;
    return absl::OkStatus();
  }
  if (auto f = finished_.find(client_id); f != finished_.end()) {
    return absl::FailedPreconditionError("interaction_id: interaction '" + client_id +
                                         "' is already " +
                                         v1::InteractionState_Name(f->second.state()));
  }
  if (pending_.count(client_id)) {
    return absl::FailedPreconditionError("interaction_id: interaction '" + client_id +
                                         "' is still being received");
  }
  return absl::NotFoundError("interaction_id: unknown interaction '" + client_id + "'");
}

absl::Status RoutingHost::find_queue(const std::string& name, const char* field,
                                     engine::QueueId& out) const {
  auto id = router_->find_queue(name);
  if (!id) return absl::NotFoundError(std::string(field) + ": unknown queue '" + name + "'");
  out = *id;
  return absl::OkStatus();
}

std::string RoutingHost::agent_name(engine::AgentId agent) const {
  return std::string(router_->agent_name(agent));
}

absl::Status RoutingHost::agent_status(engine::AgentId agent, v1::AgentStatus* out) const {
  auto a = router_->agent(agent, clock_.now());
  if (!a.ok()) return to_status(a.error());
  fill_agent_status(a.value(), clock_, out);
  for (engine::InteractionId id : a.value().work) {
    auto t = tracked_.find(id.value());
    if (t != tracked_.end()) out->add_work(t->second.proto.interaction_id());
  }
  return absl::OkStatus();
}

v1::Interaction RoutingHost::interaction_proto(const Tracked& t, std::optional<AsOf> as_of) const {
  v1::Interaction p = t.proto;
  if (!as_of || !finished(as_of->state)) {
    if (auto snap = router_->interaction(t.id); snap.ok()) {
      fill_state(t, snap.value(), /*estimate=*/true, p);
    }
  }
  if (!as_of) return p;
  p.set_state(as_of->state);
  p.set_agent(as_of->agent.valid() ? agent_name(as_of->agent) : std::string());
  if (as_of->state != v1::OFFERED) p.clear_offered_to();
  if (as_of->state == v1::QUEUED) {
    if (p.position() == 0) p.set_position(std::max(1, t.position));
  } else {
    p.set_position(0);
    p.set_ewt_s(0);
    p.set_ewt_low_s(0);
    p.set_ewt_high_s(0);
  }
  return p;
}

void RoutingHost::fill_state(const Tracked& t, const engine::InteractionSnapshot& s, bool estimate,
                             v1::Interaction& p) const {
  p.set_state(to_proto(s.state));
  if (s.queue.valid() && s.queue.value() < model_.queues.size()) {
    p.set_queue(model_.queues[s.queue.value()].name);
  }
  p.set_priority(s.priority);
  p.set_agent(agent_name(s.agent));
  p.clear_offered_to();
  for (engine::AgentId a : s.offers) p.add_offered_to(agent_name(a));
  if (p.has_work_item()) stamp_due(s, clock_, *p.mutable_work_item());
  p.set_ewt_low_s(0);
  p.set_ewt_high_s(0);
  if (s.state == engine::InteractionState::kQueued) {
    // Live when estimated (docs/routing.md, "Estimated wait"): where it stands now and how long
    // it is likely to wait from now, with its calibrated range.
    p.set_position(std::max(1, t.position));
    p.set_ewt_s(0);
    if (estimate) {
      if (auto e = router_->wait_estimate(t.id, router_->now()); e.ok()) {
        p.set_position(e.value().position);
        p.set_ewt_s(engine::seconds(e.value().ewt));
        p.set_ewt_low_s(engine::seconds(e.value().low));
        p.set_ewt_high_s(engine::seconds(e.value().high));
      }
    }
  } else {
    p.set_position(0);
    p.set_ewt_s(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Events → streams.

void RoutingHost::settle() {
  events_.clear();
  router_->drain_events(events_);
  for (const auto& e : events_) publish(e);
  events_.clear();
  flush_journal();
  arm_deadline();
  flush_touched();
}

void RoutingHost::touch(std::shared_ptr<Flushable> subscriber) {
  // A command pushes to a few streams (an agent's, its watchers'): a linear search is cheap.
  for (const auto& t : touched_) {
    if (t == subscriber) return;
  }
  touched_.push_back(std::move(subscriber));
}

void RoutingHost::flush_touched() {
  std::vector<std::shared_ptr<Flushable>> touched;
  touched.swap(touched_);
  for (const auto& t : touched) t->flush();
  touched.clear();
  if (touched_.empty()) touched_.swap(touched);  // keeps the capacity
}

void RoutingHost::arm_deadline() {
  const auto next = router_->next_deadline();
  if (next == armed_deadline_) return;
  armed_deadline_ = next;
  deadline_timer_.reset();
  if (!next || stopped_) return;
  const auto delay = std::max(engine::Duration(0), *next - clock_.now());
  deadline_timer_ = clock_.start_timer(delay, [this] {
    armed_deadline_.reset();
    timed([&] {
      router_->advance(clock_.now());
      return 0;
    });
    settle();
  });
}

engine::Duration RoutingHost::beat_tick() const {
  const engine::Duration interval = std::max(model_.daemon.heartbeat, engine::Duration(1));
  return std::max(interval / static_cast<int64_t>(kBeatSlots),
                  std::min(interval, engine::Duration(20)));
}

void RoutingHost::schedule_beat(uint32_t agent, AgentStream& stream, int64_t ticks) {
  ticks = std::clamp<int64_t>(ticks, 1, static_cast<int64_t>(kBeatSlots));
  stream.beat = ++beat_generation_;
  beat_slots_[(beat_next_ + static_cast<size_t>(ticks) - 1) % kBeatSlots].push_back(
      BeatEntry{agent, stream.beat});
  ++beat_entries_;
  if (!heartbeat_timer_) {
    beat_due_ = clock_.now() + beat_tick();
    arm_heartbeat();
  }
}

void RoutingHost::arm_heartbeat() {
  if (stopped_) return;
  heartbeat_timer_ = clock_.start_timer(std::max(engine::Duration(0), beat_due_ - clock_.now()),
                                        [this] { heartbeat_tick(); });
}

void RoutingHost::heartbeat_tick() {
  std::vector<BeatEntry> due;
  due.swap(beat_slots_[beat_next_]);
  beat_next_ = (beat_next_ + 1) % kBeatSlots;
  beat_entries_ -= due.size();
  const engine::TimePoint now = clock_.now();
  const engine::Duration interval = model_.daemon.heartbeat;
  const engine::Duration tick = beat_tick();
  for (const BeatEntry& e : due) {
    auto it = agent_streams_.find(e.agent);
    if (it == agent_streams_.end() || it->second.beat != e.generation) continue;  // stale
    AgentStream& stream = it->second;
    if (!stream.subscriber) {  // closed: a new stream schedules a new entry
      stream.beat = 0;
      continue;
    }
    const engine::Duration left = stream.last_sent + interval - now;
    if (left >= tick) {  // it carried something since: due later
      schedule_beat(e.agent, stream, left / tick);
      continue;
    }
    v1::WorkEvent hb;
    stamp(now, hb.mutable_at());
    hb.mutable_heartbeat();
    stream.last_sent = now;
    stream.subscriber->push(std::move(hb));
    stream.subscriber->flush();  // pushed outside a command's settle()
    schedule_beat(e.agent, stream, interval / tick);
  }
  if (beat_entries_ == 0) {
    heartbeat_timer_.reset();  // runs again with the next stream
    return;
  }
  beat_due_ += tick;
  if (beat_due_ + interval < now) beat_due_ = now;  // far behind (a stall): no burst of catch-ups
  arm_heartbeat();
}

void RoutingHost::send_work(engine::AgentId agent, v1::WorkEvent event) {
  auto it = agent_streams_.find(agent.value());
  if (it == agent_streams_.end() || !it->second.subscriber) return;
  it->second.last_sent = clock_.now();
  deliver(it->second.subscriber, std::move(event));
}

void RoutingHost::send_agent_update(engine::AgentId agent, engine::InteractionId id,
                                    std::optional<AsOf> as_of, std::string reason) {
  if (!agent.valid()) return;
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  v1::WorkEvent ev;
  stamp(clock_.now(), ev.mutable_at());
  *ev.mutable_update() = interaction_proto(t->second, as_of);
  ev.set_reason(std::move(reason));
  send_work(agent, std::move(ev));
}

void RoutingHost::notify_interaction(engine::InteractionId id, const char* change,
                                     std::string reason, std::optional<AsOf> as_of) {
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  if (journal_ != nullptr && (!as_of || !finished(as_of->state))) {
    journal_dirty_.insert(id.value());
  }
  const std::string& owner = t->second.submitter;
  auto w = interaction_watchers_.find(owner);
  if (w == interaction_watchers_.end() && all_gateway_watchers_.empty()) return;
  v1::InteractionEvent ev;
  stamp(clock_.now(), ev.mutable_at());
  *ev.mutable_interaction() = interaction_proto(t->second, as_of);
  ev.set_change(change);
  ev.set_reason(std::move(reason));
  const std::string scoped = t->second.scoped();
  const auto closed = [](const std::shared_ptr<InteractionWatcher>& x) {
    return !x->subscriber->open();
  };
  // Its own gateway's watchers get the bare id, granted others the scoped one.
  const auto deliver_all = [&](std::vector<std::shared_ptr<InteractionWatcher>>& list) {
    for (auto& watcher : list) {
      if (!watcher->ids.empty() && !watcher->ids.count(scoped)) continue;
      if (watcher->viewer == owner) {
        deliver(watcher->subscriber, v1::InteractionEvent(ev));
      } else {
        v1::InteractionEvent other = ev;
        other.mutable_interaction()->set_interaction_id(scoped);
        deliver(watcher->subscriber, std::move(other));
      }
    }
    std::erase_if(list, closed);
  };
  if (w != interaction_watchers_.end()) {
    deliver_all(w->second);
    if (w->second.empty()) interaction_watchers_.erase(w);
  }
  deliver_all(all_gateway_watchers_);
}

void RoutingHost::retire(engine::InteractionId id, AsOf final) {
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  const std::string client_id = t->second.scoped();
  // An offer still out when the interaction ended: the caller hung up or the wait ran out.
  if (final.state == v1::ABANDONED || final.state == v1::EXPIRED) {
    settle_offer(t->second, final.state == v1::ABANDONED ? "abandoned" : "expired");
  }
  v1::InteractionHistory history = std::move(t->second.history);
  *history.mutable_interaction() = interaction_proto(t->second, final);
  history.mutable_interaction()->set_interaction_id(client_id);
  *history.mutable_arrived() = t->second.proto.arrived();
  stamp(clock_.now(), history.mutable_finished());

  if (journal_ != nullptr) {
    v1::JournalEntry entry = journal_entry(t->second, final);
    *entry.mutable_history() = history;
    journal_->finish(entry);
    journal_dirty_.erase(id.value());
    if (!t->second.message_id.empty()) {
      // The email's thread outlives it (docs/redis.md, "Email threads").
      v1::EmailThreadEntry thread;
      thread.set_message_id(t->second.message_id);
      thread.set_customer_id(t->second.proto.customer().customer_id());
      thread.set_interaction_id(t->second.proto.interaction_id());
      thread.set_agent(t->second.handled_by.empty() ? t->second.thread_agent
                                                    : t->second.handled_by);
      journal_->remember_thread(thread);
    }
  }
  remember_finished(client_id, interaction_proto(t->second, final), std::move(history));
  by_scoped_id_.erase(client_id);
  tracked_.erase(t);
}

void RoutingHost::settle_offer(Tracked& t, std::string outcome, engine::AgentId agent) const {
  const std::string name = agent.valid() ? agent_name(agent) : std::string();
  for (int i = t.history.offers_size() - 1; i >= 0; --i) {
    auto* record = t.history.mutable_offers(i);
    if (record->outcome() != "pending") break;  // the pending ones are the latest
    if (name.empty() || record->agent() == name) record->set_outcome(outcome);
  }
}

void RoutingHost::publish(const engine::Event& event) {
  if (reports_ != nullptr) record_report(event);
  const auto tracked = [this](engine::InteractionId id) -> Tracked* {
    auto t = tracked_.find(id.value());
    return t == tracked_.end() ? nullptr : &t->second;
  };
  // An offer that ends without an answer from its agent (the caller hung up, the wait ran out):
  // the agent is told why, or the desktop would keep ringing.
  const auto offer_ended = [&](engine::InteractionId id, AsOf final, const char* reason) {
    Tracked* t = tracked(id);
    if (t == nullptr) return;
    for (engine::AgentId a : t->offered_to) send_agent_update(a, id, final, reason);
    t->offered_to.clear();
  };
  std::visit(
      Overloaded{
          [&](const engine::QueuedEvent& e) {
            if (Tracked* t = tracked(e.interaction)) t->position = e.position;
            notify_interaction(e.interaction, "queued", "", AsOf{v1::QUEUED, {}});
          },
          [&](const engine::ScheduledEvent& e) {
            notify_interaction(e.interaction, "scheduled", "", AsOf{v1::SCHEDULED, {}});
          },
          [&](const engine::OfferedEvent& e) {
            const AsOf offered{v1::OFFERED, e.agent};
            notify_interaction(e.interaction, "offered", "", offered);
            Tracked* t = tracked(e.interaction);
            if (t == nullptr) return;
            t->offered_to.push_back(e.agent);
            if (metrics_ != nullptr) {
              metrics_->offered(model_.queues[e.queue.value()].name);
              if (!t->offered_once && t->received) {
                metrics_->first_offer(event.at - *t->received);
              }
            }
            t->offered_once = true;
            auto* record = t->history.add_offers();
            record->set_agent(agent_name(e.agent));
            stamp(event.at, record->mutable_at());
            record->set_queue(model_.queues[e.queue.value()].name);
            record->set_points(engine::to_double(e.points.total()));
            fill_breakdown(e.points, record->mutable_breakdown());
            record->set_outcome("pending");
            v1::WorkEvent ev;
            stamp(event.at, ev.mutable_at());
            auto* offer = ev.mutable_offer();
            *offer->mutable_interaction() = interaction_proto(*t, offered);
            stamp(e.expires, offer->mutable_expires());
            offer->set_points(engine::to_double(e.points.total()));
            fill_breakdown(e.points, offer->mutable_breakdown());
            send_work(e.agent, std::move(ev));
            spdlog::info("event=offered id={} agent={} points={:.3f}",
                         engine::log_text(t->scoped()), engine::log_text(agent_name(e.agent)),
                         engine::to_double(e.points.total()));
          },
          [&](const engine::AssignedEvent& e) {
            if (Tracked* t = tracked(e.interaction)) {
              t->handled_by = agent_name(e.agent);
              t->offered_to.clear();
              t->assigned_at = event.at;
              settle_offer(*t, "accepted", e.agent);
              stamp(event.at, t->history.mutable_answered());
            }
            if (metrics_ != nullptr) {
              if (auto snap = router_->interaction(e.interaction); snap.ok()) {
                metrics_->answered(model_.queues[e.queue.value()].name,
                                   event.at - snap.value().arrival);
              }
            }
            const AsOf assigned{v1::ASSIGNED, e.agent};
            notify_interaction(e.interaction, "assigned", "", assigned);
            send_agent_update(e.agent, e.interaction, assigned);
          },
          [&](const engine::RequeuedEvent& e) {
            if (Tracked* t = tracked(e.interaction)) {
              t->offered_to.clear();
              settle_offer(*t, reason_name(e.reason), e.agent);
            }
            const AsOf queued{v1::QUEUED, {}};
            notify_interaction(e.interaction, "requeued", reason_name(e.reason), queued);
            send_agent_update(e.agent, e.interaction, queued, reason_name(e.reason));
          },
          [&](const engine::OfferEndedEvent& e) {
            // Multi-offer: this agent's offer ended; the interaction is still offered to others
            // or was taken by one of them.
            // The agent's desktop learns it is no longer theirs: ASSIGNED (to someone else,
            // unnamed) or still OFFERED to others.
            const std::string reason = reason_name(e.reason);
            if (Tracked* t = tracked(e.interaction)) {
              std::erase(t->offered_to, e.agent);
              settle_offer(*t, reason, e.agent);
              spdlog::info("event=offer_ended id={} agent={} reason={}",
                           engine::log_text(t->scoped()), engine::log_text(agent_name(e.agent)),
                           reason);
            }
            const AsOf now_as{
                e.reason == engine::RequeueReason::kTakenByOther ? v1::ASSIGNED : v1::OFFERED, {}};
            notify_interaction(e.interaction, "offer_ended", reason, std::nullopt);
            send_agent_update(e.agent, e.interaction, now_as, reason);
          },
          [&](const engine::AbandonedEvent& e) {
            const AsOf abandoned{v1::ABANDONED, {}};
            offer_ended(e.interaction, abandoned, "abandoned");
            notify_interaction(e.interaction, "abandoned", "", abandoned);
            retire(e.interaction, abandoned);
          },
          [&](const engine::ExpiredEvent& e) {
            const AsOf expired{v1::EXPIRED, {}};
            offer_ended(e.interaction, expired, "expired");
            notify_interaction(e.interaction, "expired", "max_wait", expired);
            retire(e.interaction, expired);
          },
          [&](const engine::OverflowedEvent& e) {
            if (Tracked* t = tracked(e.interaction)) {
              t->history.add_queue_path(model_.queues[e.to.value()].name);
            }
            notify_interaction(e.interaction, "overflowed", "", std::nullopt);
          },
          [&](const engine::ExpandedEvent& e) {
            notify_interaction(e.interaction, "expanded", "stage " + std::to_string(e.stage),
                               std::nullopt);
          },
          [&](const engine::MovedEvent& e) {
            if (Tracked* t = tracked(e.interaction)) {
              t->history.add_queue_path(model_.queues[e.to.value()].name);
            }
            notify_interaction(e.interaction, "moved", "", std::nullopt);
          },
          [&](const engine::TransferredToAgentEvent& e) {
            notify_interaction(e.interaction, "transferred", "to " + agent_name(e.to),
                               std::nullopt);
          },
          [&](const engine::PriorityChangedEvent& e) {
            notify_interaction(e.interaction, "priority_changed", "", std::nullopt);
          },
          [&](const engine::WrapUpStartedEvent& e) {
            const AsOf wrap_up{v1::WRAP_UP, e.agent};
            notify_interaction(e.interaction, "wrap_up", e.wrap_up_code, wrap_up);
            send_agent_update(e.agent, e.interaction, wrap_up);
          },
          [&](const engine::CompletedEvent& e) {
            const AsOf completed{v1::COMPLETED, e.agent};
            if (Tracked* t = tracked(e.interaction);
                metrics_ != nullptr && t != nullptr && t->assigned_at) {
              metrics_->handled(model_.queues[e.queue.value()].name, event.at - *t->assigned_at);
            }
            notify_interaction(e.interaction, "completed", "", completed);
            send_agent_update(e.agent, e.interaction, completed);
            const std::string agent = agent_name(e.agent);
            if (!e.customer_id.empty() && !agent.empty()) {
              const auto unix_s = std::chrono::duration_cast<std::chrono::seconds>(
                                      clock_.wall(event.at).time_since_epoch())
                                      .count();
              customers_->record_contact(e.customer_id, agent, unix_s);
            }
            retire(e.interaction, completed);
          },
          [&](const engine::AgentStateChangedEvent& e) {
            if (journal_ != nullptr) agents_dirty_.insert(e.agent.value());
            v1::WorkEvent ev;
            stamp(event.at, ev.mutable_at());
            if (agent_status(e.agent, ev.mutable_status()).ok()) {
              send_work(e.agent, std::move(ev));
            }
          },
          [&](const engine::HeadroomChangedEvent& e) {
            spdlog::info("event=headroom queue={} at_risk={} action=\"{}\"",
                         model_.queues[e.queue.value()].name, e.at_risk,
                         e.at_risk ? "its agents take no new work of its queue's other channels"
                                   : "its agents take any work again");
          },
      },
      event.body);
}

}  // namespace router::adapters::host
