// Router::create: a bad router-wide configuration is an error naming the field, not a throw.
#include <cmath>
#include <limits>

#include "engine/builders.h"

namespace router::engine::testing {

using Catch::Contains;

namespace {

Error create_error(const RouterConfig& cfg) {
  auto created = Router::create(cfg);
  REQUIRE_FALSE(created.ok());
  return created.error();
}

}  // namespace

TEST_CASE("a router is created from the default configuration in either match mode", "[create]") {
  const MatchMode mode = GENERATE(MatchMode::kIndexed, MatchMode::kNaiveScan);
  auto created = Router::create(RouterConfig{}, mode);
  REQUIRE(created.ok());
  REQUIRE(created.value() != nullptr);
  CHECK(created.value()->mode() == mode);
  CHECK(created.value()->live_count() == 0);
}

TEST_CASE("a negative or non-finite default weight is refused naming the weight's field",
          "[create]") {
  RouterConfig cfg;
  const double bad = GENERATE(-0.5, std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity());
  cfg.default_weights[Term::kWait] = bad;
  Error e = create_error(cfg);
  CHECK(e.code == ErrorCode::kInvalidArgument);
  CHECK_THAT(e.message, Contains("default_weights.wait"));
}

TEST_CASE("a statistics window or bucket count that is not positive is refused naming it",
          "[create]") {
  SECTION("stats_window") {
    RouterConfig cfg;
    cfg.stats_window = Duration::zero();
    Error e = create_error(cfg);
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("stats_window"));
    CHECK_THAT(e.message, !Contains("stats_buckets"));
  }
  SECTION("stats_buckets") {
    RouterConfig cfg;
    cfg.stats_buckets = 0;
    Error e = create_error(cfg);
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.message, Contains("stats_buckets"));
    CHECK_THAT(e.message, !Contains("stats_window"));
  }
}

}  // namespace router::engine::testing
