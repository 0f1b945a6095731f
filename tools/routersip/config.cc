// routersip's configuration. See config.h.
#include "tools/routersip/config.h"

namespace router::sip {

using bridge::Reader;

namespace {

// A SIP or SIPS URI: "sip:" or "sips:", something after it, no spaces.
bool looks_like_sip_uri(const std::string& uri) {
  const bool scheme = uri.rfind("sip:", 0) == 0 || uri.rfind("sips:", 0) == 0;
  return scheme && uri.size() > 5 && uri.find_first_of(" \t\r\n<>\"") == std::string::npos;
}

// A header name: letters, digits and '-'.
bool header_name(const std::string& name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
  }
  return true;
}

}  // namespace

engine::Result<Config> parse_config(const std::string& yaml, const std::string& source) {
  Reader r{source};
  auto loaded = bridge::load_yaml(yaml, source);
  if (!loaded.ok()) return loaded.error();
  const YAML::Node root = loaded.value();
  Config c;
  if (root.IsNull()) return r.error("routerd", "required");
  if (auto e =
          r.only(root, "", {"sip", "agents", "routerd", "metrics_listen", "readiness_listen"})) {
    return *e;
  }
  if (const YAML::Node sip = root["sip"]) {
    if (auto e = r.only(sip, "sip", {"listen", "user_agent", "max_calls", "headers"})) return *e;
    if (auto e = r.text(sip["listen"], "sip.listen", c.listen)) return *e;
    const size_t colon = c.listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == c.listen.size()) {
      return r.error("sip.listen", "must be host:port, got '" + c.listen + "'");
    }
    if (auto e = r.text(sip["user_agent"], "sip.user_agent", c.user_agent)) return *e;
    long long n = static_cast<long long>(c.max_calls);
    if (auto e = r.count(sip["max_calls"], "sip.max_calls", 1, 100000, n)) return *e;
    c.max_calls = static_cast<size_t>(n);
    if (const YAML::Node h = sip["headers"]) {
      if (auto e = r.only(h, "sip.headers", {"language", "ivr_path", "ivr_digits", "intent"})) {
        return *e;
      }
      const std::pair<const char*, std::string*> fields[] = {{"language", &c.headers.language},
                                                             {"ivr_path", &c.headers.ivr_path},
                                                             {"ivr_digits", &c.headers.ivr_digits},
                                                             {"intent", &c.headers.intent}};
      for (const auto& [key, out] : fields) {
        const std::string field = std::string("sip.headers.") + key;
        if (auto e = r.text(h[key], field, *out)) return *e;
        if (!header_name(*out)) return r.error(field, "must be a header name, got '" + *out + "'");
      }
    }
  }
  const YAML::Node agents = root["agents"];
  if (!agents) return r.error("agents", "required (agents.phones: the phone agents)");
  if (auto e = r.only(agents, "agents", {"phones", "ready_after_missed_s"})) return *e;
  long long ready = c.ready_after_missed.count();
  if (auto e =
          r.count(agents["ready_after_missed_s"], "agents.ready_after_missed_s", 0, 86400, ready)) {
    return *e;
  }
  c.ready_after_missed = std::chrono::seconds(ready);
  const YAML::Node phones = agents["phones"];
  if (!phones || !phones.IsSequence() || phones.size() == 0) {
    return r.error("agents.phones", "required: a list of {agent, uri}, one at least");
  }
  for (size_t i = 0; i < phones.size(); ++i) {
    const std::string p = "agents.phones[" + std::to_string(i) + "]";
    if (auto e = r.only(phones[i], p, {"agent", "uri"})) return *e;
    std::string agent, uri;
    if (auto e = r.text(phones[i]["agent"], p + ".agent", agent)) return *e;
    if (auto e = r.text(phones[i]["uri"], p + ".uri", uri)) return *e;
    if (agent.empty()) return r.error(p + ".agent", "required: the agent's name in routerd");
    if (!looks_like_sip_uri(uri)) {
      return r.error(p + ".uri", "must be a SIP URI (sip:user@host:port), got '" + uri + "'");
    }
    if (!c.phones.emplace(agent, uri).second) {
      return r.error(p + ".agent", "'" + agent + "' is listed twice");
    }
  }
  if (auto e = bridge::read_routerd(r, root, "routersip",
                                    {"agent_link_token", "agent_link_token_file", "gateway"},
                                    c.routerd)) {
    return *e;
  }
  const YAML::Node rd = root["routerd"];
  if (auto e =
          r.secret(rd, "routerd", "agent_link_token", "agent_link_token_file",
                   "routersip's AGENT_LINK token (for its phone agents)", c.agent_link_token)) {
    return *e;
  }
  if (auto e = r.text(rd["gateway"], "routerd.gateway", c.gateway)) return *e;
  if (auto e = bridge::read_listeners(r, root, c.metrics_listen, c.readiness_listen)) return *e;
  return c;
}

engine::Result<Config> load_config(const std::string& path) {
  return bridge::load_file(path, parse_config);
}

}  // namespace router::sip
