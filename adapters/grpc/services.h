// The four router.v1 services on gRPC's callback API. Each handler authenticates the caller,
// validates the request (INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the field), then posts the
// work to the RoutingHost's executor and returns at once; the host finishes the call.
// Thread-safe: handlers run on gRPC's threads; the Gate is swapped on reload under its lock.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/grpc/audit.h"
#include "adapters/grpc/auth.h"
#include "adapters/grpc/status.h"
#include "adapters/grpc/stream_limits.h"
#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/validate.h"
#include "adapters/host/routing_host.h"
#include "router/v1/router.grpc.pb.h"

namespace router::adapters::grpc {

using host::RoutingHost;
using InteractionOutbox = StreamOutbox<v1::InteractionEvent>;
using WorkOutbox = StreamOutbox<v1::WorkEvent>;
using QueueOutbox = StreamOutbox<v1::GetQueueStatsResponse>;

// What every call checks first: whether this routerd is the active one (ActiveGate), the tokens
// and the request limits, both from the config; and for server streams, the stream limits and the
// one byte budget all outboxes share.
class Gate {
 public:
  struct Rules {
    std::shared_ptr<const Authenticator> auth;
    RequestLimits limits;
    size_t stream_buffer = 1024;
    StreamLimits streams;
    OutboxLimits outbox;  // its budget is ignored: the Gate's is shared
    size_t outbox_budget_bytes = 64 << 20;
    uint32_t gateway_max_in_flight = 1024;  // a GatewayStream's window, for streams opened later
  };
  explicit Gate(Rules rules)
      : rules_(std::move(rules)),
        budget_(std::make_shared<OutboxBudget>(rules_.outbox_budget_bytes)) {}
  Rules get() const {
    std::lock_guard lock(mu_);
    return rules_;
  }
  void set(Rules rules) {
    std::lock_guard lock(mu_);
    budget_->set_limit(rules.outbox_budget_bytes);
    rules_ = std::move(rules);
  }
  StreamLimiter& streams() { return streams_; }
  const std::shared_ptr<OutboxBudget>& budget() const { return budget_; }
  // Active or standby: checked before the token by every call (auth.h).
  ActiveGate& active() { return active_; }
  const ActiveGate& active() const { return active_; }

 private:
  ActiveGate active_;
  mutable std::mutex mu_;
  Rules rules_;
  StreamLimiter streams_;
  std::shared_ptr<OutboxBudget> budget_;
};

Gate::Rules gate_rules(const config::RoutingModel& model);

// Reloads the configuration file; `done` gets the outcome (on some thread).
using ReloadFn =
    std::function<void(std::function<void(absl::StatusOr<RoutingHost::ReloadReport>)> done)>;

struct Services {
  std::unique_ptr<v1::InteractionService::CallbackService> interactions;
  std::unique_ptr<v1::AgentService::CallbackService> agents;
  std::unique_ptr<v1::SupervisorService::CallbackService> supervisors;
  std::unique_ptr<v1::AdminService::CallbackService> admin;
};

// The services borrow `host`, `gate` and `auditor`, which must outlive the gRPC server.
Services make_services(RoutingHost& host, Gate& gate, Auditor& auditor, ReloadFn reload,
                       std::string config_path);

// A reload's outcome for the audit trail: `after` ({"changes":N,"warnings":M}) and the detail
// (the changes, "; "-joined, about 2 KB at most).
std::string reload_summary(const RoutingHost::ReloadReport& report);
std::string reload_detail(const RoutingHost::ReloadReport& report);

}  // namespace router::adapters::grpc
