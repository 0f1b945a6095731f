// The ::grpc::Server behind routerd's listener: builder settings and health. See listener.h.
#include "adapters/grpc/listener.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "adapters/grpc/transport.h"

namespace router::adapters::grpc {

engine::Result<std::unique_ptr<Listener>> Listener::start(Services& services,
                                                          const ListenerOptions& options) {
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ::grpc::ServerBuilder builder;
  int port = 0;
  apply_transport_policy(builder, options.address, options.max_message_bytes, &port);
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
  return std::unique_ptr<Listener>(new Listener(std::move(server), port));
}

Listener::Listener(std::unique_ptr<::grpc::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

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
