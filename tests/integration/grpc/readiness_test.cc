// daemon.ready_listen over a real socket: GET /ready answers 200 "active" while routerd serves
// and 503 with the reason while it does not (its Redis down, shutting down); GET /live answers
// 200 while the process runs. HAProxy's httpchk reads nothing else (docs/availability.md).
#include <catch2/catch.hpp>

#include "integration/grpc/availability_fixture.h"

namespace router::it {
namespace {

TEST_CASE("GET /ready answers 200 active while routerd serves and /live answers 200",
          "[grpc][availability][readiness]") {
  ReadyRouterd r;
  CHECK(r.ready() == std::make_pair(200, std::string("active")));
  CHECK(http_get(r.ready_port(), "/live") == std::make_pair(200, std::string("live")));
  CHECK(http_get(r.ready_port(), "/other").first == 404);
  auto health = r.clients().health_check("");
  REQUIRE(health.ok());
  CHECK(health.value == kServing);
}

TEST_CASE(
    "GET /ready answers 503 redis_down while the journal's Redis is away and 200 again "
    "once it is back",
    "[grpc][availability][readiness]") {
  ReadyRouterd r;
  REQUIRE(r.wait_ready(200));
  r.redis().stop();
  REQUIRE(r.wait_ready(503));
  CHECK(r.ready().second == "redis_down");
  CHECK(http_get(r.ready_port(), "/live").first == 200);
  auto health = r.clients().health_check("");
  REQUIRE(health.ok());
  CHECK(health.value == kNotServing);
  r.redis().restart();
  REQUIRE(r.wait_ready(200));
  CHECK(r.ready().second == "active");
}

TEST_CASE(
    "GET /ready answers 503 shutting_down once shutdown has begun while /live still "
    "answers 200",
    "[grpc][availability][readiness]") {
  ReadyRouterd r;
  REQUIRE(r.wait_ready(200));
  r.daemon().shutdown(1s);
  CHECK(r.ready() == std::make_pair(503, std::string("shutting_down")));
  CHECK(http_get(r.ready_port(), "/live").first == 200);
}

TEST_CASE("a daemon.ready_listen that cannot be bound stops routerd at start naming the field",
          "[grpc][availability][readiness]") {
  ReadyRouterd first;  // holds its readiness port
  CenterFiles files;
  files.write_config(replace_once(files.read_config(), "  max_message_bytes: 8192\n",
                                  "  max_message_bytes: 8192\n  ready_listen: \"127.0.0.1:" +
                                      std::to_string(first.ready_port()) + "\"\n"));
  routerd::DaemonOptions options;
  options.config_path = files.config_path();
  options.listen = "127.0.0.1:0";
  auto started = routerd::Daemon::start(options);
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message, Catch::Contains("daemon.ready_listen"));
}

}  // namespace
}  // namespace router::it
