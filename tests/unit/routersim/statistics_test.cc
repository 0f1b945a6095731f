// routersim's statistics helpers: Student-t intervals over replications and percentiles.
#include "tools/routersim/statistics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "tools/routersim/simulation.h"

namespace router::sim {

TEST_CASE("the t quantile is tabulated to 30 degrees of freedom and normal beyond", "[routersim]") {
  CHECK(t_quantile_975(1) == Approx(12.706));
  CHECK(t_quantile_975(9) == Approx(2.262));
  CHECK(t_quantile_975(30) == Approx(2.042));
  CHECK(t_quantile_975(31) == Approx(1.96));
  CHECK(t_quantile_975(1000) == Approx(1.96));
  CHECK_THROWS(t_quantile_975(0));
}

TEST_CASE("an estimate is the mean with a Student-t half-width over replications", "[routersim]") {
  SECTION("five observations use t with 4 degrees of freedom") {
    const std::vector<double> x{1, 2, 3, 4, 5};
    const Estimate e = estimate(x);
    CHECK(e.mean == Approx(3.0));
    // s = sqrt(2.5); t(4) = 2.776.
    CHECK(e.half_width == Approx(2.776 * std::sqrt(2.5) / std::sqrt(5.0)));
  }
  SECTION("identical observations have no spread") {
    const std::vector<double> x{0.8, 0.8, 0.8};
    CHECK(estimate(x).mean == Approx(0.8));
    CHECK(estimate(x).half_width == Approx(0.0).margin(1e-12));
  }
  SECTION("one observation gives no interval, none gives zero") {
    const std::vector<double> one{42.0};
    CHECK(estimate(one).mean == 42.0);
    CHECK(estimate(one).half_width == 0.0);
    CHECK(estimate(std::vector<double>{}).mean == 0.0);
  }
}

TEST_CASE("percentiles interpolate linearly between closest ranks", "[routersim]") {
  std::vector<double> x{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  CHECK(percentile(x, 0.9) == Approx(9.1));  // rank 8.1 of 0..9
  CHECK(percentile(x, 0.5) == Approx(5.5));
  CHECK(percentile(x, 0.0) == Approx(1.0));
  CHECK(percentile(x, 1.0) == Approx(10.0));
  std::vector<double> one{3.0};
  CHECK(percentile(one, 0.9) == 3.0);
  std::vector<double> none;
  CHECK(percentile(none, 0.9) == 0.0);
  std::vector<double> ties{0, 0, 0, 0, 0, 0, 0, 0, 0, 20};
  CHECK(percentile(ties, 0.9) == Approx(2.0));
}

}  // namespace router::sim
