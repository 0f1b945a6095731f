// Configuration reload and shutdown drain on the host. See routing_host.h.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"

namespace router::adapters::host {

// ---------------------------------------------------------------------------------------------
// Reload and shutdown.

absl::StatusOr<RoutingHost::ReloadReport> RoutingHost::reload(config::RoutingModel next) {
  ReloadReport report;
  // Ids are positions: keep the running order, so removals and reorders cannot be applied live.
  for (size_t i = 0; i < model_.skills.size(); ++i) {
    if (i >= next.skills.size() || next.skills[i] != model_.skills[i]) {
      return absl::InvalidArgumentError(
          "skills: existing skills must keep their order (new ones go at the end); '" +
          model_.skills[i] + "' moved or was removed — that needs a restart");
    }
  }
  for (size_t i = 0; i < model_.queues.size(); ++i) {
    if (i >= next.queues.size() || next.queues[i].name != model_.queues[i].name) {
      return absl::InvalidArgumentError(
          "queues: existing queues must keep their order (new ones go at the end); '" +
          model_.queues[i].name + "' moved or was removed — that needs a restart");
    }
  }
  std::map<std::string, size_t> next_agents;
  for (size_t i = 0; i < next.agents.size(); ++i) next_agents[next.agents[i].name] = i;
  for (const auto& a : model_.agents) {
    if (!next_agents.count(a.name)) {
      return absl::InvalidArgumentError("agents: agent '" + a.name +
                                        "' was removed — removing an agent needs a restart");
    }
  }
  auto phones = channels::PhoneNormalizer::make(next.daemon.default_region);
  if (!phones.ok())
    return absl::InvalidArgumentError("daemon.default_region: " + phones.error().message);
  auto entry = channels::EntryPointTable::build(next.proto, next, phones.value());
  if (!entry.ok()) return to_status(entry.error());
  if (entry.value().size() == 0) {
    return absl::InvalidArgumentError("entry_points: routerd needs at least one entry point rule");
  }
  // A scratch router validates every queue and agent before anything changes.
  if (auto scratch = config::build_router(next); !scratch.ok()) return to_status(scratch.error());

  const engine::TimePoint now = clock_.now();
  for (size_t i = model_.skills.size(); i < next.skills.size(); ++i) {
    if (auto r = router_->add_skill(next.skills[i]); !r.ok()) return to_status(r.error());
    report.changes.push_back("skill " + next.skills[i] + " added");
  }
  // New queues first without their links (they may name a later queue), then every queue's
  // config.
  for (size_t i = model_.queues.size(); i < next.queues.size(); ++i) {
    const engine::QueueConfig q = config::unlinked(next.queues[i]);
    if (auto r = router_->add_queue(q); !r.ok()) return to_status(r.error());
    report.changes.push_back("queue " + q.name + " added");
  }
  for (size_t i = 0; i < next.queues.size(); ++i) {
    if (auto s =
            router_->update_queue(engine::QueueId(static_cast<uint32_t>(i)), next.queues[i], now);
        !s.ok()) {
      return to_status(
          engine::Error{s.error().code, "queues[" + std::to_string(i) + "]: " + s.error().message});
    }
  }
  for (int i = 0; i < std::min(model_.proto.queues_size(), next.proto.queues_size()); ++i) {
    if (model_.proto.queues(i).SerializeAsString() != next.proto.queues(i).SerializeAsString()) {
      report.changes.push_back("queue " + next.queues[i].name + " updated");
    }
  }
  for (const auto& a : next.agents) {
    auto id = router_->find_agent(a.name);
    if (!id) {
      if (auto r = router_->add_agent(a); !r.ok()) return to_status(r.error());
      report.changes.push_back("agent " + a.name + " added");
      continue;
    }
    if (auto s = router_->update_agent_skills(*id, a.skills, now); !s.ok())
      return to_status(s.error());
  }
  for (size_t i = 0; i < model_.agents.size(); ++i) {
    const auto& was = model_.agents[i];
    const auto& now_a = next.agents[next_agents[was.name]];
    bool skills_changed = was.skills.size() != now_a.skills.size();
    for (size_t k = 0; !skills_changed && k < was.skills.size(); ++k) {
      skills_changed = was.skills[k].skill != now_a.skills[k].skill ||
                       was.skills[k].level != now_a.skills[k].level;
    }
    if (skills_changed) report.changes.push_back("agent " + was.name + " skills updated");
    if (was.queue_order != now_a.queue_order) {
      if (auto s = router_->set_agent_queue_order(*router_->find_agent(was.name), now_a.queue_order,
                                                  now);
          !s.ok()) {
        return to_status(s.error());
      }
      report.changes.push_back("agent " + was.name + " queue order updated");
    }
  }
  for (size_t i = 0; i < model_.agents.size(); ++i) {
    const auto& was = model_.agents[i];
    const auto& now_a = next.agents[next_agents[was.name]];
    if (was.languages != now_a.languages || was.capacity.max != now_a.capacity.max ||
        was.capacity.budget != now_a.capacity.budget || was.team != now_a.team) {
      report.warnings.push_back("agents: " + was.name +
                                ": team, language and capacity changes apply after a restart");
    }
  }
  if (next.daemon.listen != model_.daemon.listen) {
    report.warnings.push_back("daemon.listen: changes need a restart");
  }
  if (next.daemon.ready_listen != model_.daemon.ready_listen) {
    report.warnings.push_back("daemon.ready_listen: changes need a restart");
  }
  if (next.daemon.metrics_listen != model_.daemon.metrics_listen) {
    report.warnings.push_back("daemon.metrics_listen: changes need a restart");
  }
  if (next.daemon.report_interval != model_.daemon.report_interval) {
    report.warnings.push_back("daemon.report_interval_s: changes need a restart");
  }
  if (next.daemon.domain != model_.daemon.domain) {
    report.changes.push_back("daemon.domain: " + model_.daemon.domain + " -> " +
                             next.daemon.domain);
  }
  if (next.daemon.customers_file != model_.daemon.customers_file) {
    report.warnings.push_back("daemon.customers_file: changes need a restart");
  }
  if (next.proto.redis().SerializeAsString() != model_.proto.redis().SerializeAsString() ||
      next.proto.daemon().segments().SerializeAsString() !=
          model_.proto.daemon().segments().SerializeAsString()) {
    report.warnings.push_back("redis and daemon.segments: changes need a restart");
  }
  if (next.proto.default_weights().SerializeAsString() !=
          model_.proto.default_weights().SerializeAsString() ||
      next.proto.points().SerializeAsString() != model_.proto.points().SerializeAsString() ||
      next.proto.limits().SerializeAsString() != model_.proto.limits().SerializeAsString() ||
      next.proto.blending().SerializeAsString() != model_.proto.blending().SerializeAsString()) {
    report.warnings.push_back(
        "default_weights, points, limits and blending: changes need a restart (queue weights "
        "apply now)");
  }
  entry_points_ = std::move(entry).value();
  phones_ = std::move(phones).value();
  auto serialized = [](const auto& list) {
    std::string out;
    for (const auto& item : list) out += item.SerializeAsString();
    return out;
  };
  if (serialized(model_.proto.entry_points()) != serialized(next.proto.entry_points())) {
    report.changes.push_back("entry points updated (" + std::to_string(entry_points_.size()) +
                             " rules)");
  }
  if (model_.proto.auth().SerializeAsString() != next.proto.auth().SerializeAsString()) {
    report.changes.push_back("auth tokens updated (" + std::to_string(next.auth.tokens.size()) +
                             ")");
  }
  if (model_.proto.daemon().SerializeAsString() != next.proto.daemon().SerializeAsString()) {
    report.changes.push_back("daemon settings updated");
  }
  model_ = std::move(next);
  settle();
  return report;
}

void RoutingHost::drain(absl::Status bye) {
  draining_ = true;
  drain_status_ = bye;
  for (auto& [agent, s] : agent_streams_) {
    if (s.subscriber) s.subscriber->finish(bye);
    s.grace.reset();
  }
  // A granted watcher is listed under several gateways; finishing twice is harmless.
  for (auto& [name, list] : interaction_watchers_) {
    for (auto& w : list) w->subscriber->finish(bye);
  }
  for (auto& w : all_gateway_watchers_) w->subscriber->finish(bye);
  interaction_watchers_.clear();
  all_gateway_watchers_.clear();
  for (auto& w : queue_watchers_) {
    w->timer.reset();
    w->subscriber->finish(bye);
  }
  queue_watchers_.clear();
  for (auto& weak : drain_streams_) {
    if (auto stream = weak.lock()) stream->finish(bye);
  }
  drain_streams_.clear();
}

void RoutingHost::end_at_drain(std::weak_ptr<Subscriber<v1::GatewayResponse>> stream) {
  if (draining_) {
    if (auto s = stream.lock()) s->finish(drain_status_);
    return;
  }
  drain_streams_.push_back(std::move(stream));
  if (drain_streams_.size() >= drain_streams_prune_at_) {
    std::erase_if(drain_streams_, [](const auto& w) { return w.expired(); });
    drain_streams_prune_at_ = std::max<size_t>(64, 2 * drain_streams_.size());
  }
}

}  // namespace router::adapters::host
