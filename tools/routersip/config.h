// routersip's configuration file (YAML): where it listens for SIP, which headers carry the IVR's
// data, its phone agents and their SIP addresses, how it reaches routerd (addresses, the gateway
// token and the agent-link token, TLS) and its metrics and readiness listeners. Every error names
// the file and the field; unknown fields are errors. docs/routersip.md has the reference.
// Thread-safe: plain functions.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "engine/types.h"
#include "tools/bridge_config/bridge_config.h"

namespace router::sip {

struct HeaderNames {  // sip.headers: the INVITE headers a front-end IVR fills
  std::string language = "X-Language";
  std::string ivr_path = "X-IVR-Path";
  std::string ivr_digits = "X-IVR-Digits";
  std::string intent = "X-Intent";
};

struct Config {
  std::string listen = "127.0.0.1:5060";  // sip.listen: host:port, UDP and TCP
  std::string user_agent = "routersip";   // sip.user_agent: the User-Agent and Server header
  size_t max_calls = 1000;                // sip.max_calls: more at once are answered 503
  HeaderNames headers;

  std::map<std::string, std::string> phones;    // agents.phones: agent name → SIP URI
  std::chrono::seconds ready_after_missed{30};  // agents.ready_after_missed_s (0: never)

  bridge::RouterdOptions routerd;  // the gateway token is routerd.token
  std::string agent_link_token;    // routerd.agent_link_token or routerd.agent_link_token_file
  std::string gateway;             // routerd.gateway: its token's gateway name ("" : any)

  std::string metrics_listen;    // metrics_listen: Prometheus /metrics; empty: none
  std::string readiness_listen;  // readiness_listen: /ready and /live; empty: none
};

engine::Result<Config> load_config(const std::string& path);
engine::Result<Config> parse_config(const std::string& yaml, const std::string& source);

}  // namespace router::sip
