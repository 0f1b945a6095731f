// Interval reports (docs/operations.md, "Interval reports") on the real host in simulated time,
// against a scenario whose every figure is computed by hand below: one queue, two agents, two
// one-minute intervals — answers in and out of the service-level target, a short and a long
// abandon, a missed offer, wrap-up with and without a code, a break, a logout and a login.
#include <catch2/catch.hpp>
#include <string>

#include "adapters/config/routing_config.h"
#include "adapters/host/routing_host.h"
#include "adapters/ports/interval_store.h"
#include "tests/simulation/sim_customers.h"
#include "tests/simulation/sim_world.h"

using namespace std::chrono_literals;

namespace router::sim {
namespace {

adapters::config::RoutingModel center() {
  auto m = adapters::config::parse_routing_config(R"(
skills: [sales]
codes: {wrap_up: {codes: [sold, lost]}}
queues:
  - name: sales
    channels: [PHONE]
    skills: [{skill: sales, min_level: 1}]
    service_level_threshold_s: 20
    short_abandon_s: 5
    offer_timeout_s: 8
    wrap_up_s: 10
entry_points:
  - {channel: PHONE, address: "+18005550100", queue: sales}
daemon:
  default_region: US
  agent_grace_s: 600
  report_interval_s: 60
agents:
  - {name: a1, skills: [{skill: sales, level: 5}]}
  - {name: a2, skills: [{skill: sales, level: 5}]}
)",
                                                  "interval report test center");
  if (!m.ok()) throw std::runtime_error("interval report test center: " + m.error().message);
  return std::move(m).value();
}

// The memory store, refusing every add while `down` (Redis away, as the host sees it).
class FlakyStore final : public adapters::ports::IntervalStore {
 public:
  bool down = false;
  int refused = 0;
  void add(std::vector<adapters::ports::IntervalCounters> deltas,
           std::function<void(absl::Status)> done) override {
    if (down) {
      ++refused;
      return done(absl::UnavailableError("redis: connection refused"));
    }
    memory_.add(std::move(deltas), std::move(done));
  }
  void read(const adapters::ports::IntervalQuery& query,
            std::function<void(absl::StatusOr<std::vector<adapters::ports::IntervalCounters>>)>
                done) const override {
    if (down) return done(absl::UnavailableError("redis: connection refused"));
    memory_.read(query, std::move(done));
  }

 private:
  adapters::ports::MemoryIntervalStore memory_;
};

class World {
 public:
  World() : world_(1) {
    Incarnation& inc = world_.start_incarnation();
    adapters::host::HostPorts ports;
    ports.executor = &inc;
    ports.clock = &inc;
    ports.customers = std::make_unique<SimCustomers>(world_, inc, CustomerDirectory::standard());
    ports.reports = &store_;
    auto host = adapters::host::RoutingHost::create(center(), std::move(ports));
    REQUIRE(host.ok());
    host_ = std::move(host).value();
    host_->start();
    // The scenario starts on an interval's boundary.
    const int64_t ms = wall_ms();
    world_.advance(std::chrono::milliseconds((60'000 - ms % 60'000) % 60'000));
    start_ms_ = wall_ms();
  }
  ~World() {
    host_->stop();
    world_.run_until_idle();
  }
  int64_t wall_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               world_.wall(world_.now()).time_since_epoch())
        .count();
  }
  // Advances to `t` after the scenario's start.
  void at(engine::Duration t) {
    const engine::Duration now = std::chrono::milliseconds(wall_ms() - start_ms_);
    REQUIRE(t >= now);
    world_.advance(t - now);
  }
  void ok(const absl::Status& s) {
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  void login(const std::string& agent) {
    v1::LoginRequest r;
    r.set_agent(agent);
    v1::AgentStatus out;
    ok(host_->login(r, &out));
  }
  void state(const std::string& agent, v1::AgentState s, const std::string& reason = "") {
    v1::SetStateRequest r;
    r.set_agent(agent);
    r.set_state(s);
    r.set_reason(reason);
    v1::AgentStatus out;
    ok(host_->set_state(r, &out));
  }
  void submit(const std::string& id) {
    v1::SubmitInteractionRequest r;
    r.set_interaction_id(id);
    r.set_channel(v1::PHONE);
    r.mutable_phone()->set_ani("+14155550100");
    r.mutable_phone()->set_dnis("+18005550100");
    v1::SubmitInteractionResponse out;
    absl::Status status = absl::UnknownError("no answer");
    host_->submit("gw", r, &out, [&](absl::Status s) { status = std::move(s); });
    world_.run_until_idle();
    ok(status);
  }
  void cancel(const std::string& id) {
    v1::CancelInteractionRequest r;
    r.set_interaction_id(id);
    v1::Interaction out;
    ok(host_->cancel(adapters::host::GatewayScope{"gw", {}, false}, r, &out));
  }
  void accept(const std::string& agent, const std::string& id) {
    INFO("accept " << agent << " " << id << " at " << (wall_ms() - start_ms_) << " ms");
    v1::OfferRequest r;
    r.set_agent(agent);
    r.set_interaction_id(id);
    v1::AgentStatus out;
    ok(host_->accept(r, &out));
  }
  void complete(const std::string& agent, const std::string& id, const std::string& code = "") {
    v1::CompleteRequest r;
    r.set_agent(agent);
    r.set_interaction_id(id);
    r.set_wrap_up_code(code);
    v1::AgentStatus out;
    ok(host_->complete(r, &out));
  }
  void logout(const std::string& agent) {
    v1::AgentStatus out;
    ok(host_->logout(agent, false, &out));
  }
  absl::Status report_status(engine::Duration from, engine::Duration to, const std::string& queue,
                             const std::string& agent, v1::GetReportResponse* out) {
    v1::GetReportRequest r;
    const auto stamp = [this](engine::Duration d, google::protobuf::Timestamp* t) {
      const int64_t ms =
          start_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
      t->set_seconds(ms / 1000);
      t->set_nanos(static_cast<int32_t>(ms % 1000) * 1'000'000);
    };
    stamp(from, r.mutable_from());
    stamp(to, r.mutable_to());
    r.set_queue(queue);
    r.set_agent(agent);
    absl::Status status = absl::UnknownError("no answer");
    host_->report(r, out, [&](absl::Status s) { status = std::move(s); });
    world_.run_until_idle();
    return status;
  }
  absl::Status report_status(engine::Duration from, engine::Duration to) {
    v1::GetReportResponse ignored;
    return report_status(from, to, "", "", &ignored);
  }
  v1::GetReportResponse report(engine::Duration from, engine::Duration to,
                               const std::string& queue = "", const std::string& agent = "") {
    v1::GetReportResponse out;
    ok(report_status(from, to, queue, agent, &out));
    return out;
  }
  const v1::ReportRow* row(const v1::GetReportResponse& r, int interval, const std::string& scope,
                           const std::string& name) const {
    const int64_t start_s = start_ms_ / 1000 + interval * 60;
    for (const auto& row : r.rows()) {
      if (row.start().seconds() == start_s && row.scope() == scope && row.name() == name) {
        return &row;
      }
    }
    return nullptr;
  }
  FlakyStore& store() { return store_; }

 private:
  SimWorld world_;
  FlakyStore store_;
  std::unique_ptr<adapters::host::RoutingHost> host_;
  int64_t start_ms_ = 0;
};

TEST_CASE("interval reports count a hand-computed scenario exactly, per queue and per agent",
          "[simulation][reports]") {
  World w;
  // Interval 0 (0 s to 60 s).
  w.login("a1");
  w.state("a1", v1::READY);
  w.login("a2");
  w.state("a2", v1::NOT_READY, "break");
  w.submit("c1");  // offered to a1 at once (a2 is on a break)
  w.at(4s);
  w.accept("a1", "c1");  // answered after 4 s: in target
  w.at(10s);
  w.submit("c2");  // a1 is busy, a2 on a break: waits
  w.at(13s);
  w.cancel("c2");  // after 3 s: a short abandon
  w.at(20s);
  w.submit("c3");
  w.at(30s);
  w.complete("a1", "c1", "sold");  // wrap-up until 40 s: handled 36 s
  w.at(40s);                       // a1 READY: c3 (waiting 20 s) is offered to a1
  w.at(41s);
  w.accept("a1", "c3");  // answered after 21 s: out of target
  w.at(45s);
  w.state("a2", v1::READY);
  w.at(50s);
  w.complete("a1", "c3", "lost");  // wrap-up until 60 s: handled in interval 1 (19 s)
  w.at(60s);
  // Interval 1 (60 s to 120 s).
  w.logout("a2");
  w.at(70s);
  w.submit("c4");  // offered to a1; a1 does not answer in 8 s: missed, NOT_READY "missed"
  w.at(78s);
  w.at(90s);
  w.state("a1", v1::READY);  // c4 is never offered to a1 again (it missed it)
  w.at(95s);
  w.login("a2");
  w.state("a2", v1::READY);  // c4 (waiting 25 s) is offered to a2
  w.at(97s);
  w.accept("a2", "c4");  // answered after 27 s: out of target
  w.at(100s);
  w.submit("c5");  // offered to a1 at once
  w.at(101s);
  w.accept("a1", "c5");  // answered after 1 s: in target
  w.at(103s);
  w.submit("c6");  // both busy: waits
  w.at(105s);
  w.complete("a2", "c4");  // no code; wrap-up until 115 s: handled 18 s
  w.at(110s);
  w.cancel("c6");                  // after 7 s: abandoned, counted against the service level
  w.complete("a1", "c5", "sold");  // wrap-up until 120 s: handled in interval 2 (19 s)
  w.at(125s);

  const auto all = w.report(0s, 120s);
  INFO(all.DebugString());
  CHECK(all.length_s() == 60);

  // sales, interval 0: c1, c2, c3 offered; c1 answered in 4 s (in target), c3 in 21 s; c2 a
  // short abandon; c1 handled (4 s → 40 s: 36 s, code sold).
  const v1::ReportRow* q0 = w.row(all, 0, "queue", "sales");
  REQUIRE(q0 != nullptr);
  CHECK(q0->offered() == 3);
  CHECK(q0->answered() == 2);
  CHECK(q0->answered_in_target() == 1);
  CHECK(q0->answer_wait_ms() == 25'000);
  CHECK(q0->asa_s() == Approx(12.5));
  CHECK(q0->short_abandoned() == 1);
  CHECK(q0->abandoned() == 0);
  CHECK(q0->service_level() == Approx(0.5));  // 1 in target of 2 answered + 0 abandoned
  CHECK(q0->handled() == 1);
  CHECK(q0->aht_s() == Approx(36));
  CHECK(q0->codes().at("sold") == 1);
  CHECK(q0->codes().count("lost") == 0);

  // sales, interval 1: c4, c5, c6 offered; c4 answered in 27 s, c5 in 1 s (in target); c6
  // abandoned after 7 s; c3 handled (41 s → 60 s: 19 s, code lost) — its wrap-up ended at 60 s,
  // the new interval's first instant — and c4 (97 s → 115 s: 18 s).
  const v1::ReportRow* q1 = w.row(all, 1, "queue", "sales");
  REQUIRE(q1 != nullptr);
  CHECK(q1->offered() == 3);
  CHECK(q1->answered() == 2);
  CHECK(q1->answered_in_target() == 1);
  CHECK(q1->asa_s() == Approx(14));
  CHECK(q1->abandoned() == 1);
  CHECK(q1->short_abandoned() == 0);
  CHECK(q1->service_level() == Approx(1.0 / 3));
  CHECK(q1->abandon_rate() == Approx(1.0 / 3));
  CHECK(q1->handled() == 2);
  CHECK(q1->aht_s() == Approx(18.5));
  CHECK(q1->codes().at("lost") == 1);
  CHECK(q1->codes().size() == 1);

  // a1, interval 0: reserved 0-4, busy 4-30, wrap-up 30-40, reserved 40-41, busy 41-50,
  // wrap-up 50-60 (READY for no time at 0 s and at 40 s).
  const v1::ReportRow* a10 = w.row(all, 0, "agent", "a1");
  REQUIRE(a10 != nullptr);
  CHECK(a10->offered() == 2);
  CHECK(a10->answered() == 2);
  CHECK(a10->handled() == 1);
  CHECK(a10->ready_s() == Approx(0));
  CHECK(a10->reserved_s() == Approx(5));
  CHECK(a10->busy_s() == Approx(35));
  CHECK(a10->wrap_up_s() == Approx(20));
  CHECK(a10->occupancy() == Approx(55.0 / 60.0));
  CHECK(a10->codes().at("sold") == 1);

  // a2, interval 0: on a break 0-45, ready 45-60.
  const v1::ReportRow* a20 = w.row(all, 0, "agent", "a2");
  REQUIRE(a20 != nullptr);
  CHECK(a20->not_ready_s() == Approx(45));
  CHECK(a20->not_ready_by_reason_s().at("break") == Approx(45));
  CHECK(a20->ready_s() == Approx(15));
  CHECK(a20->occupancy() == Approx(0));

  // a1, interval 1: ready 60-70, reserved 70-78, NOT_READY "missed" 78-90, ready 90-100,
  // reserved 100-101, busy 101-110, wrap-up 110-120; c3 handled (19 s) at 60 s.
  const v1::ReportRow* a11 = w.row(all, 1, "agent", "a1");
  REQUIRE(a11 != nullptr);
  CHECK(a11->offered() == 2);
  CHECK(a11->missed() == 1);
  CHECK(a11->answered() == 1);
  CHECK(a11->handled() == 1);
  CHECK(a11->aht_s() == Approx(19));
  CHECK(a11->ready_s() == Approx(20));
  CHECK(a11->reserved_s() == Approx(9));
  CHECK(a11->not_ready_s() == Approx(12));
  CHECK(a11->not_ready_by_reason_s().at("missed") == Approx(12));
  CHECK(a11->busy_s() == Approx(9));
  CHECK(a11->wrap_up_s() == Approx(10));
  CHECK(a11->occupancy() == Approx(19.0 / 48.0));
  CHECK(a11->codes().at("lost") == 1);

  // a2, interval 1: logged out 60-95, reserved 95-97, busy 97-105, wrap-up 105-115, ready
  // 115-120.
  const v1::ReportRow* a21 = w.row(all, 1, "agent", "a2");
  REQUIRE(a21 != nullptr);
  CHECK(a21->offered() == 1);
  CHECK(a21->answered() == 1);
  CHECK(a21->handled() == 1);
  CHECK(a21->aht_s() == Approx(18));
  CHECK(a21->reserved_s() == Approx(2));
  CHECK(a21->busy_s() == Approx(8));
  CHECK(a21->wrap_up_s() == Approx(10));
  CHECK(a21->ready_s() == Approx(5));
  CHECK(a21->not_ready_s() == Approx(0));
  CHECK(a21->occupancy() == Approx(18.0 / 25.0));
  CHECK(all.rows_size() == 6);

  // One queue's or one agent's rows only.
  const auto sales = w.report(0s, 120s, "sales");
  CHECK(sales.rows_size() == 2);
  for (const auto& r : sales.rows()) CHECK(r.scope() == "queue");
  const auto a2 = w.report(0s, 120s, "", "a2");
  REQUIRE(a2.rows_size() == 2);
  for (const auto& r : a2.rows()) CHECK(r.name() == "a2");

  // Interval 2 so far: c5's completion (19 s, code sold) and a1's time up to the read.
  const auto now = w.report(120s, 180s, "", "a1");
  REQUIRE(now.rows_size() == 1);
  CHECK(now.rows(0).handled() == 1);
  CHECK(now.rows(0).aht_s() == Approx(19));
  CHECK(now.rows(0).codes().at("sold") == 1);
  CHECK(now.rows(0).ready_s() == Approx(5));
}

TEST_CASE("counts the store refused are added once it takes them again, exactly once",
          "[simulation][reports]") {
  World w;
  w.store().down = true;
  w.login("a1");
  w.state("a1", v1::READY);
  w.submit("c1");
  w.at(2s);
  w.accept("a1", "c1");
  w.at(30s);  // five stores refused meanwhile
  CHECK(w.store().refused >= 5);
  w.store().down = false;
  w.at(36s);  // the next store takes them
  const auto r = w.report(0s, 60s, "sales");
  INFO(r.DebugString());
  REQUIRE(r.rows_size() == 1);
  CHECK(r.rows(0).offered() == 1);
  CHECK(r.rows(0).answered() == 1);
  CHECK(r.rows(0).answer_wait_ms() == 2'000);
  const auto a = w.report(0s, 60s, "", "a1");
  REQUIRE(a.rows_size() == 1);
  CHECK(a.rows(0).reserved_s() == Approx(2));
  CHECK(a.rows(0).busy_s() == Approx(34));  // up to the read at 36 s

  // A read while the store is away is refused, saying why.
  w.store().down = true;
  const absl::Status away = w.report_status(0s, 60s);
  CHECK(absl::IsUnavailable(away));
  CHECK(std::string(away.message()).find("connection refused") != std::string::npos);
}

}  // namespace
}  // namespace router::sim
