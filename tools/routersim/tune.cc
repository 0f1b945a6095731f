// routersim --tune: coordinate search over the router-wide weights on common random numbers,
// then a check of the winner on fresh seeds with a paired bootstrap interval. See tune.h.
#include "tools/routersim/tune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "router/v1/config.pb.h"
#include "tools/routersim/statistics.h"

namespace router::sim {
namespace {

using engine::Term;

// What an objective reads of one call type in one replication.
struct ClassRep {
  double service_level = 0.0;
  double asa_s = 0.0;
  double abandon_rate = 0.0;
  double wait_mean_s = 0.0;
  double offered = 0.0;
};
using Rep = std::vector<ClassRep>;  // one per call type

// The first check seed: far from the search seeds (seed .. seed + search_replications − 1).
constexpr uint64_t kCheckSeedOffset = 1'000'000;

// The weight a term at 0 starts its search from: its default where it has one, else a value
// of the same reach (a few points).
double search_scale(Term t) {
  const double d = engine::Weights{}[t];
  if (d > 0) return d;
  switch (t) {
    case Term::kHandled: return 0.5;
    case Term::kRandom: return 5.0;
    case Term::kUrgency: return 10.0;
    case Term::kRoundRobin: return 5.0;
    default: return 1.0;
  }
}

engine::Result<std::vector<Rep>> run_replications(const adapters::config::RoutingModel& model,
                                                  const Workload& workload, uint64_t first_seed,
                                                  int count) {
  Workload one = workload;
  one.replications = 1;
  std::vector<Rep> reps;
  reps.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    one.seed = first_seed + static_cast<uint64_t>(i);
    auto r = simulate(model, one, Policy::kPoints);
    if (!r) return r.error();
    Rep rep;
    for (const Outcome& c : r->call_types) {
      rep.push_back({c.service_level.mean, c.asa_s.mean, c.abandon_rate.mean, c.wait_mean_s.mean,
                     c.offered.mean});
    }
    reps.push_back(std::move(rep));
  }
  return reps;
}

// The objective over the replications `pick` names (a bootstrap resample, or all of them).
double objective(const std::vector<Rep>& reps, const std::vector<size_t>& pick,
                 const std::vector<double>& targets, const TuneOptions& options) {
  if (options.objective == Objective::kWorstServiceLevel) {
    double worst = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < targets.size(); ++c) {
      double sum = 0.0;
      for (size_t i : pick) sum += reps[i][c].service_level;
      worst = std::min(worst, sum / static_cast<double>(pick.size()) - targets[c]);
    }
    return worst;
  }
  double cost = 0.0;
  double offered = 0.0;
  for (size_t i : pick) {
    for (const ClassRep& c : reps[i]) {
      cost += c.offered * (c.wait_mean_s + options.abandon_cost_s * c.abandon_rate);
      offered += c.offered;
    }
  }
  return offered > 0 ? -cost / offered : 0.0;
}

std::vector<size_t> all_of(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

Estimate estimate_of(const std::vector<Rep>& reps, size_t c, double ClassRep::*field) {
  std::vector<double> xs;
  xs.reserve(reps.size());
  for (const Rep& r : reps) xs.push_back(r[c].*field);
  return estimate(xs);
}

std::string weight_text(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", w);
  return buf;
}

std::string objective_text(Objective o, double v) {
  char buf[64];
  if (o == Objective::kWorstServiceLevel) {
    std::snprintf(buf, sizeof buf, "%+.2f points", v * 100.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", -v);
  }
  return buf;
}

// The check's gain with its interval, in the objective's unit.
std::string gain_text(const TuneResult& r) {
  char buf[160];
  if (r.objective == Objective::kWorstServiceLevel) {
    std::snprintf(buf, sizeof buf,
                  "gain %+.2f points, 95%% paired bootstrap interval [%+.2f, %+.2f] points",
                  (r.check_tuned - r.check_default) * 100, r.gain_low * 100, r.gain_high * 100);
  } else {  // the objective is the cost negated: a gain lowers the cost
    std::snprintf(buf, sizeof buf,
                  "cost %+.2f s per contact, 95%% paired bootstrap interval [%+.2f, %+.2f] s "
                  "(negative: cheaper)",
                  r.check_default - r.check_tuned, -r.gain_high, -r.gain_low);
  }
  return buf;
}

}  // namespace

std::string_view to_string(Objective o) {
  return o == Objective::kWorstServiceLevel ? "worst_sl" : "wait_cost";
}

std::optional<Objective> objective_from_string(std::string_view name) {
  if (name == "worst_sl") return Objective::kWorstServiceLevel;
  if (name == "wait_cost") return Objective::kWaitCost;
  return std::nullopt;
}

std::string_view weight_key(Term t) {
  // v1::Weights numbers its fields in the engine's term order, from 1.
  const auto* field = v1::Weights::descriptor()->FindFieldByNumber(static_cast<int>(t) + 1);
  return field != nullptr ? std::string_view(field->name()) : std::string_view("?");
}

std::optional<Term> term_from_weight_key(std::string_view key) {
  for (int t = 0; t < engine::kTermCount; ++t) {
    if (weight_key(static_cast<Term>(t)) == key) return static_cast<Term>(t);
  }
  return std::nullopt;
}

engine::Result<TuneResult> tune(const adapters::config::RoutingModel& model,
                                const Workload& workload, const TuneOptions& options,
                                const TuneProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  if (options.search_replications < 2 || options.check_replications < 2) {
    return engine::invalid_argument("--tune needs at least 2 search and 2 check replications");
  }
  if (workload.call_types.empty()) return engine::invalid_argument("call_types: none given");

  TuneResult result;
  result.objective = options.objective;
  result.terms = options.terms.empty()
                     ? std::vector<Term>(std::begin(kDefaultTuneTerms), std::end(kDefaultTuneTerms))
                     : options.terms;
  result.defaults = model.router.default_weights;
  result.tuned = result.defaults;

  std::vector<double> targets;
  for (const CallType& c : workload.call_types) {
    const auto q = std::find_if(model.queues.begin(), model.queues.end(),
                                [&](const engine::QueueConfig& x) { return x.name == c.queue; });
    targets.push_back(q != model.queues.end() ? q->service_level.fraction : 0.0);
  }
  for (const engine::QueueConfig& q : model.queues) {
    for (Term t : result.terms) {
      if (q.weights[t]) {
        result.warnings.push_back("queue '" + q.name + "' sets its own " +
                                  std::string(weight_key(t)) +
                                  ": the tuned router-wide weight does not reach it");
      }
    }
  }

  adapters::config::RoutingModel candidate = model;
  auto evaluate = [&](const engine::Weights& w, uint64_t seed,
                      int count) -> engine::Result<std::vector<Rep>> {
    candidate.router.default_weights = w;
    return run_replications(candidate, workload, seed, count);
  };
  const auto search_pick = all_of(static_cast<size_t>(options.search_replications));

  auto base = evaluate(result.defaults, workload.seed, options.search_replications);
  if (!base) return base.error();
  result.search_default = objective(*base, search_pick, targets, options);
  double best = result.search_default;
  say("defaults: " + objective_text(options.objective, best) + " on " +
      std::to_string(options.search_replications) + " search replications");

  for (int round = 1; round <= options.rounds; ++round) {
    result.rounds = round;
    bool changed = false;
    for (Term t : result.terms) {
      const double current = result.tuned[t];
      std::vector<double> tries;
      if (current > 0) {
        tries = {0.0, current / 4, current / 2, current * 2, current * 4};
      } else {
        const double s = search_scale(t);
        tries = {s / 4, s, s * 4};
      }
      for (double value : tries) {
        engine::Weights w = result.tuned;
        w[t] = value;
        auto reps = evaluate(w, workload.seed, options.search_replications);
        if (!reps) return reps.error();
        ++result.candidates;
        const double v = objective(*reps, search_pick, targets, options);
        // Common random numbers make small differences real for these seeds; the check on
        // fresh seeds says whether they hold.
        if (v > best + 1e-9) {
          best = v;
          result.tuned = w;
          changed = true;
          say("round " + std::to_string(round) + ": " + std::string(weight_key(t)) + " " +
              weight_text(current) + " -> " + weight_text(value) + ": " +
              objective_text(options.objective, v));
        }
      }
    }
    if (!changed) break;
  }
  result.search_tuned = best;

  // The check: both weight sets on seeds no candidate ran, paired replication by replication.
  result.check_seed = workload.seed + kCheckSeedOffset;
  result.check_replications = options.check_replications;
  say("check: defaults and tuned weights on " + std::to_string(options.check_replications) +
      " fresh replications");
  auto check_default = evaluate(result.defaults, result.check_seed, options.check_replications);
  if (!check_default) return check_default.error();
  auto check_tuned = evaluate(result.tuned, result.check_seed, options.check_replications);
  if (!check_tuned) return check_tuned.error();
  const auto check_pick = all_of(static_cast<size_t>(options.check_replications));
  result.check_default = objective(*check_default, check_pick, targets, options);
  result.check_tuned = objective(*check_tuned, check_pick, targets, options);

  // Paired bootstrap: resample replications (the same ones for both), the objective's gain.
  std::mt19937_64 rng(workload.seed ^ 0x7475'6e65ULL);
  std::uniform_int_distribution<size_t> draw(0, check_pick.size() - 1);
  std::vector<double> gains;
  gains.reserve(static_cast<size_t>(options.bootstrap_resamples));
  std::vector<size_t> pick(check_pick.size());
  for (int b = 0; b < options.bootstrap_resamples; ++b) {
    for (size_t& i : pick) i = draw(rng);
    gains.push_back(objective(*check_tuned, pick, targets, options) -
                    objective(*check_default, pick, targets, options));
  }
  auto sorted = gains;
  result.gain_low = percentile(sorted, 0.025);
  sorted = gains;
  result.gain_high = percentile(sorted, 0.975);

  for (size_t c = 0; c < workload.call_types.size(); ++c) {
    TunedClass k;
    k.name = workload.call_types[c].name;
    k.target = targets[c];
    k.sl_default = estimate_of(*check_default, c, &ClassRep::service_level);
    k.sl_tuned = estimate_of(*check_tuned, c, &ClassRep::service_level);
    k.asa_default = estimate_of(*check_default, c, &ClassRep::asa_s);
    k.asa_tuned = estimate_of(*check_tuned, c, &ClassRep::asa_s);
    k.abandon_default = estimate_of(*check_default, c, &ClassRep::abandon_rate);
    k.abandon_tuned = estimate_of(*check_tuned, c, &ClassRep::abandon_rate);
    result.classes.push_back(std::move(k));
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string format_tune(const TuneResult& r) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "routersim --tune: objective %s; %d candidates in %d round(s), %.1f s\n\n",
                std::string(to_string(r.objective)).c_str(), r.candidates, r.rounds, r.wall_s);
  out += buf;
  out += "weight             default      tuned\n";
  for (Term t : r.terms) {
    std::snprintf(buf, sizeof buf, "%-16s %9s  %9s%s\n", std::string(weight_key(t)).c_str(),
                  weight_text(r.defaults[t]).c_str(), weight_text(r.tuned[t]).c_str(),
                  r.defaults[t] != r.tuned[t] ? "  *" : "");
    out += buf;
  }
  const char* what = r.objective == Objective::kWorstServiceLevel
                         ? "worst call type's SL minus its target"
                         : "wait cost per offered contact (lower is better)";
  std::snprintf(buf, sizeof buf, "\n%s:\n", what);
  out += buf;
  std::snprintf(buf, sizeof buf, "  search seeds (chosen on, biased): default %s, tuned %s\n",
                objective_text(r.objective, r.search_default).c_str(),
                objective_text(r.objective, r.search_tuned).c_str());
  out += buf;
  std::snprintf(buf, sizeof buf,
                "  check seeds %llu.. (%d fresh replications): default %s, tuned %s\n",
                static_cast<unsigned long long>(r.check_seed), r.check_replications,
                objective_text(r.objective, r.check_default).c_str(),
                objective_text(r.objective, r.check_tuned).c_str());
  out += buf;
  out += "  " + gain_text(r) + "\n";
  out += "\ncheck seeds, mean ± 95% half-width       default              tuned\n";
  for (const TunedClass& c : r.classes) {
    std::snprintf(buf, sizeof buf,
                  "%-10s SL (target %3.0f%%)   %6.1f%% ± %.1f     %6.1f%% ± %.1f\n", c.name.c_str(),
                  c.target * 100, c.sl_default.mean * 100, c.sl_default.half_width * 100,
                  c.sl_tuned.mean * 100, c.sl_tuned.half_width * 100);
    out += buf;
    std::snprintf(buf, sizeof buf, "%-10s ASA (s)             %7.1f ± %.1f     %7.1f ± %.1f\n", "",
                  c.asa_default.mean, c.asa_default.half_width, c.asa_tuned.mean,
                  c.asa_tuned.half_width);
    out += buf;
    std::snprintf(buf, sizeof buf, "%-10s abandoned           %6.1f%% ± %.1f     %6.1f%% ± %.1f\n",
                  "", c.abandon_default.mean * 100, c.abandon_default.half_width * 100,
                  c.abandon_tuned.mean * 100, c.abandon_tuned.half_width * 100);
    out += buf;
  }
  for (const std::string& w : r.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string tune_fragment(const TuneResult& r, const std::string& config_path,
                          const std::string& workload_path) {
  std::string out;
  char buf[256];
  out += "# routersim --tune (objective " + std::string(to_string(r.objective)) + ") on " +
         config_path + " and " + workload_path + ".\n";
  std::snprintf(buf, sizeof buf, "# Check on %d fresh replications: default %s, tuned %s.\n",
                r.check_replications, objective_text(r.objective, r.check_default).c_str(),
                objective_text(r.objective, r.check_tuned).c_str());
  out += buf;
  out += "# " + gain_text(r) + "\n";
  out +=
      "# Replaces the configuration's default_weights section: it lists every term searched and\n"
      "# every other one that differs from the built-in default.\n";
  out += "default_weights:\n";
  for (int t = 0; t < engine::kTermCount; ++t) {
    const Term term = static_cast<Term>(t);
    const bool searched = std::find(r.terms.begin(), r.terms.end(), term) != r.terms.end();
    if (!searched && r.tuned[term] == engine::Weights{}[term]) continue;
    out += "  " + std::string(weight_key(term)) + ": " + weight_text(r.tuned[term]) + "\n";
  }
  return out;
}

}  // namespace router::sim
