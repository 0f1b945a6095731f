// The work streams' heartbeat (RoutingHost::heartbeat_tick, routing_host.h) on the real host in
// simulated time: an idle stream gets a heartbeat at least every heartbeat_s and no more often; a
// stream that carries other messages gets none; streams opened together get theirs spread over
// the interval rather than in one burst.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "adapters/host/routing_host.h"
#include "tests/simulation/sim_customers.h"
#include "tests/simulation/sim_subscriber.h"
#include "tests/simulation/sim_world.h"

using namespace std::chrono_literals;

namespace router::sim {
namespace {

using Work = SimSubscriber<v1::WorkEvent>;
constexpr engine::Duration kInterval = 5s;
constexpr engine::Duration kStep = 10ms;
// A heartbeat may come up to one tick of the wheel early (heartbeat_s / 16).
constexpr engine::Duration kTick = kInterval / 16;

std::string agent(int i) { return "a" + std::to_string(100 + i); }

// One support queue and `agents` agents; heartbeat_s 5.
adapters::config::RoutingModel center(int agents) {
  std::string yaml = R"(
skills: [support]
queues:
  - {name: support, channels: [PHONE], skills: [{skill: support, min_level: 1}]}
entry_points:
  - {channel: PHONE, address: "+18005550100", queue: support}
daemon:
  default_region: US
  agent_grace_s: 3
  heartbeat_s: 5
agents:
)";
  for (int i = 0; i < agents; ++i) {
    yaml += "  - {name: " + agent(i) + ", skills: [{skill: support, level: 5}]}\n";
  }
  auto m = adapters::config::parse_routing_config(yaml, "heartbeat test center");
  if (!m.ok()) throw std::runtime_error("heartbeat test center: " + m.error().message);
  return std::move(m).value();
}

struct Desk {
  std::shared_ptr<Work> stream = std::make_shared<Work>();
  std::vector<engine::TimePoint> messages;    // when each message was taken
  std::vector<engine::TimePoint> heartbeats;  // of which heartbeats
};

class World {
 public:
  explicit World(int agents) : world_(1) {
    Incarnation& inc = world_.start_incarnation();
    adapters::host::HostPorts ports;
    ports.executor = &inc;
    ports.clock = &inc;
    ports.customers = std::make_unique<SimCustomers>(world_, inc, CustomerDirectory::standard());
    auto host = adapters::host::RoutingHost::create(center(agents), std::move(ports));
    REQUIRE(host.ok());
    host_ = std::move(host).value();
    host_->start();
    desks_.resize(static_cast<size_t>(agents));
    for (int i = 0; i < agents; ++i) {
      v1::LoginRequest login;
      login.set_agent(agent(i));
      v1::AgentStatus out;
      REQUIRE(host_->login(login, &out).ok());
      REQUIRE(host_->stream_work(agent(i), desks_[static_cast<size_t>(i)].stream).ok());
    }
    take();
  }
  ~World() {
    host_->stop();
    world_.run_until_idle();
  }

  // Advances `d` in 10 ms steps, taking every stream's messages after each.
  void run(engine::Duration d) {
    for (engine::Duration t{0}; t < d; t += kStep) {
      world_.advance(kStep);
      take();
    }
  }
  adapters::host::RoutingHost& host() { return *host_; }
  Desk& desk(int i) { return desks_[static_cast<size_t>(i)]; }
  engine::TimePoint now() const { return world_.now(); }

 private:
  void take() {
    for (Desk& d : desks_) {
      for (const v1::WorkEvent& e : d.stream->take()) {
        d.messages.push_back(world_.now());
        if (e.has_heartbeat()) d.heartbeats.push_back(world_.now());
      }
    }
  }
  SimWorld world_;
  std::unique_ptr<adapters::host::RoutingHost> host_;
  std::vector<Desk> desks_;
};

TEST_CASE("an idle work stream gets a heartbeat at least every heartbeat_s and no more often",
          "[simulation][heartbeat]") {
  World w(16);
  const engine::TimePoint start = w.now();
  w.run(31s);
  std::multiset<engine::TimePoint> firsts;
  for (int i = 0; i < 16; ++i) {
    const Desk& d = w.desk(i);
    INFO(agent(i));
    REQUIRE(d.heartbeats.size() >= 6);
    CHECK(d.heartbeats.size() <= 7);
    // Never more than the interval without a message, from the stream's first message on (the
    // times are taken every 10 ms).
    engine::TimePoint last = start;
    for (engine::TimePoint t : d.messages) {
      CHECK(t - last <= kInterval + kStep);
      last = t;
    }
    CHECK(w.now() - last <= kInterval + kStep);
    // An idle stream's heartbeats come the interval apart, give or take one tick.
    for (size_t b = 1; b < d.heartbeats.size(); ++b) {
      CHECK(d.heartbeats[b] - d.heartbeats[b - 1] >= kInterval - kTick - kStep);
    }
    firsts.insert(d.heartbeats.front());
  }
  // Streams opened at the same instant get their first heartbeats spread over the interval.
  size_t most_at_once = 0;
  for (engine::TimePoint t : firsts) most_at_once = std::max(most_at_once, firsts.count(t));
  CHECK(most_at_once <= 2);
}

TEST_CASE("a work stream that carried other messages within heartbeat_s gets no heartbeat",
          "[simulation][heartbeat]") {
  World w(2);
  // a100 changes state every second (each change is a status message on its stream); a101 idles.
  for (int s = 0; s < 20; ++s) {
    v1::SetStateRequest change;
    change.set_agent(agent(0));
    change.set_state(s % 2 == 0 ? v1::READY : v1::NOT_READY);
    change.set_reason("break");
    v1::AgentStatus out;
    REQUIRE(w.host().set_state(change, &out).ok());
    w.run(1s);
  }
  CHECK(w.desk(0).heartbeats.empty());
  CHECK(w.desk(0).messages.size() >= 20);
  CHECK(w.desk(1).heartbeats.size() >= 4);
  // Once it falls quiet it gets one again, within the interval of its last message.
  const engine::TimePoint quiet = w.desk(0).messages.back();
  w.run(6s);
  REQUIRE(w.desk(0).heartbeats.size() == 1);
  CHECK(w.desk(0).heartbeats.front() - quiet <= kInterval + kStep);
  CHECK(w.desk(0).heartbeats.front() - quiet >= kInterval - kTick - kStep);
}

}  // namespace
}  // namespace router::sim
