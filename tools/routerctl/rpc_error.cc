// routerctl's mapping from gRPC statuses to messages and exit codes.
#include "tools/routerctl/rpc_error.h"

namespace router::ctl {

std::string_view status_code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return "UNKNOWN_STATUS_CODE";
  }
}

RpcFailure describe_rpc_failure(const grpc::Status& status, const CallContext& context) {
  const std::string code(status_code_name(status.error_code()));
  const std::string detail = status.error_message().empty() ? "no detail" : status.error_message();
  const bool unreachable =
      status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && !context.connected);
  if (unreachable) {
    return {"routerctl: cannot reach routerd at " + context.server + " (" + code + ": " + detail +
                "); is it running? start it with tools/dev.sh run",
            kExitUnreachable};
  }
  std::string message = "routerctl: " + code + ": " + detail;
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && !context.token_given) {
    message += " (no token was sent: pass --token TOKEN or set ROUTER_TOKEN)";
  }
  return {message, kExitRpcError};
}

}  // namespace router::ctl
