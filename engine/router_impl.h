// INTERNAL to engine/: not part of the Router's contract (that is engine/router.h); only the
// engine's own .cc files include it. Router::Impl and the structures its pieces share.
// Invariants (after every command; audit() recounts them): those of router.h; every live
// interaction is owned by `live_` and filed in exactly one place (a class, a personal queue, an
// offer or an agent's held work); an agent is in the AgentIndex exactly when available(), and
// in idle_agents_ exactly when idle().
// Threading: single writer, not thread-safe: one thread owns the Router and everything here.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/agent_index.h"
#include "engine/check.h"
#include "engine/router.h"
#include "engine/service_window.h"

// Where each piece lives (docs/routing.md, "Where the code is"):
//   build.cc      the model: skills, queues, agents, their validation (and RouterConfig's)
//   points.h      the points terms (inline: the indexed bounds call them in inner loops)
//   points.cc     the score of one (interaction, agent) pair, term by term
//   decisions.cc  eligibility, the waiting classes, decisions 1 and 2, indexed and naive
//   lifecycle.cc  interaction transitions and commands (submit ... transfer)
//   agents.cc     agent commands (login ... skills) and agent state, capacity, availability
//   timers.cc     due-times: schedule, advance, fire (offer timeout, wrap-up, expansion, ...)
//   queries.cc    explain, statistics, EWT, snapshots and the invariant audit
//   router.cc     the public facade and Router::create

namespace router::engine::internal {

inline constexpr uint32_t kNoLanguage = UINT32_MAX;
// Lifetime value counts in tenths of the cap, so that interactions of equal priority, segment
// and value band form one FIFO class whose head is its best member.
inline constexpr int kLtvBands = 10;

struct Interaction;

// The wait range's calibration (Queue::range_tails): each side's target miss rate (9% below and
// 9% above: a range that holds about 82% of waits, so at least 8 in 10 with room for noise), the
// step of each update (adaptive conformal inference, Gibbs & Candès 2021: tail += step × (target
// − missed); 0.02 swung the tails between 5% and 18% on bursts of correlated misses, 0.005
// settles in a few thousand waits), and the bounds a tail is kept in.
inline constexpr double kRangeTailTarget = 0.09;
inline constexpr double kRangeTailStep = 0.005;
inline constexpr double kRangeTailMin = 0.001;
inline constexpr double kRangeTailMax = 0.3;

// A waiting interaction in its class, ordered by the time its wait points count from
// (Interaction::rank_from: its arrival, or a work item's due time less its queue's SL threshold),
// then by submission.
struct Member {
  TimePoint rank_from;
  uint64_t seq;
  Interaction* it;
  bool operator<(const Member& o) const {
    return std::tie(rank_from, seq) < std::tie(o.rank_from, o.seq);
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

// kScheduled: a SCHEDULED work item's not_before.
enum class TimerKind : uint8_t { kQueue, kOffer, kWrapUp, kScheduled };

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
  // What the wait, SL-pressure and urgency terms count from, set as it enters a queue: the
  // arrival, or for a work item (due − the queue's SL threshold), so a work item's points say
  // how near its due time is on the queue's own scale (earliest due first within a class).
  TimePoint rank_from;
  std::optional<TimePoint> due;         // work items: always set (InteractionSpec::due)
  std::optional<TimePoint> not_before;  // work items: SCHEDULED until then
  uint64_t seq = 0;
  int stage = 0;
  int overflow_hops = 0;
  uint32_t reqset = 0;
  WaitingClass* cls = nullptr;  // set while QUEUED in a class
  std::set<Member>::iterator pos;
  AgentId agent;  // assigned to (ASSIGNED, WRAP_UP)
  // OFFERED: the agents it is offered to, best first (more than one with QueueConfig::offer_to);
  // each of them has it as Agent::offer. Empty in every other state.
  std::vector<AgentId> offers;
  AgentId target;  // transferred to this agent: waits in that agent's personal queue
  std::vector<AgentId> excluded;
  std::optional<std::set<Timer>::iterator> timer;  // one, shared by all its offers
  TimePoint assigned_at;
  // The wait range it was told when it queued on arrival, and by which queue, to learn from at
  // its first offer (Queue::range_tails); none once used, or when it did not have to wait.
  struct ToldRange {
    QueueId queue;
    Duration low, high;
  };
  std::optional<ToldRange> told_range;
  bool offer_counted = false;  // counted in its queue's offered_now

  bool excludes(AgentId a) const {
    return std::find(excluded.begin(), excluded.end(), a) != excluded.end();
  }
  bool offered_to(AgentId a) const {
    return std::find(offers.begin(), offers.end(), a) != offers.end();
  }
};

// A queue whose own skills the agent meets at some expansion stage (and whose channels it takes).
struct ServedQueue {
  QueueId queue;
  int base_fit_levels = 0;  // Σ (level − min) over the queue's own skills
  int stage = 0;            // the first expansion stage whose requirements the agent meets
  int rank = 0;             // in the agent's queue order (Agent::rank_of)
};

struct Queue;
// A queue decision 2 looks in for one agent, with what the agent brings to it.
struct QueueSource {
  Queue* q;
  int base_fit_levels;
  int rank;
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
  Interaction* offer = nullptr;    // its one pending offer (the interaction may ring others too)
  std::vector<Interaction*> held;  // ASSIGNED and WRAP_UP
  std::array<int, kChannelCount> held_per_channel{};
  int exclusive_held = 0;
  int held_cost = 0;  // Σ Blending::cost of what it holds
  TimePoint idle_since;
  TimePoint idle_key_since;  // its key in Router::Impl::idle_agents_, when it is in
  uint64_t handled = 0;
  std::array<std::optional<AgentIndex::Key>, kChannelCount> indexed;
  std::vector<ServedQueue> served;
  std::deque<Interaction*> personal;        // transferred to this agent by name
  std::unordered_set<Interaction*> affine;  // waiting, naming this agent preferred or last
  // profile.queue_order as (queue, position), sorted by queue: rank_of's lookup.
  std::vector<std::pair<QueueId, int>> ranks;

  int level(SkillId s) const {
    auto it = std::lower_bound(profile.skills.begin(), profile.skills.end(), s,
                               [](const SkillLevel& sl, SkillId id) { return sl.skill < id; });
    return (it != profile.skills.end() && it->skill == s) ? it->level : 0;
  }
  bool speaks(uint32_t lang) const {
    return std::find(language_ids.begin(), language_ids.end(), lang) != language_ids.end();
  }
  int work_count() const { return static_cast<int>(held.size()); }
  // The queue's rank in the agent's queue order: its position there, or after every listed one
  // (all unlisted queues alike). 0 for every queue when the agent has no order.
  int rank_of(QueueId q) const {
    auto it =
        std::lower_bound(ranks.begin(), ranks.end(), q,
                         [](const std::pair<QueueId, int>& r, QueueId id) { return r.first < id; });
    return it != ranks.end() && it->first == q ? it->second : static_cast<int>(ranks.size());
  }
};

struct Queue {
  QueueId id;
  QueueConfig cfg;
  Weights w;
  uint32_t last_offered_agent = UINT32_MAX;  // the round-robin term's memory; none yet
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
  // The wait range's calibration (docs/routing.md, "Estimated wait"): the share of waits to
  // leave below the range and above it, adapted at every first offer of an interaction that was
  // told a range on arrival so that each side misses about kRangeTailTarget of them.
  std::array<double, 2> range_tails{kRangeTailTarget, kRangeTailTarget};  // below, above
  bool at_risk = false;  // cfg.reserve_agents_when held at the last look
  uint64_t arrived = 0, answered = 0, abandoned = 0, expired = 0, left = 0, completed = 0;
  std::array<int, kAgentStateCount> agents_by_state{};
  // The same for the agents who meet the queue's requirements as configured (stage 0): the
  // ones a new arrival's wait estimate counts on.
  std::array<int, kAgentStateCount> agents_by_state_at_start{};

  Queue(QueueId qid, QueueConfig c, const RouterConfig& rc)
      : id(qid), cfg(std::move(c)), window(rc.stats_window, rc.stats_buckets) {}
};

// Interaction::rank_from in queue `q`.
inline TimePoint rank_from_in(const Interaction& it, const Queue& q) {
  return it.due ? *it.due - q.cfg.service_level.threshold : it.arrival;
}

inline Points pts(double weight, double raw) { return std::llround(weight * raw * kPointsScale); }

}  // namespace router::engine::internal

namespace router::engine {

// The engine's .cc files name the internal structures unqualified.
using namespace internal;  // NOLINT(google-build-using-namespace): engine-internal header

class Router::Impl {
 public:
  // REQUIRES: validate(config) is ok (Router::create checks it and returns the error).
  Impl(RouterConfig config, MatchMode mode) : cfg_(std::move(config)), mode_(mode) {
    ROUTER_CHECK(validate(cfg_).ok());
  }
  // The router-wide configuration's own rules; the error names the field (build.cc).
  static Status validate(const RouterConfig& config);

  // Model (build.cc).
  Result<SkillId> add_skill(std::string_view name);
  Result<QueueId> add_queue(QueueConfig config);
  Status update_queue(QueueId queue, QueueConfig config, TimePoint now);
  Result<AgentId> add_agent(AgentProfile profile);

  // Commands (lifecycle.cc: interactions; agents.cc: agents; timers.cc: time).
  Result<SubmitResult> submit(const InteractionSpec& spec, TimePoint now);
  Status restore_held(const InteractionSpec& spec, AgentId a, InteractionState state,
                      TimePoint now);
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
  Status set_queue_order(AgentId a, std::vector<QueueId> order, TimePoint now);
  void advance(TimePoint now);
  // A command may leave a timer due at `now_` (a requeued interaction already past its next
  // expansion step, say): fire those before returning, so no command ends with one overdue.
  template <class R>
  R settled(R result) {
    advance(now_);
    return result;
  }
  std::optional<TimePoint> next_deadline() const {
    std::optional<TimePoint> due = next_risk_look_;
    if (!timers_.empty() && (!due || timers_.begin()->due < *due)) due = timers_.begin()->due;
    if (auto crossing = next_idle_crossing(); crossing && (!due || *crossing < *due))
      due = crossing;
    return due;
  }

  // Queries (queries.cc).
  Result<Explanation> explain(InteractionId id, TimePoint now) const;
  Result<QueueStats> queue_stats(QueueId q, TimePoint now) const;
  Result<Duration> ewt(QueueId q, int position, TimePoint now) const;
  Result<WaitEstimate> estimate_at(QueueId q, int position, TimePoint now) const;
  Result<WaitEstimate> wait_estimate(InteractionId id, TimePoint now) const;
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
  // Queues with reserve_agents_when are looked at every kConditionRecheck; none: never.
  std::optional<TimePoint> next_risk_look_;
  int queues_at_risk_ = 0;
  // Reverse bullseye: the queues with add_idle_agents_after, by id, and the agents logged in,
  // READY and holding nothing (no work, no offer), by idle time (Agent::idle_since, id): those
  // idle past a threshold are a prefix. Kept for every agent in reindex().
  std::vector<QueueId> idle_rule_queues_;
  AgentIndex::Bucket idle_agents_;
  uint64_t submit_seq_ = 0;
  AgentIndex index_;

 private:
  // --- Helpers: lookups and validation (build.cc).
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

  // --- Points (points.cc).
  Weights effective_weights(const QueueConfig& c) const {
    Weights w = cfg_.default_weights;
    for (int t = 0; t < kTermCount; ++t) w.w[t] = c.weights.w[t].value_or(w.w[t]);
    return w;
  }
  Points value_points(const Queue& q, Segment seg, int band) const;
  Points priority_points(const Queue& q, int priority) const;
  Points wait_points(const Queue& q, TimePoint from) const;  // wait + SL pressure + urgency
  Points urgency_points(const Queue& q, int64_t wait_ms) const;
  Points idle_points(const Queue& q, const Agent& a) const {
    return idle_since_points(q, a.idle_since);
  }
  Points idle_since_points(const Queue& q, TimePoint idle_since) const;
  Points load_points(const Queue& q, const Agent& a) const;
  Points fit_points(const Queue& q, int levels) const;
  Points handled_points(const Queue& q, const Agent& a) const;
  Points random_points(const Queue& q, const Interaction& it, const Agent& a) const;
  Points random_bound(const Queue& q) const;
  Points round_robin_points(const Queue& q, const Agent& a) const;
  Points round_robin_bound(const Queue& q) const;
  Points language_points(const Queue& q) const;
  Points affinity_points(const Queue& q, const Interaction& it, const Agent& a) const;
  Breakdown score(const Queue& q, const WaitingClass& c, const Interaction& it,
                  const Agent& a) const;
  int fit_levels(const Agent& a, const std::vector<SkillRequirement>& skills) const;
  static int ltv_band(const PointsRules& r, double ltv);

  // --- Eligibility (decisions.cc).
  bool available(const Agent& a, Channel ch) const;
  // Whether one more item of `ch` fits what `a` holds: its count, a call's exclusivity, the
  // budget. Readiness, offers and headroom aside (restore_held counts only this).
  bool fits(const Agent& a, Channel ch) const;
  // Whether headroom keeps `a` off `ch` now: some queue at risk whose requirements `a` meets
  // as configured, and none of those takes `ch`.
  bool reserved_against(const Agent& a, Channel ch) const;
  ChannelSet available_channels(const Agent& a) const;
  bool meets(const Agent& a, const std::vector<SkillRequirement>& effective) const;
  bool eligible(const Agent& a, const WaitingClass& c, const Queue& q, const Interaction& it) const;
  // Preferred-agent hold: until when `it` waits for its preferred or last agent, if it does now
  // (the queue holds, the time has not passed, and one of them is logged in and has not declined
  // it).
  std::optional<TimePoint> held_until(const Interaction& it, const Queue& q) const;
  bool held_for_other(const Agent& a, const Interaction& it, const Queue& q) const {
    return a.id != it.customer.preferred_agent && a.id != it.customer.last_agent &&
           held_until(it, q).has_value();
  }
  // Whether `q`'s add_idle_agents_after adds `a` now: READY, holding nothing, idle that long.
  bool added_by_idle_rule(const Agent& a, const Queue& q) const;
  static bool idle(const Agent& a) {
    return a.logged_in && !a.not_ready && a.offer == nullptr && a.held.empty();
  }
  std::vector<SkillRequirement> effective_skills(const Queue& q,
                                                 const std::vector<SkillRequirement>& skills,
                                                 int stage) const;
  // The expansion stage an interaction `in_queue` long has reached, starting from stage `from`
  // (the steps before it stay applied: a conditional one is not undone when its condition
  // ends).
  int stage_at(const Queue& q, Duration in_queue, int from = 0) const;
  // A conditional expansion step's condition on its queue, now (true for a plain step).
  bool condition_holds(const Queue& q, const ExpansionStep& step) const;
  bool risk_holds(const Queue& q, const RiskCondition& when) const;
  // Looks at every queue's reserve_agents_when (advance(), every kConditionRecheck): agents
  // whose headroom changed are reindexed, and offered work when it was lifted.
  void look_at_risks();
  // Reverse bullseye (timers.cc): the next time an idle agent's idle time reaches the
  // add_idle_agents_after of a queue with work waiting (after now), and at it, decision 2 for
  // the agents reaching a threshold then.
  std::optional<TimePoint> next_idle_crossing() const;
  void add_idle_agents();
  void note_idle_rule(const Queue& q);  // keeps idle_rule_queues_ (build.cc)

  // --- Queue structure: the waiting classes decision 2 walks (decisions.cc).
  uint32_t intern_reqset(Queue& q, const std::vector<SkillRequirement>& extras);
  WaitingClass& class_for(Queue& q, const Interaction& it);
  WaitingClass make_class(const Queue& q, const Interaction& it) const;
  ClassKey key_of(const Interaction& it) const;
  void enqueue(Interaction& it);  // into its class (or its target's personal queue)
  void dequeue(Interaction& it);  // out of wherever it waits
  void rekey(Queue& q, WaitingClass& c);
  Points class_bound(const Queue& q, double score_key) const;
  int position_of(const Queue& q, const Interaction& it) const;

  // --- Agent bookkeeping (agents.cc).
  AgentState derive_state(const Agent& a) const;
  // `restoring`: restore_held() puts work straight into a READY or NOT_READY agent's hands, a
  // step no live transition makes (those go through RESERVED).
  void refresh_agent(Agent& a, std::string reason = {}, bool restoring = false);
  void reindex(Agent& a);
  void recompute_served(Agent& a);
  // Checks and applies an agent's queue order (AgentProfile::queue_order); the error names
  // `field`.
  Status validate_queue_order(const std::vector<QueueId>& order, std::string_view field) const;
  void apply_queue_order(Agent& a, std::vector<QueueId> order);
  void count_agent(Agent& a, int delta);

  // --- Timers (timers.cc).
  void schedule(Interaction& it, TimerKind kind, TimePoint due);
  void cancel_timer(Interaction& it);
  void schedule_queue_timer(Interaction& it);

  // --- A new interaction (lifecycle.cc): the checks submit() and restore_held() share (every
  // field and limit but the queue's waiting limit), and the interaction made from a checked spec,
  // live but filed nowhere yet.
  Status check_spec(const InteractionSpec& spec) const;
  // Where a new arrival submitted to `submitted` goes, by the arrival rules (opening hours and
  // when_closed, its waiting cap and when_full, when_no_agents, overflow hops), or why it is
  // refused. With callback_at: taken as a callback work item in `queue` (closed's callback).
  struct Arrival {
    Queue* queue;
    std::optional<TimePoint> callback_at{};
    QueueId closed{};  // with callback_at: the closed queue that sent it
  };
  Result<Arrival> arrival_queue(Queue& submitted, const InteractionSpec& spec);
  bool closed_now(const Queue& q) const;
  // The wall-clock instant of a time on the engine's timeline (RouterConfig::wall_at_zero) and
  // back, to the millisecond, rounded up (never before `w`: a callback is not due before the
  // opening).
  OpeningHours::WallTime wall(TimePoint t) const {
    return cfg_.wall_at_zero +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch());
  }
  TimePoint from_wall(OpeningHours::WallTime w) const {
    return TimePoint(std::chrono::ceil<Duration>(w - cfg_.wall_at_zero));
  }
  // A work item whose not_before is later: SCHEDULED until then (ScheduledEvent).
  Result<SubmitResult> schedule_work_item(Interaction& it, QueueId closed_queue);
  bool anyone_logged_in(const Queue& q) const;
  size_t waiting_cap(const Queue& q) const {
    return q.cfg.max_waiting.value_or(cfg_.limits.max_waiting_per_queue);
  }
  Interaction& make_interaction(const InteractionSpec& spec, Queue& queue);

  // --- Transitions (lifecycle.cc; fire() in timers.cc).
  void transition(Interaction& it, InteractionState to);
  // Offers `it` to each agent of `to` (best first) with the points it was chosen by: OFFERED, one
  // timer for all.
  void offer(Interaction& it, const std::vector<std::pair<Agent*, Breakdown>>& to);
  void offer(Interaction& it, Agent& a, const Breakdown& points) { offer(it, {{&a, points}}); }
  // Multi-offer: ends `a`'s offer of `it` (`exclude`: it may not be offered to `a` again). If
  // others remain, an OfferEndedEvent and false; if it was the last, `it` is QUEUED again
  // (requeue_from_agent) and true: the caller refreshes `a` and routes `it`.
  bool end_offer(Interaction& it, Agent& a, RequeueReason reason, bool exclude);
  // Ends every offer of `it` but `keep`'s, with an OfferEndedEvent each; returns their agents,
  // best first, for the caller to refresh and fill once `it` is settled.
  std::vector<Agent*> withdraw_offers(Interaction& it, const Agent* keep, RequeueReason reason);
  // Remembers the range an interaction queued on arrival is told (Interaction::told_range);
  // learn_range() checks it against its wait at its first offer.
  void tell_range(Interaction& it);
  void learn_range(Interaction& it);
  void requeue_from_agent(Interaction& it, Agent& a, RequeueReason reason, bool exclude);
  void release_held(Agent& a, Interaction& it);
  void finish(Interaction& it, bool then_fill);
  void fire(Interaction& it, TimerKind kind);
  void erase(Interaction& it);
  void place_in_queue(Interaction& it, QueueId to, TimePoint arrival);

  // --- Decisions (decisions.cc).
  void route_interaction(Interaction& it);  // decision 1
  void fill_agent(Agent& a);                // decision 2
  Agent* best_agent_indexed(const Interaction& it, const Queue& q, const WaitingClass& c,
                            Breakdown* out);
  Agent* best_agent_naive(const Interaction& it, const Queue& q, const WaitingClass& c,
                          Breakdown* out);
  Interaction* best_interaction_indexed(Agent& a, ChannelSet avail, Breakdown* out);
  Interaction* best_interaction_naive(Agent& a, ChannelSet avail, Breakdown* out);
  // The indexed search over `sources` (and the agent's affine interactions in them) of one rank.
  Interaction* best_interaction_among(Agent& a, ChannelSet avail,
                                      const std::vector<QueueSource>& sources, int rank,
                                      Breakdown* out);
  std::string missing_skill_detail(const Agent& a, const std::vector<SkillRequirement>& effective,
                                   Ineligibility* reason) const;
  // Why `a` cannot take one more `ch` item (explain's detail): count, call, budget, headroom.
  std::string capacity_detail(const Agent& a, Channel ch) const;
};

}  // namespace router::engine

#include "engine/points.h"  // IWYU pragma: export (the inline terms need Impl complete)
