// Stopping and reloading: Server::shutdown in process, and the real routerd binary under SIGTERM
// (health NOT_SERVING, streams end OK, exit 0 within daemon.shutdown_deadline_s) and SIGHUP
// (reload).
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

// routerd on a free port, serving (health SERVING) before the test goes on.
struct Daemon {
  Daemon()
      : address("127.0.0.1:" + std::to_string(free_port())),
        files(CenterOptions{
            .dev_no_auth = false, .listen = address, .stream_buffer = 0, .redis = {}}),
        process(files, address),
        clients(address) {
    const bool serving = wait_serving(clients, process);
    INFO("routerd log:\n" << process.log());
    REQUIRE(serving);
  }
  std::string address;
  CenterFiles files;
  RouterdProcess process;
  Clients clients;
};

TEST_CASE(
    "routerd on SIGTERM stops serving, ends its streams with OK and exits 0 within the "
    "shutdown deadline",
    "[grpc][shutdown]") {
  Daemon d;
  AgentDesk ana(d.clients, "ana");
  v1::WatchQueuesRequest request;
  request.set_interval_s(0.2);
  auto queues =
      d.clients.open(&v1::SupervisorService::Stub::WatchQueues, kSupervisorToken, request);
  REQUIRE(queues->next().has_value());

  const auto start = std::chrono::steady_clock::now();
  d.process.signal(SIGTERM);
  // Health goes NOT_SERVING at once (or the port is already closed).
  CHECK(eventually(
      [&] {
        auto h = d.clients.health_check("", 200ms);
        return !h.ok() || h.value == kNotServing;
      },
      1s));

  auto work_end = ana.work().wait_end(kShutdownDeadline + 1s);
  REQUIRE(work_end.has_value());
  INFO("StreamWork ended: " << describe(*work_end));
  CHECK(work_end->ok());
  auto queues_end = queues->wait_end(kShutdownDeadline + 1s);
  REQUIRE(queues_end.has_value());
  INFO("WatchQueues ended: " << describe(*queues_end));
  CHECK(queues_end->ok());

  auto exit_status = d.process.wait_exit(kShutdownDeadline + 2s);
  INFO("routerd log:\n" << d.process.log());
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
  CHECK(std::chrono::steady_clock::now() - start <= kShutdownDeadline + 1s);
}

TEST_CASE("routerd on SIGHUP reloads its configuration file and keeps queued work",
          "[grpc][shutdown]") {
  Daemon d;
  auto queued = d.clients.submit(phone_call("call-1", "+1 415 555 0100"));
  INFO(describe(queued.status));
  REQUIRE(queued.ok());
  REQUIRE_FALSE(d.clients.agent_status("zed").has_value());

  d.files.write_config(replace_once(
      d.files.read_config(), "\nentry_points:",
      "  - {name: zed, team: east, languages: [en], skills: [{skill: support, level: 9}]}\n"
      "\nentry_points:"));
  d.process.signal(SIGHUP);
  const bool reloaded = eventually([&] { return d.clients.agent_status("zed").has_value(); }, 5s);
  INFO("routerd log:\n" << d.process.log());
  CHECK(reloaded);
  CHECK_FALSE(d.process.wait_exit(0ms).has_value());
  auto still = d.clients.get_interaction("call-1");
  REQUIRE(still.ok());
  CHECK(still.value.state() == v1::QUEUED);
  CHECK(still.value.arrived().seconds() == queued.value.interaction().arrived().seconds());
  CHECK(still.value.arrived().nanos() == queued.value.interaction().arrived().nanos());

  SECTION("and a bad file on SIGHUP keeps the old configuration running") {
    d.files.write_config(replace_once(d.files.read_config(), "{skill: support, level: 7}",
                                      "{skill: support, level: 11}"));
    d.process.signal(SIGHUP);
    // The daemon says why in its log, naming the field, and goes on serving.
    CHECK(eventually(
        [&] { return d.process.log().find("agents[0].skills[0].level") != std::string::npos; },
        5s));
    CHECK_FALSE(d.process.wait_exit(0ms).has_value());
    auto health = d.clients.health_check();
    CHECK(health.ok());
    CHECK(health.value == kServing);
    AgentDesk ana(d.clients, "ana");
    REQUIRE(ana.set_ready().ok());
    CHECK(ana.wait_offer("call-1").has_value());
  }
}

TEST_CASE("after shutdown the server's streams have ended with OK", "[grpc][health]") {
  auto fx = std::make_unique<RouterFixture>();
  AgentDesk ana(*fx, "ana");
  v1::WatchQueuesRequest request;
  request.set_interval_s(0.2);
  auto queues = fx->open(&v1::SupervisorService::Stub::WatchQueues, kSupervisorToken, request);
  REQUIRE(queues->next().has_value());

  const auto start = std::chrono::steady_clock::now();
  fx->server().shutdown(kShutdownDeadline);
  fx->server().wait();
  CHECK(std::chrono::steady_clock::now() - start <= kShutdownDeadline + 500ms);
  auto work_end = ana.work().wait_end(kShutdownDeadline);
  REQUIRE(work_end.has_value());
  INFO("StreamWork: " << describe(*work_end));
  CHECK(work_end->ok());
  auto queues_end = queues->wait_end(kShutdownDeadline);
  REQUIRE(queues_end.has_value());
  INFO("WatchQueues: " << describe(*queues_end));
  CHECK(queues_end->ok());
}

}  // namespace
}  // namespace router::it
