// What the Router reports. Commands change state and append events; the host drains them after
// the command returns (in order) and turns them into stream messages, journal writes, metrics.
#pragma once

#include <string>
#include <variant>

#include "engine/model.h"
#include "engine/types.h"

namespace router::engine {

// Why an offered or assigned interaction went back to waiting.
enum class RequeueReason : uint8_t {
  kRejected,        // the agent declined the offer
  kOfferTimeout,    // the agent did not answer in the queue's offer timeout
  kAgentLoggedOut,  // the agent logged out (or was logged out) holding it
  kAgentNotReady,   // the agent went NOT_READY with the offer pending
  kTransferred,     // the agent transferred it to a queue or another agent
  kOfferWithdrawn,  // a supervisor moved it to another queue while offered
  kTakenByOther,    // multi-offer: another agent accepted it first (OfferEndedEvent only)
};
std::string_view to_string(RequeueReason r);

struct QueuedEvent {
  InteractionId interaction;
  QueueId queue;
  int position = 0;        // 1-based among interactions of equal or higher priority
  bool recovered = false;  // put back by a recovery (restart, takeover): not a new arrival
  // Submitted to this queue, which sent it on at once (its when_full or when_no_agents is
  // overflow): `queue` is where it waits. Invalid: it arrived where it was submitted.
  QueueId redirected_from;
};
// A work item submitted with a later not_before: SCHEDULED, it enters its queue at `at`
// (a QueuedEvent then).
struct ScheduledEvent {
  InteractionId interaction;
  QueueId queue;
  TimePoint at;
  // A call taken as a callback work item because this queue was closed (its when_closed is
  // kCallback); invalid for a work item submitted with a later not_before.
  QueueId closed_queue;
};
struct OfferedEvent {
  InteractionId interaction;
  AgentId agent;
  QueueId queue;
  TimePoint expires;
  Breakdown points;
};
// Multi-offer (QueueConfig::offer_to): one agent's offer of an interaction ended while it stays
// offered to others, or because another agent accepted it (kTakenByOther). The offer that ends
// last, when nobody accepted, is a RequeuedEvent instead.
struct OfferEndedEvent {
  InteractionId interaction;
  AgentId agent;
  QueueId queue;
  RequeueReason reason;
};
struct AssignedEvent {
  InteractionId interaction;
  AgentId agent;
  QueueId queue;
  Duration waited{};           // from arrival to this accept
  bool within_target = false;  // waited ≤ the queue's service-level threshold
};
struct RequeuedEvent {
  InteractionId interaction;
  AgentId agent;  // the agent it left
  QueueId queue;
  RequeueReason reason;
};
struct AbandonedEvent {
  InteractionId interaction;
  QueueId queue;
  Duration waited;
  bool short_abandon = false;  // sooner than the queue's short_abandon: not held against SL
  bool before_queued = false;  // a SCHEDULED work item cancelled before its time: never queued
};
struct ExpiredEvent {
  InteractionId interaction;
  QueueId queue;
  Duration waited;
};
struct OverflowedEvent {
  InteractionId interaction;
  QueueId from;
  QueueId to;
};
struct ExpandedEvent {  // a target-expansion step took effect for this interaction
  InteractionId interaction;
  QueueId queue;
  int stage = 0;  // number of steps now applied
};
struct MovedEvent {  // supervisor move or transfer to a queue
  InteractionId interaction;
  QueueId from;
  QueueId to;
};
struct TransferredToAgentEvent {
  InteractionId interaction;
  AgentId from;
  AgentId to;
};
struct PriorityChangedEvent {
  InteractionId interaction;
  int priority = 0;
};
struct WrapUpStartedEvent {
  InteractionId interaction;
  AgentId agent;
  TimePoint ends;
  std::string wrap_up_code;
};
struct CompletedEvent {
  InteractionId interaction;
  AgentId agent;
  QueueId queue;
  std::string customer_id;  // for the last-agent write-back
  Duration handled{};       // from the accept (or its recovery) to now, wrap-up included
};
// Also NOT_READY to NOT_READY when only the reason changed.
struct AgentStateChangedEvent {
  AgentId agent;
  AgentState from;
  AgentState to;
  std::string reason;  // NOT_READY reason ("missed", "break", ...) or empty
};

// A queue's reserve_agents_when began or stopped holding: its agents' headroom changed.
struct HeadroomChangedEvent {
  QueueId queue;
  bool at_risk = false;
};

using EventBody =
    std::variant<QueuedEvent, OfferedEvent, AssignedEvent, RequeuedEvent, AbandonedEvent,
                 ExpiredEvent, OverflowedEvent, ExpandedEvent, MovedEvent, TransferredToAgentEvent,
                 PriorityChangedEvent, WrapUpStartedEvent, CompletedEvent, AgentStateChangedEvent,
                 HeadroomChangedEvent, ScheduledEvent, OfferEndedEvent>;

struct Event {
  TimePoint at;
  EventBody body;
};

// "@<ms> offered 17 to a3 {skill_fit=4000,...}": for logs and test messages.
std::string describe(const Event& e);

}  // namespace router::engine
