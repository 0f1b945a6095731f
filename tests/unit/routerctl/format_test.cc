// routerctl's single values: durations, percents, points and enumeration names.
#include "tools/routerctl/format.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <limits>

namespace router::ctl {

TEST_CASE("durations under a minute read in seconds", "[routerctl][format]") {
  REQUIRE(format_duration(0) == "0s");
  REQUIRE(format_duration(45) == "45s");
  REQUIRE(format_duration(45.4) == "45s");
  REQUIRE(format_duration(59.4) == "59s");
  SECTION("under ten seconds keep one decimal when they have one") {
    REQUIRE(format_duration(4.24) == "4.2s");
    REQUIRE(format_duration(0.36) == "0.4s");
    REQUIRE(format_duration(5) == "5s");
    REQUIRE(format_duration(9.96) == "10s");
  }
}

TEST_CASE("durations of minutes read as minutes and two-digit seconds", "[routerctl][format]") {
  REQUIRE(format_duration(60) == "1m00s");
  REQUIRE(format_duration(187) == "3m07s");
  REQUIRE(format_duration(59.6) == "1m00s");
  REQUIRE(format_duration(3599) == "59m59s");
}

TEST_CASE("durations of hours and days read as the two largest units", "[routerctl][format]") {
  REQUIRE(format_duration(3600) == "1h00m");
  REQUIRE(format_duration(2 * 3600 + 5 * 60 + 59) == "2h05m");
  REQUIRE(format_duration(86399) == "23h59m");
  REQUIRE(format_duration(3 * 86400 + 4 * 3600 + 1800) == "3d04h");
}

TEST_CASE("durations that cannot be real still print something sensible", "[routerctl][format]") {
  REQUIRE(format_duration(-3) == "0s");  // clock skew between routerd and this host
  REQUIRE(format_duration(std::numeric_limits<double>::quiet_NaN()) == "-");
  REQUIRE(format_duration(std::numeric_limits<double>::infinity()) == "-");
}

TEST_CASE("percents have one decimal", "[routerctl][format]") {
  REQUIRE(format_percent(0.8234) == "82.3%");
  REQUIRE(format_percent(1) == "100.0%");
  REQUIRE(format_percent(0) == "0.0%");
  REQUIRE(format_percent(0.0005) == "0.1%");
  REQUIRE(format_percent(std::numeric_limits<double>::quiet_NaN()) == "-");
}

TEST_CASE("points have one decimal and never read minus zero", "[routerctl][format]") {
  REQUIRE(format_points(12.26) == "12.3");
  REQUIRE(format_points(-10) == "-10.0");
  REQUIRE(format_points(-0.01) == "0.0");
}

TEST_CASE("enumerations print as the API names them, without the proto3 prefix",
          "[routerctl][format]") {
  REQUIRE(agent_state_name(v1::AGENT_WRAP_UP) == "WRAP_UP");
  REQUIRE(agent_state_name(v1::NOT_READY) == "NOT_READY");
  REQUIRE(agent_state_name(v1::AGENT_STATE_UNSPECIFIED) == "-");
  REQUIRE(interaction_state_name(v1::QUEUED) == "QUEUED");
  REQUIRE(channel_name(v1::WEB_CALLBACK) == "WEB_CALLBACK");
  REQUIRE(segment_name(v1::STRATEGIC) == "STRATEGIC");
  REQUIRE(segment_name(v1::SEGMENT_UNSPECIFIED) == "-");
  SECTION("a value added to the API after this build prints as its number") {
    REQUIRE(agent_state_name(static_cast<v1::AgentState>(42)) == "42");
  }
}

TEST_CASE("elapsed time is measured from a timestamp to the given now", "[routerctl][format]") {
  const auto now = WallClock::time_point(std::chrono::seconds(1'700'000'100));
  google::protobuf::Timestamp since;
  since.set_seconds(1'700'000'000);
  REQUIRE(seconds_since(since, now) == Approx(100));
  REQUIRE(seconds_until(since, now) == Approx(-100));
  REQUIRE(seconds_since(google::protobuf::Timestamp(), now) == 0);
  REQUIRE(to_timestamp(now).seconds() == 1'700'000'100);
}

}  // namespace router::ctl
