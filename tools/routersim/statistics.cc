// Student-t intervals and percentiles for routersim (see statistics.h).
#include "tools/routersim/statistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "tools/routersim/simulation.h"

namespace router::sim {

double t_quantile_975(int df) {
  static constexpr std::array<double, 30> kTable{
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
  };
  if (df < 1) throw std::invalid_argument("t_quantile_975: df must be >= 1");
  if (df <= static_cast<int>(kTable.size())) return kTable[static_cast<size_t>(df - 1)];
  return 1.96;
}

Estimate estimate(std::span<const double> samples) {
  Estimate e;
  if (samples.empty()) return e;
  const double n = static_cast<double>(samples.size());
  double sum = 0.0;
  for (double x : samples) sum += x;
  e.mean = sum / n;
  if (samples.size() < 2) return e;
  double ss = 0.0;
  for (double x : samples) ss += (x - e.mean) * (x - e.mean);
  const double sd = std::sqrt(ss / (n - 1.0));
  e.half_width = t_quantile_975(static_cast<int>(samples.size()) - 1) * sd / std::sqrt(n);
  return e;
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0.0;
  p = std::clamp(p, 0.0, 1.0);
  const double h = p * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double lo_value = values[lo];
  if (lo + 1 >= values.size()) return lo_value;
  // The next order statistic is the smallest of the elements after the lo-th.
  const double hi_value =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
  return lo_value + (h - static_cast<double>(lo)) * (hi_value - lo_value);
}

}  // namespace router::sim
