// Email threading: a reply (In-Reply-To or References naming an earlier email's Message-ID)
// belongs to the earlier email's customer and prefers the agent who handled it.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

// ben handles Ada's first email from offer to completion.
void ben_handles_first_email(RouterFixture& fx, AgentDesk& ben) {
  auto first = fx.submit(email("mail-1", "ada@example.com", "<m-1@mail.example.com>"));
  INFO(describe(first.status));
  REQUIRE(first.ok());
  CHECK(first.value.interaction().customer().customer_id() == "C1");
  REQUIRE(ben.set_ready().ok());
  REQUIRE(ben.wait_offer("mail-1").has_value());
  REQUIRE(ben.accept("mail-1").ok());
  REQUIRE(ben.complete("mail-1", "answered").ok());
  REQUIRE(ben.end_wrap_up("mail-1").ok());
}

TEST_CASE_METHOD(RouterFixture,
                 "a reply to an earlier email gets that email's customer and is offered to the "
                 "agent who handled it",
                 "[grpc][email_thread]") {
  AgentDesk ben(*this, "ben");
  ben_handles_first_email(*this, ben);
  // cara is ready too, with more billing skill than ben: without the thread she would win.
  AgentDesk cara(*this, "cara");
  REQUIRE(cara.set_ready().ok());

  // From an address no customer record has.
  auto reply_mail = email("mail-2", "ada.private@elsewhere.example", "m-2@mail.example.com");
  SECTION("threaded by In-Reply-To") {
    reply_mail.mutable_email()->set_in_reply_to("<m-1@mail.example.com>");
  }
  SECTION("threaded by References") {
    reply_mail.mutable_email()->add_references("m-0@mail.example.com");
    reply_mail.mutable_email()->add_references("m-1@mail.example.com");
  }
  auto submitted = submit(reply_mail);
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  const auto& customer = submitted.value.interaction().customer();
  CHECK(customer.customer_id() == "C1");
  CHECK(customer.name() == "Ada");
  CHECK(customer.matched_by() == "email_thread");
  CHECK(customer.preferred_agent() == "ben");

  auto offer = ben.wait_offer("mail-2");
  REQUIRE(offer.has_value());
  double affinity = 0;
  for (const auto& term : offer->breakdown()) {
    if (term.term() == "affinity") affinity = term.points();
  }
  CHECK(affinity > 0);
  CHECK_FALSE(cara.wait_offer("mail-2", 200ms).has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "a threaded reply waits for its handling agent's desk and is offered when they "
                 "become ready",
                 "[grpc][email_thread]") {
  AgentDesk ben(*this, "ben");
  ben_handles_first_email(*this, ben);
  REQUIRE(ben.set_not_ready("lunch").ok());

  auto submitted =
      submit(email("mail-2", "ada@example.com", "m-2@mail.example.com", "m-1@mail.example.com"));
  REQUIRE(submitted.ok());
  CHECK(submitted.value.interaction().state() == v1::QUEUED);
  CHECK(submitted.value.interaction().customer().preferred_agent() == "ben");

  REQUIRE(ben.set_ready().ok());
  auto offer = ben.wait_offer("mail-2");
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().customer().preferred_agent() == "ben");
}

TEST_CASE_METHOD(RouterFixture,
                 "a reply to an unknown Message-ID from an unknown address is anonymous",
                 "[grpc][email_thread]") {
  auto submitted = submit(email("mail-9", "someone@elsewhere.example", "m-9@mail.example.com",
                                "never-seen@mail.example.com"));
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  CHECK(submitted.value.interaction().customer().customer_id().empty());
  CHECK(submitted.value.interaction().customer().preferred_agent().empty());
  CHECK(submitted.value.interaction().customer().matched_by().empty());
}

}  // namespace
}  // namespace router::it
