// routerctl against a real server: the CLI binary (ROUTERCTL_PATH) run as a child process with
// --server and --token against the in-process Server on its loopback port; what it prints on
// stdout and stderr and its exit code (0 done, 1 routerd answered with an error, 2 unreachable).
#include <google/protobuf/util/json_util.h>

#include <catch2/catch.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "integration/grpc/fixture.h"
#include "tests/support/child_process.h"

namespace router::it {
namespace {

// How long one routerctl run may take before it is killed (a hang fails the test, it does not
// block it).
constexpr Millis kRunTimeout = 10s;

using Run = ProcessRun;  // exit code, stdout, stderr, timed out

// Runs routerctl with `args`, reading its stdout and stderr until it exits (or kRunTimeout
// passes: then it is killed). The environment is the test's without ROUTER_ADDR and
// ROUTER_TOKEN, so that only the flags a test passes decide where routerctl connects and with
// which token.
Run routerctl(const std::vector<std::string>& args) {
  std::vector<std::string> words = {ROUTERCTL_PATH};
  words.insert(words.end(), args.begin(), args.end());
  return run_captured(words, kRunTimeout, environment_without({"ROUTER_ADDR", "ROUTER_TOKEN"}));
}

// The value of the `key  value` line (render_fields: the key, two or more spaces, the value), or
// nothing when no line starts with `key`.
std::optional<std::string> field(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + "  ", 0) != 0) continue;
    const auto value = line.find_first_not_of(' ', key.size());
    return value == std::string::npos ? std::string() : line.substr(value);
  }
  return std::nullopt;
}

// The first line that starts with `word` followed by a space (a table row), or nothing.
std::optional<std::string> row(const std::string& text, const std::string& word) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(word + " ", 0) == 0) return line;
  }
  return std::nullopt;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const char* const kQueues[] = {"phone-support", "phone-sales", "email-billing", "web-chat",
                               "web-callback"};
const char* const kAgents[] = {"ana", "ben", "cara", "dev"};

// The test center's server, and routerctl pointed at it with a role's token.
class RouterctlFixture : public RouterFixture {
 protected:
  Run as(const std::string& token, std::vector<std::string> args) {
    args.insert(args.end(), {"--server", server().address(), "--timeout", "5"});
    if (!token.empty()) args.insert(args.end(), {"--token", token});
    return routerctl(args);
  }
  Run as_supervisor(std::vector<std::string> args) { return as(kSupervisorToken, std::move(args)); }
  Run as_gateway(std::vector<std::string> args) { return as(kGatewayToken, std::move(args)); }

  // Logs `agent` in NOT_READY with its own token.
  void log_in(const std::string& agent) {
    v1::LoginRequest login;
    login.set_agent(agent);
    login.set_ready(false);
    const auto reply = call(&v1::AgentService::Stub::Login, agent_token(agent), login);
    INFO("Login " << agent << ": " << describe(reply.status));
    REQUIRE(reply.ok());
  }
};

// `routerctl --json agent session AGENT` as a script drives it: a line written to its stdin, its
// stdout read back one JSON object a line as AgentSessionResponse messages.
class SessionDriver {
 public:
  SessionDriver(const std::string& address, const std::string& agent)
      : process_({ROUTERCTL_PATH, "--json", "agent", "session", agent, "--no-heartbeats",
                  "--server", address, "--token", agent_token(agent), "--timeout", "5"},
                 ChildOptions{.out = ChildOutput::kPipe,
                              .err = ChildOutput::kPipe,
                              .log = {},
                              .append_log = false,
                              .stdin_null = false,
                              .stdin_pipe = true,
                              .env = environment_without({"ROUTER_ADDR", "ROUTER_TOKEN"})}) {}

  void send(const std::string& line) { REQUIRE(process_.write_stdin(line + "\n")); }

  // The next message (after the last one wait_for() returned) that satisfies `match`. Nothing
  // when routerctl's stdout ends or `timeout` passes first.
  std::optional<v1::AgentSessionResponse> wait_for(
      const std::function<bool(const v1::AgentSessionResponse&)>& match,
      Millis timeout = kEventTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (; cursor_ < messages_.size(); ++cursor_) {
        if (match(messages_[cursor_])) return messages_[cursor_++];
      }
      if (!read_one(deadline)) return std::nullopt;
    }
  }
  // The answer to line `correlation_id`, whenever it came.
  std::optional<v1::AgentAnswer> answer(const std::string& correlation_id) {
    const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
    size_t i = 0;
    for (;;) {
      for (; i < messages_.size(); ++i) {
        const auto& r = messages_[i];
        if (r.has_answer() && r.answer().result().correlation_id() == correlation_id) {
          return r.answer();
        }
      }
      if (!read_one(deadline)) return std::nullopt;
    }
  }

  // Ends the input; routerctl's exit status and what it wrote to stderr.
  std::pair<std::optional<int>, std::string> finish() {
    process_.close_stdin();
    std::string out, err;
    process_.read_to_end(out, err, kRunTimeout);
    return {process_.wait_exit(kRunTimeout), err};
  }
  std::string seen() const {  // every line read, for diagnostics
    std::string all;
    for (const auto& line : lines_) all += line + "\n";
    return all;
  }

 private:
  bool read_one(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto line = process_.read_line(left);
    if (!line) return false;
    v1::AgentSessionResponse response;
    const auto status = google::protobuf::util::JsonStringToMessage(*line, &response);
    INFO("routerctl printed: " << *line);
    REQUIRE(status.ok());
    lines_.push_back(*line);
    messages_.push_back(std::move(response));
    return true;
  }

  ChildProcess process_;
  std::vector<std::string> lines_;
  std::vector<v1::AgentSessionResponse> messages_;
  size_t cursor_ = 0;
};

std::vector<std::string> submit_support_call(const std::string& id) {
  return {"submit", "phone", "--id", id, "--ani", "+1 415 555 0100", "--dnis", kSupportLine};
}

TEST_CASE_METHOD(RouterctlFixture, "routerctl queues prints a row for every queue of the center",
                 "[grpc][routerctl]") {
  const Run run = as_supervisor({"queues"});
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(row(run.out, "QUEUE").has_value());
  for (const char* queue : kQueues) {
    INFO("queue " << queue);
    CHECK(row(run.out, queue).has_value());
  }
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl submit with the gateway token prints the queue and position, and a "
                 "repeat of the same id prints that it was replayed",
                 "[grpc][routerctl]") {
  const Run first = as_gateway(submit_support_call("ctl-1"));
  {
    INFO(first);
    REQUIRE(first.exit_code == 0);
    CHECK(field(first.out, "interaction") == "ctl-1");
    CHECK(field(first.out, "state") == "QUEUED");
    CHECK(field(first.out, "queue") == "phone-support");
    CHECK(field(first.out, "position") == "1");
    CHECK(field(first.out, "replayed") == "no");
  }
  // It is really queued on the server.
  const auto got = get_interaction("ctl-1");
  REQUIRE(got.ok());
  CHECK(got.value.queue() == "phone-support");
  CHECK(got.value.customer().customer_id() == "C1");

  const Run repeat = as_gateway(submit_support_call("ctl-1"));
  INFO(repeat);
  REQUIRE(repeat.exit_code == 0);
  CHECK(field(repeat.out, "queue") == "phone-support");
  CHECK(field(repeat.out, "position") == "1");
  const auto replayed = field(repeat.out, "replayed");
  REQUIRE(replayed.has_value());
  CHECK_THAT(*replayed, Catch::StartsWith("yes"));
  auto stats = queue_stats("phone-support");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 1);
}

TEST_CASE_METHOD(RouterctlFixture, "routerctl agents lists every agent with its state",
                 "[grpc][routerctl]") {
  log_in("ben");
  const Run run = as_supervisor({"agents"});
  INFO(run);
  REQUIRE(run.exit_code == 0);
  for (const char* agent : kAgents) {
    INFO("agent " << agent);
    CHECK(row(run.out, agent).has_value());
  }
  const auto ben = row(run.out, "ben");
  REQUIRE(ben.has_value());
  CHECK_THAT(*ben, Catch::Contains("NOT_READY") && Catch::Contains("login"));
  const auto ana = row(run.out, "ana");
  REQUIRE(ana.has_value());
  CHECK_THAT(*ana, Catch::Contains("LOGGED_OUT"));
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl explain names the skills an interaction needs now and why logged-in "
                 "agents cannot take it",
                 "[grpc][routerctl]") {
  REQUIRE(submit(phone_call("ctl-1", "+1 415 555 0100")).ok());
  log_in("ana");   // has support 7, but is NOT_READY
  log_in("cara");  // has no support skill
  const Run run = as_supervisor({"explain", "ctl-1"});
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK(field(run.out, "interaction") == "ctl-1");
  CHECK(field(run.out, "state") == "QUEUED");
  CHECK(field(run.out, "required now") == "support>=3");
  const auto at = run.out.find("ineligible agents:");
  REQUIRE(at != std::string::npos);
  const std::string ineligible = run.out.substr(at);
  CHECK_THAT(ineligible, Catch::Contains("ana") && Catch::Contains("not_ready"));
  CHECK_THAT(ineligible, Catch::Contains("cara") && Catch::Contains("missing_skill"));
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl queues with a gateway token exits 1 with PERMISSION_DENIED on stderr",
                 "[grpc][routerctl]") {
  const Run run = as_gateway({"queues"});
  INFO(run);
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK_THAT(run.err, Catch::StartsWith("routerctl: PERMISSION_DENIED") &&
                          Catch::Contains("supervisor token"));
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl without a token exits 1 with UNAUTHENTICATED and says how to pass one",
                 "[grpc][routerctl]") {
  const Run run = as("", {"queues"});
  INFO(run);
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK_THAT(run.err,
             Catch::StartsWith("routerctl: UNAUTHENTICATED") && Catch::Contains("--token"));
}

TEST_CASE("routerctl against a port where nothing listens exits 2 saying it cannot reach routerd",
          "[grpc][routerctl]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  const auto started = std::chrono::steady_clock::now();
  const Run run =
      routerctl({"queues", "--server", address, "--token", kSupervisorToken, "--timeout", "5"});
  INFO(run);
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK_THAT(run.err, Catch::StartsWith("routerctl: cannot reach routerd at " + address));
  // A refused connection fails at once, not after --timeout.
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl watch --count 2 prints two snapshots of the queues and exits 0",
                 "[grpc][routerctl]") {
  const Run run = as_supervisor({"watch", "--count", "2", "--interval", "0.2"});
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  // stdout is a pipe: each snapshot follows a '=== ... ===' header line.
  CHECK(count_of(run.out, "=== routerd " + server().address()) == 2);
  CHECK(count_of(run.out, ", snapshot 1 ===") == 1);
  CHECK(count_of(run.out, ", snapshot 2 ===") == 1);
  CHECK(count_of(run.out, "snapshot 3") == 0);
  for (const char* queue : kQueues) {
    INFO("queue " << queue);
    CHECK(count_of(run.out, std::string("\n") + queue + " ") == 2);
  }
  CHECK(count_of(run.out, "agents: 4 LOGGED_OUT (4 in all)") == 2);
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl reload applies the edited configuration and prints its changes and "
                 "warnings",
                 "[grpc][routerctl]") {
  std::string yaml = files().read_config();
  yaml = replace_once(
      yaml, "\n\nentry_points:",
      "\n  - {name: eve, team: south, languages: [en], skills: [{skill: chat, level: 3}]}"
      "\n\nentry_points:");
  yaml += "  listen: \"127.0.0.1:1\"\n";  // daemon.listen: applies after a restart only
  files().write_config(yaml);

  const Run run = as_supervisor({"reload"});
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::StartsWith("reloaded " + config_path() + ": 5 queues, 5 agents\n"));
  const auto changes = run.out.find("\nchanges:\n");
  const auto warnings = run.out.find("\nwarnings:\n");
  REQUIRE(changes != std::string::npos);
  REQUIRE(warnings != std::string::npos);
  REQUIRE(changes < warnings);
  const std::string change_list = run.out.substr(changes, warnings - changes);
  const std::string warning_list = run.out.substr(warnings);
  CHECK_THAT(change_list, Catch::Contains("  agent eve added\n"));
  CHECK_THAT(warning_list, Catch::Contains("  daemon.listen: changes need a restart\n"));
  // The server took it: eve is an agent now.
  CHECK(agent_status("eve").has_value());
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl agent session driven through stdin logs in takes an offer completes "
                 "it ends wrap-up and logs out with each answer matched by its line number",
                 "[grpc][routerctl][session]") {
  SessionDriver desk(server().address(), "ana");
  desk.send("login");
  auto login = desk.answer("1");
  INFO(desk.seen());
  REQUIRE(login.has_value());
  CHECK(login->result().code() == 0);
  CHECK(login->status().state() == v1::READY);

  // A call on the sales line (offer timeout 5 s): ana is the only READY agent with sales.
  REQUIRE(submit(phone_call("sess-1", "+1 415 555 0100", kSalesLine)).ok());
  auto offer = desk.wait_for([](const v1::AgentSessionResponse& r) {
    return r.has_work() && r.work().has_offer() &&
           r.work().offer().interaction().interaction_id() == "sess-1";
  });
  INFO(desk.seen());
  REQUIRE(offer.has_value());
  CHECK(offer->agent() == "ana");

  desk.send("# comment lines are skipped but counted");
  desk.send("accept sess-1");
  auto accepted = desk.answer("3");
  INFO(desk.seen());
  REQUIRE(accepted.has_value());
  CHECK(accepted->result().code() == 0);
  CHECK(accepted->status().state() == v1::BUSY);

  desk.send("complete sess-1 --code resolved");
  auto completed = desk.answer("4");
  INFO(desk.seen());
  REQUIRE(completed.has_value());
  CHECK(completed->result().code() == 0);
  CHECK(completed->status().state() == v1::AGENT_WRAP_UP);

  desk.send("end-wrap-up sess-1");
  auto ended = desk.answer("5");
  INFO(desk.seen());
  REQUIRE(ended.has_value());
  CHECK(ended->result().code() == 0);
  CHECK(ended->status().state() == v1::READY);

  desk.send("logout");
  auto logout = desk.answer("6");
  INFO(desk.seen());
  REQUIRE(logout.has_value());
  CHECK(logout->result().code() == 0);
  CHECK(logout->status().state() == v1::LOGGED_OUT);

  const auto [exit_code, err] = desk.finish();
  INFO(err);
  CHECK(exit_code == 0);
  CHECK(err.empty());
  const auto got = get_interaction("sess-1");
  REQUIRE(got.ok());
  CHECK(got.value.state() == v1::COMPLETED);
  const auto ana = agent_status("ana");
  REQUIRE(ana.has_value());
  CHECK(ana->state() == v1::LOGGED_OUT);
}

TEST_CASE_METHOD(RouterctlFixture,
                 "routerctl agent session answers a refused request and a line it cannot parse "
                 "with their line numbers and keeps the session up",
                 "[grpc][routerctl][session]") {
  SessionDriver desk(server().address(), "ben");
  desk.send("login --not-ready");
  desk.send("accept nothing-offered");
  desk.send("acept typo");
  desk.send("ready");
  auto refused = desk.answer("2");
  INFO(desk.seen());
  REQUIRE(refused.has_value());
  CHECK(refused->result().code() != 0);
  auto typo = desk.answer("3");
  INFO(desk.seen());
  REQUIRE(typo.has_value());
  CHECK(typo->result().code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  CHECK_THAT(typo->result().message(), Catch::StartsWith("routerctl: line 3: unknown request"));
  auto ready = desk.answer("4");
  INFO(desk.seen());
  REQUIRE(ready.has_value());
  CHECK(ready->result().code() == 0);
  CHECK(ready->status().state() == v1::READY);
  const auto [exit_code, err] = desk.finish();
  CHECK(exit_code == 1);  // some request was refused
}

}  // namespace
}  // namespace router::it
