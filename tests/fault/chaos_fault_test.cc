// Issue 16's failover test (docs/availability.md, "The failover test"): an active/standby pair
// of the real routerd binary on one redis-server, behind HAProxy, under routerload traffic
// (--api stream: GatewayStreams and AgentSessions through HAProxy). The active is killed with
// SIGKILL again and again (ROUTER_CHAOS_KILLS, default 20) and restarted at once, as a
// supervisor would; each time the standby takes over. Checked:
// - each takeover, from the kill to the first offer the new active makes (its WatchInteractions
//   event's timestamp), happens; the times are printed (p50, p99, max);
// - nothing acknowledged is lost: routerload's report has every submitted interaction
//   completed exactly once, none cancelled or left unfinished at the end;
// - an accept answered OK stays the agent's: routerload saw no offer of such an interaction to
//   another agent (reoffered_after_accept);
// - no interaction is offered or assigned to two agents at once, and work an agent had accepted
//   before a kill stays with that agent after it (and some did), both from the event streams:
//   a watcher on WatchInteractions of each routerd, read directly.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "integration/grpc/availability_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using SystemClock = std::chrono::system_clock;

constexpr char kGateway[] = "routerload-gateway-token-0001";  // routerload center's, public
constexpr int kAgents = 24;

std::string local(int port) { return "127.0.0.1:" + std::to_string(port); }

int64_t ms_of(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}
// The whole of a text file (empty when it cannot be read).
std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int64_t now_ms() {
  return std::chrono::duration_cast<Millis>(SystemClock::now().time_since_epoch()).count();
}

// The time of a routerd log line ("2026-12-05T07:32:14.174+00:00 level=..."), in ms since the
// epoch as now_ms() counts; nullopt for a line that does not start so.
std::optional<int64_t> log_line_ms(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(line.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d+00:00", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

// One routerd of the pair: the real binary, restarted on the same ports and log.
class Node {
 public:
  Node(std::string name, const std::filesystem::path& config, const std::filesystem::path& dir)
      : name_(std::move(name)), config_(config), log_(dir / (name_ + ".log")) {}
  void start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ROUTERD_PATH, "--config", config_.string(), "--listen",
                                 local(grpc_port_), "--ready-listen", local(ready_port_),
                                 "--metrics-listen", local(metrics_port_), "--instance", name_,
                                 "--log-level", "info", "--redis-wait", "30"},
        ChildOptions{.out = ChildOutput::kLog,
                     .err = ChildOutput::kLog,
                     .log = log_,
                     .append_log = true,
                     .stdin_null = true,
                     .env = std::nullopt});
  }
  void kill() {
    process_->kill();
    process_.reset();
  }
  // /ready: 200 on the active, 503 on a standby; 0 when nothing answers.
  int ready() const { return http_get(ready_port_, "/ready", 500ms).first; }
  // router_standby_warm from /metrics: 1 while its copy of the journal follows the feed; -1
  // when nothing answers or the series is absent.
  int standby_warm() const {
    const auto [status, text] = http_get(metrics_port_, "/metrics", 500ms);
    const size_t at = text.find("\nrouter_standby_warm ");
    if (status != 200 || at == std::string::npos) return -1;
    return std::atoi(text.c_str() + at + 21);
  }
  std::string log() const { return read_text(log_); }
  const std::string& name() const { return name_; }
  int grpc_port() const { return grpc_port_; }
  int ready_port() const { return ready_port_; }

 private:
  std::string name_;
  std::filesystem::path config_;
  std::filesystem::path log_;
  const int grpc_port_ = free_port();
  const int ready_port_ = free_port();
  const int metrics_port_ = free_port();
  std::unique_ptr<ChildProcess> process_;
};

// Who holds what, from the InteractionEvents of whichever routerd is active. Offered to one
// agent while offered or assigned to another (without a requeue, a completion or a transfer
// between) is a double offer; after a takeover the offers pending at the kill are withdrawn and
// made again (to anyone), but an assignment made before the kill must stay with its agent.
class Audit {
 public:
  void on_event(const v1::InteractionEvent& e) {
    std::lock_guard lock(mu_);
    ++events_;
    const int64_t at = ms_of(e.at());
    // An event the old active made before the kill, read by its watcher only after the new
    // active's first one (a loaded machine schedules the two watcher threads as it likes): it
    // belongs to the epoch already closed, and counting it in the new one would pair an old offer
    // with a new one as a double offer.
    if (switched_ && at <= boundary_ms_) {
      ++late_;
      return;
    }
    if (at > boundary_ms_ && !switched_) {  // the first event of the new active: a new epoch
      switched_ = true;
      for (auto it = holders_.begin(); it != holders_.end();) {
        if (it->second.assigned) {
          it->second.carried = true;
          ++it;
        } else {
          it = holders_.erase(it);
        }
      }
    }
    const std::string& id = e.interaction().interaction_id();
    const std::string& agent = e.interaction().agent();
    const std::string& change = e.change();
    if (change == "offered" || change == "assigned") {
      if (change == "offered" && at > boundary_ms_ && first_offer_ms_ == 0) first_offer_ms_ = at;
      if (change == "assigned") ++assigned_since_;
      auto it = holders_.find(id);
      if (it != holders_.end() && it->second.agent != agent) {
        const std::string what = id + " " + change + " to " + agent + " while " +
                                 (it->second.assigned ? "assigned to " : "offered to ") +
                                 it->second.agent;
        // Held by two agents under one active is a routing fault. An assignment made before the
        // kill and made again to another agent after it is an accept the old active answered
        // before its journal had it (docs/availability.md, "The failover test").
        if (it->second.carried) {
          lost_accepts_.push_back(what + " before the takeover");
        } else {
          violations_.push_back(what);
        }
      }
      Holder& h = holders_[id];
      const bool carried = it != holders_.end() && it->second.carried && it->second.agent == agent;
      h = Holder{agent, change == "assigned" || (it != holders_.end() && it->second.assigned),
                 carried};
    } else if (change == "wrap_up" || change == "completed") {
      auto it = holders_.find(id);
      if (it != holders_.end()) {
        if (it->second.carried && it->second.agent == agent) kept_.insert(id);
        if (change == "completed") holders_.erase(it);
      }
    } else if (change == "requeued" || change == "abandoned" || change == "expired" ||
               change == "transferred") {
      holders_.erase(id);
    }
  }
  // Called just before a kill at `kill_ms`: later events belong to the next active.
  void takeover(int64_t kill_ms) {
    std::lock_guard lock(mu_);
    boundary_ms_ = kill_ms;
    switched_ = false;
    first_offer_ms_ = 0;
    assigned_since_ = 0;
  }
  int64_t first_offer_ms() const {
    std::lock_guard lock(mu_);
    return first_offer_ms_;
  }
  int assigned_since() const {
    std::lock_guard lock(mu_);
    return assigned_since_;
  }
  std::vector<std::string> violations() const {
    std::lock_guard lock(mu_);
    return violations_;
  }
  int64_t events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  int64_t late() const {
    std::lock_guard lock(mu_);
    return late_;
  }
  std::vector<std::string> lost_accepts() const {
    std::lock_guard lock(mu_);
    return lost_accepts_;
  }
  size_t kept() const {
    std::lock_guard lock(mu_);
    return kept_.size();
  }

 private:
  struct Holder {
    std::string agent;
    bool assigned = false;
    bool carried = false;  // assigned before the last takeover
  };
  mutable std::mutex mu_;
  std::map<std::string, Holder> holders_;
  std::vector<std::string> violations_;
  std::vector<std::string> lost_accepts_;
  std::set<std::string> kept_;  // accepted before a kill, wrapped up by the same agent after it
  int64_t boundary_ms_ = 0;
  bool switched_ = true;
  int64_t first_offer_ms_ = 0;
  int assigned_since_ = 0;
  int64_t events_ = 0;
  int64_t late_ = 0;  // events of a closed epoch read after the next one began: not counted
};

// A WatchInteractions stream on one routerd address, reopened every 20 ms while it is refused
// (a standby, a dead process): every event goes to the audit.
class Watcher {
 public:
  Watcher(int port, Audit& audit) : clients_(local(port)), audit_(audit) {
    thread_ = std::thread([this] { run(); });
  }
  ~Watcher() {
    stop_ = true;
    {
      std::lock_guard lock(mu_);
      if (context_) context_->TryCancel();
    }
    thread_.join();
  }

 private:
  void run() {
    auto stub = v1::InteractionService::NewStub(clients_.channel());
    while (!stop_) {
      auto context = context_for(kGateway, std::chrono::hours(1));
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
        context_ = context.get();
      }
      auto reader = stub->WatchInteractions(context.get(), v1::WatchInteractionsRequest());
      v1::InteractionEvent event;
      while (reader->Read(&event)) audit_.on_event(event);
      reader->Finish();
      {
        std::lock_guard lock(mu_);
        context_ = nullptr;
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  Clients clients_;
  Audit& audit_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  grpc::ClientContext* context_ = nullptr;
  std::thread thread_;
};

int kills_wanted() {
  const char* v = std::getenv("ROUTER_CHAOS_KILLS");
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : 20;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
}

TEST_CASE(
    "kill -9 of the active routerd 20 times under routerload through HAProxy, every takeover "
    "made with 0 acknowledged lost, 0 held by two agents and accepted work kept by its agent",
    "[fault][availability][chaos]") {
  RedisServer redis;
  TempDir dir;
  // ROUTER_CHAOS_KEEP=DIR: every process's log is copied there when the test ends, passed or
  // failed (a REQUIRE that fails mid-run included).
  struct KeepLogs {
    const std::filesystem::path& from;
    ~KeepLogs() {
      if (const char* keep = std::getenv("ROUTER_CHAOS_KEEP"); keep != nullptr) {
        std::error_code ec;
        std::filesystem::copy(from, keep, std::filesystem::copy_options::recursive, ec);
      }
    }
  } keep_logs{dir.path()};
  const auto config = dir.path() / "center.yaml";
  const ProcessRun made =
      run_captured({ROUTERLOAD_PATH, "center", "--agents", std::to_string(kAgents), "--queues", "2",
                    "--skills", "2", "--redis", local(redis.port()), "--offer-timeout-s", "5",
                    "--wrap-up-s", "30", "--out", config.string()},
                   20s);
  INFO(made);
  REQUIRE(made.exit_code == 0);
  {
    // The lease at its defaults (as a YAML block in place of routerload's one-line redis
    // section); desktops get 30 s to come back (they do within a second).
    std::string body =
        replace_once(read_text(config), "daemon: {", "daemon: {\"agent_grace_s\": 30, ");
    body = replace_once(body, "redis: {\"address\":\"" + local(redis.port()) + "\"}\n",
                        "redis:\n  address: \"" + local(redis.port()) +
                            "\"\n  lease: {ttl_ms: 1000, renew_ms: 250}\n");
    std::ofstream out(config);
    out << body;
  }

  Node nodes[2] = {Node("east-1", config, dir.path()), Node("east-2", config, dir.path())};
  nodes[0].start();
  REQUIRE(eventually([&] { return nodes[0].ready() == 200; }, 30s));
  nodes[1].start();
  REQUIRE(eventually([&] { return nodes[1].ready() == 503; }, 30s));

  const int front = free_port();
  const int stats = free_port();
  HaproxyProcess haproxy(
      haproxy_config(
          front, "  default_backend routerd\n",
          haproxy_backend("routerd",
                          {{nodes[0].name(), nodes[0].grpc_port(), nodes[0].ready_port()},
                           {nodes[1].name(), nodes[1].grpc_port(), nodes[1].ready_port()}}),
          stats),
      dir.path() / "haproxy.log");  // kept with the routerd logs (ROUTER_CHAOS_KEEP)
  // When work stops flowing: what each node's /ready answers now and what HAProxy's statistics
  // say of each server (its state, last check's status and result), routerd's side and HAProxy's.
  auto where_it_stopped = [&] {
    std::ostringstream text;
    for (const auto& node : nodes) text << node.name() << " /ready now: " << node.ready() << "\n";
    text << "HAProxy statistics:\n" << http_get(stats, "/stats;csv").second;
    return text.str();
  };
  Audit audit;
  Watcher watch_1(nodes[0].grpc_port(), audit);
  Watcher watch_2(nodes[1].grpc_port(), audit);

  const auto report = dir.path() / "routerload.json";
  ChildProcess load({ROUTERLOAD_PATH,
                     "run",
                     "--config",
                     config.string(),
                     "--target",
                     local(front),
                     "--api",
                     "stream",
                     "--agents",
                     std::to_string(kAgents),
                     "--gateways",
                     "2",
                     "--rate",
                     "6",
                     "--think-ms",
                     "50:150",
                     "--handle-ms",
                     "1000:3000",
                     "--duration",
                     "3600",
                     "--warmup",
                     "0",
                     "--drain-s",
                     "60",
                     "--login-timeout-s",
                     "30",
                     "--json",
                     report.string()},
                    ChildOptions{.out = ChildOutput::kLog,
                                 .err = ChildOutput::kLog,
                                 .log = dir.path() / "routerload.log",
                                 .append_log = false,
                                 .stdin_null = true,
                                 .env = std::nullopt});
  auto load_log = [&] { return read_text(dir.path() / "routerload.log"); };
  // Traffic flows before the first kill: work assigned (and so held) through HAProxy.
  audit.takeover(now_ms());
  {
    const bool flowing = eventually([&] { return audit.assigned_since() >= 10; }, 30s);
    INFO(audit.events() << " events watched; routerload log:\n"
                        << load_log() << "\n"
                        << nodes[0].name() << " log:\n"
                        << nodes[0].log() << "\nHAProxy log:\n"
                        << haproxy.log_tail());
    REQUIRE(flowing);
  }

  const int kills = kills_wanted();
  std::vector<double> takeover_ms;
  std::vector<int64_t> killed_at;
  for (int k = 0; k < kills; ++k) {
    Node* active = nullptr;
    Node* standby = nullptr;
    REQUIRE(eventually(
        [&] {
          const int r0 = nodes[0].ready();
          const int r1 = nodes[1].ready();
          if (r0 == 200 && r1 == 503) active = &nodes[0], standby = &nodes[1];
          if (r1 == 200 && r0 == 503) active = &nodes[1], standby = &nodes[0];
          return active != nullptr;
        },
        30s));
    // The standby's copy follows the feed (router_standby_warm, docs/operations.md) before the
    // kill: the restarted one loaded it since the last kill.
    REQUIRE(eventually([&] { return standby->standby_warm() == 1; }, 30s));
    // The active's follower stopped at its takeover (the metrics refresh every second; a read
    // slower than 500 ms under load gives -1 and is tried again).
    int active_warm = -1;
    const bool active_stopped_following =
        eventually([&] { return (active_warm = active->standby_warm()) == 0; }, 10s);
    INFO(active->name() << "'s router_standby_warm: " << active_warm);
    CHECK(active_stopped_following);
    const int64_t kill_ms = now_ms();
    killed_at.push_back(kill_ms);
    audit.takeover(kill_ms);
    active->kill();
    active->start();  // its supervisor restarts it: it comes back as the standby
    const bool offered = eventually([&] { return audit.first_offer_ms() != 0; }, 20s);
    if (!offered) UNSCOPED_INFO(where_it_stopped());
    // Both logs: the restarted process may be the one that took the lease.
    INFO("kill " << k + 1 << " of " << active->name() << "\nrouterload log:\n"
                 << load_log() << "\n"
                 << standby->name() << " log:\n"
                 << standby->log() << "\n"
                 << active->name() << " log (restarted):\n"
                 << active->log() << "\nHAProxy log:\n"
                 << haproxy.log_tail());
    REQUIRE(offered);
    takeover_ms.push_back(static_cast<double>(audit.first_offer_ms() - kill_ms));
    std::printf("chaos: kill %d of %s: first offer by %s after %.0f ms\n", k + 1,
                active->name().c_str(), standby->name().c_str(), takeover_ms.back());
    // Work flows on the new active before the next kill (assigned through HAProxy). When it does
    // not, what each node's /ready answers now tells routerd's side from HAProxy's.
    const bool flowing = eventually([&] { return audit.assigned_since() >= 5; }, 20s);
    if (!flowing) UNSCOPED_INFO(where_it_stopped());
    REQUIRE(flowing);
    REQUIRE(load.running());
  }

  // Every takeover after a kill was made from the standby's warm copy, not a full load
  // (docs/availability.md, "A warm standby"): a killed process restarted at once, its copy still
  // loading, defers its bid for the lease to the warm standby. The first start is warm or cold
  // (alone, it bids one TTL after it saw the lease free, or at once when its copy is ready).
  int warm = 0;
  int cold = 0;
  std::vector<int64_t> took_over_at;  // every event=takeover line's time
  std::vector<int64_t> offered_at;    // every event=offered line's time
  for (const auto& node : nodes) {
    std::istringstream log(node.log());
    for (std::string line; std::getline(log, line);) {
      if (line.find("event=offered ") != std::string::npos) {
        if (const auto at = log_line_ms(line)) offered_at.push_back(*at);
      }
      if (line.find("event=takeover ") == std::string::npos) continue;
      if (const auto at = log_line_ms(line)) took_over_at.push_back(*at);
      (line.find("warm=true") != std::string::npos ? warm : cold) += 1;
      if (line.find("warm=true") == std::string::npos) UNSCOPED_INFO(line);
    }
  }
  std::printf("chaos: takeovers from a warm copy %d, loaded in full %d\n", warm, cold);
  // From routerd's logs, per kill: to the new active's event=takeover (its gate open, /ready
  // 200), and to the first offer either log has after the kill (the dead one logs nothing more).
  // The latter counts the offers a new active makes while it recovers, before a watcher can
  // subscribe; the watchers' first offer above waits for the next one.
  auto after_each_kill = [&](std::vector<int64_t> times) {
    std::sort(times.begin(), times.end());
    std::vector<double> ms;
    for (const int64_t kill : killed_at) {
      const auto next = std::upper_bound(times.begin(), times.end(), kill);
      if (next != times.end()) ms.push_back(static_cast<double>(*next - kill));
    }
    return ms;
  };
  const std::vector<double> serving_ms = after_each_kill(took_over_at);
  const std::vector<double> offer_ms = after_each_kill(offered_at);
  CHECK(serving_ms.size() == killed_at.size());
  CHECK(offer_ms.size() == killed_at.size());
  for (const auto& [what, ms] :
       {std::pair{"the new active serving (its event=takeover)", &serving_ms},
        std::pair{"the first offer in routerd's log", &offer_ms}}) {
    if (ms->empty()) continue;
    std::printf("chaos: kill to %s: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", what,
                quantile(*ms, 0.5), quantile(*ms, 0.99), *std::max_element(ms->begin(), ms->end()));
  }
  CHECK(warm >= kills);
  CHECK(warm + cold == kills + 1);

  // The end: submits stop, routerload drains (every live interaction completed) and reports.
  REQUIRE(load.signal(SIGTERM));
  const auto exit = load.wait_exit(120s);
  INFO("routerload log:\n" << load_log());
  REQUIRE(exit.has_value());
  // 1: the run had errors, as a failover gives (calls answered UNAVAILABLE, reset by HAProxy);
  // which ones is checked below. 2 and up: routerload itself failed.
  CHECK(*exit <= 1);
  std::ifstream in(report);
  REQUIRE(in.good());
  const auto json = nlohmann::json::parse(in);
  const auto& counts = json.at("counts");
  INFO(json.dump(2));
  CHECK(counts.at("submitted_total").get<uint64_t>() > 0);
  // Every acknowledged interaction completed once: none lost, and none worked twice (a
  // completion answered OK is journaled before its answer, so it never comes back).
  CHECK(counts.at("completed_total").get<uint64_t>() ==
        counts.at("submitted_total").get<uint64_t>());
  // An accept answered OK stays the agent's: its interaction is never offered to another agent.
  // When one is, every line both routerd logs have about it says where it went.
  {
    std::string trail;
    for (const auto& example : json.value("reoffered_examples", nlohmann::json::array())) {
      const std::string text = example.get<std::string>();
      const std::string id = text.substr(0, text.find(' '));
      trail += "--- " + text + "\n";
      for (const auto& node : nodes) {
        std::istringstream log(node.log());
        for (std::string line; std::getline(log, line);) {
          if (line.find(id) != std::string::npos) trail += node.name() + ": " + line + "\n";
        }
      }
    }
    INFO(trail);
    CHECK(counts.at("reoffered_after_accept") == 0);
  }
  CHECK(counts.at("unfinished") == 0);
  CHECK(counts.at("cancelled_at_end") == 0);

  // Only what a failover explains: calls that reached no active routerd, and the accepts,
  // completes and ends of wrap-up that took effect before their answer was lost (the retry is
  // answered FAILED_PRECONDITION: docs/availability.md, "What to retry").
  for (const auto& e : json.at("errors")) {
    const std::string code = e.at("code").get<std::string>();
    std::printf("chaos: routerload errors: %s %s x%llu (%s)\n",
                e.at("rpc").get<std::string>().c_str(), code.c_str(),
                static_cast<unsigned long long>(e.at("count").get<uint64_t>()),
                e.value("example", std::string()).substr(0, 160).c_str());
    INFO(e.dump());
    const std::string rpc = e.at("rpc").get<std::string>();
    // NOT_FOUND: an accept sent again, or a complete, for an interaction another agent has
    // since finished (an accept lost with the old active, counted below).
    // NOT_FOUND on EndWrapUp (or a complete without wrap-up): a retry after the first took
    // effect, the interaction finished since.
    CHECK((code == "UNAVAILABLE" || code == "CANCELLED" || code == "DEADLINE_EXCEEDED" ||
           code == "FAILED_PRECONDITION" ||
           (code == "NOT_FOUND" &&
            (rpc == "AcceptOffer" || rpc == "CompleteInteraction" || rpc == "EndWrapUp"))));
  }

  const auto violations = audit.violations();
  for (const auto& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
  CHECK(audit.kept() > 0);
  // Assigned (as the watchers saw it) before a kill and to another agent after it: an accept
  // made but not answered (the kill came before its journal write, so its desktop never heard
  // OK and retried). Printed; what was answered is checked above (reoffered_after_accept).
  const auto lost = audit.lost_accepts();
  for (const auto& l : lost)
    std::printf("chaos: an unanswered accept lost at a takeover: %s\n", l.c_str());

  const double p50 = quantile(takeover_ms, 0.5);
  const double p99 = quantile(takeover_ms, 0.99);
  const double max = *std::max_element(takeover_ms.begin(), takeover_ms.end());
  std::printf(
      "chaos: %d kills: takeover (kill to first offer) p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
      "%zu interactions accepted before a kill and wrapped up by the same agent after it, %zu "
      "given to another agent; %llu submitted, %llu completed; %lld events of an old active "
      "read after the next one's first (not counted)\n",
      kills, p50, p99, max, audit.kept(), lost.size(),
      static_cast<unsigned long long>(counts.at("submitted_total").get<uint64_t>()),
      static_cast<unsigned long long>(counts.at("completed_total").get<uint64_t>()),
      static_cast<long long>(audit.late()));
}

}  // namespace
}  // namespace router::it
