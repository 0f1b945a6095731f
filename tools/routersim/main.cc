// routersim: "what service level will this routing configuration give under this workload?",
// answered by running the real engine in simulated time. The composition root: reads the two
// files, runs the simulation(s), prints the report.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "tools/routersim/report.h"
#include "tools/routersim/simulation.h"
#include "tools/routersim/tune.h"

namespace {

using router::sim::Policy;

constexpr Policy kAllPolicies[] = {Policy::kPoints, Policy::kFifoLongestIdle, Policy::kFewestCalls,
                                   Policy::kRandom, Policy::kStaticPriority,  Policy::kRoundRobin,
                                   Policy::kRingAll};

int fail(const std::string& message) {
  std::cerr << "routersim: error: " << message << '\n';
  return 1;
}

// "replication k/N" on stderr once a run has taken over a second (short runs stay quiet):
// rewritten in place on a terminal, otherwise a line every few seconds and one at the end.
class Progress {
 public:
  explicit Progress(std::string label)
      : label_(std::move(label)),
        tty_(isatty(STDERR_FILENO) != 0),
        start_(std::chrono::steady_clock::now()) {}
  ~Progress() {
    if (shown_ && tty_) std::cerr << '\n';
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void operator()(int done, int total) {
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1)) return;
    const auto every = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    if (shown_ && now - last_ < every && done != total) return;
    shown_ = true;
    last_ = now;
    std::cerr << (tty_ ? "\r" : "") << "routersim: " << label_ << " replication " << done << '/'
              << total << (tty_ ? "" : "\n") << std::flush;
  }

 private:
  std::string label_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

int run(int argc, char** argv) {
  CLI::App app{
      "routersim: runs the routing engine in simulated time on a routing configuration and a "
      "workload, and reports per queue and per call type offered, answered, abandoned, service "
      "level, ASA, mean and 90th-percentile wait and abandon rate, with 95% confidence "
      "intervals over independent replications."};
  std::string config_path;
  std::string workload_path;
  std::string policy_name = "points";
  bool compare = false;
  std::optional<int> replications;
  std::optional<uint64_t> seed;
  bool json = false;
  std::string svg_path;
  bool tune = false;
  std::string objective_name = "worst_sl";
  std::vector<std::string> tune_terms;
  router::sim::TuneOptions tune_options;
  std::string tune_out;

  app.add_option("CONFIG", config_path,
                 "routing configuration (YAML or JSON, the file routerd reads)")
      ->required();
  app.add_option("WORKLOAD", workload_path,
                 "workload: call types, arrival rates, handle times, patience (YAML or JSON)")
      ->required();
  auto* policy_opt =
      app.add_option("--policy", policy_name,
                     "routing policy: points (the configuration's weights), fifo_longest_idle, "
                     "fewest_calls, random, static_priority, round_robin, ring_all")
          ->capture_default_str();
  app.add_flag("--compare", compare,
               "run every policy on the same workload and random numbers; print them side by "
               "side")
      ->excludes(policy_opt);
  app.add_option("--replications", replications,
                 "independent replications (overrides the workload's 'replications')")
      ->check(CLI::Range(1, 10000));
  app.add_option("--seed", seed, "first replication's seed (overrides the workload's 'seed')");
  app.add_flag("--json", json, "print JSON on stdout instead of the table");
  app.add_option("--svg", svg_path,
                 "also write an SVG chart (service level and wait distribution per queue)");
  auto* tune_opt = app.add_flag(
      "--tune", tune,
      "search the router-wide weights (default_weights) for the ones that maximize --objective "
      "on this center and workload (coordinate search on common random numbers), then compare "
      "them with the configuration's weights on --replications fresh seeds, with a 95% paired "
      "bootstrap interval for the gain");
  tune_opt->excludes(policy_opt);
  app.add_option("--objective", objective_name,
                 "--tune's objective: worst_sl (the worst call type's SL minus its queue's "
                 "target, maximized) or wait_cost (wait seconds plus --abandon-cost-s per "
                 "abandon, per offered contact, minimized)")
      ->capture_default_str()
      ->needs(tune_opt);
  app.add_option("--tune-terms", tune_terms,
                 "--tune: the weights searched, by their configuration names (default: "
                 "skill_fit priority wait service_level agent_idle urgency)")
      ->delimiter(',')
      ->needs(tune_opt);
  app.add_option("--abandon-cost-s", tune_options.abandon_cost_s,
                 "--objective wait_cost: what an abandon costs, in seconds of waiting")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6))
      ->needs(tune_opt);
  app.add_option("--search-replications", tune_options.search_replications,
                 "--tune: replications per candidate during the search (the same seeds for "
                 "every candidate)")
      ->capture_default_str()
      ->check(CLI::Range(2, 10000))
      ->needs(tune_opt);
  app.add_option("--rounds", tune_options.rounds,
                 "--tune: search rounds at most (a round that changes nothing ends it)")
      ->capture_default_str()
      ->check(CLI::Range(1, 20))
      ->needs(tune_opt);
  app.add_option("--tune-out", tune_out,
                 "--tune: also write the tuned weights as a default_weights configuration "
                 "fragment to this file")
      ->needs(tune_opt);
  app.footer(
      "Replication r uses seed S+r-1; the same files and seed give the same results. Progress "
      "goes to stderr for runs over a second. Exit status: 0 ok, 1 bad input or simulation "
      "error, other non-zero: bad command line.\n");
  CLI11_PARSE(app, argc, argv);
  if (tune && (compare || json || !svg_path.empty())) {
    return fail("--tune: not with --compare, --json or --svg");
  }

  std::vector<Policy> policies;
  if (compare) {
    policies.assign(std::begin(kAllPolicies), std::end(kAllPolicies));
  } else {
    const auto p = router::sim::policy_from_string(policy_name);
    if (!p) {
      return fail("--policy: unknown policy '" + policy_name +
                  "' (points, fifo_longest_idle, fewest_calls, random, static_priority, "
                  "round_robin, ring_all)");
    }
    policies.push_back(*p);
  }

  auto model = router::adapters::config::load_routing_config(config_path);
  if (!model) return fail(model.error().message);
  auto workload = router::sim::load_workload(workload_path);
  if (!workload) return fail(workload.error().message);
  if (replications) workload.value().replications = *replications;
  if (seed) workload.value().seed = *seed;

  if (tune) {
    const auto objective = router::sim::objective_from_string(objective_name);
    if (!objective) {
      return fail("--objective: unknown objective '" + objective_name + "' (worst_sl, wait_cost)");
    }
    tune_options.objective = *objective;
    for (const std::string& name : tune_terms) {
      const auto term = router::sim::term_from_weight_key(name);
      if (!term) {
        return fail("--tune-terms: unknown weight '" + name +
                    "' (the names under default_weights in the configuration)");
      }
      tune_options.terms.push_back(*term);
    }
    tune_options.check_replications = workload.value().replications;
    std::ofstream fragment;
    if (!tune_out.empty()) {  // before the search: a bad path fails at once, not after it
      fragment.open(tune_out, std::ios::binary | std::ios::trunc);
      if (!fragment) return fail(tune_out + ": cannot write the configuration fragment");
    }
    auto r = router::sim::tune(*model, *workload, tune_options, [](const std::string& line) {
      std::cerr << "routersim: " << line << '\n' << std::flush;
    });
    if (!r) return fail(workload_path + ": " + r.error().message);
    std::cout << router::sim::format_tune(*r);
    if (!tune_out.empty()) {
      fragment << router::sim::tune_fragment(*r, config_path, workload_path);
      fragment.close();
      if (!fragment) return fail(tune_out + ": cannot write the configuration fragment");
    }
    return 0;
  }

  std::vector<router::sim::Results> results;
  for (Policy p : policies) {
    Progress progress{std::string(router::sim::to_string(p))};
    auto r = router::sim::simulate(*model, *workload, p,
                                   [&](int done, int total) { progress(done, total); });
    if (!r) return fail(workload_path + ": " + r.error().message);
    results.push_back(std::move(r).value());
  }

  if (json) {
    std::cout << router::sim::to_json(results);
  } else if (compare) {
    std::cout << router::sim::format_comparison(results);
  } else {
    std::cout << router::sim::format_table(results.front());
  }
  if (!svg_path.empty()) {
    std::ofstream out(svg_path, std::ios::binary | std::ios::trunc);
    out << router::sim::to_svg(results);
    out.close();
    if (!out) return fail(svg_path + ": cannot write the SVG file");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug or out of memory: say so rather than abort
    return fail(std::string("internal error: ") + e.what());
  }
}
