// The journal on the host: the entry written for an interaction, the batched updates after each
// command, and recovery at start. See routing_host.h and docs/redis.md (the durability contract).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

// What recovery (RoutingHost::recover) reads from an entry that can change after the submit,
// hashed: the queue, the priority, the agents it excludes, and whether it is waiting, assigned
// (to which agent) or in wrap-up. An offered interaction recovers as a waiting one, and
// positions, estimates and the agent an offer went to are not read back; the rest of the entry
// (customer, details, arrival, extra skills) is fixed at the submit. Entries with equal keys
// recover alike, so only the first is written: a lifecycle costs three journal writes (submit,
// accept, finish) instead of five (bench/README.md has what that gained), four when its queue
// has a wrap-up time (the wrap-up is journaled so that a recovered agent can end it). Never 0
// ("nothing written yet").
uint64_t RoutingHost::recovery_key(const v1::JournalEntry& entry) {
  const v1::Interaction& p = entry.interaction();
  const bool accepted = p.state() == v1::ASSIGNED || p.state() == v1::WRAP_UP;
  std::string key = p.queue();
  key += '\0';
  key += std::to_string(p.priority());
  key.append(p.state() == v1::WRAP_UP ? "\0U\0" : accepted ? "\0A\0" : "\0W\0", 3);
  if (accepted) key += p.agent();
  for (const std::string& agent : entry.excluded_agents()) {
    key += '\0';
    key += agent;
  }
  return std::max<uint64_t>(1, std::hash<std::string>{}(key));
}

// ---------------------------------------------------------------------------------------------
// The journal: entries, changes, recovery.

v1::JournalEntry RoutingHost::journal_entry(const Tracked& t, std::optional<AsOf> final) const {
  v1::JournalEntry e;
  v1::Interaction& p = *e.mutable_interaction();
  if (final) {
    p = interaction_proto(t, final);
  } else {
    p = t.proto;
    // One snapshot for the state and the exclusions; no EWT (recovery recomputes it).
    if (auto snap = router_->interaction(t.id); snap.ok()) {
      fill_state(t, snap.value(), /*estimate=*/false, p);
      for (engine::AgentId a : snap.value().excluded) e.add_excluded_agents(agent_name(a));
    }
  }
  // The journal's key: scoped, so two gateways' equal ids are two entries.
  p.set_interaction_id(t.scoped());
  e.set_arrived_unix_ns(t.arrived_unix_ns);
  for (const auto& req : t.extra_skills) {
    auto* out = e.add_extra_skills();
    out->set_skill(model_.skills[req.skill.value()]);
    out->set_min_level(req.min_level);
  }
  e.set_submitter(t.submitter);
  e.set_thread_agent(t.thread_agent);
  return e;
}

void RoutingHost::flush_journal() {
  if (journal_ == nullptr) {
    agents_dirty_.clear();
    return;
  }
  for (uint64_t id : journal_dirty_) {
    if (auto t = tracked_.find(id); t != tracked_.end()) {
      v1::JournalEntry entry = journal_entry(t->second);
      // Finished entries report the last queue they were in.
      t->second.proto.set_queue(entry.interaction().queue());
      const uint64_t key = recovery_key(entry);
      if (key == t->second.journaled) continue;  // recovery would read the same
      t->second.journaled = key;
      journal_->update(entry);
    }
  }
  journal_dirty_.clear();
  for (uint32_t raw : agents_dirty_) {
    v1::AgentJournalEntry entry = agent_entry(engine::AgentId(raw));
    const uint64_t key = agent_key(entry);
    uint64_t& written = agents_journaled_[raw];
    if (key == written) continue;  // recovery would read the same
    written = key;
    journal_->update_agent(entry);
  }
  agents_dirty_.clear();
}

void RoutingHost::when_journaled(std::function<void(absl::Status)> done) {
  if (journal_ == nullptr) return done(absl::OkStatus());
  journal_->sync([this, done = std::move(done)](absl::Status s) mutable {
    if (s.code() == absl::StatusCode::kFailedPrecondition) {  // fenced: never written
      s = absl::UnavailableError(std::string(s.message()) +
                                 "; the change was not journaled: retry on the active routerd");
    } else if (!s.ok()) {
      // The journal is away (health says NOT_SERVING): work in hand goes on from memory, and the
      // change is written once it is back (docs/redis.md, "While Redis is away").
      ++answered_unjournaled_;
      s = absl::OkStatus();
    }
    if (executor_.running_here()) return done(std::move(s));
    post([done = std::move(done), s = std::move(s)]() mutable { done(std::move(s)); });
  });
}

v1::AgentJournalEntry RoutingHost::agent_entry(engine::AgentId agent) const {
  v1::AgentJournalEntry e;
  e.set_agent(agent_name(agent));
  auto snap = router_->agent(agent, clock_.now());
  if (snap.ok() && snap.value().state != engine::AgentState::kLoggedOut) {
    e.set_logged_in(true);
    // The reason is set exactly while the agent is NOT_READY underneath its work.
    e.set_ready(snap.value().not_ready_reason.empty());
    e.set_not_ready_reason(snap.value().not_ready_reason);
  }
  e.set_changed_unix_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            clock_.wall(clock_.now()).time_since_epoch())
                            .count());
  return e;
}

// What recovery reads from an agent's session: logged in, ready, the reason. Busy, reserved and
// wrap-up are not in it (they follow from the work held), so a session costs a write only when
// the agent logs in or out or changes its readiness, not per interaction.
uint64_t RoutingHost::agent_key(const v1::AgentJournalEntry& entry) {
  std::string key = entry.logged_in() ? (entry.ready() ? "R" : "N") : "L";
  key += entry.not_ready_reason();
  return std::max<uint64_t>(1, std::hash<std::string>{}(key));
}

v1::Interaction RoutingHost::from_journal(const v1::JournalEntry& entry) {
  v1::Interaction out = entry.interaction();
  const std::string& gateway = entry.submitter();
  if (out.interaction_id().starts_with(gateway + '/')) {
    out.set_interaction_id(out.interaction_id().substr(gateway.size() + 1));
  }
  out.set_gateway(gateway);
  return out;
}

// REQUIRES: the entry's id is scoped by its submitter (recover() converts older entries).
engine::Status RoutingHost::restore(const v1::JournalEntry& entry, std::optional<Held> held) {
  const v1::Interaction& in = entry.interaction();
  const std::string& id = in.interaction_id();
  auto queue = router_->find_queue(in.queue());
  if (!queue) {
    return engine::not_found("queue: '" + in.queue() + "' is not in the configuration any more");
  }
  if (in.channel() == v1::CHANNEL_UNSPECIFIED) return engine::invalid_argument("channel: unset");
  engine::InteractionSpec spec;
  spec.id = engine::InteractionId(next_id_++);
  spec.queue = *queue;
  spec.channel = from_proto(in.channel());
  spec.language = in.language();
  spec.priority = std::clamp(in.priority(), 0, 100);
  spec.recovered = true;  // acknowledged once: never dropped for a limit
  for (const auto& req : entry.extra_skills()) {
    auto skill = router_->find_skill(req.skill());
    if (!skill) return engine::not_found("extra_skills: skill '" + req.skill() + "' is gone");
    spec.extra_skills.push_back({*skill, req.min_level()});
  }
  for (const auto& [k, v] : in.attributes()) spec.attributes.emplace_back(k, v);
  const v1::Customer& c = in.customer();
  spec.customer.customer_id = c.customer_id();
  spec.customer.segment = from_proto(c.segment());
  spec.customer.lifetime_value = std::max(0.0, c.lifetime_value());
  if (auto a = router_->find_agent(c.preferred_agent())) spec.customer.preferred_agent = *a;
  if (auto a = router_->find_agent(c.last_agent())) spec.customer.last_agent = *a;
  for (const auto& name : entry.excluded_agents()) {
    if (auto a = router_->find_agent(name)) spec.excluded.push_back(*a);
  }
  // The original arrival, carried over to this process's timeline (never in the future).
  const engine::TimePoint now = clock_.now();
  spec.arrival = std::min(now, clock_.from_wall(std::chrono::system_clock::time_point(
                                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::nanoseconds(entry.arrived_unix_ns())))));

  if (in.has_work_item()) work_item_times(in.work_item(), clock_, spec);

  Tracked t;
  if (held) {
    if (engine::Status s = router_->restore_held(spec, held->agent, held->state, now); !s.ok()) {
      return s;
    }
    t.handled_by = agent_name(held->agent);
  } else {
    auto result = router_->submit(spec, now);
    if (!result.ok()) return result.error();
    t.position = result.value().position;
  }
  t.id = spec.id;
  t.submitter = entry.submitter();
  t.proto = from_journal(entry);
  t.proto.clear_agent();
  t.arrived_unix_ns = entry.arrived_unix_ns();
  t.extra_skills = spec.extra_skills;
  t.thread_agent = entry.thread_agent();
  if (in.has_email()) t.message_id = in.email().message_id();
  if (!t.message_id.empty()) {
    threads_.remember(t.message_id, channels::ThreadInfo{c.customer_id(), t.proto.interaction_id(),
                                                         held ? t.handled_by : t.thread_agent});
  }
  t.journaled = recovery_key(entry);  // see below
  t.history.add_queue_path(t.proto.queue());
  t.history.set_partial(true);  // the offers before the restart are not journaled
  tracked_.emplace(spec.id.value(), std::move(t));
  by_scoped_id_.emplace(id, spec.id);
  gateways_.insert(entry.submitter());
  // The journal holds this entry already (`journaled` above): settle() writes it again only where
  // the engine's state now reads differently at a recovery (an offer withdrawn reads the same; a
  // priority clamped, or held work requeued, does not). A takeover of 100,000 live interactions
  // otherwise rewrote them all in one loop turn.
  journal_dirty_.insert(spec.id.value());
  return engine::Status();
}

std::vector<engine::AgentId> RoutingHost::restore_agents(
    const ports::SessionJournal& sessions, RecoveryReport& report,
    std::vector<engine::AgentId>& ready_later) {
  std::vector<engine::AgentId> restored;
  const engine::TimePoint now = clock_.now();
  for (const v1::AgentJournalEntry& a : sessions.agents) {
    if (!a.logged_in()) continue;  // logged out in the journal: stays logged out
    auto id = router_->find_agent(a.agent());
    if (!id) {
      spdlog::warn("event=recovery_agent_unknown agent={} action=skipped",
                   engine::log_text(a.agent()));
      continue;
    }
    // NOT_READY until the held work is back, so nothing is offered to it before.
    if (engine::Status s = router_->login(*id, /*ready=*/false, now); !s.ok()) continue;
    const std::string& reason = a.not_ready_reason();
    if (!a.ready() && !reason.empty() && reason != "login") {
      (void)router_->set_not_ready(*id, reason, now);
    }
    if (a.ready()) ready_later.push_back(*id);
    agents_journaled_[id->value()] = agent_key(a);
    restored.push_back(*id);
    ++report.agents_restored;
  }
  return restored;
}

RoutingHost::RecoveryReport RoutingHost::recover(const std::vector<v1::JournalEntry>& entries,
                                                 const ports::SessionJournal& sessions) {
  RecoveryReport report;
  // Finished emails' threads first, oldest first: a live entry of the same Message-ID (restored
  // below) is newer and replaces it.
  for (const v1::EmailThreadEntry& e : sessions.threads) {
    threads_.remember(e.message_id(),
                      channels::ThreadInfo{e.customer_id(), e.interaction_id(), e.agent()});
    ++report.threads_restored;
  }
  std::vector<engine::AgentId> ready_later;
  std::vector<engine::AgentId> logged_in = restore_agents(sessions, report, ready_later);
  for (const v1::JournalEntry& stored : entries) {
    // An entry written before ids were scoped by gateway holds the bare client id (and is stored
    // under it): it becomes its submitter's (the token name then, the default gateway now) and
    // moves to the scoped key once restored (docs/redis.md, "Gateway scopes").
    const std::string& stored_id = stored.interaction().interaction_id();
    const bool legacy = !stored_id.starts_with(stored.submitter() + '/');
    v1::JournalEntry entry = stored;
    if (legacy) {
      entry.mutable_interaction()->set_interaction_id(scoped_id(stored.submitter(), stored_id));
    }
    const v1::Interaction& in = entry.interaction();
    const std::string& id = in.interaction_id();
    if (by_scoped_id_.count(id)) {
      spdlog::error("event=recovery_duplicate id={} action=skipped", engine::log_text(id));
      // A legacy entry whose move to the scoped key was done but not its removal.
      if (legacy && journal_ != nullptr) journal_->discard(stored_id);
      ++report.dropped;
      continue;
    }
    std::optional<Held> held;
    if (in.state() == v1::ASSIGNED || in.state() == v1::WRAP_UP) {
      // The conversation is already with that agent: it goes back to the agent, not to a queue.
      // An agent the journal has no session for (an older journal, or a session write lost) is
      // logged in for it, NOT_READY, on the same grace period.
      auto agent = router_->find_agent(in.agent());
      if (agent) {
        auto snap = router_->agent(*agent, clock_.now());
        if (snap.ok() && snap.value().state == engine::AgentState::kLoggedOut &&
            router_->login(*agent, /*ready=*/false, clock_.now()).ok()) {
          (void)router_->set_not_ready(*agent, "recovered", clock_.now());
          logged_in.push_back(*agent);
          ++report.agents_restored;
        }
        held = Held{*agent, in.state() == v1::WRAP_UP ? engine::InteractionState::kWrapUp
                                                      : engine::InteractionState::kAssigned};
      }
      engine::Status s = held ? restore(entry, held) : engine::Status(engine::not_found("agent"));
      if (s.ok()) {
        if (legacy && journal_ != nullptr) migrate(entry, stored_id);
        spdlog::info("event=recovery_held id={} state={} agent={}", engine::log_text(id),
                     v1::InteractionState_Name(in.state()), engine::log_text(in.agent()));
        ++report.held_restored;
        ++report.recovered;
        continue;
      }
      // Its agent cannot take it back: it waits again, to be offered to someone.
      spdlog::warn("event=recovery_held_requeued id={} agent={} error={}", engine::log_text(id),
                   engine::log_text(in.agent()), engine::log_text(s.error().message, 1024));
      ++report.held_requeued;
    }
    if (engine::Status s = restore(entry); !s.ok()) {
      spdlog::error("event=recovery_dropped id={} queue={} error={}", engine::log_text(id),
                    engine::log_text(in.queue()), engine::log_text(s.error().message, 1024));
      if (journal_ != nullptr) {
        v1::JournalEntry lost = stored;
        lost.mutable_interaction()->set_state(v1::EXPIRED);
        journal_->finish(lost);
      }
      ++report.dropped;
      continue;
    }
    if (legacy && journal_ != nullptr) migrate(entry, stored_id);
    if (in.state() == v1::OFFERED) ++report.offers_withdrawn;
    ++report.recovered;
  }
  // Ready agents only now, with their work back: the waiting work is offered among them.
  for (engine::AgentId a : ready_later) (void)router_->set_ready(a, clock_.now());
  // No agent has a stream yet: each one's grace period starts now.
  for (engine::AgentId a : logged_in) {
    agents_dirty_.insert(a.value());
    if (!stopped_) arm_grace(a);
  }
  settle();
  spdlog::info(
      "event=recovered interactions={} offers_withdrawn={} held_restored={} held_requeued={} "
      "agents={} threads={} dropped={}",
      report.recovered, report.offers_withdrawn, report.held_restored, report.held_requeued,
      report.agents_restored, report.threads_restored, report.dropped);
  return report;
}

// A restored legacy entry: written again under its scoped key (the updates settle() sends next
// follow it on the same ordered connection), and the bare key removed once that is stored. A
// crash in between leaves both; the next recovery skips the bare one as a duplicate and removes
// it then.
void RoutingHost::migrate(const v1::JournalEntry& scoped_entry, const std::string& legacy_id) {
  journal_->append(scoped_entry, [this, legacy_id](absl::StatusOr<ports::AppendResult> r) {
    post([this, legacy_id, ok = r.ok(), why = r.status().ToString()] {
      if (!ok) {
        spdlog::warn(
            "event=journal_migrate_failed id={} error={} effect=\"kept under the "
            "unscoped key; moved again at the next start\"",
            engine::log_text(legacy_id), engine::log_text(why));
        return;
      }
      if (journal_ != nullptr) journal_->discard(legacy_id);
    });
  });
}

}  // namespace router::adapters::host

namespace router::adapters::host {

void RoutingHost::remember_finished(const std::string& client_id, v1::Interaction last,
                                    v1::InteractionHistory history) {
  if (finished_.insert_or_assign(client_id, std::move(last)).second) {
    finished_order_.push_back(client_id);
  }
  if (history.has_interaction()) histories_.insert_or_assign(client_id, std::move(history));
  while (finished_order_.size() > model_.daemon.max_finished_remembered) {
    finished_.erase(finished_order_.front());
    histories_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

}  // namespace router::adapters::host
