// routerecho: the echo baseline. A bare gRPC server that answers router.v1's InteractionService
// and AgentService with the messages, message sizes and stream events per lifecycle of routerd,
// but with no engine, no Redis, no journal and no auth: routerload's rate against it is what
// gRPC alone can do on the machine with the same RPCs.
//
// Dispatch is a trivial router: one FIFO of waiting interactions. An agent is free when it has an
// open StreamWork, is logged in and not NOT_READY, has no offer outstanding and holds (assigned or
// in wrap-up) fewer than `agent_capacity` interactions. A submit is offered at once to a free
// agent (longest free first, i.e. round robin), else it waits; an agent that frees up (stream
// opens, Login ready, SetState READY, AcceptOffer below capacity, RejectOffer, EndWrapUp, a
// cancelled offer) is offered the oldest waiting one it has not rejected. Offers never time out
// and wrap-up never ends by itself: `expires` is stamped (now + 30 s) but not enforced.
//
// StreamWork is written through routerd's own bounded outbox (adapters/grpc/stream_outbox.h) and
// offers name the engine's points terms (engine::to_string(Term)). Its events per transition are
// routerd's (adapters/host/agents.cc: stream_work; adapters/host/routing_host.cc: publish;
// engine/agents.cc: refresh_agent emits a status on every state change):
//   StreamWork opens        → status (current AgentStatus), then one update per held interaction
//   Login ready / SetState  → status (READY or NOT_READY) when the state changes
//   an offer                → offer (Interaction OFFERED with customer and details, expires,
//                             points, 11 breakdown terms), status RESERVED
//   AcceptOffer             → update ASSIGNED, status BUSY (then an offer, if below capacity)
//   CompleteInteraction     → update WRAP_UP, status AGENT_WRAP_UP
//   EndWrapUp               → update COMPLETED, status READY (then an offer, if work waits)
//   RejectOffer             → update QUEUED, status READY (then an offer of other work)
//   CancelInteraction       → (of an offered one) status READY; nothing for a waiting one
//   Logout (or its stream   → update QUEUED for an offer withdrawn, update COMPLETED per
//   ends: no grace period)     wrap-up finished, status LOGGED_OUT
//   every `heartbeat`       → heartbeat, on every open stream
// As in routerd, events are rendered after the command that caused them: when EndWrapUp leads
// to the next offer at once, its status event already reads RESERVED. Every unary agent call
// answers the agent's AgentStatus after the change.
// The session streams carry the same events: AgentSession and AgentLink wrap each of the events
// above in an AgentSessionResponse naming the agent, and answer each request (AgentAnswer, its
// correlation_id, the unary call's status code and AgentStatus) after the events its command
// caused. An AgentSession is bound to its agent by the first request naming one (no auth here,
// as under routerd's dev_no_auth): that opens the agent's work stream as StreamWork would
// (status, held work, then offers); a request naming another agent is answered
// PERMISSION_DENIED. An AgentLink binds each agent its requests name, on its first request for
// it; every request must name its agent (routerecho keeps carrying an agent on its link after
// a logout; routerd stops). A GatewayStream sends its FlowWindow first
// (gateway_max_in_flight), then answers each submit and cancel (GatewayAnswer) as the unary calls
// would; a watch is answered UNIMPLEMENTED. Bad correlation ids get routerd's answers
// (INVALID_ARGUMENT empty or duplicate, RESOURCE_EXHAUSTED over 128 bytes or past the window);
// the stream stays up. A stream's end logs its agents out at once (no grace period), as
// StreamWork's does.
// Messages are filled like routerd's: queues named like routerload's synthetic center ("q0001",
// one per channel); a customer made up from the arrival's key (id, name, segment, lifetime value,
// language, matched_by) as if Redis had matched it, anonymous for a withheld caller id; details,
// attributes and intent echoed back. Not served (UNIMPLEMENTED): WatchInteractions (and a
// GatewayStream's watch), TransferInteraction (and a session's transfer), SupervisorService,
// AdminService. No request validation beyond the ids.
//
// Threading: start/shutdown from one control thread; the services run on gRPC's callback threads
// and share one state under one mutex; stream writes start only after that mutex is released.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace router::load {

struct EchoOptions {
  std::string listen = "127.0.0.1:0";         // host:port; port 0 picks a free one (see port())
  size_t agent_capacity = 1;                  // interactions an agent holds at once (≥ 1)
  std::chrono::milliseconds heartbeat{5000};  // routerd's daemon.heartbeat_s default
  size_t stream_buffer = 1024;  // StreamWork messages queued behind the write in flight; past
                                // it the stream ends RESOURCE_EXHAUSTED (routerd's default)
  size_t max_message_bytes = 64 * 1024;  // largest request (routerd's daemon.max_message_bytes)
  size_t max_interactions = 2'000'000;   // live ones; past it a submit is RESOURCE_EXHAUSTED
  size_t max_agents = 100'000;           // distinct agent names; past it NOT_FOUND
  size_t finished_remembered = 100'000;  // finished ids kept for replay (routerd's default)
  // A GatewayStream's FlowWindow (routerd's daemon.server_limits.gateway_max_in_flight default).
  uint32_t gateway_max_in_flight = 1024;
};

// What the server has done since start; a consistent snapshot.
struct EchoCounters {
  uint64_t submitted = 0;  // new interactions (replays not counted)
  uint64_t replayed = 0;   // submits answered replayed = true
  uint64_t offered = 0;    // offers sent (a requeued interaction offered again counts again)
  uint64_t accepted = 0;
  uint64_t completed = 0;  // EndWrapUp, or a logout finishing a wrap-up
  uint64_t cancelled = 0;
  uint64_t heartbeats = 0;  // heartbeat events queued, over all streams
  uint64_t live = 0;        // interactions not finished now
  uint64_t waiting = 0;     // of those, in the FIFO now
};

class EchoServer {
 public:
  // Starts listening and serving. Throws std::runtime_error if it cannot bind `listen` or an
  // option is out of range.
  static std::unique_ptr<EchoServer> start(const EchoOptions& options);
  ~EchoServer();  // shutdown(1 s) if still running
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  int port() const;  // the bound TCP port

  // New submits and streams are refused (UNAVAILABLE), open streams end with OK, in-flight calls
  // finish; everything stops within `deadline`. Idempotent.
  void shutdown(std::chrono::milliseconds deadline);

  EchoCounters counters() const;

 private:
  struct State;
  explicit EchoServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace router::load
