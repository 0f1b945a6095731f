// Opening hours over the real API (issue 19, row 5; docs/routing.md, "Opening hours"): a closed
// queue refuses a call naming its next opening, or takes it as a callback work item scheduled for
// the opening, which survives a restart; supervisors see the queue closed.
#include <google/protobuf/util/time_util.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using google::protobuf::util::TimeUtil;

int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Today (UTC) as YYYY-MM-DD, after waiting out the last minute of a day so that "today" holds
// for the whole test.
std::string today_utc() {
  if (unix_now_s() % 86400 >= 86340) std::this_thread::sleep_for(std::chrono::seconds(65));
  const std::time_t now = static_cast<std::time_t>(unix_now_s());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

// phone-sales has no opening hours at all and refuses; phone-support is open around the clock but
// for today (a holiday), and takes calls as callbacks in the crm queue, called back from
// tomorrow 00:00 UTC.
CenterOptions with_hours(const std::string& today) {
  CenterOptions o;
  o.edit = [today](std::string yaml) {
    yaml = replace_once(yaml, R"(    skills: [{skill: sales, min_level: 3}]
    offer_timeout_s: 5
)",
                        R"(    skills: [{skill: sales, min_level: 3}]
    offer_timeout_s: 5
    hours: {time_zone: Europe/Berlin}
    when_closed: REFUSE
)");
    yaml = replace_once(yaml, R"(    skills: [{skill: support, min_level: 3}]
    offer_timeout_s: 1
)",
                        R"(    skills: [{skill: support, min_level: 3}]
    offer_timeout_s: 1
    hours: {time_zone: UTC, weekly: ["mon-sun 00:00-24:00"], holidays: [")" +
                            today + R"("]}
    when_closed: CALLBACK
    callback_queue: crm
)");
    return replace_once(yaml, "\nagents:\n", R"(
  - name: crm
    channels: [WORK_ITEM]
    skills: [{skill: support, min_level: 3}]
    service_level_threshold_s: 3600

agents:
)");
  };
  return o;
}

}  // namespace

TEST_CASE("a closed queue refuses a call at once, naming when it opens", "[grpc][hours]") {
  RouterFixture fx(with_hours(today_utc()));
  AgentDesk dev(fx, "dev");  // someone is there: the hours alone refuse
  auto refused = fx.submit(phone_call("s-1", "+1 415 555 0100", kSalesLine));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(refused.message() == "queue: 'phone-sales' is closed (no opening within a year)");
  const auto stats = fx.queue_stats("phone-sales");
  REQUIRE(stats.has_value());
  CHECK(stats->closed());
  CHECK(stats->next_open() == "no opening within a year");
  CHECK_FALSE(fx.queue_stats("email-billing")->closed());  // no hours: always open
}

TEST_CASE("a closed queue takes a call as a callback work item that survives a restart",
          "[grpc][hours][redis]") {
  RedisServer redis;
  CenterOptions options = with_hours(today_utc());
  options.redis = "127.0.0.1:" + std::to_string(redis.port());
  RouterFixture fx(options);
  const int64_t tomorrow_s = (unix_now_s() / 86400 + 1) * 86400;

  auto taken = fx.submit(phone_call("p-1", "+1 415 555 0100"));
  INFO(describe(taken.status));
  REQUIRE(taken.ok());
  const v1::Interaction& item = taken.value.interaction();
  CHECK(item.state() == v1::SCHEDULED);
  CHECK(item.channel() == v1::WORK_ITEM);
  CHECK(item.queue() == "crm");
  CHECK(item.work_item().type() == v1::WorkItemDetails::CALLBACK);
  CHECK(item.work_item().callback_number() == "+14155550100");
  CHECK(item.work_item().not_before().seconds() == tomorrow_s);
  CHECK(item.work_item().due().seconds() == tomorrow_s + 3600);  // its queue's SL threshold
  const auto stats = fx.queue_stats("phone-support");
  REQUIRE(stats.has_value());
  CHECK(stats->closed());
  CHECK_THAT(stats->next_open(), Catch::Matchers::EndsWith(" 00:00 UTC"));

  auto anonymous = fx.submit(phone_call("p-2", "anonymous"));
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(anonymous.message(),
             Catch::Matchers::StartsWith("queue: 'phone-support' is closed (opens ") &&
                 Catch::Matchers::EndsWith("UTC); there is no number to call back"));

  fx.restart();

  const auto after = fx.get_interaction("p-1");
  INFO(describe(after.status));
  REQUIRE(after.ok());
  CHECK(after.value.state() == v1::SCHEDULED);
  CHECK(after.value.channel() == v1::WORK_ITEM);
  CHECK(after.value.queue() == "crm");
  CHECK(after.value.work_item().callback_number() == "+14155550100");
  CHECK(after.value.work_item().not_before().seconds() == tomorrow_s);
}

}  // namespace router::it
