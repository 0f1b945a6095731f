// The routing configuration file (YAML or JSON) → the engine's model. The file's schema is the
// proto message router.v1.RoutingConfig (proto/router/v1/config.proto); YAML is turned into
// JSON and parsed with protobuf's JsonStringToMessage, then validated. Every error names the
// file and the field path ("demo.yaml: queues[2].skills[0].min_level: must be 1..10").
// Used by routersim now and by routerd. Not thread-safe: plain functions and values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/router.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {

// RoutingConfig.daemon.tls: the listener's certificate files, paths resolved against the
// configuration file's folder (load_routing_config). Only named here; routerd reads them.
struct TlsSettings {
  std::string cert_file;       // PEM chain; required
  std::string key_file;        // PEM key; required
  std::string client_ca_file;  // PEM CAs; set: mutual TLS
};

// routerd's own settings (RoutingConfig.daemon) with defaults applied.
// Daemon.server_limits with defaults applied (docs/security.md, "Resource limits").
struct ServerLimitSettings {
  size_t max_connections = 256;         // connections holding server streams
  size_t max_concurrent_streams = 200;  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS
  size_t max_streams_per_connection = 100;
  size_t max_streams_per_token = 1024;
  size_t max_streams_total = 4096;
  size_t outbox_max_bytes = 1 << 20;      // per stream
  size_t outbox_budget_bytes = 64 << 20;  // all streams
  engine::Duration slow_reader_cut = std::chrono::seconds(10);
  size_t grpc_memory_bytes = 128 << 20;   // gRPC's ResourceQuota
  uint32_t gateway_max_in_flight = 1024;  // a GatewayStream's FlowWindow (1..65536)
};

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
  std::optional<TlsSettings> tls;      // absent: plaintext
  bool allow_insecure = false;         // plaintext on a non-loopback address is allowed
  ServerLimitSettings server_limits;
  std::string ready_listen;    // host:port of the HTTP readiness listener; empty: none
  std::string metrics_listen;  // host:port of the Prometheus metrics listener; empty: none
  std::string domain;          // this routerd's routing domain; empty: accepts every domain
  engine::Duration report_interval = std::chrono::minutes(15);  // daemon.report_interval_s
};

// RoutingConfig.redis.lease with defaults applied (docs/availability.md, "Active and standby").
struct LeaseSettings {
  engine::Duration ttl = std::chrono::milliseconds(1000);   // lapses this long after a renewal
  engine::Duration renew = std::chrono::milliseconds(250);  // ≤ ttl / 3; default ttl / 4
  std::string instance;       // empty: routerd names itself "<hostname>:<pid>" (or --instance)
  bool cold_standby = false;  // no change feed: a standby loads the journal at the takeover
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
  engine::Duration audit_retention = std::chrono::hours(24 * 90);  // redis.audit_retention_days
  size_t audit_max_entries = 1'000'000;
  engine::Duration report_retention = std::chrono::hours(24 * 90);  // redis.report_retention_days
  engine::Duration finished_ttl = std::chrono::hours(24);
  engine::Duration probe_interval = std::chrono::milliseconds(300);
  engine::Duration probe_timeout = std::chrono::milliseconds(300);
  int probe_failures = 3;
  bool journal = true;
  std::optional<LeaseSettings> lease;  // absent: no lease (the only instance, serving at start)
  // Redis under Sentinel: when `sentinels` is not empty, the primary is asked from them
  // ("host:port" each) by the name `sentinel_master`, and host and port are unused.
  std::vector<std::string> sentinels;
  std::string sentinel_master;
  std::string sentinel_password;  // sentinel_password_env already resolved; empty: no AUTH
  int wait_replicas = 0;          // WAIT for this many replicas after a journal append; 0: none
  engine::Duration wait_timeout = std::chrono::milliseconds(500);
  // For logs and banners: "host:port", or "sentinel <master> via <s1>,<s2>,...".
  std::string address() const {
    if (sentinels.empty()) return host + ":" + std::to_string(port);
    std::string out = "sentinel " + sentinel_master + " via ";
    for (size_t i = 0; i < sentinels.size(); ++i) out += (i > 0 ? "," : "") + sentinels[i];
    return out;
  }
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
  // AGENT_LINK tokens: the agents the link may act for (Token.agents, each listed once);
  // all_agents: "*" was listed (every agent, present or future).
  std::vector<std::string> agents;
  bool all_agents = false;
};

// A gateway identity: 1..kMaxGatewayLength bytes of printable ASCII without spaces and without
// '/', the separator of the scoped form "<gateway>/<interaction_id>".
inline constexpr size_t kMaxGatewayLength = 64;
inline constexpr char kGatewayIdSeparator = '/';

struct AuthSettings {
  std::vector<AuthToken> tokens;
  bool dev_no_auth = false;
};

// A list of codes agents may give (RoutingConfig.codes; docs/operations.md, "Codes").
struct CodeList {
  std::vector<std::string> codes;            // empty: any text
  bool required = false;                     // a code must be given
  bool listed(std::string_view code) const;  // in `codes` (true for any code when it is empty)
  std::string describe() const;              // "one of: a, b, c" (or "any text")
};

// The codes of the configuration, resolved: a queue without a list of its own uses the center's.
struct CodeSettings {
  CodeList not_ready;
  CodeList wrap_up;
  std::vector<std::optional<CodeList>> queue_wrap_up;  // by queue index (file order)
  const CodeList& wrap_up_for(size_t queue) const {
    return queue < queue_wrap_up.size() && queue_wrap_up[queue] ? *queue_wrap_up[queue] : wrap_up;
  }
};

// The configuration with every name resolved: skill ids are indexes into `skills`, queue ids
// (overflow targets) indexes into `queues`, in file order — exactly the ids a Router built by
// build_router() assigns.
// The engine's part (router, skills, queues, agents) is engine::CenterModel.
struct RoutingModel : engine::CenterModel {
  DaemonSettings daemon;
  AuthSettings auth;
  std::optional<RedisSettings> redis;  // absent: no Redis section
  CodeSettings codes;
  v1::RoutingConfig proto;  // the parsed file (entry points are resolved by adapters/channels)
};

// Parse limits. They hold before anything is built from the file — the size before it is read,
// the rest while yaml-cpp's parser reports events and before any node tree exists — so a hostile
// file (an exponential "billion laughs" alias, a huge or deeply nested document) is refused in
// bounded time and memory. The same for routerd's start, --check, SIGHUP and ReloadConfig.
// docs/security.md ("Configuration limits") lists them.
inline constexpr size_t kMaxConfigBytes = 16 * 1024 * 1024;  // the file (or text) as read
inline constexpr size_t kMaxConfigNodes = 1'000'000;  // scalars, keys, lists and mappings in all
inline constexpr size_t kMaxConfigDepth = 32;         // nested lists/mappings (the schema needs 6)
// YAML anchors and aliases (&a, *a) are refused outright, so nothing is ever expanded; a
// mapping key given twice (at any level) is an error, and so is a scalar where the schema
// has a list.

// `source` names the text in error messages (usually the file name).
engine::Result<RoutingModel> parse_routing_config(const std::string& text,
                                                  const std::string& source);
engine::Result<RoutingModel> load_routing_config(const std::string& path);

// `q` without its links to other queues (overflow and its rules, a closed queue's overflow or
// callback queue): a queue is added so before the later queues it names, then updated in full.
engine::QueueConfig unlinked(engine::QueueConfig q);
bool linked(const engine::QueueConfig& q);

// A Router with the model's skills, queues and agents added (agents logged out).
engine::Result<std::unique_ptr<engine::Router>> build_router(
    const RoutingModel& model, engine::MatchMode mode = engine::MatchMode::kIndexed);

}  // namespace router::adapters::config
