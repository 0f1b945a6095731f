// How routerctl writes single values: durations ("45s", "3m07s", "2h05m"), percents with one
// decimal, points, wall-clock times and the API's enumerations. Pure functions; thread-safe.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <string>

#include "router/v1/router.pb.h"

namespace router::ctl {

using WallClock = std::chrono::system_clock;

// A duration for people: under 10 s with one decimal when it has one ("4.2s", "5s"), under a
// minute in whole seconds ("45s"), then minutes and seconds ("3m07s"), hours and minutes
// ("2h05m"), days and hours ("3d04h"). Larger units truncate the smaller ones. Negative
// durations (clock skew) show as "0s"; NaN and infinities as "-".
std::string format_duration(double seconds);

// A fraction 0..1 as a percent with one decimal: 0.8234 → "82.3%".
std::string format_percent(double fraction);

// Points with one decimal: 12.26 → "12.3", -10 → "-10.0".
std::string format_points(double points);

// Local wall-clock time of day, "14:03:27"; "-" for an unset timestamp.
std::string format_clock(const google::protobuf::Timestamp& at);

// Seconds from `at` to `now`; 0 for an unset timestamp.
double seconds_since(const google::protobuf::Timestamp& at, WallClock::time_point now);

// Seconds from `now` to `at` (negative once `at` has passed); 0 for an unset timestamp.
double seconds_until(const google::protobuf::Timestamp& at, WallClock::time_point now);

google::protobuf::Timestamp to_timestamp(WallClock::time_point at);

// Enumerations as the API names them, without the type prefix that proto3 forces
// (AGENT_WRAP_UP → "WRAP_UP"); the UNSPECIFIED values as "-".
std::string agent_state_name(v1::AgentState state);
std::string interaction_state_name(v1::InteractionState state);
std::string channel_name(v1::Channel channel);
std::string segment_name(v1::Segment segment);

}  // namespace router::ctl
