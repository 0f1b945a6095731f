#include "adapters/ports/interval_store.h"

#include <utility>

namespace router::adapters::ports {

namespace {
constexpr char kSep = '\x1f';
}  // namespace

std::string interval_field(char scope, std::string_view metric, std::string_view name) {
  std::string out;
  out.reserve(metric.size() + name.size() + 3);
  out += scope;
  out += kSep;
  for (char c : metric) out += c == kSep ? '?' : c;
  out += kSep;
  out += name;
  return out;
}

bool split_interval_field(std::string_view field, char& scope, std::string& metric,
                          std::string& name) {
  if (field.size() < 3 || field[1] != kSep) return false;
  const size_t second = field.find(kSep, 2);
  if (second == std::string_view::npos) return false;
  scope = field[0];
  metric = std::string(field.substr(2, second - 2));
  name = std::string(field.substr(second + 1));
  return true;
}

void MemoryIntervalStore::add(std::vector<IntervalCounters> deltas,
                              std::function<void(absl::Status)> done) {
  {
    std::lock_guard lock(mu_);
    for (auto& d : deltas) {
      IntervalCounters& to = intervals_[{d.start_ms, d.length_ms}];
      to.start_ms = d.start_ms;
      to.length_ms = d.length_ms;
      for (const auto& [field, n] : d.fields) to.fields[field] += n;
    }
    while (intervals_.size() > capacity_) intervals_.erase(intervals_.begin());
  }
  done(absl::OkStatus());
}

bool IntervalQuery::wants(std::string_view field) const {
  if (scope == 0) return true;
  char s = 0;
  std::string metric, n;
  return split_interval_field(field, s, metric, n) && s == scope && n == name;
}

void MemoryIntervalStore::read(
    const IntervalQuery& query,
    std::function<void(absl::StatusOr<std::vector<IntervalCounters>>)> done) const {
  std::vector<IntervalCounters> out;
  {
    std::lock_guard lock(mu_);
    for (auto i = intervals_.lower_bound({query.from_ms, INT64_MIN});
         i != intervals_.end() && i->first.first < query.to_ms; ++i) {
      IntervalCounters c{i->second.start_ms, i->second.length_ms, {}};
      for (const auto& [field, n] : i->second.fields) {
        if (query.wants(field)) c.fields.emplace(field, n);
      }
      if (!c.fields.empty()) out.push_back(std::move(c));
    }
  }
  done(std::move(out));
}

}  // namespace router::adapters::ports
