// The Router: the one owner of all routing state (queues, agents, offers, statistics).
// Commands go in with the host's `now`; state changes come out as events, queued during a
// command and drained by the host after it. Timers are due-times: the host asks
// next_deadline() and calls advance(now) when it passes. Every command first advances to its
// `now`, so a command never sees an overdue timer. Time never goes backwards: an earlier `now`
// is treated as the latest one seen.
//
// Invariant after every command: no waiting interaction has an available eligible agent (the
// "matched" state), every live interaction is in exactly one place (one queue class, one
// personal queue, or held by one agent), and no agent holds more than its capacity.
//
// Not thread-safe: one thread (the daemon's engine strand, the simulator's loop) owns it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/events.h"
#include "engine/model.h"
#include "engine/types.h"

namespace router::engine {

// How decisions find candidates. kIndexed is the product; kNaiveScan walks every agent or
// every waiting interaction and must choose exactly the same (used as the reference by the
// randomized test and the benchmark).
enum class MatchMode : uint8_t { kIndexed, kNaiveScan };

// A waiting interaction's place and estimated wait, computed when asked (docs/routing.md,
// "Estimated wait"). The interactions ahead are served as the queue's staffed agents free up:
// with exponential handle times of mean AHT, the k-th of `staffed` busy agents frees up after
// an Erlang(k, staffed ÷ AHT) time, so the mean is k × AHT ÷ staffed (the EWT routerd always
// gave), and the range is two of that distribution's quantiles: the queue's calibrated tails,
// which start at the 9th and 91st percentiles and move, as the queue learns how its ranges
// fared, until each side misses about 9% of waits.
struct WaitEstimate {
  int position = 0;  // 1-based: waiting with higher priority, or equal and earlier arrival, + 1
  Duration ewt{};    // mean
  Duration low{};    // the calibrated lower quantile (9th percentile before any learning)
  Duration high{};   // the calibrated upper quantile (91st percentile before any learning)
};

struct SubmitResult {
  QueueId queue;
  int position = 0;  // 1-based among waiting interactions of equal or higher priority; 0: offered
  Duration ewt{};    // estimated wait for that position
  // Taken as a callback work item (a closed queue's when_closed is kCallback): SCHEDULED in
  // `queue`, to be called back from this time (docs/routing.md, "Opening hours").
  std::optional<TimePoint> callback_at;
};

// Why an agent cannot take an interaction (explain()).
enum class Ineligibility : uint8_t {
  kLoggedOut,
  kNotReady,
  kOfferPending,     // already has an offer waiting for an answer
  kChannel,          // no free capacity on the interaction's channel (or a call blocks it)
  kMissingSkill,     // lacks a required skill
  kSkillBelowLevel,  // has it below the (relaxed) minimum
  kLanguage,         // does not speak the required language
  kAlreadyRejected,  // rejected, missed or transferred away this interaction before
  kNotTargeted,      // the interaction was transferred to a named agent
  kHeldForAgent,     // it waits for its preferred or last agent (QueueConfig::hold_for_agent)
};
std::string_view to_string(Ineligibility r);

struct RankedAgent {
  AgentId agent;
  Breakdown points;
};

struct IneligibleAgent {
  AgentId agent;
  Ineligibility reason;
  std::string detail;  // human-readable: "missing skill billing", "skill billing 3 below 5"
};

struct Explanation {
  InteractionId interaction;
  QueueId queue;
  InteractionState state;
  int stage = 0;  // expansion steps applied
  // Preferred-agent hold: while it waits for its preferred or last agent (QueueConfig::
  // hold_for_agent), until when; everyone else is ineligible (Ineligibility::kHeldForAgent).
  std::optional<TimePoint> held_until;
  std::vector<SkillRequirement> effective_skills;  // required now (after expansion)
  std::vector<RankedAgent> eligible;               // best first, ties as the router breaks them
  std::vector<IneligibleAgent> ineligible;         // logged-in agents only
};

struct QueueStats {
  QueueId queue;
  std::string name;
  int waiting = 0;
  int offered_now = 0;  // interactions of this queue currently offered to an agent
  Duration longest_wait{};
  Duration ewt_new{};  // for a new arrival at the back
  // Over the sliding window (RouterConfig::stats_window):
  double service_level = 1.0;  // answered within threshold / (answered + abandoned after short)
  ServiceLevelTarget target;   // the queue's configured target
  Duration asa{};              // average speed of answer
  Duration aht{};              // average handle time (accept to end of wrap-up)
  double abandon_rate = 0.0;   // abandoned after short / (answered + abandoned after short)
  int window_answered = 0;
  int window_abandoned = 0;
  int window_short_abandoned = 0;
  // Since the queue was created:
  uint64_t arrived = 0;    // submitted here, moved/transferred/overflowed in
  uint64_t answered = 0;   // accepted by an agent
  uint64_t abandoned = 0;  // cancelled while waiting or offered
  uint64_t expired = 0;
  uint64_t left = 0;  // overflowed, moved or transferred out while waiting
  uint64_t completed = 0;
  std::array<int, kAgentStateCount> agents_by_state{};  // agents who can serve this queue
  // Its opening hours now (always open without hours); closed: when it next opens.
  bool open = true;
  std::string next_open;  // OpeningHours::describe_next_open, when closed
};

struct AgentSnapshot {
  AgentId agent;
  std::string name;
  std::string team;
  AgentState state = AgentState::kLoggedOut;
  std::string not_ready_reason;
  TimePoint state_since;
  Duration time_in_state{};  // as of the `now` asked for
  std::vector<SkillLevel> skills;
  std::vector<InteractionId> work;  // offered, assigned and in wrap-up
  uint64_t handled = 0;             // interactions completed since the agent was added
};

struct InteractionSnapshot {
  InteractionId id;
  QueueId queue;
  Channel channel;
  InteractionState state;
  int priority = 0;
  int stage = 0;
  TimePoint arrival;    // original arrival; ordering key
  TimePoint queued_at;  // entered the current queue; expansion steps count from here
  AgentId agent;        // offered to (the best of its offers) / assigned to, if any
  // OFFERED: every agent it is offered to, best first (several with QueueConfig::offer_to).
  std::vector<AgentId> offers;
  AgentId target_agent;  // transferred to this agent, if any
  CustomerProfile customer;
  std::string language;
  std::vector<AgentId> excluded;        // rejected, missed or transferred it away
  std::optional<TimePoint> due;         // work items: done by then
  std::optional<TimePoint> not_before;  // work items: SCHEDULED until then
};

enum class LogoutMode : uint8_t {
  kGraceful,  // refused while the agent holds assigned work
  kForced,    // stream lost / supervisor: held work goes back to its queue
};

class Router {
 public:
  // The one way to make a Router. Checks `config` (default weights finite and ≥ 0, a positive
  // stats window and bucket count) and returns kInvalidArgument naming the field otherwise.
  static Result<std::unique_ptr<Router>> create(RouterConfig config = {},
                                                MatchMode mode = MatchMode::kIndexed);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // --- Model (configuration). Validation errors name the field.
  Result<SkillId> add_skill(std::string_view name);
  Result<QueueId> add_queue(QueueConfig config);
  // Replaces a queue's configuration; waiting interactions stay, re-evaluated at once.
  Status update_queue(QueueId queue, QueueConfig config, TimePoint now);
  Result<AgentId> add_agent(AgentProfile profile);
  std::optional<SkillId> find_skill(std::string_view name) const;
  std::optional<QueueId> find_queue(std::string_view name) const;
  std::optional<AgentId> find_agent(std::string_view name) const;
  std::string_view skill_name(SkillId skill) const;
  // The agent's name, without building a snapshot; empty for an unknown id.
  std::string_view agent_name(AgentId agent) const;
  size_t queue_count() const;
  size_t agent_count() const;

  // --- Interaction commands.
  Result<SubmitResult> submit(const InteractionSpec& spec, TimePoint now);
  // Recovery after a restart or a takeover: the interaction another process had assigned to
  // `agent` is put straight back in that agent's hands, ASSIGNED or WRAP_UP (`state`), with no
  // offer and no decision, since the conversation is already with that agent. Counted as arrived
  // in its queue (as a recovered waiting one is), not as answered again; its handle time counts
  // from `now`; a WRAP_UP one gets
  // its queue's whole wrap-up time from `now`. No event but the agent's state change.
  // REQUIRES: `agent` logged in, with free capacity for the channel (readiness and a pending offer
  // do not matter), else kFailedPrecondition (the caller queues it instead). `spec` is checked
  // as submit() checks it.
  Status restore_held(const InteractionSpec& spec, AgentId agent, InteractionState state,
                      TimePoint now);
  // Caller hung up / web visitor left. REQUIRES: QUEUED or OFFERED.
  Status cancel(InteractionId id, TimePoint now);
  Status set_priority(InteractionId id, int priority, TimePoint now);
  // Supervisor move to another queue; keeps the original arrival time.
  Status move(InteractionId id, QueueId to, TimePoint now);

  // --- Agent commands.
  // Login leaves the agent NOT_READY("login") unless `ready`.
  Status login(AgentId agent, bool ready, TimePoint now);
  Status logout(AgentId agent, LogoutMode mode, TimePoint now);
  Status set_ready(AgentId agent, TimePoint now);
  Status set_not_ready(AgentId agent, std::string_view reason, TimePoint now);
  Status accept(AgentId agent, InteractionId id, TimePoint now);
  Status reject(AgentId agent, InteractionId id, TimePoint now);
  // Ends the conversation; the interaction enters wrap-up (the queue's wrap-up time).
  Status complete(AgentId agent, InteractionId id, std::string_view wrap_up_code, TimePoint now);
  Status end_wrap_up(AgentId agent, InteractionId id, TimePoint now);
  Status transfer_to_queue(AgentId agent, InteractionId id, QueueId to, TimePoint now);
  Status transfer_to_agent(AgentId agent, InteractionId id, AgentId to, TimePoint now);
  // Takes effect on the agent's next decision (pending offers are unaffected).
  Status update_agent_skills(AgentId agent, std::vector<SkillLevel> skills, TimePoint now);
  // Replaces the agent's queue order (AgentProfile::queue_order; kNotFound naming
  // queue_order[i] for an unknown queue, kInvalidArgument for one listed twice). Takes effect on
  // its next decision 2 (a pending offer is unaffected).
  Status set_agent_queue_order(AgentId agent, std::vector<QueueId> order, TimePoint now);

  // --- Time.
  // Fires every timer due at or before `now`, in due order.
  void advance(TimePoint now);
  // The earliest pending due-time; may name a timer that turns out to have nothing left to do.
  std::optional<TimePoint> next_deadline() const;
  TimePoint now() const;

  // --- Events. Appended by commands; the host takes them in order.
  const std::vector<Event>& events() const;
  void clear_events();
  // Moves the pending events to the back of `out` and clears them here.
  void drain_events(std::vector<Event>& out);

  // --- Queries (read-only; cost grows with what they report, not used by decisions).
  Result<Explanation> explain(InteractionId id, TimePoint now) const;
  Result<QueueStats> queue_stats(QueueId queue, TimePoint now) const;
  // Estimated wait for the interaction at 1-based `position` in `queue`.
  Result<Duration> ewt(QueueId queue, int position, TimePoint now) const;
  // The same at `position`, with its range (WaitEstimate).
  Result<WaitEstimate> estimate_at(QueueId queue, int position, TimePoint now) const;
  // A waiting interaction's current position and estimate. FAILED_PRECONDITION when it is not
  // waiting; NOT_FOUND when unknown.
  Result<WaitEstimate> wait_estimate(InteractionId id, TimePoint now) const;
  Result<AgentSnapshot> agent(AgentId agent, TimePoint now) const;
  Result<InteractionSnapshot> interaction(InteractionId id) const;
  // Waiting interactions of a queue, best first by their own points (priority, value, wait:
  // the terms that do not depend on the agent), at most `limit`.
  Result<std::vector<InteractionSnapshot>> waiting(QueueId queue, size_t limit) const;
  // Every live interaction id, in no particular order (for the randomized test and recovery).
  std::vector<InteractionId> live_interactions() const;
  size_t live_count() const;

  // --- Invariant audit. O(everything): recounts queues, capacity and the matched state.
  // Returns the first violation found, or ok. For tests and debug builds.
  Status audit(TimePoint now) const;

  MatchMode mode() const;

 private:
  class Impl;  // engine/router_impl.h
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace router::engine
