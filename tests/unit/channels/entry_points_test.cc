// Entry-point rules: first match in file order, empty fields as wildcards, case-insensitive
// text, and build errors that name the field path.
#include "adapters/channels/entry_points.h"

#include <catch2/catch.hpp>

#include "adapters/config/routing_config.h"

namespace router::adapters::channels {
namespace {

using Catch::Matchers::Contains;
using engine::Channel;

constexpr const char* kQueues = R"(
  "skills": ["billing", "sales", "mandarin"],
  "queues": [
    {"name": "billing", "channels": ["PHONE", "EMAIL"]},
    {"name": "sales", "channels": ["PHONE", "WEB_CHAT"]},
    {"name": "email_support", "channels": ["EMAIL"]},
    {"name": "general", "channels": ["PHONE", "EMAIL", "WEB_CHAT", "WEB_CALLBACK"]},
    {"name": "crm", "channels": ["WORK_ITEM"]}
  ])";

// The routing file as adapters/config reads it: the resolved model carries the parsed message
// the rules come from (RoutingModel::proto).
engine::Result<EntryPointTable> build(const std::string& entry_points,
                                      std::string_view source = {}) {
  const std::string text = std::string("{") + kQueues + ", \"entry_points\": " + entry_points + "}";
  auto model = config::parse_routing_config(text, "test.yaml");
  INFO((model.ok() ? "" : model.error().message));
  REQUIRE(model.ok());
  auto phones = PhoneNormalizer::make("US");
  REQUIRE(phones.ok());
  return EntryPointTable::build(model.value().proto, model.value(), phones.value(), source);
}

EntryPointTable table_of(const std::string& entry_points) {
  auto t = build(entry_points);
  INFO((t.ok() ? "" : t.error().message));
  REQUIRE(t.ok());
  return std::move(t).value();
}

std::string error_of(const std::string& entry_points) {
  auto t = build(entry_points);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == engine::ErrorCode::kInvalidArgument);
  return t.error().message;
}

int rule_of(const EntryPointTable& table, Arrival arrival) {
  const auto route = table.match(arrival);
  return route ? route->rule_index : -1;
}

const char* kRules = R"([
  {"channel": "PHONE", "address": "+1 (800) 555-0100", "language": "zh", "queue": "billing",
   "skills": [{"skill": "mandarin", "min_level": 5}], "priority": 10},
  {"channel": "PHONE", "address": "800-555-0100", "queue": "billing"},
  {"channel": "PHONE", "intent": "Buy", "queue": "sales", "set_language": "en"},
  {"channel": "EMAIL", "address": "Billing Team <Billing@Example.com>", "queue": "billing"},
  {"channel": "EMAIL", "queue": "email_support"},
  {"channel": "WEB_CHAT", "address": "Pricing", "queue": "sales"},
  {"channel": "PHONE", "queue": "general"}
])";

}  // namespace

TEST_CASE("the first rule whose every set field matches wins", "[channels][entry_points]") {
  const EntryPointTable table = table_of(kRules);
  CHECK(table.size() == 7);

  const auto mandarin = table.match({Channel::kPhone, "+18005550100", "", "zh"});
  REQUIRE(mandarin);
  CHECK(mandarin->rule_index == 0);
  CHECK(mandarin->queue == engine::QueueId(0));
  REQUIRE(mandarin->extra_skills.size() == 1);
  CHECK(mandarin->extra_skills[0].skill == engine::SkillId(2));
  CHECK(mandarin->extra_skills[0].min_level == 5);
  CHECK(mandarin->priority_bonus == 10);

  SECTION("a later rule catches what an earlier, narrower one does not") {
    CHECK(rule_of(table, {Channel::kPhone, "+18005550100", "", "en"}) == 1);
    CHECK(rule_of(table, {Channel::kPhone, "+18005550100", "buy", ""}) == 1);
    CHECK(rule_of(table, {Channel::kPhone, "+14155550100", "", ""}) == 6);
  }
  SECTION("empty rule fields match anything; a set one needs the arrival to have it") {
    const auto buy = table.match({Channel::kPhone, "+14155550100", "buy", "fr"});
    REQUIRE(buy);
    CHECK(buy->rule_index == 2);
    CHECK(buy->queue == engine::QueueId(1));
    CHECK(buy->set_language == "en");
    CHECK(buy->extra_skills.empty());
    CHECK(buy->priority_bonus == 0);
  }
  SECTION("rule addresses are normalized like the arrivals' (E.164, bare lower-case mailbox)") {
    CHECK(rule_of(table, {Channel::kEmail, "billing@example.com", "", ""}) == 3);
    CHECK(rule_of(table, {Channel::kEmail, "sales@example.com", "", ""}) == 4);
  }
  SECTION("channels must be equal: no rule of another channel is considered") {
    CHECK(rule_of(table, {Channel::kWebChat, "pricing", "", ""}) == 5);
    CHECK(rule_of(table, {Channel::kWebChat, "support", "", ""}) == -1);
    CHECK(rule_of(table, {Channel::kWebCallback, "pricing", "", ""}) == -1);
  }
}

TEST_CASE("intent, language and web topics match case-insensitively", "[channels][entry_points]") {
  const EntryPointTable table = table_of(kRules);
  CHECK(rule_of(table, {Channel::kPhone, "+18005550100", "", "ZH"}) == 0);
  CHECK(rule_of(table, {Channel::kPhone, "+14155550100", "BUY", ""}) == 2);
  CHECK(rule_of(table, {Channel::kWebChat, "PRICING", "", ""}) == 5);
  CHECK(rule_of(table, {Channel::kWebChat, " pricing ", "", ""}) == 5);
  CHECK(rule_of(table, {Channel::kEmail, "Billing@Example.com", "", ""}) == 3);
}

TEST_CASE("a phone rule may select a short internal number", "[channels][entry_points]") {
  const EntryPointTable table = table_of(R"([
    {"channel": "PHONE", "address": "50-00", "queue": "sales"},
    {"channel": "PHONE", "queue": "general"}])");
  CHECK(rule_of(table, {Channel::kPhone, "5000", "", ""}) == 0);
  CHECK(rule_of(table, {Channel::kPhone, "5001", "", ""}) == 1);
}

TEST_CASE("a work item rule selects by type", "[channels][entry_points]") {
  const auto table = table_of(R"([
    {"channel": "WORK_ITEM", "address": "Lead", "queue": "crm", "priority": 5},
    {"channel": "WORK_ITEM", "queue": "crm"}
  ])");
  CHECK(rule_of(table, {Channel::kWorkItem, "lead", "", ""}) == 0);  // type names lower-cased
  CHECK(rule_of(table, {Channel::kWorkItem, "service_request", "", ""}) == 1);
  CHECK(rule_of(table, {Channel::kEmail, "lead", "", ""}) == -1);
  CHECK(error_of(R"([{"channel": "WORK_ITEM", "address": "ticket", "queue": "crm"}])") ==
        "entry_points[0].address: must be a work item type: service_request, lead, activity or "
        "callback");
  CHECK(error_of(R"([{"channel": "WORK_ITEM", "queue": "sales"}])") ==
        "entry_points[0].queue: queue \"sales\" does not serve WORK_ITEM");
  CHECK(work_item_type_name(2) == "lead");
  CHECK(work_item_type_name(0).empty());
  CHECK(work_item_type_name(9).empty());
}

TEST_CASE("a table without rules matches nothing", "[channels][entry_points]") {
  CHECK(table_of("[]").size() == 0);
  CHECK_FALSE(table_of("[]").match({Channel::kPhone, "+18005550100", "", ""}));
  CHECK_FALSE(EntryPointTable().match({Channel::kEmail, "", "", ""}));
}

TEST_CASE("entry-point errors name the field path", "[channels][entry_points]") {
  CHECK(error_of(R"([{"channel": "PHONE", "queue": "billing"},
                    {"channel": "PHONE", "queue": "sales"},
                    {"channel": "PHONE", "queue": "biling"}])") ==
        "entry_points[2].queue: unknown queue \"biling\"");
  CHECK(error_of(R"([{"queue": "billing"}])") == "entry_points[0].channel: required");
  CHECK(error_of(R"([{"channel": "PHONE"}])") == "entry_points[0].queue: required");
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing"},
                         {"channel": "PHONE", "queue": "billing",
                          "skills": [{"skill": "sales", "min_level": 11}]}])"),
             Contains("entry_points[1].skills[0].min_level: must be 1..10"));
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing",
                          "skills": [{"skill": "sales"}, {"skill": "salse"}]}])"),
             Contains("entry_points[0].skills[1].skill: unknown skill \"salse\""));
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing",
                          "skills": [{"skill": "sales"}, {"skill": "sales"}]}])"),
             Contains("entry_points[0].skills[1].skill: listed twice"));
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing"},
                         {"channel": "PHONE", "queue": "billing"},
                         {"channel": "PHONE", "queue": "billing"},
                         {"channel": "PHONE", "queue": "billing", "priority": 101}])"),
             Contains("entry_points[3].priority: must be 0..100"));
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing", "priority": -1}])"),
             Contains("entry_points[0].priority: must be 0..100"));
  CHECK(error_of(R"([{"channel": "PHONE", "queue": "billing"},
                    {"channel": "PHONE", "queue": "billing"},
                    {"channel": "PHONE", "queue": "billing"},
                    {"channel": "PHONE", "queue": "billing"},
                    {"channel": "PHONE", "queue": "email_support"}])") ==
        "entry_points[4].queue: queue \"email_support\" does not serve PHONE");
  CHECK(error_of(R"([{"channel": "WEB_CALLBACK", "queue": "sales"}])") ==
        "entry_points[0].queue: queue \"sales\" does not serve WEB_CALLBACK");
  CHECK(error_of(R"([{"channel": "PHONE", "address": "12#", "queue": "billing"}])") ==
        "entry_points[0].address: not a phone number: \"12#\"");
  CHECK_THAT(error_of(R"([{"channel": "EMAIL", "address": "billing", "queue": "billing"}])"),
             Contains("entry_points[0].address: not an email address"));
  CHECK_THAT(error_of(R"([{"channel": "WEB_CHAT", "queue": "sales", "intent": ")" +
                      std::string(300, 'x') + R"("}])"),
             Contains("entry_points[0].intent: longer than 256 characters"));
}

TEST_CASE("a rule may add at most eight skills", "[channels][entry_points]") {
  std::string skills;
  for (int i = 0; i < 9; ++i) skills += std::string(i ? "," : "") + R"({"skill": "sales"})";
  CHECK_THAT(error_of(R"([{"channel": "PHONE", "queue": "billing", "skills": [)" + skills + "]}]"),
             Contains("entry_points[0].skills: at most 8 skills"));
}

TEST_CASE("build errors carry the source name when one is given", "[channels][entry_points]") {
  auto t = build(R"([{"channel": "PHONE", "queue": "nope"}])", "routing.yaml");
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message == "routing.yaml: entry_points[0].queue: unknown queue \"nope\"");
}

}  // namespace router::adapters::channels
