// Engine ⇄ proto translation and the engine-error → status mapping; see translate.h.
#include "adapters/host/translate.h"

#include <algorithm>

namespace router::adapters::host {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

void stamp(const ports::Clock& clock, engine::TimePoint t, google::protobuf::Timestamp* out) {
  const auto ms = duration_cast<milliseconds>(clock.wall(t).time_since_epoch()).count();
  out->set_seconds(ms / 1000);
  out->set_nanos(static_cast<int32_t>((ms % 1000) * 1'000'000));
}

absl::Status to_status(const engine::Error& error) {
  using engine::ErrorCode;
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (error.code) {
    case ErrorCode::kInvalidArgument: code = absl::StatusCode::kInvalidArgument; break;
    case ErrorCode::kNotFound: code = absl::StatusCode::kNotFound; break;
    case ErrorCode::kAlreadyExists: code = absl::StatusCode::kAlreadyExists; break;
    case ErrorCode::kFailedPrecondition: code = absl::StatusCode::kFailedPrecondition; break;
    case ErrorCode::kResourceExhausted: code = absl::StatusCode::kResourceExhausted; break;
  }
  return absl::Status(code, error.message);
}

std::string scoped_id(std::string_view gateway, std::string_view client_id) {
  std::string out;
  out.reserve(gateway.size() + 1 + client_id.size());
  out.append(gateway).append(1, '/').append(client_id);
  return out;
}

std::string_view owner_of(std::string_view scoped) {
  const size_t slash = scoped.find('/');
  return slash == std::string_view::npos ? std::string_view() : scoped.substr(0, slash);
}

void work_item_times(const v1::WorkItemDetails& item, const ports::Clock& clock,
                     engine::InteractionSpec& spec) {
  const engine::TimePoint now = clock.now();
  const int64_t now_ms = duration_cast<milliseconds>(clock.wall(now).time_since_epoch()).count();
  // Relative to now, clamped well past the engine's 400-day limit (which then names the field),
  // so a timestamp in year 9999 does not overflow the clocks.
  constexpr int64_t kClampS = 1'000LL * 24 * 3600;
  const auto engine_time = [&](const google::protobuf::Timestamp& ts) {
    const int64_t ahead_s = std::clamp<int64_t>(ts.seconds() - now_ms / 1000, -kClampS, kClampS);
    return now + milliseconds(ahead_s * 1000 + ts.nanos() / 1'000'000 - now_ms % 1000);
  };
  if (item.has_due()) spec.due = engine_time(item.due());
  if (item.has_not_before()) spec.not_before = engine_time(item.not_before());
}

void stamp_due(const engine::InteractionSnapshot& s, const ports::Clock& clock,
               v1::WorkItemDetails& item) {
  if (s.due && !item.has_due()) stamp(clock, *s.due, item.mutable_due());
}

v1::Channel to_proto(engine::Channel c) {
  switch (c) {
    case engine::Channel::kPhone: return v1::PHONE;
    case engine::Channel::kEmail: return v1::EMAIL;
    case engine::Channel::kWebChat: return v1::WEB_CHAT;
    case engine::Channel::kWebCallback: return v1::WEB_CALLBACK;
    case engine::Channel::kWorkItem: return v1::WORK_ITEM;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

engine::Channel from_proto(v1::Channel c) {
  switch (c) {
    case v1::EMAIL: return engine::Channel::kEmail;
    case v1::WEB_CHAT: return engine::Channel::kWebChat;
    case v1::WEB_CALLBACK: return engine::Channel::kWebCallback;
    case v1::WORK_ITEM: return engine::Channel::kWorkItem;
    default: return engine::Channel::kPhone;
  }
}

v1::Segment to_proto(engine::Segment s) {
  switch (s) {
    case engine::Segment::kStrategic: return v1::STRATEGIC;
    case engine::Segment::kProfitable: return v1::PROFITABLE;
    case engine::Segment::kOrdinary: return v1::ORDINARY;
    case engine::Segment::kRisk: return v1::RISK;
  }
  return v1::SEGMENT_UNSPECIFIED;
}

engine::Segment from_proto(v1::Segment s) {
  switch (s) {
    case v1::STRATEGIC: return engine::Segment::kStrategic;
    case v1::PROFITABLE: return engine::Segment::kProfitable;
    case v1::RISK: return engine::Segment::kRisk;
    default: return engine::Segment::kOrdinary;
  }
}

v1::InteractionState to_proto(engine::InteractionState s) {
  using S = engine::InteractionState;
  switch (s) {
    case S::kReceived: return v1::RECEIVED;
    case S::kQueued: return v1::QUEUED;
    case S::kOffered: return v1::OFFERED;
    case S::kAssigned: return v1::ASSIGNED;
    case S::kWrapUp: return v1::WRAP_UP;
    case S::kCompleted: return v1::COMPLETED;
    case S::kAbandoned: return v1::ABANDONED;
    case S::kExpired: return v1::EXPIRED;
    case S::kScheduled: return v1::SCHEDULED;
  }
  return v1::INTERACTION_STATE_UNSPECIFIED;
}

v1::AgentState to_proto(engine::AgentState s) {
  using S = engine::AgentState;
  switch (s) {
    case S::kLoggedOut: return v1::LOGGED_OUT;
    case S::kNotReady: return v1::NOT_READY;
    case S::kReady: return v1::READY;
    case S::kReserved: return v1::RESERVED;
    case S::kBusy: return v1::BUSY;
    case S::kWrapUp: return v1::AGENT_WRAP_UP;
  }
  return v1::AGENT_STATE_UNSPECIFIED;
}

void fill_breakdown(const engine::Breakdown& b,
                    google::protobuf::RepeatedPtrField<v1::PointsTerm>* out) {
  for (int t = 0; t < engine::kTermCount; ++t) {
    auto* term = out->Add();
    term->set_term(std::string(engine::to_string(static_cast<engine::Term>(t))));
    term->set_points(engine::to_double(b.term[t]));
  }
}

void fill_agent_status(const engine::AgentSnapshot& a, const ports::Clock& clock,
                       v1::AgentStatus* out) {
  out->set_agent(a.name);
  out->set_state(to_proto(a.state));
  out->set_reason(a.not_ready_reason);
  stamp(clock, a.state_since, out->mutable_since());
  out->set_handled(a.handled);
}

void fill_queue_stats(const engine::QueueStats& s, v1::QueueStats* out) {
  out->set_queue(s.name);
  out->set_waiting(s.waiting);
  out->set_offered_now(s.offered_now);
  out->set_longest_wait_s(engine::seconds(s.longest_wait));
  out->set_ewt_new_s(engine::seconds(s.ewt_new));
  out->set_closed(!s.open);
  out->set_next_open(s.next_open);
  out->set_service_level(s.service_level);
  out->set_service_level_target(s.target.fraction);
  out->set_service_level_threshold_s(engine::seconds(s.target.threshold));
  out->set_asa_s(engine::seconds(s.asa));
  out->set_aht_s(engine::seconds(s.aht));
  out->set_abandon_rate(s.abandon_rate);
  out->set_arrived(s.arrived);
  out->set_answered(s.answered);
  out->set_abandoned(s.abandoned);
  out->set_expired(s.expired);
  out->set_completed(s.completed);
  for (int st = 0; st < engine::kAgentStateCount; ++st) {
    if (s.agents_by_state[st] == 0) continue;
    (*out->mutable_agents_by_state())[std::string(v1::AgentState_Name(
        to_proto(static_cast<engine::AgentState>(st))))] = s.agents_by_state[st];
  }
}

}  // namespace router::adapters::host
