// SupervisorService on the host: statistics, lists, WatchQueues, ExplainRouting and the
// supervisor's actions. See routing_host.h.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

namespace {

absl::Status invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// SupervisorService.

absl::Status RoutingHost::queue_stats(const v1::GetQueueStatsRequest& request,
                                      v1::GetQueueStatsResponse* out) const {
  const engine::TimePoint now = clock_.now();
  stamp(now, out->mutable_at());
  std::vector<engine::QueueId> queues;
  if (request.queues().empty()) {
    for (size_t i = 0; i < router_->queue_count(); ++i) {
      queues.emplace_back(static_cast<uint32_t>(i));
    }
  } else {
    for (int i = 0; i < request.queues_size(); ++i) {
      auto q = router_->find_queue(request.queues(i));
      if (!q) {
        return absl::NotFoundError("queues[" + std::to_string(i) + "]: unknown queue '" +
                                   request.queues(i) + "'");
      }
      queues.push_back(*q);
    }
  }
  for (engine::QueueId q : queues) {
    auto s = router_->queue_stats(q, now);
    if (!s.ok()) return to_status(s.error());
    fill_queue_stats(s.value(), out->add_queues());
  }
  return absl::OkStatus();
}

absl::Status RoutingHost::list_agents(const v1::ListAgentsRequest& request,
                                      v1::ListAgentsResponse* out) const {
  for (size_t i = 0; i < router_->agent_count(); ++i) {
    const engine::AgentId agent(static_cast<uint32_t>(i));
    auto a = router_->agent(agent, clock_.now());
    if (!a.ok()) continue;
    if (!request.team().empty() && a.value().team != request.team()) continue;
    (void)agent_status(agent, out->add_agents());
  }
  return absl::OkStatus();
}

absl::Status RoutingHost::list_interactions(const v1::ListInteractionsRequest& request,
                                            v1::ListInteractionsResponse* out) const {
  engine::QueueId q;
  if (absl::Status s = find_queue(request.queue(), "queue", q); !s.ok()) return s;
  const size_t limit = request.limit() > 0 ? static_cast<size_t>(request.limit()) : 100;
  auto waiting = router_->waiting(q, limit);
  if (!waiting.ok()) return to_status(waiting.error());
  int position = 0;
  for (const auto& snap : waiting.value()) {
    ++position;
    auto t = tracked_.find(snap.id.value());
    if (t == tracked_.end()) continue;
    v1::Interaction p = interaction_proto(t->second);
    p.set_position(position);
    auto e = router_->estimate_at(q, position, router_->now());
    p.set_ewt_s(e.ok() ? engine::seconds(e.value().ewt) : 0.0);
    p.set_ewt_low_s(e.ok() ? engine::seconds(e.value().low) : 0.0);
    p.set_ewt_high_s(e.ok() ? engine::seconds(e.value().high) : 0.0);
    *out->add_interactions() = std::move(p);
  }
  return absl::OkStatus();
}

absl::Status RoutingHost::watch_queues(const v1::WatchQueuesRequest& request,
                                       std::shared_ptr<QueueSubscriber> subscriber) {
  v1::GetQueueStatsRequest stats;
  *stats.mutable_queues() = request.queues();
  v1::GetQueueStatsResponse first;
  if (absl::Status s = queue_stats(stats, &first); !s.ok()) return s;
  if (draining_) return absl::UnavailableError("routerd is shutting down");
  subscriber->push(std::move(first));
  subscriber->flush();
  auto w = std::make_unique<QueueWatcher>();
  w->subscriber = std::move(subscriber);
  w->request = std::move(stats);
  w->interval = std::chrono::milliseconds(
      static_cast<int64_t>((request.interval_s() > 0 ? request.interval_s() : 1.0) * 1000));
  arm_queue_watcher(w.get());
  queue_watchers_.push_back(std::move(w));
  return absl::OkStatus();
}

void RoutingHost::arm_queue_watcher(QueueWatcher* w) {
  if (stopped_) return;
  w->timer = clock_.start_timer(w->interval, [this, w] {
    v1::GetQueueStatsResponse snapshot;
    if (w->subscriber->open() && queue_stats(w->request, &snapshot).ok() &&
        w->subscriber->push(std::move(snapshot))) {
      w->subscriber->flush();
      arm_queue_watcher(w);
      return;
    }
    // The reader went away (or was cut off): forget the watcher.
    std::erase_if(queue_watchers_, [w](const auto& p) { return p.get() == w; });
  });
}

void RoutingHost::explain(const v1::ExplainRoutingRequest& request, v1::ExplainRoutingResponse* out,
                          std::function<void(absl::Status)> done) {
  const std::string& id = request.interaction_id();
  std::string scoped;
  const bool known_here = find_scoped(id, engine::AgentId(), scoped).ok();
  if (known_here && !by_scoped_id_.count(scoped)) {
    if (auto h = histories_.find(scoped); h != histories_.end()) {
      explain_finished(id, h->second, out);
      return done(absl::OkStatus());
    }
  }
  if ((known_here && (by_scoped_id_.count(scoped) || pending_.count(scoped))) ||
      journal_ == nullptr) {
    return done(explain_live(request, out));
  }
  // Finished before what memory holds (or before this process started): the journal's finished
  // entry, under each gateway the id may be scoped by.
  auto candidates = std::make_shared<std::vector<std::string>>();
  if (known_here) {
    candidates->push_back(scoped);
  } else if (id.find('/') != std::string::npos) {
    candidates->push_back(id);
  } else {
    std::set<std::string> gateways = gateways_;
    for (const auto& t : model_.auth.tokens) {
      if (t.role == v1::GATEWAY) gateways.insert(t.gateway.empty() ? t.name : t.gateway);
    }
    for (const auto& g : gateways) candidates->push_back(scoped_id(g, id));
  }
  find_history(std::move(candidates), 0, id, out, std::move(done));
}

void RoutingHost::find_history(std::shared_ptr<std::vector<std::string>> candidates, size_t i,
                               std::string id, v1::ExplainRoutingResponse* out,
                               std::function<void(absl::Status)> done) {
  if (i >= candidates->size()) {
    return done(absl::NotFoundError("interaction_id: unknown interaction '" + id + "'"));
  }
  const std::string key = (*candidates)[i];
  journal_->find(key, [this, candidates, i, id = std::move(id), out, done = std::move(done)](
                          absl::StatusOr<std::optional<v1::JournalEntry>> r) mutable {
    post([this, candidates, i, id = std::move(id), out, done = std::move(done),
          r = std::move(r)]() mutable {
      if (!r.ok()) {
        return done(absl::UnavailableError("interaction_id: the journal could not be read: " +
                                           std::string(r.status().message())));
      }
      if (!r->has_value() || !(*r)->has_history()) {
        return find_history(std::move(candidates), i + 1, std::move(id), out, std::move(done));
      }
      explain_finished(id, (*r)->history(), out);
      done(absl::OkStatus());
    });
  });
}

void RoutingHost::explain_finished(const std::string& id, const v1::InteractionHistory& history,
                                   v1::ExplainRoutingResponse* out) {
  out->set_interaction_id(id);
  out->set_state(history.interaction().state());
  *out->mutable_history() = history;
}

absl::Status RoutingHost::explain_live(const v1::ExplainRoutingRequest& request,
                                       v1::ExplainRoutingResponse* out) const {
  std::string scoped;
  if (absl::Status s = find_scoped(request.interaction_id(), engine::AgentId(), scoped); !s.ok()) {
    return s;
  }
  auto it = by_scoped_id_.find(scoped);
  if (it == by_scoped_id_.end()) {
    if (finished_.count(scoped)) {
      return absl::FailedPreconditionError(
          "interaction_id: the interaction is finished and its history is no longer kept "
          "(the last daemon.max_finished_remembered in memory; with Redis, "
          "redis.finished_ttl_s)");
    }
    return absl::FailedPreconditionError("interaction_id: interaction '" +
                                         request.interaction_id() + "' is still being received");
  }
  auto e = router_->explain(it->second, clock_.now());
  if (!e.ok()) return to_status(e.error());
  const auto& x = e.value();
  out->set_interaction_id(request.interaction_id());
  out->set_state(to_proto(x.state));
  out->set_stage(x.stage);
  if (x.held_until) stamp(*x.held_until, out->mutable_held_until());
  for (const auto& req : x.effective_skills) {
    auto* s = out->add_effective_skills();
    s->set_skill(std::string(router_->skill_name(req.skill)));
    s->set_min_level(req.min_level);
  }
  for (const auto& r : x.eligible) {
    auto* e2 = out->add_eligible();
    e2->set_agent(agent_name(r.agent));
    e2->set_points(engine::to_double(r.points.total()));
    fill_breakdown(r.points, e2->mutable_breakdown());
  }
  for (const auto& r : x.ineligible) {
    auto* i = out->add_ineligible();
    i->set_agent(agent_name(r.agent));
    i->set_reason(std::string(engine::to_string(r.reason)));
    i->set_detail(r.detail);
  }
  return absl::OkStatus();
}

absl::Status RoutingHost::update_skills(const v1::UpdateAgentSkillsRequest& request,
                                        v1::AgentStatus* out) {
  engine::AgentId agent;
  if (absl::Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  std::vector<engine::SkillLevel> skills;
  for (int i = 0; i < request.skills_size(); ++i) {
    auto skill = router_->find_skill(request.skills(i).skill());
    if (!skill) {
      return invalid("skills[" + std::to_string(i) + "].skill: unknown skill '" +
                     request.skills(i).skill() + "'");
    }
    skills.push_back({*skill, request.skills(i).level()});
  }
  if (auto s = router_->update_agent_skills(agent, std::move(skills), clock_.now()); !s.ok()) {
    return to_status(s);
  }
  settle();
  spdlog::info("event=skills_updated agent={} skills={}", engine::log_text(request.agent()),
               request.skills_size());
  return agent_status(agent, out);
}

absl::Status RoutingHost::set_priority(const v1::SetInteractionPriorityRequest& request,
                                       v1::Interaction* out) {
  engine::InteractionId id;
  std::string scoped;
  if (absl::Status s = find_scoped(request.interaction_id(), engine::AgentId(), scoped); !s.ok()) {
    return s;
  }
  if (absl::Status s = find_interaction(scoped, id); !s.ok()) return s;
  if (auto s = router_->set_priority(id, request.priority(), clock_.now()); !s.ok()) {
    return to_status(s);
  }
  settle();
  *out = view(scoped);
  return absl::OkStatus();
}

absl::Status RoutingHost::move(const v1::MoveInteractionRequest& request, v1::Interaction* out) {
  engine::InteractionId id;
  engine::QueueId q;
  std::string scoped;
  if (absl::Status s = find_scoped(request.interaction_id(), engine::AgentId(), scoped); !s.ok()) {
    return s;
  }
  if (absl::Status s = find_interaction(scoped, id); !s.ok()) return s;
  if (absl::Status s = find_queue(request.queue(), "queue", q); !s.ok()) return s;
  if (auto s = router_->move(id, q, clock_.now()); !s.ok()) return to_status(s);
  settle();
  *out = view(scoped);
  return absl::OkStatus();
}

std::string RoutingHost::audit_agent(const std::string& agent) const {
  engine::AgentId id;
  if (!find_agent(agent, id).ok()) return {};
  auto a = router_->agent(id, clock_.now());
  if (!a.ok()) return {};
  nlohmann::json skills = nlohmann::json::object();
  for (const auto& s : a.value().skills) {
    skills[std::string(router_->skill_name(s.skill))] = s.level;
  }
  nlohmann::json j = {{"state", v1::AgentState_Name(to_proto(a.value().state))},
                      {"reason", a.value().not_ready_reason},
                      {"skills", std::move(skills)}};
  return j.dump();
}

std::string RoutingHost::audit_interaction(const std::string& interaction_id) const {
  std::string scoped;
  if (!find_scoped(interaction_id, engine::AgentId(), scoped).ok()) return {};
  if (!by_scoped_id_.count(scoped)) return {};
  const v1::Interaction v = view(scoped);
  nlohmann::json j = {{"state", v1::InteractionState_Name(v.state())},
                      {"queue", v.queue()},
                      {"priority", v.priority()},
                      {"agent", v.agent()}};
  return j.dump();
}

}  // namespace router::adapters::host
