// The one place a host status becomes a gRPC status. absl's canonical codes are gRPC's codes, so
// the mapping is 1:1 and the message (which names the field) passes unchanged. Any thread.
#pragma once

#include <absl/status/status.h>
#include <grpcpp/grpcpp.h>

#include <string>

namespace router::adapters::grpc {

inline ::grpc::Status to_grpc(const absl::Status& status) {
  if (status.ok()) return ::grpc::Status::OK;
  return ::grpc::Status(static_cast<::grpc::StatusCode>(status.code()),
                        std::string(status.message()));
}

}  // namespace router::adapters::grpc
