// The routing model as plain data: skills, agents, queues, interactions, and the points rules
// with their weights. These are what the host (config loader, simulator, tests) hands to the
// Router; the Router validates them and keeps its own indexed copies.
#pragma once

#include <array>
#include <bitset>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/types.h"

namespace router::engine {

struct SkillLevel {
  SkillId skill;
  int level = kMinSkillLevel;  // 1..10
};

struct SkillRequirement {
  SkillId skill;
  int min_level = kMinSkillLevel;  // 1..10
};

// How much work of each channel an agent may hold at once. An exclusive channel (a call) is only
// offered to an agent holding nothing (or, with Blending::call_over_other_work, holding only
// non-exclusive work), and while held blocks every other channel. With a budget, the items held
// also cost Blending::cost each, and an item is offered only if its cost fits what is left.
struct ChannelCapacity {
  std::array<int, kChannelCount> max{1, 5, 3, 1, 3};  // phone, email, chat, callback, work item
  std::array<bool, kChannelCount> exclusive{true, false, false, true, false};
  int budget = 0;  // 0: no budget, the counts alone; at most kMaxCapacityBudget
};
inline constexpr int kMaxCapacityBudget = 100'000;
inline constexpr int kMaxChannelCost = 1'000;

// Blended agents: what each channel's item costs of an agent's budget, and whether a call may
// be offered to an agent holding other work. docs/routing.md, "Blended capacity and headroom".
struct Blending {
  std::array<int, kChannelCount> cost{100, 25, 35, 100, 50};  // 0..kMaxChannelCost each
  bool call_over_other_work = false;
};

struct AgentProfile {
  std::string name;  // unique; the host's handle for the agent
  std::string team;
  std::vector<SkillLevel> skills;
  std::vector<std::string> languages;  // e.g. "en", "zh"
  ChannelCapacity capacity;
  // The agent's own order of the queues it serves (issue 19, row 3; docs/routing.md, "An agent's
  // queue order"): when it is freed it takes work from the first of these that has any it may
  // take, by points within that queue; queues not listed come after all listed ones, equal among
  // themselves. Each a known queue, listed once. Empty: every queue alike (points alone).
  std::vector<QueueId> queue_order;
};

// ---------------------------------------------------------------------------------------------
// Points. For an eligible (interaction, agent) pair, points = sum over terms of weight × term.
enum class Term : uint8_t {
  kSkillFit,       // Σ (agent level − required minimum) over the interaction's skills
  kCustomerValue,  // segment points + lifetime value (capped, scaled to ltv_points)
  kPriority,       // interaction priority + queue priority
  kWait,           // seconds waited (in queue, since original arrival)
  kServiceLevel,   // 0..1 ramp as the wait nears the queue's service-level threshold
  kIdle,           // seconds the agent has been idle (capped)
  kAffinity,       // 1 for the customer's preferred agent, last-agent ratio for the last agent
  kLanguage,       // 1 when the agent speaks the interaction's language
  kLoad,           // −(items the agent already holds)
  kHandled,        // −(interactions the agent has completed): fewest-calls fairness
  kRandom,         // a seeded pseudo-random draw in [0, 1) per (agent, interaction)
  kUrgency,        // seconds waited ÷ the queue's SL threshold (capped): fair across channels
  kRoundRobin,     // 1 for the agent after the queue's last offer in agent order, falling by 1/N
};
inline constexpr int kTermCount = 13;
std::string_view to_string(Term t);

// Per-term multipliers. All must be ≥ 0 (a negative weight would turn a bonus into a penalty
// and break the bounds the indexed matcher relies on); the load term is already negative.
struct Weights {
  std::array<double, kTermCount> w{
      // skill fit, priority and idle as chosen on routersim's centers (docs/simulation.md).
      0.5,   // skill fit: points per level above the minimum (more holds secondary skills back)
      1.0,   // customer value
      30.0,  // priority: points per priority unit (300 s of waiting at the wait weight)
      0.1,   // wait: points per second waited (6 per minute)
      20.0,  // service-level pressure: points at the threshold
      0.2,   // idle: points per idle second (12 per minute)
      25.0,  // affinity: points for the preferred agent
      10.0,  // language match
      5.0,   // load: penalty per item held
      0.0,   // handled: off by default (reference policy "fewest calls")
      0.0,   // random: off by default (reference policy "random")
      0.0,   // urgency: points per threshold's worth of waiting; off by default
      0.0,   // round robin: off by default (reference policy "round robin")
  };
  double& operator[](Term t) { return w[static_cast<int>(t)]; }
  double operator[](Term t) const { return w[static_cast<int>(t)]; }
};

// Global rules for the raw term values (weights scale them).
struct PointsRules {
  std::array<double, kSegmentCount> segment_points{30.0, 20.0, 0.0, -10.0};
  double ltv_points = 10.0;        // raw value points for a customer at or above ltv_cap
  double ltv_cap = 100000.0;       // lifetime value that earns the full ltv_points
  double last_agent_ratio = 0.6;   // the last agent earns this share of the affinity weight
  double sl_pressure_start = 0.8;  // pressure ramps from this fraction of the SL threshold
  double urgency_cap = 3.0;        // the urgency term stops growing at this many thresholds
  Duration idle_cap = std::chrono::minutes(30);
  uint64_t random_seed = 0;  // for the random term: same seed, same draws
};

// Per-queue weights: each term set here replaces the router's default for that term only.
struct WeightOverrides {
  std::array<std::optional<double>, kTermCount> w{};
  std::optional<double>& operator[](Term t) { return w[static_cast<int>(t)]; }
  const std::optional<double>& operator[](Term t) const { return w[static_cast<int>(t)]; }
  static WeightOverrides all(const Weights& weights) {
    WeightOverrides o;
    for (int t = 0; t < kTermCount; ++t) o.w[t] = weights.w[t];
    return o;
  }
};

// Points are integers in thousandths so sums, comparisons and bounds are exact.
using Points = int64_t;
inline constexpr Points kPointsScale = 1000;
inline double to_double(Points p) { return static_cast<double>(p) / kPointsScale; }

struct Breakdown {
  std::array<Points, kTermCount> term{};
  Points total() const {
    Points t = 0;
    for (Points p : term) t += p;
    return t;
  }
  Points operator[](Term t) const { return term[static_cast<int>(t)]; }
};

// ---------------------------------------------------------------------------------------------
// Queues.
struct ServiceLevelTarget {
  Duration threshold = std::chrono::seconds(20);  // answered within this...
  double fraction = 0.8;                          // ...for this share of contacts
};

// One step of target expansion, measured from the time the interaction entered the queue.
// Steps apply cumulatively: after `after`, minimum levels drop by `lower_levels_by` (never
// below 1) and, if `skills_optional`, required skills stop being required (they still earn
// skill-fit points).
// A conditional step (Genesys's conditional group routing) applies only once `after` has
// passed AND its queue is in trouble: its EWT for a new arrival is longer than `when_ewt_over`,
// or its service level over the stats window is below `when_sl_under` (either, when both are
// set). Until then the interaction stays at this step, checked again every
// kConditionRecheck; later steps wait behind it. Once applied a step stays applied.
struct ExpansionStep {
  Duration after{};
  int lower_levels_by = 0;
  bool skills_optional = false;
  std::optional<Duration> when_ewt_over;  // > 0
  std::optional<double> when_sl_under;    // 0 < x ≤ 1
  bool conditional() const { return when_ewt_over.has_value() || when_sl_under.has_value(); }
};
// How often an interaction held at a conditional step checks its queue's condition again, and
// how often queues with reserve_agents_when look at theirs.
inline constexpr Duration kConditionRecheck = std::chrono::seconds(1);

// When a queue counts as at risk of missing its target: the wait estimated for a new arrival
// over `ewt_over`, or its window's service level under `sl_under` (once the window holds an
// answer or abandon). Neither set: never.
struct RiskCondition {
  std::optional<Duration> ewt_over;  // > 0
  std::optional<double> sl_under;    // 0 < x ≤ 1
  bool set() const { return ewt_over.has_value() || sl_under.has_value(); }
};

using ChannelSet = std::bitset<kChannelCount>;

// What a new arrival meets when its queue cannot take it as it is (issue 19; docs/routing.md,
// "Arrival rules" and "Opening hours"): wait as any other, go at once to the queue's
// overflow_queue, or be refused at once with a status naming the rule. kCallback (a closed
// queue's when_closed only): a call is taken as a callback work item in the queue's
// callback_queue, due to be called back when the queue opens.
enum class ArrivalAction : uint8_t { kWait, kOverflow, kRefuse, kCallback };
std::string_view to_string(ArrivalAction a);

// A queue's opening hours, as the engine asks about them: whether the queue is open at a
// wall-clock instant, and when it next opens. The host implements it (a weekly schedule and
// holidays in an IANA time zone: adapters/config/opening_hours.h); the engine maps its timeline
// to wall-clock time by RouterConfig::wall_at_zero and reads no clock or time zone itself.
// Implementations are immutable and answer the same for the same instant.
class OpeningHours {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  virtual ~OpeningHours() = default;
  virtual bool open_at(WallTime t) const = 0;
  // The first instant ≥ t at which it is open (t itself when open); none within a year.
  virtual std::optional<WallTime> next_open(WallTime t) const = 0;
  // A short text for errors and logs: the next opening in the queue's own time zone, e.g.
  // "opens Mon 2026-12-07 08:00 Europe/Berlin", or "no opening within a year".
  virtual std::string describe_next_open(WallTime t) const = 0;
};

struct QueueConfig {
  std::string name;  // unique
  ChannelSet channels = ChannelSet().set();
  std::vector<SkillRequirement> required_skills;
  bool language_required = false;  // hard language match instead of a language bonus
  int priority = 0;                // added to every interaction's priority (0..100)
  ServiceLevelTarget service_level;
  Duration offer_timeout = std::chrono::seconds(20);
  Duration wrap_up = std::chrono::seconds(30);
  std::optional<Duration> max_wait;        // past it: EXPIRED (counted from entering the queue)
  std::vector<ExpansionStep> expansion;    // sorted by `after`, at most kMaxExpansionSteps
  std::optional<Duration> overflow_after;  // K s after entering: move to overflow_queue
  QueueId overflow_queue;
  WeightOverrides weights;  // terms not set here use the router's default weights
  Duration short_abandon = std::chrono::seconds(5);  // abandons sooner are not held against SL
  Duration default_handle_time = std::chrono::seconds(180);  // EWT before AHT is measured
  // Headroom: while this holds (looked at every kConditionRecheck), the agents who meet this
  // queue's requirements as configured take no new work of channels it does not take (a phone
  // queue at risk keeps its blended agents off new email and chat).
  RiskCondition reserve_agents_when;
  // When nobody who can serve this queue (at any expansion step) is logged in: kWait (the
  // default), kOverflow or kRefuse (kFailedPrecondition).
  ArrivalAction when_no_agents = ArrivalAction::kWait;
  // Its own waiting cap, at most Limits::max_waiting_per_queue (absent: that limit), and what an
  // arrival meets there: kRefuse (the default, kResourceExhausted) or kOverflow.
  std::optional<size_t> max_waiting;
  ArrivalAction when_full = ArrivalAction::kRefuse;
  // Opening hours (absent: always open) and what an arrival meets while closed: kRefuse (the
  // default, kFailedPrecondition naming the next opening), kWait, kOverflow, or kCallback (a call
  // with a number to call back becomes a callback work item in callback_queue, not before the
  // next opening; other channels wait). Work already waiting stays when the queue closes.
  std::shared_ptr<const OpeningHours> hours;
  ArrivalAction when_closed = ArrivalAction::kRefuse;
  QueueId callback_queue;  // with kCallback: a queue taking work items
  // Preferred-agent hold (Genesys's preferred agent; docs/routing.md, "Preferred-agent hold"):
  // an interaction whose preferred or last agent is logged in waits up to this long after
  // entering the queue for one of them (ready or not), then goes to anyone. Absent: no hold
  // (affinity is a points bonus among the agents free at the moment). At most 1 h.
  std::optional<Duration> hold_for_agent;
  // Reverse bullseye (issue 19, row 4; docs/routing.md, "Idle agents added to a queue"): agents
  // READY and holding nothing (no work, no offer) whose idle time has reached this become
  // eligible for the queue's interactions without its skills; its channels, the agent's capacity,
  // language_required and exclusions still apply, and their skill fit counts as it is (a skill
  // they lack as level 0). Absent: never; else > 0.
  std::optional<Duration> add_idle_agents_after;
  // Multi-offer (TaskRouter's multiple reservations, Asterisk's ringall; docs/routing.md,
  // "Multi-offer"): decision 1 offers a new or requeued interaction to up to this many eligible
  // agents at once, the best by points first; the first accept wins and the other offers are
  // withdrawn (OfferEndedEvent, kTakenByOther); a reject, a logout or a not-ready ends that
  // agent's offer only; the offers share one timeout. kOfferToAll: every eligible agent (ring-all).
  // Decision 2 (an agent freed) and a preferred-agent hold offer to one agent. 1: one at a time.
  int offer_to = 1;
  // Whether anything sends its work to overflow_queue (which must then be another queue).
  bool overflows() const {
    return overflow_after.has_value() || when_no_agents == ArrivalAction::kOverflow ||
           when_full == ArrivalAction::kOverflow ||
           (hours && when_closed == ArrivalAction::kOverflow);
  }
};
inline constexpr int kMaxExpansionSteps = 8;
inline constexpr Duration kMaxAgentHold = std::chrono::hours(1);
inline constexpr int kOfferToAll = std::numeric_limits<int>::max();

// ---------------------------------------------------------------------------------------------
// Interactions.
struct CustomerProfile {
  std::string customer_id;  // empty: anonymous
  Segment segment = Segment::kOrdinary;
  double lifetime_value = 0.0;  // current + potential value, ≥ 0
  AgentId preferred_agent;      // may be invalid
  AgentId last_agent;           // may be invalid
};

// How far from now a work item's due and not_before may be.
inline constexpr Duration kMaxWorkItemHorizon = std::chrono::hours(24 * 400);

struct InteractionSpec {
  InteractionId id;  // chosen by the host, unique among live interactions
  QueueId queue;
  Channel channel = Channel::kPhone;
  CustomerProfile customer;
  std::string language;                        // e.g. "en"; empty: any
  int priority = 0;                            // 0..100, higher first
  std::vector<SkillRequirement> extra_skills;  // on top of the queue's (entry-point rules)
  std::vector<std::pair<std::string, std::string>> attributes;
  std::optional<TimePoint> arrival;  // original arrival (recovery); absent: now
  // Recovery: agents who already rejected, missed or transferred it away (never offered it
  // again). Unknown ids are dropped; at most Limits::max_agents.
  std::vector<AgentId> excluded;
  // Work items only (channel kWorkItem; docs/routing.md, "Work items"):
  // done by this time; its queue's service level counts the items done (completed) by it, and
  // its points count the time left to it against the queue's SL threshold. Absent: its
  // arrival (or not_before) + that threshold.
  std::optional<TimePoint> due;
  // Not routed before this time (a scheduled callback, a follow-up): SCHEDULED until then.
  std::optional<TimePoint> not_before;
  // The host holds a number to call back (a phone's ANI, a web callback's number): a closed
  // queue whose when_closed is kCallback may take it as a callback work item.
  bool callback_number = false;
  // Recovery: journaled (acknowledged) before a restart, so it is taken back even past
  // Limits::max_interactions and max_waiting_per_queue (a journal that missed some finishes can
  // hold more than the limit); new submits are refused until the count is below it again.
  bool recovered = false;
};

// ---------------------------------------------------------------------------------------------
// Router-wide configuration. Every collection has a limit; past it is a clear rejection.
struct Limits {
  size_t max_interactions = 2'000'000;  // live (not finished) interactions
  size_t max_waiting_per_queue = 1'000'000;
  size_t max_agents = 100'000;
  size_t max_queues = 10'000;
  size_t max_skills = 10'000;
  size_t max_attributes = 32;
  size_t max_string_length = 256;  // names, languages, attribute keys and values
  size_t max_skills_per_agent = 64;
  size_t max_extra_skills = 8;
  int max_overflow_hops = 4;  // then the interaction stays where it is
};

struct RouterConfig {
  Blending blending;
  Weights default_weights;
  PointsRules rules;
  Limits limits;
  Duration stats_window = std::chrono::minutes(30);  // sliding window for SL, ASA, AHT
  int stats_buckets = 30;                            // window resolution
  // The wall-clock instant of the timeline's zero (TimePoint{}): how opening hours read the
  // engine's times. routerd: its start; routersim: the simulated day's start.
  std::chrono::system_clock::time_point wall_at_zero{};
};

// ---------------------------------------------------------------------------------------------
// A whole contact center as plain data: what a Router is built from (skills, queues and agents
// added in this order, so ids are positions: SkillId(i) is skills[i], QueueId(i) queues[i]).
// The configuration loader produces it; adapters that resolve names against the center (entry
// points) read it. Values only.
struct CenterModel {
  RouterConfig router;
  std::vector<std::string> skills;
  std::vector<QueueConfig> queues;
  std::vector<AgentProfile> agents;
};

// How a customer whose record names no segment is segmented from its values (ARCHITECTURE.md:
// strategic = high potential, profitable = high current value, risk = costs more than it
// brings). Checked in this order; the first that holds wins, else ordinary.
struct SegmentThresholds {
  double strategic_potential_min = 50'000.0;  // potential_value ≥ this: strategic
  double profitable_current_min = 10'000.0;   // current_value ≥ this: profitable
  double risk_current_below = 0.0;            // current_value < this: risk
};

inline Segment derive_segment(double current_value, double potential_value,
                              const SegmentThresholds& thresholds) {
  if (potential_value >= thresholds.strategic_potential_min) return Segment::kStrategic;
  if (current_value >= thresholds.profitable_current_min) return Segment::kProfitable;
  if (current_value < thresholds.risk_current_below) return Segment::kRisk;
  return Segment::kOrdinary;
}

}  // namespace router::engine
