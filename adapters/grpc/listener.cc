// The ::grpc::Server behind routerd's listener: builder settings and health. See listener.h.
#include "adapters/grpc/listener.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>

#include "adapters/grpc/transport.h"

namespace router::adapters::grpc {

engine::Result<std::unique_ptr<Listener>> Listener::start(Services& services,
                                                          const ListenerOptions& options) {
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ::grpc::ServerBuilder builder;
  int port = 0;
  apply_transport_policy(
      builder, options.address, options.max_message_bytes, &port,
      options.tls ? options.tls->credentials() : ::grpc::InsecureServerCredentials());
  apply_transport_limits(builder, options.transport);
  builder.RegisterService(services.interactions.get());
  builder.RegisterService(services.agents.get());
  builder.RegisterService(services.supervisors.get());
  builder.RegisterService(services.admin.get());
  std::unique_ptr<::grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return engine::invalid_argument("cannot listen on " + options.address);
  }
  server->GetHealthCheckService()->SetServingStatus(false);
  return std::unique_ptr<Listener>(new Listener(std::move(server), port, options.tls));
}

Listener::Listener(std::unique_ptr<::grpc::Server> server, int port, std::shared_ptr<ServerTls> tls)
    : tls_(std::move(tls)), server_(std::move(server)), port_(port) {}

bool is_loopback(const std::string& address) {
  if (address.rfind("unix:", 0) == 0 || address.rfind("unix-abstract:", 0) == 0) return true;
  const auto colon = address.rfind(':');
  std::string host = colon == std::string::npos ? address : address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host == "::1" || host == "ip6-localhost") return true;
  // 127.0.0.0/8, written as a dotted quad.
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  return std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
         b < 256 && c < 256 && d < 256;
}

Listener::~Listener() { shutdown(std::chrono::system_clock::now()); }

void Listener::set_serving(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

void Listener::shutdown(std::chrono::system_clock::time_point deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->Shutdown(deadline);
}

}  // namespace router::adapters::grpc
