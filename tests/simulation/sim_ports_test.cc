// The simulated ports keep the contracts the host relies on (sim_world.h, sim_journal.h,
// sim_subscriber.h): if these broke, the host simulation would test a world that cannot exist.
#include <catch2/catch.hpp>
#include <vector>

#include "tests/simulation/sim_journal.h"
#include "tests/simulation/sim_subscriber.h"
#include "tests/simulation/sim_world.h"

using namespace std::chrono_literals;
using router::sim::Incarnation;
using router::sim::SimJournal;
using router::sim::SimWorld;

namespace {

router::v1::JournalEntry entry(const std::string& id, router::v1::InteractionState state) {
  router::v1::JournalEntry e;
  e.mutable_interaction()->set_interaction_id(id);
  e.mutable_interaction()->set_state(state);
  return e;
}

}  // namespace

TEST_CASE("timers fire in due order and posted closures in FIFO order", "[simulation][ports]") {
  SimWorld world(1);
  Incarnation& host = world.start_incarnation();
  std::vector<int> order;
  auto late = host.start_timer(20ms, [&] { order.push_back(3); });
  auto early = host.start_timer(10ms, [&] { order.push_back(2); });
  host.post([&] { order.push_back(1); });
  world.run_until_idle();
  CHECK(order == std::vector<int>{1});
  world.advance(25ms);
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(world.now().time_since_epoch() == 25ms);
}

TEST_CASE("a timer destroyed inside its own callback does not crash or run again",
          "[simulation][ports]") {
  SimWorld world(1);
  Incarnation& host = world.start_incarnation();
  int runs = 0;
  std::unique_ptr<router::adapters::ports::Timer> timer;
  timer = host.start_timer(5ms, [&] {
    ++runs;
    timer.reset();
  });
  world.advance(50ms);
  CHECK(runs == 1);
  CHECK(timer == nullptr);
}

TEST_CASE("a crashed incarnation's posted closures and timers never run", "[simulation][ports]") {
  SimWorld world(1);
  Incarnation& old_host = world.start_incarnation();
  int runs = 0;
  old_host.post([&] { ++runs; });
  auto timer = old_host.start_timer(1ms, [&] { ++runs; });
  world.schedule(
      2ms, [&] { ++runs; }, &old_host);
  world.crash();
  world.start_incarnation();
  world.advance(10ms);
  CHECK(runs == 0);
  CHECK(world.closures_dropped() == 3);
}

TEST_CASE("the simulated journal appends once per id and reports the existing entry",
          "[simulation][ports]") {
  SimWorld world(1);
  world.start_incarnation();
  SimJournal journal(world);
  std::vector<router::adapters::ports::AppendResult> results;
  auto keep = [&](absl::StatusOr<router::adapters::ports::AppendResult> r) {
    REQUIRE(r.ok());
    results.push_back(*r);
  };
  journal.append(entry("a", router::v1::QUEUED), keep);
  journal.append(entry("a", router::v1::QUEUED), keep);
  world.run_until_idle();
  REQUIRE(results.size() == 2);
  CHECK(results[0].appended);
  CHECK_FALSE(results[1].appended);
  CHECK(results[1].existing_live);

  journal.finish(entry("a", router::v1::COMPLETED));
  journal.update(entry("a", router::v1::QUEUED));  // after the finish: must not revive it
  REQUIRE(journal.find("a") != nullptr);
  CHECK_FALSE(journal.find("a")->live);
  CHECK(journal.find("a")->entry.interaction().state() == router::v1::COMPLETED);
}

TEST_CASE("writes during a journal outage are kept and applied when it is back, lost on a crash",
          "[simulation][ports]") {
  SimWorld world(1);
  world.start_incarnation();
  SimJournal journal(world);
  journal.append(entry("a", router::v1::QUEUED), [](auto) {});
  journal.append(entry("b", router::v1::QUEUED), [](auto) {});
  world.run_until_idle();
  journal.outage(1s);
  CHECK_FALSE(journal.available());
  bool unavailable = false;
  journal.append(entry("c", router::v1::QUEUED), [&](auto r) {
    unavailable = r.status().code() == absl::StatusCode::kUnavailable;
  });
  journal.finish(entry("a", router::v1::COMPLETED));
  world.run_until_idle();
  CHECK(unavailable);
  CHECK(journal.find("a")->live);
  CHECK(journal.unsynced() == 1);
  world.advance(2s);
  CHECK(journal.available());
  CHECK_FALSE(journal.find("a")->live);

  journal.outage(1s);
  journal.finish(entry("b", router::v1::COMPLETED));
  journal.process_crashed();  // the process that kept the write is gone
  world.advance(2s);
  CHECK(journal.find("b")->live);
}

TEST_CASE("a closed stream refuses pushes and records nothing more", "[simulation][ports]") {
  router::sim::SimSubscriber<int> s(2);
  CHECK(s.push(1));
  s.flush();
  s.close();
  CHECK_FALSE(s.push(2));
  CHECK(s.take() == std::vector<int>{1});
  router::sim::SimSubscriber<int> slow(1);
  CHECK(slow.push(1));
  CHECK_FALSE(slow.push(2));  // past its limit: cut off
  CHECK_FALSE(slow.open());
}

TEST_CASE("a stream holds what was pushed until flush", "[simulation][ports]") {
  router::sim::SimSubscriber<int> s;
  CHECK(s.push(1));
  CHECK(s.push(2));
  CHECK(s.unflushed() == 2);
  CHECK(s.take().empty());
  s.flush();
  CHECK(s.push(3));
  CHECK(s.take() == std::vector<int>{1, 2});
  CHECK(s.unflushed() == 1);
  s.finish(absl::OkStatus());  // a drained end delivers what was held
  CHECK(s.take() == std::vector<int>{3});
}
