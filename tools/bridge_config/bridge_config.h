// What the bridges to routerd (routermail, routersip) read alike from their YAML files: a field
// reader whose every error names the file and the field ("routersip.yaml: sip.listen: ..."), and
// the `routerd:` section (addresses, gateway token or token file, routing domain, per-call
// timeout, TLS). docs/routermail.md and docs/routersip.md have the reference. Plain functions
// and values; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/types.h"
#include "tools/client_tls/client_tls.h"

namespace router::bridge {

// Reads fields of one file; `source` (the file's path) starts every error.
struct Reader {
  std::string source;

  engine::Error error(const std::string& field, const std::string& what) const;
  // Unknown keys in `node` (which must be a map) are errors naming them; `path` is its field
  // ("" for the top level).
  std::optional<engine::Error> only(const YAML::Node& node, const std::string& path,
                                    const std::set<std::string>& known) const;
  // Each leaves `out` as it is when the field is absent.
  std::optional<engine::Error> text(const YAML::Node& node, const std::string& field,
                                    std::string& out) const;
  std::optional<engine::Error> count(const YAML::Node& node, const std::string& field,
                                     long long min, long long max, long long& out) const;
  std::optional<engine::Error> flag(const YAML::Node& node, const std::string& field,
                                    bool& out) const;
  // A secret given inline (`field`) or in a file (`file_field`, trailing newlines dropped), not
  // both; `what` says what it is when required and missing.
  std::optional<engine::Error> secret(const YAML::Node& parent, const std::string& path,
                                      const std::string& field, const std::string& file_field,
                                      const std::string& what, std::string& out) const;
};

// The `routerd:` section: how a bridge reaches routerd as a gateway.
struct RouterdOptions {
  std::vector<std::string> addresses;  // routerd.addresses, tried in order (a list or "a:1,b:2")
  std::string token;                   // routerd.token or the contents of routerd.token_file
  std::string domain;                  // routerd.domain: x-router-domain on every call
  std::chrono::milliseconds timeout{10000};  // routerd.timeout_s
  // routerd.tls: tls set when the section is present; routerd.tls.{ca,cert,key,server_name}.
  client_tls::Options tls;
};

// Reads root["routerd"] for the bridge named `bridge` ("routermail": in "required: routermail's
// gateway token"); `extra` are further keys the bridge reads itself (left alone here).
std::optional<engine::Error> read_routerd(const Reader& r, const YAML::Node& root,
                                          const std::string& bridge,
                                          const std::set<std::string>& extra, RouterdOptions& out);

// metrics_listen and readiness_listen (top level): the Prometheus and /ready listeners, each
// "host:port" or empty (none).
std::optional<engine::Error> read_listeners(const Reader& r, const YAML::Node& root,
                                            std::string& metrics_listen,
                                            std::string& readiness_listen);

// The file's text, or nothing when it cannot be read.
std::optional<std::string> read_file(const std::string& path);
// Parses `yaml`; a syntax error names the file and the line.
engine::Result<YAML::Node> load_yaml(const std::string& yaml, const std::string& source);

// Reads the file at `path` and parses it with `parse(text, path)` (a bridge's parse_config);
// "<path>: cannot read the file" when it cannot be read.
template <class Parse>
auto load_file(const std::string& path, Parse parse) -> decltype(parse(std::string(), path)) {
  auto text = read_file(path);
  if (!text) return engine::invalid_argument(path + ": cannot read the file");
  return parse(*text, path);
}

}  // namespace router::bridge
