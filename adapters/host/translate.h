// Translation between the engine's plain types and the router.v1 proto messages, and the one
// place engine errors become statuses. Pure functions; any thread.
#pragma once

#include <absl/status/status.h>

#include <chrono>
#include <string>
#include <string_view>

#include "adapters/ports/clock.h"
#include "engine/router.h"
#include "router/v1/router.pb.h"

namespace router::adapters::host {

// The wall-clock timestamp of `t` on the engine's timeline, as clients read it.
void stamp(const ports::Clock& clock, engine::TimePoint t, google::protobuf::Timestamp* out);

// The one place engine errors become statuses (absl codes are gRPC's codes; adapters/grpc maps
// them 1:1). The message, which names the field, is kept as it is.
absl::Status to_status(const engine::Error& error);
inline absl::Status to_status(const engine::Status& status) {
  return status.ok() ? absl::OkStatus() : to_status(status.error());
}

// Interaction ids are scoped by the gateway that submitted them: "<gateway>/<client id>" (a
// gateway identity holds no '/', so the first one separates). owner_of() is the part before it
// ("" without one).
std::string scoped_id(std::string_view gateway, std::string_view client_id);
std::string_view owner_of(std::string_view scoped);

// A work item's due and not_before (wall-clock timestamps) onto the engine's timeline, into
// `spec`; other details: nothing.
void work_item_times(const v1::WorkItemDetails& item, const ports::Clock& clock,
                     engine::InteractionSpec& spec);
// The due time in force (the engine's, set when the request left it unset) into `item`.
void stamp_due(const engine::InteractionSnapshot& s, const ports::Clock& clock,
               v1::WorkItemDetails& item);

v1::Channel to_proto(engine::Channel c);
engine::Channel from_proto(v1::Channel c);  // REQUIRES: not CHANNEL_UNSPECIFIED
v1::Segment to_proto(engine::Segment s);
engine::Segment from_proto(v1::Segment s);  // UNSPECIFIED → ordinary
v1::InteractionState to_proto(engine::InteractionState s);
v1::AgentState to_proto(engine::AgentState s);

// Every term of the breakdown, in the engine's order, as points (not thousandths).
void fill_breakdown(const engine::Breakdown& b,
                    google::protobuf::RepeatedPtrField<v1::PointsTerm>* out);

void fill_agent_status(const engine::AgentSnapshot& a, const ports::Clock& clock,
                       v1::AgentStatus* out);
void fill_queue_stats(const engine::QueueStats& s, v1::QueueStats* out);

}  // namespace router::adapters::host
