// routermail's configuration file (YAML): where it listens for LMTP, its limits, how it reaches
// routerd (addresses, gateway token, TLS) and its metrics and readiness listeners. Every error
// names the file and the field ("routermail.yaml: lmtp.max_message_bytes: must be ..."); unknown
// fields are errors. docs/routermail.md has the reference. Thread-safe: plain functions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/types.h"
#include "tools/bridge_config/bridge_config.h"
#include "tools/routermail/lmtp_session.h"

namespace router::mail {

struct Config {
  std::string listen = "127.0.0.1:2424";   // lmtp.listen: host:port (port 0: any free one)
  std::string hostname = "routermail";     // lmtp.hostname: in the greeting and LHLO reply
  SessionLimits limits;                    // lmtp.max_message_bytes, lmtp.max_recipients
  size_t max_connections = 64;             // lmtp.max_connections: more are told 421 and closed
  std::chrono::seconds idle_timeout{300};  // lmtp.idle_timeout_s: silent this long: 421, closed

  // routerd.{addresses,token,token_file,domain,timeout_s,tls}: how it reaches routerd.
  bridge::RouterdOptions routerd;

  std::string metrics_listen;    // metrics_listen: Prometheus /metrics; empty: none
  std::string readiness_listen;  // readiness_listen: /ready and /live; empty: none
};

// Reads and checks the file at `path`.
engine::Result<Config> load_config(const std::string& path);
// The same for text already read; `source` names it in errors.
engine::Result<Config> parse_config(const std::string& yaml, const std::string& source);

}  // namespace router::mail
