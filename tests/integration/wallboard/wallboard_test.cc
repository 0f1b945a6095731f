// routerwall, the live web wallboard (docs/wallboard.md), against the real routerd binary over
// loopback: headless Chromium signs in with a supervisor token and the figures the page draws
// from its event stream equal GetQueueStats and ListAgents read directly; without a supervisor
// token routerwall answers 401/403 and the page shows nothing of the queues; the event stream
// sends a snapshot per interval to a raw HTTP client; viewers beyond --max-viewers get 503;
// routerd going away keeps the last figures, marked; with two addresses routerwall moves to the
// second; a stream whose token routerd stopped taking is told and closed at the next re-check; a
// token routerd refuses stops routerwall at start. Chromium missing fails the test (tools/dev.sh
// installs it), it is not skipped.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/grpc/fixture.h"
#include "integration/wallboard/chromium.h"
#include "integration/wallboard/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/free_port.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

constexpr char kWrongToken[] = "it-wrong-token-0001";
constexpr auto kPageTimeout = 15s;

// phone-support counts every abandon (none is "short"), so an abandon shows within the test.
CenterOptions wallboard_center() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    return replace_once(yaml, "    offer_timeout_s: 1\n",
                        "    offer_timeout_s: 1\n    short_abandon_s: 0.1\n");
  };
  return o;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The real routerd on the test center, and routerwall in front of it once start_wall() runs.
class Wallboard {
 public:
  explicit Wallboard(const CenterOptions& options = wallboard_center())
      : files_(options), grpc_port_(free_port()) {
    routerd_ = std::make_unique<RouterdProcess>(files_, address());
    // Connected once routerd listens: a channel that tried too early would wait out gRPC's
    // reconnect backoff (1 s) first.
    eventually([&] { return accepts_connections(grpc_port_); }, 10s);
    clients_.connect(address());
    INFO(routerd_->log());
    REQUIRE(wait_serving(clients_, *routerd_));
  }
  ~Wallboard() {
    if (wall_) wall_->kill();  // stop_wall() when the test checks a clean exit (about 2 s)
  }

  Clients& clients() { return clients_; }
  RouterdProcess& routerd() { return *routerd_; }
  const CenterFiles& files() const { return files_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  int wall_port() const { return wall_port_; }
  std::string url(const std::string& fragment = "") const {
    return "http://127.0.0.1:" + std::to_string(wall_port_) + "/" + fragment;
  }
  std::string wall_log() const { return read_text(dir_.path() / "routerwall.log"); }

  // routerwall with `token` in its token file (mode 600), reading routerd every 0.25 s; waits
  // until it serves the page.
  void start_wall(const std::vector<std::string>& extra = {},
                  const std::string& token = kSupervisorToken) {
    const auto token_file = dir_.write("token", token + "\n");
    ::chmod(token_file.c_str(), 0600);
    wall_port_ = free_port();
    std::vector<std::string> args = {ROUTERWALL_PATH,
                                     "--target",
                                     address(),
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(wall_port_),
                                     "--token-file",
                                     token_file.string(),
                                     "--interval-s",
                                     "0.25"};
    args.insert(args.end(), extra.begin(), extra.end());
    wall_ = std::make_unique<ChildProcess>(args, ChildOptions{.out = ChildOutput::kLog,
                                                              .err = ChildOutput::kLog,
                                                              .log = dir_.path() / "routerwall.log",
                                                              .append_log = false,
                                                              .stdin_null = true,
                                                              .stdin_pipe = false,
                                                              .env = std::nullopt});
    const bool serving =
        eventually([&] { return http_call(wall_port_, "GET", "/").status == 200; }, 10s);
    INFO(wall_log());
    REQUIRE(serving);
  }

  // SIGTERM; routerwall's exit status.
  int stop_wall() {
    const int status = wall_->terminate(10s);
    wall_.reset();
    return status;
  }

 private:
  TempDir dir_;
  CenterFiles files_;
  int grpc_port_;
  std::unique_ptr<RouterdProcess> routerd_;
  Clients clients_;
  int wall_port_ = 0;
  std::unique_ptr<ChildProcess> wall_;
};

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token; }

// --- The page's formatting (docs/wallboard.md), restated to check what the page shows. ----------
std::string two(long n) { return (n < 10 ? "0" : "") + std::to_string(n); }
std::string duration(double s) {
  const long t = std::max(0L, static_cast<long>(std::floor(s)));
  const long h = t / 3600, m = t % 3600 / 60, r = t % 60;
  return h > 0 ? std::to_string(h) + ":" + two(m) + ":" + two(r) : std::to_string(m) + ":" + two(r);
}
std::string percent(double x) {
  return std::to_string(static_cast<long>(std::floor(x * 100 + 0.5))) + "%";
}
std::string percent1(double x) {
  const long tenths = static_cast<long>(std::floor(x * 1000 + 0.5));
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

// Everything the page shows, read from its DOM: per queue and field the element's data-value,
// text and class; agents by state and by reason; the snapshot's time; how many events arrived.
constexpr char kReadPage[] = R"js((() => {
  const out = {queues: {}, states: {}, reasons: {}, order: [],
    at: Number(document.getElementById('at').dataset.value || 0),
    status: document.getElementById('status').dataset.value || '',
    updates: Number(document.body.dataset.updates || 0),
    total: document.getElementById('agents-total').dataset.value || ''};
  document.querySelectorAll('[data-queue][data-field]').forEach((e) => {
    const q = out.queues[e.dataset.queue] || (out.queues[e.dataset.queue] = {});
    q[e.dataset.field] = {value: e.dataset.value || '', text: e.textContent,
                          cls: e.getAttribute('class') || '', points: e.dataset.points || ''};
  });
  document.querySelectorAll('[data-agents-state]').forEach((e) => {
    out.states[e.dataset.agentsState] = {value: e.dataset.value, text: e.textContent};
  });
  document.querySelectorAll('[data-agents-reason]').forEach((e) => {
    out.reasons[e.dataset.agentsReason] = {value: e.dataset.value, text: e.textContent};
  });
  document.querySelectorAll('td.queue').forEach((e) => out.order.push(e.textContent));
  return out;
})())js";

double number(const json& page, const std::string& queue, const std::string& field) {
  INFO(queue << " " << field << " in " << page.dump());
  REQUIRE(page["queues"].contains(queue));
  REQUIRE(page["queues"][queue].contains(field));
  return std::stod(page["queues"][queue][field]["value"].get<std::string>());
}
std::string text(const json& page, const std::string& queue, const std::string& field) {
  return page["queues"][queue][field]["text"].get<std::string>();
}

int64_t at_ms(const v1::GetQueueStatsResponse& r) {
  return r.at().seconds() * 1000 + r.at().nanos() / 1'000'000;
}

v1::GetQueueStatsResponse all_queue_stats(Clients& c) {
  auto reply = c.call(&v1::SupervisorService::Stub::GetQueueStats, kSupervisorToken,
                      v1::GetQueueStatsRequest());
  INFO(describe(reply.status));
  REQUIRE(reply.ok());
  return reply.value;
}

std::string state_name(v1::AgentState s) {
  return s == v1::AGENT_WRAP_UP ? "WRAP_UP" : v1::AgentState_Name(s);
}

TEST_CASE("the wallboard in headless Chromium shows the figures GetQueueStats and ListAgents give",
          "[wallboard]") {
  Wallboard w;
  Clients& c = w.clients();
  // Traffic, then nothing changes: ana answers w-1 (completed) and w-2 (0.3 s after its offer;
  // held: BUSY); w-3 is abandoned after waiting; w-4 and w-5 wait in phone-support, w-6 in
  // phone-sales (the agents with those skills are busy or not ready); cara is READY for queues
  // with nothing waiting.
  AgentDesk ana(c, "ana"), ben(c, "ben"), cara(c, "cara"), dev(c, "dev");
  REQUIRE(ben.set_not_ready("lunch").ok());
  REQUIRE(dev.set_not_ready("break").ok());
  REQUIRE(cara.set_ready().ok());
  REQUIRE(ana.set_ready().ok());
  REQUIRE(c.submit(phone_call("w-1", "+1 415 555 0100")).ok());
  REQUIRE(ana.wait_offer("w-1").has_value());
  REQUIRE(ana.accept("w-1").ok());
  REQUIRE(ana.complete("w-1").ok());
  REQUIRE(ana.end_wrap_up("w-1").ok());
  REQUIRE(c.submit(phone_call("w-2", "+1 212 555 0102")).ok());
  REQUIRE(ana.wait_offer("w-2").has_value());
  std::this_thread::sleep_for(300ms);  // an answer that took time: ASA above 0 (offer timeout 1 s)
  REQUIRE(ana.accept("w-2").ok());
  REQUIRE(c.submit(phone_call("w-3", "+1 212 555 0103")).ok());
  std::this_thread::sleep_for(300ms);  // longer than phone-support's short_abandon_s (0.1)
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("w-3");
  REQUIRE(c.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
  REQUIRE(c.submit(phone_call("w-4", "+1 212 555 0104")).ok());
  REQUIRE(c.submit(phone_call("w-5", "+1 212 555 0105")).ok());
  REQUIRE(c.submit(phone_call("w-6", "+1 212 555 0106", kSalesLine)).ok());

  w.start_wall();
  const std::string binary = HeadlessChromium::find_binary();
  INFO("chromium is needed: install Debian's chromium package (tools/dev.sh installs it)");
  REQUIRE_FALSE(binary.empty());
  TempDir browser_dir;
  HeadlessChromium browser(browser_dir.path());
  // A kiosk's URL: the token in the fragment (never sent to a server), posted to /login.
  browser.open(w.url("#token=" + std::string(kSupervisorToken)));
  {
    INFO(browser.log());
    INFO(w.wall_log());
    REQUIRE(browser.wait_for("Number(document.body.dataset.updates || 0) >= 2", kPageTimeout));
  }
  // The figures before, the page's (from a snapshot routerwall took after `before`), the
  // figures after: equal, but for the longest wait, which grows with time and must lie between.
  const auto before = all_queue_stats(c);
  REQUIRE(browser.wait_for(
      "Number(document.getElementById('at').dataset.value) > " + std::to_string(at_ms(before)),
      kPageTimeout));
  const json page = browser.evaluate(kReadPage);
  const auto after = all_queue_stats(c);
  auto agents =
      c.call(&v1::SupervisorService::Stub::ListAgents, kSupervisorToken, v1::ListAgentsRequest());
  REQUIRE(agents.ok());
  INFO("page: " << page.dump());
  CHECK(page["status"] == "live");
  CHECK(page["at"].get<int64_t>() <= at_ms(after));
  // The address bar no longer holds the token.
  CHECK_THAT(browser.evaluate("location.href").get<std::string>(), !Contains(kSupervisorToken));

  REQUIRE(before.queues_size() == 5);
  REQUIRE(page["queues"].size() == 5);
  std::vector<std::string> order;
  for (int i = 0; i < before.queues_size(); ++i) {
    const v1::QueueStats& b = before.queues(i);
    const v1::QueueStats& a = after.queues(i);
    const std::string q = b.queue();
    INFO("queue " << q);
    order.push_back(q);
    REQUIRE(a.queue() == q);
    // Nothing changed between the two reads but the clock.
    REQUIRE(a.waiting() == b.waiting());
    REQUIRE(a.service_level() == b.service_level());
    REQUIRE(a.asa_s() == b.asa_s());
    REQUIRE(a.abandon_rate() == b.abandon_rate());
    REQUIRE(a.ewt_new_s() == b.ewt_new_s());

    CHECK(number(page, q, "waiting") == b.waiting());
    CHECK(text(page, q, "waiting") == std::to_string(b.waiting()));
    const double longest = number(page, q, "longest_wait_s");
    CHECK(longest >= b.longest_wait_s());
    CHECK(longest <= a.longest_wait_s());
    CHECK(text(page, q, "longest_wait_s") == duration(longest));
    CHECK(number(page, q, "service_level") == b.service_level());
    CHECK(text(page, q, "service_level") == percent(b.service_level()));
    CHECK(page["queues"][q]["service_level"]["cls"] ==
          (b.service_level() < b.service_level_target() ? "bad" : "ok"));
    CHECK(number(page, q, "service_level_target") == b.service_level_target());
    CHECK(text(page, q, "service_level_target") == "target " + percent(b.service_level_target()) +
                                                       " in " +
                                                       duration(b.service_level_threshold_s()));
    CHECK(number(page, q, "asa_s") == b.asa_s());
    CHECK(text(page, q, "asa_s") == duration(b.asa_s()));
    CHECK(number(page, q, "abandon_rate") == b.abandon_rate());
    CHECK(text(page, q, "abandon_rate") == percent1(b.abandon_rate()));
    CHECK(number(page, q, "ewt_s") == b.ewt_new_s());
    CHECK(text(page, q, "ewt_s") == duration(b.ewt_new_s()));
    // The sparkline has the hour's points routerwall kept (at least the first sample's).
    CHECK(std::stoi(page["queues"][q]["sl_history"]["points"].get<std::string>()) >= 1);
  }
  CHECK(page["order"] == json(order));

  // The figures are not trivial: this is what the traffic above made.
  const auto support = c.queue_stats("phone-support");
  REQUIRE(support.has_value());
  CHECK(support->waiting() == 2);
  CHECK(support->answered() == 2);
  CHECK(support->abandoned() == 1);
  CHECK(support->service_level() == Approx(2.0 / 3));  // 2 answered in time, 1 abandoned
  CHECK(support->service_level() < support->service_level_target());
  CHECK(support->abandon_rate() == Approx(1.0 / 3));
  CHECK(support->asa_s() > 0);
  CHECK(support->ewt_new_s() > 0);
  CHECK(number(page, "phone-support", "longest_wait_s") > 0);
  CHECK(number(page, "phone-sales", "waiting") == 1);
  CHECK(text(page, "phone-support", "abandon_rate") == "33.3%");
  CHECK(text(page, "phone-support", "service_level") == "67%");

  // Agents by state and by not-ready reason: ListAgents counted.
  std::map<std::string, int> by_state = {{"LOGGED_OUT", 0}, {"NOT_READY", 0}, {"READY", 0},
                                         {"RESERVED", 0},   {"BUSY", 0},      {"WRAP_UP", 0}};
  std::map<std::string, int> by_reason;
  for (const auto& agent : agents.value.agents()) {
    ++by_state[state_name(agent.state())];
    if (agent.state() == v1::NOT_READY) ++by_reason[agent.reason()];
  }
  CHECK(by_state["BUSY"] == 1);
  CHECK(by_state["READY"] == 1);
  CHECK(by_state["NOT_READY"] == 2);
  CHECK(by_reason == std::map<std::string, int>{{"break", 1}, {"lunch", 1}});
  CHECK(page["total"] == std::to_string(agents.value.agents_size()));
  REQUIRE(page["states"].size() == by_state.size());
  for (const auto& [state, n] : by_state) {
    INFO("state " << state);
    CHECK(page["states"][state]["value"] == std::to_string(n));
    CHECK(page["states"][state]["text"] == std::to_string(n));
  }
  REQUIRE(page["reasons"].size() == by_reason.size());
  for (const auto& [reason, n] : by_reason) {
    INFO("reason " << reason);
    CHECK(page["reasons"][reason]["value"] == std::to_string(n));
  }

  // The page keeps updating without a reload: more events arrive.
  const int updates = page["updates"].get<int>();
  CHECK(browser.wait_for("Number(document.body.dataset.updates) > " + std::to_string(updates + 1),
                         kPageTimeout));
  CHECK(w.stop_wall() == 0);
  CHECK_THAT(w.wall_log(), !Contains(kSupervisorToken));
}

TEST_CASE("without a supervisor token routerwall refuses and the page shows nothing of the queues",
          "[wallboard]") {
  Wallboard w;
  w.start_wall();
  const int port = w.wall_port();

  SECTION("over HTTP: 401 without or with a wrong token, 403 for an agent's, 200 signed in") {
    for (const char* path : {"/api/snapshot", "/events"}) {
      INFO(path);
      const auto none = http_call(port, "GET", path);
      CHECK(none.status == 401);
      CHECK_THAT(none.body, Contains("missing"));
      CHECK_THAT(none.body, !Contains("phone-support"));
      const auto wrong = http_call(port, "GET", path, {bearer(kWrongToken)});
      CHECK(wrong.status == 401);
      CHECK_THAT(wrong.body, Contains("unknown token"));
      CHECK_THAT(wrong.body, !Contains("phone-support"));
      const auto wrong_cookie =
          http_call(port, "GET", path, {std::string("Cookie: routerwall_token=") + kWrongToken});
      CHECK(wrong_cookie.status == 401);
      const auto agent = http_call(port, "GET", path, {bearer(agent_token("ana"))});
      CHECK(agent.status == 403);
      CHECK_THAT(agent.body, Contains("needs a supervisor token"));
      CHECK_THAT(agent.body, !Contains("phone-support"));
    }
    const auto refused =
        http_call(port, "POST", "/login", {"Content-Type: application/x-www-form-urlencoded"},
                  std::string("token=") + kWrongToken);
    CHECK(refused.status == 401);
    CHECK(refused.header("Set-Cookie").empty());

    const auto login =
        http_call(port, "POST", "/login", {"Content-Type: application/x-www-form-urlencoded"},
                  std::string("token=") + kSupervisorToken);
    REQUIRE(login.status == 200);
    const std::string cookie = login.header("Set-Cookie");
    CHECK_THAT(cookie, Contains(std::string("routerwall_token=") + kSupervisorToken + ";"));
    CHECK_THAT(cookie, Contains("HttpOnly"));
    CHECK_THAT(cookie, Contains("SameSite=Strict"));
    CHECK_THAT(cookie, Contains("Path=/"));
    const auto signed_in = http_call(port, "GET", "/api/snapshot",
                                     {std::string("Cookie: routerwall_token=") + kSupervisorToken});
    CHECK(signed_in.status == 200);
    CHECK_THAT(signed_in.body, Contains("\"queue\":\"phone-support\""));
    // The page itself holds no figures, and its script is the only one the policy allows.
    const auto html = http_call(port, "GET", "/");
    CHECK(html.status == 200);
    CHECK_THAT(html.body, !Contains("phone-support"));
    CHECK_THAT(html.header("Content-Security-Policy"), Contains("script-src 'sha256-"));
    CHECK(http_call(port, "GET", "/nothing").status == 404);
  }

  SECTION("in Chromium: no token or a wrong one is refused on the page, a right one shows it") {
    const std::string binary = HeadlessChromium::find_binary();
    INFO("chromium is needed: install Debian's chromium package (tools/dev.sh installs it)");
    REQUIRE_FALSE(binary.empty());
    TempDir browser_dir;
    HeadlessChromium browser(browser_dir.path());
    INFO(w.wall_log());
    // No token at all: the page asks for one.
    browser.open(w.url());
    REQUIRE(
        browser.wait_for("document.getElementById('login').className === 'shown'", kPageTimeout));
    CHECK_THAT(
        browser.evaluate("document.getElementById('auth-error').textContent").get<std::string>(),
        Contains("missing"));
    CHECK(browser.evaluate("document.querySelectorAll('[data-queue]').length") == 0);

    // A wrong token (a refused sign-in sets no cookie, so this tab starts as signed out too).
    browser.open(w.url(std::string("#token=") + kWrongToken));
    REQUIRE(
        browser.wait_for("document.getElementById('login').className === 'shown'", kPageTimeout));
    CHECK_THAT(
        browser.evaluate("document.getElementById('auth-error').textContent").get<std::string>(),
        Contains("unknown token"));
    CHECK(browser.evaluate("document.querySelectorAll('[data-queue]').length") == 0);
    CHECK(browser.evaluate("document.body.innerText.includes('phone-support')") == false);
    CHECK(browser.evaluate("document.getElementById('status').dataset.value") == "signed_out");

    // The same tab signs in with the form: the board appears, live.
    browser.evaluate("document.getElementById('token').value = '" + std::string(kSupervisorToken) +
                     "'; document.getElementById('login').requestSubmit(); true");
    REQUIRE(browser.wait_for("Number(document.body.dataset.updates || 0) >= 1", kPageTimeout));
    CHECK(browser.evaluate("document.querySelectorAll('[data-queue=\"phone-support\"]').length")
              .get<int>() > 0);
    CHECK(browser.evaluate("document.getElementById('login').className") == "");
    // The cookie is HttpOnly: the page's script cannot read the token.
    CHECK_THAT(browser.evaluate("document.cookie").get<std::string>(), !Contains(kSupervisorToken));
  }

  CHECK(w.stop_wall() == 0);
  const std::string log = w.wall_log();
  CHECK_THAT(log, !Contains(kSupervisorToken));
  CHECK_THAT(log, !Contains(kWrongToken));
  CHECK_THAT(log, !Contains(agent_token("ana")));
}

TEST_CASE(
    "routerwall's event stream sends a snapshot every interval, and keeps the last figures "
    "when routerd goes away",
    "[wallboard]") {
  Wallboard w;
  w.start_wall();
  EventStreamClient stream(w.wall_port(), "/events", {bearer(kSupervisorToken)});
  INFO(stream.head().body);
  REQUIRE(stream.head().status == 200);
  CHECK_THAT(stream.head().header("Content-Type"), Contains("text/event-stream"));
  const auto first = stream.next(5s);
  const auto second = stream.next(5s);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  const json a = json::parse(first->data), b = json::parse(second->data);
  CHECK(first->id == std::to_string(a["seq"].get<uint64_t>()));
  CHECK(b["seq"].get<uint64_t>() > a["seq"].get<uint64_t>());
  CHECK(b["sampled_at_ms"].get<int64_t>() > a["sampled_at_ms"].get<int64_t>());
  CHECK(b["interval_s"] == 0.25);
  REQUIRE(b["queues"].size() == 5);
  CHECK(b["queues"][0]["queue"] == "phone-support");
  CHECK(b["routerd"]["ok"] == true);
  CHECK(b["agents"]["total"] == 4);
  // The hour's service-level points come with the first event, and again only when they change
  // (every 30 s): the events between carry the figures alone.
  CHECK(a["queues"][0]["sl_history"].size() == 1);
  CHECK_FALSE(b["queues"][0].contains("sl_history"));
  CHECK(b["history"]["version"] == a["history"]["version"]);

  // routerd dies: the stream goes on with the last figures, marked as not fresh.
  w.routerd().signal(SIGKILL);
  REQUIRE(w.routerd().wait_exit(10s).has_value());
  std::optional<json> stale;
  for (int i = 0; i < 20 && !stale; ++i) {
    const auto event = stream.next(5s);
    REQUIRE(event.has_value());
    const json e = json::parse(event->data);
    // A call cut by routerd's shutdown may come first (CANCELLED); then routerd is away.
    if (e["routerd"]["ok"] == false &&
        e["routerd"]["error"].get<std::string>().rfind("UNAVAILABLE", 0) == 0) {
      stale = e;
    }
  }
  REQUIRE(stale.has_value());
  CHECK((*stale)["queues"].size() == 5);
  // The figures are the last ones routerd gave: from no earlier than the second event's.
  CHECK((*stale)["at_ms"].get<int64_t>() >= b["at_ms"].get<int64_t>());
  CHECK((*stale)["routerd"]["failing_since_ms"].get<int64_t>() > 0);
  // A viewer routerd had accepted still sees them while routerd cannot be asked.
  CHECK(http_call(w.wall_port(), "GET", "/api/snapshot", {bearer(kSupervisorToken)}).status == 200);
  stream.close();
}

TEST_CASE("viewers beyond --max-viewers are refused with 503 until one leaves", "[wallboard]") {
  Wallboard w;
  w.start_wall({"--max-viewers", "2"});
  const int port = w.wall_port();
  auto one =
      std::make_unique<EventStreamClient>(port, "/events", std::vector{bearer(kSupervisorToken)});
  EventStreamClient two(port, "/events", {bearer(kSupervisorToken)});
  REQUIRE(one->head().status == 200);
  REQUIRE(two.head().status == 200);
  REQUIRE(one->next(5s).has_value());
  REQUIRE(two.next(5s).has_value());
  EventStreamClient three(port, "/events", {bearer(kSupervisorToken)});
  CHECK(three.head().status == 503);
  CHECK_THAT(three.head().body, Contains("too many viewers"));
  CHECK(http_call(port, "HEAD", "/events", {bearer(kSupervisorToken)}).status == 503);
  // The snapshot is not a stream: still served.
  CHECK(http_call(port, "GET", "/api/snapshot", {bearer(kSupervisorToken)}).status == 200);
  one.reset();  // a screen goes away; routerwall notices at its next write
  CHECK(eventually(
      [&] {
        EventStreamClient again(port, "/events", {bearer(kSupervisorToken)});
        return again.head().status == 200;
      },
      5s));
}

TEST_CASE("routerwall given two addresses moves to the second when the first routerd goes away",
          "[wallboard]") {
  Wallboard w;
  CenterFiles other_files(wallboard_center());
  const int other_port = free_port();
  const std::string other = "127.0.0.1:" + std::to_string(other_port);
  RouterdProcess second(other_files, other);
  REQUIRE(eventually([&] { return accepts_connections(other_port); }, 10s));
  Clients other_clients(other);
  REQUIRE(wait_serving(other_clients, second));
  w.start_wall({"--target", other});  // after start_wall's own: the list is first, second
  EventStreamClient stream(w.wall_port(), "/events", {bearer(kSupervisorToken)});
  REQUIRE(stream.head().status == 200);
  const auto first = stream.next(5s);
  REQUIRE(first.has_value());
  CHECK(json::parse(first->data)["routerd"]["address"] == w.address());

  w.routerd().signal(SIGKILL);
  REQUIRE(w.routerd().wait_exit(10s).has_value());
  std::optional<json> moved;
  for (int i = 0; i < 80 && !moved; ++i) {
    const auto event = stream.next(5s);
    REQUIRE(event.has_value());
    const json e = json::parse(event->data);
    if (e["routerd"]["ok"] == true && e["routerd"]["address"] == other) moved = e;
  }
  INFO(w.wall_log());
  REQUIRE(moved.has_value());
  CHECK((*moved)["queues"].size() == 5);
  CHECK((*moved)["agents"]["total"] == 4);
  CHECK_THAT(w.wall_log(), Contains("event=routerd_switched"));
}

TEST_CASE(
    "an open event stream whose token routerd stopped taking is told and closed at the "
    "next re-check",
    "[wallboard]") {
  constexpr char kViewer[] = "it-wall-viewer-token-0001";
  CenterOptions o = wallboard_center();
  o.extra_tokens =
      std::string("    - {token: \"") + kViewer + "\", role: SUPERVISOR, name: wall-viewer}\n";
  Wallboard w(o);
  w.start_wall({"--recheck-s", "1"});
  EventStreamClient stream(w.wall_port(), "/events", {bearer(kViewer)});
  REQUIRE(stream.head().status == 200);
  REQUIRE(stream.next(5s).has_value());

  // The token leaves routerd's configuration: a reload by SIGHUP.
  w.files().write_config(replace_once(w.files().read_config(), o.extra_tokens, ""));
  w.routerd().signal(SIGHUP);
  // Within the verdict's memory (10 s) and one re-check (1 s), the page is told, then the stream
  // ends.
  std::optional<ServerSentEvent> refused;
  const auto deadline = std::chrono::steady_clock::now() + 25s;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    const auto event = stream.next(5s);
    if (!event.has_value()) break;
    if (event->event == "refused") refused = event;
  }
  INFO(w.wall_log());
  REQUIRE(refused.has_value());
  CHECK_THAT(refused->data, Contains("\"verdict\""));
  CHECK_THAT(refused->data, !Contains(kViewer));
  CHECK_FALSE(stream.next(3s).has_value());
  CHECK_THAT(w.wall_log(), Contains("token_refused"));
  // routerwall's own token and a viewer with a token routerd takes are untouched.
  EventStreamClient still(w.wall_port(), "/events", {bearer(kSupervisorToken)});
  CHECK(still.head().status == 200);
  CHECK(still.next(5s).has_value());
}

TEST_CASE("routerwall does not start with a token routerd refuses", "[wallboard]") {
  Wallboard w;
  TempDir dir;
  const auto token_file = dir.write("token", agent_token("ana") + "\n");
  const auto run = run_captured(
      {ROUTERWALL_PATH, "--target", w.address(), "--listen",
       "127.0.0.1:" + std::to_string(free_port()), "--token-file", token_file.string()},
      20s);
  INFO(run);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Contains("refused the token of --token-file"));
  CHECK_THAT(run.err, Contains("PERMISSION_DENIED"));
  CHECK_THAT(run.err, !Contains(agent_token("ana")));
}

}  // namespace
}  // namespace router::it
