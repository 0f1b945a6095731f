// routersim's output: a terminal table, JSON, an SVG chart, and the side-by-side comparison of
// policies. Pure formatting of Results into strings; the caller writes them. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tools/routersim/simulation.h"

namespace router::sim {

// Per queue and per call type: offered, answered, abandoned, SL, ASA, mean and p90 wait,
// abandon rate, each as mean ± 95% half-width; a header with occupancy and speed.
std::string format_table(const Results& results);

// Every policy side by side: service level, ASA and abandon rate per call type (and per
// queue), one column per policy. REQUIRES: all results come from the same workload.
std::string format_comparison(const std::vector<Results>& results);

// One object for one result; {"policies": [...]} for several. Estimates are
// {"mean": x, "half_width": y}; rates are fractions, times seconds.
std::string to_json(const std::vector<Results>& results);

// A self-contained SVG: service level per queue (a bar per policy, 95% whiskers) above the
// cumulative wait distribution per queue (a line per queue and policy).
std::string to_svg(const std::vector<Results>& results);

}  // namespace router::sim
