// Building the router from the model: skills, queues and agents, with the validation of each
// (errors name the field), and the router-wide configuration's rules (Router::create).
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// The router-wide configuration. Checked once, by Router::create, before anything is built.

Status Router::Impl::validate(const RouterConfig& config) {
  for (int t = 0; t < kTermCount; ++t) {
    const double w = config.default_weights.w[t];
    if (!(w >= 0.0) || !std::isfinite(w)) {
      return invalid_argument("default_weights." + std::string(to_string(static_cast<Term>(t))) +
                              ": must be a finite number >= 0");
    }
  }
  if (config.stats_window <= Duration::zero()) {
    return invalid_argument("stats_window: must be > 0");
  }
  if (config.stats_buckets < 1) return invalid_argument("stats_buckets: must be > 0");
  for (int ch = 0; ch < kChannelCount; ++ch) {
    if (config.blending.cost[ch] < 0 || config.blending.cost[ch] > kMaxChannelCost) {
      return invalid_argument("blending.cost." + std::string(to_string(static_cast<Channel>(ch))) +
                              ": must be 0.." + std::to_string(kMaxChannelCost));
    }
  }
  return {};
}

namespace {

// `when`'s bounds; `ewt_field` and `sl_field` name its two parts in the error.
Status validate_risk(const RiskCondition& when, const std::string& ewt_field,
                     const std::string& sl_field) {
  if (when.ewt_over && *when.ewt_over <= Duration::zero()) {
    return invalid_argument(ewt_field + ": must be > 0");
  }
  if (when.sl_under && !(*when.sl_under > 0.0 && *when.sl_under <= 1.0)) {
    return invalid_argument(sl_field + ": must be in (0, 1]");
  }
  return {};
}

}  // namespace

// =============================================================================================
// Model.

uint32_t Router::Impl::intern_language(const std::string& lang) {
  if (lang.empty()) return kNoLanguage;
  auto [it, inserted] = language_ids_.emplace(lang, static_cast<uint32_t>(language_ids_.size()));
  if (inserted) index_.ensure_languages(language_ids_.size());
  return it->second;
}

Result<SkillId> Router::Impl::add_skill(std::string_view name) {
  if (name.empty()) return invalid_argument("skill.name: must not be empty");
  if (name.size() > cfg_.limits.max_string_length) {
    return invalid_argument("skill.name: longer than " +
                            std::to_string(cfg_.limits.max_string_length));
  }
  if (skill_by_name_.count(std::string(name))) {
    return already_exists("skill.name: '" + std::string(name) + "' already defined");
  }
  if (skill_names_.size() >= cfg_.limits.max_skills) {
    return resource_exhausted("skills: more than " + std::to_string(cfg_.limits.max_skills));
  }
  SkillId id(static_cast<uint32_t>(skill_names_.size()));
  skill_names_.emplace_back(name);
  skill_by_name_.emplace(std::string(name), id);
  index_.ensure_skills(skill_names_.size());
  return id;
}

Status Router::Impl::validate_skills(const std::vector<SkillLevel>& skills,
                                     std::string_view field) const {
  if (skills.size() > cfg_.limits.max_skills_per_agent) {
    return invalid_argument(std::string(field) + ": more than " +
                            std::to_string(cfg_.limits.max_skills_per_agent) + " skills");
  }
  std::set<SkillId> seen;
  for (size_t i = 0; i < skills.size(); ++i) {
    const std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    if (!skills[i].skill.valid() || skills[i].skill.value() >= skill_names_.size()) {
      return not_found(f + ".skill: unknown skill");
    }
    if (skills[i].level < kMinSkillLevel || skills[i].level > kMaxSkillLevel) {
      return invalid_argument(f + ".level: must be 1..10, got " + std::to_string(skills[i].level));
    }
    if (!seen.insert(skills[i].skill).second) {
      return invalid_argument(f + ".skill: '" + skill_names_[skills[i].skill.value()] +
                              "' listed twice");
    }
  }
  return {};
}

Status Router::Impl::validate_queue(const QueueConfig& c, std::optional<QueueId> self) const {
  if (c.name.empty()) return invalid_argument("queue.name: must not be empty");
  if (c.name.size() > cfg_.limits.max_string_length) {
    return invalid_argument("queue.name: too long");
  }
  if (auto it = queue_by_name_.find(c.name); it != queue_by_name_.end() && it->second != self) {
    return already_exists("queue.name: '" + c.name + "' already defined");
  }
  if (c.channels.none()) return invalid_argument("queue.channels: must name at least one");
  std::set<SkillId> seen;
  for (size_t i = 0; i < c.required_skills.size(); ++i) {
    const std::string f = "queue.required_skills[" + std::to_string(i) + "]";
    const SkillRequirement& r = c.required_skills[i];
    if (!r.skill.valid() || r.skill.value() >= skill_names_.size()) {
      return not_found(f + ".skill: unknown skill");
    }
    if (r.min_level < kMinSkillLevel || r.min_level > kMaxSkillLevel) {
      return invalid_argument(f + ".min_level: must be 1..10");
    }
    if (!seen.insert(r.skill).second) return invalid_argument(f + ".skill: listed twice");
  }
  if (c.priority < 0 || c.priority > 100) return invalid_argument("queue.priority: must be 0..100");
  if (c.service_level.threshold <= Duration::zero()) {
    return invalid_argument("queue.service_level.threshold: must be > 0");
  }
  if (!(c.service_level.fraction > 0.0 && c.service_level.fraction <= 1.0)) {
    return invalid_argument("queue.service_level.fraction: must be in (0, 1]");
  }
  if (c.offer_timeout <= Duration::zero()) {
    return invalid_argument("queue.offer_timeout: must be > 0");
  }
  if (c.wrap_up < Duration::zero()) return invalid_argument("queue.wrap_up: must be ≥ 0");
  if (c.max_wait && *c.max_wait <= Duration::zero()) {
    return invalid_argument("queue.max_wait: must be > 0");
  }
  if (c.expansion.size() > static_cast<size_t>(kMaxExpansionSteps)) {
    return invalid_argument("queue.expansion: more than " + std::to_string(kMaxExpansionSteps) +
                            " steps");
  }
  for (size_t i = 0; i < c.expansion.size(); ++i) {
    const std::string f = "queue.expansion[" + std::to_string(i) + "]";
    if (c.expansion[i].after <= Duration::zero())
      return invalid_argument(f + ".after: must be > 0");
    if (i > 0 && c.expansion[i].after <= c.expansion[i - 1].after) {
      return invalid_argument(f + ".after: steps must be in increasing order");
    }
    if (c.expansion[i].lower_levels_by < 0 || c.expansion[i].lower_levels_by > kMaxSkillLevel) {
      return invalid_argument(f + ".lower_levels_by: must be 0..10");
    }
    if (Status s = validate_risk({c.expansion[i].when_ewt_over, c.expansion[i].when_sl_under},
                                 f + ".when_ewt_over", f + ".when_sl_under");
        !s) {
      return s;
    }
  }
  if (Status s = validate_risk(c.reserve_agents_when, "queue.reserve_agents_when.ewt_over",
                               "queue.reserve_agents_when.sl_under");
      !s) {
    return s;
  }
  if (c.when_full == ArrivalAction::kWait || c.when_full == ArrivalAction::kCallback) {
    return invalid_argument("queue.when_full: must be overflow or refuse");
  }
  if (c.when_no_agents == ArrivalAction::kCallback) {
    return invalid_argument("queue.when_no_agents: must be wait, overflow or refuse");
  }
  if (c.hours && c.when_closed == ArrivalAction::kCallback) {
    // Itself is allowed: its callbacks are scheduled for its opening.
    const bool is_self = self && c.callback_queue == *self;
    const Queue* target = is_self ? nullptr : find_queue(c.callback_queue);
    if (!is_self && !target) return not_found("queue.callback_queue: unknown queue");
    const ChannelSet& channels = is_self ? c.channels : target->cfg.channels;
    if (!channels[static_cast<size_t>(Channel::kWorkItem)]) {
      return invalid_argument("queue.callback_queue: does not take work_item");
    }
  }
  if (c.max_waiting &&
      (*c.max_waiting == 0 || *c.max_waiting > cfg_.limits.max_waiting_per_queue)) {
    return invalid_argument("queue.max_waiting: must be 1.." +
                            std::to_string(cfg_.limits.max_waiting_per_queue));
  }
  if (c.overflow_after && *c.overflow_after <= Duration::zero()) {
    return invalid_argument("queue.overflow_after: must be > 0");
  }
  if (c.overflows()) {
    if (!c.overflow_queue.valid() ||
        (c.overflow_queue.value() >= queues_.size() && c.overflow_queue != self)) {
      return not_found("queue.overflow_queue: unknown queue");
    }
    if (c.overflow_queue == self) return invalid_argument("queue.overflow_queue: is itself");
  }
  for (int t = 0; t < kTermCount; ++t) {
    if (const auto& w = c.weights.w[t]) {
      if (!(*w >= 0.0) || !std::isfinite(*w)) {
        return invalid_argument("queue.weights." + std::string(to_string(static_cast<Term>(t))) +
                                ": must be a finite number ≥ 0");
      }
    }
  }
  if (c.offer_to < 1) return invalid_argument("queue.offer_to: must be at least 1");
  if (c.hold_for_agent &&
      (*c.hold_for_agent <= Duration::zero() || *c.hold_for_agent > kMaxAgentHold)) {
    return invalid_argument("queue.hold_for_agent: must be > 0 and at most 1 h");
  }
  if (c.short_abandon < Duration::zero()) {
    return invalid_argument("queue.short_abandon: must be ≥ 0");
  }
  if (c.default_handle_time <= Duration::zero()) {
    return invalid_argument("queue.default_handle_time: must be > 0");
  }
  if (c.add_idle_agents_after && *c.add_idle_agents_after <= Duration::zero()) {
    return invalid_argument("queue.add_idle_agents_after: must be > 0");
  }
  return {};
}

Result<QueueId> Router::Impl::add_queue(QueueConfig config) {
  if (queues_.size() >= cfg_.limits.max_queues) {
    return resource_exhausted("queues: more than " + std::to_string(cfg_.limits.max_queues));
  }
  if (Status s = validate_queue(config, std::nullopt); !s) return s.error();
  QueueId id(static_cast<uint32_t>(queues_.size()));
  auto q = std::make_unique<Queue>(id, std::move(config), cfg_);
  std::sort(q->cfg.required_skills.begin(), q->cfg.required_skills.end(),
            [](const SkillRequirement& a, const SkillRequirement& b) { return a.skill < b.skill; });
  q->w = effective_weights(q->cfg);
  queue_by_name_.emplace(q->cfg.name, id);
  if (q->cfg.reserve_agents_when.set()) next_risk_look_ = now_;  // looked at the next advance
  note_idle_rule(*q);
  queues_.push_back(std::move(q));
  for (auto& a : agents_) {
    count_agent(*a, -1);
    recompute_served(*a);
    count_agent(*a, +1);
  }
  return id;
}

Status Router::Impl::update_queue(QueueId qid, QueueConfig config, TimePoint now) {
  advance(now);
  Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  if (Status s = validate_queue(config, qid); !s) return s.error();
  // Take every waiting interaction out, change the rules, put them back: classes, stages and
  // timers are recomputed from the new configuration; arrival order is kept.
  std::vector<Interaction*> moved;
  for (auto& c : q->classes) {
    for (const Member& m : c->members) moved.push_back(m.it);
  }
  for (Interaction* it : moved) dequeue(*it);
  queue_by_name_.erase(q->cfg.name);
  q->cfg = std::move(config);
  std::sort(q->cfg.required_skills.begin(), q->cfg.required_skills.end(),
            [](const SkillRequirement& a, const SkillRequirement& b) { return a.skill < b.skill; });
  q->w = effective_weights(q->cfg);
  queue_by_name_.emplace(q->cfg.name, qid);
  note_idle_rule(*q);
  q->classes.clear();
  q->by_key.clear();
  q->reqsets.assign(1, {});
  for (auto& index : q->by_score) index.clear();
  q->max_extra_levels = 0;
  q->waiting_by_priority.clear();
  for (auto& a : agents_) {
    count_agent(*a, -1);
    recompute_served(*a);
    count_agent(*a, +1);
    reindex(*a);  // headroom follows the queues an agent serves
  }
  std::sort(moved.begin(), moved.end(), [](const Interaction* a, const Interaction* b) {
    return std::tie(a->arrival, a->seq) < std::tie(b->arrival, b->seq);
  });
  for (Interaction* it : moved) {
    it->reqset = intern_reqset(*q, it->extra_skills);
    it->stage = stage_at(*q, now_ - it->queued_at);
    enqueue(*it);
    schedule_queue_timer(*it);
  }
  for (Interaction* it : moved) {
    if (it->state == InteractionState::kQueued) route_interaction(*it);
  }
  // Its risk is looked at again at once (a removed condition lifts its reservation).
  if (q->cfg.reserve_agents_when.set() || q->at_risk) look_at_risks();
  for (auto& a : agents_) fill_agent(*a);
  return {};
}

void Router::Impl::note_idle_rule(const Queue& q) {
  auto at = std::lower_bound(idle_rule_queues_.begin(), idle_rule_queues_.end(), q.id);
  const bool listed = at != idle_rule_queues_.end() && *at == q.id;
  if (q.cfg.add_idle_agents_after && !listed) idle_rule_queues_.insert(at, q.id);
  if (!q.cfg.add_idle_agents_after && listed) idle_rule_queues_.erase(at);
}

Result<AgentId> Router::Impl::add_agent(AgentProfile profile) {
  if (agents_.size() >= cfg_.limits.max_agents) {
    return resource_exhausted("agents: more than " + std::to_string(cfg_.limits.max_agents));
  }
  if (profile.name.empty()) return invalid_argument("agent.name: must not be empty");
  if (profile.name.size() > cfg_.limits.max_string_length) {
    return invalid_argument("agent.name: too long");
  }
  if (agent_by_name_.count(profile.name)) {
    return already_exists("agent.name: '" + profile.name + "' already defined");
  }
  if (Status s = validate_skills(profile.skills, "agent.skills"); !s) return s.error();
  for (int ch = 0; ch < kChannelCount; ++ch) {
    if (profile.capacity.max[ch] < 0 || profile.capacity.max[ch] > 100) {
      return invalid_argument("agent.capacity." + std::string(to_string(static_cast<Channel>(ch))) +
                              ": must be 0..100");
    }
  }
  if (profile.capacity.budget < 0 || profile.capacity.budget > kMaxCapacityBudget) {
    return invalid_argument("agent.capacity.budget: must be 0.." +
                            std::to_string(kMaxCapacityBudget));
  }
  for (size_t i = 0; i < profile.languages.size(); ++i) {
    if (profile.languages[i].empty() ||
        profile.languages[i].size() > cfg_.limits.max_string_length) {
      return invalid_argument("agent.languages[" + std::to_string(i) + "]: empty or too long");
    }
  }
  if (Status s = validate_queue_order(profile.queue_order, "agent.queue_order"); !s) {
    return s.error();
  }
  AgentId id(static_cast<uint32_t>(agents_.size()));
  auto a = std::make_unique<Agent>();
  a->id = id;
  std::vector<QueueId> order = std::move(profile.queue_order);
  a->profile = std::move(profile);
  apply_queue_order(*a, std::move(order));
  std::sort(a->profile.skills.begin(), a->profile.skills.end(),
            [](const SkillLevel& x, const SkillLevel& y) { return x.skill < y.skill; });
  for (const std::string& lang : a->profile.languages) {
    uint32_t l = intern_language(lang);
    if (!a->speaks(l)) a->language_ids.push_back(l);
  }
  a->state_since = now_;
  a->idle_since = now_;
  agent_by_name_.emplace(a->profile.name, id);
  recompute_served(*a);
  count_agent(*a, +1);
  agents_.push_back(std::move(a));
  return id;
}

}  // namespace router::engine
