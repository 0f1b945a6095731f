#include "adapters/config/opening_hours.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace router::adapters::config {
namespace {

constexpr size_t kMaxWeekly = 64;
constexpr size_t kMaxHolidays = 1000;
constexpr size_t kMaxPeriods = 8;
constexpr int kMinutesPerDay = 24 * 60;
// next_open() looks this many days ahead (a year and a leap day).
constexpr int kLookAheadDays = 367;

// [start, end) in minutes since the day's local midnight.
struct Period {
  int start = 0;
  int end = 0;
};
using Periods = std::vector<Period>;

int weekday_index(absl::CivilDay d) {  // 0 = Monday
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday: return 0;
    case absl::Weekday::tuesday: return 1;
    case absl::Weekday::wednesday: return 2;
    case absl::Weekday::thursday: return 3;
    case absl::Weekday::friday: return 4;
    case absl::Weekday::saturday: return 5;
    case absl::Weekday::sunday: return 6;
  }
  return 0;
}

class Schedule final : public engine::OpeningHours {
 public:
  Schedule(absl::TimeZone tz, std::string tz_name, std::array<Periods, 7> weekly,
           std::map<absl::CivilDay, Periods> days)
      : tz_(tz), tz_name_(std::move(tz_name)), weekly_(std::move(weekly)), days_(std::move(days)) {}

  bool open_at(WallTime t) const override {
    const absl::CivilSecond cs = absl::ToCivilSecond(absl::FromChrono(t), tz_);
    const int minute = cs.hour() * 60 + cs.minute();
    for (const Period& p : periods(absl::CivilDay(cs))) {
      if (minute >= p.start && minute < p.end) return true;
    }
    return false;
  }

  std::optional<WallTime> next_open(WallTime t) const override {
    if (open_at(t)) return t;
    const absl::CivilSecond cs = absl::ToCivilSecond(absl::FromChrono(t), tz_);
    const absl::CivilDay today(cs);
    const int minute = cs.hour() * 60 + cs.minute();
    for (int d = 0; d <= kLookAheadDays; ++d) {
      const absl::CivilDay day = today + d;
      std::optional<int> first;
      for (const Period& p : periods(day)) {
        // Today only a later period: closed now, so none holds the current minute.
        if (d == 0 && p.start <= minute) continue;
        if (!first || p.start < *first) first = p.start;
      }
      if (!first) continue;
      const absl::CivilSecond start = absl::CivilSecond(day) + *first * 60;
      const absl::TimeZone::TimeInfo info = tz_.At(start);
      // A start inside a daylight-saving gap opens at the transition.
      const absl::Time at = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
      return std::max(t, absl::ToChronoTime(at));
    }
    return std::nullopt;
  }

  std::string describe_next_open(WallTime t) const override {
    const auto opens = next_open(t);
    if (!opens) return "no opening within a year";
    return "opens " + absl::FormatTime("%a %Y-%m-%d %H:%M", absl::FromChrono(*opens), tz_) + " " +
           tz_name_;
  }

 private:
  const Periods& periods(absl::CivilDay d) const {
    if (auto e = days_.find(d); e != days_.end()) return e->second;
    return weekly_[static_cast<size_t>(weekday_index(d))];
  }

  absl::TimeZone tz_;
  std::string tz_name_;
  std::array<Periods, 7> weekly_;
  std::map<absl::CivilDay, Periods> days_;  // holidays: closed, or open only these periods
};

// `s` cut at `sep` (empty parts kept, none dropped). Debian's Abseil has its own string_view, so
// its splitting is not used here.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t from = 0;;) {
    const size_t at = s.find(sep, from);
    out.push_back(
        s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

bool two_digits(std::string_view s, int& out) {
  if (s.size() != 2 || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1]))) {
    return false;
  }
  out = (s[0] - '0') * 10 + (s[1] - '0');
  return true;
}

engine::Error bad(const std::string& path, const std::string& what) {
  return engine::invalid_argument(path + ": " + what);
}

// "08:00" → 480; "24:00" only as an end.
std::optional<int> parse_clock(std::string_view s, bool end) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  int h = 0, m = 0;
  if (!two_digits(s.substr(0, 2), h) || !two_digits(s.substr(3, 2), m)) return std::nullopt;
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && (m != 0 || !end))) return std::nullopt;
  return h * 60 + m;
}

// "08:00-18:00" ...
std::optional<engine::Error> parse_periods(const std::vector<std::string_view>& words,
                                           const std::string& path, Periods& out) {
  if (words.size() > kMaxPeriods) {
    return bad(path, "more than " + std::to_string(kMaxPeriods) + " periods");
  }
  for (std::string_view w : words) {
    const std::vector<std::string_view> ends = split(w, '-');
    const auto from = ends.size() == 2 ? parse_clock(ends[0], false) : std::nullopt;
    const auto to = ends.size() == 2 ? parse_clock(ends[1], true) : std::nullopt;
    if (!from || !to) {
      return bad(path, "'" + std::string(w) + "' is not a period HH:MM-HH:MM (00:00..24:00)");
    }
    if (*to <= *from) {
      return bad(path, "'" + std::string(w) +
                           "' ends before it starts (split a period past midnight in two)");
    }
    out.push_back(Period{*from, *to});
  }
  return std::nullopt;
}

std::optional<int> parse_day(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays{"mon", "tue", "wed", "thu",
                                                         "fri", "sat", "sun"};
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < kDays.size(); ++i) {
    if (lower == kDays[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "mon-fri", "sat,sun", "fri-mon" (wraps) → the days' indexes.
std::optional<engine::Error> parse_days(std::string_view s, const std::string& path,
                                        std::vector<int>& out) {
  for (std::string_view part : split(s, ',')) {
    const std::vector<std::string_view> range = split(part, '-');
    const auto first = parse_day(range[0]);
    const auto last = range.size() == 2 ? parse_day(range[1]) : first;
    if (range.size() > 2 || !first || !last) {
      return bad(path, "'" + std::string(part) +
                           "' is not a day or a range of days (mon, tue, wed, thu, fri, sat, sun)");
    }
    for (int d = *first;; d = (d + 1) % 7) {
      out.push_back(d);
      if (d == *last) break;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> words_of(const std::string& line) {
  std::vector<std::string_view> out;
  for (std::string_view w : split(line, ' ')) {
    for (std::string_view part : split(w, '\t')) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

}  // namespace

engine::Result<std::shared_ptr<const engine::OpeningHours>> parse_opening_hours(
    const v1::OpeningHours& in, const std::string& path) {
  const std::string tz_name = in.time_zone().empty() ? "UTC" : in.time_zone();
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(tz_name, &tz)) {
    return bad(path + ".time_zone", "unknown time zone '" + tz_name +
                                        "' (not in the system's tz database, "
                                        "/usr/share/zoneinfo; install tzdata)");
  }
  if (in.weekly_size() > static_cast<int>(kMaxWeekly)) {
    return bad(path + ".weekly", "more than " + std::to_string(kMaxWeekly) + " entries");
  }
  if (in.holidays_size() > static_cast<int>(kMaxHolidays)) {
    return bad(path + ".holidays", "more than " + std::to_string(kMaxHolidays) + " entries");
  }
  std::array<Periods, 7> weekly;
  for (int i = 0; i < in.weekly_size(); ++i) {
    const std::string p = path + ".weekly[" + std::to_string(i) + "]";
    const auto words = words_of(in.weekly(i));
    if (words.size() < 2) {
      return bad(p, "must be days and periods, e.g. 'mon-fri 08:00-18:00'");
    }
    std::vector<int> days;
    if (auto e = parse_days(words[0], p, days)) return *e;
    Periods periods;
    if (auto e = parse_periods({words.begin() + 1, words.end()}, p, periods)) return *e;
    for (int d : days) {
      weekly[static_cast<size_t>(d)].insert(weekly[static_cast<size_t>(d)].end(), periods.begin(),
                                            periods.end());
    }
  }
  std::map<absl::CivilDay, Periods> days;
  for (int i = 0; i < in.holidays_size(); ++i) {
    const std::string p = path + ".holidays[" + std::to_string(i) + "]";
    const auto words = words_of(in.holidays(i));
    absl::CivilDay day;
    if (words.empty() || words[0].size() != 10 ||
        !absl::ParseCivilTime(std::string(words[0]), &day)) {
      return bad(p,
                 "must start with a date YYYY-MM-DD, e.g. '2026-12-25' or "
                 "'2026-12-24 08:00-12:00'");
    }
    Periods& periods = days[day];
    if (auto e = parse_periods({words.begin() + 1, words.end()}, p, periods)) return *e;
  }
  return std::shared_ptr<const engine::OpeningHours>(
      std::make_shared<Schedule>(tz, tz_name, std::move(weekly), std::move(days)));
}

}  // namespace router::adapters::config
