// routerctl's command-line words → API requests, with errors that name the word.
#include "tools/routerctl/requests.h"

#include <catch2/catch.hpp>

namespace router::ctl {

TEST_CASE("SKILL=LEVEL words parse into a skill and its level", "[routerctl][requests]") {
  auto skill = parse_skill_level("billing=7");
  REQUIRE(skill.ok());
  REQUIRE(skill->skill() == "billing");
  REQUIRE(skill->level() == 7);
  REQUIRE(parse_skill_level("x=1")->level() == 1);
  REQUIRE(parse_skill_level("x=10")->level() == 10);
}

TEST_CASE("malformed SKILL=LEVEL words are refused with the word and the reason",
          "[routerctl][requests]") {
  SECTION("no '='") {
    auto r = parse_skill_level("billing");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error() == "'billing' is not SKILL=LEVEL (e.g. billing=7)");
  }
  SECTION("an empty skill name") {
    REQUIRE(parse_skill_level("=5").error() == "'=5': the skill name is empty");
  }
  SECTION("a level that is not a whole number") {
    REQUIRE(parse_skill_level("billing=high").error() ==
            "'billing=high': level 'high' is not a whole number 1..10");
    REQUIRE(parse_skill_level("billing=7.5").error() ==
            "'billing=7.5': level '7.5' is not a whole number 1..10");
    REQUIRE(parse_skill_level("billing=").error() ==
            "'billing=': level '' is not a whole number 1..10");
  }
  SECTION("a level outside 1..10") {
    REQUIRE(parse_skill_level("billing=11").error() == "'billing=11': level 11 is outside 1..10");
    REQUIRE(parse_skill_level("billing=0").error() == "'billing=0': level 0 is outside 1..10");
    REQUIRE(parse_skill_level("billing=-2").error() == "'billing=-2': level -2 is outside 1..10");
  }
}

TEST_CASE("a skill named twice in one update is refused", "[routerctl][requests]") {
  auto ok = parse_skill_levels({"billing=7", "sales=3"});
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 2);
  REQUIRE((*ok)[1].skill() == "sales");

  auto twice = parse_skill_levels({"billing=7", "sales=3", "billing=2"});
  REQUIRE_FALSE(twice.ok());
  REQUIRE(twice.error() == "skill 'billing' is given twice");

  auto bad = parse_skill_levels({"billing=7", "sales"});
  REQUIRE(bad.error() == "'sales' is not SKILL=LEVEL (e.g. billing=7)");
}

TEST_CASE("KEY=VALUE words split at the first '='", "[routerctl][requests]") {
  auto a = parse_attribute("vip=yes");
  REQUIRE(a.ok());
  REQUIRE(a->first == "vip");
  REQUIRE(a->second == "yes");
  REQUIRE(parse_attribute("query=a=b")->second == "a=b");
  REQUIRE(parse_attribute("note=")->second.empty());
  REQUIRE(parse_attribute("vip").error() == "'vip' is not KEY=VALUE (e.g. vip=yes)");
  REQUIRE(parse_attribute("=yes").error() == "'=yes': the key is empty");
}

TEST_CASE("agent state words map to the API's states", "[routerctl][requests]") {
  REQUIRE(*parse_agent_state("ready") == v1::READY);
  REQUIRE(*parse_agent_state("not-ready") == v1::NOT_READY);
  REQUIRE(*parse_agent_state("NOT_READY") == v1::NOT_READY);
  REQUIRE(*parse_agent_state("logged-out") == v1::LOGGED_OUT);
  REQUIRE(parse_agent_state("busy").error() ==
          "state 'busy' is not one of ready, not-ready, logged-out");
}

TEST_CASE("submit phone flags build a PHONE request with phone details", "[routerctl][requests]") {
  SubmitFlags flags;
  flags.channel = "phone";
  flags.interaction_id = "call-1";
  flags.priority = 20;
  flags.intent = "billing";
  flags.attributes = {"vip=yes", "account=42"};
  flags.ani = "+14155550123";
  flags.dnis = "+18005550100";
  flags.ivr_path = "main>billing";
  flags.digits = "1234";
  flags.language = "en";
  auto request = build_submit_request(flags);
  REQUIRE(request.ok());
  REQUIRE(request->interaction_id() == "call-1");
  REQUIRE(request->channel() == v1::PHONE);
  REQUIRE(request->priority() == 20);
  REQUIRE(request->intent() == "billing");
  REQUIRE(request->attributes().at("vip") == "yes");
  REQUIRE(request->attributes().at("account") == "42");
  REQUIRE(request->details_case() == v1::SubmitInteractionRequest::kPhone);
  REQUIRE(request->phone().ani() == "+14155550123");
  REQUIRE(request->phone().dnis() == "+18005550100");
  REQUIRE(request->phone().ivr_path() == "main>billing");
  REQUIRE(request->phone().ivr_digits() == "1234");
  REQUIRE(request->phone().language() == "en");
}

TEST_CASE("submit email flags build an EMAIL request with threading headers",
          "[routerctl][requests]") {
  SubmitFlags flags;
  flags.channel = "email";
  flags.interaction_id = "mail-1";
  flags.from = "Ann@Example.com";
  flags.to = "billing@example.com";
  flags.subject = "Invoice 42";
  flags.message_id = "m2@example.com";
  flags.in_reply_to = "m1@example.com";
  flags.references = {"m0@example.com", "m1@example.com"};
  google::protobuf::Timestamp received;
  received.set_seconds(1'700'000'000);
  flags.received = received;
  auto request = build_submit_request(flags);
  REQUIRE(request.ok());
  REQUIRE(request->channel() == v1::EMAIL);
  REQUIRE(request->details_case() == v1::SubmitInteractionRequest::kEmail);
  const auto& email = request->email();
  REQUIRE(email.from() == "Ann@Example.com");  // routerd lower-cases, not routerctl
  REQUIRE(email.to_mailbox() == "billing@example.com");
  REQUIRE(email.subject() == "Invoice 42");
  REQUIRE(email.message_id() == "m2@example.com");
  REQUIRE(email.in_reply_to() == "m1@example.com");
  REQUIRE(email.references_size() == 2);
  REQUIRE(email.references(0) == "m0@example.com");
  REQUIRE(email.received().seconds() == 1'700'000'000);
}

TEST_CASE("submit web flags build a WEB_CHAT request, or WEB_CALLBACK with a callback number",
          "[routerctl][requests]") {
  SubmitFlags flags;
  flags.channel = "web";
  flags.interaction_id = "web-1";
  flags.visitor = "v-9";
  flags.account = "acct-42";
  flags.page = "https://example.com/pricing";
  flags.topic = "pricing";
  SECTION("chat") {
    auto request = build_submit_request(flags);
    REQUIRE(request.ok());
    REQUIRE(request->channel() == v1::WEB_CHAT);
    REQUIRE(request->web().kind() == v1::WebDetails::CHAT);
    REQUIRE(request->web().visitor_id() == "v-9");
    REQUIRE(request->web().account_id() == "acct-42");
    REQUIRE(request->web().page_url() == "https://example.com/pricing");
    REQUIRE(request->web().topic() == "pricing");
    REQUIRE(request->web().callback_number().empty());
  }
  SECTION("callback") {
    flags.callback = "+14155550123";
    auto request = build_submit_request(flags);
    REQUIRE(request.ok());
    REQUIRE(request->channel() == v1::WEB_CALLBACK);
    REQUIRE(request->web().kind() == v1::WebDetails::CALLBACK);
    REQUIRE(request->web().callback_number() == "+14155550123");
  }
}

TEST_CASE("submit flags that cannot make a request are refused naming the flag",
          "[routerctl][requests]") {
  SubmitFlags flags;
  flags.channel = "phone";
  flags.interaction_id = "call-1";
  SECTION("a malformed attribute") {
    flags.attributes = {"vip"};
    REQUIRE(build_submit_request(flags).error() == "--attr: 'vip' is not KEY=VALUE (e.g. vip=yes)");
  }
  SECTION("an attribute key given twice") {
    flags.attributes = {"vip=yes", "vip=no"};
    REQUIRE(build_submit_request(flags).error() == "--attr: key 'vip' is given twice");
  }
  SECTION("a priority outside 0..100") {
    flags.priority = 101;
    REQUIRE(build_submit_request(flags).error() == "--priority: 101 is outside 0..100");
  }
  SECTION("an unknown channel") {
    flags.channel = "fax";
    REQUIRE(build_submit_request(flags).error() ==
            "channel 'fax' is not one of phone, email, web, work");
  }
  SECTION("no id") {
    flags.interaction_id.clear();
    REQUIRE(build_submit_request(flags).error() == "--id: the interaction id is empty");
  }
}

TEST_CASE("a work item request carries its type, customer, owner and times",
          "[routerctl][requests]") {
  SubmitFlags flags;
  flags.channel = "work";
  flags.interaction_id = "w-1";
  flags.work_type = "Lead";
  flags.customer_id = "C7";
  flags.owner = "a01";
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  flags.due = parse_when("--due", "+8h", now).value();
  flags.not_before = parse_when("--not-before", "+1h", now).value();
  auto request = build_submit_request(flags);
  REQUIRE(request);
  CHECK(request->channel() == v1::WORK_ITEM);
  CHECK(request->work_item().type() == v1::WorkItemDetails::LEAD);
  CHECK(request->work_item().customer_id() == "C7");
  CHECK(request->work_item().owner() == "a01");
  CHECK(request->work_item().due().seconds() == 1'800'000'000 + 8 * 3600);
  CHECK(request->work_item().not_before().seconds() == 1'800'000'000 + 3600);
  flags.work_type = "ticket";
  REQUIRE(build_submit_request(flags).error() ==
          "--type: 'ticket' is not one of service_request, lead, activity, callback");
}

TEST_CASE("generated interaction ids name the channel and differ from call to call",
          "[routerctl][requests]") {
  const std::string a = generate_interaction_id("phone");
  const std::string b = generate_interaction_id("phone");
  REQUIRE(a.starts_with("ctl-phone-"));
  REQUIRE(a != b);
  REQUIRE(a.size() <= 128);
}

}  // namespace router::ctl
