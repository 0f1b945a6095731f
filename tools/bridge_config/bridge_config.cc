// The bridges' shared configuration reading. See bridge_config.h.
#include "tools/bridge_config/bridge_config.h"

#include <fstream>
#include <sstream>

#include "tools/client_channel/client_channel.h"

namespace router::bridge {

engine::Error Reader::error(const std::string& field, const std::string& what) const {
  return engine::invalid_argument(source + ": " + field + ": " + what);
}

std::optional<engine::Error> Reader::only(const YAML::Node& node, const std::string& path,
                                          const std::set<std::string>& known) const {
  if (!node.IsMap()) return error(path.empty() ? "(top level)" : path, "must be a map");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (!known.count(key)) return error(path.empty() ? key : path + "." + key, "unknown field");
  }
  return std::nullopt;
}

std::optional<engine::Error> Reader::text(const YAML::Node& node, const std::string& field,
                                          std::string& out) const {
  if (!node) return std::nullopt;
  if (!node.IsScalar()) return error(field, "must be a string");
  out = node.as<std::string>();
  return std::nullopt;
}

std::optional<engine::Error> Reader::count(const YAML::Node& node, const std::string& field,
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

std::optional<engine::Error> Reader::flag(const YAML::Node& node, const std::string& field,
                                          bool& out) const {
  if (!node) return std::nullopt;
  try {
    out = node.as<bool>();
  } catch (const YAML::Exception&) {
    return error(field, "must be true or false");
  }
  return std::nullopt;
}

std::optional<engine::Error> Reader::secret(const YAML::Node& parent, const std::string& path,
                                            const std::string& field, const std::string& file_field,
                                            const std::string& what, std::string& out) const {
  if (parent[field] && parent[file_field]) {
    return error(path + "." + file_field,
                 "set either " + field + " or " + file_field + ", not both");
  }
  if (auto e = text(parent[field], path + "." + field, out)) return e;
  if (std::string file; parent[file_field]) {
    if (auto e = text(parent[file_field], path + "." + file_field, file)) return e;
    auto contents = read_file(file);
    if (!contents) return error(path + "." + file_field, "cannot read '" + file + "'");
    out = *contents;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  }
  if (out.empty()) return error(path + "." + field, "required: " + what);
  return std::nullopt;
}

std::optional<engine::Error> read_routerd(const Reader& r, const YAML::Node& root,
                                          const std::string& bridge,
                                          const std::set<std::string>& extra, RouterdOptions& out) {
  const YAML::Node rd = root["routerd"];
  if (!rd) return r.error("routerd", "required (routerd.addresses at least)");
  std::set<std::string> known = {"addresses", "token", "token_file", "domain", "timeout_s", "tls"};
  known.insert(extra.begin(), extra.end());
  if (auto e = r.only(rd, "routerd", known)) return e;
  if (const YAML::Node a = rd["addresses"]; a && a.IsSequence()) {
    std::vector<std::string> values;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].IsScalar()) {
        return r.error("routerd.addresses[" + std::to_string(i) + "]", "must be host:port");
      }
      values.push_back(a[i].as<std::string>());
    }
    out.addresses = client_channel::split_addresses(values);
  } else if (a) {
    std::string value;
    if (auto e = r.text(a, "routerd.addresses", value)) return e;
    out.addresses = client_channel::split_addresses(value);
  }
  if (out.addresses.empty()) {
    return r.error("routerd.addresses", "required: one host:port at least");
  }
  if (auto e =
          r.secret(rd, "routerd", "token", "token_file", bridge + "'s gateway token", out.token)) {
    return e;
  }
  if (auto e = r.text(rd["domain"], "routerd.domain", out.domain)) return e;
  long long timeout_s = out.timeout.count() / 1000;
  if (auto e = r.count(rd["timeout_s"], "routerd.timeout_s", 1, 300, timeout_s)) return e;
  out.timeout = std::chrono::seconds(timeout_s);
  if (const YAML::Node tls = rd["tls"]) {
    out.tls.tls = true;
    if (!tls.IsNull()) {
      if (auto e = r.only(tls, "routerd.tls", {"ca", "cert", "key", "server_name"})) return e;
      if (auto e = r.text(tls["ca"], "routerd.tls.ca", out.tls.ca_file)) return e;
      if (auto e = r.text(tls["cert"], "routerd.tls.cert", out.tls.cert_file)) return e;
      if (auto e = r.text(tls["key"], "routerd.tls.key", out.tls.key_file)) return e;
      if (auto e = r.text(tls["server_name"], "routerd.tls.server_name", out.tls.server_name)) {
        return e;
      }
      if (out.tls.cert_file.empty() != out.tls.key_file.empty()) {
        return r.error(out.tls.cert_file.empty() ? "routerd.tls.cert" : "routerd.tls.key",
                       "cert and key go together (mutual TLS)");
      }
    }
  }
  return std::nullopt;
}

std::optional<engine::Error> read_listeners(const Reader& r, const YAML::Node& root,
                                            std::string& metrics_listen,
                                            std::string& readiness_listen) {
  if (auto e = r.text(root["metrics_listen"], "metrics_listen", metrics_listen)) return e;
  return r.text(root["readiness_listen"], "readiness_listen", readiness_listen);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

engine::Result<YAML::Node> load_yaml(const std::string& yaml, const std::string& source) {
  try {
    return YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return engine::invalid_argument(source + ": line " + std::to_string(e.mark.line + 1) + ": " +
                                    e.msg);
  }
}

}  // namespace router::bridge
