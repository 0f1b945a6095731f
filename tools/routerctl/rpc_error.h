// What routerctl says, and which exit status it returns, when a call to routerd fails. The one
// place that turns a gRPC status into words: "cannot reach routerd" (exit 2) when there is no
// daemon to talk to, "routerctl: CODE: message" (exit 1) for every answer that is a refusal.
// Pure functions; thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

namespace router::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;     // routerd answered with an error, or ended a stream
inline constexpr int kExitUnreachable = 2;  // no routerd at the address
inline constexpr int kExitInternal = 3;     // a routerctl bug (e.g. a message it cannot print)

// What the caller knew when the call failed.
struct CallContext {
  std::string server;        // the address dialled, e.g. "127.0.0.1:50051"
  bool connected = false;    // the channel had a working connection when the call ended
  bool token_given = false;  // --token / ROUTER_TOKEN was set
  bool tls = false;          // the channel uses TLS (--tls, --ca, ...)
};

struct RpcFailure {
  std::string message;  // one line, starting "routerctl: ", no trailing newline
  int exit_code = kExitRpcError;
};

// UNAVAILABLE, or DEADLINE_EXCEEDED on a channel that never connected, means no daemon
// answered: "routerctl: cannot reach routerd at ADDR (CODE: detail); is it running? ...".
// UNAUTHENTICATED without a token adds how to pass one. Everything else: "routerctl: CODE:
// message".
RpcFailure describe_rpc_failure(const grpc::Status& status, const CallContext& context);

// "UNAVAILABLE", "PERMISSION_DENIED", ... as gRPC documents the codes.
std::string status_code_name(grpc::StatusCode code);

}  // namespace router::ctl
