// The queueing formulas routersim is validated against, checked against the reference
// values and against each other (limits and identities), so the yardstick is itself measured.
#include "tools/routersim/erlang.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace router::sim {
namespace {

QueueModel mmn(double load_erlangs, double aht_s, int agents) {
  return QueueModel{load_erlangs / aht_s, aht_s, agents, std::nullopt};
}

QueueModel mmn_m(double load_erlangs, double aht_s, int agents, double patience_s) {
  return QueueModel{load_erlangs / aht_s, aht_s, agents, patience_s};
}

}  // namespace

TEST_CASE("Erlang B and C match hand-computed small cases", "[erlang]") {
  // One server: B = A/(1+A), C = A (the M/M/1 probability of waiting is ρ).
  CHECK(erlang_b(1, 0.5) == Approx(0.5 / 1.5));
  CHECK(erlang_c(1, 0.5) == Approx(0.5));
  // Two servers, A = 1: B = (1/2)/(1 + 1 + 1/2) = 0.2; C = 2·0.2/(2 − 0.8) = 1/3.
  CHECK(erlang_b(2, 1.0) == Approx(0.2));
  CHECK(erlang_c(2, 1.0) == Approx(1.0 / 3.0));
  CHECK(erlang_c(5, 5.0) == 1.0);
  // Large loads stay finite and in range (no factorials, no overflow).
  const double c = erlang_c(5100, 5000.0);
  CHECK(c > 0.0);
  CHECK(c < 1.0);
}

TEST_CASE("Erlang C: A = 10 erlangs, AHT 180 s, 13 agents gives the issue's reference values",
          "[erlang]") {
  auto m = queue_metrics(mmn(10, 180, 13), 20);
  REQUIRE(m.ok());
  CHECK(m->p_wait == Approx(0.285).margin(0.0005));
  CHECK(m->service_level == Approx(0.796).margin(0.0005));
  CHECK(m->asa_s == Approx(17.1).margin(0.05));
  CHECK(m->p_abandon == 0.0);
  CHECK(m->occupancy == Approx(10.0 / 13.0));
}

TEST_CASE("Erlang C: A = 48 erlangs, AHT 240 s, 54 agents gives the issue's reference values",
          "[erlang]") {
  auto m = queue_metrics(mmn(48, 240, 54), 15);
  REQUIRE(m.ok());
  CHECK(m->service_level == Approx(0.793).margin(0.0005));
  CHECK(m->asa_s == Approx(12.0).margin(0.06));
}

TEST_CASE("Erlang A: mean patience 120 s, A = 48 erlangs, AHT 240 s, 50 agents abandons 4.8%",
          "[erlang]") {
  auto m = queue_metrics(mmn_m(48, 240, 50, 120), 15);
  REQUIRE(m.ok());
  CHECK(m->p_abandon == Approx(0.048).margin(0.0005));
  // Fewer agents than the load is fine once callers abandon.
  auto over = queue_metrics(mmn_m(48, 240, 40, 120), 15);
  REQUIRE(over.ok());
  CHECK(over->p_abandon > 0.15);
  CHECK(over->occupancy < 1.0);
}

TEST_CASE("Erlang A tends to Erlang C as patience grows", "[erlang]") {
  SECTION("A = 10, N = 13") {
    auto c = queue_metrics(mmn(10, 180, 13), 20);
    auto a = queue_metrics(mmn_m(10, 180, 13, 1e9), 20);
    REQUIRE(c.ok());
    REQUIRE(a.ok());
    CHECK(a->p_wait == Approx(c->p_wait).epsilon(1e-6));
    CHECK(a->service_level == Approx(c->service_level).epsilon(1e-6));
    CHECK(a->asa_s == Approx(c->asa_s).epsilon(1e-5));
    CHECK(a->p_abandon < 1e-6);
  }
  SECTION("A = 48, N = 54") {
    auto c = queue_metrics(mmn(48, 240, 54), 15);
    auto a = queue_metrics(mmn_m(48, 240, 54, 1e9), 15);
    REQUIRE(c.ok());
    REQUIRE(a.ok());
    CHECK(a->service_level == Approx(c->service_level).epsilon(1e-6));
    CHECK(a->asa_s == Approx(c->asa_s).epsilon(1e-5));
  }
}

TEST_CASE("Erlang A with patience equal to the handle time is an infinite-server system",
          "[erlang]") {
  // θ = μ: every caller in the system leaves at rate μ whether waiting or served, so the
  // number in system is Poisson(A) and P(wait) = P(Poisson(A) ≥ N).
  const double load = 8.0;
  const int agents = 10;
  auto m = queue_metrics(mmn_m(load, 100, agents, 100), 20);
  REQUIRE(m.ok());
  double below = 0.0;
  double term = std::exp(-load);
  for (int k = 0; k < agents; ++k) {
    below += term;
    term *= load / (k + 1);
  }
  CHECK(m->p_wait == Approx(1.0 - below).epsilon(1e-9));
}

TEST_CASE("Erlang A's answer-side and abandon-side accounts agree", "[erlang]") {
  // P(abandon) = θ·E[queue]/λ comes from the chain; SL(∞) = P(answered) comes from the tagged
  // caller's race against its patience. They must add to one.
  for (int agents : {45, 50, 55}) {
    auto m = queue_metrics(mmn_m(48, 240, agents, 120), 1e5);
    REQUIRE(m.ok());
    CHECK(m->service_level + m->p_abandon == Approx(1.0).epsilon(1e-7));
    // Service level grows with the threshold and never exceeds the answered share.
    auto at_20 = queue_metrics(mmn_m(48, 240, agents, 120), 20);
    auto at_60 = queue_metrics(mmn_m(48, 240, agents, 120), 60);
    REQUIRE(at_20.ok());
    REQUIRE(at_60.ok());
    CHECK(at_20->service_level < at_60->service_level);
    CHECK(at_60->service_level <= m->service_level + 1e-12);
    CHECK(at_20->service_level >= 1.0 - at_20->p_wait);
  }
}

TEST_CASE("queue_metrics rejects what it cannot compute, naming the field", "[erlang]") {
  auto overload = queue_metrics(mmn(14, 180, 13), 20);
  REQUIRE_FALSE(overload.ok());
  CHECK(overload.error().message.rfind("agents:", 0) == 0);
  auto no_rate = queue_metrics(QueueModel{0.0, 180, 13, std::nullopt}, 20);
  REQUIRE_FALSE(no_rate.ok());
  CHECK(no_rate.error().message.rfind("arrival_per_s:", 0) == 0);
  auto bad_patience = queue_metrics(mmn_m(10, 180, 13, -1), 20);
  REQUIRE_FALSE(bad_patience.ok());
  CHECK(bad_patience.error().message.rfind("patience_mean_s:", 0) == 0);
}

TEST_CASE("staffing finds the fewest agents reaching the target service level", "[erlang]") {
  const QueueModel load = mmn(48, 240, 0);
  auto n = agents_for_service_level(load, 15, 0.8);
  REQUIRE(n.ok());
  QueueModel at = load;
  at.agents = *n;
  QueueModel below = load;
  below.agents = *n - 1;
  CHECK(queue_metrics(at, 15)->service_level >= 0.8);
  CHECK(queue_metrics(below, 15)->service_level < 0.8);
  CHECK(*n == 55);  // 54 agents give 79.3% (the reference case above)

  // Abandonment relieves the queue: Erlang A needs no more agents than Erlang C.
  auto with_patience = agents_for_service_level(mmn_m(48, 240, 0, 120), 15, 0.8);
  REQUIRE(with_patience.ok());
  CHECK(*with_patience <= *n);

  CHECK_FALSE(agents_for_service_level(load, 15, 0.8, 50).ok());
  CHECK_FALSE(agents_for_service_level(load, 15, 1.0).ok());
}

}  // namespace router::sim
