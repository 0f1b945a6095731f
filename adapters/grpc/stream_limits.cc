// Counting open server streams against their limits. See stream_limits.h.
#include "adapters/grpc/stream_limits.h"

namespace router::adapters::grpc {

namespace {

::grpc::Status exhausted(const std::string& limit, size_t value, const std::string& what) {
  return ::grpc::Status(
      ::grpc::StatusCode::RESOURCE_EXHAUSTED,
      "daemon.server_limits." + limit + " (" + std::to_string(value) + ") reached: " + what);
}

}  // namespace

StreamSlot::~StreamSlot() { limiter_.release(peer_, token_); }

::grpc::Status StreamLimiter::admit(const std::string& peer, const std::string& token,
                                    const StreamLimits& limits, std::shared_ptr<StreamSlot>& slot) {
  {
    std::lock_guard lock(mu_);
    if (total_ >= limits.max_streams_total) {
      return exhausted("max_streams_total", limits.max_streams_total,
                       "routerd holds as many server streams as it allows");
    }
    const auto t = by_token_.find(token);
    if (t != by_token_.end() && t->second >= limits.max_streams_per_token) {
      return exhausted("max_streams_per_token", limits.max_streams_per_token,
                       "token '" + token + "' holds as many server streams as it may");
    }
    const auto p = by_peer_.find(peer);
    if (p == by_peer_.end() && by_peer_.size() >= limits.max_connections) {
      return exhausted("max_connections", limits.max_connections,
                       "as many client connections hold server streams as routerd allows");
    }
    if (p != by_peer_.end() && p->second >= limits.max_streams_per_connection) {
      return exhausted("max_streams_per_connection", limits.max_streams_per_connection,
                       "this connection holds as many server streams as it may");
    }
    ++total_;
    ++by_token_[token];
    ++by_peer_[peer];
  }
  slot = std::make_shared<StreamSlot>(*this, peer, token);
  return ::grpc::Status::OK;
}

void StreamLimiter::release(const std::string& peer, const std::string& token) {
  std::lock_guard lock(mu_);
  --total_;
  if (auto t = by_token_.find(token); t != by_token_.end() && --t->second == 0) by_token_.erase(t);
  if (auto p = by_peer_.find(peer); p != by_peer_.end() && --p->second == 0) by_peer_.erase(p);
}

StreamLimiter::Counts StreamLimiter::counts() const {
  std::lock_guard lock(mu_);
  return Counts{total_, by_peer_.size()};
}

}  // namespace router::adapters::grpc
