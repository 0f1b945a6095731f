// Arrival rules over the real API (issue 19, rows 6 and 7; docs/routing.md, "Arrival rules"): a
// queue nobody who can serve it is logged in for refuses at once, a full queue refuses or sends
// the arrival on to its overflow queue, and the gateway's answer says which.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

// phone-sales refuses while none of its agents is logged in; phone-support holds one caller and
// sends the next to phone-sales; web-chat holds one and refuses the next.
CenterOptions with_arrival_rules() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    yaml = replace_once(yaml, R"(    skills: [{skill: sales, min_level: 3}]
    offer_timeout_s: 5
)",
                        R"(    skills: [{skill: sales, min_level: 3}]
    offer_timeout_s: 5
    when_no_agents: REFUSE
)");
    yaml = replace_once(yaml, R"(    skills: [{skill: support, min_level: 3}]
    offer_timeout_s: 1
)",
                        R"(    skills: [{skill: support, min_level: 3}]
    offer_timeout_s: 1
    max_waiting: 1
    when_full: OVERFLOW
    overflow_queue: phone-sales
)");
    return replace_once(yaml, R"(    skills: [{skill: chat, min_level: 2}]
)",
                        R"(    skills: [{skill: chat, min_level: 2}]
    max_waiting: 1
)");
  };
  return o;
}

}  // namespace

TEST_CASE("a queue nobody who can serve it is logged in for refuses at once, naming the rule",
          "[grpc][arrival]") {
  RouterFixture fx(with_arrival_rules());
  auto refused = fx.submit(phone_call("s-1", "+1 415 555 0100", kSalesLine));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(refused.message() ==
        "queue: nobody who can take 'phone-sales' work is logged in (its when_no_agents is "
        "refuse)");
  // Nothing was accepted: the same id may be submitted again once someone is there.
  AgentDesk dev(fx, "dev");  // sales 4, logged in NOT_READY: enough
  auto queued = fx.submit(phone_call("s-1", "+1 415 555 0100", kSalesLine));
  INFO(describe(queued.status));
  REQUIRE(queued.ok());
  CHECK_FALSE(queued.value.replayed());
  CHECK(queued.value.interaction().state() == v1::QUEUED);
  CHECK(queued.value.interaction().queue() == "phone-sales");
}

TEST_CASE("a full queue sends the next arrival to its overflow queue, or refuses it",
          "[grpc][arrival]") {
  RouterFixture fx(with_arrival_rules());
  AgentDesk dev(fx, "dev");  // serves phone-support and phone-sales; not ready, so calls wait
  auto first = fx.submit(phone_call("p-1", "+1 415 555 0100"));
  REQUIRE(first.ok());
  CHECK(first.value.interaction().queue() == "phone-support");
  auto second = fx.submit(phone_call("p-2", "+1 415 555 0101"));
  INFO(describe(second.status));
  REQUIRE(second.ok());
  CHECK(second.value.interaction().state() == v1::QUEUED);
  CHECK(second.value.interaction().queue() == "phone-sales");  // sent on at once
  CHECK(fx.queue_stats("phone-support")->waiting() == 1);
  CHECK(fx.queue_stats("phone-sales")->waiting() == 1);

  auto chat = fx.submit(web_chat("c-1", "v-1"));
  REQUIRE(chat.ok());
  auto full = fx.submit(web_chat("c-2", "v-2"));
  REQUIRE_FALSE(full.ok());
  CHECK(full.code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(full.message() == "queue: 'web-chat' holds its limit of 1 waiting (its max_waiting)");
}

}  // namespace router::it
