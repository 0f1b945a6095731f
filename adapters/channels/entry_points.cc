// EntryPoint messages → resolved rules indexed by channel; first match in file order.
#include "adapters/channels/entry_points.h"

#include <set>
#include <unordered_map>

#include "router/v1/config.pb.h"

namespace router::adapters::channels {
namespace {

std::optional<engine::Channel> from_proto(int c) {
  switch (c) {
    case v1::PHONE: return engine::Channel::kPhone;
    case v1::EMAIL: return engine::Channel::kEmail;
    case v1::WEB_CHAT: return engine::Channel::kWebChat;
    case v1::WEB_CALLBACK: return engine::Channel::kWebCallback;
    case v1::WORK_ITEM: return engine::Channel::kWorkItem;
    default: return std::nullopt;
  }
}

// The proto's spelling, as a configuration author wrote it.
const char* proto_name(engine::Channel c) {
  switch (c) {
    case engine::Channel::kPhone: return "PHONE";
    case engine::Channel::kEmail: return "EMAIL";
    case engine::Channel::kWebChat: return "WEB_CHAT";
    case engine::Channel::kWebCallback: return "WEB_CALLBACK";
    case engine::Channel::kWorkItem: return "WORK_ITEM";
  }
  return "?";
}

class Builder {
 public:
  Builder(const engine::CenterModel& model, const PhoneNormalizer& phones, std::string_view source)
      : model_(model), phones_(phones), source_(source) {
    for (size_t i = 0; i < model.queues.size(); ++i) {
      queue_ids_.emplace(model.queues[i].name, static_cast<uint32_t>(i));
    }
    for (size_t i = 0; i < model.skills.size(); ++i) {
      skill_ids_.emplace(model.skills[i], static_cast<uint32_t>(i));
    }
  }

  std::optional<engine::Error> fail(const std::string& path, const std::string& what) const {
    std::string message = path + ": " + what;
    if (!source_.empty()) message = std::string(source_) + ": " + message;
    return engine::invalid_argument(std::move(message));
  }

  // A rule's optional text field: at most the configured string length.
  std::optional<engine::Error> text(const std::string& value, const std::string& path) const {
    const size_t max = model_.router.limits.max_string_length;
    if (value.size() > max) return fail(path, "longer than " + std::to_string(max) + " characters");
    return std::nullopt;
  }

  // Fills `channel` and the rule; the first error found, with its path.
  std::optional<engine::Error> rule(const v1::EntryPoint& in, const std::string& path,
                                    engine::Channel& channel, std::string& address,
                                    std::string& intent, std::string& language,
                                    Route& route) const {
    if (in.channel() == v1::CHANNEL_UNSPECIFIED) return fail(path + ".channel", "required");
    const auto ch = from_proto(in.channel());
    if (!ch)
      return fail(path + ".channel", "must be PHONE, EMAIL, WEB_CHAT, WEB_CALLBACK or WORK_ITEM");
    channel = *ch;

    if (in.queue().empty()) return fail(path + ".queue", "required");
    const auto queue = queue_ids_.find(in.queue());
    if (queue == queue_ids_.end())
      return fail(path + ".queue", "unknown queue " + engine::quote(in.queue()));
    if (!model_.queues[queue->second].channels.test(static_cast<size_t>(channel))) {
      return fail(path + ".queue",
                  "queue " + engine::quote(in.queue()) + " does not serve " + proto_name(channel));
    }
    route.queue = engine::QueueId(queue->second);

    for (const auto& [value, field] :
         {std::pair{&in.address(), ".address"}, std::pair{&in.intent(), ".intent"},
          std::pair{&in.language(), ".language"}, std::pair{&in.set_language(), ".set_language"}}) {
      if (auto e = text(*value, path + field)) return e;
    }
    const std::string_view raw_address = trim_ascii(in.address());
    if (!raw_address.empty()) {
      switch (channel) {
        case engine::Channel::kPhone: {
          auto dialled = phones_.to_dialled_number(raw_address);
          if (!dialled.ok()) return fail(path + ".address", dialled.error().message);
          address = std::move(dialled).value();
          break;
        }
        case engine::Channel::kEmail: {
          auto email = normalize_email(raw_address);
          if (!email.ok()) return fail(path + ".address", email.error().message);
          address = std::move(email).value();
          break;
        }
        case engine::Channel::kWebChat:
        case engine::Channel::kWebCallback: address = to_lower_ascii(raw_address); break;
        case engine::Channel::kWorkItem:
          address = to_lower_ascii(raw_address);
          if (!is_work_item_type(address)) {
            return fail(path + ".address",
                        "must be a work item type: service_request, lead, activity or callback");
          }
          break;
      }
    }
    intent = to_lower_ascii(trim_ascii(in.intent()));
    language = to_lower_ascii(trim_ascii(in.language()));

    if (static_cast<size_t>(in.skills_size()) > kMaxEntryPointSkills) {
      return fail(path + ".skills", "at most " + std::to_string(kMaxEntryPointSkills) + " skills");
    }
    std::set<std::string> seen;
    for (int i = 0; i < in.skills_size(); ++i) {
      const std::string p = path + ".skills[" + std::to_string(i) + "]";
      const v1::SkillRequirement& s = in.skills(i);
      if (s.skill().empty()) return fail(p + ".skill", "required");
      const auto skill = skill_ids_.find(s.skill());
      if (skill == skill_ids_.end())
        return fail(p + ".skill", "unknown skill " + engine::quote(s.skill()));
      if (!seen.insert(s.skill()).second) return fail(p + ".skill", "listed twice");
      const int level = s.min_level() == 0 ? engine::kMinSkillLevel : s.min_level();
      if (level < engine::kMinSkillLevel || level > engine::kMaxSkillLevel) {
        return fail(p + ".min_level", "must be 1..10, got " + std::to_string(s.min_level()));
      }
      route.extra_skills.push_back(engine::SkillRequirement{engine::SkillId(skill->second), level});
    }

    if (in.priority() < 0 || in.priority() > 100) {
      return fail(path + ".priority", "must be 0..100, got " + std::to_string(in.priority()));
    }
    route.priority_bonus = in.priority();
    route.set_language = std::string(trim_ascii(in.set_language()));
    return std::nullopt;
  }

 private:
  const engine::CenterModel& model_;
  const PhoneNormalizer& phones_;
  std::string_view source_;
  std::unordered_map<std::string, uint32_t> queue_ids_;
  std::unordered_map<std::string, uint32_t> skill_ids_;
};

// Every field the rule sets must be equal; an empty rule field matches anything.
bool field_matches(const std::string& rule, const std::string& arrival) {
  return rule.empty() || equals_ignore_case(rule, trim_ascii(arrival));
}

}  // namespace

engine::Result<EntryPointTable> EntryPointTable::build(const v1::RoutingConfig& config,
                                                       const engine::CenterModel& center,
                                                       const PhoneNormalizer& phones,
                                                       std::string_view source) {
  Builder builder(center, phones, source);
  if (static_cast<size_t>(config.entry_points_size()) > kMaxEntryPoints) {
    return *builder.fail("entry_points", "at most " + std::to_string(kMaxEntryPoints) + " rules");
  }
  EntryPointTable table;
  for (int i = 0; i < config.entry_points_size(); ++i) {
    engine::Channel channel = engine::Channel::kPhone;
    Rule rule;
    if (auto e = builder.rule(config.entry_points(i), "entry_points[" + std::to_string(i) + "]",
                              channel, rule.address, rule.intent, rule.language, rule.route)) {
      return *e;
    }
    rule.route.rule_index = i;
    table.by_channel_[static_cast<size_t>(channel)].push_back(std::move(rule));
    ++table.size_;
  }
  return table;
}

std::optional<Route> EntryPointTable::match(const Arrival& arrival) const {
  const auto channel = static_cast<size_t>(arrival.channel);
  if (channel >= by_channel_.size()) return std::nullopt;
  for (const Rule& rule : by_channel_[channel]) {
    if (field_matches(rule.address, arrival.address) &&
        field_matches(rule.intent, arrival.intent) &&
        field_matches(rule.language, arrival.language)) {
      return rule.route;
    }
  }
  return std::nullopt;
}

}  // namespace router::adapters::channels
