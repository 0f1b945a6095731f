// The four router.v1 services on gRPC's callback API. Each handler authenticates the caller,
// validates the request (INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the field), then posts the
// work to the RoutingHost's executor and returns at once; the host finishes the call.
// Thread-safe: handlers run on gRPC's threads; the Gate is swapped on reload under its lock.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/grpc/auth.h"
#include "adapters/grpc/status.h"
#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/validate.h"
#include "adapters/host/routing_host.h"
#include "router/v1/router.grpc.pb.h"

namespace router::adapters::grpc {

using host::RoutingHost;
using InteractionOutbox = StreamOutbox<v1::InteractionEvent>;
using WorkOutbox = StreamOutbox<v1::WorkEvent>;
using QueueOutbox = StreamOutbox<v1::GetQueueStatsResponse>;

// What every call checks first: the tokens and the request limits, both from the config.
class Gate {
 public:
  struct Rules {
    std::shared_ptr<const Authenticator> auth;
    RequestLimits limits;
    size_t stream_buffer = 1024;
  };
  explicit Gate(Rules rules) : rules_(std::move(rules)) {}
  Rules get() const {
    std::lock_guard lock(mu_);
    return rules_;
  }
  void set(Rules rules) {
    std::lock_guard lock(mu_);
    rules_ = std::move(rules);
  }

 private:
  mutable std::mutex mu_;
  Rules rules_;
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

// The services borrow `host` and `gate`, which must outlive the gRPC server.
Services make_services(RoutingHost& host, Gate& gate, ReloadFn reload, std::string config_path);

}  // namespace router::adapters::grpc
