// Small statistics for routersim's results: Student-t confidence intervals over independent
// replications and the percentile of a sample. Pure functions on values; thread-safe.
#pragma once

#include <span>
#include <vector>

namespace router::sim {

struct Estimate;

// The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95%): tabulated for
// df 1..30, 1.96 (the normal quantile) beyond. REQUIRES: df >= 1.
double t_quantile_975(int df);

// Mean and 95% half-width t(n-1) * s / sqrt(n) of independent observations (one per
// replication). Fewer than two observations: half-width 0 (no interval can be given); none:
// mean 0.
Estimate estimate(std::span<const double> samples);

// The p-quantile (0 <= p <= 1) of `values` by linear interpolation between closest ranks
// (Hyndman-Fan type 7, the default of R and NumPy). Reorders `values`. Empty: 0.
double percentile(std::vector<double>& values, double p);

}  // namespace router::sim
