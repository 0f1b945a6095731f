// The workload file: what it accepts, and errors that name the file and the field path.
#include <catch2/catch.hpp>
#include <string>

#include "tools/routersim/simulation.h"

namespace router::sim {
namespace {

const char* const kValid = R"(
duration_s: 3600
warmup_s: 600
accept_delay_s: 0
replications: 3
seed: 7
agents: [ana, ben]
call_types:
  - name: sales
    queue: sales
    per_hour: 120
    handle: {mean_s: 180}
  - name: vip
    queue: sales
    channel: web_chat
    intervals:
      - {from_s: 0, to_s: 1800, per_hour: 10}
      - {from_s: 1800, to_s: 3600, per_hour: 20}
    handle: {distribution: lognormal, mean_s: 240, sd_s: 100}
    patience_mean_s: 90
    segment: strategic
    lifetime_value: 50000
    language: zh
    priority: 20
)";

// The error message for `text`, which must not parse.
std::string error_of(const std::string& text) {
  const auto w = parse_workload(text, "work.yaml");
  REQUIRE_FALSE(w.ok());
  return w.error().message;
}

std::string with_call_type(const std::string& body) {
  return "call_types:\n  - {name: a, queue: q, per_hour: 1, handle: {mean_s: 1}}\n  - " + body +
         "\n";
}

}  // namespace

TEST_CASE("a workload file is read with every field and its defaults", "[routersim]") {
  const auto w = parse_workload(kValid, "work.yaml");
  REQUIRE(w.ok());
  CHECK(w->duration_s == 3600);
  CHECK(w->warmup_s == 600);
  CHECK(w->accept_delay_s == 0);
  CHECK(w->replications == 3);
  CHECK(w->seed == 7);
  REQUIRE(w->agents);
  CHECK(w->agents->size() == 2);
  REQUIRE(w->call_types.size() == 2);
  const CallType& sales = w->call_types[0];
  CHECK(sales.channel == engine::Channel::kPhone);
  CHECK(sales.per_hour == 120);
  CHECK(sales.handle.distribution == Distribution::kExponential);
  CHECK_FALSE(sales.patience_mean_s);
  CHECK(sales.segment == engine::Segment::kOrdinary);
  const CallType& vip = w->call_types[1];
  CHECK(vip.channel == engine::Channel::kWebChat);
  REQUIRE(vip.intervals.size() == 2);
  CHECK(vip.intervals[1].per_hour == 20);
  CHECK(vip.handle.distribution == Distribution::kLognormal);
  CHECK(vip.handle.sd_s == 100);
  CHECK(vip.patience_mean_s == 90);
  CHECK(vip.segment == engine::Segment::kStrategic);
  CHECK(vip.language == "zh");
  CHECK(vip.priority == 20);
}

TEST_CASE("a workload's start is the wall-clock time opening hours read", "[routersim][hours]") {
  using namespace std::chrono;
  const auto dflt = parse_workload(with_call_type("{name: b, queue: q, per_hour: 1, handle: "
                                                  "{mean_s: 1}}"),
                                   "work.yaml");
  REQUIRE(dflt.ok());
  CHECK(dflt->start == sys_days(year{2026} / 12 / 7) + hours(8));  // a Monday, 08:00 UTC
  const auto berlin = parse_workload(
      "start: 2026-12-08T09:30:00+01:00\n" + with_call_type("{name: b, queue: q, per_hour: 1, "
                                                            "handle: {mean_s: 1}}"),
      "work.yaml");
  REQUIRE(berlin.ok());
  CHECK(berlin->start == sys_days(year{2026} / 12 / 8) + hours(8) + minutes(30));
  CHECK_THAT(error_of("start: next monday\n" + with_call_type("{name: b, queue: q, per_hour: 1, "
                                                              "handle: {mean_s: 1}}")),
             Catch::Matchers::StartsWith("work.yaml: start: must be an RFC 3339 time"));
}

TEST_CASE("a call type's last-agent share is read and checked", "[routersim][hold]") {
  const auto w = parse_workload(with_call_type("{name: b, queue: q, per_hour: 1, handle: "
                                               "{mean_s: 1}, last_agent_share: 0.25}"),
                                "work.yaml");
  REQUIRE(w.ok());
  CHECK(w->call_types[0].last_agent_share == 0);  // the default
  CHECK(w->call_types[1].last_agent_share == 0.25);
  CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, handle: {mean_s: 1}, "
                                "last_agent_share: 1.5}")) ==
        "work.yaml: call_types[1].last_agent_share: must be 0..1");
}

TEST_CASE("a workload file may be JSON", "[routersim]") {
  const auto w = parse_workload(
      R"({"duration_s": 100, "call_types": [{"name": "a", "queue": "q", "per_hour": 5,
          "handle": {"distribution": "deterministic", "mean_s": 60}}]})",
      "work.json");
  REQUIRE(w.ok());
  CHECK(w->duration_s == 100);
  CHECK(w->call_types[0].handle.distribution == Distribution::kDeterministic);
}

TEST_CASE("a work item call type takes a due window and a share scheduled for later",
          "[routersim][work_item]") {
  const auto w = parse_workload(R"(
call_types:
  - name: items
    queue: crm
    channel: work_item
    per_hour: 20
    handle: {distribution: lognormal, mean_s: 600, sd_s: 300}
    due_s: 28800
    scheduled: {share: 0.2, after_s: 3600}
  - {name: plain, queue: crm, channel: work_item, per_hour: 1, handle: {mean_s: 60}}
)",
                                "work.yaml");
  REQUIRE(w.ok());
  const CallType& items = w->call_types[0];
  CHECK(items.channel == engine::Channel::kWorkItem);
  CHECK(items.due_s == 28800);
  REQUIRE(items.scheduled);
  CHECK(items.scheduled->share == 0.2);
  CHECK(items.scheduled->after_s == 3600);
  CHECK_FALSE(items.patience_mean_s);  // work items never abandon unless told
  const CallType& plain = w->call_types[1];
  CHECK_FALSE(plain.due_s);  // its queue's threshold
  CHECK_FALSE(plain.scheduled);
}

TEST_CASE("work item fields are checked and their errors name the field",
          "[routersim][work_item]") {
  const auto item = [](const std::string& extra) {
    return with_call_type(
        "{name: b, queue: q, channel: work_item, per_hour: 1, "
        "handle: {mean_s: 1}, " +
        extra + "}");
  };
  CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, handle: {mean_s: 1}, "
                                "due_s: 60}")) ==
        "work.yaml: call_types[1].due_s: only for channel work_item");
  CHECK(error_of(with_call_type("{name: b, queue: q, channel: email, per_hour: 1, "
                                "handle: {mean_s: 1}, scheduled: {share: 1, after_s: 60}}")) ==
        "work.yaml: call_types[1].scheduled: only for channel work_item");
  CHECK(error_of(item("due_s: 0")) ==
        "work.yaml: call_types[1].due_s: must be > 0 and at most a year");
  CHECK(error_of(item("scheduled: {share: 1.5, after_s: 60}")) ==
        "work.yaml: call_types[1].scheduled.share: must be > 0 and at most 1");
  CHECK(error_of(item("scheduled: {share: 0.5}")) ==
        "work.yaml: call_types[1].scheduled.after_s: required");
  CHECK_THAT(error_of(item("scheduled: {share: 0.5, after_s: 60, before_s: 1}")),
             Catch::StartsWith("work.yaml: call_types[1].scheduled.before_s: unknown field"));
  CHECK(error_of(item("due_s: 31536000, scheduled: {share: 0.5, after_s: 864000}")) ==
        "work.yaml: call_types[1].scheduled.after_s: after_s + due_s must be at most a year");
}

TEST_CASE("workload errors name the file and the field path", "[routersim]") {
  SECTION("a value out of range") {
    CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, handle: {mean_s: 0}}")) ==
          "work.yaml: call_types[1].handle.mean_s: must be > 0");
  }
  SECTION("an unknown field at the top and inside a call type") {
    CHECK_THAT(error_of("durations: 5\ncall_types: []\n"),
               Catch::StartsWith("work.yaml: durations: unknown field"));
    CHECK_THAT(error_of(with_call_type("{name: b, queue: q, per_hour: 1, handel: {mean_s: 1}}")),
               Catch::StartsWith("work.yaml: call_types[1].handel: unknown field"));
  }
  SECTION("a required field missing") {
    CHECK(error_of("duration_s: 10\n") == "work.yaml: call_types: required");
    CHECK(error_of(with_call_type("{name: b, per_hour: 1, handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1].queue: required");
  }
  SECTION("a value of the wrong type") {
    CHECK(error_of("duration_s: long\ncall_types: []\n") ==
          "work.yaml: duration_s: must be a number");
    CHECK(error_of("replications: 2.5\ncall_types: []\n") ==
          "work.yaml: replications: must be an integer");
  }
  SECTION("an unknown enumeration value") {
    CHECK_THAT(error_of(with_call_type("{name: b, queue: q, channel: fax, per_hour: 1, "
                                       "handle: {mean_s: 1}}")),
               Catch::StartsWith("work.yaml: call_types[1].channel: 'fax' is not one of phone"));
    CHECK_THAT(error_of(with_call_type("{name: b, queue: q, per_hour: 1, "
                                       "handle: {distribution: gamma, mean_s: 1}}")),
               Catch::StartsWith("work.yaml: call_types[1].handle.distribution: 'gamma'"));
  }
  SECTION("a rate given twice, or not at all") {
    CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, intervals: "
                                  "[{from_s: 0, to_s: 1, per_hour: 1}], handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1]: needs exactly one of per_hour or intervals");
    CHECK(error_of(with_call_type("{name: b, queue: q, handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1]: needs exactly one of per_hour or intervals");
  }
  SECTION("overlapping or empty intervals") {
    CHECK(error_of(with_call_type("{name: b, queue: q, intervals: [{from_s: 0, to_s: 100, "
                                  "per_hour: 1}, {from_s: 50, to_s: 200, per_hour: 2}], "
                                  "handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1].intervals[1].from_s: intervals must be in order and must "
          "not overlap");
    CHECK(error_of(with_call_type("{name: b, queue: q, intervals: [{from_s: 5, to_s: 5, "
                                  "per_hour: 1}], handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1].intervals[0].to_s: must be > from_s");
  }
  SECTION("a lognormal without its spread, a spread without a lognormal") {
    CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, "
                                  "handle: {distribution: lognormal, mean_s: 1}}")) ==
          "work.yaml: call_types[1].handle.sd_s: required");
    CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, "
                                  "handle: {mean_s: 1, sd_s: 2}}")) ==
          "work.yaml: call_types[1].handle.sd_s: only used by the lognormal distribution");
  }
  SECTION("duplicates") {
    CHECK(error_of(with_call_type("{name: a, queue: q, per_hour: 1, handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1].name: duplicate call type name");
    CHECK(error_of("agents: [ana, ana]\ncall_types: []\n") == "work.yaml: agents[1]: listed twice");
  }
  SECTION("out-of-range numbers") {
    CHECK(error_of(with_call_type("{name: b, queue: q, per_hour: 1, priority: 101, "
                                  "handle: {mean_s: 1}}")) ==
          "work.yaml: call_types[1].priority: must be 0..100");
    CHECK(error_of("replications: 0\ncall_types: []\n") ==
          "work.yaml: replications: must be 1..10000");
    CHECK(error_of("seed: -1\ncall_types: []\n") ==
          "work.yaml: seed: must be a non-negative integer");
  }
  SECTION("not YAML at all, or not a mapping") {
    CHECK_THAT(error_of("call_types: [\n"), Catch::StartsWith("work.yaml:2:"));
    CHECK(error_of("- 1\n- 2\n") == "work.yaml: (top level): must be a mapping");
  }
}

TEST_CASE("a missing workload file is named in the error", "[routersim]") {
  const auto w = load_workload("/nonexistent/work.yaml");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message == "/nonexistent/work.yaml: cannot open the workload file");
}

}  // namespace router::sim
