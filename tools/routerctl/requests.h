// Turns routerctl's command-line words into API requests: SKILL=LEVEL and KEY=VALUE words,
// agent state words, and the submit command's flags into a SubmitInteractionRequest. Every
// error is a sentence naming the word that is wrong. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "router/v1/router.pb.h"

namespace router::ctl {

// A parsed value, or the message saying why the words did not parse.
template <class T>
class [[nodiscard]] Parsed {
 public:
  Parsed(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  static Parsed failure(std::string message) { return Parsed(Error{std::move(message)}); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  // REQUIRES: !ok().
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  struct Error {
    std::string message;
  };
  explicit Parsed(Error error) : v_(std::move(error)) {}
  std::variant<T, Error> v_;
};

inline constexpr int kMinSkillLevel = 1;
inline constexpr int kMaxSkillLevel = 10;
inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 100;

// "billing=7" → {skill "billing", level 7}. The level is an integer 1..10.
Parsed<v1::SkillLevel> parse_skill_level(std::string_view word);

// Every word as SKILL=LEVEL; a skill named twice is an error (the request replaces the whole
// set, so a repeat is almost certainly a typo).
Parsed<std::vector<v1::SkillLevel>> parse_skill_levels(const std::vector<std::string>& words);

// "vip=yes" → {"vip", "yes"}. The key is not empty; the value may be, and may contain '='.
Parsed<std::pair<std::string, std::string>> parse_attribute(std::string_view word);

// "ready", "not-ready", "logged-out" (also with '_') → the API's AgentState.
Parsed<v1::AgentState> parse_agent_state(std::string_view word);

// The submit command's flags. Empty strings are "not given".
struct SubmitFlags {
  std::string channel;  // "phone", "email", "web" or "work"
  std::string interaction_id;
  int priority = 0;
  std::string intent;
  std::vector<std::string> attributes;  // KEY=VALUE words
  // phone
  std::string ani;
  std::string dnis;
  std::string ivr_path;
  std::string digits;
  std::string language;
  // email
  std::string from;
  std::string to;
  std::string subject;
  std::string message_id;
  std::string in_reply_to;
  std::vector<std::string> references;
  std::optional<google::protobuf::Timestamp> received;
  // web
  std::string visitor;
  std::string account;
  std::string page;
  std::string topic;
  std::string callback;  // set: channel WEB_CALLBACK; empty: WEB_CHAT (work: the number to call)
  // work (channel WORK_ITEM)
  std::string work_type;  // service_request, lead, activity or callback (any case)
  std::string customer_id;
  std::string owner;
  std::optional<google::protobuf::Timestamp> due;
  std::optional<google::protobuf::Timestamp> not_before;
};

// REQUIRES: flags.interaction_id is set (the caller generates one when --id is absent).
// Checks what the command line can know (channel word, priority range, KEY=VALUE form,
// repeated keys) and leaves the rest (entry points, lengths) to routerd.
Parsed<v1::SubmitInteractionRequest> build_submit_request(const SubmitFlags& flags);

// A fresh interaction id for `submit` without --id: "ctl-<channel>-<UTC time>-<random>",
// e.g. "ctl-phone-20240611T140327Z-5f3a9c01". Unique across runs for practical purposes.
std::string generate_interaction_id(std::string_view channel);

// A --from/--to (or --due/--not-before) time: "now"; "-N" or "+N" with a unit s, m, h or d
// ("-15m": 15 minutes before `now`, "+8h": 8 hours after);
// "YYYY-MM-DD" (local midnight); "YYYY-MM-DDTHH:MM[:SS]" in local time, or with "Z" or
// "+HH:MM"/"-HH:MM" after it (RFC 3339). The error names `flag`.
Parsed<google::protobuf::Timestamp> parse_when(std::string_view flag, std::string_view text,
                                               std::chrono::system_clock::time_point now);

}  // namespace router::ctl
