// The host-metrics port: what the engine host measures as it works, for operators
// (docs/operations.md, "Metrics"). Queue gauges and counters are not here: they are the engine's
// own statistics, read from a snapshot (RoutingHost::queue_stats); this port carries what only
// the host sees happen — durations of each answer, decision and journal write, and refusals.
// routerd's implementation is Prometheus (adapters/metrics); the simulation has none (null).
// Threading: called on the host's executor only; implementations must be cheap (a histogram
// observation) and never block. Errors: none (a metric that cannot be recorded is dropped).
#pragma once

#include <string>

#include "engine/types.h"

namespace router::adapters::ports {

class HostMetrics {
 public:
  virtual ~HostMetrics() = default;
  // An interaction of `queue` was accepted by an agent after waiting `wait` in its queues.
  virtual void answered(const std::string& queue, engine::Duration wait) = 0;
  // An interaction of `queue` was completed `handle` after its agent accepted it.
  virtual void handled(const std::string& queue, engine::Duration handle) = 0;
  // An offer of an interaction of `queue` to an agent (each one: a re-offer counts again).
  virtual void offered(const std::string& queue) = 0;
  // The first offer of an interaction, `after` its submit was received.
  virtual void first_offer(engine::Duration after) = 0;
  // One engine command (a submit, an agent's command, a timer's advance), routing included.
  virtual void decided(engine::Duration took) = 0;
  // A journal append answered (OK or not) `took` after it was sent.
  virtual void journaled(engine::Duration took) = 0;
  // A submit refused, by its gRPC status code name (RESOURCE_EXHAUSTED, UNAVAILABLE, ...).
  virtual void refused(const std::string& code) = 0;
};

}  // namespace router::adapters::ports
