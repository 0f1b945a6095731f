// Plain value types shared by the whole engine: distinct id types, injected time, the
// enumerations of the domain (channels, segments, states) and a small Result/Status.
// Pure C++: nothing here reads a clock or does I/O. Not thread-safe: values only.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace router::engine {

// ---------------------------------------------------------------------------------------------
// Ids. Each kind of id is its own type so an AgentId cannot be passed where a QueueId is meant.
template <class Tag, class Rep>
class StrongId {
 public:
  using rep = Rep;
  static constexpr Rep kInvalid = static_cast<Rep>(-1);

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}

  constexpr Rep value() const { return value_; }
  constexpr bool valid() const { return value_ != kInvalid; }
  constexpr auto operator<=>(const StrongId&) const = default;

 private:
  Rep value_ = kInvalid;
};

using AgentId = StrongId<struct AgentIdTag, uint32_t>;              // dense, assigned by add_agent
using QueueId = StrongId<struct QueueIdTag, uint32_t>;              // dense, assigned by add_queue
using SkillId = StrongId<struct SkillIdTag, uint32_t>;              // dense, assigned by add_skill
using InteractionId = StrongId<struct InteractionIdTag, uint64_t>;  // chosen by the host

// ---------------------------------------------------------------------------------------------
// Time. The engine has no clock of its own: every command carries `now`. TimePoint is a
// millisecond count on the host's monotonic timeline (the simulator's is simulated time).
struct EngineClock {
  using duration = std::chrono::milliseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<EngineClock, duration>;
  static constexpr bool is_steady = true;
};
using Duration = std::chrono::milliseconds;
using TimePoint = EngineClock::time_point;

inline double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// ---------------------------------------------------------------------------------------------
// Domain enumerations.
// kWorkItem: CRM work (service requests, leads, activities, scheduled callbacks) with a due
// time: docs/routing.md, "Work items".
enum class Channel : uint8_t {
  kPhone = 0,
  kEmail = 1,
  kWebChat = 2,
  kWebCallback = 3,
  kWorkItem = 4,
};
inline constexpr int kChannelCount = 5;
std::string_view to_string(Channel c);

// CRM value segments: strategic (high potential), profitable (high current value), ordinary
// (many, low value), risk (cost more than they bring).
enum class Segment : uint8_t { kStrategic = 0, kProfitable = 1, kOrdinary = 2, kRisk = 3 };
inline constexpr int kSegmentCount = 4;
std::string_view to_string(Segment s);
// The inverse of to_string(Segment), any case ("Strategic"); anything else: nothing. The one
// spelling of segments in customer files and customer stores.
std::optional<Segment> parse_segment(std::string_view s);

enum class InteractionState : uint8_t {
  kReceived,
  kQueued,
  kOffered,
  kAssigned,
  kWrapUp,
  kCompleted,
  kAbandoned,
  kExpired,
  kScheduled,  // a work item not routed before its time (not_before): waits in no queue yet
};
std::string_view to_string(InteractionState s);
// The lifecycle of ARCHITECTURE.md, as a predicate (used by the engine's own assertions and
// by the randomized test).
bool is_legal_transition(InteractionState from, InteractionState to);

// What an agent is doing, as a supervisor sees it. LOGGED_OUT, NOT_READY and READY are set by
// the agent (or a supervisor); RESERVED, BUSY and WRAP_UP are derived from the work held.
enum class AgentState : uint8_t { kLoggedOut, kNotReady, kReady, kReserved, kBusy, kWrapUp };
inline constexpr int kAgentStateCount = 6;
std::string_view to_string(AgentState s);
bool is_legal_transition(AgentState from, AgentState to);

inline constexpr int kMinSkillLevel = 1;
inline constexpr int kMaxSkillLevel = 10;

// ---------------------------------------------------------------------------------------------
// Errors. Expected failures are values; the message names the offending field so the gRPC
// layer can pass it on unchanged (see adapters/grpc for the one mapping to status codes).
enum class ErrorCode : uint8_t {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,
};
std::string_view to_string(ErrorCode c);

struct Error {
  ErrorCode code;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::kInvalidArgument, {}};
  bool ok_ = true;
};

inline Error invalid_argument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error already_exists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Error failed_precondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Error resource_exhausted(std::string m) {
  return {ErrorCode::kResourceExhausted, std::move(m)};
}
// A value named in an error message, in double quotes: control characters escaped, cut at
// `max_chars` ("..." marks the cut). Every layer quotes values the same way.
std::string quote(std::string_view s, size_t max_chars = 64);

}  // namespace router::engine

template <class Tag, class Rep>
struct std::hash<router::engine::StrongId<Tag, Rep>> {
  size_t operator()(router::engine::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
