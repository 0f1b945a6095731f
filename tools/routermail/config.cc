// routermail's configuration. See config.h.
#include "tools/routermail/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "tools/client_channel/client_channel.h"

namespace router::mail {
namespace {

struct Reader {
  std::string source;

  engine::Error error(const std::string& field, const std::string& what) const {
    return engine::invalid_argument(source + ": " + field + ": " + what);
  }
  // Unknown keys in `node` (a map) are errors naming them.
  std::optional<engine::Error> only(const YAML::Node& node, const std::string& path,
                                    const std::set<std::string>& known) const {
    if (!node.IsMap()) return error(path.empty() ? "(top level)" : path, "must be a map");
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (!known.count(key)) return error(path.empty() ? key : path + "." + key, "unknown field");
    }
    return std::nullopt;
  }
  std::optional<engine::Error> text(const YAML::Node& node, const std::string& field,
                                    std::string& out) const {
    if (!node) return std::nullopt;
    if (!node.IsScalar()) return error(field, "must be a string");
    out = node.as<std::string>();
    return std::nullopt;
  }
  std::optional<engine::Error> count(const YAML::Node& node, const std::string& field,
                                     long long min, long long max, long long& out) const {
    if (!node) return std::nullopt;
    try {
      out = node.as<long long>();
    } catch (const YAML::Exception&) {
      return error(field, "must be a whole number");
    }
    if (out < min || out > max) {
      return error(field, "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                              std::to_string(out));
    }
    return std::nullopt;
  }
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

engine::Result<Config> parse_config(const std::string& yaml, const std::string& source) {
  Reader r{source};
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return engine::invalid_argument(source + ": line " + std::to_string(e.mark.line + 1) + ": " +
                                    e.msg);
  }
  Config c;
  if (root.IsNull()) return r.error("routerd", "required");
  if (auto e = r.only(root, "", {"lmtp", "routerd", "metrics_listen", "readiness_listen"})) {
    return *e;
  }
  if (const YAML::Node lmtp = root["lmtp"]) {
    if (auto e = r.only(lmtp, "lmtp",
                        {"listen", "hostname", "max_message_bytes", "max_recipients",
                         "max_connections", "idle_timeout_s"})) {
      return *e;
    }
    long long n = 0;
    if (auto e = r.text(lmtp["listen"], "lmtp.listen", c.listen)) return *e;
    if (auto e = r.text(lmtp["hostname"], "lmtp.hostname", c.hostname)) return *e;
    if (c.hostname.empty() || c.hostname.find_first_of(" \t\r\n") != std::string::npos) {
      return r.error("lmtp.hostname", "must be one word");
    }
    n = static_cast<long long>(c.limits.max_message_bytes);
    if (auto e = r.count(lmtp["max_message_bytes"], "lmtp.max_message_bytes", 1024, 1LL << 30, n)) {
      return *e;
    }
    c.limits.max_message_bytes = static_cast<size_t>(n);
    n = static_cast<long long>(c.limits.max_recipients);
    if (auto e = r.count(lmtp["max_recipients"], "lmtp.max_recipients", 1, 1000, n)) return *e;
    c.limits.max_recipients = static_cast<size_t>(n);
    n = static_cast<long long>(c.max_connections);
    if (auto e = r.count(lmtp["max_connections"], "lmtp.max_connections", 1, 10000, n)) return *e;
    c.max_connections = static_cast<size_t>(n);
    n = c.idle_timeout.count();
    if (auto e = r.count(lmtp["idle_timeout_s"], "lmtp.idle_timeout_s", 1, 3600, n)) return *e;
    c.idle_timeout = std::chrono::seconds(n);
  }
  const YAML::Node rd = root["routerd"];
  if (!rd) return r.error("routerd", "required (routerd.addresses at least)");
  if (auto e = r.only(rd, "routerd",
                      {"addresses", "token", "token_file", "domain", "timeout_s", "tls"})) {
    return *e;
  }
  if (const YAML::Node a = rd["addresses"]; a && a.IsSequence()) {
    std::vector<std::string> values;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].IsScalar()) {
        return r.error("routerd.addresses[" + std::to_string(i) + "]", "must be host:port");
      }
      values.push_back(a[i].as<std::string>());
    }
    c.routerd = client_channel::split_addresses(values);
  } else if (a) {
    std::string value;
    if (auto e = r.text(a, "routerd.addresses", value)) return *e;
    c.routerd = client_channel::split_addresses(value);
  }
  if (c.routerd.empty()) return r.error("routerd.addresses", "required: one host:port at least");
  if (rd["token"] && rd["token_file"]) {
    return r.error("routerd.token_file", "set either token or token_file, not both");
  }
  if (auto e = r.text(rd["token"], "routerd.token", c.token)) return *e;
  if (std::string file; rd["token_file"]) {
    if (auto e = r.text(rd["token_file"], "routerd.token_file", file)) return *e;
    auto contents = read_file(file);
    if (!contents) return r.error("routerd.token_file", "cannot read '" + file + "'");
    c.token = *contents;
    while (!c.token.empty() && (c.token.back() == '\n' || c.token.back() == '\r')) {
      c.token.pop_back();
    }
  }
  if (c.token.empty()) return r.error("routerd.token", "required: routermail's gateway token");
  if (auto e = r.text(rd["domain"], "routerd.domain", c.domain)) return *e;
  long long timeout_s = 10;
  if (auto e = r.count(rd["timeout_s"], "routerd.timeout_s", 1, 300, timeout_s)) return *e;
  c.timeout = std::chrono::seconds(timeout_s);
  if (const YAML::Node tls = rd["tls"]) {
    c.tls.tls = true;
    if (!tls.IsNull()) {
      if (auto e = r.only(tls, "routerd.tls", {"ca", "cert", "key", "server_name"})) return *e;
      if (auto e = r.text(tls["ca"], "routerd.tls.ca", c.tls.ca_file)) return *e;
      if (auto e = r.text(tls["cert"], "routerd.tls.cert", c.tls.cert_file)) return *e;
      if (auto e = r.text(tls["key"], "routerd.tls.key", c.tls.key_file)) return *e;
      if (auto e = r.text(tls["server_name"], "routerd.tls.server_name", c.tls.server_name))
        return *e;
      if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
        return r.error(c.tls.cert_file.empty() ? "routerd.tls.cert" : "routerd.tls.key",
                       "cert and key go together (mutual TLS)");
      }
    }
  }
  if (auto e = r.text(root["metrics_listen"], "metrics_listen", c.metrics_listen)) return *e;
  if (auto e = r.text(root["readiness_listen"], "readiness_listen", c.readiness_listen)) return *e;
  return c;
}

engine::Result<Config> load_config(const std::string& path) {
  auto text = read_file(path);
  if (!text) return engine::invalid_argument(path + ": cannot read the file");
  return parse_config(*text, path);
}

}  // namespace router::mail
