// AgentService.AgentSession and AgentService.AgentLink: an agent's requests and work events on one
// bidirectional stream. One reactor serves both; the mode says whether the stream is one desktop's
// (a session, bound to one agent) or a CTI link's (every request names its agent, one of the
// link token's). Each request is checked like its unary twin and answered on the stream, in the
// order the requests came, after the work events its own command caused; a bad request is
// answered with its error and the stream stays up. The stream's end starts the grace period of
// every agent whose work it carried (docs/routerd.md, "Session streams").
// Threading: gRPC calls the reactor; every request runs on the host's executor (one posted
// closure per request, so answers keep request order); the outbox is pushed from the executor.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>

#include "adapters/grpc/auth.h"
#include "adapters/grpc/stream_limits.h"
#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/validate.h"
#include "adapters/host/routing_host.h"
#include "router/v1/router.grpc.pb.h"

namespace router::adapters::grpc {

using AgentOutbox = StreamOutbox<v1::AgentSessionResponse>;
using AgentStreamReactor = ::grpc::ServerBidiReactor<v1::AgentRequest, v1::AgentSessionResponse>;

enum class AgentStreamMode {
  kSession,  // AgentSession: one agent (the AGENT token's; dev_no_auth: the first one named)
  kLink,     // AgentLink: the agents of an AGENT_LINK token, each named in every request
};

// Requests read but not yet answered on one stream. At the bound routerd stops reading the
// stream (HTTP/2 flow control holds the client back) until answers go out.
inline constexpr size_t kAgentStreamMaxInFlight = 64;

// What the service admitted: the caller (authorized for the mode's role), the request limits in
// force when the stream opened, the stream's outbox and its slot (held until the stream is over).
struct AgentStreamSetup {
  AgentStreamMode mode = AgentStreamMode::kSession;
  Caller caller;
  RequestLimits limits;
  std::shared_ptr<AgentOutbox> outbox;
  std::shared_ptr<StreamSlot> slot;
};

// A started stream. `host` must outlive the gRPC server. gRPC owns the reactor (deleted in OnDone).
AgentStreamReactor* start_agent_stream(host::RoutingHost& host, AgentStreamSetup setup);

// A stream refused before it started: it ends at once with `status`.
AgentStreamReactor* refuse_agent_stream(::grpc::Status status);

}  // namespace router::adapters::grpc
