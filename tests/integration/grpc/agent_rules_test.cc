// Which agent takes which queue's work beyond skills, over the real API (issue 19, rows 3 and 4;
// docs/routing.md, "An agent's queue order" and "Idle agents added to a queue"): an agent's own
// queue order decides which queue's call a freed agent takes, and a reload changes it; a queue
// with add_idle_agents_after_s offers its callers to agents outside its skills once they have
// been idle that long, at that moment.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

const char kDev[] =
    "  - {name: dev, team: south, languages: [en], skills: [{skill: support, level: 4}, "
    "{skill: sales, level: 4}]}\n";

// dev (support 4, sales 4: as fit for either queue) takes `order` first.
std::string dev_with_order(std::string yaml, const std::string& order) {
  std::string with = kDev;
  with.insert(with.size() - 2, ", queue_order: [" + order + "]");
  return replace_once(std::move(yaml), kDev, with);
}

CenterOptions dev_takes_sales_first() {
  CenterOptions o;
  o.edit = [](std::string yaml) { return dev_with_order(std::move(yaml), "phone-sales"); };
  return o;
}

// phone-sales adds agents idle for half a second; cara (billing 8, chat 6) has no sales.
CenterOptions sales_adds_idle_agents() {
  CenterOptions o;
  o.edit = [](std::string yaml) {
    return replace_once(std::move(yaml), R"(    skills: [{skill: sales, min_level: 3}]
)",
                        R"(    skills: [{skill: sales, min_level: 3}]
    add_idle_agents_after_s: 0.5
)");
  };
  return o;
}

double term_of(const v1::Offer& offer, const std::string& term) {
  for (const auto& t : offer.breakdown()) {
    if (t.term() == term) return t.points();
  }
  return 0;
}

}  // namespace

TEST_CASE("an agent's queue order decides which queue's caller it takes when it becomes ready",
          "[grpc][queue-order]") {
  RouterFixture fx(dev_takes_sales_first());
  AgentDesk dev(fx, "dev");  // logged in NOT_READY: both calls wait
  REQUIRE(fx.submit(phone_call("support-1", "+1 415 555 0100")).ok());
  REQUIRE(fx.submit(phone_call("sales-1", "+1 415 555 0101", kSalesLine)).ok());
  REQUIRE(dev.set_ready().ok());
  // support-1 (Ada, strategic, and older) has the more points; sales is first in dev's order.
  auto offer = dev.wait_offer();
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().interaction_id() == "sales-1");
}

TEST_CASE("a reload changes an agent's queue order and reports it", "[grpc][queue-order]") {
  RouterFixture fx(dev_takes_sales_first());
  fx.files().write_config(dev_with_order(center_yaml(), "phone-support, phone-sales"));
  auto report = fx.server().reload();
  INFO((report.ok() ? "" : report.error().message));
  REQUIRE(report.ok());
  CHECK(report.value().changes == std::vector<std::string>{"agent dev queue order updated"});

  AgentDesk dev(fx, "dev");
  // sales-1 (Ada, strategic, and older) has the more points; support is first in dev's order.
  REQUIRE(fx.submit(phone_call("sales-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(fx.submit(phone_call("support-1", "+1 415 555 0101")).ok());
  REQUIRE(dev.set_ready().ok());
  auto offer = dev.wait_offer();
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().interaction_id() == "support-1");

  // An unknown queue in the order is refused, naming the field; the old order stays.
  fx.files().write_config(dev_with_order(center_yaml(), "phone-support, nowhere"));
  auto bad = fx.server().reload();
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message,
             Catch::Matchers::Contains("agents[3].queue_order[1]: unknown queue 'nowhere'"));
}

TEST_CASE(
    "an agent outside a queue's skills is offered its caller once idle for the queue's "
    "threshold, with no other event",
    "[grpc][idle-agents]") {
  RouterFixture fx(sales_adds_idle_agents());
  AgentDesk cara(fx, "cara");
  REQUIRE(fx.submit(phone_call("sales-1", "+1 415 555 0100", kSalesLine)).ok());
  const auto ready_at = std::chrono::steady_clock::now();
  REQUIRE(cara.set_ready().ok());
  auto offer = cara.wait_offer("sales-1");
  REQUIRE(offer.has_value());
  CHECK(std::chrono::steady_clock::now() - ready_at >= 500ms);
  // Her skill fit as it is: sales at level 0 against a minimum of 3, at 0.5 points a level.
  CHECK(term_of(*offer, "skill_fit") == Approx(-1.5));
  REQUIRE(cara.accept("sales-1").ok());
}

TEST_CASE("an arrival goes at once to an agent idle past the queue's threshold",
          "[grpc][idle-agents]") {
  RouterFixture fx(sales_adds_idle_agents());
  AgentDesk cara(fx, "cara");
  REQUIRE(cara.set_ready().ok());
  std::this_thread::sleep_for(600ms);  // time must pass: her idle time reaches the threshold
  auto submitted = fx.submit(phone_call("sales-2", "+1 415 555 0101", kSalesLine));
  INFO(describe(submitted.status));
  REQUIRE(submitted.ok());
  CHECK(submitted.value.interaction().state() == v1::OFFERED);
  CHECK(submitted.value.interaction().agent() == "cara");
}

}  // namespace router::it
