// InteractionService.GatewayStream: a gateway's submits, cancels and watch on one bidirectional
// stream. Each request carries a client-chosen correlation_id and is answered once, in the order
// answers become ready; at most `max_in_flight` requests are unanswered at once (the FlowWindow
// sent first), one more is answered RESOURCE_EXHAUSTED without being acted on. A bad request is
// answered with its error and the stream stays up. Same auth, validation, idempotency and gateway
// scope as the unary calls (docs/routerd.md, "GatewayStream").
// Ownership: gRPC owns the reactor (deleted in OnDone); the session state is shared by the
// reactor, the closures posted to the host and the host's done callbacks, so an answer that
// becomes ready after the stream ended is dropped safely.
// Thread-safe: requests arrive on gRPC threads, answers are made on the host's executor.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "adapters/grpc/auth.h"
#include "adapters/grpc/stream_limits.h"
#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/validate.h"
#include "adapters/host/routing_host.h"
#include "router/v1/router.grpc.pb.h"

namespace router::adapters::grpc {

using GatewayOutbox = StreamOutbox<v1::GatewayResponse>;
using GatewayReactor = ::grpc::ServerBidiReactor<v1::GatewayRequest, v1::GatewayResponse>;

// An admitted stream: who it is (already authenticated as GATEWAY), the limits its requests
// are checked against (the Gate's, as the stream opened), and its outbox and stream slot.
struct GatewayStreamSetup {
  host::RoutingHost* host = nullptr;  // outlives the gRPC server
  Caller caller;
  host::GatewayScope scope;
  RequestLimits limits;
  uint32_t max_in_flight = 1024;  // daemon.server_limits.gateway_max_in_flight
  std::shared_ptr<GatewayOutbox> outbox;
  std::shared_ptr<StreamSlot> slot;  // held until the call is over
};

// The reactor of an admitted stream: sends the window, then serves requests until the client
// half-closes (OK once every answer is written), the stream is cut or cancelled, or routerd
// drains (OK once every answer is written; new requests meanwhile answer UNAVAILABLE).
GatewayReactor* open_gateway_stream(GatewayStreamSetup setup);

// A stream refused before it started (auth, stream limits): it ends at once with `status`.
GatewayReactor* refused_gateway_stream(::grpc::Status status);

}  // namespace router::adapters::grpc
