// A synthetic contact center for load runs and benchmarks: a routerd configuration of any size,
// generated deterministically from a CenterSpec (same spec and seed, same bytes). Every queue
// takes all four channels and has one door (entry point with an address) per channel, every
// agent is blended, holds one token and can serve at least one queue. Plain functions and values:
// thread-safe. The tokens are public (derived from names): run such a center on loopback only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "router/v1/config.pb.h"

namespace router::load {

inline constexpr size_t kMaxCenterAgents = 100'000;
inline constexpr size_t kMaxCenterQueues = 1'000;
inline constexpr size_t kMaxCenterSkills = 100;

struct CenterSpec {
  size_t agents = 1000;  // 1..kMaxCenterAgents
  size_t queues = 20;    // 1..kMaxCenterQueues
  size_t skills = 10;    // 1..kMaxCenterSkills
  uint64_t seed = 1;     // every random choice (levels, extra skills, languages) comes from it
  std::string listen = "127.0.0.1:50051";  // daemon.listen, host:port
  std::string redis;  // "host:port": a redis section (journal on, default key prefix); empty: none
  std::string customers_file;   // daemon.customers_file, relative to the file; empty: none
  double offer_timeout_s = 30;  // every queue's; > 0, ≤ 3600
  double wrap_up_s = 60;  // routerd's wrap-up timer, 0..3600 (routerload's agents end it sooner)
  uint64_t max_interactions = 2'000'000;       // limits.max_interactions; ≥ 1
  uint64_t max_waiting_per_queue = 1'000'000;  // limits.max_waiting_per_queue; ≥ 1
  uint32_t stream_buffer = 65'536;  // daemon.stream_buffer: messages per stream; 1..1,000,000
  // AGENT_LINK tokens (link_token(k)), for routerload --api stream --agent-link: link k acts for
  // the agents i with i % links == k. 0..1000; 0: none.
  size_t links = 0;
  // An AGENT token per agent. false (with links): the agents are reachable through their links
  // only: a smaller file (a 15,000-agent center with links is ~3 MB instead of ~4.3 MB).
  bool agent_tokens = true;
};

// The center. Queue q (0-based) requires one skill, skill_name(q % min(skills, agents)), at
// level 1..5; agent i has that skill (i % skills) at level 5..10, so each queue is served by
// about agents / min(skills, agents) agents, plus those whose extra skills (0..2, levels 1..10)
// happen to qualify. Everyone speaks "en"; about 15% also "es" and 5% also "zh". No expansion,
// overflow or max wait. Throws std::invalid_argument naming the field ("CenterSpec.agents: ...")
// for an out-of-range spec.
//
// Capacity: phone 1, email 1, web_chat 1, web_callback 1. The engine treats phone and callback
// as exclusive (offered only to an agent holding nothing, and blocking every other channel while
// held) and email and chat as additive per channel, and never has two offers pending for one
// agent. So an agent holds one call or one callback alone, or at most one e-mail plus one chat.
v1::RoutingConfig make_center(const CenterSpec& spec);

// The text routerd reads: YAML whose top-level keys are block style and whose list items are
// one JSON object per line (greppable), after a few '#' comment lines. Any RoutingConfig works.
std::string center_text(const v1::RoutingConfig& config);

// Naming conventions routerload relies on; indexes are 0-based, numbers in names 1-based.
std::string agent_name(size_t index);  // 0 → "ag00001", 99'999 → "ag100000"
std::string queue_name(size_t index);  // 0 → "q0001"
std::string skill_name(size_t index);  // 0 → "sk001"
// The door of queue `index` on `channel`: PHONE "+18005550100" + index (E.164, a possible US
// toll-free number), EMAIL "q0001@load.example.com", WEB_CHAT and WEB_CALLBACK the topic "q0001".
// Throws std::invalid_argument for CHANNEL_UNSPECIFIED or index ≥ kMaxCenterQueues.
std::string door_address(v1::Channel channel, size_t index);
// The agent's bearer token: "routerload-agent-<agent>-token". REQUIRES: `agent` is 1..200
// printable ASCII characters without spaces (agent_name's are); else std::invalid_argument.
std::string agent_token(const std::string& agent);
// The k-th AGENT_LINK token (0-based): "routerload-agent-link-token-0001", ...
std::string link_token(size_t k);
inline constexpr size_t kMaxCenterLinks = 1'000;
inline constexpr const char* kGatewayToken = "routerload-gateway-token-0001";
inline constexpr const char* kSupervisorToken = "routerload-supervisor-token-0001";

}  // namespace router::load
