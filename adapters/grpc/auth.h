// Bearer-token authentication and role checks for the four services. A token maps to a role
// (gateway, agent, supervisor, agent link) and, for agents, the one agent it may act for (for an
// agent link, the agents it may act for). Tokens come from
// the routing configuration and are replaced on reload.
// Thread-safe: immutable once built; the Server swaps whole Authenticators under its lock.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/config/routing_config.h"

namespace router::adapters::grpc {

struct Caller {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string agent;  // AGENT: the agent this caller acts for
  std::string name;   // for logs
  // GATEWAY: the identity interaction ids are scoped by (Token.gateway, default the name), and
  // the other gateways whose interactions it may also see (Token.sees_gateways; all: "*").
  std::string gateway;
  std::vector<std::string> sees_gateways;
  bool sees_all_gateways = false;
  bool dev = false;  // auth.dev_no_auth: may do anything (gateway "dev", sees every gateway)
  // AGENT_LINK: the agents it may act for (Token.agents; shared, a link may list thousands), or
  // every agent ("*").
  std::shared_ptr<const std::unordered_set<std::string>> agents;
  bool all_agents = false;
};

class Authenticator {
 public:
  // `domain`: daemon.domain, checked by check_domain() before the token.
  explicit Authenticator(const config::AuthSettings& settings, std::string domain = {});

  // FAILED_PRECONDITION (check_domain) for a call meant for another routing domain;
  // UNAUTHENTICATED without a valid "authorization: Bearer <token>"; PERMISSION_DENIED when the
  // token's role is not `role`. An AGENT_LINK token also passes for role AGENT (the unary
  // AgentService calls, for its agents: require_agent); StreamWork and AgentSession, which are
  // one desktop's, refuse it themselves.
  ::grpc::Status authorize(const ::grpc::CallbackServerContext& context, v1::Role role,
                           Caller& caller) const;

  bool dev_no_auth() const { return dev_no_auth_; }
  size_t token_count() const { return by_token_.size(); }

 private:
  bool dev_no_auth_ = false;
  std::string domain_;
  std::unordered_map<std::string, Caller> by_token_;
};

// Whether this routerd serves calls at all: the check every call passes before its token
// (docs/availability.md, "Active and standby"). Without a lease it is open for good. With one,
// it is closed while routerd is a standby (or deposed), and open only until the end of the
// lease's validity on the steady clock: past it, with no renewal moved it on, every call is
// refused UNAVAILABLE even if no thread has noticed yet (a process resumed after SIGSTOP).
// Thread-safe: admit() is one atomic load on the way in; the rest from any thread.
class ActiveGate {
 public:
  using Clock = std::chrono::steady_clock;

  // Closed: every call is refused UNAVAILABLE with `reason`.
  void close(std::string reason);
  // Open until `until`; past it calls are refused UNAVAILABLE (the lease lapsed).
  void open_until(Clock::time_point until);
  // Moves the end of an open gate to `until` (a renewal); a closed gate stays closed.
  void extend(Clock::time_point until);
  bool open() const;

  // OK, or UNAVAILABLE saying why (standby: who is active; deposed; the lease lapsed).
  ::grpc::Status admit() const;

 private:
  static constexpr int64_t kForever = INT64_MAX;
  static constexpr int64_t kClosed = INT64_MIN;
  std::atomic<int64_t> until_ns_{kForever};  // steady clock nanoseconds, or kForever/kClosed
  mutable std::mutex mu_;
  std::string reason_;  // guarded by mu_; why it is closed
};
// The metadata key a client (or HAProxy in front of several routing domains) names the routing
// domain a call is meant for with (docs/availability.md).
inline constexpr char kDomainMetadata[] = "x-router-domain";

// FAILED_PRECONDITION ("misrouted: this routerd serves domain X") when the call's
// x-router-domain metadata names a domain other than `domain`; OK when it names `domain`, is
// absent or empty, or when `domain` is empty (this routerd serves whatever reaches it).
::grpc::Status check_domain(const ::grpc::ServerContextBase& context, std::string_view domain);

// PERMISSION_DENIED unless `caller` may act for `agent` (its own agent, one of an AGENT_LINK
// token's agents, or dev mode).
::grpc::Status require_agent(const Caller& caller, std::string_view agent);

std::string_view to_string(v1::Role role);

}  // namespace router::adapters::grpc
