// routerload end to end, as CI's smoke run: a real redis-server with imported customers, the
// real routerd binary on a generated center, and the real routerload binary driving it over
// loopback. Every interaction routerload submits must be completed, with no error, closed loop
// and open loop (with think, handle and wrap-up times); and the same against the echo baseline.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/free_port.h"
#include "tests/support/redis_server.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using router::it::ChildOptions;
using router::it::ChildOutput;
using router::it::ChildProcess;
using router::it::free_port;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a program to its end with stdout and stderr in `log`; returns its exit status.
int run(const std::vector<std::string>& args, const fs::path& log) {
  return router::it::run_logged(args, log);
}

// A temporary folder with Redis, customers imported into it, a generated center and routerd
// running it.
class LoadBench {
 public:
  LoadBench() : dir_(fs::temp_directory_path() / ("routerload-smoke-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
    port_ = free_port();
    REQUIRE(run({CUSTOMERGEN_PATH, "--count", "500", "--seed", "7", "--out",
                 (dir_ / "customers.jsonl").string()},
                dir_ / "customergen.log") == 0);
    const std::string redis = "127.0.0.1:" + std::to_string(redis_.port());
    INFO(slurp(dir_ / "import.log"));
    REQUIRE(run({ROUTERCTL_PATH, "customers", "import", (dir_ / "customers.jsonl").string(),
                 "--redis", redis},
                dir_ / "import.log") == 0);
    REQUIRE(run({ROUTERLOAD_PATH, "center", "--agents", "40", "--queues", "4", "--listen",
                 address(), "--redis", redis, "--offer-timeout-s", "20", "--out", config()},
                dir_ / "center.log") == 0);
    start_routerd();
  }
  ~LoadBench() {
    if (routerd_) routerd_->terminate(30s);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string config() const { return (dir_ / "center.yaml").string(); }
  std::string customers() const { return (dir_ / "customers.jsonl").string(); }
  fs::path path(const std::string& name) const { return dir_ / name; }
  std::string routerd_log() const { return slurp(dir_ / "routerd.log"); }

 private:
  void start_routerd() {
    routerd_.emplace(std::vector<std::string>{ROUTERD_PATH, "-c", config(), "--log-level", "warn"},
                     ChildOptions{.out = ChildOutput::kLog,
                                  .err = ChildOutput::kLog,
                                  .log = dir_ / "routerd.log",
                                  .append_log = false,
                                  .stdin_null = false,
                                  .env = std::nullopt});
    // routerd listens once the journal is loaded.
    auto channel = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
    INFO(routerd_log());
    REQUIRE(channel->WaitForConnected(std::chrono::system_clock::now() + 20s));
  }

  fs::path dir_;
  router::it::RedisServer redis_;
  int port_ = 0;
  std::optional<ChildProcess> routerd_;
};

nlohmann::json run_load(LoadBench& bench, const std::string& name,
                        const std::vector<std::string>& extra, int expected_exit = 0) {
  std::vector<std::string> args = {ROUTERLOAD_PATH,
                                   "run",
                                   "--config",
                                   bench.config(),
                                   "--target",
                                   bench.address(),
                                   "--customers",
                                   bench.customers(),
                                   "--quiet",
                                   "--json",
                                   bench.path(name + ".json").string()};
  // No warm-up unless the test asks for one: every interaction is measured.
  if (std::find(extra.begin(), extra.end(), "--warmup") == extra.end()) {
    args.insert(args.end(), {"--warmup", "0"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const int status = run(args, bench.path(name + ".log"));
  INFO("routerload output:\n" << slurp(bench.path(name + ".log")));
  INFO("routerd log:\n" << bench.routerd_log());
  REQUIRE(status == expected_exit);
  return nlohmann::json::parse(slurp(bench.path(name + ".json")));
}

void check_every_interaction_completed(const nlohmann::json& report, uint64_t submitted) {
  INFO(report.dump(2));
  const auto& counts = report["counts"];
  CHECK(counts["submitted_total"].get<uint64_t>() == submitted);
  CHECK(counts["completed_total"].get<uint64_t>() == submitted);
  CHECK(counts["cancelled_at_end"].get<uint64_t>() == 0);
  CHECK(counts["unfinished"].get<uint64_t>() == 0);
  CHECK(report["errors"].empty());
  // Every lifecycle was timed from submit to offer.
  CHECK(report["latency_ms"]["submit_to_offer"]["count"].get<uint64_t>() >= submitted);
  CHECK(report["latency_ms"]["submit_to_offer"]["p50"].get<double>() > 0);
}

}  // namespace

TEST_CASE("a closed-loop routerload run completes every interaction it submits", "[routerload]") {
  LoadBench bench;
  const auto report = run_load(bench, "closed", {"--count", "400", "--concurrency", "60"});
  check_every_interaction_completed(report, 400);
  CHECK(report["lifecycles_per_s"].get<double>() > 0);
}

TEST_CASE("an open-loop routerload run with think, handle and wrap-up times completes everything",
          "[routerload]") {
  LoadBench bench;
  const auto report =
      run_load(bench, "open",
               {"--rate", "150", "--count", "300", "--think-ms", "5:30", "--handle-ms", "10:50",
                "--wrap-up-ms", "0:20", "--gateways", "3", "--threads", "2"});
  check_every_interaction_completed(report, 300);
  // Latency figures are those of the open loop (all four kinds were timed).
  CHECK(report["latency_ms"]["accept_ack"]["count"].get<uint64_t>() == 300);
  CHECK(report["latency_ms"]["complete_ack"]["count"].get<uint64_t>() == 300);
}

TEST_CASE("gateways sharing a few in-flight slots still fill a closed loop to its concurrency",
          "[routerload]") {
  // A gateway that found every --max-inflight slot taken used to wait for a callback that never
  // came: the loop stayed below its concurrency and the warm-up waited out its 5 minutes.
  LoadBench bench;
  const auto report =
      run_load(bench, "starved",
               {"--concurrency", "120", "--max-inflight", "2", "--gateways", "4", "--handle-ms",
                "100:200", "--warmup", "0.2", "--duration", "1", "--drain-s", "30"});
  INFO(report.dump(2));
  CHECK(report["window_s"].get<double>() > 0.5);
  CHECK(report["run_s"].get<double>() < 60);
  CHECK(report["errors"].empty());
  CHECK(report["counts"]["unfinished"].get<uint64_t>() == 0);
  CHECK(report["counts"]["completed_total"].get<uint64_t>() ==
        report["counts"]["submitted_total"].get<uint64_t>());
}

TEST_CASE("routerload --with-echo reports the engine against the echo baseline", "[routerload]") {
  LoadBench bench;
  const auto report = run_load(
      bench, "with-echo",
      {"--count", "200", "--concurrency", "40", "--with-echo", "--echo-path", ROUTERECHO_PATH});
  check_every_interaction_completed(report, 200);
  check_every_interaction_completed(report["baseline"], 200);
  CHECK(report["ratios"]["lifecycles_per_s"].get<double>() > 0);
  CHECK(report["baseline"]["label"].get<std::string>().rfind("routerecho", 0) == 0);
}

TEST_CASE("routerload exits 2 naming the flag for a bad flag value", "[routerload]") {
  const fs::path log =
      fs::temp_directory_path() / ("routerload-badflag-" + std::to_string(getpid()));
  const fs::path config =
      fs::temp_directory_path() / ("routerload-badflag-" + std::to_string(getpid()) + ".yaml");
  REQUIRE(
      run({ROUTERLOAD_PATH, "center", "--agents", "2", "--queues", "1", "--out", config.string()},
          log) == 0);
  CHECK(run({ROUTERLOAD_PATH, "run", "--config", config.string(), "--think-ms", "9:3"}, log) == 2);
  CHECK_THAT(slurp(log), Catch::Contains("--think-ms"));
  CHECK(run({ROUTERLOAD_PATH, "run", "--config", config.string(), "--mix", "1,2"}, log) == 2);
  CHECK_THAT(slurp(log), Catch::Contains("--mix"));
  fs::remove(log);
  fs::remove(config);
}

TEST_CASE("SIGTERM ends routerload's submits early and the drain and the report still follow",
          "[routerload]") {
  LoadBench bench;
  const auto json_path = bench.path("sigterm.json");
  ChildProcess load({ROUTERLOAD_PATH, "run", "--config", bench.config(), "--target",
                     bench.address(), "--customers", bench.customers(), "--quiet", "--warmup", "0",
                     "--rate", "100", "--duration", "600", "--json", json_path.string()},
                    ChildOptions{.out = ChildOutput::kLog,
                                 .err = ChildOutput::kLog,
                                 .log = bench.path("sigterm.log"),
                                 .append_log = false,
                                 .stdin_null = true,
                                 .stdin_pipe = false,
                                 .env = std::nullopt});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  REQUIRE(load.signal(SIGTERM));
  const auto exited = load.wait_exit(std::chrono::seconds(60));
  INFO("routerload output:\n" << slurp(bench.path("sigterm.log")));
  REQUIRE(exited.has_value());
  CHECK(*exited == 0);  // everything submitted was completed in the drain
  const auto report = nlohmann::json::parse(slurp(json_path));
  CHECK(report["window_s"].get<double>() < 60);
  // Everything submitted was completed in the drain (the window's own counts leave out a submit
  // answered after the signal, so the totals are compared).
  INFO(report.dump(2));
  const auto& counts = report["counts"];
  CHECK(counts["submitted_total"].get<uint64_t>() > 0);
  CHECK(counts["completed_total"].get<uint64_t>() == counts["submitted_total"].get<uint64_t>());
  CHECK(counts["cancelled_at_end"].get<uint64_t>() == 0);
  CHECK(counts["unfinished"].get<uint64_t>() == 0);
  CHECK(report["errors"].empty());
}
