// Names of the engine's enumerations and the lifecycle tables of ARCHITECTURE.md.
#include "engine/types.h"

#include <algorithm>

#include "engine/events.h"
#include "engine/model.h"
#include "engine/router.h"

namespace router::engine {

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::kPhone: return "phone";
    case Channel::kEmail: return "email";
    case Channel::kWebChat: return "web_chat";
    case Channel::kWebCallback: return "web_callback";
    case Channel::kWorkItem: return "work_item";
  }
  return "?";
}

std::string_view to_string(Segment s) {
  switch (s) {
    case Segment::kStrategic: return "strategic";
    case Segment::kProfitable: return "profitable";
    case Segment::kOrdinary: return "ordinary";
    case Segment::kRisk: return "risk";
  }
  return "?";
}

std::optional<Segment> parse_segment(std::string_view s) {
  const auto same = [s](std::string_view name) {
    if (s.size() != name.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
      if (c != name[i]) return false;
    }
    return true;
  };
  for (const Segment segment :
       {Segment::kStrategic, Segment::kProfitable, Segment::kOrdinary, Segment::kRisk}) {
    if (same(to_string(segment))) return segment;
  }
  return std::nullopt;
}

std::string_view to_string(ArrivalAction a) {
  switch (a) {
    case ArrivalAction::kWait: return "wait";
    case ArrivalAction::kOverflow: return "overflow";
    case ArrivalAction::kRefuse: return "refuse";
    case ArrivalAction::kCallback: return "callback";
  }
  return "?";
}

std::string_view to_string(InteractionState s) {
  switch (s) {
    case InteractionState::kReceived: return "RECEIVED";
    case InteractionState::kQueued: return "QUEUED";
    case InteractionState::kOffered: return "OFFERED";
    case InteractionState::kAssigned: return "ASSIGNED";
    case InteractionState::kWrapUp: return "WRAP_UP";
    case InteractionState::kCompleted: return "COMPLETED";
    case InteractionState::kAbandoned: return "ABANDONED";
    case InteractionState::kExpired: return "EXPIRED";
    case InteractionState::kScheduled: return "SCHEDULED";
  }
  return "?";
}

bool is_legal_transition(InteractionState from, InteractionState to) {
  using S = InteractionState;
  switch (from) {
    case S::kReceived: return to == S::kQueued || to == S::kScheduled;
    // SCHEDULED -> QUEUED at its time; -> ABANDONED when cancelled before.
    case S::kScheduled: return to == S::kQueued || to == S::kAbandoned;
    // QUEUED -> QUEUED: moved, overflowed, expanded or re-prioritised while waiting.
    case S::kQueued:
      return to == S::kQueued || to == S::kOffered || to == S::kAbandoned || to == S::kExpired;
    case S::kOffered: return to == S::kQueued || to == S::kAssigned || to == S::kAbandoned;
    // ASSIGNED -> QUEUED: transfer, or the agent was logged out holding it.
    case S::kAssigned: return to == S::kWrapUp || to == S::kQueued;
    case S::kWrapUp: return to == S::kCompleted;
    case S::kCompleted:
    case S::kAbandoned:
    case S::kExpired: return false;
  }
  return false;
}

std::string_view to_string(AgentState s) {
  switch (s) {
    case AgentState::kLoggedOut: return "LOGGED_OUT";
    case AgentState::kNotReady: return "NOT_READY";
    case AgentState::kReady: return "READY";
    case AgentState::kReserved: return "RESERVED";
    case AgentState::kBusy: return "BUSY";
    case AgentState::kWrapUp: return "WRAP_UP";
  }
  return "?";
}

bool is_legal_transition(AgentState from, AgentState to) {
  using A = AgentState;
  if (from == to) return false;
  if (to == A::kLoggedOut) return from != A::kLoggedOut;
  switch (from) {
    case A::kLoggedOut: return to == A::kNotReady || to == A::kReady;
    case A::kNotReady: return to == A::kReady;
    case A::kReady: return to == A::kNotReady || to == A::kReserved;
    // An offer is answered (BUSY), declined or withdrawn (back to what the agent was doing),
    // or missed (NOT_READY).
    case A::kReserved:
      return to == A::kBusy || to == A::kReady || to == A::kNotReady || to == A::kWrapUp;
    // Work ends in wrap-up, or leaves by transfer; a multi-channel agent may get another offer.
    case A::kBusy:
      return to == A::kWrapUp || to == A::kReady || to == A::kNotReady || to == A::kReserved;
    case A::kWrapUp:
      return to == A::kReady || to == A::kNotReady || to == A::kReserved || to == A::kBusy;
  }
  return false;
}

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kAlreadyExists: return "ALREADY_EXISTS";
    case ErrorCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case ErrorCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
  }
  return "?";
}

std::string_view to_string(Term t) {
  switch (t) {
    case Term::kSkillFit: return "skill_fit";
    case Term::kCustomerValue: return "customer_value";
    case Term::kPriority: return "priority";
    case Term::kWait: return "wait";
    case Term::kServiceLevel: return "service_level_pressure";
    case Term::kIdle: return "agent_idle";
    case Term::kAffinity: return "affinity";
    case Term::kLanguage: return "language";
    case Term::kLoad: return "agent_load";
    case Term::kHandled: return "agent_handled";
    case Term::kRandom: return "random";
    case Term::kUrgency: return "urgency";
    case Term::kRoundRobin: return "round_robin";
  }
  return "?";
}

std::string_view to_string(RequeueReason r) {
  switch (r) {
    case RequeueReason::kRejected: return "rejected";
    case RequeueReason::kOfferTimeout: return "offer_timeout";
    case RequeueReason::kAgentLoggedOut: return "agent_logged_out";
    case RequeueReason::kAgentNotReady: return "agent_not_ready";
    case RequeueReason::kTransferred: return "transferred";
    case RequeueReason::kOfferWithdrawn: return "offer_withdrawn";
    case RequeueReason::kTakenByOther: return "taken_by_other_agent";
  }
  return "?";
}

std::string_view to_string(Ineligibility r) {
  switch (r) {
    case Ineligibility::kLoggedOut: return "logged_out";
    case Ineligibility::kNotReady: return "not_ready";
    case Ineligibility::kOfferPending: return "offer_pending";
    case Ineligibility::kChannel: return "no_capacity";
    case Ineligibility::kMissingSkill: return "missing_skill";
    case Ineligibility::kSkillBelowLevel: return "skill_below_level";
    case Ineligibility::kLanguage: return "language";
    case Ineligibility::kAlreadyRejected: return "already_rejected";
    case Ineligibility::kNotTargeted: return "transferred_to_another_agent";
    case Ineligibility::kHeldForAgent: return "held_for_preferred_agent";
  }
  return "?";
}

std::string quote(std::string_view s, size_t max_chars) {
  std::string out = "\"";
  const size_t n = std::min(s.size(), max_chars);
  for (size_t i = 0; i < n; ++i) {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  if (s.size() > max_chars) out += "...";
  return out + "\"";
}

}  // namespace router::engine
