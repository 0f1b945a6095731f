// Translation between the engine's plain types and the router.v1 proto messages, and the one
// place engine errors become gRPC status codes. Pure functions; any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "engine/router.h"
#include "router/v1/router.pb.h"

namespace router::adapters::grpc {

// The engine's timeline (milliseconds since the host started) ↔ wall-clock timestamps.
class WallClock {
 public:
  WallClock();
  engine::TimePoint now() const;  // on the engine's timeline
  std::chrono::system_clock::time_point wall(engine::TimePoint t) const;
  // The inverse of wall(), truncated to the engine's resolution: instants that were a whole
  // number of milliseconds apart stay exactly that far apart (recovery keeps their order).
  engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const;
  void stamp(engine::TimePoint t, google::protobuf::Timestamp* out) const;

 private:
  std::chrono::steady_clock::time_point steady_start_;
  std::chrono::system_clock::time_point wall_start_;
};

::grpc::Status to_grpc(const engine::Error& error);
inline ::grpc::Status to_grpc(const engine::Status& status) {
  return status.ok() ? ::grpc::Status::OK : to_grpc(status.error());
}

v1::Channel to_proto(engine::Channel c);
engine::Channel from_proto(v1::Channel c);  // REQUIRES: not CHANNEL_UNSPECIFIED
v1::Segment to_proto(engine::Segment s);
engine::Segment from_proto(v1::Segment s);  // UNSPECIFIED → ordinary
v1::InteractionState to_proto(engine::InteractionState s);
v1::AgentState to_proto(engine::AgentState s);

// Every term of the breakdown, in the engine's order, as points (not thousandths).
void fill_breakdown(const engine::Breakdown& b,
                    google::protobuf::RepeatedPtrField<v1::PointsTerm>* out);

void fill_agent_status(const engine::AgentSnapshot& a, const WallClock& clock,
                       v1::AgentStatus* out);
void fill_queue_stats(const engine::QueueStats& s, v1::QueueStats* out);

}  // namespace router::adapters::grpc
