// routerctl's line to routerd: one gRPC channel to --server (plaintext, or TLS with the flags of
// tools/client_tls; with a list of addresses, the first SERVING one, tools/client_channel; every
// call carrying --domain), the stubs of the four
// services, and the per-call setup every command shares (the bearer token as metadata, the
// --timeout deadline on unary calls, a bounded wait for the connection before a stream).
// Not thread-safe: owned by main() and used from its thread only.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "router/v1/router.grpc.pb.h"
#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"
#include "tools/routerctl/rpc_error.h"

namespace router::ctl {

class Connection {
 public:
  // Largest response accepted (ListAgents of a very large center); gRPC's default is 4 MiB.
  static constexpr int kMaxResponseBytes = 64 * 1024 * 1024;

  // `server`: host:port, or a comma-separated list of them (client_channel::choose picks the
  // first SERVING one, each asked within the timeout, when the first stub is used).
  // REQUIRES: timeout > 0; the TLS files readable (client_tls::channel_credentials succeeds).
  // No I/O happens until the first call.
  Connection(std::string server, std::string token, std::chrono::milliseconds timeout,
             const client_tls::Options& tls = {}, std::string domain = {});

  // For a unary call: "authorization: Bearer <token>" when a token was given, and a deadline
  // of now + timeout (which also bounds how long connecting may take).
  void prepare_unary(grpc::ClientContext& context) const;

  // For a server stream: the token only; the stream lasts as long as the command wants it.
  void prepare_stream(grpc::ClientContext& context) const;

  // Waits at most the timeout for the channel to leave CONNECTING. OK when connected, or when
  // connecting failed outright (the call that follows fails at once with gRPC's own reason);
  // DEADLINE_EXCEEDED when still connecting at the deadline (an address that does not answer).
  grpc::Status await_connection();

  // The message and exit code for a failed call (uses the channel's current state).
  RpcFailure describe(const grpc::Status& status) const;

  const std::string& server() const { return server_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  v1::InteractionService::Stub& interactions() { return (open(), *interactions_); }
  v1::AgentService::Stub& agents() { return (open(), *agents_); }
  v1::SupervisorService::Stub& supervisor() { return (open(), *supervisor_); }
  v1::AdminService::Stub& admin() { return (open(), *admin_); }

 private:
  // Chooses the address and makes the channel and stubs, once.
  void open();

  std::string server_;  // the list as given until open(), then the address chosen
  std::string domain_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  grpc::ChannelArguments args_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  bool tls_ = false;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::InteractionService::Stub> interactions_;
  std::unique_ptr<v1::AgentService::Stub> agents_;
  std::unique_ptr<v1::SupervisorService::Stub> supervisor_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

}  // namespace router::ctl
