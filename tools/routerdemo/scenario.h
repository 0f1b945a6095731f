// What routerdemo simulates, read from the files routerd itself reads: the agents and their
// tokens (the routing configuration's agents and auth.tokens), the "doors" customers come in by
// (entry-point addresses: dialled numbers, mailboxes, web topics), and the known customers
// (the customers file, JSON Lines). Immutable once loaded; shared read-only by every thread.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "engine/types.h"
#include "router/v1/config.pb.h"

namespace router::demo {

// The four channels in router.v1.Channel order minus UNSPECIFIED (index = Channel - 1).
inline constexpr size_t kChannels = 4;
// Anything but PHONE..WEB_CALLBACK (a newer routerd's channel) counts as phone.
size_t channel_index(v1::Channel channel);
v1::Channel channel_at(size_t index);
const char* channel_short_name(v1::Channel channel);  // "phone", "email", "chat", "callback"

// Past these, loading fails naming the limit: the demo holds everything in memory.
inline constexpr size_t kMaxCustomers = 100'000;
inline constexpr size_t kMaxCustomerLineBytes = 64 * 1024;

struct SimulatedAgent {
  std::string name;
  std::string team;
  std::string token;  // the agent's own AGENT token; empty with auth.dev_no_auth
};

// An entry-point address customers use: one dialled number, mailbox or web topic, with what
// the rules at that address say about who uses it.
struct Door {
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string address;  // as written in the configuration; empty: the channel has no address
  // The highest priority the address's intent-less rules add: a door with priority > 0 is a
  // private line (the VIP number) that only strategic customers are given.
  int priority = 0;
  // The language its intent-less rules match or set ("zh" for a Mandarin hotline): only
  // callers of that language use it. Empty: anyone.
  std::string language;
  std::vector<std::string> intents;  // intents some rule at this address matches
};

struct KnownCustomer {
  std::string id;
  std::string name;
  bool strategic = false;  // segment "strategic", or tagged "vip"
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
// and the customers file it names. Errors name the file, the line and the field.
engine::Result<Scenario> load_scenario(const std::string& config_path);

}  // namespace router::demo
