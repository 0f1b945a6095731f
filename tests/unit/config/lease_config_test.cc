// redis.lease (active and standby): defaults, bounds, and errors that name the field.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "adapters/config/routing_config.h"

namespace router::adapters::config {
namespace {

using Catch::Matchers::Contains;

const char* kCenter = R"(
skills: [billing]
queues:
  - {name: billing, channels: [PHONE], skills: [{skill: billing, min_level: 5}]}
agents:
  - {name: alice, skills: [{skill: billing, level: 7}]}
redis:
  address: "127.0.0.1:6379"
)";

std::string error_of(const std::string& yaml) {
  auto r = parse_routing_config(yaml, "lease.yaml");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("without redis.lease there is no lease and routerd is the only instance", "[config]") {
  auto r = parse_routing_config(kCenter, "lease.yaml");
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().redis->lease.has_value());
}

TEST_CASE("redis.lease is read with a default ttl of 1 s renewed every quarter of it", "[config]") {
  auto defaults = parse_routing_config(std::string(kCenter) + "  lease: {}\n", "lease.yaml");
  INFO((defaults.ok() ? "" : defaults.error().message));
  REQUIRE(defaults.ok());
  const auto& d = *defaults.value().redis->lease;
  CHECK(d.ttl == engine::Duration(1000));
  CHECK(d.renew == engine::Duration(250));
  CHECK(d.instance.empty());

  auto set = parse_routing_config(
      std::string(kCenter) + "  lease: {ttl_ms: 300, renew_ms: 100, instance: \"east-1\"}\n",
      "lease.yaml");
  INFO((set.ok() ? "" : set.error().message));
  REQUIRE(set.ok());
  const auto& s = *set.value().redis->lease;
  CHECK(s.ttl == engine::Duration(300));
  CHECK(s.renew == engine::Duration(100));
  CHECK(s.instance == "east-1");

  auto ttl_only = parse_routing_config(std::string(kCenter) + "  lease: {ttl_ms: 400}\n", "l.yaml");
  REQUIRE(ttl_only.ok());
  CHECK(ttl_only.value().redis->lease->renew == engine::Duration(100));
}

TEST_CASE("redis.lease errors name the field", "[config]") {
  const std::string base(kCenter);
  CHECK_THAT(error_of(base + "  lease: {ttl_ms: 50}\n"),
             Contains("redis.lease.ttl_ms: must be 100..60000"));
  CHECK_THAT(error_of(base + "  lease: {ttl_ms: 60001}\n"),
             Contains("redis.lease.ttl_ms: must be 100..60000"));
  CHECK_THAT(error_of(base + "  lease: {ttl_ms: 300, renew_ms: 101}\n"),
             Contains("redis.lease.renew_ms: must be ≤ ttl_ms / 3"));
  CHECK_THAT(error_of(base + "  lease: {renew_ms: 5}\n"), Contains("redis.lease.renew_ms"));
  CHECK_THAT(error_of(base + "  lease: {instance: \"a b\"}\n"),
             Contains("redis.lease.instance: must be at most 128 characters without spaces"));
  CHECK_THAT(error_of(base + "  no_journal: true\n  lease: {}\n"),
             Contains("redis.lease: needs the journal"));
  CHECK_THAT(error_of(base + "  lease: {ttl: 300}\n"), Contains("ttl"));
}

}  // namespace router::adapters::config
