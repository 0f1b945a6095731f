// routerload: drives a running routerd (or the routerecho baseline) over gRPC with simulated
// gateways and agent desktops, and reports rates and latencies (README.md). `routerload center`
// writes a synthetic configuration of any size for routerd to run.
#include <absl/synchronization/mutex.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/config/routing_config.h"
#include "tools/routerload/center.h"
#include "tools/routerload/load.h"
#include "tools/routerload/report.h"

extern char** environ;

namespace {

using namespace router;
using namespace router::load;

// Exit codes: 0 the run went through with no error and every interaction completed; 1 it ran,
// but with errors or unfinished interactions; 2 it could not run (bad flags, config, server).
constexpr int kExitOk = 0;
constexpr int kExitErrors = 1;
constexpr int kExitSetup = 2;

bool parse_spread(const std::string& text, Spread& spread) {
  const auto colon = text.find(':');
  try {
    size_t used = 0;
    spread.min_ms = std::stod(text.substr(0, colon), &used);
    spread.max_ms = colon == std::string::npos ? spread.min_ms : std::stod(text.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  return spread.min_ms >= 0 && spread.max_ms >= spread.min_ms;
}

// routerecho as a child process on a free loopback port; stopped (SIGTERM) on destruction.
class EchoChild {
 public:
  // `keep_stderr`: routerecho's summary line goes to our stderr (else to /dev/null). `flags`:
  // routerecho's own (the limits routerd's configuration sets, so both queue alike).
  static std::optional<EchoChild> start(const std::string& path, bool keep_stderr,
                                        std::vector<std::string> flags, std::string& error) {
    int out[2];
    if (pipe(out) != 0) {
      error = "pipe failed";
      return std::nullopt;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    if (!keep_stderr) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    flags.insert(flags.begin(), "--listen=127.0.0.1:0");
    std::vector<char*> argv{const_cast<char*>(path.c_str())};
    for (auto& f : flags) argv.push_back(f.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      error = "cannot start " + path + ": " + std::strerror(rc) + " (see --echo-path)";
      return std::nullopt;
    }
    EchoChild child(pid);
    // "routerecho listening on 127.0.0.1:PORT"
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    const auto at = line.rfind(' ');
    if (line.find("listening on") == std::string::npos || at == std::string::npos) {
      error = path + " did not report its address (got \"" + line + "\")";
      return std::nullopt;
    }
    child.address_ = line.substr(at + 1);
    return child;
  }
  EchoChild(EchoChild&& o) noexcept : pid_(o.pid_), address_(std::move(o.address_)) { o.pid_ = 0; }
  EchoChild& operator=(EchoChild&&) = delete;
  ~EchoChild() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  const std::string& address() const { return address_; }
  int pid() const { return static_cast<int>(pid_); }

 private:
  explicit EchoChild(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::string address_;
};

std::string default_echo_path() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "routerecho";
  return (self.parent_path() / "routerecho").string();
}

bool clean(const Report& r) {
  return r.figures.error_count() == 0 && r.figures.unfinished == 0 &&
         r.figures.cancelled_at_end == 0 && r.figures.throttled == 0 &&
         r.figures.completed_total == r.figures.submitted_total;
}

int run_command(LoadOptions options, const std::string& config_path,
                const std::string& customers_path, size_t customer_limit, bool echo, bool with_echo,
                const std::string& echo_path, const std::string& json_path) {
  auto model = adapters::config::load_routing_config(config_path);
  if (!model.ok()) {
    std::cerr << "routerload: " << model.error().message << "\n";
    return kExitSetup;
  }
  auto center = center_from_config(model.value());
  if (!center.ok()) {
    std::cerr << "routerload: " << config_path << ": " << center.error().message << "\n";
    return kExitSetup;
  }
  std::vector<CustomerKeys> customers;
  if (!customers_path.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    auto keys = read_customer_keys(customers_path, customer_limit);
    if (!keys.ok()) {
      std::cerr << "routerload: --customers: " << keys.error().message << "\n";
      return kExitSetup;
    }
    customers = std::move(keys.value());
    if (options.progress) {
      std::fprintf(stderr, "routerload: %zu customers' keys read from %s in %.1f s\n",
                   customers.size(), customers_path.c_str(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  if (options.agents > center.value().agents.size()) {
    std::cerr << "routerload: --agents " << options.agents << ": the configuration has only "
              << center.value().agents.size() << " agents\n";
    return kExitSetup;
  }

  if ((echo || with_echo) && options.tls.enabled()) {
    std::cerr << "routerload: --echo and --with-echo run routerecho, which serves plaintext only; "
                 "leave out the TLS flags (compare TLS with plaintext by two runs against "
                 "routerd: bench/tls.sh)\n";
    return kExitSetup;
  }
  std::optional<Report> baseline;
  if (echo || with_echo) {
    // The child lives for the baseline run only: it is gone before routerd's run starts.
    std::string error;
    // The baseline queues as routerd would with this configuration: a link's ~940 agents' events
    // in one stream need routerd's stream_buffer, not routerecho's default.
    const auto& daemon = model.value().daemon;
    auto child = EchoChild::start(
        echo_path.empty() ? default_echo_path() : echo_path, options.progress,
        {"--stream-buffer=" + std::to_string(daemon.stream_buffer),
         "--max-message-bytes=" + std::to_string(daemon.max_message_bytes),
         "--gateway-max-in-flight=" + std::to_string(daemon.server_limits.gateway_max_in_flight)},
        error);
    if (!child) {
      std::cerr << "routerload: --echo: " << error << "\n";
      return kExitSetup;
    }
    LoadOptions echo_options = options;
    echo_options.target = child->address();
    echo_options.label = "routerecho " + child->address();
    echo_options.server_pid = options.server_pid > 0 ? child->pid() : 0;
    if (options.progress) {
      std::fprintf(stderr, "routerload: echo baseline at %s\n", child->address().c_str());
    }
    auto report = run_load(echo_options, center.value(), customers);
    if (!report.ok()) {
      std::cerr << "routerload: echo baseline: " << report.error().message << "\n";
      return kExitSetup;
    }
    baseline = std::move(report.value());
  }
  std::optional<Report> engine;
  if (!echo) {
    if (options.label.empty()) options.label = "routerd " + options.target;
    auto report = run_load(options, center.value(), customers);
    if (!report.ok()) {
      std::cerr << "routerload: " << report.error().message << "\n";
      return kExitSetup;
    }
    engine = std::move(report.value());
  }

  const Report& shown = engine ? *engine : *baseline;
  const Report* base = engine && baseline ? &*baseline : nullptr;
  std::ostream& table_out = json_path == "-" ? std::cerr : std::cout;
  if (base != nullptr) table_out << format_table(*base) << "\n";
  table_out << format_table(shown, base);
  if (!json_path.empty()) {
    const std::string text = to_json(shown, base).dump(2) + "\n";
    if (json_path == "-") {
      std::cout << text;
    } else {
      std::ofstream out(json_path);
      out << text;
      if (!out) {
        std::cerr << "routerload: --json: cannot write " << json_path << "\n";
        return kExitSetup;
      }
    }
  }
  const bool ok = clean(shown) && (base == nullptr || clean(*base));
  return ok ? kExitOk : kExitErrors;
}

}  // namespace

int main(int argc, char** argv) {
  // As routerd and routerecho do (tools/routerd/main.cc): Debian's Abseil is built without NDEBUG,
  // and its mutex deadlock detection would tax every gRPC call of the measurement.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "routerload: drives a running routerd over gRPC as gateways and agent desktops do, and "
      "measures it (interactions/s, RPCs/s, latency percentiles, errors by status code).\n"
      "Exit status: 0 every submitted interaction completed without an error; 1 errors or "
      "unfinished interactions; 2 the run could not start."};
  app.require_subcommand(1);

  // run
  auto* run = app.add_subcommand("run", "run the load against routerd (or the echo baseline)");
  LoadOptions options;
  std::string config_path, customers_path, echo_path, json_path, think = "0", handle = "0",
                                                                 wrap_up = "0";
  std::string mix = "55,15,20,10";
  size_t customer_limit = 1'000'000;
  bool echo = false, with_echo = false, quiet = false;
  run->add_option(
         "--config", config_path,
         "the configuration routerd runs: agents, tokens and entry points are read from it")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--target", options.target,
                  "routerd's address; a comma-separated list: the first that answers SERVING at "
                  "start carries the run (one that refuses the connection or is not serving, a "
                  "standby, is passed over)")
      ->capture_default_str();
  std::string api = "unary";
  run->add_option("--api", api,
                  "unary: a unary RPC per request and StreamWork per agent; stream: a "
                  "GatewayStream per gateway and an AgentSession per agent")
      ->check(CLI::IsMember({"unary", "stream"}))
      ->capture_default_str();
  run->add_option("--agent-link", options.agent_links,
                  "with --api stream: serve the agents on N AgentLink streams (the config's "
                  "first N AGENT_LINK tokens; routerload center --links N) instead of a session "
                  "each")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  run->add_option("--server-pid", options.server_pid,
                  "routerd's process id: report its CPU µs per lifecycle (utime+stime over the "
                  "window) and RSS per connected agent (from /proc)")
      ->check(CLI::PositiveNumber);
  run->add_option("--customers", customers_path,
                  "JSONL or CSV customer file (as imported into Redis); arrivals use its keys. "
                  "Absent: every arrival is anonymous")
      ->check(CLI::ExistingFile);
  run->add_option("--customer-limit", customer_limit, "read at most this many customers")
      ->capture_default_str();
  run->add_option("--known-share", options.known_share,
                  "share of arrivals from a known customer (with --customers)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  run->add_option("--agents", options.agents,
                  "agent desktops: the first N agents of the configuration (0: all)")
      ->capture_default_str();
  run->add_option("--gateways", options.gateways, "gateways, one gRPC connection each")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  run->add_option("--mix", mix, "channel weights: phone,email,chat,callback")
      ->capture_default_str();
  run->add_option("--rate", options.rate,
                  "open loop: arrivals per second in total (Poisson); absent: closed loop")
      ->check(CLI::PositiveNumber);
  run->add_option("--concurrency", options.concurrency,
                  "closed loop: interactions kept live (submitted and not yet completed)")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}))
      ->capture_default_str();
  auto* duration =
      run->add_option("--duration", options.duration_s,
                      "seconds measured after the warm-up (then submits stop; SIGINT or SIGTERM "
                      "stops them earlier, and the drain and report follow)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  run->add_option("--count", options.count,
                  "stop after this many submits instead of a duration; the figures then cover them "
                  "all, drain included")
      ->excludes(duration)
      ->check(CLI::PositiveNumber);
  run->add_option(
         "--warmup", options.warmup_s,
         "seconds at the start left out of the figures; a closed loop also waits (at most 5 "
         "more minutes) until 95% of --concurrency is live. 0: measure from the first submit")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  run->add_option("--think-ms", think, "offer -> AcceptOffer, ms: A or A:B (uniform)")
      ->capture_default_str();
  run->add_option("--handle-ms", handle, "accepted -> CompleteInteraction, ms: A or A:B")
      ->capture_default_str();
  run->add_option("--wrap-up-ms", wrap_up, "completed -> EndWrapUp, ms: A or A:B")
      ->capture_default_str();
  run->add_option("--max-inflight", options.max_inflight, "submits awaiting their answer at once")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();
  run->add_option("--drain-s", options.drain_s,
                  "after the last submit, wait this long for live interactions to complete; "
                  "then cancel the rest")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  run->add_option("--login-timeout-s", options.login_timeout_s,
                  "every agent must be READY within this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->add_option("--stall-s", options.stall_s,
                  "--api stream: a stream with requests out and nothing read for this long is "
                  "given up and reopened on a new connection (its requests are sent again)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->add_flag("--ready-after-warmup", options.ready_after_warmup,
                "agents stay NOT_READY until the warm-up ends, so a closed loop first builds "
                "its whole backlog (--concurrency waiting), then the agents work through it");
  run->add_option("--seed", options.seed, "seed of every random choice")->capture_default_str();
  run->add_option("--threads", options.threads, "driver threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--json", json_path, "write the report as JSON to FILE ('-': stdout)");
  run->add_flag("--quiet", quiet, "no progress line");
  auto* echo_flag = run->add_flag(
      "--echo", echo, "run against routerecho (started here) instead of routerd: the baseline");
  run->add_flag("--with-echo", with_echo,
                "run the echo baseline first, then routerd, and report the ratios")
      ->excludes(echo_flag);
  run->add_option("--echo-path", echo_path, "the routerecho binary (default: next to routerload)");
  client_tls::add_flags(*run, options.tls);
  client_channel::add_flags(*run, options.channel);

  // center
  auto* center = app.add_subcommand(
      "center", "write a synthetic configuration (agents, queues, entry points, tokens)");
  CenterSpec spec;
  std::string out_path;
  bool no_agent_tokens = false;
  center->add_option("--agents", spec.agents, "agents")->capture_default_str();
  center->add_option("--queues", spec.queues, "queues")->capture_default_str();
  center->add_option("--skills", spec.skills, "skills")->capture_default_str();
  center->add_option("--seed", spec.seed, "seed")->capture_default_str();
  center->add_option("--listen", spec.listen, "routerd's daemon.listen")->capture_default_str();
  center->add_option("--redis", spec.redis,
                     "HOST:PORT: a redis section (customers and journal); absent: none");
  center->add_option("--offer-timeout-s", spec.offer_timeout_s, "every queue's offer timeout")
      ->capture_default_str();
  center->add_option("--wrap-up-s", spec.wrap_up_s, "every queue's wrap-up timer")
      ->capture_default_str();
  center
      ->add_option("--links", spec.links,
                   "AGENT_LINK tokens for routerload run --api stream --agent-link N: link k "
                   "acts for the agents i with i % N == k")
      ->capture_default_str();
  center->add_flag(
      "--no-agent-tokens", no_agent_tokens,
      "with --links: no AGENT token per agent (the agents act only through their "
      "links; a smaller file: a link-only center of 15,000 agents is ~3 MB instead of ~4.3 MB)");
  center->add_option("--out", out_path, "the file to write ('-': stdout)")->required();

  CLI11_PARSE(app, argc, argv);

  if (center->parsed()) {
    spec.agent_tokens = !no_agent_tokens;
    try {
      const std::string text = center_text(make_center(spec));
      if (out_path == "-") {
        std::cout << text;
      } else {
        std::ofstream out(out_path);
        out << text;
        if (!out) {
          std::cerr << "routerload center: --out: cannot write " << out_path << "\n";
          return kExitSetup;
        }
      }
    } catch (const std::invalid_argument& e) {
      std::cerr << "routerload center: " << e.what() << "\n";
      return kExitSetup;
    }
    return kExitOk;
  }

  options.progress = !quiet;
  options.api = api == "stream" ? Api::kStream : Api::kUnary;
  if (options.agent_links > 0 && options.api != Api::kStream) {
    std::cerr << "routerload: --agent-link needs --api stream\n";
    return kExitSetup;
  }
  for (auto [text, spread, name] : {std::tuple{&think, &options.think, "--think-ms"},
                                    std::tuple{&handle, &options.handle, "--handle-ms"},
                                    std::tuple{&wrap_up, &options.wrap_up, "--wrap-up-ms"}}) {
    if (!parse_spread(*text, *spread)) {
      std::cerr << "routerload: " << name << " " << *text
                << ": expected MS or MIN:MAX with 0 <= MIN <= MAX\n";
      return kExitSetup;
    }
  }
  {
    std::stringstream in(mix);
    std::string part;
    size_t i = 0;
    double total = 0;
    while (std::getline(in, part, ',')) {
      double w = -1;
      try {
        w = std::stod(part);
      } catch (const std::exception&) {
      }
      if (i >= kChannels || w < 0) {
        std::cerr << "routerload: --mix " << mix
                  << ": expected four weights >= 0: phone,email,chat,callback\n";
        return kExitSetup;
      }
      options.mix[i++] = w;
      total += w;
    }
    if (i != kChannels || total <= 0) {
      std::cerr << "routerload: --mix " << mix
                << ": expected four weights >= 0, not all 0: phone,email,chat,callback\n";
      return kExitSetup;
    }
  }
  return run_command(options, config_path, customers_path, customer_limit, echo, with_echo,
                     echo_path, json_path);
}
