// Simulated gateways and agent desktops on Asio driver threads, over gRPC's callback API
// (load.h).
#include "tools/routerload/load.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"
#include "router/v1/router.grpc.pb.h"
#include "tools/center/customers.h"
#include "tools/routerload/load_internal.h"

namespace router::load {
namespace detail {
namespace {

// SIGINT or SIGTERM during the load: the submits stop now and the run goes on to its drain and
// its report, as at the end of --duration. A second one ends the process (SA_RESETHAND).
std::atomic<bool> g_end_early{false};
extern "C" void end_early(int) { g_end_early.store(true); }
void catch_end_signals() {
  struct sigaction action {};
  action.sa_handler = end_early;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

// A process's CPU time so far and its resident memory, from /proc/<pid>/stat and status.
struct ProcSample {
  bool ok = false;
  double cpu_s = 0;  // utime + stime
  uint64_t rss = 0;  // VmRSS, bytes
};

ProcSample proc_sample(int pid) {
  ProcSample p;
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: the fields after it follow its last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return p;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  p.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
  std::ifstream status(dir + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) p.rss = std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  p.ok = true;
  return p;
}

// ---------------------------------------------------------------------------------------------

Run::Run(const LoadOptions& options, const Center& center, const std::vector<CustomerKeys>& keys)
    : options_(options), center_(center), customers_(keys) {
  char prefix[32];
  const uint64_t unique =
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
      (options.seed * 0x9E3779B97F4A7C15ull);
  std::snprintf(prefix, sizeof prefix, "ld%08" PRIx64 "-",
                static_cast<uint64_t>(unique & 0xFFFFFFFFFFull));
  id_prefix_ = prefix;
  tty_ = isatty(STDERR_FILENO) != 0;
}

std::shared_ptr<grpc::Channel> Run::make_channel(int index) const {
  grpc::ChannelArguments args;
  // A channel argument of its own keeps gRPC from sharing one connection between channels.
  args.SetInt("routerload.channel", index);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  std::string error;  // run_load() has checked the TLS files
  return client_channel::make_channel(options_.target,
                                      client_tls::channel_credentials(options_.tls, args, error),
                                      args, options_.channel.domain);
}

void Run::finished(const std::string& interaction_id) {
  // "<prefix><gateway>-<seq>"
  if (interaction_id.compare(0, id_prefix_.size(), id_prefix_) != 0) return;
  const char* p = interaction_id.c_str() + id_prefix_.size();
  char* end = nullptr;
  const unsigned long long g = std::strtoull(p, &end, 10);
  if (end == nullptr || *end != '-' || g >= gateways_.size()) return;
  const unsigned long long seq = std::strtoull(end + 1, nullptr, 10);
  GatewayBase* gateway = gateways_[g].get();
  asio::post(gateway->driver().io, [gateway, seq] { gateway->finished(seq); });
}

void Run::accepted(const std::string& interaction_id, const std::string& agent) {
  std::lock_guard lock(accepted_mu_);
  accepted_[interaction_id] = agent;
}

std::optional<std::string> Run::offered_elsewhere(const std::string& interaction_id,
                                                  const std::string& agent) {
  std::lock_guard lock(accepted_mu_);
  auto it = accepted_.find(interaction_id);
  if (it == accepted_.end() || it->second == agent) return std::nullopt;
  return it->second;
}

void Run::completed(const std::string& interaction_id) {
  std::lock_guard lock(accepted_mu_);
  accepted_.erase(interaction_id);
}

void Run::progress_line(double elapsed_s, const char* phase, bool final_line) {
  if (!options_.progress) return;
  if (!final_line && !tty_ && elapsed_s - last_line_s_ < 5) return;
  last_line_s_ = elapsed_s;
  std::fprintf(stderr,
               "%s[%6.1f s] %-8s submitted %" PRIu64 "  completed %" PRIu64 "  live %" PRId64
               "  agents ready %zu  errors %" PRIu64 "%s",
               tty_ ? "\r" : "", elapsed_s, phase, progress_submitted.load(),
               progress_completed.load(), live.load(), agents_ready.load(), progress_errors.load(),
               tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
}

bool Run::wait_until(const std::function<bool()>& done, double timeout_s, const char* phase,
                     Clock::time_point started) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    if (elapsed - last_line_s_ >= (tty_ ? 0.5 : 5)) progress_line(elapsed, phase, false);
  }
  return true;
}

void Run::report_open() {
  // Each description is made on the object's driver (its state is the driver's).
  auto describe_on = [](Driver& driver, const std::function<std::string()>& describe) {
    auto text = std::make_shared<std::promise<std::string>>();
    auto answer = text->get_future();
    asio::post(driver.io, [text, describe] { text->set_value(describe()); });
    return answer.wait_for(std::chrono::seconds(1)) == std::future_status::ready
               ? answer.get()
               : "(its driver did not answer)";
  };
  std::vector<std::string> lines;
  for (auto& a : agents_) {
    if (a->done() && a->stopped()) continue;
    AgentBase* agent = a.get();
    lines.push_back(describe_on(agent->driver(), [agent] { return agent->describe(); }));
  }
  for (auto& g : gateways_) {
    if (g->closed()) continue;
    GatewayBase* gateway = g.get();
    lines.push_back(describe_on(gateway->driver(), [gateway] { return gateway->describe(); }));
  }
  std::fprintf(stderr,
               "routerload: not every call ended within 10 s (%lld unary calls open, %lld "
               "streams given up that never ended); they are left to the exit:\n",
               static_cast<long long>(rpcs_pending_.load()),
               static_cast<long long>(abandoned_calls.load()));
  for (const auto& line : lines) std::fprintf(stderr, "  %s\n", line.c_str());
}

engine::Result<Report> Run::execute() {
  const size_t threads = std::max<size_t>(1, options_.threads);
  for (size_t i = 0; i < threads; ++i) drivers_.push_back(std::make_unique<Driver>());
  for (auto& d : drivers_) d->thread = std::thread([io = &d->io] { io->run(); });

  const size_t agent_count = options_.agents == 0
                                 ? center_.agents.size()
                                 : std::min(options_.agents, center_.agents.size());
  const size_t gateway_count = std::max<size_t>(1, options_.gateways);
  int channel_index = 0;
  for (size_t g = 0; g < gateway_count; ++g) {
    const size_t share =
        options_.concurrency / gateway_count + (g < options_.concurrency % gateway_count ? 1 : 0);
    gateways_.push_back(make_gateway(*this, *drivers_[g % threads], g,
                                     make_channel(channel_index++), share,
                                     options_.rate / gateway_count));
  }
  const size_t agent_channels =
      std::min(kMaxAgentChannels, (agent_count + kAgentsPerChannel - 1) / kAgentsPerChannel);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (size_t i = 0; i < std::max<size_t>(1, agent_channels); ++i) {
    channels.push_back(make_channel(channel_index++));
  }
  if (options_.api == Api::kStream && options_.agent_links > 0) {
    auto link_of = assign_links(center_, agent_count, options_.agent_links);
    if (!link_of.ok()) {
      for (auto& d : drivers_) d->guard.reset();
      for (auto& d : drivers_) d->thread.join();
      return link_of.error();
    }
    std::vector<Driver*> drivers;
    for (auto& d : drivers_) drivers.push_back(d.get());
    // A connection per link.
    std::vector<std::shared_ptr<grpc::Channel>> link_channels;
    for (size_t i = 0; i < options_.agent_links; ++i) {
      link_channels.push_back(make_channel(channel_index++));
    }
    make_linked_agents(*this, drivers, agent_count, link_of.value(), link_channels, agents_);
  } else {
    for (size_t a = 0; a < agent_count; ++a) {
      agents_.push_back(
          make_agent(*this, *drivers_[a % threads], a, channels[a % channels.size()]));
    }
  }

  const auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  auto teardown = [&] {
    stopping_.store(true);
    submitting_.store(false);
    wait_until([&] { return held.load() <= 0; }, 10, "wrap-up", started);
    for (auto& a : agents_) a->stop();
    wait_until(
        [&] {
          for (auto& a : agents_) {
            if (!a->stopped()) return false;
          }
          return true;
        },
        10, "logout", started);
    for (auto& a : agents_) a->cancel_stream();
    for (auto& g : gateways_) g->close();
    const bool closed = wait_until(
        [&] {
          for (auto& a : agents_) {
            if (!a->done()) return false;
          }
          for (auto& g : gateways_) {
            if (!g->closed()) return false;
          }
          return rpcs_pending_.load() == 0 && abandoned_calls.load() == 0;
        },
        10, "closing", started);
    if (!closed || abandoned_calls.load() > 0) {
      calls_left_open_ = true;
      report_open();
    }
    for (auto& d : drivers_) d->guard.reset();
    for (auto& d : drivers_) {
      d->io.stop();
      d->thread.join();
    }
  };

  ServerUsage usage;
  ProcSample cpu_start;
  if (options_.server_pid > 0) usage.rss_before = proc_sample(options_.server_pid).rss;
  for (auto& a : agents_) a->start();
  if (!wait_until([&] { return agents_ready.load() == agent_count; }, options_.login_timeout_s,
                  "login", started)) {
    const size_t ready = agents_ready.load();
    teardown();
    return engine::failed_precondition(
        std::to_string(ready) + " of " + std::to_string(agent_count) +
        " agents went READY within " + std::to_string(static_cast<int>(options_.login_timeout_s)) +
        " s (is routerd at " + options_.target + " running this configuration?)");
  }

  if (options_.server_pid > 0) {
    usage.rss_connected = proc_sample(options_.server_pid).rss;
    cpu_start = proc_sample(options_.server_pid);
  }
  // No warm-up: every interaction is measured, from the first submit.
  if (options_.warmup_s <= 0) measuring_.store(true);
  submitting_.store(true);
  catch_end_signals();
  const auto load_started = Clock::now();
  for (auto& g : gateways_) g->start();
  const auto warm =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.warmup_s));
  const auto measure = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.duration_s));
  // A closed loop is warm once it also holds its concurrency (a 115,000-deep backlog takes a
  // while to build); it gives up waiting for that after kMaxRamp and measures what it has.
  const bool closed_loop = options_.rate <= 0;
  const auto ramped = [&] {
    return !closed_loop ||
           live.load() >= static_cast<int64_t>(static_cast<double>(options_.concurrency) * 0.95);
  };
  bool warmed = options_.warmup_s <= 0;
  Clock::time_point window_start = load_started;
  while (submitting_.load()) {
    const auto now = Clock::now();
    if (!warmed && now - load_started >= warm &&
        (ramped() || now - load_started >= warm + kMaxRamp)) {
      warmed = true;
      window_start = now;
      if (options_.server_pid > 0) cpu_start = proc_sample(options_.server_pid);
      measuring_.store(true);
      if (options_.ready_after_warmup) {
        for (auto& a : agents_) a->start_work();
      }
    }
    if (warmed && options_.count == 0 && now - window_start >= measure) break;
    if (g_end_early.load()) {
      std::fprintf(stderr,
                   "routerload: SIGINT/SIGTERM: submits stop now; drain and report follow\n");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (elapsed() - last_line_s_ >= (tty_ ? 0.5 : 5)) {
      progress_line(elapsed(), warmed ? "load" : "warm-up", false);
    }
  }
  submitting_.store(false);
  auto window_end = Clock::now();
  ProcSample cpu_end;
  if (options_.server_pid > 0) cpu_end = proc_sample(options_.server_pid);
  if (!warmed) window_start = window_end;
  // A duration run measures the steady state: its window closes when the submits stop, and the
  // drain that follows is left out. A count run measures those interactions, drain included.
  const bool count_run = options_.count > 0;
  if (!count_run) measuring_.store(false);

  wait_until([&] { return live.load() == 0; }, options_.drain_s, "drain", started);
  if (live.load() > 0) {
    cancelling_.store(true);
    for (auto& g : gateways_) {
      GatewayBase* gw = g.get();
      asio::post(gw->driver().io, [gw] { gw->cancel_live(); });
    }
    wait_until([&] { return live.load() == 0; }, 60, "cancel", started);
  }
  if (count_run) {
    measuring_.store(false);
    window_end = Clock::now();
    if (options_.server_pid > 0) cpu_end = proc_sample(options_.server_pid);
  }
  const int64_t unfinished = live.load();
  const double run_s = elapsed();
  progress_line(run_s, "done", true);
  teardown();

  Report report;
  report.label = options_.label.empty() ? options_.target : options_.label;
  report.window_s = std::chrono::duration<double>(window_end - window_start).count();
  report.run_s = run_s;
  for (auto& d : drivers_) report.figures.merge(d->figures);
  report.figures.unfinished = static_cast<uint64_t>(std::max<int64_t>(0, unfinished));
  report.api = options_.api == Api::kUnary ? "unary"
               : options_.agent_links > 0
                   ? "stream, " + std::to_string(options_.agent_links) + " agent links"
                   : "stream";
  if (options_.server_pid > 0 && cpu_start.ok && cpu_end.ok) {
    usage.measured = true;
    usage.agents = agent_count;
    usage.cpu_s = cpu_end.cpu_s - cpu_start.cpu_s;
    usage.cpu_us_per_lifecycle =
        report.figures.completed > 0
            ? usage.cpu_s * 1e6 / static_cast<double>(report.figures.completed)
            : 0;
    usage.rss_per_agent = agent_count > 0 && usage.rss_connected > usage.rss_before
                              ? static_cast<double>(usage.rss_connected - usage.rss_before) /
                                    static_cast<double>(agent_count)
                              : 0;
    report.server = usage;
  }
  return report;
}

}  // namespace detail

using detail::Run;

engine::Result<Center> center_from_config(const adapters::config::RoutingModel& model) {
  center::Center found = center::center_from_config(model);
  if (found.gateway_token.empty() && !found.dev_no_auth) {
    return engine::invalid_argument("auth.tokens: no GATEWAY token to submit with");
  }
  bool has_links = false;
  for (const v1::Token& t : model.proto.auth().tokens()) has_links |= t.role() == v1::AGENT_LINK;
  // Agents without an AGENT token are usable through AGENT_LINK tokens only (run_load checks).
  if (!found.agents_without_token.empty() && !has_links) {
    return engine::invalid_argument("auth.tokens: no AGENT token for agent \"" +
                                    found.agents_without_token.front() + "\"");
  }
  Center center;
  center.gateway_token = std::move(found.gateway_token);
  center.dev_no_auth = found.dev_no_auth;
  if (found.agents_without_token.empty()) {
    center.agents = std::move(found.agents);
  } else {  // every agent, in file order, those without a token with an empty one
    std::unordered_map<std::string, AgentLogin> with_token;
    for (AgentLogin& a : found.agents) with_token.emplace(a.name, std::move(a));
    for (const engine::AgentProfile& p : model.agents) {
      auto it = with_token.find(p.name);
      center.agents.push_back(it != with_token.end() ? std::move(it->second)
                                                     : AgentLogin{p.name, "", ""});
    }
  }
  // AGENT_LINK tokens, read from the file as written (Token.agents).
  for (const v1::Token& t : model.proto.auth().tokens()) {
    if (t.role() != v1::AGENT_LINK) continue;
    LinkLogin link;
    link.token = t.token();
    if (link.token.empty() && !t.token_env().empty()) {
      if (const char* v = std::getenv(t.token_env().c_str())) link.token = v;
    }
    link.agents.assign(t.agents().begin(), t.agents().end());
    center.links.push_back(std::move(link));
  }
  size_t doors = 0;
  for (size_t c = 0; c < kChannels; ++c) {
    doors += found.open_addresses[c].size();
    center.doors[c] = std::move(found.open_addresses[c]);
  }
  if (doors == 0) {
    return engine::invalid_argument(
        "entry_points: none with an address and without intent or language to submit to");
  }
  if (center.agents.empty()) return engine::invalid_argument("agents: none to log in");
  return center;
}

engine::Result<std::vector<size_t>> assign_links(const Center& center, size_t agents,
                                                 size_t links) {
  if (links == 0) return engine::invalid_argument("--agent-link: must be at least 1");
  std::vector<size_t> link_of(agents, 0);
  if (center.links.empty() && center.dev_no_auth) {
    for (size_t a = 0; a < agents; ++a) link_of[a] = a % links;
    return link_of;
  }
  if (center.links.size() < links) {
    return engine::invalid_argument(
        "--agent-link " + std::to_string(links) + ": the configuration has " +
        std::to_string(center.links.size()) +
        " AGENT_LINK token(s) (auth.tokens[].role AGENT_LINK; routerload center --links N)");
  }
  std::unordered_map<std::string, size_t> first_link;  // agent → the first link naming it
  std::optional<size_t> any;                           // the first link with "*"
  for (size_t l = 0; l < links; ++l) {
    for (const std::string& name : center.links[l].agents) {
      if (name == "*") {
        if (!any) any = l;
      } else {
        first_link.emplace(name, l);
      }
    }
  }
  for (size_t a = 0; a < agents; ++a) {
    auto it = first_link.find(center.agents[a].name);
    if (it != first_link.end()) {
      link_of[a] = it->second;
    } else if (any) {
      link_of[a] = *any;
    } else {
      return engine::invalid_argument("--agent-link " + std::to_string(links) + ": agent \"" +
                                      center.agents[a].name +
                                      "\" is in none of the first AGENT_LINK tokens' agents");
    }
  }
  return link_of;
}

engine::Result<std::vector<CustomerKeys>> read_customer_keys(const std::string& path,
                                                             size_t limit) {
  std::vector<CustomerKeys> keys;
  center::CustomerFileRead options;  // region "US", rejected records skipped
  options.limit = limit;
  const engine::Status read =
      center::read_customer_file(path, options, [&](const adapters::channels::CustomerEntry& e) {
        CustomerKeys k;
        if (!e.phones.empty()) k.phone = e.phones.front();
        if (!e.emails.empty()) k.email = e.emails.front();
        if (!e.web_visitors.empty()) k.visitor = e.web_visitors.front();
        if (!e.web_accounts.empty()) k.account = e.web_accounts.front();
        keys.push_back(std::move(k));
      });
  if (!read.ok()) return read.error();
  return keys;
}

engine::Result<Report> run_load(const LoadOptions& options, const Center& center,
                                const std::vector<CustomerKeys>& customers) {
  grpc::ChannelArguments args;
  std::string tls_error;
  if (!client_tls::channel_credentials(options.tls, args, tls_error)) {
    return engine::invalid_argument(tls_error);
  }
  if (!center.dev_no_auth && !(options.api == Api::kStream && options.agent_links > 0)) {
    const size_t n =
        options.agents == 0 ? center.agents.size() : std::min(options.agents, center.agents.size());
    for (size_t a = 0; a < n; ++a) {
      if (center.agents[a].token.empty()) {
        return engine::invalid_argument("auth.tokens: no AGENT token for agent \"" +
                                        center.agents[a].name +
                                        "\" (it acts through AGENT_LINK tokens only: use --api "
                                        "stream --agent-link N)");
      }
    }
  }
  // With a list of addresses, the first that is SERVING now carries the whole run.
  LoadOptions chosen = options;
  const auto addresses = client_channel::split_addresses(options.target);
  if (addresses.empty()) return engine::invalid_argument("--target: no address given");
  if (addresses.size() > 1) {
    const auto credentials = client_tls::channel_credentials(options.tls, args, tls_error);
    const auto choice = client_channel::choose(
        addresses,
        [&](const std::string& address) {
          return client_channel::make_channel(address, credentials, args, options.channel.domain);
        },
        std::chrono::seconds(2));
    for (const auto& skipped : choice.skipped) {
      std::fprintf(stderr, "routerload: passed over %s\n", skipped.c_str());
    }
    chosen.target = choice.address;
  }
  auto run = std::make_unique<Run>(chosen, center, customers);
  auto report = run->execute();
  // Calls still open at the end (report_open said which): freeing the run would destroy their
  // channels, and a channel's destructor waits for every call to end, so routerload would never
  // exit. The run is left to the process's exit instead.
  if (run->calls_left_open()) static_cast<void>(run.release());
  return report;
}

}  // namespace router::load
