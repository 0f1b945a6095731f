// The load itself: simulated gateways and agent desktops driving routerd (or routerecho) over
// gRPC's callback API, the way the real ones do, and measuring what they see.
//
// - A gateway submits interactions on its own channel to routerd: open loop (Poisson arrivals
//   at a rate) or closed loop (it keeps its share of `concurrency` interactions live, and submits
//   a new one when one of its interactions is completed). Each request carries its send time as
//   the attribute "routerload_t0" (steady clock, ns), which comes back in the offer.
// - An agent desktop logs in NOT_READY, opens StreamWork, goes READY on the stream's first
//   status, and for each offer: AcceptOffer after a think time, CompleteInteraction after a
//   handle time, EndWrapUp after a wrap-up time. A completion is reported to the gateway that
//   submitted the interaction (its index is in the interaction id).
// With --api stream the same gateways and desktops use the session streams instead: each gateway
// one GatewayStream (its submits and cancels, never more unanswered than the server's FlowWindow),
// each desktop one AgentSession (Login, SetState, AcceptOffer, CompleteInteraction, EndWrapUp
// and Logout as requests with correlation ids; the work events on the same stream); with
// --agent-link N the desktops are served by N AgentLink streams instead, each with its AGENT_LINK
// token. The figures are taken at the same points: a request's send to its answer, the submit's
// send to the offer read.
// Threads: K driver threads, each an Asio io_context owning some gateways and agents; gRPC's
// threads only timestamp an answer and post it to the owner. Each driver fills its own Figures.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "engine/types.h"
#include "router/v1/config.pb.h"
#include "tools/center/center.h"
#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"
#include "tools/routerload/report.h"

namespace router::load {

// Phone, e-mail, chat, callback (the --mix order): center::channel_index's order.
inline constexpr size_t kChannels = center::kChannels;
inline constexpr v1::Channel kChannelOrder[kChannels] = {v1::PHONE, v1::EMAIL, v1::WEB_CHAT,
                                                         v1::WEB_CALLBACK};

using AgentLogin = center::AgentLogin;  // token empty under dev_no_auth

// An AGENT_LINK token (auth.tokens[], role AGENT_LINK) and the agents it may act for.
struct LinkLogin {
  std::string token;
  std::vector<std::string> agents;  // "*": every agent
};

// What the load needs from the configuration routerd runs (read by center::center_from_config).
struct Center {
  std::string gateway_token;  // empty under dev_no_auth
  std::vector<AgentLogin> agents;
  std::vector<LinkLogin> links;  // in file order
  bool dev_no_auth = false;
  // Entry-point addresses per channel (kChannelOrder), of the entry points that need no intent
  // or language: any of them takes an arrival.
  std::array<std::vector<std::string>, kChannels> doors;
};
// INVALID_ARGUMENT when the configuration has no GATEWAY token (and no dev_no_auth), an agent
// without an AGENT token, or no door at all.
engine::Result<Center> center_from_config(const adapters::config::RoutingModel& model);

// One customer's keys, as arrivals present them (empty: the customer has none of that kind).
struct CustomerKeys {
  std::string phone;
  std::string email;
  std::string visitor;
  std::string account;
};
// Reads at most `limit` records of a customer file (JSONL or CSV, through
// center::read_customer_file); bad records are skipped.
engine::Result<std::vector<CustomerKeys>> read_customer_keys(const std::string& path, size_t limit);

struct Spread {  // a uniform time in [min_ms, max_ms]
  double min_ms = 0;
  double max_ms = 0;
};

enum class Api { kUnary, kStream };

struct LoadOptions {
  // host:port, or a comma-separated list: the first SERVING one at start (client_channel).
  std::string target = "127.0.0.1:50051";
  Api api = Api::kUnary;    // --api
  size_t agent_links = 0;   // --agent-link N (with kStream): the agents on N AgentLink streams
  int server_pid = 0;       // > 0: the server's CPU and RSS are read from /proc/<pid>
  client_tls::Options tls;  // off: plaintext
  client_channel::Options channel;  // --domain: x-router-domain on every call
  std::string label;                // the report's label; default "<target>"
  size_t agents = 0;                // the first N of the center's agents; 0: all
  size_t gateways = 4;
  std::array<double, kChannels> mix{55, 15, 20, 10};
  double known_share = 0.9;   // of arrivals, when there are customer keys
  double rate = 0;            // > 0: open loop, arrivals per second in total
  size_t concurrency = 1000;  // closed loop: interactions kept live
  double duration_s = 10;     // seconds measured after the warm-up; then submits stop...
  uint64_t count = 0;         // ...or after this many submits (0: no count)
  double warmup_s = 1;        // left out of the figures; a closed loop also waits (up to 5 min)
                              // until it holds 95% of its concurrency. 0: measure everything
  Spread think, handle, wrap_up;
  size_t max_inflight = 2000;   // submits awaiting their answer, over all gateways
  double drain_s = 30;          // after the last submit: wait for live work to finish
  double login_timeout_s = 60;  // every agent READY within this, or the run fails
  // --api stream: a stream with requests out and nothing read for this long is given up and
  // reopened on a new connection (docs/availability.md, "The failover test").
  double stall_s = 2;
  // Agents log in NOT_READY and go READY when the warm-up ends: a closed loop first builds its
  // whole backlog (all of --concurrency waiting), then the agents work through it.
  bool ready_after_warmup = false;
  uint64_t seed = 1;
  size_t threads = 1;    // driver threads
  bool progress = true;  // a progress line on stderr
};

// The link (index into center.links) serving each of the first `agents` agents with `links`
// links: the first of the first `links` AGENT_LINK tokens that names it (or "*"); under
// dev_no_auth with no such tokens, agent i goes to link i % links. INVALID_ARGUMENT naming the
// agent when no token covers it, or when there are fewer than `links` tokens.
engine::Result<std::vector<size_t>> assign_links(const Center& center, size_t agents, size_t links);

// Runs the load to the end (submits, drain, cancels, logouts) and returns what it measured.
// FAILED_PRECONDITION when the agents could not all log in and go READY; INVALID_ARGUMENT when
// the TLS files cannot be read.
engine::Result<Report> run_load(const LoadOptions& options, const Center& center,
                                const std::vector<CustomerKeys>& customers);

}  // namespace router::load
