// routerd's transport policy for a grpc::ServerBuilder, in one place so routerd's listener and
// the routerecho baseline (tools/routerload) serve with the same settings and the comparison
// stays fair: keepalive finds dead agent desktops (their StreamWork then ends and the grace
// starts); the port is never shared (gRPC's default is SO_REUSEPORT: a second routerd on a busy
// port must fail, not split the traffic); requests over `max_message_bytes` are refused.
// Header only, so a server outside router_grpc does not pull in the reflection plugin.
#pragma once

#include <grpcpp/grpcpp.h>

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

}  // namespace router::adapters::grpc
