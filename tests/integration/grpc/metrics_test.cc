// routerd's Prometheus metrics (docs/operations.md, "Metrics") over a real HTTP listener: a call
// offered, accepted and completed through gRPC shows in the queue's counters and the host's
// histograms; the queue gauges match GetQueueStats; a refused submit is counted by its code; the
// exposition passes `promtool check metrics`; the shipped example rules pass `promtool check
// rules` and name only metrics routerd exposes; a bad address names the field.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "integration/grpc/availability_fixture.h"
#include "integration/grpc/fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

// The value of one series ("name{labels}") in an exposition, or none.
std::optional<double> value_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

std::string scrape(RouterFixture& f) {
  const auto [status, body] = http_get(f.server().metrics_port(), "/metrics");
  INFO(body);
  REQUIRE(status == 200);
  return body;
}

// Runs promtool with `args` and `input` on stdin; its exit status and what it printed.
std::pair<int, std::string> promtool(std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), "promtool");
  ChildOptions options;
  options.out = ChildOutput::kPipe;
  options.err = ChildOutput::kPipe;
  options.stdin_pipe = true;
  ChildProcess p(args, options);
  p.write_stdin(input);
  p.close_stdin();
  std::string out, err;
  p.read_to_end(out, err, 30s);
  const auto status = p.wait_exit(30s);
  return {status.value_or(-1), out + err};
}

CenterOptions with_metrics() {
  CenterOptions o;
  o.metrics_listen = "127.0.0.1:0";
  return o;
}

TEST_CASE("a call through routerd shows in its Prometheus metrics and promtool accepts them",
          "[metrics]") {
  RouterFixture f(with_metrics());
  REQUIRE(f.server().metrics_port() > 0);
  AgentDesk ana(f, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(f.submit(phone_call("m-1", "+1 415 555 0100")).ok());
  REQUIRE(ana.wait_offer("m-1").has_value());
  REQUIRE(ana.accept("m-1").ok());
  REQUIRE(ana.complete("m-1", "resolved").ok());
  REQUIRE(ana.end_wrap_up("m-1").ok());
  // Another one, for phone-sales: offered to ana (she has the skill), not answered.
  REQUIRE(f.submit(phone_call("m-2", "+1 415 555 0101", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("m-2").has_value());

  const std::string q = "{queue=\"phone-support\"}";
  std::string text;
  // The queue snapshot is refreshed every second.
  const bool seen = eventually(
      [&] {
        text = scrape(f);
        return value_of(text, "router_queue_completed_total" + q) == 1.0;
      },
      5s);
  INFO(text);
  REQUIRE(seen);
  CHECK(value_of(text, "router_queue_arrived_total" + q) == 1.0);
  CHECK(value_of(text, "router_queue_answered_total" + q) == 1.0);
  CHECK(value_of(text, "router_queue_abandoned_total" + q) == 0.0);
  CHECK(value_of(text, "router_offers_total" + q) == 1.0);
  CHECK(value_of(text, "router_wait_seconds_count" + q) == 1.0);
  CHECK(value_of(text, "router_handle_seconds_count" + q) == 1.0);
  CHECK(value_of(text, "router_submit_to_first_offer_seconds_count") == 2.0);
  CHECK(value_of(text, "router_engine_command_duration_seconds_count") >= 4.0);
  CHECK(value_of(text, "router_serving") == 1.0);
  CHECK(value_of(text, "router_lease_active") == 1.0);
  CHECK(value_of(text, "router_streams_open") >= 1.0);  // ana's StreamWork
  CHECK(value_of(text, "router_build_info{version=\"" ROUTER_VERSION "\"}") == 1.0);
  CHECK(value_of(text, "router_queue_service_level_target_ratio" + q) == 0.8);
  CHECK(value_of(text, "router_queue_service_level_threshold_seconds" + q) == 20.0);
  // No Redis configured: no Redis series.
  CHECK_FALSE(value_of(text, "router_redis_up{connection=\"journal\"}").has_value());

  // The queue gauges are GetQueueStats's figures (nothing changes between the two reads).
  for (const char* name : {"phone-support", "phone-sales"}) {
    INFO(name);
    const std::string s = std::string("{queue=\"") + name + "\"}";
    const auto stats = f.queue_stats(name);
    REQUIRE(stats.has_value());
    CHECK(value_of(text, "router_queue_waiting" + s) == double(stats->waiting()));
    CHECK(value_of(text, "router_queue_offered" + s) == double(stats->offered_now()));
    CHECK(value_of(text, "router_queue_arrived_total" + s) == double(stats->arrived()));
    CHECK(value_of(text, "router_queue_answered_total" + s) == double(stats->answered()));
    CHECK(value_of(text, "router_queue_service_level_ratio" + s) == stats->service_level());
    for (const char* state : {"LOGGED_OUT", "NOT_READY", "READY", "RESERVED", "BUSY", "WRAP_UP"}) {
      INFO(state);
      const auto it = stats->agents_by_state().find(state);
      const double want = it == stats->agents_by_state().end() ? 0.0 : double(it->second);
      CHECK(value_of(text, std::string("router_queue_agents{queue=\"") + name + "\",state=\"" +
                               state + "\"}") == want);
    }
  }
  CHECK(value_of(text, "router_queue_offered{queue=\"phone-sales\"}") == 1.0);  // m-2

  // http_get drops the body's last newline; the exposition as served ends with one.
  const auto [status, printed] = promtool({"check", "metrics"}, text + "\n");
  INFO(printed);
  CHECK(status == 0);
  CHECK(printed.find("router_") == std::string::npos);  // no lint complaint about our series
  // The same check refuses a broken exposition and names a bad series: it did read ours.
  const auto [bad_status, bad_printed] =
      promtool({"check", "metrics"}, text + "\nrouter_broken_total{queue=\"x\" 1\n");
  CHECK(bad_status != 0);
  const auto [lint_status, lint_printed] =
      promtool({"check", "metrics"},
               "# HELP router_lint_count x\n# TYPE router_lint_count "
               "counter\nrouter_lint_count 1\n");
  INFO(lint_printed);
  CHECK(lint_status != 0);
  CHECK_THAT(lint_printed, Catch::Contains("router_lint_count"));
}

TEST_CASE("the example alert rules pass promtool and name only metrics routerd exposes",
          "[metrics]") {
  RouterFixture f(with_metrics());
  std::string text;
  REQUIRE(eventually(
      [&] {
        text = scrape(f);
        return value_of(text, "router_queue_waiting{queue=\"phone-support\"}").has_value();
      },
      5s));
  const std::string rules_path = std::string(ROUTER_SOURCE_DIR) + "/docs/prometheus/alerts.yml";
  const auto [status, printed] = promtool({"check", "rules", rules_path}, "");
  INFO(printed);
  CHECK(status == 0);
  std::ifstream in(rules_path);
  const std::string rules((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(rules.empty());
  // Every router_* metric in the rules is a family in the exposition (# TYPE line), or, for the
  // Redis ones, in a routerd with Redis, or for a pair's, in a pair (documented in
  // docs/operations.md).
  std::set<std::string> named;  // every "router_[a-z_]+" in the rules
  for (size_t at = rules.find("router_"); at != std::string::npos;
       at = rules.find("router_", at + 1)) {
    size_t end = at + 7;
    while (end < rules.size() &&
           (std::islower(static_cast<unsigned char>(rules[end])) != 0 || rules[end] == '_')) {
      ++end;
    }
    named.insert(rules.substr(at, end - at));
  }
  REQUIRE(named.size() >= 5);
  for (const std::string& name : named) {
    INFO(name);
    const bool redis_only = name == "router_customer_lookups_degraded_total" ||
                            name == "router_journal_unsynced_writes" || name == "router_redis_up";
    // Only a pair has it (redis.lease): the chaos fault test scrapes it from both processes.
    const bool pair_only = name == "router_standby_warm";
    if (redis_only || pair_only) continue;
    CHECK(text.find("# TYPE " + name + " ") != std::string::npos);
  }
}

TEST_CASE("the example alert rules fire as their unit tests expect", "[metrics]") {
  // docs/prometheus/alerts_test.yml: each alert on the series it is for, after its `for`.
  const std::string tests = std::string(ROUTER_SOURCE_DIR) + "/docs/prometheus/alerts_test.yml";
  const auto [status, printed] = promtool({"test", "rules", tests}, "");
  INFO(printed);
  CHECK(status == 0);
  CHECK_THAT(printed, Catch::Contains("SUCCESS"));
}

TEST_CASE("with Redis routerd exposes its Redis and journal series", "[metrics][redis]") {
  RedisServer redis;
  CenterOptions o = redis_center("127.0.0.1:" + std::to_string(redis.port()));
  o.metrics_listen = "127.0.0.1:0";
  RouterFixture f(o);
  std::string text;
  REQUIRE(eventually(
      [&] {
        text = scrape(f);
        return value_of(text, "router_redis_up{connection=\"journal\"}") == 1.0;
      },
      5s));
  INFO(text);
  CHECK(value_of(text, "router_redis_up{connection=\"customers\"}") == 1.0);
  CHECK(value_of(text, "router_journal_unsynced_writes") == 0.0);
  REQUIRE(f.submit(phone_call("r-1", "+1 415 555 0100")).ok());
  REQUIRE(eventually(
      [&] {
        text = scrape(f);
        return value_of(text, "router_customer_lookups_total") >= 1.0;
      },
      5s));
  CHECK(value_of(text, "router_journal_append_duration_seconds_count") == 1.0);
  // Every series the example rules name exists with Redis.
  for (const char* name : {"router_customer_lookups_degraded_total",
                           "router_journal_unsynced_writes", "router_redis_up"}) {
    INFO(name);
    CHECK(text.find(std::string("# TYPE ") + name + " ") != std::string::npos);
  }
  // Redis away: the journal's connection goes down, and health with it.
  redis.stop();
  REQUIRE(eventually(
      [&] {
        text = scrape(f);
        return value_of(text, "router_redis_up{connection=\"journal\"}") == 0.0 &&
               value_of(text, "router_serving") == 0.0;
      },
      10s));
  // A submit now is refused UNAVAILABLE, and counted by that code.
  CHECK(f.submit(phone_call("r-2", "+1 415 555 0101")).code() == grpc::StatusCode::UNAVAILABLE);
  REQUIRE(eventually(
      [&] {
        return value_of(scrape(f), "router_submits_refused_total{code=\"UNAVAILABLE\"}") == 1.0;
      },
      5s));
}

TEST_CASE("a metrics address that cannot be bound is refused naming the field", "[metrics]") {
  CenterFiles files;
  files.write_config(replace_once(files.read_config(), "  max_message_bytes: 8192\n",
                                  "  max_message_bytes: 8192\n  metrics_listen: \"bogus\"\n"));
  routerd::DaemonOptions options;
  options.config_path = files.config_path();
  options.listen = "127.0.0.1:0";
  auto started = routerd::Daemon::start(options);
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message, Catch::Contains("daemon.metrics_listen"));
}

}  // namespace
}  // namespace router::it
