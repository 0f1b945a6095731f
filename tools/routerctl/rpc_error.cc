// routerctl's mapping from gRPC statuses to messages and exit codes.
#include "tools/routerctl/rpc_error.h"

#include <absl/status/status.h>

namespace router::ctl {

std::string status_code_name(grpc::StatusCode code) {
  // gRPC's codes are absl's (same names, same numbers).
  const std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN_STATUS_CODE" : name;
}

RpcFailure describe_rpc_failure(const grpc::Status& status, const CallContext& context) {
  const std::string code(status_code_name(status.error_code()));
  const std::string detail = status.error_message().empty() ? "no detail" : status.error_message();
  const bool unreachable =
      status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && !context.connected);
  if (unreachable) {
    return {"routerctl: cannot reach routerd at " + context.server + " (" + code + ": " + detail +
                "); is it running? start it with tools/dev.sh run" +
                (context.tls ? ". With TLS: does --ca hold routerd's CA, does its certificate "
                               "name the host (--tls-server-name), does it want --cert and --key?"
                             : ". A routerd with daemon.tls needs --tls or --ca FILE"),
            kExitUnreachable};
  }
  std::string message = "routerctl: " + code + ": " + detail;
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && !context.token_given) {
    message += " (no token was sent: pass --token TOKEN or set ROUTER_TOKEN)";
  }
  return {message, kExitRpcError};
}

}  // namespace router::ctl
