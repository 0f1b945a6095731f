// agent_memory: what connected, idle agents cost a running routerd (or routerecho): RSS per
// connected agent and CPU per second while they only hold their streams open. For each step of
// `--steps` (e.g. 1000,5000,15000) it logs in agents up to that count (NOT_READY, names and tokens
// of a `routerload center`: ag00001.., routerload-agent-<name>-token), opens one StreamWork per
// agent (`--agents-per-connection` streams share one HTTP/2 connection, as routerload's desktops
// do), waits until every stream has its first message, lets routerd settle, then samples VmRSS
// and the CPU routerd uses over `--idle-s` seconds of idleness (heartbeats only), from
// /proc/<pid>/status and /proc/<pid>/stat. bench/agent_memory.sh runs it; the figures are in
// bench/README.md ("Many agents (issue 15)").
//
// `--api`: how an agent is connected: `unary` (Login, then one StreamWork per agent), `session`
// (one AgentSession per agent, whose first request is the Login), or `link` (`--links` AgentLink
// streams, link k logging in the agents i with i % links == k; with tokens, routerload center
// --links' link tokens).
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "router/v1/router.grpc.pb.h"

namespace {

namespace v1 = ::router::v1;
using Clock = std::chrono::steady_clock;

long status_kib(int pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

// utime + stime of `pid`, in clock ticks.
long long cpu_ticks(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = all.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15 (1-based)
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

std::string agent_name(size_t index) {  // tools/routerload/center.h's naming
  char buf[16];
  std::snprintf(buf, sizeof buf, "ag%05zu", index + 1);
  return buf;
}

std::string agent_token(const std::string& agent) { return "routerload-agent-" + agent + "-token"; }

// How a reader's call ended, as its OnDone reported it (any thread may ask).
class CallEnd {
 public:
  void record(const grpc::Status& s) {
    std::lock_guard lock(mu_);
    status_ = s;
    done_ = true;
  }
  bool done(grpc::Status* s) {
    std::lock_guard lock(mu_);
    if (done_ && s != nullptr) *s = status_;
    return done_;
  }

 private:
  std::mutex mu_;
  grpc::Status status_;
  bool done_ = false;
};

// One agent's StreamWork, read for as long as it is open; counts what arrives.
class WorkReader final : public grpc::ClientReadReactor<v1::WorkEvent> {
 public:
  WorkReader(v1::AgentService::Stub* stub, const std::string& agent, bool auth) {
    if (auth) context_.AddMetadata("authorization", "Bearer " + agent_token(agent));
    request_.set_agent(agent);
    stub->async()->StreamWork(&context_, &request_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (event_.has_heartbeat()) heartbeats.fetch_add(1, std::memory_order_relaxed);
    messages.fetch_add(1, std::memory_order_relaxed);
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& s) override { end_.record(s); }
  void cancel() { context_.TryCancel(); }
  bool done(grpc::Status* s) { return end_.done(s); }
  std::atomic<long> messages{0};
  std::atomic<long> heartbeats{0};

 private:
  grpc::ClientContext context_;
  v1::StreamWorkRequest request_;
  v1::WorkEvent event_;
  CallEnd end_;
};

// One AgentSession or AgentLink: logs in `agents` (NOT_READY), one request after the other, then
// reads for as long as it is open. `messages` counts what arrives for any agent.
class SessionReader final
    : public grpc::ClientBidiReactor<v1::AgentRequest, v1::AgentSessionResponse> {
 public:
  SessionReader(v1::AgentService::Stub* stub, bool link, std::vector<std::string> agents,
                const std::string& token)
      : agents_(std::move(agents)) {
    if (!token.empty()) context_.AddMetadata("authorization", "Bearer " + token);
    if (link) {
      stub->async()->AgentLink(&context_, this);
    } else {
      stub->async()->AgentSession(&context_, this);
    }
    StartRead(&in_);
    write_next();
    StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok) write_next();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (in_.has_work() && in_.work().has_heartbeat()) {
      heartbeats.fetch_add(1, std::memory_order_relaxed);
    }
    if (in_.has_answer()) {
      if (in_.answer().result().code() == 0) {
        answered.fetch_add(1, std::memory_order_relaxed);
      } else {
        failed.fetch_add(1, std::memory_order_relaxed);
      }
    }
    messages.fetch_add(1, std::memory_order_relaxed);
    StartRead(&in_);
  }
  void OnDone(const grpc::Status& s) override { end_.record(s); }
  void cancel() { context_.TryCancel(); }
  bool done(grpc::Status* s) { return end_.done(s); }
  size_t agents() const { return agents_.size(); }
  std::atomic<long> messages{0};
  std::atomic<long> heartbeats{0};
  std::atomic<long> answered{0};
  std::atomic<long> failed{0};

 private:
  void write_next() {
    if (next_ >= agents_.size()) return;
    out_.Clear();
    out_.set_correlation_id(std::to_string(next_ + 1));
    out_.mutable_login()->set_agent(agents_[next_]);
    out_.mutable_login()->set_ready(false);
    ++next_;
    StartWrite(&out_);
  }
  grpc::ClientContext context_;
  std::vector<std::string> agents_;
  size_t next_ = 0;
  v1::AgentRequest out_;
  v1::AgentSessionResponse in_;
  CallEnd end_;
};

std::string link_token(size_t k) {  // tools/routerload/center.cc's
  char buf[64];
  std::snprintf(buf, sizeof buf, "routerload-agent-link-token-%04zu", k + 1);
  return buf;
}

// --api session|link: every step opens the new agents' sessions (or, for links, all links at the
// first step, each logging in its share of the step's agents on a fresh link), then measures.
int run_sessions(const std::string& address, int pid, bool link, size_t links,
                 const std::vector<size_t>& steps, double idle_s, double settle_s, bool no_auth,
                 size_t first) {
  const long tick = sysconf(_SC_CLK_TCK);
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = v1::AgentService::NewStub(channel);
  const long rss0 = status_kib(pid, "VmRSS:");
  std::printf("agents=0 rss_kib=%ld\n", rss0);
  std::vector<std::unique_ptr<SessionReader>> readers;
  size_t connected = 0;
  for (size_t target : steps) {
    const auto t0 = Clock::now();
    if (link) {
      for (size_t k = 0; k < links; ++k) {
        std::vector<std::string> agents;
        for (size_t i = connected; i < target; ++i) {
          if ((first + i) % links == k) agents.push_back(agent_name(first + i));
        }
        if (agents.empty()) continue;
        readers.push_back(std::make_unique<SessionReader>(stub.get(), true, std::move(agents),
                                                          no_auth ? "" : link_token(k)));
      }
    } else {
      for (size_t i = connected; i < target; ++i) {
        const std::string agent = agent_name(first + i);
        readers.push_back(std::make_unique<SessionReader>(
            stub.get(), false, std::vector<std::string>{agent}, no_auth ? "" : agent_token(agent)));
      }
    }
    const auto deadline = Clock::now() + std::chrono::seconds(180);
    long answered = 0, failed = 0;
    for (;;) {
      answered = failed = 0;
      for (auto& r : readers) {
        answered += r->answered.load();
        failed += r->failed.load();
      }
      if (static_cast<size_t>(answered + failed) >= target || Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (failed > 0 || static_cast<size_t>(answered) < target) {
      std::fprintf(stderr, "agent_memory: %ld of %zu logins answered OK, %ld refused\n", answered,
                   target, failed);
      return 1;
    }
    const double connect_s = std::chrono::duration<double>(Clock::now() - t0).count();
    connected = target;
    std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
    long heartbeats0 = 0;
    for (auto& r : readers) heartbeats0 += r->heartbeats.load();
    const long long c0 = cpu_ticks(pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
    const double ms_per_s = 1000.0 * (cpu_ticks(pid) - c0) / tick / idle_s;
    long heartbeats = -heartbeats0;
    for (auto& r : readers) heartbeats += r->heartbeats.load();
    const long rss = status_kib(pid, "VmRSS:");
    std::printf(
        "agents=%zu streams=%zu rss_kib=%ld bytes_per_agent=%.0f connect_s=%.1f "
        "idle_cpu_ms_per_s=%.1f heartbeats_per_s=%.0f\n",
        target, readers.size(), rss, 1024.0 * (rss - rss0) / static_cast<double>(target), connect_s,
        ms_per_s, heartbeats / idle_s);
    std::fflush(stdout);
  }
  std::printf("vm_hwm_kib=%ld\n", status_kib(pid, "VmHWM:"));
  std::fflush(stdout);
  for (auto& r : readers) r->cancel();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto& r : readers) {
    while (!r->done(nullptr)) {
      if (Clock::now() > deadline) std::_Exit(0);  // a reactor still running: no destructors
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"agent_memory: routerd's RSS and idle CPU per connected agent"};
  std::string address = "127.0.0.1:50051";
  int pid = 0;
  std::string api = "unary";
  std::vector<size_t> steps{1000, 5000, 15000};
  size_t per_connection = 1000;
  double settle_s = 3, idle_s = 10;
  int login_parallel = 64;
  bool no_auth = false;
  size_t first = 0;
  double hold_s = 0;
  size_t links = 16;
  app.add_option("--address", address, "routerd's (or routerecho's) host:port");
  app.add_option("--pid", pid, "the server's process id (RSS and CPU from /proc)")->required();
  app.add_option("--api", api,
                 "how agents connect: unary (Login + StreamWork), session (one AgentSession "
                 "per agent), link (--links AgentLink streams)");
  app.add_option("--links", links, "with --api link: AgentLink streams (agent i on link i % N)");
  app.add_option("--steps", steps, "connected agents at each measurement, ascending")
      ->delimiter(',');
  app.add_option("--agents-per-connection", per_connection,
                 "StreamWork calls per HTTP/2 "
                 "connection");
  app.add_option("--settle-s", settle_s, "seconds to wait after a step's streams are open");
  app.add_option("--idle-s", idle_s, "seconds over which the idle CPU is measured");
  app.add_option("--login-parallel", login_parallel, "Login calls in flight at once");
  app.add_flag("--no-auth", no_auth, "send no token (routerecho)");
  app.add_option("--first-agent", first,
                 "index of the first agent (0: ag00001), so that another "
                 "load can drive the agents below it");
  app.add_option("--hold-s", hold_s,
                 "seconds to keep the streams open after the last step (for "
                 "a load or a profile alongside)");
  CLI11_PARSE(app, argc, argv);
  if (api == "session" || api == "link") {
    return run_sessions(address, pid, api == "link", links, steps, idle_s, settle_s, no_auth,
                        first);
  }
  if (api != "unary") {
    std::fprintf(stderr, "agent_memory: --api must be unary, session or link\n");
    return 2;
  }
  if (per_connection == 0) per_connection = 1;

  const long tick = sysconf(_SC_CLK_TCK);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::AgentService::Stub>> stubs;
  auto stub_for = [&](size_t agent) -> v1::AgentService::Stub* {
    const size_t c = agent / per_connection;
    while (channels.size() <= c) {
      grpc::ChannelArguments args;
      args.SetInt("agent_memory.channel", static_cast<int>(channels.size()));  // own connection
      channels.push_back(
          grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
      stubs.push_back(v1::AgentService::NewStub(channels.back()));
    }
    return stubs[c].get();
  };

  const long rss0 = status_kib(pid, "VmRSS:");
  {  // idle CPU with no agent
    const long long c0 = cpu_ticks(pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
    const double ms_per_s = 1000.0 * (cpu_ticks(pid) - c0) / tick / idle_s;
    std::printf("agents=0 rss_kib=%ld idle_cpu_ms_per_s=%.1f\n", rss0, ms_per_s);
    std::fflush(stdout);
  }
  std::vector<std::unique_ptr<WorkReader>> readers;
  size_t connected = 0;
  for (size_t target : steps) {
    const auto t0 = Clock::now();
    // Logins, `login_parallel` at a time.
    std::atomic<size_t> next{connected}, failed{0};
    std::vector<std::thread> workers;
    std::string first_error;
    std::mutex error_mu;
    for (int w = 0; w < login_parallel; ++w) {
      workers.emplace_back([&] {
        for (size_t i = next++; i < target; i = next++) {
          v1::AgentService::Stub* stub = nullptr;
          {
            std::lock_guard lock(error_mu);
            stub = stub_for(i);
          }
          grpc::ClientContext ctx;
          if (!no_auth)
            ctx.AddMetadata("authorization", "Bearer " + agent_token(agent_name(first + i)));
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
          v1::LoginRequest req;
          req.set_agent(agent_name(first + i));
          req.set_ready(false);
          v1::AgentStatus out;
          const grpc::Status s = stub->Login(&ctx, req, &out);
          if (!s.ok()) {
            ++failed;
            std::lock_guard lock(error_mu);
            if (first_error.empty()) first_error = agent_name(first + i) + ": " + s.error_message();
          }
        }
      });
    }
    for (auto& w : workers) w.join();
    if (failed > 0) {
      std::fprintf(stderr, "agent_memory: %zu logins failed (first: %s)\n", failed.load(),
                   first_error.c_str());
      return 1;
    }
    for (size_t i = connected; i < target; ++i) {
      readers.push_back(std::make_unique<WorkReader>(stub_for(i), agent_name(first + i), !no_auth));
    }
    // Every stream has its first message (its status), or ended.
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    size_t open = 0;
    for (;;) {
      open = 0;
      size_t ended = 0;
      for (auto& r : readers) {
        if (r->done(nullptr)) {
          ++ended;
        } else if (r->messages.load(std::memory_order_relaxed) > 0) {
          ++open;
        }
      }
      if (open + ended == readers.size() || Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const double connect_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (open != target) {
      grpc::Status s;
      for (auto& r : readers) {
        if (r->done(&s)) {
          std::fprintf(stderr, "agent_memory: a stream ended: %d %s\n", s.error_code(),
                       s.error_message().c_str());
          break;
        }
      }
      std::fprintf(stderr, "agent_memory: %zu of %zu streams open\n", open, target);
      return 1;
    }
    connected = target;
    std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
    long heartbeats0 = 0;
    for (auto& r : readers) heartbeats0 += r->heartbeats.load();
    const long long c0 = cpu_ticks(pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
    const double ms_per_s = 1000.0 * (cpu_ticks(pid) - c0) / tick / idle_s;
    long heartbeats = -heartbeats0;
    for (auto& r : readers) heartbeats += r->heartbeats.load();
    const long rss = status_kib(pid, "VmRSS:");
    std::printf(
        "agents=%zu connections=%zu rss_kib=%ld bytes_per_agent=%.0f connect_s=%.1f "
        "idle_cpu_ms_per_s=%.1f heartbeats_per_s=%.0f\n",
        target, channels.size(), rss, 1024.0 * (rss - rss0) / static_cast<double>(target),
        connect_s, ms_per_s, heartbeats / idle_s);
    std::fflush(stdout);
  }
  std::printf("vm_hwm_kib=%ld\n", status_kib(pid, "VmHWM:"));
  std::fflush(stdout);
  if (hold_s > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
    size_t ended = 0;
    for (auto& r : readers) ended += r->done(nullptr) ? 1 : 0;
    std::printf("held %.0f s: %zu of %zu streams ended meanwhile\n", hold_s, ended, readers.size());
  }
  for (auto& r : readers) r->cancel();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto& r : readers) {
    while (!r->done(nullptr)) {
      // A reactor still running must not be destroyed: leave without destructors.
      if (Clock::now() > deadline) std::_Exit(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  readers.clear();
  return 0;
}
