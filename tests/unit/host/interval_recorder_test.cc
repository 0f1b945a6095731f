// The interval reports' recorder (adapters/host/interval_recorder.h) and the store port's field
// names and memory store (adapters/ports/interval_store.h).
#include "adapters/host/interval_recorder.h"

#include <catch2/catch.hpp>

#include "adapters/ports/interval_store.h"

namespace router::adapters::host {
namespace {

using ports::interval_field;

int64_t field(const std::vector<ports::IntervalCounters>& taken, int64_t start, char scope,
              const std::string& metric, const std::string& name) {
  for (const auto& c : taken) {
    if (c.start_ms != start) continue;
    auto f = c.fields.find(interval_field(scope, metric, name));
    return f == c.fields.end() ? 0 : f->second;
  }
  return 0;
}

TEST_CASE("an interval field names its scope, metric and name, and splits back") {
  const std::string f = interval_field('q',
                                       "code=a\x1f"
                                       "b",
                                       "sales|east");
  char scope = 0;
  std::string metric, name;
  REQUIRE(ports::split_interval_field(f, scope, metric, name));
  CHECK(scope == 'q');
  CHECK(metric == "code=a?b");  // the separator cannot hide in a code
  CHECK(name == "sales|east");
  CHECK_FALSE(ports::split_interval_field("q", scope, metric, name));
  CHECK_FALSE(ports::split_interval_field("qanswered", scope, metric, name));
}

TEST_CASE("counts land in the interval their time falls in, and a boundary starts the next one") {
  IntervalRecorder r(60'000);
  CHECK(r.interval_of(119'999) == 60'000);
  CHECK(r.interval_of(120'000) == 120'000);
  CHECK(r.interval_of(-1) == -60'000);
  r.count(60'000, 'q', "offered", "sales");
  r.count(119'999, 'q', "offered", "sales", 2);
  r.count(120'000, 'q', "offered", "sales");
  r.count(120'000, 'q', "ignored", "sales", 0);
  const auto taken = r.take(130'000);
  REQUIRE(taken.size() == 2);
  CHECK(field(taken, 60'000, 'q', "offered", "sales") == 3);
  CHECK(field(taken, 120'000, 'q', "offered", "sales") == 1);
  CHECK(taken[1].fields.size() == 1);
  CHECK(r.take(130'000).empty());  // taken once
}

TEST_CASE("an agent's time in a state is split at interval boundaries and counted up to a take") {
  IntervalRecorder r(60'000);
  r.agent_state(50'000, "a1", "not_ready", "break");
  r.agent_state(70'000, "a1", "ready");
  auto taken = r.take(100'000);
  CHECK(field(taken, 0, 'a', "not_ready_ms", "a1") == 10'000);
  CHECK(field(taken, 0, 'a', "not_ready_ms=break", "a1") == 10'000);
  CHECK(field(taken, 60'000, 'a', "not_ready_ms", "a1") == 10'000);
  CHECK(field(taken, 60'000, 'a', "ready_ms", "a1") == 30'000);
  // The next take goes on from where the last stopped, across two more boundaries.
  r.agent_state(250'000, "a1", "");  // logged out: no longer counted
  taken = r.take(400'000);
  CHECK(field(taken, 60'000, 'a', "ready_ms", "a1") == 20'000);
  CHECK(field(taken, 120'000, 'a', "ready_ms", "a1") == 60'000);
  CHECK(field(taken, 180'000, 'a', "ready_ms", "a1") == 60'000);
  CHECK(field(taken, 240'000, 'a', "ready_ms", "a1") == 10'000);
  CHECK_FALSE(r.tracks("a1"));
  CHECK(r.take(500'000).empty());
}

TEST_CASE("what a store refused is taken again later, and past the bound the oldest goes") {
  IntervalRecorder r(1'000, 3);
  r.count(500, 'q', "answered", "sales");
  auto refused = r.take(600);
  r.count(700, 'q', "answered", "sales");
  r.give_back(std::move(refused));
  auto again = r.take(800);
  CHECK(field(again, 0, 'q', "answered", "sales") == 2);
  for (int64_t t = 0; t < 5; ++t) r.count(t * 1'000, 'q', "offered", "sales");
  CHECK(r.dropped_intervals() == 2);
  const auto kept = r.take(5'000);
  REQUIRE(kept.size() == 3);
  CHECK(kept.front().start_ms == 2'000);
}

TEST_CASE("the memory store adds up, reads a range and one queue's or agent's fields") {
  ports::MemoryIntervalStore store(2);
  const auto add = [&](int64_t start, std::map<std::string, int64_t> fields) {
    bool done = false;
    store.add({ports::IntervalCounters{start, 1'000, std::move(fields)}},
              [&](absl::Status s) { done = s.ok(); });
    REQUIRE(done);
  };
  add(0, {{interval_field('q', "offered", "sales"), 1}});
  add(0, {{interval_field('q', "offered", "sales"), 2}, {interval_field('a', "offered", "a1"), 1}});
  add(1'000, {{interval_field('q', "offered", "sales"), 5}});
  std::vector<ports::IntervalCounters> got;
  store.read(ports::IntervalQuery{0, 2'000, 0, ""}, [&](auto r) { got = *r; });
  REQUIRE(got.size() == 2);
  CHECK(got[0].fields.at(interval_field('q', "offered", "sales")) == 3);
  store.read(ports::IntervalQuery{0, 1'000, 'a', "a1"}, [&](auto r) { got = *r; });
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields.size() == 1);
  // Past its capacity the oldest interval goes.
  add(2'000, {{interval_field('q', "offered", "sales"), 1}});
  store.read(ports::IntervalQuery{0, 3'000, 0, ""}, [&](auto r) { got = *r; });
  REQUIRE(got.size() == 2);
  CHECK(got[0].start_ms == 1'000);
}

}  // namespace
}  // namespace router::adapters::host
