// routermail's configuration. See config.h.
#include "tools/routermail/config.h"

#include "tools/bridge_config/bridge_config.h"

namespace router::mail {

using bridge::Reader;

engine::Result<Config> parse_config(const std::string& yaml, const std::string& source) {
  Reader r{source};
  auto loaded = bridge::load_yaml(yaml, source);
  if (!loaded.ok()) return loaded.error();
  const YAML::Node root = loaded.value();
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
  if (auto e = bridge::read_routerd(r, root, "routermail", {}, c.routerd)) return *e;
  if (auto e = bridge::read_listeners(r, root, c.metrics_listen, c.readiness_listen)) return *e;
  return c;
}

engine::Result<Config> load_config(const std::string& path) {
  return bridge::load_file(path, parse_config);
}

}  // namespace router::mail
