// routerctl's gRPC status → message and exit code.
#include "tools/routerctl/rpc_error.h"

#include <catch2/catch.hpp>

namespace router::ctl {

namespace {

CallContext at(const char* server, bool connected = false, bool token_given = true) {
  CallContext context;
  context.server = server;
  context.connected = connected;
  context.token_given = token_given;
  return context;
}

}  // namespace

TEST_CASE("UNAVAILABLE says routerd cannot be reached, where, why and how to start it",
          "[routerctl][rpc_error]") {
  const grpc::Status status(grpc::StatusCode::UNAVAILABLE,
                            "failed to connect to all addresses; last error: Connection refused");
  const auto failure = describe_rpc_failure(status, at("127.0.0.1:50051"));
  REQUIRE(failure.exit_code == kExitUnreachable);
  REQUIRE(failure.exit_code == 2);
  REQUIRE(failure.message ==
          "routerctl: cannot reach routerd at 127.0.0.1:50051 (UNAVAILABLE: failed to connect to "
          "all addresses; last error: Connection refused); is it running? start it with "
          "tools/dev.sh run. A routerd with daemon.tls needs --tls or --ca FILE");
}

TEST_CASE("UNAVAILABLE over TLS says which TLS flags to check", "[routerctl][rpc_error][tls]") {
  const grpc::Status status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses");
  CallContext context = at("10.0.0.5:50051", false);
  context.tls = true;
  const auto failure = describe_rpc_failure(status, context);
  CHECK(failure.exit_code == kExitUnreachable);
  CHECK(failure.message.ends_with(
      "With TLS: does --ca hold routerd's CA, does its certificate name the host "
      "(--tls-server-name), does it want --cert and --key?"));
}

TEST_CASE("a deadline passed before any connection also means routerd cannot be reached",
          "[routerctl][rpc_error]") {
  const grpc::Status status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded");
  const auto never_connected = describe_rpc_failure(status, at("10.0.0.5:50051", false));
  REQUIRE(never_connected.exit_code == kExitUnreachable);
  REQUIRE(never_connected.message.starts_with(
      "routerctl: cannot reach routerd at 10.0.0.5:50051 (DEADLINE_EXCEEDED: Deadline Exceeded)"));

  SECTION("but on a working connection it is a slow answer, reported as such") {
    const auto slow = describe_rpc_failure(status, at("10.0.0.5:50051", true));
    REQUIRE(slow.exit_code == kExitRpcError);
    REQUIRE(slow.message == "routerctl: DEADLINE_EXCEEDED: Deadline Exceeded");
  }
}

TEST_CASE("other errors print the status code and routerd's message and exit 1",
          "[routerctl][rpc_error]") {
  const auto denied = describe_rpc_failure(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "agent token acts for a51 only"),
      at("127.0.0.1:50051", true));
  REQUIRE(denied.exit_code == kExitRpcError);
  REQUIRE(denied.message == "routerctl: PERMISSION_DENIED: agent token acts for a51 only");

  const auto not_found =
      describe_rpc_failure(grpc::Status(grpc::StatusCode::NOT_FOUND, "interaction ph-9 not found"),
                           at("127.0.0.1:50051", true));
  REQUIRE(not_found.message == "routerctl: NOT_FOUND: interaction ph-9 not found");

  const auto no_detail = describe_rpc_failure(grpc::Status(grpc::StatusCode::INTERNAL, ""),
                                              at("127.0.0.1:50051", true));
  REQUIRE(no_detail.message == "routerctl: INTERNAL: no detail");
}

TEST_CASE("UNAUTHENTICATED without a token says how to pass one", "[routerctl][rpc_error]") {
  const grpc::Status status(grpc::StatusCode::UNAUTHENTICATED, "missing bearer token");
  REQUIRE(describe_rpc_failure(status, at("h:1", true, false)).message ==
          "routerctl: UNAUTHENTICATED: missing bearer token (no token was sent: pass --token "
          "TOKEN or set ROUTER_TOKEN)");
  REQUIRE(describe_rpc_failure(status, at("h:1", true, true)).message ==
          "routerctl: UNAUTHENTICATED: missing bearer token");
}

TEST_CASE("every status code has its gRPC name", "[routerctl][rpc_error]") {
  REQUIRE(status_code_name(grpc::StatusCode::INVALID_ARGUMENT) == "INVALID_ARGUMENT");
  REQUIRE(status_code_name(grpc::StatusCode::FAILED_PRECONDITION) == "FAILED_PRECONDITION");
  REQUIRE(status_code_name(grpc::StatusCode::RESOURCE_EXHAUSTED) == "RESOURCE_EXHAUSTED");
  REQUIRE(status_code_name(static_cast<grpc::StatusCode>(99)) == "UNKNOWN_STATUS_CODE");
}

}  // namespace router::ctl
