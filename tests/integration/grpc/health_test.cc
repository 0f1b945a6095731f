// The standard services beside ours: grpc.health.v1 (load balancers, orchestrators) and server
// reflection (grpcurl, routerctl's discovery).
#include <algorithm>
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

TEST_CASE_METHOD(RouterFixture, "the health service answers SERVING without a token",
                 "[grpc][health]") {
  auto health = health_check("");
  INFO(describe(health.status));
  REQUIRE(health.ok());
  CHECK(health.value == kServing);
}

TEST_CASE_METHOD(RouterFixture, "server reflection lists the router.v1 services and health",
                 "[grpc][health]") {
  auto services = reflection_services();
  INFO(describe(services.status));
  REQUIRE(services.ok());
  const auto& names = services.value;
  for (const char* expected :
       {"router.v1.InteractionService", "router.v1.AgentService", "router.v1.SupervisorService",
        "router.v1.AdminService", "grpc.health.v1.Health"}) {
    INFO(expected);
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
}

}  // namespace
}  // namespace router::it
