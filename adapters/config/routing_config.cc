// YAML/JSON -> router.v1.RoutingConfig -> engine model. Three passes, each naming the field:
// keys are checked against the proto descriptor (unknown or misspelt fields), values are
// converted by protobuf's JSON parser (types), then the model is validated and resolved
// (ranges, names, references).
#include "adapters/config/routing_config.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <set>
#include <vector>

#include "adapters/config/agent_rules.h"
#include "adapters/config/opening_hours.h"
#include "adapters/config/redis_config.h"
#include "adapters/config/yaml_json.h"
#include "adapters/config/yaml_limits.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {
namespace {

using engine::Error;
using engine::Result;

engine::Duration seconds_to_duration(double s) {
  return engine::Duration(static_cast<int64_t>(std::llround(s * 1000.0)));
}

// Validation and resolution of the parsed message, collecting the first error with its path.
class Resolver {
 public:
  explicit Resolver(std::string source) : source_(std::move(source)) {}

  Result<RoutingModel> resolve(const v1::RoutingConfig& c) {
    RoutingModel m;
    for (int i = 0; i < c.skills_size(); ++i) {
      const std::string& name = c.skills(i);
      if (name.empty()) return fail(at("skills", i), "must not be empty");
      if (!skill_ids_.emplace(name, static_cast<uint32_t>(i)).second) {
        return fail(at("skills", i), "'" + name + "' listed twice");
      }
      m.skills.push_back(name);
    }
    if (auto e = weights(c.default_weights(), "default_weights", m.router.default_weights)) {
      return *e;
    }
    if (auto e = rules(c.points(), m.router.rules)) return *e;
    if (auto e = blending(c.blending(), m.router.blending)) return *e;
    if (c.has_limits()) {
      const auto& l = c.limits();
      if (l.max_interactions()) m.router.limits.max_interactions = l.max_interactions();
      if (l.max_waiting_per_queue())
        m.router.limits.max_waiting_per_queue = l.max_waiting_per_queue();
      if (l.max_attributes()) m.router.limits.max_attributes = l.max_attributes();
      if (l.max_string_length()) m.router.limits.max_string_length = l.max_string_length();
    }
    limits_ = m.router.limits;
    if (c.stats_window_s() < 0) return fail("stats_window_s", "must be ≥ 0");
    if (c.stats_window_s() > 0) m.router.stats_window = seconds_to_duration(c.stats_window_s());

    std::map<std::string, uint32_t> queue_ids;
    for (int i = 0; i < c.queues_size(); ++i) {
      const std::string& name = c.queues(i).name();
      if (name.empty()) return fail(at("queues", i) + ".name", "must not be empty");
      if (!queue_ids.emplace(name, static_cast<uint32_t>(i)).second) {
        return fail(at("queues", i) + ".name", "'" + name + "' defined twice");
      }
    }
    for (int i = 0; i < c.queues_size(); ++i) {
      engine::QueueConfig q;
      if (auto e = queue(c.queues(i), at("queues", i), queue_ids, q)) return *e;
      m.queues.push_back(std::move(q));
    }
    std::set<std::string> agent_names;
    for (int i = 0; i < c.agents_size(); ++i) {
      engine::AgentProfile a;
      if (auto e = agent(c.agents(i), at("agents", i), a)) return *e;
      if (!agent_names.insert(a.name).second) {
        return fail(at("agents", i) + ".name", "'" + a.name + "' defined twice");
      }
      m.agents.push_back(std::move(a));
    }
    if (auto e = resolve_agent_rules(source_, c, queue_ids, m)) return *e;
    if (auto e = code_list(c.codes().wrap_up(), "codes.wrap_up", m.codes.wrap_up)) return *e;
    if (auto e = code_list(c.codes().not_ready(), "codes.not_ready", m.codes.not_ready)) return *e;
    for (int i = 0; i < c.queues_size(); ++i) {
      auto& own = m.codes.queue_wrap_up.emplace_back();
      if (!c.queues(i).has_wrap_up_codes()) continue;
      own.emplace();
      if (auto e = code_list(c.queues(i).wrap_up_codes(), at("queues", i) + ".wrap_up_codes", *own))
        return *e;
    }
    if (auto e = daemon(c.daemon(), m.daemon)) return *e;
    if (auto e = server_limits(c.daemon().server_limits(), m.daemon.server_limits)) return *e;
    if (auto e = auth(c.auth(), agent_names, m.auth)) return *e;
    if (c.has_redis()) {
      m.redis.emplace();
      if (auto e = resolve_redis(source_, c.redis(), *m.redis)) return *e;
    }
    m.proto = c;
    return m;
  }

 private:
  engine::Limits limits_;  // as read, before the queues (their max_waiting is checked against it)
  std::string source_;
  std::map<std::string, uint32_t> skill_ids_;

  // A list of codes: each 1..64 characters of letters, digits, '_', '-', '.', listed once.
  std::optional<Error> code_list(const v1::CodeList& in, const std::string& path,
                                 CodeList& out) const {
    std::set<std::string> seen;
    for (int i = 0; i < in.codes_size(); ++i) {
      const std::string& code = in.codes(i);
      const std::string p = at(path + ".codes", i);
      if (code.empty() || code.size() > 64) return fail(p, "must be 1..64 characters");
      for (char ch : code) {
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.') {
          return fail(p, "'" + code + "': only letters, digits, '_', '-' and '.'");
        }
      }
      if (!seen.insert(code).second) return fail(p, "'" + code + "' listed twice");
      out.codes.push_back(code);
    }
    out.required = in.required();
    return std::nullopt;
  }

  std::optional<Error> daemon(const v1::Daemon& d, DaemonSettings& out) const {
    if (!d.listen().empty()) {
      const auto colon = d.listen().rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == d.listen().size()) {
        return fail("daemon.listen", "must be host:port, got '" + d.listen() + "'");
      }
      out.listen = d.listen();
    }
    if (!d.default_region().empty()) {
      const std::string& r = d.default_region();
      if (r.size() != 2 || !std::isupper(static_cast<unsigned char>(r[0])) ||
          !std::isupper(static_cast<unsigned char>(r[1]))) {
        return fail("daemon.default_region", "must be a two-letter ISO 3166 code like US");
      }
      out.default_region = r;
    }
    out.customers_file = d.customers_file();
    const std::pair<double, engine::Duration*> durations[] = {
        {d.agent_grace_s(), &out.agent_grace},
        {d.heartbeat_s(), &out.heartbeat},
        {d.shutdown_deadline_s(), &out.shutdown_deadline},
    };
    const char* names[] = {"daemon.agent_grace_s", "daemon.heartbeat_s",
                           "daemon.shutdown_deadline_s"};
    for (size_t i = 0; i < 3; ++i) {
      if (durations[i].first < 0 || durations[i].first > 3600) {
        return fail(names[i], "must be 0..3600 seconds");
      }
      if (durations[i].first > 0) *durations[i].second = seconds_to_duration(durations[i].first);
    }
    if (d.stream_buffer() > 1'000'000) return fail("daemon.stream_buffer", "must be ≤ 1000000");
    if (d.stream_buffer()) out.stream_buffer = d.stream_buffer();
    if (d.max_message_bytes() != 0 &&
        (d.max_message_bytes() < 1024 || d.max_message_bytes() > 64 * 1024 * 1024)) {
      return fail("daemon.max_message_bytes", "must be 1024..67108864");
    }
    if (d.max_message_bytes()) out.max_message_bytes = d.max_message_bytes();
    if (d.max_finished_remembered()) out.max_finished_remembered = d.max_finished_remembered();
    if (d.max_email_threads()) out.max_email_threads = d.max_email_threads();
    const v1::SegmentThresholds& seg = d.segments();
    const std::pair<bool, double> values[] = {
        {seg.has_strategic_potential_min(), seg.strategic_potential_min()},
        {seg.has_profitable_current_min(), seg.profitable_current_min()},
        {seg.has_risk_current_below(), seg.risk_current_below()},
    };
    double* targets[] = {&out.segments.strategic_potential_min,
                         &out.segments.profitable_current_min, &out.segments.risk_current_below};
    const char* segment_fields[] = {"daemon.segments.strategic_potential_min",
                                    "daemon.segments.profitable_current_min",
                                    "daemon.segments.risk_current_below"};
    for (size_t i = 0; i < 3; ++i) {
      if (!values[i].first) continue;
      if (!std::isfinite(values[i].second)) return fail(segment_fields[i], "must be a number");
      *targets[i] = values[i].second;
    }
    if (d.has_tls()) {
      if (d.tls().cert_file().empty()) return fail("daemon.tls.cert_file", "required (PEM file)");
      if (d.tls().key_file().empty()) return fail("daemon.tls.key_file", "required (PEM file)");
      out.tls = TlsSettings{d.tls().cert_file(), d.tls().key_file(), d.tls().client_ca_file()};
    }
    out.allow_insecure = d.allow_insecure();
    if (auto e = availability(d, out)) return *e;
    return std::nullopt;
  }

  // An HTTP listener's address: empty (none) or host:port.
  std::optional<Error> http_address(const std::string& field, const std::string& a) const {
    if (a.empty()) return std::nullopt;
    const auto colon = a.rfind(':');
    const std::string port = colon == std::string::npos ? "" : a.substr(colon + 1);
    const bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (colon == std::string::npos || colon == 0 || !digits || std::stoi(port) > 65535) {
      return fail(field, "must be host:port (port 0..65535), got '" + a + "'");
    }
    return std::nullopt;
  }

  // daemon.ready_listen, daemon.metrics_listen (docs/operations.md) and daemon.domain
  // (docs/availability.md).
  std::optional<Error> availability(const v1::Daemon& d, DaemonSettings& out) const {
    if (auto e = http_address("daemon.ready_listen", d.ready_listen())) return *e;
    out.ready_listen = d.ready_listen();
    if (auto e = http_address("daemon.metrics_listen", d.metrics_listen())) return *e;
    out.metrics_listen = d.metrics_listen();
    if (d.report_interval_s() != 0) {
      if (!(d.report_interval_s() >= 1 && d.report_interval_s() <= 86'400 &&
            d.report_interval_s() == std::floor(d.report_interval_s()))) {
        return fail("daemon.report_interval_s", "must be a whole number of seconds, 1..86400");
      }
      out.report_interval = std::chrono::seconds(static_cast<int64_t>(d.report_interval_s()));
    }
    const std::string& domain = d.domain();
    if (domain.size() > 64) return fail("daemon.domain", "must be at most 64 characters");
    for (unsigned char c : domain) {
      if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') {
        return fail("daemon.domain",
                    "may hold letters, digits, '.', '-' and '_' only, got '" + domain + "'");
      }
    }
    out.domain = domain;
    return std::nullopt;
  }

  std::optional<Error> server_limits(const v1::ServerLimits& l, ServerLimitSettings& out) const {
    const std::string p = "daemon.server_limits.";
    struct Count {
      const char* name;
      uint64_t value;
      uint64_t max;
      size_t* target;
    };
    const Count counts[] = {
        {"max_connections", l.max_connections(), 100'000, &out.max_connections},
        {"max_concurrent_streams", l.max_concurrent_streams(), 100'000,
         &out.max_concurrent_streams},
        {"max_streams_per_connection", l.max_streams_per_connection(), 100'000,
         &out.max_streams_per_connection},
        {"max_streams_per_token", l.max_streams_per_token(), 1'000'000, &out.max_streams_per_token},
        {"max_streams_total", l.max_streams_total(), 1'000'000, &out.max_streams_total},
        {"outbox_max_bytes", l.outbox_max_bytes(), uint64_t{1} << 30, &out.outbox_max_bytes},
        {"outbox_budget_bytes", l.outbox_budget_bytes(), uint64_t{16} << 30,
         &out.outbox_budget_bytes},
        {"grpc_memory_bytes", l.grpc_memory_bytes(), uint64_t{16} << 30, &out.grpc_memory_bytes},
    };
    for (const Count& c : counts) {
      if (c.value > c.max) {
        return fail(p + c.name,
                    "must be ≤ " + std::to_string(c.max) + ", got " + std::to_string(c.value));
      }
      if (c.value != 0) *c.target = static_cast<size_t>(c.value);
    }
    if (out.outbox_max_bytes < 4096) return fail(p + "outbox_max_bytes", "must be ≥ 4096");
    if (out.grpc_memory_bytes < (1u << 20)) {
      return fail(p + "grpc_memory_bytes", "must be ≥ 1048576 (1 MiB)");
    }
    if (out.max_concurrent_streams <= out.max_streams_per_connection) {
      return fail(p + "max_concurrent_streams",
                  "must exceed max_streams_per_connection (" +
                      std::to_string(out.max_streams_per_connection) +
                      "), so a connection full of streams can still make calls");
    }
    if (out.outbox_budget_bytes < out.outbox_max_bytes) {
      return fail(p + "outbox_budget_bytes",
                  "must be ≥ outbox_max_bytes (" + std::to_string(out.outbox_max_bytes) + ")");
    }
    if (l.gateway_max_in_flight() > 65536) {
      return fail(p + "gateway_max_in_flight",
                  "must be 1..65536, got " + std::to_string(l.gateway_max_in_flight()));
    }
    if (l.gateway_max_in_flight() != 0) out.gateway_max_in_flight = l.gateway_max_in_flight();
    const double cut = l.slow_reader_cut_s();
    if (cut != 0) {
      if (!(cut >= 1 && cut <= 3600)) {
        return fail(p + "slow_reader_cut_s", "must be 1..3600 seconds");
      }
      out.slow_reader_cut = seconds_to_duration(cut);
    }
    return std::nullopt;
  }

  std::optional<Error> auth(const v1::Auth& a, const std::set<std::string>& agents,
                            AuthSettings& out) const {
    out.dev_no_auth = a.dev_no_auth();
    std::set<std::string> seen;
    for (int i = 0; i < a.tokens_size(); ++i) {
      const auto& t = a.tokens(i);
      const std::string p = at("auth.tokens", i);
      AuthToken tok;
      if (!t.token().empty() && !t.token_env().empty()) {
        return fail(p, "set token or token_env, not both");
      }
      if (!t.token_env().empty()) {
        const char* v = std::getenv(t.token_env().c_str());
        if (v == nullptr || *v == 0) {
          return fail(p + ".token_env", "environment variable " + t.token_env() + " is not set");
        }
        tok.token = v;
      } else {
        tok.token = t.token();
      }
      const std::string tp = p + (t.token_env().empty() ? ".token" : ".token_env");
      if (tok.token.size() < 16 || tok.token.size() > 256) {
        return fail(tp, "must be 16..256 characters");
      }
      for (char ch : tok.token) {
        if (ch <= ' ' || ch > '~') return fail(tp, "must be printable ASCII without spaces");
      }
      if (!seen.insert(tok.token).second) return fail(tp, "the same token is listed twice");
      tok.role = t.role();
      if (tok.role == v1::ROLE_UNSPECIFIED) {
        return fail(p + ".role", "required (GATEWAY, AGENT, SUPERVISOR or AGENT_LINK)");
      }
      if (tok.role == v1::AGENT) {
        if (t.agent().empty()) return fail(p + ".agent", "required for an AGENT token");
        if (!agents.count(t.agent()))
          return fail(p + ".agent", "unknown agent '" + t.agent() + "'");
      } else if (!t.agent().empty()) {
        return fail(p + ".agent", "only AGENT tokens name an agent");
      }
      tok.agent = t.agent();
      if (auto e = link_agents(p, t, agents, tok)) return e;
      tok.name = !t.name().empty()       ? t.name()
                 : tok.role == v1::AGENT ? "agent:" + t.agent()
                 : tok.role == v1::AGENT_LINK
                     ? "agent_link:" + std::to_string(i)
                     : (tok.role == v1::GATEWAY ? "gateway:" : "supervisor:") + std::to_string(i);
      if (tok.role == v1::GATEWAY) {
        // The identity defaults to the name, so a token renamed for rotation should set gateway.
        tok.gateway = !t.gateway().empty() ? t.gateway() : tok.name;
        const std::string gp = p + (t.gateway().empty() ? ".name" : ".gateway");
        if (auto e = gateway_identity(gp, tok.gateway, !t.gateway().empty())) return e;
      } else if (!t.gateway().empty()) {
        return fail(p + ".gateway", "only GATEWAY tokens have a gateway identity");
      } else if (t.sees_gateways_size() > 0) {
        return fail(p + ".sees_gateways", "only GATEWAY tokens are granted other gateways");
      }
      out.tokens.push_back(std::move(tok));
    }
    return gateway_grants(a, out);
  }

  // AGENT_LINK tokens list the agents they act for (required); no other role lists any.
  std::optional<Error> link_agents(const std::string& p, const v1::Token& t,
                                   const std::set<std::string>& known, AuthToken& tok) const {
    if (tok.role != v1::AGENT_LINK) {
      if (t.agents_size() > 0) return fail(p + ".agents", "only AGENT_LINK tokens list agents");
      return std::nullopt;
    }
    if (t.agents_size() == 0) {
      return fail(p + ".agents", "required for an AGENT_LINK token (agent names, or \"*\")");
    }
    for (int j = 0; j < t.agents_size(); ++j) {
      const std::string& a = t.agents(j);
      if (a == "*") {
        tok.all_agents = true;
        continue;
      }
      if (!known.count(a)) return fail(at(p + ".agents", j), "unknown agent '" + a + "'");
      if (std::find(tok.agents.begin(), tok.agents.end(), a) == tok.agents.end()) {
        tok.agents.push_back(a);
      }
    }
    return std::nullopt;
  }

  // A gateway identity is part of scoped interaction ids and of the journal's Redis keys.
  std::optional<Error> gateway_identity(const std::string& field, const std::string& id,
                                        bool explicit_field) const {
    const std::string why = explicit_field ? "" : " (the gateway identity when gateway is unset)";
    if (id.size() > kMaxGatewayLength) {
      return fail(field, "must be at most " + std::to_string(kMaxGatewayLength) + " bytes" + why);
    }
    for (char ch : id) {
      if (ch <= ' ' || ch > '~' || ch == kGatewayIdSeparator) {
        return fail(field,
                    "must be printable ASCII without spaces or '/'" + why + ", got '" + id + "'");
      }
    }
    return std::nullopt;
  }

  // Every gateway named in a grant must be one some GATEWAY token submits as ("*": all).
  std::optional<Error> gateway_grants(const v1::Auth& a, AuthSettings& out) const {
    std::set<std::string> gateways;
    for (const auto& tok : out.tokens) {
      if (tok.role == v1::GATEWAY) gateways.insert(tok.gateway);
    }
    size_t k = 0;
    for (int i = 0; i < a.tokens_size(); ++i) {
      const auto& t = a.tokens(i);
      AuthToken& tok = out.tokens[k++];
      for (int j = 0; j < t.sees_gateways_size(); ++j) {
        const std::string& g = t.sees_gateways(j);
        const std::string f = at(at("auth.tokens", i) + ".sees_gateways", j);
        if (g == "*") {
          tok.sees_all_gateways = true;
          continue;
        }
        if (!gateways.count(g)) {
          std::string known;
          for (const auto& name : gateways) known += (known.empty() ? "" : ", ") + name;
          return fail(f, "unknown gateway '" + g + "' (gateways: " + known + "; or \"*\")");
        }
        if (g != tok.gateway && std::find(tok.sees_gateways.begin(), tok.sees_gateways.end(), g) ==
                                    tok.sees_gateways.end()) {
          tok.sees_gateways.push_back(g);
        }
      }
    }
    return std::nullopt;
  }

  static std::string at(const std::string& field, int i) {
    return field + "[" + std::to_string(i) + "]";
  }
  Error fail(const std::string& path, const std::string& what) const {
    return engine::invalid_argument(source_ + ": " + path + ": " + what);
  }
  std::optional<Error> skill(const std::string& name, const std::string& path,
                             engine::SkillId& out) const {
    auto it = skill_ids_.find(name);
    if (it == skill_ids_.end()) return fail(path, "unknown skill '" + name + "'");
    out = engine::SkillId(it->second);
    return std::nullopt;
  }
  std::optional<Error> level(int value, const std::string& path) const {
    if (value < engine::kMinSkillLevel || value > engine::kMaxSkillLevel) {
      return fail(path, "must be 1..10, got " + std::to_string(value));
    }
    return std::nullopt;
  }

  std::optional<Error> weights(const v1::Weights& w, const std::string& path,
                               engine::Weights& out) const {
    engine::WeightOverrides o;
    if (auto e = overrides(w, path, o)) return e;
    for (int t = 0; t < engine::kTermCount; ++t) {
      if (o.w[static_cast<size_t>(t)]) out.w[static_cast<size_t>(t)] = *o.w[static_cast<size_t>(t)];
    }
    return std::nullopt;
  }

  std::optional<Error> overrides(const v1::Weights& w, const std::string& path,
                                 engine::WeightOverrides& out) const {
    using engine::Term;
    const std::pair<Term, std::optional<double>> terms[] = {
        {Term::kSkillFit, w.has_skill_fit() ? std::optional(w.skill_fit()) : std::nullopt},
        {Term::kCustomerValue,
         w.has_customer_value() ? std::optional(w.customer_value()) : std::nullopt},
        {Term::kPriority, w.has_priority() ? std::optional(w.priority()) : std::nullopt},
        {Term::kWait, w.has_wait() ? std::optional(w.wait()) : std::nullopt},
        {Term::kServiceLevel,
         w.has_service_level() ? std::optional(w.service_level()) : std::nullopt},
        {Term::kIdle, w.has_agent_idle() ? std::optional(w.agent_idle()) : std::nullopt},
        {Term::kAffinity, w.has_affinity() ? std::optional(w.affinity()) : std::nullopt},
        {Term::kLanguage, w.has_language() ? std::optional(w.language()) : std::nullopt},
        {Term::kLoad, w.has_agent_load() ? std::optional(w.agent_load()) : std::nullopt},
        {Term::kHandled, w.has_agent_handled() ? std::optional(w.agent_handled()) : std::nullopt},
        {Term::kRandom, w.has_random() ? std::optional(w.random()) : std::nullopt},
        {Term::kUrgency, w.has_urgency() ? std::optional(w.urgency()) : std::nullopt},
        {Term::kRoundRobin, w.has_round_robin() ? std::optional(w.round_robin()) : std::nullopt},
    };
    for (const auto& [term, value] : terms) {
      if (!value) continue;
      const std::string name =  // the file's key: v1::Weights's fields are in term order
          v1::Weights::descriptor()->FindFieldByNumber(static_cast<int>(term) + 1)->name();
      if (!std::isfinite(*value) || *value < 0) return fail(path + "." + name, "must be ≥ 0");
      out[term] = *value;
    }
    return std::nullopt;
  }

  std::optional<Error> rules(const v1::PointsRules& p, engine::PointsRules& r) const {
    if (p.has_strategic()) r.segment_points[0] = p.strategic();
    if (p.has_profitable()) r.segment_points[1] = p.profitable();
    if (p.has_ordinary()) r.segment_points[2] = p.ordinary();
    if (p.has_risk()) r.segment_points[3] = p.risk();
    if (p.has_ltv_points()) r.ltv_points = p.ltv_points();
    if (p.has_ltv_cap()) {
      if (!(p.ltv_cap() > 0)) return fail("points.ltv_cap", "must be > 0");
      r.ltv_cap = p.ltv_cap();
    }
    if (p.has_last_agent_ratio()) {
      if (p.last_agent_ratio() < 0 || p.last_agent_ratio() > 1) {
        return fail("points.last_agent_ratio", "must be 0..1");
      }
      r.last_agent_ratio = p.last_agent_ratio();
    }
    if (p.has_sl_pressure_start()) {
      if (p.sl_pressure_start() < 0 || p.sl_pressure_start() >= 1) {
        return fail("points.sl_pressure_start", "must be in [0, 1)");
      }
      r.sl_pressure_start = p.sl_pressure_start();
    }
    if (p.has_idle_cap_s()) {
      if (p.idle_cap_s() < 0) return fail("points.idle_cap_s", "must be ≥ 0");
      r.idle_cap = seconds_to_duration(p.idle_cap_s());
    }
    if (p.has_urgency_cap()) {
      if (!(p.urgency_cap() >= 0.1 && p.urgency_cap() <= 1000)) {
        return fail("points.urgency_cap", "must be 0.1..1000 (thresholds)");
      }
      r.urgency_cap = p.urgency_cap();
    }
    r.random_seed = p.random_seed();
    return std::nullopt;
  }

  std::optional<Error> channel(v1::Channel c, const std::string& path, engine::Channel& out) const {
    switch (c) {
      case v1::PHONE: out = engine::Channel::kPhone; return std::nullopt;
      case v1::EMAIL: out = engine::Channel::kEmail; return std::nullopt;
      case v1::WEB_CHAT: out = engine::Channel::kWebChat; return std::nullopt;
      case v1::WEB_CALLBACK: out = engine::Channel::kWebCallback; return std::nullopt;
      case v1::WORK_ITEM: out = engine::Channel::kWorkItem; return std::nullopt;
      default: return fail(path, "must be PHONE, EMAIL, WEB_CHAT, WEB_CALLBACK or WORK_ITEM");
    }
  }

  std::optional<Error> arrival_action(v1::ArrivalAction in, const std::string& path,
                                      engine::ArrivalAction& out) const {
    switch (in) {
      case v1::WAIT: out = engine::ArrivalAction::kWait; return std::nullopt;
      case v1::OVERFLOW: out = engine::ArrivalAction::kOverflow; return std::nullopt;
      case v1::REFUSE: out = engine::ArrivalAction::kRefuse; return std::nullopt;
      case v1::CALLBACK:
        if (path.ends_with(".when_closed")) {
          out = engine::ArrivalAction::kCallback;
          return std::nullopt;
        }
        [[fallthrough]];
      default:
        return fail(path, path.ends_with(".when_closed")
                              ? "must be WAIT, OVERFLOW, REFUSE or CALLBACK"
                              : "must be WAIT, OVERFLOW or REFUSE");
    }
  }

  // Opening hours, when_closed and callback_queue (docs/routing.md, "Opening hours").
  std::optional<Error> hours(const v1::Queue& in, const std::string& path,
                             const std::map<std::string, uint32_t>& queue_ids,
                             engine::QueueConfig& q) const {
    if (!in.has_hours()) {
      if (in.when_closed() != v1::ARRIVAL_ACTION_UNSPECIFIED || !in.callback_queue().empty()) {
        return fail(path + ".hours", "required with when_closed or callback_queue");
      }
      return std::nullopt;
    }
    auto parsed = parse_opening_hours(in.hours(), path + ".hours");
    if (!parsed.ok()) return fail_as(parsed.error());
    q.hours = parsed.value();
    if (in.when_closed() != v1::ARRIVAL_ACTION_UNSPECIFIED) {
      if (auto e = arrival_action(in.when_closed(), path + ".when_closed", q.when_closed)) return e;
    }
    const bool callback = q.when_closed == engine::ArrivalAction::kCallback;
    if (callback != !in.callback_queue().empty()) {
      return fail(path + ".callback_queue", callback ? "required with when_closed CALLBACK"
                                                     : "only with when_closed CALLBACK");
    }
    if (callback) {
      auto target = queue_ids.find(in.callback_queue());
      if (target == queue_ids.end()) {
        return fail(path + ".callback_queue", "unknown queue '" + in.callback_queue() + "'");
      }
      q.callback_queue = engine::QueueId(target->second);
    }
    return std::nullopt;
  }
  Error fail_as(const Error& e) const { return engine::Error{e.code, source_ + ": " + e.message}; }

  std::optional<Error> non_negative(double v, const std::string& path) const {
    if (!std::isfinite(v) || v < 0) return fail(path, "must be ≥ 0");
    return std::nullopt;
  }

  // A condition on a queue's EWT or SL (0: not that one), each part named by its field.
  std::optional<Error> risk(double ewt_over_s, double sl_under, const std::string& ewt_field,
                            const std::string& sl_field, engine::RiskCondition& out) const {
    if (ewt_over_s != 0) {
      if (!(ewt_over_s > 0) || !std::isfinite(ewt_over_s)) {
        return fail(ewt_field, "must be > 0 seconds");
      }
      out.ewt_over = seconds_to_duration(ewt_over_s);
    }
    if (sl_under != 0) {
      if (!(sl_under > 0 && sl_under <= 1)) {
        return fail(sl_field, "must be in (0, 1] (a fraction, 0.8 for 80%)");
      }
      out.sl_under = sl_under;
    }
    return std::nullopt;
  }

  // The per-channel numbers of `m` (a ChannelCapacity or ChannelCosts: optional phone, email,
  // web_chat, web_callback, work_item) that are set, into `out` by channel; each 0..max, an error
  // naming `path`.<channel>.
  template <class PerChannel>
  std::optional<Error> per_channel(const PerChannel& m, const std::string& path, int max,
                                   std::array<int, engine::kChannelCount>& out) const {
    const std::pair<std::optional<int>, const char*> values[] = {
        {m.has_phone() ? std::optional(m.phone()) : std::nullopt, "phone"},
        {m.has_email() ? std::optional(m.email()) : std::nullopt, "email"},
        {m.has_web_chat() ? std::optional(m.web_chat()) : std::nullopt, "web_chat"},
        {m.has_web_callback() ? std::optional(m.web_callback()) : std::nullopt, "web_callback"},
        {m.has_work_item() ? std::optional(m.work_item()) : std::nullopt, "work_item"},
    };
    for (size_t ch = 0; ch < engine::kChannelCount; ++ch) {
      if (!values[ch].first) continue;
      if (*values[ch].first < 0 || *values[ch].first > max) {
        return fail(path + "." + values[ch].second, "must be 0.." + std::to_string(max));
      }
      out[ch] = *values[ch].first;
    }
    return std::nullopt;
  }

  // The channels' costs and calls over other work (RoutingConfig.blending).
  std::optional<Error> blending(const v1::Blending& in, engine::Blending& out) const {
    if (auto e = per_channel(in.cost(), "blending.cost", engine::kMaxChannelCost, out.cost)) {
      return e;
    }
    out.call_over_other_work = in.call_over_other_work();
    return std::nullopt;
  }

  std::optional<Error> queue(const v1::Queue& in, const std::string& path,
                             const std::map<std::string, uint32_t>& queue_ids,
                             engine::QueueConfig& q) const {
    q.name = in.name();
    if (in.channels_size() == 0) return fail(path + ".channels", "must name at least one");
    q.channels.reset();
    for (int i = 0; i < in.channels_size(); ++i) {
      engine::Channel ch = engine::Channel::kPhone;
      if (auto e = channel(in.channels(i), at(path + ".channels", i), ch)) return e;
      q.channels.set(static_cast<size_t>(ch));
    }
    std::set<std::string> seen;
    for (int i = 0; i < in.skills_size(); ++i) {
      const std::string p = at(path + ".skills", i);
      engine::SkillRequirement r;
      if (auto e = skill(in.skills(i).skill(), p + ".skill", r.skill)) return e;
      if (!seen.insert(in.skills(i).skill()).second) return fail(p + ".skill", "listed twice");
      r.min_level = in.skills(i).min_level() == 0 ? 1 : in.skills(i).min_level();
      if (auto e = level(r.min_level, p + ".min_level")) return e;
      q.required_skills.push_back(r);
    }
    q.language_required = in.language_required();
    if (in.priority() < 0 || in.priority() > 100) return fail(path + ".priority", "must be 0..100");
    q.priority = in.priority();
    for (const auto& [v, f] :
         {std::pair{in.service_level_threshold_s(), ".service_level_threshold_s"},
          std::pair{in.offer_timeout_s(), ".offer_timeout_s"},
          std::pair{in.max_wait_s(), ".max_wait_s"},
          std::pair{in.overflow_after_s(), ".overflow_after_s"},
          std::pair{in.default_handle_time_s(), ".default_handle_time_s"}}) {
      if (auto e = non_negative(v, path + f)) return e;
    }
    if (in.service_level_threshold_s() > 0) {
      q.service_level.threshold = seconds_to_duration(in.service_level_threshold_s());
    }
    if (in.service_level_target() != 0) {
      if (in.service_level_target() < 0 || in.service_level_target() > 1) {
        return fail(path + ".service_level_target", "must be in (0, 1]");
      }
      q.service_level.fraction = in.service_level_target();
    }
    if (in.offer_timeout_s() > 0) q.offer_timeout = seconds_to_duration(in.offer_timeout_s());
    if (in.has_wrap_up_s()) {
      if (auto e = non_negative(in.wrap_up_s(), path + ".wrap_up_s")) return e;
      q.wrap_up = seconds_to_duration(in.wrap_up_s());
    }
    if (in.max_wait_s() > 0) q.max_wait = seconds_to_duration(in.max_wait_s());
    double last_after = 0;
    for (int i = 0; i < in.expansion_size(); ++i) {
      const std::string p = at(path + ".expansion", i);
      const auto& step = in.expansion(i);
      if (!(step.after_s() > last_after)) {
        return fail(p + ".after_s", "must be > 0 and after the previous step's");
      }
      last_after = step.after_s();
      if (step.lower_levels_by() < 0 || step.lower_levels_by() > 10) {
        return fail(p + ".lower_levels_by", "must be 0..10");
      }
      engine::ExpansionStep s{seconds_to_duration(step.after_s()), step.lower_levels_by(),
                              step.skills_optional(), std::nullopt, std::nullopt};
      engine::RiskCondition when;
      if (auto e = risk(step.when_ewt_over_s(), step.when_sl_under(), p + ".when_ewt_over_s",
                        p + ".when_sl_under", when)) {
        return e;
      }
      s.when_ewt_over = when.ewt_over;
      s.when_sl_under = when.sl_under;
      q.expansion.push_back(s);
    }
    const auto& reserve = in.reserve_agents_when();
    if (auto e =
            risk(reserve.ewt_over_s(), reserve.sl_under(), path + ".reserve_agents_when.ewt_over_s",
                 path + ".reserve_agents_when.sl_under", q.reserve_agents_when)) {
      return e;
    }
    if (in.when_no_agents() != v1::ARRIVAL_ACTION_UNSPECIFIED) {
      if (auto e =
              arrival_action(in.when_no_agents(), path + ".when_no_agents", q.when_no_agents)) {
        return e;
      }
    }
    if (in.when_full() != v1::ARRIVAL_ACTION_UNSPECIFIED) {
      if (in.when_full() == v1::WAIT) {
        return fail(path + ".when_full", "must be OVERFLOW or REFUSE (a full queue takes no more)");
      }
      if (auto e = arrival_action(in.when_full(), path + ".when_full", q.when_full)) return e;
    }
    if (in.has_max_waiting()) {
      const size_t limit = limits_.max_waiting_per_queue;
      if (in.max_waiting() == 0 || in.max_waiting() > limit) {
        return fail(path + ".max_waiting",
                    "must be 1.." + std::to_string(limit) + " (limits.max_waiting_per_queue)");
      }
      q.max_waiting = in.max_waiting();
    }
    if (auto e = hours(in, path, queue_ids, q)) return e;
    if (in.hold_for_agent_s() != 0) {
      if (!(in.hold_for_agent_s() > 0) || in.hold_for_agent_s() > 3600) {
        return fail(path + ".hold_for_agent_s", "must be 0 (no hold) or > 0 and at most 3600");
      }
      q.hold_for_agent = seconds_to_duration(in.hold_for_agent_s());
    }
    const bool overflow_rule = q.when_no_agents == engine::ArrivalAction::kOverflow ||
                               q.when_full == engine::ArrivalAction::kOverflow ||
                               (q.hours && q.when_closed == engine::ArrivalAction::kOverflow);
    if (overflow_rule && in.overflow_queue().empty()) {
      return fail(path + ".overflow_queue", "required with an OVERFLOW arrival rule");
    }
    if (in.overflow_after_s() > 0 || overflow_rule) {
      auto target = queue_ids.find(in.overflow_queue());
      if (target == queue_ids.end()) {
        return fail(path + ".overflow_queue", "unknown queue '" + in.overflow_queue() + "'");
      }
      if (target->first == in.name()) return fail(path + ".overflow_queue", "is the queue itself");
      if (in.overflow_after_s() > 0) q.overflow_after = seconds_to_duration(in.overflow_after_s());
      q.overflow_queue = engine::QueueId(target->second);
    } else if (!in.overflow_queue().empty()) {
      return fail(path + ".overflow_after_s",
                  "required with overflow_queue (or an OVERFLOW arrival rule)");
    }
    if (auto e = overrides(in.weights(), path + ".weights", q.weights)) return e;
    if (in.has_short_abandon_s()) {
      if (auto e = non_negative(in.short_abandon_s(), path + ".short_abandon_s")) return e;
      q.short_abandon = seconds_to_duration(in.short_abandon_s());
    }
    if (in.default_handle_time_s() > 0) {
      q.default_handle_time = seconds_to_duration(in.default_handle_time_s());
    }
    return std::nullopt;
  }

  std::optional<Error> agent(const v1::Agent& in, const std::string& path,
                             engine::AgentProfile& a) const {
    a.name = in.name();
    if (a.name.empty()) return fail(path + ".name", "must not be empty");
    a.team = in.team();
    std::set<std::string> seen;
    for (int i = 0; i < in.skills_size(); ++i) {
      const std::string p = at(path + ".skills", i);
      engine::SkillLevel s;
      if (auto e = skill(in.skills(i).skill(), p + ".skill", s.skill)) return e;
      if (!seen.insert(in.skills(i).skill()).second) return fail(p + ".skill", "listed twice");
      s.level = in.skills(i).level();
      if (auto e = level(s.level, p + ".level")) return e;
      a.skills.push_back(s);
    }
    for (int i = 0; i < in.languages_size(); ++i) {
      if (in.languages(i).empty()) return fail(at(path + ".languages", i), "must not be empty");
      a.languages.push_back(in.languages(i));
    }
    const auto& cap = in.capacity();
    if (auto e = per_channel(cap, path + ".capacity", 100, a.capacity.max)) return e;
    if (cap.has_budget()) {
      if (cap.budget() < 0 || cap.budget() > engine::kMaxCapacityBudget) {
        return fail(path + ".capacity.budget",
                    "must be 0..100000 (0: no budget, the counts alone)");
      }
      a.capacity.budget = cap.budget();
    }
    return std::nullopt;
  }
};

// The parse proper, on text that passed scan_limits.
Result<RoutingModel> parse_scanned(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return engine::invalid_argument(source + ": line " + std::to_string(e.mark.line + 1) + ": " +
                                    e.msg);
  }
  if (root.IsNull()) return engine::invalid_argument(source + ": the file is empty");
  if (auto e = check_keys(root, *v1::RoutingConfig::descriptor(), "")) {
    return engine::invalid_argument(source + ": " + *e);
  }
  v1::RoutingConfig message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(to_json(root), &message, options);
  if (!status.ok()) {
    return engine::invalid_argument(source + ": " + std::string(status.message()));
  }
  return Resolver(source).resolve(message);
}

}  // namespace

Result<RoutingModel> parse_routing_config(const std::string& text, const std::string& source) {
  if (text.size() > kMaxConfigBytes) {
    return engine::invalid_argument(source + ": larger than " + std::to_string(kMaxConfigBytes) +
                                    " bytes (the limit; docs/security.md)");
  }
  if (auto e = scan_yaml_limits(text)) return engine::invalid_argument(source + ": " + *e);
  // Within the limits the parse is bounded; running out of memory anyway (a small memory
  // budget) is an error like any other, so a reload keeps what runs.
  try {
    return parse_scanned(text, source);
  } catch (const std::bad_alloc&) {
    return engine::resource_exhausted(source + ": out of memory while reading the configuration");
  }
}

Result<RoutingModel> load_routing_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return engine::not_found(path + ": cannot open the routing configuration");
  // The size is checked before the file is read: stat for a regular file, and the read itself
  // stops one byte past the limit (a pipe, or a file that grows meanwhile).
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const std::string too_large = path + ": larger than " + std::to_string(kMaxConfigBytes) +
                                " bytes (the limit; docs/security.md)";
  if (!ec && size > kMaxConfigBytes) return engine::invalid_argument(too_large);
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) return engine::invalid_argument(too_large);
  }
  auto model = parse_routing_config(text, path);
  if (!model.ok()) return model;
  std::string& customers = model.value().daemon.customers_file;
  if (!customers.empty() && customers.front() != '/') {
    const auto slash = path.rfind('/');
    if (slash != std::string::npos) customers = path.substr(0, slash + 1) + customers;
  }
  if (auto& tls = model.value().daemon.tls) {
    // Like customers_file: relative to the configuration file's folder.
    const auto slash = path.rfind('/');
    for (std::string* file : {&tls->cert_file, &tls->key_file, &tls->client_ca_file}) {
      if (!file->empty() && file->front() != '/' && slash != std::string::npos) {
        *file = path.substr(0, slash + 1) + *file;
      }
    }
  }
  return model;
}

}  // namespace router::adapters::config
