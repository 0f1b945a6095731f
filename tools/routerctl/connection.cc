// routerctl's gRPC channel to routerd and the per-call setup.
#include "tools/routerctl/connection.h"

#include <iostream>
#include <stdexcept>
#include <utility>

#include "tools/routerctl/format.h"

namespace router::ctl {

Connection::Connection(std::string server, std::string token, std::chrono::milliseconds timeout,
                       const client_tls::Options& tls, std::string domain)
    : server_(std::move(server)),
      domain_(std::move(domain)),
      token_(std::move(token)),
      timeout_(timeout),
      tls_(tls.enabled()) {
  args_.SetMaxReceiveMessageSize(kMaxResponseBytes);
  args_.SetUserAgentPrefix("routerctl");
  std::string error;
  credentials_ = client_tls::channel_credentials(tls, args_, error);
  if (!credentials_) throw std::invalid_argument(error);  // main() checked the files first
}

void Connection::open() {
  if (channel_) return;
  auto addresses = client_channel::split_addresses(server_);
  if (addresses.empty()) addresses.push_back(server_);  // gRPC names the bad address
  const auto choice = client_channel::choose(
      addresses,
      [this](const std::string& address) {
        return client_channel::make_channel(address, credentials_, args_, domain_);
      },
      timeout_);
  for (const auto& skipped : choice.skipped) {
    std::cerr << "routerctl: passed over " << skipped << '\n';
  }
  server_ = choice.address;
  channel_ = choice.channel;
  interactions_ = v1::InteractionService::NewStub(channel_);
  agents_ = v1::AgentService::NewStub(channel_);
  supervisor_ = v1::SupervisorService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
}

void Connection::prepare_stream(grpc::ClientContext& context) const {
  if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
}

void Connection::prepare_unary(grpc::ClientContext& context) const {
  prepare_stream(context);
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
}

grpc::Status Connection::await_connection() {
  open();
  const auto deadline = std::chrono::system_clock::now() + timeout_;
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state == GRPC_CHANNEL_IDLE || state == GRPC_CHANNEL_CONNECTING) {
    if (!channel_->WaitForStateChange(state, deadline)) {
      return {grpc::StatusCode::DEADLINE_EXCEEDED,
              "not connected within " +
                  format_duration(std::chrono::duration<double>(timeout_).count())};
    }
    state = channel_->GetState(/*try_to_connect=*/true);
  }
  return grpc::Status::OK;
}

RpcFailure Connection::describe(const grpc::Status& status) const {
  CallContext context;
  context.server = server_;
  context.connected =
      channel_ && channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
  context.token_given = !token_.empty();
  context.tls = tls_;
  return describe_rpc_failure(status, context);
}

}  // namespace router::ctl
