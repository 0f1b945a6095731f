// What routerdemo simulates, read from the files routerd itself reads: the agents and their
// tokens (the routing configuration's agents and auth.tokens), the "doors" customers come in by
// (entry-point addresses: dialled numbers, mailboxes, web topics) — both from tools/center, as
// routerload reads them — and the known customers (the customers file, through the product's
// parser). Immutable once loaded; shared read-only by every thread.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "engine/types.h"
#include "router/v1/config.pb.h"
#include "tools/center/center.h"

namespace router::demo {

// The four channels in router.v1.Channel order minus UNSPECIFIED (index = Channel - 1).
using center::channel_at;
using center::channel_index;  // anything but PHONE..WEB_CALLBACK counts as phone
using center::kChannels;
const char* channel_short_name(v1::Channel channel);  // "phone", "email", "chat", "callback"

// Past this, loading fails naming the limit: the demo holds everything in memory.
inline constexpr size_t kMaxCustomers = 100'000;

using SimulatedAgent = center::AgentLogin;
using Door = center::Door;

// A customer of the customers file; keys normalized as routerd stores them.
struct KnownCustomer {
  std::string id;
  std::string name;
  bool strategic = false;  // segment strategic (named, or derived by daemon.segments), or "vip"
  std::string language;
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  std::vector<std::string> web_visitors;
  std::vector<std::string> web_accounts;
};

struct Scenario {
  std::string config_path;
  std::string listen;            // daemon.listen: routerd's default address
  std::string gateway_token;     // the first GATEWAY token; empty with auth.dev_no_auth
  std::string supervisor_token;  // the first SUPERVISOR token, if any
  bool dev_no_auth = false;
  std::vector<SimulatedAgent> agents;              // those with a token (all with dev_no_auth)
  std::vector<std::string> agents_skipped;         // configured agents without an AGENT token
  std::array<std::vector<Door>, kChannels> doors;  // per channel; empty: no rule for it
  std::vector<KnownCustomer> customers;
  std::string customers_path;  // resolved; empty when the configuration names none
};

// Loads the configuration with adapters/config (the same validation routerd applies to it)
// and the customers file it names (JSON Lines or CSV). Errors name the file, the line and the
// field; a customer record routerd would reject is an error here too.
engine::Result<Scenario> load_scenario(const std::string& config_path);

}  // namespace router::demo
