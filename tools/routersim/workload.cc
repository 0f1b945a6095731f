// The workload file (YAML, or JSON, which yaml-cpp reads as YAML) → sim::Workload. Every error
// names the source and the field path: "work.yaml: call_types[1].handle.mean_s: must be > 0".
#include <absl/time/time.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "tools/routersim/simulation.h"

namespace router::sim {
namespace {

// Limits on what a workload may ask for: past them is a clear error, never an hour-long run.
constexpr size_t kMaxCallTypes = 1000;
constexpr size_t kMaxIntervals = 10000;
constexpr size_t kMaxAgents = 100000;
constexpr size_t kMaxStringLength = 256;
constexpr int64_t kMaxReplications = 10000;
constexpr double kMaxDurationS = 366.0 * 24 * 3600;  // a simulated year
constexpr double kMaxPerHour = 1e7;

// Thrown inside this file only; parse_workload turns it into an engine::Error.
struct FieldError {
  std::string path;
  std::string message;
};

// A mapping node with the field path that led to it. Every key must be read or listed as
// known, so a misspelt field is reported rather than silently ignored.
class Fields {
 public:
  Fields(const YAML::Node& node, std::string path, std::initializer_list<std::string_view> known)
      : node_(node), path_(std::move(path)) {
    if (!node_.IsMap()) throw FieldError{path_or_top(), "must be a mapping"};
    for (const auto& kv : node_) {
      std::string key;
      try {
        key = kv.first.as<std::string>();
      } catch (const YAML::Exception&) {
        throw FieldError{path_or_top(), "keys must be strings"};
      }
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == key;
      if (!ok) {
        std::string expected;
        for (std::string_view k : known) {
          if (!expected.empty()) expected += ", ";
          expected += k;
        }
        throw FieldError{child(key), "unknown field (expected one of: " + expected + ")"};
      }
    }
  }

  bool has(const char* key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }
  YAML::Node node(const char* key) const { return node_[key]; }
  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  std::string path_or_top() const { return path_.empty() ? "(top level)" : path_; }

  double number(const char* key) const {
    if (!has(key)) throw FieldError{child(key), "required"};
    return as_number(node_[key], child(key));
  }
  double number_or(const char* key, double fallback) const {
    return has(key) ? as_number(node_[key], child(key)) : fallback;
  }
  int64_t integer_or(const char* key, int64_t fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    try {
      if (n.IsScalar()) return n.as<int64_t>();
    } catch (const YAML::Exception&) {
    }
    throw FieldError{child(key), "must be an integer"};
  }
  uint64_t unsigned_or(const char* key, uint64_t fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    try {
      if (n.IsScalar() && n.Scalar().find('-') == std::string::npos) return n.as<uint64_t>();
    } catch (const YAML::Exception&) {
    }
    throw FieldError{child(key), "must be a non-negative integer"};
  }
  std::string string(const char* key) const {
    if (!has(key)) throw FieldError{child(key), "required"};
    return as_string(node_[key], child(key));
  }
  std::string string_or(const char* key, std::string fallback) const {
    return has(key) ? as_string(node_[key], child(key)) : std::move(fallback);
  }

  static double as_number(const YAML::Node& n, const std::string& path) {
    double v = 0.0;
    try {
      if (!n.IsScalar()) throw FieldError{path, "must be a number"};
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      throw FieldError{path, "must be a number"};
    }
    if (!std::isfinite(v)) throw FieldError{path, "must be a finite number"};
    return v;
  }
  static std::string as_string(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) throw FieldError{path, "must be a string"};
    std::string s = n.Scalar();
    if (s.size() > kMaxStringLength) {
      throw FieldError{path, "longer than " + std::to_string(kMaxStringLength) + " characters"};
    }
    return s;
  }

 private:
  YAML::Node node_;
  std::string path_;
};

void check(bool ok, const std::string& path, const char* message) {
  if (!ok) throw FieldError{path, message};
}

engine::Channel parse_channel(const std::string& s, const std::string& path) {
  if (s == "phone") return engine::Channel::kPhone;
  if (s == "email") return engine::Channel::kEmail;
  if (s == "web_chat") return engine::Channel::kWebChat;
  if (s == "web_callback") return engine::Channel::kWebCallback;
  if (s == "work_item") return engine::Channel::kWorkItem;
  throw FieldError{path,
                   "'" + s + "' is not one of phone, email, web_chat, web_callback, work_item"};
}

engine::Segment parse_segment(const std::string& s, const std::string& path) {
  if (s == "strategic") return engine::Segment::kStrategic;
  if (s == "profitable") return engine::Segment::kProfitable;
  if (s == "ordinary") return engine::Segment::kOrdinary;
  if (s == "risk") return engine::Segment::kRisk;
  throw FieldError{path, "'" + s + "' is not one of strategic, profitable, ordinary, risk"};
}

HandleTime parse_handle(const YAML::Node& node, const std::string& path) {
  const Fields f(node, path, {"distribution", "mean_s", "sd_s"});
  HandleTime h;
  const std::string dist = f.string_or("distribution", "exponential");
  if (dist == "exponential") {
    h.distribution = Distribution::kExponential;
  } else if (dist == "lognormal") {
    h.distribution = Distribution::kLognormal;
  } else if (dist == "deterministic") {
    h.distribution = Distribution::kDeterministic;
  } else {
    throw FieldError{f.child("distribution"),
                     "'" + dist + "' is not one of exponential, lognormal, deterministic"};
  }
  h.mean_s = f.number("mean_s");
  check(h.mean_s > 0, f.child("mean_s"), "must be > 0");
  check(h.mean_s <= kMaxDurationS, f.child("mean_s"), "must be at most a year");
  if (h.distribution == Distribution::kLognormal) {
    h.sd_s = f.number("sd_s");
    check(h.sd_s > 0, f.child("sd_s"), "must be > 0");
  } else {
    check(!f.has("sd_s"), f.child("sd_s"), "only used by the lognormal distribution");
  }
  return h;
}

std::vector<RateInterval> parse_intervals(const YAML::Node& node, const std::string& path) {
  check(node.IsSequence(), path, "must be a list");
  check(node.size() > 0, path, "must not be empty");
  check(node.size() <= kMaxIntervals, path, "too many intervals");
  std::vector<RateInterval> out;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    const Fields f(node[i], p, {"from_s", "to_s", "per_hour"});
    RateInterval r;
    r.from_s = f.number("from_s");
    r.to_s = f.number("to_s");
    r.per_hour = f.number("per_hour");
    check(r.from_s >= 0, f.child("from_s"), "must be >= 0");
    check(r.to_s > r.from_s, f.child("to_s"), "must be > from_s");
    check(r.per_hour >= 0 && r.per_hour <= kMaxPerHour, f.child("per_hour"), "must be 0..10000000");
    if (!out.empty()) {
      check(r.from_s >= out.back().to_s, f.child("from_s"),
            "intervals must be in order and must not overlap");
    }
    out.push_back(r);
  }
  return out;
}

Scheduling parse_scheduled(const YAML::Node& node, const std::string& path) {
  const Fields f(node, path, {"share", "after_s"});
  Scheduling s;
  s.share = f.number("share");
  check(s.share > 0 && s.share <= 1, f.child("share"), "must be > 0 and at most 1");
  s.after_s = f.number("after_s");
  check(s.after_s > 0 && s.after_s <= kMaxDurationS, f.child("after_s"),
        "must be > 0 and at most a year");
  return s;
}

CallType parse_call_type(const YAML::Node& node, const std::string& path) {
  const Fields f(
      node, path,
      {"name", "queue", "channel", "per_hour", "intervals", "handle", "patience_mean_s", "segment",
       "lifetime_value", "language", "priority", "due_s", "scheduled", "last_agent_share"});
  CallType c;
  c.name = f.string("name");
  check(!c.name.empty(), f.child("name"), "must not be empty");
  c.queue = f.string("queue");
  c.channel = parse_channel(f.string_or("channel", "phone"), f.child("channel"));
  if (f.has("per_hour") == f.has("intervals")) {
    throw FieldError{path, "needs exactly one of per_hour or intervals"};
  }
  if (f.has("per_hour")) {
    c.per_hour = f.number("per_hour");
    check(c.per_hour >= 0 && c.per_hour <= kMaxPerHour, f.child("per_hour"), "must be 0..10000000");
  } else {
    c.intervals = parse_intervals(f.node("intervals"), f.child("intervals"));
  }
  if (!f.has("handle")) throw FieldError{f.child("handle"), "required"};
  c.handle = parse_handle(f.node("handle"), f.child("handle"));
  if (f.has("patience_mean_s")) {
    c.patience_mean_s = f.number("patience_mean_s");
    check(*c.patience_mean_s > 0, f.child("patience_mean_s"), "must be > 0");
  }
  c.segment = parse_segment(f.string_or("segment", "ordinary"), f.child("segment"));
  c.lifetime_value = f.number_or("lifetime_value", 0.0);
  check(c.lifetime_value >= 0, f.child("lifetime_value"), "must be >= 0");
  c.language = f.string_or("language", "");
  const int64_t priority = f.integer_or("priority", 0);
  check(priority >= 0 && priority <= 100, f.child("priority"), "must be 0..100");
  c.priority = static_cast<int>(priority);
  c.last_agent_share = f.number_or("last_agent_share", 0.0);
  check(c.last_agent_share >= 0 && c.last_agent_share <= 1, f.child("last_agent_share"),
        "must be 0..1");
  const bool work_item = c.channel == engine::Channel::kWorkItem;
  if (f.has("due_s")) {
    check(work_item, f.child("due_s"), "only for channel work_item");
    c.due_s = f.number("due_s");
    check(*c.due_s > 0 && *c.due_s <= kMaxDurationS, f.child("due_s"),
          "must be > 0 and at most a year");
  }
  if (f.has("scheduled")) {
    check(work_item, f.child("scheduled"), "only for channel work_item");
    c.scheduled = parse_scheduled(f.node("scheduled"), f.child("scheduled"));
    // The engine takes a due time at most 400 days ahead.
    check(c.scheduled->after_s + c.due_s.value_or(0) <= kMaxDurationS,
          f.child("scheduled") + ".after_s", "after_s + due_s must be at most a year");
  }
  return c;
}

Workload parse(const YAML::Node& root) {
  const Fields f(root, "",
                 {"duration_s", "warmup_s", "accept_delay_s", "replications", "seed", "agents",
                  "call_types", "start"});
  Workload w;
  w.duration_s = f.number_or("duration_s", w.duration_s);
  check(w.duration_s > 0 && w.duration_s <= kMaxDurationS, "duration_s",
        "must be > 0 and at most a year");
  w.warmup_s = f.number_or("warmup_s", w.warmup_s);
  check(w.warmup_s >= 0 && w.warmup_s <= kMaxDurationS, "warmup_s",
        "must be >= 0 and at most a year");
  w.accept_delay_s = f.number_or("accept_delay_s", w.accept_delay_s);
  check(w.accept_delay_s >= 0 && w.accept_delay_s <= 3600, "accept_delay_s", "must be 0..3600");
  const int64_t reps = f.integer_or("replications", w.replications);
  check(reps >= 1 && reps <= kMaxReplications, "replications", "must be 1..10000");
  w.replications = static_cast<int>(reps);
  w.seed = f.unsigned_or("seed", w.seed);
  if (f.has("start")) {
    const std::string text = Fields::as_string(f.node("start"), "start");
    absl::Time t;
    std::string why;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &why)) {
      throw FieldError{"start",
                       "must be an RFC 3339 time such as 2026-12-07T08:00:00Z (" + why + ")"};
    }
    w.start = absl::ToChronoTime(t);
  }
  if (f.has("agents")) {
    const YAML::Node agents = f.node("agents");
    check(agents.IsSequence(), "agents", "must be a list of agent names");
    check(agents.size() <= kMaxAgents, "agents", "too many agents");
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (size_t i = 0; i < agents.size(); ++i) {
      const std::string p = "agents[" + std::to_string(i) + "]";
      names.push_back(Fields::as_string(agents[i], p));
      check(seen.insert(names.back()).second, p, "listed twice");
    }
    w.agents = std::move(names);
  }
  if (!f.has("call_types")) throw FieldError{"call_types", "required"};
  const YAML::Node types = f.node("call_types");
  check(types.IsSequence(), "call_types", "must be a list");
  check(types.size() > 0, "call_types", "must not be empty");
  check(types.size() <= kMaxCallTypes, "call_types", "too many call types (at most 1000)");
  std::set<std::string> names;
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string p = "call_types[" + std::to_string(i) + "]";
    w.call_types.push_back(parse_call_type(types[i], p));
    check(names.insert(w.call_types.back().name).second, p + ".name", "duplicate call type name");
  }
  return w;
}

}  // namespace

engine::Result<Workload> parse_workload(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return engine::invalid_argument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                    std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  try {
    return parse(root);
  } catch (const FieldError& e) {
    return engine::invalid_argument(source + ": " + e.path + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return engine::invalid_argument(source + ": " + e.what());
  }
}

engine::Result<Workload> load_workload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return engine::not_found(path + ": cannot open the workload file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return engine::invalid_argument(path + ": read error");
  return parse_workload(text.str(), path);
}

}  // namespace router::sim
