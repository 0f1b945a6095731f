// Opening hours from the configuration (adapters/config/opening_hours.h): a weekly schedule and
// holidays in an IANA time zone from the system's tz database, with daylight-saving changes, and
// errors that name the field.
#include "adapters/config/opening_hours.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <catch2/catch.hpp>

#include "adapters/config/routing_config.h"

namespace router::adapters::config {
namespace {

using Catch::Matchers::Contains;
using WallTime = engine::OpeningHours::WallTime;

v1::OpeningHours proto_of(const std::string& tz, const std::vector<std::string>& weekly,
                          const std::vector<std::string>& holidays) {
  v1::OpeningHours in;
  in.set_time_zone(tz);
  for (const auto& w : weekly) in.add_weekly(w);
  for (const auto& h : holidays) in.add_holidays(h);
  return in;
}

std::shared_ptr<const engine::OpeningHours> hours(const std::string& tz,
                                                  const std::vector<std::string>& weekly,
                                                  const std::vector<std::string>& holidays = {}) {
  auto r = parse_opening_hours(proto_of(tz, weekly, holidays), "hours");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return r.value();
}

std::string error_of(const std::string& tz, const std::vector<std::string>& weekly,
                     const std::vector<std::string>& holidays = {}) {
  auto r = parse_opening_hours(proto_of(tz, weekly, holidays), "queues[0].hours");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

// A local time in `tz` as a wall-clock instant.
WallTime local(const std::string& tz, int y, int mo, int d, int h, int mi) {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone(tz, &zone));
  return absl::ToChronoTime(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), zone));
}
WallTime utc(int y, int mo, int d, int h, int mi) { return local("UTC", y, mo, d, h, mi); }

constexpr const char* kBerlin = "Europe/Berlin";

}  // namespace

TEST_CASE("a weekly schedule is read in the queue's own time zone", "[hours]") {
  const auto h = hours(kBerlin, {"mon-fri 08:00-12:00 13:00-18:00", "sat 09:00-13:00"});
  // Monday 2026-12-07 (CET, UTC+1).
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 7, 7, 59)));
  CHECK(h->open_at(local(kBerlin, 2026, 12, 7, 8, 0)));
  CHECK(h->open_at(utc(2026, 12, 7, 7, 30)));                    // 08:30 in Berlin
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 7, 12, 30)));  // lunch
  CHECK(h->open_at(local(kBerlin, 2026, 12, 7, 17, 59)));
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 7, 18, 0)));
  CHECK(h->open_at(local(kBerlin, 2026, 12, 12, 10, 0)));        // Saturday
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 13, 10, 0)));  // Sunday

  // Next openings: the same instant when open; after lunch; Friday night to Saturday morning;
  // Saturday afternoon to Monday.
  const WallTime at_nine = local(kBerlin, 2026, 12, 7, 9, 0);
  CHECK(h->next_open(at_nine) == at_nine);
  CHECK(h->next_open(local(kBerlin, 2026, 12, 7, 12, 5)) == local(kBerlin, 2026, 12, 7, 13, 0));
  CHECK(h->next_open(local(kBerlin, 2026, 12, 11, 19, 0)) == local(kBerlin, 2026, 12, 12, 9, 0));
  CHECK(h->next_open(local(kBerlin, 2026, 12, 12, 14, 0)) == local(kBerlin, 2026, 12, 14, 8, 0));
  CHECK(h->describe_next_open(local(kBerlin, 2026, 12, 12, 14, 0)) ==
        "opens Mon 2026-12-14 08:00 Europe/Berlin");
}

TEST_CASE("day lists, wrapping ranges and periods up to midnight", "[hours]") {
  const auto h = hours("UTC", {"fri-mon 20:00-24:00", "mon,wed 00:00-02:00"});
  CHECK(h->open_at(utc(2026, 12, 11, 23, 59)));      // Friday
  CHECK(h->open_at(utc(2026, 12, 13, 21, 0)));       // Sunday
  CHECK(h->open_at(utc(2026, 12, 14, 1, 0)));        // Monday 01:00: Sunday night goes on
  CHECK_FALSE(h->open_at(utc(2026, 12, 15, 1, 0)));  // Tuesday
  CHECK(h->open_at(utc(2026, 12, 16, 1, 0)));        // Wednesday
  CHECK_FALSE(h->open_at(utc(2026, 12, 16, 21, 0)));
}

TEST_CASE("holidays close a day or replace its hours", "[hours]") {
  const auto h = hours(kBerlin, {"mon-sun 08:00-18:00"}, {"2026-12-25", "2026-12-24 08:00-12:00"});
  CHECK(h->open_at(local(kBerlin, 2026, 12, 24, 11, 0)));
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 24, 13, 0)));
  CHECK_FALSE(h->open_at(local(kBerlin, 2026, 12, 25, 10, 0)));
  CHECK(h->next_open(local(kBerlin, 2026, 12, 24, 13, 0)) == local(kBerlin, 2026, 12, 26, 8, 0));
}

TEST_CASE("daylight-saving changes follow the time zone", "[hours]") {
  // Berlin springs forward on Sunday 2027-03-28 at 02:00 (to 03:00, UTC+2).
  const auto h = hours(kBerlin, {"sun 02:30-04:00", "mon-fri 08:00-18:00"});
  // An opening in the skipped hour opens at the change: 01:00 UTC.
  CHECK(h->next_open(local(kBerlin, 2027, 3, 27, 12, 0)) == utc(2027, 3, 28, 1, 0));
  CHECK(h->open_at(utc(2027, 3, 28, 1, 30)));  // 03:30 CEST
  // Monday opens at 08:00 local, now 06:00 UTC (it was 07:00 UTC a week before).
  CHECK(h->next_open(utc(2027, 3, 29, 5, 0)) == utc(2027, 3, 29, 6, 0));
  CHECK(h->next_open(utc(2027, 3, 22, 5, 0)) == utc(2027, 3, 22, 7, 0));
}

TEST_CASE("a schedule with no weekly hours opens only on its holidays' periods", "[hours]") {
  const auto never = hours("UTC", {});
  CHECK_FALSE(never->open_at(utc(2026, 12, 7, 12, 0)));
  CHECK_FALSE(never->next_open(utc(2026, 12, 7, 12, 0)).has_value());
  CHECK(never->describe_next_open(utc(2026, 12, 7, 12, 0)) == "no opening within a year");
  const auto once = hours("UTC", {}, {"2026-12-31 10:00-11:00"});
  CHECK(once->next_open(utc(2026, 12, 7, 12, 0)) == utc(2026, 12, 31, 10, 0));
}

TEST_CASE("opening hours errors name the field", "[hours]") {
  CHECK_THAT(error_of("Mars/Olympus", {}),
             Contains("queues[0].hours.time_zone: unknown time zone 'Mars/Olympus'"));
  CHECK_THAT(error_of("UTC", {"mon-fri"}),
             Contains("queues[0].hours.weekly[0]: must be days and periods"));
  CHECK_THAT(error_of("UTC", {"sat 10:00-12:00", "mon-frx 08:00-18:00"}),
             Contains("queues[0].hours.weekly[1]: 'mon-frx' is not a day or a range of days"));
  CHECK_THAT(error_of("UTC", {"mon 8:00-18:00"}),
             Contains("queues[0].hours.weekly[0]: '8:00-18:00' is not a period HH:MM-HH:MM"));
  CHECK_THAT(error_of("UTC", {"mon 22:00-02:00"}),
             Contains("queues[0].hours.weekly[0]: '22:00-02:00' ends before it starts"));
  CHECK_THAT(error_of("UTC", {"mon 24:00-24:00"}), Contains("is not a period"));
  CHECK_THAT(error_of("UTC", {"mon 08:60-09:00"}), Contains("is not a period"));
  CHECK_THAT(error_of("UTC", {}, {"2026-13-01"}),
             Contains("queues[0].hours.holidays[0]: must start with a date YYYY-MM-DD"));
  CHECK_THAT(error_of("UTC", {}, {"2026-12-24 12:00-08:00"}),
             Contains("queues[0].hours.holidays[0]: '12:00-08:00' ends before it starts"));
}

TEST_CASE("a queue's hours, closed rule and callback queue are read from the file", "[hours]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - name: sales
    channels: [PHONE]
    hours: {time_zone: Europe/Berlin, weekly: ["mon-fri 08:00-18:00"], holidays: ["2026-12-25"]}
    when_closed: CALLBACK
    callback_queue: callbacks
  - {name: support, channels: [PHONE], hours: {weekly: ["mon-sun 00:00-24:00"]}}
  - {name: callbacks, channels: [WORK_ITEM]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  const auto& q = r.value().queues;
  REQUIRE(q.at(0).hours != nullptr);
  CHECK(q.at(0).when_closed == engine::ArrivalAction::kCallback);
  CHECK(q.at(0).callback_queue == engine::QueueId(2));
  CHECK(q.at(1).when_closed == engine::ArrivalAction::kRefuse);  // the default
  CHECK(q.at(1).hours->open_at(utc(2026, 12, 25, 3, 0)));        // UTC by default
  CHECK(q.at(2).hours == nullptr);
  CHECK(build_router(r.value()).ok());  // the callback queue comes later in the file

  const auto error = [](const std::string& queue) {
    auto e = parse_routing_config(
        "skills: [s]\nqueues:\n  - " + queue + "\n  - {name: cb, channels: [PHONE]}", "t.yaml");
    REQUIRE_FALSE(e.ok());
    return e.error().message;
  };
  CHECK_THAT(error("{name: q, channels: [PHONE], when_closed: REFUSE}"),
             Contains("t.yaml: queues[0].hours: required with when_closed or callback_queue"));
  CHECK_THAT(error("{name: q, channels: [PHONE], hours: {}, when_closed: CALLBACK}"),
             Contains("queues[0].callback_queue: required with when_closed CALLBACK"));
  CHECK_THAT(error("{name: q, channels: [PHONE], hours: {}, callback_queue: cb}"),
             Contains("queues[0].callback_queue: only with when_closed CALLBACK"));
  CHECK_THAT(error("{name: q, channels: [PHONE], hours: {}, when_closed: CALLBACK, "
                   "callback_queue: nowhere}"),
             Contains("queues[0].callback_queue: unknown queue 'nowhere'"));
  CHECK_THAT(error("{name: q, channels: [PHONE], when_no_agents: CALLBACK}"),
             Contains("queues[0].when_no_agents: must be WAIT, OVERFLOW or REFUSE"));
  CHECK_THAT(error("{name: q, channels: [PHONE], hours: {time_zone: Nowhere/City}}"),
             Contains("t.yaml: queues[0].hours.time_zone: unknown time zone"));
  CHECK_THAT(error("{name: q, channels: [PHONE], hours: {}, when_closed: OVERFLOW}"),
             Contains("queues[0].overflow_queue: required with an OVERFLOW arrival rule"));
  // The callback queue must take work items: checked when the router is built.
  auto no_items = parse_routing_config(
      "skills: [s]\nqueues:\n  - {name: q, channels: [PHONE], hours: {}, when_closed: CALLBACK, "
      "callback_queue: cb}\n  - {name: cb, channels: [PHONE]}",
      "t.yaml");
  REQUIRE(no_items.ok());
  auto built = build_router(no_items.value());
  REQUIRE_FALSE(built.ok());
  CHECK_THAT(built.error().message,
             Contains("queues[0]: queue.callback_queue: does not take work_item"));
}

TEST_CASE("a queue's preferred-agent hold is read in seconds, with errors naming the field",
          "[hold]") {
  auto r = parse_routing_config(R"(
skills: [s]
queues:
  - {name: crm, channels: [WORK_ITEM], hold_for_agent_s: 90}
  - {name: sales, channels: [PHONE]}
)",
                                "t.yaml");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r.value().queues.at(0).hold_for_agent == std::chrono::seconds(90));
  CHECK_FALSE(r.value().queues.at(1).hold_for_agent.has_value());  // the default: no hold
  for (const char* bad : {"-1", "3601"}) {
    auto e = parse_routing_config(
        std::string("skills: [s]\nqueues: [{name: q, channels: [PHONE], hold_for_agent_s: ") + bad +
            "}]",
        "t.yaml");
    REQUIRE_FALSE(e.ok());
    CHECK_THAT(e.error().message,
               Contains("t.yaml: queues[0].hold_for_agent_s: must be 0 (no hold) or > 0 and at "
                        "most 3600"));
  }
}

}  // namespace router::adapters::config
