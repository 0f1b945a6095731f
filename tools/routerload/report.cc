// Figures merged, printed as a table or JSON (report.h).
#include "tools/routerload/report.h"

#include <cstdio>
#include <string_view>

namespace router::load {
namespace {

struct LatencyRow {
  const char* key;   // JSON key
  const char* name;  // table row
  LatencyHistogram Figures::*histogram;
};
constexpr LatencyRow kLatencies[] = {
    {"submit_ack", "submit ack", &Figures::submit_ack},
    {"submit_to_offer", "submit -> offer", &Figures::submit_to_offer},
    {"accept_ack", "accept ack", &Figures::accept_ack},
    {"complete_ack", "complete ack", &Figures::complete_ack},
};
struct Percentile {
  const char* key;
  const char* name;
  double p;
};
constexpr Percentile kPercentiles[] = {
    {"p50", "p50", 50}, {"p90", "p90", 90}, {"p99", "p99", 99}, {"p99_9", "p99.9", 99.9}};

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

nlohmann::json latency_json(const LatencyHistogram& h) {
  nlohmann::json j;
  for (const auto& p : kPercentiles) j[p.key] = ms(h.percentile(p.p));
  j["max"] = ms(h.max());
  j["mean"] = ms(h.mean());
  j["count"] = h.count();
  return j;
}

nlohmann::json report_json(const Report& r) {
  const Figures& f = r.figures;
  nlohmann::json j;
  j["label"] = r.label;
  j["api"] = r.api;
  j["window_s"] = r.window_s;
  j["run_s"] = r.run_s;
  j["lifecycles_per_s"] = r.lifecycles_per_s();
  j["rpcs_per_s"] = r.rpcs_per_s();
  j["counts"] = {{"submitted", f.submitted},
                 {"offered", f.offered},
                 {"accepted", f.accepted},
                 {"completed", f.completed},
                 {"rpcs", f.rpcs},
                 {"stream_events", f.stream_events},
                 {"submitted_total", f.submitted_total},
                 {"completed_total", f.completed_total},
                 {"cancelled_at_end", f.cancelled_at_end},
                 {"unfinished", f.unfinished},
                 {"throttled", f.throttled},
                 {"reoffered_after_accept", f.reoffered_after_accept}};
  nlohmann::json lat = nlohmann::json::object();
  for (const auto& row : kLatencies) lat[row.key] = latency_json(f.*row.histogram);
  j["latency_ms"] = lat;
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& [key, count] : f.errors) {
    nlohmann::json e = {
        {"rpc", rpc_name(key.first)}, {"code", status_code_name(key.second)}, {"count", count}};
    if (auto it = f.error_examples.find(key); it != f.error_examples.end()) {
      e["example"] = it->second;
    }
    errors.push_back(e);
  }
  j["errors"] = errors;
  j["reoffered_examples"] = f.reoffered_examples;
  if (r.server.measured) {
    j["server"] = {{"cpu_s", r.server.cpu_s},
                   {"cpu_us_per_lifecycle", r.server.cpu_us_per_lifecycle},
                   {"rss_before_bytes", r.server.rss_before},
                   {"rss_connected_bytes", r.server.rss_connected},
                   {"rss_per_agent_bytes", r.server.rss_per_agent},
                   {"agents", r.server.agents}};
  }
  return j;
}

void append(std::string& out, const char* format, auto... args) {
  char line[256];
  std::snprintf(line, sizeof line, format, args...);
  out += line;
}

}  // namespace

const char* rpc_name(Rpc rpc) {
  switch (rpc) {
    case Rpc::kSubmit: return "SubmitInteraction";
    case Rpc::kCancel: return "CancelInteraction";
    case Rpc::kLogin: return "Login";
    case Rpc::kSetState: return "SetState";
    case Rpc::kAccept: return "AcceptOffer";
    case Rpc::kReject: return "RejectOffer";
    case Rpc::kComplete: return "CompleteInteraction";
    case Rpc::kEndWrapUp: return "EndWrapUp";
    case Rpc::kLogout: return "Logout";
    case Rpc::kStreamWork: return "StreamWork";
    case Rpc::kGatewayStream: return "GatewayStream";
    case Rpc::kAgentSession: return "AgentSession";
    case Rpc::kAgentLink: return "AgentLink";
  }
  return "?";
}

std::string status_code_name(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  if (code >= 0 && static_cast<size_t>(code) < std::size(kNames)) return kNames[code];
  return "CODE_" + std::to_string(code);
}

uint64_t Figures::error_count() const {
  uint64_t n = 0;
  for (const auto& [key, count] : errors) n += count;
  return n;
}

void Figures::merge(const Figures& o) {
  for (const auto& row : kLatencies) (this->*row.histogram).merge(o.*row.histogram);
  submitted += o.submitted;
  offered += o.offered;
  accepted += o.accepted;
  completed += o.completed;
  rpcs += o.rpcs;
  stream_events += o.stream_events;
  submitted_total += o.submitted_total;
  completed_total += o.completed_total;
  cancelled_at_end += o.cancelled_at_end;
  unfinished += o.unfinished;
  throttled += o.throttled;
  reoffered_after_accept += o.reoffered_after_accept;
  for (const auto& e : o.reoffered_examples) {
    if (reoffered_examples.size() < kMaxReofferedExamples) reoffered_examples.push_back(e);
  }
  for (const auto& [key, count] : o.errors) errors[key] += count;
  for (const auto& [key, message] : o.error_examples) error_examples.emplace(key, message);
}

double Report::lifecycles_per_s() const {
  return window_s > 0 ? static_cast<double>(figures.completed) / window_s : 0.0;
}

double Report::rpcs_per_s() const {
  return window_s > 0 ? static_cast<double>(figures.rpcs + figures.stream_events) / window_s : 0.0;
}

std::string format_table(const Report& r, const Report* base) {
  const Figures& f = r.figures;
  std::string out;
  append(out, "%s, api %s: %.1f s measured (%.1f s run)\n", r.label.c_str(), r.api.c_str(),
         r.window_s, r.run_s);
  if (base != nullptr) {
    append(out, "baseline %s, api %s: %.1f s measured\n", base->label.c_str(), base->api.c_str(),
           base->window_s);
  }
  for (const Report* x : {&r, base}) {
    if (x == nullptr || !x->server.measured) continue;
    append(out, "%s: %.1f CPU µs per lifecycle; %.0f bytes RSS per connected agent (%zu agents)\n",
           x->label.c_str(), x->server.cpu_us_per_lifecycle, x->server.rss_per_agent,
           x->server.agents);
  }
  append(out, "%-22s %14s", "", "this run");
  if (base != nullptr) append(out, " %14s %8s", "baseline", "ratio");
  out += '\n';
  auto rate_row = [&](const char* name, double mine, double theirs) {
    append(out, "%-22s %14.0f", name, mine);
    if (base != nullptr) append(out, " %14.0f %8.2f", theirs, ratio(mine, theirs));
    out += '\n';
  };
  rate_row("lifecycles/s", r.lifecycles_per_s(), base ? base->lifecycles_per_s() : 0);
  rate_row("RPCs+events/s", r.rpcs_per_s(), base ? base->rpcs_per_s() : 0);
  out += "latency, ms             p50      p90      p99    p99.9      max";
  if (base != nullptr) out += "   base p99  ratio";
  out += '\n';
  for (const auto& row : kLatencies) {
    const LatencyHistogram& h = f.*row.histogram;
    append(out, "%-18s", row.name);
    for (const auto& p : kPercentiles) append(out, " %8.3f", ms(h.percentile(p.p)));
    append(out, " %8.3f", ms(h.max()));
    if (base != nullptr) {
      const double theirs = ms((base->figures.*row.histogram).percentile(99));
      append(out, " %10.3f %6.2f", theirs, ratio(ms(h.percentile(99)), theirs));
    }
    out += '\n';
  }
  append(out,
         "counts: submitted %llu, offered %llu, accepted %llu, completed %llu (in the window); "
         "%llu submitted and %llu completed in all",
         static_cast<unsigned long long>(f.submitted), static_cast<unsigned long long>(f.offered),
         static_cast<unsigned long long>(f.accepted), static_cast<unsigned long long>(f.completed),
         static_cast<unsigned long long>(f.submitted_total),
         static_cast<unsigned long long>(f.completed_total));
  if (f.throttled > 0) {
    append(out, "; %llu arrivals not sent (--max-inflight reached)",
           static_cast<unsigned long long>(f.throttled));
  }
  if (f.reoffered_after_accept > 0) {
    append(out, "; %llu offered again after an accept was answered OK",
           static_cast<unsigned long long>(f.reoffered_after_accept));
  }
  if (f.cancelled_at_end > 0 || f.unfinished > 0) {
    append(out, "; %llu cancelled after the drain, %llu unfinished",
           static_cast<unsigned long long>(f.cancelled_at_end),
           static_cast<unsigned long long>(f.unfinished));
  }
  out += '\n';
  if (f.errors.empty()) {
    out += "errors: none\n";
  } else {
    out += "errors:\n";
    for (const auto& [key, count] : f.errors) {
      append(out, "  %s %s x%llu", rpc_name(key.first), status_code_name(key.second).c_str(),
             static_cast<unsigned long long>(count));
      if (auto it = f.error_examples.find(key); it != f.error_examples.end()) {
        out += ": \"" + it->second.substr(0, 160) + "\"";
      }
      out += '\n';
    }
  }
  return out;
}

nlohmann::json to_json(const Report& r, const Report* base) {
  nlohmann::json j = report_json(r);
  if (base != nullptr) {
    j["baseline"] = report_json(*base);
    nlohmann::json ratios;
    ratios["lifecycles_per_s"] = ratio(r.lifecycles_per_s(), base->lifecycles_per_s());
    ratios["rpcs_per_s"] = ratio(r.rpcs_per_s(), base->rpcs_per_s());
    for (const auto& row : kLatencies) {
      ratios[std::string(row.key) + "_p99"] =
          ratio(ms((r.figures.*row.histogram).percentile(99)),
                ms((base->figures.*row.histogram).percentile(99)));
    }
    j["ratios"] = ratios;
  }
  return j;
}

}  // namespace router::load
