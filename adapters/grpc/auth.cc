// Bearer tokens → callers; see auth.h.
#include "adapters/grpc/auth.h"

#include <utility>

namespace router::adapters::grpc {

namespace {
Caller dev_caller() {
  Caller c;
  c.role = v1::SUPERVISOR;
  c.name = "dev";
  c.gateway = "dev";
  c.sees_all_gateways = true;
  c.dev = true;
  return c;
}
}  // namespace

Authenticator::Authenticator(const config::AuthSettings& settings, std::string domain)
    : dev_no_auth_(settings.dev_no_auth), domain_(std::move(domain)) {
  for (const auto& t : settings.tokens) {
    Caller c;
    c.role = t.role;
    c.agent = t.agent;
    c.name = t.name;
    c.gateway = t.gateway;
    c.sees_gateways = t.sees_gateways;
    c.sees_all_gateways = t.sees_all_gateways;
    if (t.role == v1::AGENT_LINK) {
      c.agents =
          std::make_shared<const std::unordered_set<std::string>>(t.agents.begin(), t.agents.end());
      c.all_agents = t.all_agents;
    }
    by_token_.emplace(t.token, std::move(c));
  }
}

::grpc::Status Authenticator::authorize(const ::grpc::CallbackServerContext& context, v1::Role role,
                                        Caller& caller) const {
  if (::grpc::Status s = check_domain(context, domain_); !s.ok()) return s;
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    if (dev_no_auth_) {
      caller = dev_caller();
      return ::grpc::Status::OK;
    }
    return {::grpc::StatusCode::UNAUTHENTICATED,
            "missing \"authorization: Bearer <token>\" metadata"};
  }
  const std::string_view value(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer) {
    return {::grpc::StatusCode::UNAUTHENTICATED,
            "authorization metadata must be \"Bearer <token>\""};
  }
  const auto found = by_token_.find(std::string(value.substr(kBearer.size())));
  if (found == by_token_.end()) {
    if (dev_no_auth_) {
      caller = dev_caller();
      return ::grpc::Status::OK;
    }
    return {::grpc::StatusCode::UNAUTHENTICATED, "unknown token"};
  }
  caller = found->second;
  if (caller.role != role && !(role == v1::AGENT && caller.role == v1::AGENT_LINK)) {
    return {::grpc::StatusCode::PERMISSION_DENIED,
            std::string("a ") + std::string(to_string(caller.role)) + " token (" + caller.name +
                ") may not call this service; it needs a " + std::string(to_string(role)) +
                " token"};
  }
  return ::grpc::Status::OK;
}

::grpc::Status check_domain(const ::grpc::ServerContextBase& context, std::string_view domain) {
  if (domain.empty()) return ::grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(kDomainMetadata);
  if (it == metadata.end() || it->second.empty()) return ::grpc::Status::OK;
  const std::string_view asked(it->second.data(), it->second.size());
  if (asked == domain) return ::grpc::Status::OK;
  // The asked name is echoed back bounded: it came from outside.
  return {::grpc::StatusCode::FAILED_PRECONDITION,
          "misrouted: this routerd serves domain " + std::string(domain) + ", not " +
              std::string(asked.substr(0, 64)) + " (x-router-domain)"};
}

::grpc::Status require_agent(const Caller& caller, std::string_view agent) {
  if (caller.dev) return ::grpc::Status::OK;
  if (caller.role == v1::AGENT_LINK) {
    if (caller.all_agents || (caller.agents && caller.agents->count(std::string(agent)) > 0)) {
      return ::grpc::Status::OK;
    }
    return {::grpc::StatusCode::PERMISSION_DENIED,
            "agent: this link token (" + caller.name + ") may not act for agent " +
                std::string(agent) + " (auth.tokens[].agents)"};
  }
  if (caller.agent == agent) return ::grpc::Status::OK;
  return {::grpc::StatusCode::PERMISSION_DENIED,
          "agent: this token acts for agent " + caller.agent + " only, not " + std::string(agent)};
}

namespace {
int64_t steady_ns(ActiveGate::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

void ActiveGate::close(std::string reason) {
  {
    std::lock_guard lock(mu_);
    reason_ = std::move(reason);
  }
  until_ns_.store(kClosed, std::memory_order_release);
}

void ActiveGate::open_until(Clock::time_point until) {
  until_ns_.store(steady_ns(until), std::memory_order_release);
}

void ActiveGate::extend(Clock::time_point until) {
  int64_t current = until_ns_.load(std::memory_order_acquire);
  const int64_t next = steady_ns(until);
  while (current != kClosed && current != kForever && current < next &&
         !until_ns_.compare_exchange_weak(current, next, std::memory_order_acq_rel)) {
  }
}

bool ActiveGate::open() const {
  const int64_t until = until_ns_.load(std::memory_order_acquire);
  return until == kForever || (until != kClosed && steady_ns(Clock::now()) < until);
}

::grpc::Status ActiveGate::admit() const {
  if (open()) return ::grpc::Status::OK;
  if (until_ns_.load(std::memory_order_acquire) != kClosed) {
    return {::grpc::StatusCode::UNAVAILABLE,
            "routerd's lease lapsed (no renewal within its ttl): it is no longer the active "
            "instance; try another routerd"};
  }
  std::lock_guard lock(mu_);
  return {::grpc::StatusCode::UNAVAILABLE, reason_};
}

std::string_view to_string(v1::Role role) {
  switch (role) {
    case v1::GATEWAY: return "gateway";
    case v1::AGENT: return "agent";
    case v1::SUPERVISOR: return "supervisor";
    case v1::AGENT_LINK: return "agent_link";
    default: return "unknown";
  }
}

}  // namespace router::adapters::grpc
