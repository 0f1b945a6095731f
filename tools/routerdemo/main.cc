// routerdemo: demo traffic for a running routerd over real gRPC — simulated telephony gateways,
// e-mail and web front ends submitting interactions, and simulated agent desktops taking them.
// The composition root: reads the flags, the routing configuration and the customers file, checks
// routerd answers, starts the agents and the gateway, prints progress, and on SIGINT/SIGTERM or
// at the end of --duration hangs up the waiting callers and logs every agent out.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"
#include "tools/routerdemo/agent_desktop.h"
#include "tools/routerdemo/counters.h"
#include "tools/routerdemo/gateway.h"
#include "tools/routerdemo/scenario.h"
#include "tools/routerdemo/scheduler.h"

namespace {

using namespace router::demo;
using router::v1::AgentState;

constexpr size_t kSchedulerWorkers = 8;
constexpr size_t kMaxPendingTasks = 200'000;
constexpr auto kConnectWait = std::chrono::seconds(5);
// routerd silent this long while the demo runs (every call UNAVAILABLE): give up.
constexpr auto kUnreachableLimit = std::chrono::seconds(30);
// A clean shutdown takes well under a second; past this the process just ends.
constexpr auto kShutdownWatchdog = std::chrono::seconds(15);
// Work held per agent, on average, per channel when estimating the default rate: phone and
// callback block the agent, chats and e-mails are handled a few at a time.
constexpr std::array<double, kChannels> kConcurrency{1, 4, 2, 1};
constexpr double kTargetBusy = 0.75;

int fail(const std::string& message) {
  std::fprintf(stderr, "routerdemo: error: %s\n", message.c_str());
  return 1;
}

// "phone=55,email=15,chat=20,callback=10" → weights; names absent keep their default.
std::optional<std::string> parse_mix(const std::string& text, std::array<double, kChannels>& mix) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) return "--mix: expected name=weight, got '" + item + "'";
    const std::string name = item.substr(0, eq);
    double weight = -1;
    try {
      weight = std::stod(item.substr(eq + 1));
    } catch (const std::exception&) {
    }
    if (!(weight >= 0) || !std::isfinite(weight)) {
      return "--mix: " + name + ": weight must be a number ≥ 0";
    }
    size_t c = kChannels;
    for (size_t i = 0; i < kChannels; ++i) {
      if (name == channel_short_name(channel_at(i))) c = i;
    }
    if (c == kChannels)
      return "--mix: unknown channel '" + name + "' (phone, email, chat, callback)";
    mix[c] = weight;
  }
  return std::nullopt;
}

// Arrivals per second that keep `agents` about kTargetBusy busy on average (the wave takes the
// peaks past 100%, so queues form and drain).
double default_rate(const TrafficProfile& traffic, const AgentBehaviour& agents, size_t count) {
  double total = 0, work_s = 0;
  for (size_t c = 0; c < kChannels; ++c) total += traffic.mix[c];
  if (total <= 0 || count == 0) return 0;
  const double think_s = (agents.think_min_s + agents.think_max_s) / 2;
  const double wrap_s = (agents.wrap_up_min_s + agents.wrap_up_max_s) / 2 + 2;
  for (size_t c = 0; c < kChannels; ++c) {
    const double per_item = agents.handle_mean_s[c] / agents.speed + think_s + wrap_s;
    work_s += traffic.mix[c] / total * per_item / kConcurrency[c];
  }
  return kTargetBusy * static_cast<double>(count) / work_s;
}

std::string progress_line(double elapsed_s, const Counters& k, const Gateway& gateway,
                          const std::vector<std::unique_ptr<AgentDesktop>>& agents) {
  std::map<AgentState, int> states;
  for (const auto& a : agents) ++states[a->state()];
  const int busy =
      states[router::v1::BUSY] + states[router::v1::AGENT_WRAP_UP] + states[router::v1::RESERVED];
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "[%5.0fs] submitted %llu (phone %llu email %llu chat %llu callback %llu) waiting %zu | "
      "accepted %llu completed %llu abandoned %llu expired %llu refused %llu callbacks %llu | "
      "agents busy %d ready %d "
      "not-ready %d out %d | errors %llu",
      elapsed_s, static_cast<unsigned long long>(k.submitted_total()),
      static_cast<unsigned long long>(k.submitted(0)),
      static_cast<unsigned long long>(k.submitted(1)),
      static_cast<unsigned long long>(k.submitted(2)),
      static_cast<unsigned long long>(k.submitted(3)), gateway.waiting(),
      static_cast<unsigned long long>(k.get(Count::kAccepted)),
      static_cast<unsigned long long>(k.get(Count::kCompleted)),
      static_cast<unsigned long long>(k.get(Count::kAbandoned)),
      static_cast<unsigned long long>(k.get(Count::kExpired)),
      static_cast<unsigned long long>(k.get(Count::kRefused)),
      static_cast<unsigned long long>(k.get(Count::kCallbacks)), busy, states[router::v1::READY],
      states[router::v1::NOT_READY], states[router::v1::LOGGED_OUT],
      static_cast<unsigned long long>(k.errors_total()));
  std::string line = buf;
  const auto by_code = k.errors_by_code();
  if (!by_code.empty()) {
    line += " (";
    bool first = true;
    for (const auto& [code, n] : by_code) {
      line += (first ? "" : ", ") + code + " " + std::to_string(n);
      first = false;
    }
    line += ")";
  }
  return line;
}

void print_summary(double elapsed_s, const Counters& k, size_t hung_up) {
  const double minutes = std::max(elapsed_s, 1.0) / 60;
  auto n = [&](Count c) { return static_cast<unsigned long long>(k.get(c)); };
  std::fprintf(stderr,
               "routerdemo: ran %.0f s: submitted %llu (%.1f/min), accepted %llu, completed %llu "
               "(%.1f/min), abandoned %llu, expired %llu, overflowed %llu\n"
               "routerdemo: agents rejected %llu, let %llu run out (%llu missed), %llu late "
               "answers, %llu breaks, ended %llu wrap-ups themselves; %llu callers hung up at "
               "shutdown; streams reopened %llu\n",
               elapsed_s, static_cast<unsigned long long>(k.submitted_total()),
               static_cast<double>(k.submitted_total()) / minutes, n(Count::kAccepted),
               n(Count::kCompleted), static_cast<double>(k.get(Count::kCompleted)) / minutes,
               n(Count::kAbandoned), n(Count::kExpired), n(Count::kOverflowed), n(Count::kRejected),
               n(Count::kIgnored), n(Count::kMissed), n(Count::kLate), n(Count::kBreaks),
               n(Count::kWrapUpEnded), static_cast<unsigned long long>(hung_up),
               n(Count::kStreamsLost));
  for (const auto& [what, count] : k.errors_by_method()) {
    std::fprintf(stderr, "routerdemo: error %s: %llu\n", what.c_str(),
                 static_cast<unsigned long long>(count));
  }
}

// Is routerd there, and does it take our gateway token? Exit code 0 to continue.
int preflight(const std::shared_ptr<grpc::Channel>& channel, const Scenario& scenario,
              const std::string& server) {
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + kConnectWait)) {
    return fail("routerd is not reachable at " + server + " (no connection within 5 s). Start " +
                "it first: routerd --config " + scenario.config_path +
                " (tools/dev.sh run does both). A routerd with daemon.tls needs --ca FILE (and "
                "--cert, --key for mutual TLS)");
  }
  auto stub = router::v1::InteractionService::NewStub(channel);
  grpc::ClientContext context;
  prepare(context, scenario.gateway_token);
  router::v1::GetInteractionRequest request;
  request.set_interaction_id("routerdemo-preflight");
  router::v1::Interaction ignored;
  const grpc::Status s = stub->GetInteraction(&context, request, &ignored);
  switch (s.error_code()) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::NOT_FOUND: return 0;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return fail("routerd at " + server + " refused the GATEWAY token of " + scenario.config_path +
                  " (" + code_name(s.error_code()) + ": " + s.error_message() +
                  "): was it started with this configuration?");
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return fail("routerd at " + server + " does not answer: " + code_name(s.error_code()) + ": " +
                  s.error_message());
    default:
      std::fprintf(stderr, "routerdemo: warning: GetInteraction preflight answered %s: %s\n",
                   code_name(s.error_code()).c_str(), s.error_message().c_str());
      return 0;
  }
}

int run(int argc, char** argv) {
  CLI::App app{
      "routerdemo: demo traffic for a running routerd over real gRPC. Simulated telephony "
      "gateways and e-mail/web front ends submit phone calls, e-mails, web chats and callback "
      "requests (Poisson arrivals whose rate swings ±35% over 5 minutes; 70% from known "
      "customers of the customers file, the rest anonymous; numbers, mailboxes and topics "
      "taken from the configuration's entry points) and hang up when their patience runs out; "
      "every configured agent that has an AGENT token logs in with it and takes work like a "
      "person (think 0.5-3 s, ~3% rejected, ~1% left to time out, exponential handle times, "
      "wrap-up codes, occasional breaks). Runs until --duration or SIGINT/SIGTERM, then hangs "
      "up waiting callers (not e-mails) and logs the agents out.\n"
      "Exit status: 0 ran and stopped cleanly; 1 bad configuration, TLS files or routerd "
      "unreachable at start; 3 routerd stopped answering during the run; 4 shutdown did not finish "
      "within 15 s; "
      "other non-zero: bad command line."};
  std::string config_path = "tools/routerd/demo/center.yaml";
  std::string server;
  std::optional<double> rate;
  double duration_s = 0;
  uint64_t seed = 1;
  std::string mix_text;
  std::optional<size_t> agent_limit;
  double progress_s = 5;
  bool quiet = false;
  AgentBehaviour behaviour;
  TrafficProfile traffic;

  app.add_option("--config", config_path,
                 "routing configuration routerd runs with (agents, tokens, entry points, "
                 "customers file)")
      ->capture_default_str();
  app.add_option("--server", server,
                 "routerd address host:port (default: daemon.listen); a comma-separated list: the "
                 "first that answers SERVING at start is used (one that refuses the connection or "
                 "is not serving, a standby, is passed over)");
  app.add_option("--rate", rate,
                 "mean arrivals per second (default: sized to keep the agents ~75% busy at "
                 "--speed; printed at start)")
      ->check(CLI::Range(0.0, 10'000.0));
  app.add_option("--speed", behaviour.speed,
                 "handle times and breaks are a real center's (phone 240 s, e-mail 300 s, chat "
                 "360 s, callback 200 s, breaks 600 s) divided by this")
      ->check(CLI::Range(0.1, 1000.0))
      ->capture_default_str();
  app.add_option("--duration", duration_s, "seconds to run; 0: until SIGINT/SIGTERM")
      ->check(CLI::Range(0.0, 30.0 * 24 * 3600))
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed (the sequence of arrivals and choices)")
      ->capture_default_str();
  app.add_option("--mix", mix_text,
                 "channel weights, e.g. phone=55,email=15,chat=20,callback=10 (the default)");
  app.add_option("--known", traffic.known_share, "share of arrivals from known customers")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--wave", traffic.wave,
                 "rate swing around the mean, 0..0.9 (0: steady Poisson arrivals)")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--agents", agent_limit,
                 "simulate only the first N agents of the configuration (default: all)");
  app.add_option("--progress", progress_s, "seconds between progress lines")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "no start banner or progress lines (errors still show)");
  router::client_tls::Options tls;
  router::client_tls::add_flags(app, tls);
  router::client_channel::Options channel_options;
  router::client_channel::add_flags(app, channel_options);
  CLI11_PARSE(app, argc, argv);
  if (!mix_text.empty()) {
    if (auto e = parse_mix(mix_text, traffic.mix)) return fail(*e);
  }

  auto loaded = load_scenario(config_path);
  if (!loaded.ok()) return fail(loaded.error().message);
  const Scenario scenario = std::move(loaded).value();
  if (server.empty()) server = scenario.listen;
  std::vector<SimulatedAgent> simulated = scenario.agents;
  if (agent_limit && *agent_limit < simulated.size()) simulated.resize(*agent_limit);
  traffic.rate_per_s = rate ? *rate : default_rate(traffic, behaviour, simulated.size());
  for (size_t c = 0; c < kChannels; ++c) {
    if (traffic.mix[c] > 0 && scenario.doors[c].empty()) {
      std::fprintf(stderr, "routerdemo: warning: no entry point for %s: none will be sent\n",
                   channel_short_name(channel_at(c)));
    }
  }
  if (!scenario.agents_skipped.empty()) {
    std::fprintf(stderr, "routerdemo: warning: %zu agents have no AGENT token and sit out (%s%s)\n",
                 scenario.agents_skipped.size(), scenario.agents_skipped.front().c_str(),
                 scenario.agents_skipped.size() > 1 ? ", ..." : "");
  }

  // Signals are taken by this thread only (sigtimedwait); every thread started later,
  // gRPC's included, inherits the block.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  std::string tls_error;
  auto credentials = router::client_tls::channel_credentials(tls, args, tls_error);
  if (!credentials) return fail(tls_error);
  auto addresses = router::client_channel::split_addresses(server);
  if (addresses.empty()) return fail("--server: no address given");
  auto choice = router::client_channel::choose(
      addresses,
      [&](const std::string& address) {
        return router::client_channel::make_channel(address, credentials, args,
                                                    channel_options.domain);
      },
      std::chrono::seconds(2));
  for (const auto& skipped : choice.skipped) {
    std::fprintf(stderr, "routerdemo: passed over %s\n", skipped.c_str());
  }
  server = choice.address;
  auto channel = choice.channel;
  if (int code = preflight(channel, scenario, server); code != 0) return code;

  if (!quiet) {
    std::fprintf(stderr,
                 "routerdemo: %s → %s: %zu agents, %zu known customers, %.2f arrivals/s "
                 "(%s), speed %.3g, seed %llu%s\n",
                 config_path.c_str(), server.c_str(), simulated.size(), scenario.customers.size(),
                 traffic.rate_per_s, rate ? "--rate" : "default for ~75% busy", behaviour.speed,
                 static_cast<unsigned long long>(seed),
                 duration_s > 0
                     ? (", " + std::to_string(static_cast<int>(duration_s)) + " s").c_str()
                     : ", until Ctrl-C");
  }

  Counters counters;
  Scheduler scheduler(kSchedulerWorkers, kMaxPendingTasks);
  std::vector<std::unique_ptr<AgentDesktop>> agents;
  std::seed_seq seeds{seed};
  std::vector<uint64_t> agent_seeds(simulated.size() + 1);
  {
    std::vector<uint32_t> raw(2 * agent_seeds.size());
    seeds.generate(raw.begin(), raw.end());
    for (size_t i = 0; i < agent_seeds.size(); ++i) {
      agent_seeds[i] = (uint64_t{raw[2 * i]} << 32) | raw[2 * i + 1];
    }
  }
  for (size_t i = 0; i < simulated.size(); ++i) {
    agents.push_back(std::make_unique<AgentDesktop>(simulated[i], channel, scheduler, counters,
                                                    behaviour, agent_seeds[i + 1]));
  }
  Gateway gateway(scenario, channel, scheduler, counters, traffic, agent_seeds[0]);
  for (auto& a : agents) a->start();
  const auto started = Clock::now();
  // A second for the desktops to log in before the first customer arrives.
  gateway.start(started + std::chrono::seconds(1));

  int exit_code = 0;
  auto next_progress = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(progress_s));
  // No --duration: never (a plain time point; std::optional trips GCC 12's -Wmaybe-uninitialized).
  const Clock::time_point end = duration_s > 0
                                    ? started + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(duration_s))
                                    : Clock::time_point::max();
  while (true) {
    const timespec tick{0, 200'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    const auto now = Clock::now();
    const double elapsed_s = std::chrono::duration<double>(now - started).count();
    if (sig == SIGINT || sig == SIGTERM) {
      if (!quiet) {
        std::fprintf(stderr, "\nrouterdemo: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
      }
      break;
    }
    if (now >= end) break;
    if (now - counters.last_reached() > kUnreachableLimit) {
      std::fprintf(stderr, "routerdemo: error: routerd at %s has not answered for %lld s (%s)\n",
                   server.c_str(),
                   static_cast<long long>(
                       std::chrono::duration_cast<std::chrono::seconds>(kUnreachableLimit).count()),
                   counters.last_error().c_str());
      exit_code = 3;
      break;
    }
    if (!quiet && now >= next_progress) {
      std::fprintf(stderr, "routerdemo: %s\n",
                   progress_line(elapsed_s, counters, gateway, agents).c_str());
      next_progress +=
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(progress_s));
    }
  }

  // Shutdown: no new arrivals, no new tasks; callers still waiting hang up; agents end their
  // shift (withdraw offers, complete held work, log out); then the streams close.
  std::atomic<bool> done{false};
  std::thread watchdog([&done, exit_code] {
    const auto until = Clock::now() + kShutdownWatchdog;
    while (!done.load() && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!done.load()) {
      std::fprintf(stderr, "routerdemo: shutdown took over 15 s; exiting anyway\n");
      std::_Exit(exit_code != 0 ? exit_code : 4);
    }
  });
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
  gateway.stop_arrivals();
  scheduler.stop();
  const size_t hung_up = exit_code == 0 ? gateway.hang_up_waiting(std::chrono::seconds(3)) : 0;
  if (exit_code == 0) {
    for (auto& a : agents) a->end_shift();
  }
  gateway.stop();
  for (auto& a : agents) a->stop();
  done.store(true);
  watchdog.join();
  print_summary(elapsed_s, counters, hung_up);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
