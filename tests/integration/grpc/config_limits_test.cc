// Bounded configuration parsing end to end (docs/security.md, "Configuration limits"): a
// "billion laughs" file on SIGHUP, ReloadConfig and `routerd --check` is refused at once, and
// the running configuration and its queued work stay as they were.
#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "adapters/config/routing_config.h"
#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

// The test center with its skills list turned into exponential aliases: each of nine levels
// names the one before ten times, so expanded the list holds 10^9 names (gigabytes).
std::string laughing_config(const std::string& yaml) {
  std::string skills = "skills: [support, sales, billing, chat, &l0 [lol, lol, lol, lol, lol]";
  for (int i = 1; i <= 8; ++i) {
    skills += ", &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) skills += (j ? ", *l" : "*l") + std::to_string(i - 1);
    skills += "]";
  }
  return replace_once(yaml, "skills: [support, sales, billing, chat]", skills + "]");
}

constexpr int kWaiting = 100;

// kWaiting phone calls queued in phone-support (no agent is ready), oldest first.
std::vector<std::string> queue_calls(Clients& clients) {
  for (int i = 0; i < kWaiting; ++i) {
    auto r = clients.submit(phone_call("call-" + std::to_string(i), "+1 415 555 0100"));
    INFO(describe(r.status));
    REQUIRE(r.ok());
  }
  auto waiting = waiting_in(clients, "phone-support");
  REQUIRE(waiting.size() == kWaiting);
  return waiting;
}

}  // namespace

TEST_CASE("routerd --check refuses a billion-laughs configuration at once, in little memory",
          "[grpc][config][limits]") {
  CenterFiles files;
  files.write_config(laughing_config(files.read_config()));
  const auto start = std::chrono::steady_clock::now();
  auto run = run_captured({ROUTERD_PATH, "--check", "--config", files.config_path()}, 10s);
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(run);
  CHECK_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Contains(files.config_path() + ": line 2: skills[4]: YAML anchors are not "
                                                     "allowed (&l0)"));
  CHECK(took < 5s);
  // The largest child this test process has waited for is this one (each test case runs in a
  // process of its own under ctest); before the limits it grew past 1 GB.
  rusage usage{};
  REQUIRE(::getrusage(RUSAGE_CHILDREN, &usage) == 0);
  INFO("routerd --check max RSS: " << usage.ru_maxrss << " KiB");
  CHECK(usage.ru_maxrss < 200 * 1024);
}

TEST_CASE(
    "routerd on SIGHUP with a billion-laughs configuration keeps serving its configuration and "
    "every queued interaction",
    "[grpc][config][limits]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CenterFiles files(
      CenterOptions{.dev_no_auth = false, .listen = address, .stream_buffer = 0, .redis = {}});
  RouterdProcess process(files, address);
  Clients clients(address);
  REQUIRE(wait_serving(clients, process));
  const auto before = queue_calls(clients);

  files.write_config(laughing_config(files.read_config()));
  process.signal(SIGHUP);
  const bool refused = eventually(
      [&] { return process.log().find("YAML anchors are not allowed") != std::string::npos; }, 5s);
  INFO("routerd log:\n" << process.log());
  REQUIRE(refused);
  CHECK_THAT(process.log(), Contains("action=kept_old_config"));
  CHECK_FALSE(process.wait_exit(0ms).has_value());
  auto health = clients.health_check();
  CHECK(health.ok());
  CHECK(health.value == kServing);
  CHECK(waiting_in(clients, "phone-support") == before);
  // The old configuration still routes: ana (support) gets the oldest call.
  AgentDesk ana(clients, "ana");
  REQUIRE(ana.set_ready().ok());
  CHECK(ana.wait_offer("call-0").has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "ReloadConfig of a file over a parse limit is INVALID_ARGUMENT naming the limit "
                 "and keeps the configuration and the queued work",
                 "[grpc][config][limits]") {
  const auto before = queue_calls(*this);
  const std::string good = files().read_config();
  SECTION("aliases") { files().write_config(laughing_config(good)); }
  SECTION("a repeated top-level key") { files().write_config(good + "\nskills: [support]\n"); }
  SECTION("a scalar where a list is due") {
    files().write_config(replace_once(good, "channels: [EMAIL]", "channels: EMAIL"));
  }
  SECTION("size") {
    files().write_config(good + "# " + std::string(adapters::config::kMaxConfigBytes, 'x') + "\n");
  }
  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  CHECK(reloaded.code() == grpc::INVALID_ARGUMENT);
  CHECK_THAT(reloaded.message(), Contains(config_path() + ": "));
  CHECK(waiting_in(*this, "phone-support") == before);
  auto health = health_check();
  CHECK(health.ok());
  CHECK(health.value == kServing);
}

}  // namespace router::it
