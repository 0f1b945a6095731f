// Entry-point rules: how an arriving interaction finds its queue. The rules are
// RoutingConfig.entry_points (proto/router/v1/config.proto), tried in file order; the first rule
// whose every set field equals the arrival's wins. An arrival no rule matches is refused by the
// host. Invariants after build(): every rule names an existing queue serving its channel,
// existing skills at levels 1..10, a priority of 0..100, and a normalized address.
// Thread-safe for concurrent match() calls (immutable after build); rebuilt on reload.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/channels/normalize.h"
#include "engine/model.h"
#include "engine/types.h"

namespace router::v1 {
class RoutingConfig;
}

namespace router::adapters::channels {

inline constexpr size_t kMaxEntryPoints = 10'000;
inline constexpr size_t kMaxEntryPointSkills = 8;  // engine Limits::max_extra_skills

// What the host knows of an interaction when it arrives, normalized.
struct Arrival {
  engine::Channel channel = engine::Channel::kPhone;
  // PHONE: the DNIS as PhoneNormalizer::to_dialled_number gives it (E.164, or the digits of
  // a short internal number); EMAIL: the receiving mailbox,
  // lower-cased (normalize_email); WEB_*: the widget's topic. Empty: none.
  std::string address;
  std::string intent;    // SubmitInteractionRequest.intent; empty: none
  std::string language;  // from the IVR or the customer record; empty: unknown
};

// What the matching rule adds to the interaction.
struct Route {
  engine::QueueId queue;
  std::vector<engine::SkillRequirement> extra_skills;  // on top of the queue's
  int priority_bonus = 0;                              // 0..100; the host caps the sum at 100
  std::string set_language;  // the interaction's language when it has none; empty: leave it
  int rule_index = -1;       // index in RoutingConfig.entry_points, for logs and ExplainRouting
};

class EntryPointTable {
 public:
  EntryPointTable() = default;  // no rules: matches nothing

  // Resolves and validates config.entry_points against the center they route into (queue ids
  // are indexes in center.queues, skill ids indexes in center.skills, as a Router built from it
  // assigns them; strings are limited by center.router.limits).
  // Errors name the field path, prefixed by "<source>: " when `source` is not empty:
  // `entry_points[2].queue: unknown queue "biling"`.
  static engine::Result<EntryPointTable> build(const router::v1::RoutingConfig& config,
                                               const engine::CenterModel& center,
                                               const PhoneNormalizer& phones,
                                               std::string_view source = {});

  // The first rule that matches, or nothing. Channels must be equal; every field the rule
  // sets must equal the arrival's (address exactly after normalization, intent, language and
  // web topics case-insensitively). O(rules of the arrival's channel).
  std::optional<Route> match(const Arrival& arrival) const;

  size_t size() const { return size_; }

 private:
  struct Rule {
    std::string address;   // normalized; lower-cased for email and web
    std::string intent;    // lower-cased
    std::string language;  // lower-cased
    Route route;
  };

  std::array<std::vector<Rule>, engine::kChannelCount> by_channel_;  // each in file order
  size_t size_ = 0;
};

}  // namespace router::adapters::channels
