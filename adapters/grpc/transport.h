// routerd's transport policy for a grpc::ServerBuilder, in one place so routerd's listener and
// the routerecho baseline (tools/routerload) serve with the same settings and the comparison
// stays fair: keepalive finds dead agent desktops (their StreamWork then ends and the grace
// starts); the port is never shared (gRPC's default is SO_REUSEPORT: a second routerd on a busy
// port must fail, not split the traffic); requests over `max_message_bytes` are refused.
// Header only, so a server outside router_grpc does not pull in the reflection plugin.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace router::adapters::grpc {

// `credentials`: routerd's TLS (tls.h) or plaintext.
inline void apply_transport_policy(
    ::grpc::ServerBuilder& builder, const std::string& address, size_t max_message_bytes,
    int* bound_port,
    std::shared_ptr<::grpc::ServerCredentials> credentials = ::grpc::InsecureServerCredentials()) {
  builder.AddListeningPort(address, std::move(credentials), bound_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5'000);
}

// What one client can make gRPC itself hold (docs/security.md, "Resource limits"): at most
// `max_concurrent_streams` calls in flight per connection (HTTP/2 SETTINGS; more wait at the
// client), receive windows at HTTP/2's defaults (no BDP probing, so a client cannot make routerd
// announce megabytes of window per stream), and every transport buffer drawn from one
// ResourceQuota of `memory_bytes`: past it gRPC closes idle connections and cancels calls
// ("Buffers full") instead of growing.
struct TransportLimits {
  int max_concurrent_streams = 200;
  size_t memory_bytes = 128 << 20;
};

inline void apply_transport_limits(::grpc::ServerBuilder& builder, const TransportLimits& limits) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  ::grpc::ResourceQuota quota("routerd");
  quota.Resize(limits.memory_bytes);
  builder.SetResourceQuota(quota);  // the builder keeps its own reference
}

}  // namespace router::adapters::grpc
