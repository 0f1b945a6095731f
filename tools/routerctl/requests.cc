// routerctl's parsing of command-line words into API requests.
#include "tools/routerctl/requests.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>

namespace router::ctl {

namespace {

std::string quoted(std::string_view word) {
  std::string out("'");  // append: GCC 12 -O3 warns on "'" + string (-Wrestrict)
  out.append(word);
  out += '\'';
  return out;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

Parsed<v1::SkillLevel> parse_skill_level(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos) {
    return Parsed<v1::SkillLevel>::failure(quoted(word) + " is not SKILL=LEVEL (e.g. billing=7)");
  }
  const std::string_view skill = word.substr(0, eq);
  const std::string_view level_text = word.substr(eq + 1);
  if (is_blank(skill)) {
    return Parsed<v1::SkillLevel>::failure(quoted(word) + ": the skill name is empty");
  }
  int level = 0;
  const auto [end, ec] =
      std::from_chars(level_text.data(), level_text.data() + level_text.size(), level);
  if (level_text.empty() || ec != std::errc() || end != level_text.data() + level_text.size()) {
    return Parsed<v1::SkillLevel>::failure(quoted(word) + ": level " + quoted(level_text) +
                                           " is not a whole number 1..10");
  }
  if (level < kMinSkillLevel || level > kMaxSkillLevel) {
    return Parsed<v1::SkillLevel>::failure(quoted(word) + ": level " + std::to_string(level) +
                                           " is outside 1..10");
  }
  v1::SkillLevel out;
  out.set_skill(std::string(skill));
  out.set_level(level);
  return out;
}

Parsed<std::vector<v1::SkillLevel>> parse_skill_levels(const std::vector<std::string>& words) {
  std::vector<v1::SkillLevel> out;
  std::set<std::string> seen;
  for (const auto& word : words) {
    auto skill = parse_skill_level(word);
    if (!skill) return Parsed<std::vector<v1::SkillLevel>>::failure(skill.error());
    if (!seen.insert(skill->skill()).second) {
      return Parsed<std::vector<v1::SkillLevel>>::failure("skill " + quoted(skill->skill()) +
                                                          " is given twice");
    }
    out.push_back(std::move(skill).value());
  }
  return out;
}

Parsed<std::pair<std::string, std::string>> parse_attribute(std::string_view word) {
  using Result = Parsed<std::pair<std::string, std::string>>;
  const auto eq = word.find('=');
  if (eq == std::string_view::npos) {
    return Result::failure(quoted(word) + " is not KEY=VALUE (e.g. vip=yes)");
  }
  if (is_blank(word.substr(0, eq))) return Result::failure(quoted(word) + ": the key is empty");
  return std::pair{std::string(word.substr(0, eq)), std::string(word.substr(eq + 1))};
}

Parsed<v1::AgentState> parse_agent_state(std::string_view word) {
  std::string w(word);
  for (char& c : w) {
    if (c == '_') c = '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (w == "ready") return v1::READY;
  if (w == "not-ready") return v1::NOT_READY;
  if (w == "logged-out") return v1::LOGGED_OUT;
  return Parsed<v1::AgentState>::failure("state " + quoted(word) +
                                         " is not one of ready, not-ready, logged-out");
}

Parsed<v1::SubmitInteractionRequest> build_submit_request(const SubmitFlags& flags) {
  using Result = Parsed<v1::SubmitInteractionRequest>;
  v1::SubmitInteractionRequest request;
  if (flags.interaction_id.empty()) return Result::failure("--id: the interaction id is empty");
  request.set_interaction_id(flags.interaction_id);
  if (flags.priority < kMinPriority || flags.priority > kMaxPriority) {
    return Result::failure("--priority: " + std::to_string(flags.priority) + " is outside 0..100");
  }
  request.set_priority(flags.priority);
  request.set_intent(flags.intent);
  for (const auto& word : flags.attributes) {
    auto attribute = parse_attribute(word);
    if (!attribute) return Result::failure("--attr: " + attribute.error());
    if (!request.mutable_attributes()->insert({attribute->first, attribute->second}).second) {
      return Result::failure("--attr: key " + quoted(attribute->first) + " is given twice");
    }
  }

  if (flags.channel == "phone") {
    request.set_channel(v1::PHONE);
    auto& phone = *request.mutable_phone();
    phone.set_ani(flags.ani);
    phone.set_dnis(flags.dnis);
    phone.set_ivr_path(flags.ivr_path);
    phone.set_ivr_digits(flags.digits);
    phone.set_language(flags.language);
  } else if (flags.channel == "email") {
    request.set_channel(v1::EMAIL);
    auto& email = *request.mutable_email();
    email.set_from(flags.from);
    email.set_to_mailbox(flags.to);
    email.set_subject(flags.subject);
    email.set_message_id(flags.message_id);
    email.set_in_reply_to(flags.in_reply_to);
    for (const auto& id : flags.references) email.add_references(id);
    if (flags.received) *email.mutable_received() = *flags.received;
  } else if (flags.channel == "web") {
    auto& web = *request.mutable_web();
    web.set_visitor_id(flags.visitor);
    web.set_account_id(flags.account);
    web.set_page_url(flags.page);
    web.set_topic(flags.topic);
    if (flags.callback.empty()) {
      request.set_channel(v1::WEB_CHAT);
      web.set_kind(v1::WebDetails::CHAT);
    } else {
      request.set_channel(v1::WEB_CALLBACK);
      web.set_kind(v1::WebDetails::CALLBACK);
      web.set_callback_number(flags.callback);
    }
  } else if (flags.channel == "work") {
    request.set_channel(v1::WORK_ITEM);
    auto& item = *request.mutable_work_item();
    v1::WorkItemDetails::Type type = v1::WorkItemDetails::TYPE_UNSPECIFIED;
    std::string upper;
    for (char c : flags.work_type)
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!v1::WorkItemDetails::Type_Parse(upper, &type) ||
        type == v1::WorkItemDetails::TYPE_UNSPECIFIED) {
      return Result::failure("--type: " + quoted(flags.work_type) +
                             " is not one of service_request, lead, activity, callback");
    }
    item.set_type(type);
    item.set_customer_id(flags.customer_id);
    item.set_owner(flags.owner);
    item.set_subject(flags.subject);
    item.set_callback_number(flags.callback);
    if (flags.due) *item.mutable_due() = *flags.due;
    if (flags.not_before) *item.mutable_not_before() = *flags.not_before;
  } else {
    return Result::failure("channel " + quoted(flags.channel) +
                           " is not one of phone, email, web, work");
  }
  return request;
}

std::string generate_interaction_id(std::string_view channel) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return "ctl-" + std::string(channel) + "-" + std::string(stamp, n) + "-" + suffix;
}

Parsed<google::protobuf::Timestamp> parse_when(std::string_view flag, std::string_view text,
                                               std::chrono::system_clock::time_point now) {
  using Result = Parsed<google::protobuf::Timestamp>;
  const auto bad = [&] {
    return Result::failure(std::string(flag) + ": '" + std::string(text) +
                           "' is not a time (now, -15m, -2h, +8h, -1d, 2026-12-04, "
                           "2026-12-04T09:00, 2026-12-04T09:00:00Z)");
  };
  const auto at = [](std::chrono::system_clock::time_point t) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    google::protobuf::Timestamp out;
    out.set_seconds(ns / 1'000'000'000);
    out.set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
    return out;
  };
  if (text == "now") return at(now);
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    int64_t n = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data() + 1, end, n);
    if (ec != std::errc() || p + 1 != end || n < 0 || n > 100'000) return bad();
    int64_t unit = 0;
    switch (*p) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86'400; break;
      default: return bad();
    }
    return at(text[0] == '-' ? now - std::chrono::seconds(n * unit)
                             : now + std::chrono::seconds(n * unit));
  }
  const std::string s(text);
  std::tm tm{};
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &used) != 3 ||
      used != 10) {
    return bad();
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t i = 10;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return bad();
    int n = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 || n != 5) {
      return bad();
    }
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (std::sscanf(s.c_str() + i + 1, "%2d%n", &tm.tm_sec, &n) != 1 || n != 2) return bad();
      i += 3;
    }
  }
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  std::time_t t = 0;
  if (i == s.size()) {
    tm.tm_isdst = -1;  // local time
    t = std::mktime(&tm);
  } else if (s.substr(i) == "Z") {
    t = timegm(&tm);
  } else if ((s[i] == '+' || s[i] == '-') && s.size() == i + 6 && s[i + 3] == ':') {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59) {
      return bad();
    }
    t = timegm(&tm) - (s[i] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  } else {
    return bad();
  }
  if (t == static_cast<std::time_t>(-1) || t < 0) return bad();
  google::protobuf::Timestamp out;
  out.set_seconds(t);
  return out;
}

}  // namespace router::ctl
