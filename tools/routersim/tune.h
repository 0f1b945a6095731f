// routersim --tune: searches the router-wide points weights (default_weights) for one center and
// workload, on the real engine and common random numbers, for the weights that maximize a stated
// objective; then measures the winner against the configuration's own weights on fresh seeds
// the search never saw, with a paired bootstrap confidence interval for the gain.
//
// The search is coordinate descent on a multiplicative grid: each chosen term in turn tries
// 0, ¼, ½, 2 and 4 times its current weight (a term at 0 tries a scale of its own) on the same
// `search_replications` seeds, keeping a change only when it raises the objective; rounds repeat
// until one changes nothing or `rounds` are done. Selection on the search seeds is biased
// upwards, so only the check on fresh seeds is reported as the gain.
// Pure computation on the calling thread (simulate() per replication); deterministic.
#pragma once

#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "engine/model.h"
#include "tools/routersim/simulation.h"

namespace router::sim {

enum class Objective : uint8_t {
  // The worst call type's margin over its queue's service-level target: min over call types of
  // (mean SL − target). Maximized: no class left behind.
  kWorstServiceLevel,
  // The mean cost per offered contact, wait seconds + abandon_cost_s per abandon, over all call
  // types (weighted by their volume). Minimized (the objective is its negative).
  kWaitCost,
};
std::string_view to_string(Objective o);
std::optional<Objective> objective_from_string(std::string_view name);

struct TuneOptions {
  std::vector<engine::Term> terms;  // the weights searched; empty: kDefaultTuneTerms
  Objective objective = Objective::kWorstServiceLevel;
  double abandon_cost_s = 300.0;  // kWaitCost: an abandon costs this many seconds of waiting
  int search_replications = 20;   // per candidate, seeds seed .. seed + n − 1
  int check_replications = 100;   // winner against defaults, on seeds no candidate ran
  int rounds = 3;
  int bootstrap_resamples = 2000;
};
// Terms that act on who is served first or by whom in any center (not customer data).
inline constexpr engine::Term kDefaultTuneTerms[] = {
    engine::Term::kSkillFit,     engine::Term::kPriority, engine::Term::kWait,
    engine::Term::kServiceLevel, engine::Term::kIdle,     engine::Term::kUrgency};

// Per call type, on the check seeds: the configuration's weights against the tuned ones.
struct TunedClass {
  std::string name;
  double target = 0.0;  // its queue's service-level target
  Estimate sl_default, sl_tuned;
  Estimate asa_default, asa_tuned;
  Estimate abandon_default, abandon_tuned;
};

struct TuneResult {
  Objective objective = Objective::kWorstServiceLevel;
  std::vector<engine::Term> terms;
  engine::Weights defaults;  // the configuration's (router-wide)
  engine::Weights tuned;
  int candidates = 0;                               // evaluated during the search
  int rounds = 0;                                   // run
  double search_default = 0.0, search_tuned = 0.0;  // the objective on the search seeds
  double check_default = 0.0, check_tuned = 0.0;    // ... and on the check seeds
  double gain_low = 0.0, gain_high = 0.0;           // 95% paired bootstrap interval of check gain
  uint64_t check_seed = 0;                          // first check seed
  int check_replications = 0;
  std::vector<TunedClass> classes;
  std::vector<std::string> warnings;  // e.g. a queue overriding a tuned term
  double wall_s = 0.0;
};

// Progress: a line per candidate evaluated and per check phase.
using TuneProgressFn = std::function<void(const std::string& line)>;

// Errors: as simulate(); an objective needing a call type and none given.
engine::Result<TuneResult> tune(const adapters::config::RoutingModel& model,
                                const Workload& workload, const TuneOptions& options,
                                const TuneProgressFn& progress = {});

// The weight's name in the configuration file (proto field of v1::Weights), e.g. "agent_idle".
std::string_view weight_key(engine::Term t);
std::optional<engine::Term> term_from_weight_key(std::string_view key);

// The report: tuned weights against the defaults, the objective on both seed sets with the
// gain's interval, and per call type SL / ASA / abandonment.
std::string format_tune(const TuneResult& result);
// A configuration fragment: `default_weights:` with every tuned term, commented with how it was
// found. Paste it into the routing configuration in place of its default_weights.
std::string tune_fragment(const TuneResult& result, const std::string& config_path,
                          const std::string& workload_path);

}  // namespace router::sim
