// SubmitInteraction is idempotent on the client's interaction_id: a gateway that retries after a
// lost answer gets the interaction it already created, never a second one.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

TEST_CASE_METHOD(RouterFixture,
                 "a repeated submit answers the same interaction with replayed set and queues "
                 "nothing new",
                 "[grpc][idempotency]") {
  const auto request = phone_call("call-1", "+1 415 555 0100");
  auto first = submit(request);
  INFO("first: " << describe(first.status));
  REQUIRE(first.ok());
  CHECK_FALSE(first.value.replayed());
  CHECK(first.value.interaction().position() == 1);

  auto again = submit(request);
  INFO("again: " << describe(again.status));
  REQUIRE(again.ok());
  CHECK(again.value.replayed());
  const auto& a = first.value.interaction();
  const auto& b = again.value.interaction();
  CHECK(b.interaction_id() == a.interaction_id());
  CHECK(b.queue() == a.queue());
  CHECK(b.state() == v1::QUEUED);
  CHECK(b.position() == 1);
  CHECK(b.customer().customer_id() == a.customer().customer_id());
  CHECK(b.arrived().seconds() == a.arrived().seconds());
  CHECK(b.arrived().nanos() == a.arrived().nanos());

  auto stats = queue_stats("phone-support");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 1);
  CHECK(stats->arrived() == 1);

  v1::ListInteractionsRequest list;
  list.set_queue("phone-support");
  auto listed = call(&v1::SupervisorService::Stub::ListInteractions, kSupervisorToken, list);
  REQUIRE(listed.ok());
  CHECK(listed.value.interactions_size() == 1);

  SECTION("a new id is a new interaction behind the first") {
    auto second = submit(phone_call("call-2", "+1 415 555 0101"));
    REQUIRE(second.ok());
    CHECK_FALSE(second.value.replayed());
    CHECK(second.value.interaction().position() == 2);
    auto after = queue_stats("phone-support");
    REQUIRE(after.has_value());
    CHECK(after->waiting() == 2);
  }
  SECTION("a replay after the interaction was answered still answers it, replayed") {
    AgentDesk ana(*this, "ana");
    REQUIRE(ana.set_ready().ok());
    REQUIRE(ana.wait_offer("call-1").has_value());
    REQUIRE(ana.accept("call-1").ok());
    auto late = submit(request);
    INFO("late: " << describe(late.status));
    REQUIRE(late.ok());
    CHECK(late.value.replayed());
    CHECK(late.value.interaction().state() == v1::ASSIGNED);
    CHECK(late.value.interaction().agent() == "ana");
    auto after = queue_stats("phone-support");
    REQUIRE(after.has_value());
    CHECK(after->waiting() == 0);
    CHECK(after->arrived() == 1);
  }
}

TEST_CASE_METHOD(RouterFixture, "many concurrent repeats of one submit create one interaction",
                 "[grpc][idempotency]") {
  const auto request = email("mail-1", "ada@example.com", "m-1@mail.example.com");
  std::vector<std::thread> gateways;
  std::vector<Reply<v1::SubmitInteractionResponse>> replies(8);
  for (size_t i = 0; i < replies.size(); ++i) {
    gateways.emplace_back([&, i] { replies[i] = submit(request); });
  }
  for (auto& t : gateways) t.join();
  int fresh = 0;
  for (const auto& r : replies) {
    INFO(describe(r.status));
    REQUIRE(r.ok());
    CHECK(r.value.interaction().interaction_id() == "mail-1");
    if (!r.value.replayed()) ++fresh;
  }
  CHECK(fresh == 1);
  auto stats = queue_stats("email-billing");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == 1);
  CHECK(stats->arrived() == 1);
}

}  // namespace
}  // namespace router::it
