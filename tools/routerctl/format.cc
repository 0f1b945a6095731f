// routerctl's value formatting: durations, percents, points, times and enumeration names.
#include "tools/routerctl/format.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace router::ctl {

namespace {

std::string printf_string(const char* format, auto... args) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, format, args...);
  return n < 0 ? std::string("?")
               : std::string(buffer, std::min<std::size_t>(n, sizeof buffer - 1));
}

bool is_set(const google::protobuf::Timestamp& at) { return at.seconds() != 0 || at.nanos() != 0; }

double to_seconds(const google::protobuf::Timestamp& at) {
  return static_cast<double>(at.seconds()) + static_cast<double>(at.nanos()) / 1e9;
}

double to_seconds(WallClock::time_point at) {
  return std::chrono::duration<double>(at.time_since_epoch()).count();
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  if (seconds < 0) seconds = 0;
  if (seconds < 9.95) {
    const double tenths = std::round(seconds * 10);
    if (std::fmod(tenths, 10.0) == 0) return printf_string("%.0fs", tenths / 10);
    return printf_string("%.1fs", tenths / 10);
  }
  // Round to whole seconds first so that 59.6 s reads "1m00s", not "60s".
  const auto total = static_cast<long long>(std::llround(std::min(seconds, 1e15)));
  constexpr long long kMinute = 60;
  constexpr long long kHour = 60 * kMinute;
  constexpr long long kDay = 24 * kHour;
  if (total < kMinute) return printf_string("%llds", total);
  if (total < kHour) return printf_string("%lldm%02llds", total / kMinute, total % kMinute);
  if (total < kDay) return printf_string("%lldh%02lldm", total / kHour, total % kHour / kMinute);
  return printf_string("%lldd%02lldh", total / kDay, total % kDay / kHour);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "-";
  return printf_string("%.1f%%", fraction * 100);
}

std::string format_points(double points) {
  if (!std::isfinite(points)) return "-";
  // Avoid "-0.0" for tiny negative terms.
  if (std::fabs(points) < 0.05) points = 0;
  return printf_string("%.1f", points);
}

std::string format_clock(const google::protobuf::Timestamp& at) {
  if (!is_set(at)) return "-";
  const std::time_t t = static_cast<std::time_t>(at.seconds());
  std::tm local{};
  if (localtime_r(&t, &local) == nullptr) return "-";
  char buffer[16];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
  return std::string(buffer, n);
}

double seconds_since(const google::protobuf::Timestamp& at, WallClock::time_point now) {
  if (!is_set(at)) return 0;
  return to_seconds(now) - to_seconds(at);
}

double seconds_until(const google::protobuf::Timestamp& at, WallClock::time_point now) {
  if (!is_set(at)) return 0;
  return to_seconds(at) - to_seconds(now);
}

google::protobuf::Timestamp to_timestamp(WallClock::time_point at) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch());
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(ns.count());
}

std::string agent_state_name(v1::AgentState state) {
  switch (state) {
    case v1::AGENT_STATE_UNSPECIFIED: return "-";
    case v1::AGENT_WRAP_UP: return "WRAP_UP";
    default: break;
  }
  const std::string& name = v1::AgentState_Name(state);
  return name.empty() ? std::to_string(static_cast<int>(state)) : name;
}

std::string interaction_state_name(v1::InteractionState state) {
  if (state == v1::INTERACTION_STATE_UNSPECIFIED) return "-";
  const std::string& name = v1::InteractionState_Name(state);
  return name.empty() ? std::to_string(static_cast<int>(state)) : name;
}

std::string channel_name(v1::Channel channel) {
  if (channel == v1::CHANNEL_UNSPECIFIED) return "-";
  const std::string& name = v1::Channel_Name(channel);
  return name.empty() ? std::to_string(static_cast<int>(channel)) : name;
}

std::string segment_name(v1::Segment segment) {
  if (segment == v1::SEGMENT_UNSPECIFIED) return "-";
  const std::string& name = v1::Segment_Name(segment);
  return name.empty() ? std::to_string(static_cast<int>(segment)) : name;
}

}  // namespace router::ctl
