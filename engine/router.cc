// The Router's state and its two decisions. See docs/routing.md for the rules and the cost of
// each operation; the header for the contract.
#include "engine/router.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "engine/agent_index.h"
#include "engine/service_window.h"

// Cheap invariant checks stay on in release builds (TigerBeetle's habit): a broken invariant
// in a router is a bug that must stop the process, not silently misroute.
#define ROUTER_CHECK(cond)                                                                        \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "router: invariant failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)

namespace router::engine {
namespace {

constexpr uint32_t kNoLanguage = UINT32_MAX;
// Lifetime value counts in tenths of the cap, so that interactions of equal priority, segment
// and value band form one FIFO class whose head is its best member.
constexpr int kLtvBands = 10;

struct Interaction;

struct Member {
  TimePoint arrival;
  uint64_t seq;
  Interaction* it;
  bool operator<(const Member& o) const {
    return std::tie(arrival, seq) < std::tie(o.arrival, o.seq);
  }
};

struct ClassKey {
  uint8_t channel = 0;
  int16_t priority = 0;
  uint8_t segment = 0;
  uint8_t ltv_band = 0;
  uint32_t language = kNoLanguage;
  uint32_t reqset = 0;
  uint8_t stage = 0;
  auto operator<=>(const ClassKey&) const = default;  // NOLINT(modernize-use-nullptr): tidy 14 bug
};

struct WaitingClass;
// A queue's non-empty classes, best first by score key (see Queue::by_score).
using ScoreIndex =
    std::set<std::pair<double, WaitingClass*>, std::greater<std::pair<double, WaitingClass*>>>;

// Waiting interactions that score alike for any agent but for their wait: a FIFO by arrival.
struct WaitingClass {
  ClassKey key;
  std::set<Member> members;
  Points constant = 0;                            // priority + customer value terms
  std::vector<SkillRequirement> skills;           // as configured (queue ∪ extras)
  std::vector<SkillRequirement> effective;        // required at this stage
  int extra_levels_bound = 0;                     // Σ (10 − min) over extras beyond the queue's
  std::optional<ScoreIndex::iterator> score_pos;  // in Queue::by_score while non-empty
};

enum class TimerKind : uint8_t { kQueue, kOffer, kWrapUp };

struct Timer {
  TimePoint due;
  uint64_t seq;
  InteractionId id;
  TimerKind kind;
  bool operator<(const Timer& o) const { return std::tie(due, seq) < std::tie(o.due, o.seq); }
};

struct Interaction {
  InteractionId id;
  QueueId queue;
  Channel channel = Channel::kPhone;
  InteractionState state = InteractionState::kReceived;
  CustomerProfile customer;
  std::string language;
  uint32_t language_id = kNoLanguage;
  int priority = 0;
  std::vector<SkillRequirement> extra_skills;
  std::vector<std::pair<std::string, std::string>> attributes;
  TimePoint arrival;
  TimePoint queued_at;
  uint64_t seq = 0;
  int stage = 0;
  int overflow_hops = 0;
  uint32_t reqset = 0;
  WaitingClass* cls = nullptr;  // set while QUEUED in a class
  std::set<Member>::iterator pos;
  AgentId agent;   // offered to / assigned to
  AgentId target;  // transferred to this agent: waits in that agent's personal queue
  std::vector<AgentId> excluded;
  std::optional<std::set<Timer>::iterator> timer;
  TimePoint offered_at;
  TimePoint assigned_at;
  bool offer_counted = false;  // counted in its queue's offered_now

  bool excludes(AgentId a) const {
    return std::find(excluded.begin(), excluded.end(), a) != excluded.end();
  }
};

// A queue whose own skills the agent meets at some expansion stage (and whose channels it takes).
struct ServedQueue {
  QueueId queue;
  int base_fit_levels = 0;  // Σ (level − min) over the queue's own skills
};

struct Agent {
  AgentId id;
  AgentProfile profile;  // skills sorted by skill id, no duplicates
  std::vector<uint32_t> language_ids;
  bool logged_in = false;
  bool not_ready = true;
  std::string not_ready_reason;
  AgentState state = AgentState::kLoggedOut;
  TimePoint state_since;
  Interaction* offer = nullptr;
  std::vector<Interaction*> held;  // ASSIGNED and WRAP_UP
  std::array<int, kChannelCount> held_per_channel{};
  int exclusive_held = 0;
  TimePoint idle_since;
  uint64_t handled = 0;
  std::array<std::optional<AgentIndex::Key>, kChannelCount> indexed;
  std::vector<ServedQueue> served;
  std::deque<Interaction*> personal;        // transferred to this agent by name
  std::unordered_set<Interaction*> affine;  // waiting, naming this agent preferred or last

  int level(SkillId s) const {
    auto it = std::lower_bound(profile.skills.begin(), profile.skills.end(), s,
                               [](const SkillLevel& sl, SkillId id) { return sl.skill < id; });
    return (it != profile.skills.end() && it->skill == s) ? it->level : 0;
  }
  bool speaks(uint32_t lang) const {
    return std::find(language_ids.begin(), language_ids.end(), lang) != language_ids.end();
  }
  int work_count() const { return static_cast<int>(held.size()); }
};

struct Queue {
  QueueId id;
  QueueConfig cfg;
  Weights w;
  std::vector<std::unique_ptr<WaitingClass>> classes;
  std::map<ClassKey, WaitingClass*> by_key;
  std::vector<std::vector<SkillRequirement>> reqsets{{}};  // 0: no extras
  int waiting = 0;
  int offered_now = 0;
  // Non-empty classes by their score key: constant − wait weight × head arrival (ms). A class's
  // points for any agent, but for the agent's own terms, are key + wait weight × now + its
  // service-level pressure (0..the pressure weight), so the key orders classes for every agent
  // and moment alike, up to that pressure. Changes only when a class's head changes.
  std::array<ScoreIndex, kChannelCount> by_score;  // per channel of the class
  int max_extra_levels = 0;                        // widest extra-skill fit bound among its classes
  std::map<int, int> waiting_by_priority;          // for positions
  ServiceWindow window;
  uint64_t arrived = 0, answered = 0, abandoned = 0, expired = 0, left = 0, completed = 0;
  std::array<int, kAgentStateCount> agents_by_state{};

  Queue(QueueId qid, QueueConfig c, const RouterConfig& rc)
      : id(qid), cfg(std::move(c)), window(rc.stats_window, rc.stats_buckets) {}
};

Points pts(double weight, double raw) { return std::llround(weight * raw * kPointsScale); }

}  // namespace

class Router::Impl {
 public:
  Impl(RouterConfig config, MatchMode mode) : cfg_(config), mode_(mode) {
    // A startup failure, not a routing-time one: the config layer validates before this.
    for (int t = 0; t < kTermCount; ++t) {
      const double w = cfg_.default_weights.w[t];
      if (!(w >= 0.0) || !std::isfinite(w)) {
        throw std::invalid_argument("default_weights." +
                                    std::string(to_string(static_cast<Term>(t))) +
                                    ": must be a finite number >= 0");
      }
    }
    if (cfg_.stats_window <= Duration::zero() || cfg_.stats_buckets < 1) {
      throw std::invalid_argument("stats_window and stats_buckets: must be > 0");
    }
  }

  // Model.
  Result<SkillId> add_skill(std::string_view name);
  Result<QueueId> add_queue(QueueConfig config);
  Status update_queue(QueueId queue, QueueConfig config, TimePoint now);
  Result<AgentId> add_agent(AgentProfile profile);

  // Commands.
  Result<SubmitResult> submit(const InteractionSpec& spec, TimePoint now);
  Status cancel(InteractionId id, TimePoint now);
  Status set_priority(InteractionId id, int priority, TimePoint now);
  Status move(InteractionId id, QueueId to, TimePoint now);
  Status login(AgentId a, bool ready, TimePoint now);
  Status logout(AgentId a, LogoutMode mode, TimePoint now);
  Status set_ready(AgentId a, TimePoint now);
  Status set_not_ready(AgentId a, std::string_view reason, TimePoint now);
  Status accept(AgentId a, InteractionId id, TimePoint now);
  Status reject(AgentId a, InteractionId id, TimePoint now);
  Status complete(AgentId a, InteractionId id, std::string_view code, TimePoint now);
  Status end_wrap_up(AgentId a, InteractionId id, TimePoint now);
  Status transfer_to_queue(AgentId a, InteractionId id, QueueId to, TimePoint now);
  Status transfer_to_agent(AgentId a, InteractionId id, AgentId to, TimePoint now);
  Status update_agent_skills(AgentId a, std::vector<SkillLevel> skills, TimePoint now);
  void advance(TimePoint now);
  // A command may leave a timer due at `now_` (a requeued interaction already past its next
  // expansion step, say): fire those before returning, so no command ends with one overdue.
  template <class R>
  R settled(R result) {
    advance(now_);
    return result;
  }
  std::optional<TimePoint> next_deadline() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->due;
  }

  // Queries.
  Result<Explanation> explain(InteractionId id, TimePoint now) const;
  Result<QueueStats> queue_stats(QueueId q, TimePoint now) const;
  Result<Duration> ewt(QueueId q, int position, TimePoint now) const;
  Result<AgentSnapshot> agent_snapshot(AgentId a, TimePoint now) const;
  Result<InteractionSnapshot> interaction_snapshot(InteractionId id) const;
  Result<std::vector<InteractionSnapshot>> waiting(QueueId q, size_t limit) const;
  Status audit(TimePoint now) const;

  RouterConfig cfg_;
  MatchMode mode_;
  mutable TimePoint now_{};  // queries score "as of" a later time under a ScopedClock
  std::vector<Event> events_;
  std::vector<std::string> skill_names_;
  std::unordered_map<std::string, SkillId> skill_by_name_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::unordered_map<std::string, QueueId> queue_by_name_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::unordered_map<std::string, AgentId> agent_by_name_;
  std::unordered_map<std::string, uint32_t> language_ids_;
  std::unordered_map<InteractionId, std::unique_ptr<Interaction>> live_;
  std::set<Timer> timers_;
  uint64_t timer_seq_ = 0;
  uint64_t submit_seq_ = 0;
  AgentIndex index_;

 private:
  // --- Helpers: lookups and validation.
  Agent* find_agent(AgentId a) const {
    return a.valid() && a.value() < agents_.size() ? agents_[a.value()].get() : nullptr;
  }
  Queue* find_queue(QueueId q) const {
    return q.valid() && q.value() < queues_.size() ? queues_[q.value()].get() : nullptr;
  }
  Interaction* find_interaction(InteractionId id) const {
    auto it = live_.find(id);
    return it == live_.end() ? nullptr : it->second.get();
  }
  uint32_t intern_language(const std::string& lang);
  Status validate_queue(const QueueConfig& c, std::optional<QueueId> self) const;
  Status validate_skills(const std::vector<SkillLevel>& skills, std::string_view field) const;
  void set_clock(TimePoint now) { now_ = std::max(now_, now); }
  void emit(EventBody body) { events_.push_back(Event{now_, std::move(body)}); }

  // --- Points.
  Weights effective_weights(const QueueConfig& c) const {
    Weights w = cfg_.default_weights;
    for (int t = 0; t < kTermCount; ++t) w.w[t] = c.weights.w[t].value_or(w.w[t]);
    return w;
  }
  Points value_points(const Queue& q, Segment seg, int band) const;
  Points priority_points(const Queue& q, int priority) const;
  Points wait_points(const Queue& q, TimePoint arrival) const;  // wait + SL pressure
  Points idle_points(const Queue& q, const Agent& a) const {
    return idle_since_points(q, a.idle_since);
  }
  Points idle_since_points(const Queue& q, TimePoint idle_since) const;
  Points load_points(const Queue& q, const Agent& a) const;
  Points fit_points(const Queue& q, int levels) const;
  Points handled_points(const Queue& q, const Agent& a) const;
  Points random_points(const Queue& q, const Interaction& it, const Agent& a) const;
  Points random_bound(const Queue& q) const;
  Points language_points(const Queue& q) const;
  Points affinity_points(const Queue& q, const Interaction& it, const Agent& a) const;
  Breakdown score(const Queue& q, const WaitingClass& c, const Interaction& it,
                  const Agent& a) const;
  int fit_levels(const Agent& a, const std::vector<SkillRequirement>& skills) const;
  static int ltv_band(const PointsRules& r, double ltv);

  // --- Eligibility.
  bool available(const Agent& a, Channel ch) const;
  ChannelSet available_channels(const Agent& a) const;
  bool meets(const Agent& a, const std::vector<SkillRequirement>& effective) const;
  bool eligible(const Agent& a, const WaitingClass& c, const Queue& q, const Interaction& it) const;
  std::vector<SkillRequirement> effective_skills(const Queue& q,
                                                 const std::vector<SkillRequirement>& skills,
                                                 int stage) const;
  int stage_at(const Queue& q, Duration in_queue) const;

  // --- Queue structure.
  uint32_t intern_reqset(Queue& q, const std::vector<SkillRequirement>& extras);
  WaitingClass& class_for(Queue& q, const Interaction& it);
  WaitingClass make_class(const Queue& q, const Interaction& it) const;
  ClassKey key_of(const Interaction& it) const;
  void enqueue(Interaction& it);  // into its class (or its target's personal queue)
  void dequeue(Interaction& it);  // out of wherever it waits
  void rekey(Queue& q, WaitingClass& c);
  Points class_bound(const Queue& q, double score_key) const;
  int position_of(const Queue& q, const Interaction& it) const;

  // --- Agent bookkeeping.
  AgentState derive_state(const Agent& a) const;
  void refresh_agent(Agent& a, std::string reason = {});
  void reindex(Agent& a);
  void recompute_served(Agent& a);
  void count_agent(Agent& a, int delta);

  // --- Timers.
  void schedule(Interaction& it, TimerKind kind, TimePoint due);
  void cancel_timer(Interaction& it);
  void schedule_queue_timer(Interaction& it);

  // --- Transitions.
  void transition(Interaction& it, InteractionState to);
  void offer(Interaction& it, Agent& a, const Breakdown& points);
  void requeue_from_agent(Interaction& it, Agent& a, RequeueReason reason, bool exclude);
  void release_held(Agent& a, Interaction& it);
  void finish(Interaction& it, bool then_fill);
  void fire(Interaction& it, TimerKind kind);
  void erase(Interaction& it);
  void place_in_queue(Interaction& it, QueueId to, TimePoint arrival);

  // --- Decisions.
  void route_interaction(Interaction& it);  // decision 1
  void fill_agent(Agent& a);                // decision 2
  Agent* best_agent_indexed(const Interaction& it, const Queue& q, const WaitingClass& c,
                            Breakdown* out);
  Agent* best_agent_naive(const Interaction& it, const Queue& q, const WaitingClass& c,
                          Breakdown* out);
  Interaction* best_interaction_indexed(Agent& a, ChannelSet avail, Breakdown* out);
  Interaction* best_interaction_naive(Agent& a, ChannelSet avail, Breakdown* out);
  std::string missing_skill_detail(const Agent& a, const std::vector<SkillRequirement>& effective,
                                   Ineligibility* reason) const;
};

}  // namespace router::engine

namespace router::engine {

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
  }
  if (c.overflow_after) {
    if (*c.overflow_after <= Duration::zero()) {
      return invalid_argument("queue.overflow_after: must be > 0");
    }
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
  if (c.short_abandon < Duration::zero()) {
    return invalid_argument("queue.short_abandon: must be ≥ 0");
  }
  if (c.default_handle_time <= Duration::zero()) {
    return invalid_argument("queue.default_handle_time: must be > 0");
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
  for (auto& a : agents_) fill_agent(*a);
  return {};
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
  for (size_t i = 0; i < profile.languages.size(); ++i) {
    if (profile.languages[i].empty() ||
        profile.languages[i].size() > cfg_.limits.max_string_length) {
      return invalid_argument("agent.languages[" + std::to_string(i) + "]: empty or too long");
    }
  }
  AgentId id(static_cast<uint32_t>(agents_.size()));
  auto a = std::make_unique<Agent>();
  a->id = id;
  a->profile = std::move(profile);
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

// =============================================================================================
// Points. Each term is computed by one function used both for the exact score and for the
// upper bounds of the indexed search, so a bound can never be below the score it bounds.

int Router::Impl::ltv_band(const PointsRules& r, double ltv) {
  if (!(ltv > 0.0) || !(r.ltv_cap > 0.0)) return 0;
  const double share = std::min(ltv, r.ltv_cap) / r.ltv_cap;
  return std::min(kLtvBands, static_cast<int>(share * kLtvBands));
}

Points Router::Impl::value_points(const Queue& q, Segment seg, int band) const {
  const double raw = cfg_.rules.segment_points[static_cast<size_t>(seg)] +
                     cfg_.rules.ltv_points * band / kLtvBands;
  return pts(q.w[Term::kCustomerValue], raw);
}

Points Router::Impl::priority_points(const Queue& q, int priority) const {
  return pts(q.w[Term::kPriority], priority + q.cfg.priority);
}

Points Router::Impl::wait_points(const Queue& q, TimePoint arrival) const {
  const int64_t wait_ms = std::max<int64_t>(0, (now_ - arrival).count());
  // Wait weight is points per second; points are thousandths: w × ms.
  const Points wait = std::llround(q.w[Term::kWait] * static_cast<double>(wait_ms));
  const double threshold_ms = static_cast<double>(q.cfg.service_level.threshold.count());
  const double start = cfg_.rules.sl_pressure_start * threshold_ms;
  double ramp = 0.0;
  if (static_cast<double>(wait_ms) >= threshold_ms) {
    ramp = 1.0;
  } else if (static_cast<double>(wait_ms) > start && threshold_ms > start) {
    ramp = (static_cast<double>(wait_ms) - start) / (threshold_ms - start);
  }
  return wait + pts(q.w[Term::kServiceLevel], ramp);
}

Points Router::Impl::idle_since_points(const Queue& q, TimePoint idle_since) const {
  const int64_t idle_ms =
      std::clamp<int64_t>((now_ - idle_since).count(), 0, cfg_.rules.idle_cap.count());
  return std::llround(q.w[Term::kIdle] * static_cast<double>(idle_ms));
}

Points Router::Impl::load_points(const Queue& q, const Agent& a) const {
  return -pts(q.w[Term::kLoad], a.work_count());
}

Points Router::Impl::handled_points(const Queue& q, const Agent& a) const {
  return -pts(q.w[Term::kHandled], static_cast<double>(a.handled));
}

// SplitMix64 of (seed, agent, interaction): a fixed draw per pair, so a re-offer sees the same
// number and two runs with one seed decide alike.
Points Router::Impl::random_points(const Queue& q, const Interaction& it, const Agent& a) const {
  if (q.w[Term::kRandom] == 0.0) return 0;
  uint64_t x = cfg_.rules.random_seed ^ (it.seq * 0x9E3779B97F4A7C15ULL) ^
               (static_cast<uint64_t>(a.id.value()) << 32);
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return pts(q.w[Term::kRandom], static_cast<double>(x >> 11) * 0x1.0p-53);
}

Points Router::Impl::random_bound(const Queue& q) const { return pts(q.w[Term::kRandom], 1.0); }

Points Router::Impl::fit_points(const Queue& q, int levels) const {
  return pts(q.w[Term::kSkillFit], levels);
}

Points Router::Impl::language_points(const Queue& q) const { return pts(q.w[Term::kLanguage], 1); }

Points Router::Impl::affinity_points(const Queue& q, const Interaction& it, const Agent& a) const {
  if (it.customer.preferred_agent == a.id) return pts(q.w[Term::kAffinity], 1.0);
  if (it.customer.last_agent == a.id) {
    return pts(q.w[Term::kAffinity], cfg_.rules.last_agent_ratio);
  }
  return 0;
}

int Router::Impl::fit_levels(const Agent& a, const std::vector<SkillRequirement>& skills) const {
  int levels = 0;
  for (const SkillRequirement& r : skills) levels += a.level(r.skill) - r.min_level;
  return levels;
}

Breakdown Router::Impl::score(const Queue& q, const WaitingClass& c, const Interaction& it,
                              const Agent& a) const {
  Breakdown b;
  auto set = [&b](Term t, Points p) { b.term[static_cast<size_t>(t)] = p; };
  set(Term::kSkillFit, fit_points(q, fit_levels(a, c.skills)));
  set(Term::kCustomerValue,
      value_points(q, it.customer.segment, ltv_band(cfg_.rules, it.customer.lifetime_value)));
  set(Term::kPriority, priority_points(q, it.priority));
  const int64_t wait_ms = std::max<int64_t>(0, (now_ - it.arrival).count());
  const Points wait_only = std::llround(q.w[Term::kWait] * static_cast<double>(wait_ms));
  set(Term::kWait, wait_only);
  set(Term::kServiceLevel, wait_points(q, it.arrival) - wait_only);
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

namespace router::engine {

// =============================================================================================
// Eligibility.

bool Router::Impl::available(const Agent& a, Channel ch) const {
  if (!a.logged_in || a.not_ready || a.offer != nullptr) return false;
  const auto c = static_cast<size_t>(ch);
  const ChannelCapacity& cap = a.profile.capacity;
  if (cap.max[c] <= 0 || a.exclusive_held > 0) return false;
  if (cap.exclusive[c]) return a.held.empty();
  return a.held_per_channel[c] < cap.max[c];
}

ChannelSet Router::Impl::available_channels(const Agent& a) const {
  ChannelSet s;
  for (int ch = 0; ch < kChannelCount; ++ch) s[ch] = available(a, static_cast<Channel>(ch));
  return s;
}

bool Router::Impl::meets(const Agent& a, const std::vector<SkillRequirement>& effective) const {
  for (const SkillRequirement& r : effective) {
    if (a.level(r.skill) < r.min_level) return false;
  }
  return true;
}

bool Router::Impl::eligible(const Agent& a, const WaitingClass& c, const Queue& q,
                            const Interaction& it) const {
  if (it.excludes(a.id)) return false;
  if (q.cfg.language_required && it.language_id != kNoLanguage && !a.speaks(it.language_id)) {
    return false;
  }
  return meets(a, c.effective);
}

int Router::Impl::stage_at(const Queue& q, Duration in_queue) const {
  int stage = 0;
  while (stage < static_cast<int>(q.cfg.expansion.size()) &&
         q.cfg.expansion[static_cast<size_t>(stage)].after <= in_queue) {
    ++stage;
  }
  return stage;
}

std::vector<SkillRequirement> Router::Impl::effective_skills(
    const Queue& q, const std::vector<SkillRequirement>& skills, int stage) const {
  int drop = 0;
  for (int s = 0; s < stage; ++s) {
    const ExpansionStep& step = q.cfg.expansion[static_cast<size_t>(s)];
    if (step.skills_optional) return {};
    drop += step.lower_levels_by;
  }
  std::vector<SkillRequirement> out = skills;
  for (SkillRequirement& r : out) r.min_level = std::max(kMinSkillLevel, r.min_level - drop);
  return out;
}

// =============================================================================================
// Queue structure.

uint32_t Router::Impl::intern_reqset(Queue& q, const std::vector<SkillRequirement>& extras) {
  if (extras.empty()) return 0;
  std::vector<SkillRequirement> sorted = extras;
  std::sort(sorted.begin(), sorted.end(), [](const SkillRequirement& a, const SkillRequirement& b) {
    return std::tie(a.skill, a.min_level) < std::tie(b.skill, b.min_level);
  });
  for (size_t i = 0; i < q.reqsets.size(); ++i) {
    const auto& r = q.reqsets[i];
    if (r.size() == sorted.size() &&
        std::equal(r.begin(), r.end(), sorted.begin(), [](const auto& x, const auto& y) {
          return x.skill == y.skill && x.min_level == y.min_level;
        })) {
      return static_cast<uint32_t>(i);
    }
  }
  q.reqsets.push_back(std::move(sorted));
  return static_cast<uint32_t>(q.reqsets.size() - 1);
}

ClassKey Router::Impl::key_of(const Interaction& it) const {
  ClassKey key;
  key.channel = static_cast<uint8_t>(it.channel);
  key.priority = static_cast<int16_t>(it.priority);
  key.segment = static_cast<uint8_t>(it.customer.segment);
  key.ltv_band = static_cast<uint8_t>(ltv_band(cfg_.rules, it.customer.lifetime_value));
  key.language = it.language_id;
  key.reqset = it.reqset;
  key.stage = static_cast<uint8_t>(it.stage);
  return key;
}

WaitingClass Router::Impl::make_class(const Queue& q, const Interaction& it) const {
  WaitingClass c;
  c.key = key_of(it);
  c.constant =
      value_points(q, it.customer.segment, c.key.ltv_band) + priority_points(q, it.priority);
  // Requirements: the queue's, merged with the interaction's extras (the higher minimum wins).
  c.skills = q.cfg.required_skills;
  for (const SkillRequirement& e : q.reqsets[it.reqset]) {
    auto same = std::find_if(c.skills.begin(), c.skills.end(),
                             [&](const SkillRequirement& r) { return r.skill == e.skill; });
    if (same != c.skills.end()) {
      same->min_level = std::max(same->min_level, e.min_level);
    } else {
      c.skills.push_back(e);
      c.extra_levels_bound += kMaxSkillLevel - e.min_level;
    }
  }
  c.effective = effective_skills(q, c.skills, it.stage);
  return c;
}

WaitingClass& Router::Impl::class_for(Queue& q, const Interaction& it) {
  if (auto found = q.by_key.find(key_of(it)); found != q.by_key.end()) return *found->second;
  auto c = std::make_unique<WaitingClass>(make_class(q, it));
  WaitingClass* raw = c.get();
  q.max_extra_levels = std::max(q.max_extra_levels, raw->extra_levels_bound);
  q.by_key.emplace(raw->key, raw);
  q.classes.push_back(std::move(c));
  return *raw;
}

void Router::Impl::enqueue(Interaction& it) {
  ROUTER_CHECK(it.cls == nullptr);
  if (it.target.valid()) {
    find_agent(it.target)->personal.push_back(&it);
  } else {
    Queue& q = *find_queue(it.queue);
    WaitingClass& c = class_for(q, it);
    auto [pos, inserted] = c.members.insert(Member{it.arrival, it.seq, &it});
    ROUTER_CHECK(inserted);
    it.cls = &c;
    it.pos = pos;
    ++q.waiting;
    ++q.waiting_by_priority[it.priority];
    if (pos == c.members.begin()) rekey(q, c);
    for (AgentId a : {it.customer.preferred_agent, it.customer.last_agent}) {
      if (Agent* agent = find_agent(a)) agent->affine.insert(&it);
    }
  }
}

void Router::Impl::dequeue(Interaction& it) {
  if (it.cls != nullptr) {
    Queue& q = *find_queue(it.queue);
    WaitingClass& c = *it.cls;
    const bool was_head = it.pos == c.members.begin();
    c.members.erase(it.pos);
    it.cls = nullptr;
    --q.waiting;
    if (--q.waiting_by_priority[it.priority] == 0) q.waiting_by_priority.erase(it.priority);
    if (was_head) rekey(q, c);
    for (AgentId a : {it.customer.preferred_agent, it.customer.last_agent}) {
      if (Agent* agent = find_agent(a)) agent->affine.erase(&it);
    }
  } else if (it.target.valid()) {
    auto& personal = find_agent(it.target)->personal;
    auto found = std::find(personal.begin(), personal.end(), &it);
    if (found != personal.end()) personal.erase(found);
  }
}

void Router::Impl::rekey(Queue& q, WaitingClass& c) {
  if (c.score_pos) {
    q.by_score[c.key.channel].erase(*c.score_pos);
    c.score_pos.reset();
  }
  if (c.members.empty()) return;
  const double head_ms = static_cast<double>(c.members.begin()->arrival.time_since_epoch().count());
  const double key = static_cast<double>(c.constant) - q.w[Term::kWait] * head_ms;
  c.score_pos = q.by_score[c.key.channel].emplace(key, &c).first;
}

// Upper bound of the interaction-side points (constant + wait + service-level pressure) of the
// head of a class with this score key, now. Exact for a head past its SL threshold; otherwise
// above by at most the pressure not yet earned. +2 covers the rounding of the two terms.
static size_t indexed_classes(const Queue& q) {
  size_t n = 0;
  for (const ScoreIndex& index : q.by_score) n += index.size();
  return n;
}

Points Router::Impl::class_bound(const Queue& q, double score_key) const {
  const double now_ms = static_cast<double>(now_.time_since_epoch().count());
  return static_cast<Points>(std::ceil(score_key + q.w[Term::kWait] * now_ms)) +
         pts(q.w[Term::kServiceLevel], 1.0) + 2;
}

int Router::Impl::position_of(const Queue& q, const Interaction& it) const {
  int position = 0;
  for (auto p = q.waiting_by_priority.rbegin();
       p != q.waiting_by_priority.rend() && p->first >= it.priority; ++p) {
    position += p->second;
  }
  // Minus those of equal priority who came after it: none for a new arrival (it is the latest
  // in arrival and submission order); counted for a recovered one that arrived earlier.
  if (it.arrival < now_) {
    for (const auto& c : q.classes) {
      if (c->key.priority != it.priority) continue;
      for (auto m = c->members.rbegin(); m != c->members.rend(); ++m) {
        if (std::tie(m->arrival, m->seq) <= std::tie(it.arrival, it.seq)) break;
        --position;
      }
    }
  }
  return position;
}

// =============================================================================================
// Agent bookkeeping.

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
    queues_[s.queue.value()]->agents_by_state[static_cast<size_t>(a.state)] += delta;
  }
}

void Router::Impl::refresh_agent(Agent& a, std::string reason) {
  const AgentState next = derive_state(a);
  if (next != a.state) {
    ROUTER_CHECK(is_legal_transition(a.state, next));
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
        a.served.push_back(ServedQueue{q.id, fit_levels(a, q.cfg.required_skills)});
        break;
      }
    }
  }
}

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

// The next thing that happens to a waiting interaction by the passing of time alone: its next
// expansion step, its overflow, or its expiry.
void Router::Impl::schedule_queue_timer(Interaction& it) {
  cancel_timer(it);
  const Queue& q = *find_queue(it.queue);
  std::optional<TimePoint> due;
  auto consider = [&due](TimePoint t) { due = due ? std::min(*due, t) : t; };
  if (!it.target.valid()) {
    if (it.stage < static_cast<int>(q.cfg.expansion.size())) {
      consider(it.queued_at + q.cfg.expansion[static_cast<size_t>(it.stage)].after);
    }
    if (q.cfg.overflow_after && it.overflow_hops < cfg_.limits.max_overflow_hops) {
      consider(it.queued_at + *q.cfg.overflow_after);
    }
  }
  if (q.cfg.max_wait) consider(it.queued_at + *q.cfg.max_wait);
  if (due) schedule(it, TimerKind::kQueue, *due);
}

}  // namespace router::engine

namespace router::engine {

// =============================================================================================
// Transitions.

void Router::Impl::transition(Interaction& it, InteractionState to) {
  ROUTER_CHECK(is_legal_transition(it.state, to));
  it.state = to;
}

void Router::Impl::offer(Interaction& it, Agent& a, const Breakdown& points) {
  ROUTER_CHECK(available(a, it.channel));
  dequeue(it);
  transition(it, InteractionState::kOffered);
  Queue& q = *find_queue(it.queue);
  it.agent = a.id;
  it.offered_at = now_;
  it.offer_counted = true;
  ++q.offered_now;
  a.offer = &it;
  const TimePoint expires = now_ + q.cfg.offer_timeout;
  schedule(it, TimerKind::kOffer, expires);
  emit(OfferedEvent{it.id, a.id, q.id, expires, points});
  refresh_agent(a);
}

void Router::Impl::release_held(Agent& a, Interaction& it) {
  auto found = std::find(a.held.begin(), a.held.end(), &it);
  ROUTER_CHECK(found != a.held.end());
  a.held.erase(found);
  const auto c = static_cast<size_t>(it.channel);
  --a.held_per_channel[c];
  if (a.profile.capacity.exclusive[c]) --a.exclusive_held;
  if (a.held.empty()) a.idle_since = now_;
}

// REQUIRES: `it` is offered to or held by `a`. The caller refreshes `a` and routes `it`.
void Router::Impl::requeue_from_agent(Interaction& it, Agent& a, RequeueReason reason,
                                      bool exclude) {
  cancel_timer(it);
  if (a.offer == &it) {
    a.offer = nullptr;
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
  emit(CompletedEvent{it.id, a.id, q.id, it.customer.customer_id});
  erase(it);
  if (then_fill) {
    refresh_agent(a);
    fill_agent(a);
  }
}

// =============================================================================================
// Commands.

Result<SubmitResult> Router::Impl::submit(const InteractionSpec& spec, TimePoint now) {
  advance(now);
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
  if (spec.excluded.size() > lim.max_agents) {
    return invalid_argument("excluded: more than " + std::to_string(lim.max_agents) + " agents");
  }
  if (live_.size() >= lim.max_interactions) {
    return resource_exhausted("interactions: " + std::to_string(lim.max_interactions) +
                              " live, the router's limit");
  }
  if (static_cast<size_t>(q->waiting) >= lim.max_waiting_per_queue) {
    return resource_exhausted("queue: '" + q->cfg.name + "' holds its limit of " +
                              std::to_string(lim.max_waiting_per_queue) + " waiting");
  }

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
  it.queued_at = it.arrival;
  it.seq = submit_seq_++;
  it.reqset = intern_reqset(*q, it.extra_skills);
  it.stage = stage_at(*q, now_ - it.queued_at);
  live_.emplace(it.id, std::move(owned));

  transition(it, InteractionState::kQueued);
  ++q->arrived;
  enqueue(it);
  schedule_queue_timer(it);
  SubmitResult result{q->id, position_of(*q, it), {}};
  emit(QueuedEvent{it.id, q->id, result.position});
  route_interaction(it);
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

Status Router::Impl::cancel(InteractionId id, TimePoint now) {
  advance(now);
  Interaction* it = find_interaction(id);
  if (!it) return not_found("id: no live interaction " + std::to_string(id.value()));
  Agent* a = nullptr;
  if (it->state == InteractionState::kOffered) {
    a = find_agent(it->agent);
    a->offer = nullptr;
    --find_queue(it->queue)->offered_now;
    it->offer_counted = false;
  } else if (it->state != InteractionState::kQueued) {
    return failed_precondition("id: interaction is " + std::string(to_string(it->state)) +
                               "; only QUEUED or OFFERED can be cancelled");
  }
  Queue& q = *find_queue(it->queue);
  const Duration waited = now_ - it->arrival;
  const bool short_abandon = waited < q.cfg.short_abandon;
  ++q.abandoned;
  q.window.record_abandon(now_, short_abandon);
  transition(*it, InteractionState::kAbandoned);
  emit(AbandonedEvent{id, q.id, waited});
  erase(*it);
  if (a) {
    refresh_agent(*a);
    fill_agent(*a);
  }
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
  if (static_cast<size_t>(dst->waiting) >= cfg_.limits.max_waiting_per_queue) {
    return resource_exhausted("queue: '" + dst->cfg.name + "' is full");
  }
  Agent* a = nullptr;
  if (it->state == InteractionState::kOffered) {
    a = find_agent(it->agent);
    requeue_from_agent(*it, *a, RequeueReason::kOfferWithdrawn, /*exclude=*/false);
  }
  const QueueId from = it->queue;
  dequeue(*it);
  cancel_timer(*it);
  ++find_queue(from)->left;
  transition(*it, InteractionState::kQueued);
  place_in_queue(*it, to, it->arrival);
  emit(MovedEvent{id, from, to});
  if (a) {
    refresh_agent(*a);
    fill_agent(*a);
  }
  route_interaction(*it);
  return {};
}

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
    requeue_from_agent(it, *a, RequeueReason::kAgentLoggedOut, /*exclude=*/false);
    to_route.push_back(it.id);
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
  if (withdrawn) {
    requeue_from_agent(*withdrawn, *a, RequeueReason::kAgentNotReady, /*exclude=*/false);
  }
  a->not_ready = true;
  a->not_ready_reason = reason.empty() ? "not_ready" : std::string(reason);
  refresh_agent(*a, a->not_ready_reason);
  if (withdrawn) route_interaction(*withdrawn);
  return {};
}

namespace {
Status not_offered(const Interaction* it, AgentId a) {
  if (!it) return not_found("interaction_id: no live interaction");
  if (it->state != InteractionState::kOffered || it->agent != a) {
    return failed_precondition("interaction_id: not offered to this agent (it is " +
                               std::string(to_string(it->state)) +
                               "; the offer may have timed out)");
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
  a->offer = nullptr;
  --q.offered_now;
  it->offer_counted = false;
  transition(*it, InteractionState::kAssigned);
  it->assigned_at = now_;
  a->held.push_back(it);
  const auto c = static_cast<size_t>(it->channel);
  ++a->held_per_channel[c];
  if (a->profile.capacity.exclusive[c]) ++a->exclusive_held;
  a->idle_since = now_;
  const Duration waited = now_ - it->arrival;
  ++q.answered;
  q.window.record_answer(now_, waited, waited <= q.cfg.service_level.threshold);
  emit(AssignedEvent{iid, id, q.id});
  refresh_agent(*a);
  fill_agent(*a);
  return {};
}

Status Router::Impl::reject(AgentId id, InteractionId iid, TimePoint now) {
  advance(now);
  Agent* a = find_agent(id);
  if (!a) return not_found("agent: unknown agent");
  Interaction* it = find_interaction(iid);
  if (Status s = not_offered(it, id); !s) return s;
  requeue_from_agent(*it, *a, RequeueReason::kRejected, /*exclude=*/true);
  refresh_agent(*a);
  fill_agent(*a);
  route_interaction(*it);
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
  const Queue& q = *find_queue(it->queue);
  transition(*it, InteractionState::kWrapUp);
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
  if (static_cast<size_t>(dst->waiting) >= cfg_.limits.max_waiting_per_queue) {
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

// =============================================================================================
// Time.

void Router::Impl::advance(TimePoint now) {
  // Timers fire in due order, each at its own due time: a clock jump is the same as the time
  // passing gradually.
  while (!timers_.empty() && timers_.begin()->due <= now) {
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

void Router::Impl::fire(Interaction& it, TimerKind kind) {
  switch (kind) {
    case TimerKind::kOffer: {
      ROUTER_CHECK(it.state == InteractionState::kOffered);
      Agent& a = *find_agent(it.agent);
      requeue_from_agent(it, a, RequeueReason::kOfferTimeout, /*exclude=*/true);
      a.not_ready = true;
      a.not_ready_reason = "missed";
      refresh_agent(a, "missed");
      route_interaction(it);
      return;
    }
    case TimerKind::kWrapUp:
      ROUTER_CHECK(it.state == InteractionState::kWrapUp);
      finish(it, /*then_fill=*/true);
      return;
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
        static_cast<size_t>(dst->waiting) < cfg_.limits.max_waiting_per_queue) {
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
  const int stage = it.target.valid() ? it.stage : stage_at(q, in_queue);
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
}

}  // namespace router::engine

namespace router::engine {

// =============================================================================================
// Decisions.

void Router::Impl::route_interaction(Interaction& it) {
  if (it.state != InteractionState::kQueued) return;
  Queue& q = *find_queue(it.queue);
  if (it.target.valid()) {
    Agent& b = *find_agent(it.target);
    if (available(b, it.channel)) offer(it, b, score(q, make_class(q, it), it, b));
    return;
  }
  ROUTER_CHECK(it.cls != nullptr);
  Breakdown points;
  Agent* best = mode_ == MatchMode::kIndexed ? best_agent_indexed(it, q, *it.cls, &points)
                                             : best_agent_naive(it, q, *it.cls, &points);
  if (best) offer(it, *best, points);
}

void Router::Impl::fill_agent(Agent& a) {
  if (!a.logged_in || a.not_ready || a.offer) return;
  const ChannelSet avail = available_channels(a);
  if (avail.none()) return;
  // Work transferred to this agent by name comes first, in the order it was transferred.
  for (Interaction* it : a.personal) {
    if (avail[static_cast<size_t>(it->channel)]) {
      const Queue& q = *find_queue(it->queue);
      offer(*it, a, score(q, make_class(q, *it), *it, a));
      return;
    }
  }
  Breakdown points;
  Interaction* best = mode_ == MatchMode::kIndexed ? best_interaction_indexed(a, avail, &points)
                                                   : best_interaction_naive(a, avail, &points);
  if (best) offer(*best, a, points);
}

namespace {

// The running best of a decision, with the deterministic tie-breaks: more points; then the
// longest-idle agent (or the earliest arrival); then the lowest id (or submission order).
template <class T, class Key>
struct Best {
  T* item = nullptr;
  Points total = 0;
  Key key{};
  Breakdown points;

  // Would a candidate with at most `bound` points and a key ≥ `key` possibly win?
  bool could_win(Points bound, const Key& k) const {
    return item == nullptr || bound > total || (bound == total && k < key);
  }
  void offer(T* candidate, const Breakdown& b, const Key& k) {
    const Points t = b.total();
    if (item == nullptr || t > total || (t == total && k < key)) {
      item = candidate;
      total = t;
      key = k;
      points = b;
    }
  }
};

using AgentKey = std::pair<TimePoint, AgentId>;
using InteractionKey = std::pair<TimePoint, uint64_t>;

}  // namespace

Agent* Router::Impl::best_agent_naive(const Interaction& it, const Queue& q, const WaitingClass& c,
                                      Breakdown* out) {
  Best<Agent, AgentKey> best;
  for (auto& a : agents_) {
    if (!available(*a, it.channel) || !eligible(*a, c, q, it)) continue;
    best.offer(a.get(), score(q, c, it, *a), {a->idle_since, a->id});
  }
  if (best.item) *out = best.points;
  return best.item;
}

Agent* Router::Impl::best_agent_indexed(const Interaction& it, const Queue& q,
                                        const WaitingClass& c, Breakdown* out) {
  const Channel ch = it.channel;
  Best<Agent, AgentKey> best;
  auto consider = [&](Agent& a) {
    if (eligible(a, c, q, it)) best.offer(&a, score(q, c, it, a), {a.idle_since, a.id});
  };
  // Affinity is the one term the bounds below leave out: the agents who could earn it are
  // evaluated here, by name.
  for (AgentId id : {it.customer.preferred_agent, it.customer.last_agent}) {
    if (Agent* a = find_agent(id); a && available(*a, ch)) consider(*a);
  }

  // Candidates come from the smallest index bucket family that every eligible agent is in.
  const AgentIndex::Bucket* single = &index_.any(ch);
  size_t smallest = single->size();
  const SkillRequirement* primary = nullptr;
  if (q.cfg.language_required && it.language_id != kNoLanguage) {
    const auto& bucket = index_.by_language(ch, it.language_id);
    if (bucket.size() < smallest) {
      single = &bucket;
      smallest = bucket.size();
    }
  }
  for (const SkillRequirement& r : c.effective) {
    const size_t n = index_.count_at_least(ch, r.skill, r.min_level);
    if (n < smallest || (primary == nullptr && n == smallest)) {
      smallest = n;
      primary = &r;
    }
  }
  if (smallest == 0) {
    if (best.item) *out = best.points;
    return best.item;
  }

  int all_levels_bound = 0;  // Σ (10 − min) over the class's skills
  for (const SkillRequirement& r : c.skills) all_levels_bound += kMaxSkillLevel - r.min_level;

  struct Cursor {
    AgentIndex::Bucket::const_iterator pos, end;
    int fit_levels_bound;
    Points bound;
  };
  std::array<Cursor, kMaxSkillLevel + 1> cursors;
  size_t n_cursors = 0;
  if (primary != nullptr) {
    int configured_min = primary->min_level;
    for (const SkillRequirement& r : c.skills) {
      if (r.skill == primary->skill) configured_min = r.min_level;
    }
    const int others = all_levels_bound - (kMaxSkillLevel - configured_min);
    for (int l = primary->min_level; l <= kMaxSkillLevel; ++l) {
      const auto& bucket = index_.by_skill(ch, primary->skill, l);
      if (!bucket.empty()) {
        cursors[n_cursors++] = {bucket.begin(), bucket.end(), (l - configured_min) + others, 0};
      }
    }
  } else {
    cursors[n_cursors++] = {single->begin(), single->end(), all_levels_bound, 0};
  }

  // Everything but the agent's idle time and skill fit is known for this interaction.
  const Points fixed = c.constant + wait_points(q, it.arrival) +
                       (it.language_id != kNoLanguage ? language_points(q) : 0) +
                       random_bound(q);  // the handled term is ≤ 0: left out of the bound
  auto bound_of = [&](const Cursor& cur) {
    return fixed + fit_points(q, cur.fit_levels_bound) + idle_since_points(q, cur.pos->first);
  };
  for (size_t i = 0; i < n_cursors; ++i) cursors[i].bound = bound_of(cursors[i]);

  // Best-first over the buckets: each bucket is ordered by idle time, so its bound only falls.
  while (n_cursors > 0) {
    size_t top = 0;
    for (size_t i = 1; i < n_cursors; ++i) {
      if (cursors[i].bound > cursors[top].bound ||
          (cursors[i].bound == cursors[top].bound && *cursors[i].pos < *cursors[top].pos)) {
        top = i;
      }
    }
    Cursor& cur = cursors[top];
    if (!best.could_win(cur.bound, *cur.pos)) {
      if (cur.bound < best.total) break;  // every other bucket is bounded lower still
      cursors[top] = cursors[--n_cursors];
      continue;
    }
    Agent& a = *agents_[cur.pos->second.value()];
    ROUTER_CHECK(available(a, ch));
    if (a.id != it.customer.preferred_agent && a.id != it.customer.last_agent) consider(a);
    if (++cur.pos == cur.end) {
      cursors[top] = cursors[--n_cursors];
    } else {
      cur.bound = bound_of(cur);
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

Interaction* Router::Impl::best_interaction_naive(Agent& a, ChannelSet avail, Breakdown* out) {
  Best<Interaction, InteractionKey> best;
  for (auto& qp : queues_) {
    Queue& q = *qp;
    for (auto& c : q.classes) {
      if (!avail[c->key.channel]) continue;
      for (const Member& m : c->members) {
        if (eligible(a, *c, q, *m.it)) best.offer(m.it, score(q, *c, *m.it, a), {m.arrival, m.seq});
      }
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

Interaction* Router::Impl::best_interaction_indexed(Agent& a, ChannelSet avail, Breakdown* out) {
  Best<Interaction, InteractionKey> best;
  auto consider = [&](Interaction& it, const Queue& q, const WaitingClass& c) {
    if (eligible(a, c, q, it)) best.offer(&it, score(q, c, it, a), {it.arrival, it.seq});
  };
  // Interactions whose customer prefers or last saw this agent: the only ones that can earn
  // affinity points, so the bounds below leave affinity out.
  for (Interaction* it : a.affine) {
    if (it->cls && avail[static_cast<size_t>(it->channel)]) {
      consider(*it, *find_queue(it->queue), *it->cls);
    }
  }

  // Best-first over two kinds of entry: a queue's classes in score-key order (bounded by the
  // next class's key and the most this agent could add in that queue), and a class's members
  // in arrival order (bounded by everything but affinity, exactly).
  struct Entry {
    Points bound;
    InteractionKey key;  // members: (arrival, seq); queue cursors: the lowest possible
    Queue* q;
    ScoreIndex::const_iterator next_class;  // queue cursor
    WaitingClass* c;                        // member cursor (null for a queue cursor)
    std::set<Member>::const_iterator pos;
    Points fixed;  // queue cursor: the agent's bound; member cursor: all but wait
  };
  auto lower = [](const Entry& x, const Entry& y) {
    return x.bound < y.bound || (x.bound == y.bound && y.key < x.key);
  };
  constexpr InteractionKey kFirst{TimePoint::min(), 0};
  std::vector<Entry> heap;
  heap.reserve(a.served.size() + 8);
  for (const ServedQueue& s : a.served) {
    Queue& q = *queues_[s.queue.value()];
    if (q.waiting == 0) continue;
    const Points agent_bound = fit_points(q, s.base_fit_levels + q.max_extra_levels) +
                               language_points(q) + idle_points(q, a) + load_points(q, a) +
                               handled_points(q, a) + random_bound(q);
    for (int ch = 0; ch < kChannelCount; ++ch) {
      const ScoreIndex& index = q.by_score[static_cast<size_t>(ch)];
      if (!avail[static_cast<size_t>(ch)] || index.empty()) continue;
      heap.push_back(Entry{class_bound(q, index.cbegin()->first) + agent_bound,
                           kFirst,
                           &q,
                           index.cbegin(),
                           nullptr,
                           {},
                           agent_bound});
    }
  }
  std::make_heap(heap.begin(), heap.end(), lower);
  auto push = [&](Entry e) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), lower);
  };

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), lower);
    const Entry e = heap.back();
    heap.pop_back();
    if (!best.could_win(e.bound, e.key)) {
      if (e.bound < best.total) break;  // the heap holds nothing higher
      continue;
    }
    Queue& q = *e.q;
    if (e.c == nullptr) {
      WaitingClass& c = *e.next_class->second;
      if (auto after = std::next(e.next_class); after != q.by_score[c.key.channel].cend()) {
        push(
            Entry{class_bound(q, after->first) + e.fixed, kFirst, &q, after, nullptr, {}, e.fixed});
      }
      if (!meets(a, c.effective)) continue;
      if (q.cfg.language_required && c.key.language != kNoLanguage && !a.speaks(c.key.language)) {
        continue;
      }
      const Points fixed =
          c.constant + fit_points(q, fit_levels(a, c.skills)) +
          (c.key.language != kNoLanguage && a.speaks(c.key.language) ? language_points(q) : 0) +
          idle_points(q, a) + load_points(q, a) + handled_points(q, a) + random_bound(q);
      const Member& head = *c.members.begin();
      push(Entry{fixed + wait_points(q, head.arrival),
                 {head.arrival, head.seq},
                 &q,
                 {},
                 &c,
                 c.members.begin(),
                 fixed});
      continue;
    }
    consider(*e.pos->it, q, *e.c);
    // The next member only matters if this one was not taken (it excluded this agent).
    if (auto next = std::next(e.pos); next != e.c->members.end()) {
      push(Entry{e.fixed + wait_points(q, next->arrival),
                 {next->arrival, next->seq},
                 &q,
                 {},
                 e.c,
                 next,
                 e.fixed});
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

}  // namespace router::engine

namespace router::engine {

// =============================================================================================
// Queries. They score "as of" `now` without firing timers (a query never changes state).

namespace {
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
  const std::string channel(to_string(it->channel));
  for (const auto& ap : agents_) {
    const Agent& a = *ap;
    if (!a.logged_in) continue;
    const bool holds_this = it->agent == a.id;
    auto refuse = [&](Ineligibility why, std::string detail) {
      ex.ineligible.push_back(IneligibleAgent{a.id, why, std::move(detail)});
    };
    Ineligibility why{};
    if (it->excludes(a.id)) {
      refuse(Ineligibility::kAlreadyRejected,
             "rejected, missed or transferred away this interaction");
    } else if (it->target.valid() && it->target != a.id) {
      refuse(Ineligibility::kNotTargeted, "transferred to another agent by name");
    } else if (std::string d = missing_skill_detail(a, c.effective, &why); !d.empty()) {
      refuse(why, std::move(d));
    } else if (q.cfg.language_required && it->language_id != kNoLanguage &&
               !a.speaks(it->language_id)) {
      refuse(Ineligibility::kLanguage, "does not speak " + it->language);
    } else if (!holds_this && a.not_ready) {
      refuse(Ineligibility::kNotReady, "not ready: " + a.not_ready_reason);
    } else if (!holds_this && a.offer) {
      refuse(Ineligibility::kOfferPending, "has an offer waiting for an answer");
    } else if (!holds_this && !available(a, it->channel)) {
      refuse(Ineligibility::kChannel,
             a.exclusive_held > 0 ? "busy on a call" : "no free " + channel + " capacity");
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

Result<Duration> Router::Impl::ewt(QueueId qid, int position, TimePoint now) const {
  const Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  if (position < 0) return invalid_argument("position: must be ≥ 0");
  if (position == 0) return Duration::zero();
  const ServiceWindow::Totals t = q->window.totals(std::max(now_, now));
  // Measured AHT once there are a few samples, the configured default before.
  const Duration aht =
      t.handled >= 5 ? Duration(t.handle_ms / t.handled) : q->cfg.default_handle_time;
  const auto& s = q->agents_by_state;
  const int ready = s[static_cast<size_t>(AgentState::kReady)];
  const int staffed = ready + s[static_cast<size_t>(AgentState::kReserved)] +
                      s[static_cast<size_t>(AgentState::kBusy)] +
                      s[static_cast<size_t>(AgentState::kWrapUp)];
  if (staffed == 0) return aht * position;  // nobody to serve it: as if one agent came back
  const int ahead = position - ready;       // idle agents take the first ones at once
  if (ahead <= 0) return Duration::zero();
  return Duration(aht.count() * ahead / staffed);
}

Result<QueueStats> Router::Impl::queue_stats(QueueId qid, TimePoint now) const {
  const Queue* q = find_queue(qid);
  if (!q) return not_found("queue: unknown queue");
  now = std::max(now_, now);
  QueueStats s;
  s.queue = qid;
  s.name = q->cfg.name;
  s.waiting = q->waiting;
  s.offered_now = q->offered_now;
  for (const auto& c : q->classes) {
    if (!c->members.empty()) {
      s.longest_wait = std::max(s.longest_wait, now - c->members.begin()->arrival);
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
  s.agent = it.agent;
  s.target_agent = it.target;
  s.customer = it.customer;
  s.language = it.language;
  s.excluded = it.excluded;
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
      all.emplace_back(c->constant + wait_points(*q, m.arrival), &m);
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
            m.it->state != InteractionState::kQueued || m.it->arrival != m.arrival) {
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
  for (const auto& ap : agents_) {
    const Agent& a = *ap;
    const std::string who = "agent " + a.profile.name + ": ";
    if (derive_state(a) != a.state) return fail(who + "state drifted");
    for (const ServedQueue& s : a.served) ++by_state[s.queue.value()][static_cast<size_t>(a.state)];
    std::array<int, kChannelCount> per_channel{};
    int exclusive = 0;
    if (a.offer) {
      ++refs[a.offer];
      if (a.offer->state != InteractionState::kOffered || a.offer->agent != a.id) {
        return fail(who + "offer not mirrored by the interaction");
      }
      ++per_queue[a.offer->queue.value()][1];
    }
    for (const Interaction* it : a.held) {
      ++refs[it];
      if ((it->state != InteractionState::kAssigned && it->state != InteractionState::kWrapUp) ||
          it->agent != a.id) {
        return fail(who + "holds interaction " + std::to_string(it->id.value()) + " in state " +
                    std::string(to_string(it->state)));
      }
      ++per_channel[static_cast<size_t>(it->channel)];
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
    if (per_channel != a.held_per_channel || exclusive != a.exclusive_held) {
      return fail(who + "capacity counters drifted");
    }
    for (int c = 0; c < kChannelCount; ++c) {
      if (per_channel[c] > a.profile.capacity.max[c]) return fail(who + "over capacity");
    }
    if (exclusive > 0 && a.held.size() != 1) return fail(who + "a call held alongside other work");
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
    const int n = refs.count(&it) ? refs.at(&it) : 0;
    if (n != 1) {
      return fail("interaction " + std::to_string(id.value()) + " is in " + std::to_string(n) +
                  " places (state " + std::string(to_string(it.state)) + ")");
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
    if (by_state[q.id.value()] != q.agents_by_state) {
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

// =============================================================================================
// Router: the public face forwards to Impl.

Router::Router(RouterConfig config, MatchMode mode) : impl_(std::make_unique<Impl>(config, mode)) {}
Router::~Router() = default;

Result<SkillId> Router::add_skill(std::string_view name) { return impl_->add_skill(name); }
Result<QueueId> Router::add_queue(QueueConfig config) {
  return impl_->add_queue(std::move(config));
}
Status Router::update_queue(QueueId q, QueueConfig config, TimePoint now) {
  return impl_->settled(impl_->update_queue(q, std::move(config), now));
}
Result<AgentId> Router::add_agent(AgentProfile profile) {
  return impl_->add_agent(std::move(profile));
}
std::optional<SkillId> Router::find_skill(std::string_view name) const {
  auto it = impl_->skill_by_name_.find(std::string(name));
  return it == impl_->skill_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::optional<QueueId> Router::find_queue(std::string_view name) const {
  auto it = impl_->queue_by_name_.find(std::string(name));
  return it == impl_->queue_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::optional<AgentId> Router::find_agent(std::string_view name) const {
  auto it = impl_->agent_by_name_.find(std::string(name));
  return it == impl_->agent_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::string_view Router::skill_name(SkillId s) const {
  return s.valid() && s.value() < impl_->skill_names_.size() ? impl_->skill_names_[s.value()]
                                                             : std::string_view();
}
std::string_view Router::agent_name(AgentId a) const {
  return a.valid() && a.value() < impl_->agents_.size()
             ? std::string_view(impl_->agents_[a.value()]->profile.name)
             : std::string_view();
}
size_t Router::queue_count() const { return impl_->queues_.size(); }
size_t Router::agent_count() const { return impl_->agents_.size(); }

Result<SubmitResult> Router::submit(const InteractionSpec& spec, TimePoint now) {
  return impl_->settled(impl_->submit(spec, now));
}
Status Router::cancel(InteractionId id, TimePoint now) {
  return impl_->settled(impl_->cancel(id, now));
}
Status Router::set_priority(InteractionId id, int p, TimePoint now) {
  return impl_->settled(impl_->set_priority(id, p, now));
}
Status Router::move(InteractionId id, QueueId to, TimePoint now) {
  return impl_->settled(impl_->move(id, to, now));
}
Status Router::login(AgentId a, bool ready, TimePoint now) {
  return impl_->settled(impl_->login(a, ready, now));
}
Status Router::logout(AgentId a, LogoutMode mode, TimePoint now) {
  return impl_->settled(impl_->logout(a, mode, now));
}
Status Router::set_ready(AgentId a, TimePoint now) {
  return impl_->settled(impl_->set_ready(a, now));
}
Status Router::set_not_ready(AgentId a, std::string_view reason, TimePoint now) {
  return impl_->settled(impl_->set_not_ready(a, reason, now));
}
Status Router::accept(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->accept(a, id, now));
}
Status Router::reject(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->reject(a, id, now));
}
Status Router::complete(AgentId a, InteractionId id, std::string_view code, TimePoint now) {
  return impl_->settled(impl_->complete(a, id, code, now));
}
Status Router::end_wrap_up(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->end_wrap_up(a, id, now));
}
Status Router::transfer_to_queue(AgentId a, InteractionId id, QueueId to, TimePoint now) {
  return impl_->settled(impl_->transfer_to_queue(a, id, to, now));
}
Status Router::transfer_to_agent(AgentId a, InteractionId id, AgentId to, TimePoint now) {
  return impl_->settled(impl_->transfer_to_agent(a, id, to, now));
}
Status Router::update_agent_skills(AgentId a, std::vector<SkillLevel> skills, TimePoint now) {
  return impl_->settled(impl_->update_agent_skills(a, std::move(skills), now));
}
void Router::advance(TimePoint now) { impl_->advance(now); }
std::optional<TimePoint> Router::next_deadline() const { return impl_->next_deadline(); }
TimePoint Router::now() const { return impl_->now_; }
const std::vector<Event>& Router::events() const { return impl_->events_; }
void Router::clear_events() { impl_->events_.clear(); }
void Router::drain_events(std::vector<Event>& out) {
  out.insert(out.end(), std::make_move_iterator(impl_->events_.begin()),
             std::make_move_iterator(impl_->events_.end()));
  impl_->events_.clear();
}
Result<Explanation> Router::explain(InteractionId id, TimePoint now) const {
  return impl_->explain(id, now);
}
Result<QueueStats> Router::queue_stats(QueueId q, TimePoint now) const {
  return impl_->queue_stats(q, now);
}
Result<Duration> Router::ewt(QueueId q, int position, TimePoint now) const {
  return impl_->ewt(q, position, now);
}
Result<AgentSnapshot> Router::agent(AgentId a, TimePoint now) const {
  return impl_->agent_snapshot(a, now);
}
Result<InteractionSnapshot> Router::interaction(InteractionId id) const {
  return impl_->interaction_snapshot(id);
}
Result<std::vector<InteractionSnapshot>> Router::waiting(QueueId q, size_t limit) const {
  return impl_->waiting(q, limit);
}
std::vector<InteractionId> Router::live_interactions() const {
  std::vector<InteractionId> ids;
  ids.reserve(impl_->live_.size());
  for (const auto& [id, it] : impl_->live_) ids.push_back(id);
  return ids;
}
size_t Router::live_count() const { return impl_->live_.size(); }
Status Router::audit(TimePoint now) const { return impl_->audit(now); }
MatchMode Router::mode() const { return impl_->mode_; }

}  // namespace router::engine
