// The routing configuration file (YAML or JSON) → the engine's model. The file's schema is the
// proto message router.v1.RoutingConfig (proto/router/v1/config.proto); YAML is turned into
// JSON and parsed with protobuf's JsonStringToMessage, then validated. Every error names the
// file and the field path ("demo.yaml: queues[2].skills[0].min_level: must be 1..10").
// Used by routersim now and by routerd. Not thread-safe: plain functions and values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/router.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {

// routerd's own settings (RoutingConfig.daemon) with defaults applied.
struct DaemonSettings {
  std::string listen = "127.0.0.1:50051";
  std::string default_region = "US";
  std::string customers_file;  // resolved against the config file's folder; empty: none
  engine::Duration agent_grace = std::chrono::seconds(10);
  engine::Duration heartbeat = std::chrono::seconds(5);
  size_t stream_buffer = 1024;
  engine::Duration shutdown_deadline = std::chrono::seconds(5);
  size_t max_message_bytes = 64 * 1024;
  size_t max_finished_remembered = 100'000;
  size_t max_email_threads = 1'000'000;
  engine::SegmentThresholds segments;  // for customer records without a segment
};

// RoutingConfig.redis with defaults applied (docs/redis.md).
struct RedisSettings {
  std::string host;  // from address
  int port = 6379;
  int database = 0;
  std::string password;  // password_env already resolved; empty: no AUTH
  std::string key_prefix = "router:";
  engine::Duration connect_timeout = std::chrono::seconds(1);
  engine::Duration lookup_timeout = std::chrono::milliseconds(50);
  engine::Duration journal_timeout = std::chrono::seconds(1);
  engine::Duration reconnect_min = std::chrono::milliseconds(100);
  engine::Duration reconnect_max = std::chrono::seconds(5);
  size_t cache_entries = 100'000;
  engine::Duration cache_ttl = std::chrono::seconds(30);
  size_t history_max = 100'000;
  engine::Duration finished_ttl = std::chrono::hours(24);
  bool journal = true;
  std::string address() const { return host + ":" + std::to_string(port); }
};

struct AuthToken {
  std::string token;  // the secret (token_env already resolved)
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string agent;  // AGENT tokens: the agent it acts for
  std::string name;   // for logs
  // GATEWAY tokens: the gateway identity its submissions are filed under (Token.gateway, default
  // the token's name). Interaction ids are scoped by it: two gateways may use the same id.
  std::string gateway;
  // GATEWAY tokens: other gateways whose interactions it may also get, cancel and watch
  // (Token.sees_gateways); sees_all_gateways: "*" was listed (every gateway, present or future).
  std::vector<std::string> sees_gateways;
  bool sees_all_gateways = false;
};

// A gateway identity: 1..kMaxGatewayLength bytes of printable ASCII without spaces and without
// '/', the separator of the scoped form "<gateway>/<interaction_id>".
inline constexpr size_t kMaxGatewayLength = 64;
inline constexpr char kGatewayIdSeparator = '/';

struct AuthSettings {
  std::vector<AuthToken> tokens;
  bool dev_no_auth = false;
};

// The configuration with every name resolved: skill ids are indexes into `skills`, queue ids
// (overflow targets) indexes into `queues`, in file order — exactly the ids a Router built by
// build_router() assigns.
// The engine's part (router, skills, queues, agents) is engine::CenterModel.
struct RoutingModel : engine::CenterModel {
  DaemonSettings daemon;
  AuthSettings auth;
  std::optional<RedisSettings> redis;  // absent: no Redis section
  v1::RoutingConfig proto;  // the parsed file (entry points are resolved by adapters/channels)
};

// `source` names the text in error messages (usually the file name).
engine::Result<RoutingModel> parse_routing_config(const std::string& text,
                                                  const std::string& source);
engine::Result<RoutingModel> load_routing_config(const std::string& path);

// A Router with the model's skills, queues and agents added (agents logged out).
engine::Result<std::unique_ptr<engine::Router>> build_router(
    const RoutingModel& model, engine::MatchMode mode = engine::MatchMode::kIndexed);

}  // namespace router::adapters::config
