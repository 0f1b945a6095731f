// routersim --tune on a tiny hand-built center whose default weights starve one class: the
// search finds weights that serve the worst class better, the check on fresh seeds confirms it
// with an interval that excludes no gain, the fragment reads back as the same weights, and the
// names and errors are right.
#include "tools/routersim/tune.h"

#include <catch2/catch.hpp>
#include <string>

namespace router::sim {
namespace {

using namespace std::chrono_literals;
using engine::Term;

// Two queues, one skill each; two agents with both skills, short calls (30 s) against a 20 s
// threshold, 75% busy. "vip" calls carry priority 5: at the configuration's 10 points per unit
// they always go first, so "standard" waits behind them (its SL is 15 points below vip's). Which
// caller is taken next decides the SL here: the search has priority, wait and random to mix.
// The weights are set here, not taken from the built-in defaults, so the test stays about the
// search, whatever the defaults are.
adapters::config::RoutingModel starving_center() {
  adapters::config::RoutingModel m;
  m.router.default_weights[Term::kPriority] = 10.0;
  m.router.default_weights[Term::kSkillFit] = 2.0;
  m.router.default_weights[Term::kIdle] = 0.05;
  m.skills = {"vip", "standard"};
  for (uint32_t s = 0; s < 2; ++s) {
    engine::QueueConfig q;
    q.name = m.skills[s];
    q.required_skills = {{engine::SkillId(s), 1}};
    q.wrap_up = 0s;
    q.service_level = {20s, 0.8};
    m.queues.push_back(q);
  }
  for (int a = 0; a < 2; ++a) {
    engine::AgentProfile p;
    p.name = "agent" + std::to_string(a);
    p.skills = {{engine::SkillId(0), 5}, {engine::SkillId(1), 5}};
    m.agents.push_back(p);
  }
  return m;
}

Workload starving_workload() {
  Workload w;
  w.duration_s = 2 * 3600;
  w.warmup_s = 600;
  w.accept_delay_s = 0;
  w.replications = 12;  // the check
  w.seed = 7;
  CallType vip;
  vip.name = "vip";
  vip.queue = "vip";
  vip.per_hour = 90;
  vip.handle = {Distribution::kExponential, 30, 0};
  vip.patience_mean_s = 300;
  vip.priority = 5;
  CallType standard = vip;
  standard.name = "standard";
  standard.queue = "standard";
  standard.priority = 0;
  w.call_types = {vip, standard};
  return w;
}

TuneOptions quick_options() {
  TuneOptions o;
  o.terms = {Term::kPriority, Term::kWait, Term::kRandom};
  o.search_replications = 6;
  o.check_replications = 12;
  o.rounds = 2;
  o.bootstrap_resamples = 500;
  return o;
}

}  // namespace

TEST_CASE(
    "the tuner finds weights that lift the starved class and the check on fresh seeds "
    "confirms the gain",
    "[routersim][tune]") {
  const auto model = starving_center();
  const auto workload = starving_workload();
  std::vector<std::string> lines;
  const auto r = tune(model, workload, quick_options(),
                      [&](const std::string& line) { lines.push_back(line); });
  REQUIRE(r.ok());
  INFO(format_tune(*r));
  CHECK(r->objective == Objective::kWorstServiceLevel);
  CHECK(r->candidates > 0);
  CHECK(r->rounds >= 1);
  // The defaults are the configuration's; the search only changes the terms it was given.
  CHECK(r->defaults[Term::kPriority] == 10.0);
  for (int t = 0; t < engine::kTermCount; ++t) {
    const auto term = static_cast<Term>(t);
    if (term != Term::kPriority && term != Term::kWait && term != Term::kRandom) {
      CHECK(r->tuned[term] == r->defaults[term]);
    }
  }
  // A change is kept only when it raises the objective on the search seeds.
  CHECK(r->search_tuned > r->search_default);
  // Priority's pull is what starves "standard": the winner weakens it, and takes callers in a
  // shuffled order (the random term), which serves more of them within the threshold.
  CHECK(r->tuned[Term::kPriority] < r->defaults[Term::kPriority]);
  CHECK(r->tuned[Term::kRandom] > 0.0);
  // The check on seeds no candidate ran: better, and the paired interval excludes 0.
  CHECK(r->check_seed == workload.seed + 1'000'000);
  CHECK(r->check_replications == 12);
  CHECK(r->check_tuned > r->check_default);
  CHECK(r->gain_low > 0.03);  // at least 3 points of SL for the worst class
  CHECK(r->gain_low <= r->check_tuned - r->check_default);
  CHECK(r->gain_high >= r->check_tuned - r->check_default);
  // The worst class is "standard" under the defaults, and it gains.
  REQUIRE(r->classes.size() == 2);
  CHECK(r->classes[1].name == "standard");
  CHECK(r->classes[1].sl_default.mean < r->classes[0].sl_default.mean);
  CHECK(r->classes[1].sl_tuned.mean > r->classes[1].sl_default.mean);
  CHECK(r->classes[1].target == 0.8);
  // Progress: the defaults, each improvement, the check.
  REQUIRE(lines.size() >= 3);
  CHECK_THAT(lines.front(), Catch::StartsWith("defaults: "));
  CHECK_THAT(lines.back(), Catch::StartsWith("check: "));
}

TEST_CASE("the tuner is deterministic and the wait-cost objective lowers the cost",
          "[routersim][tune]") {
  auto options = quick_options();
  options.objective = Objective::kWaitCost;
  options.abandon_cost_s = 600;
  const auto a = tune(starving_center(), starving_workload(), options);
  const auto b = tune(starving_center(), starving_workload(), options);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  INFO(format_tune(*a));
  CHECK(a->tuned.w == b->tuned.w);
  CHECK(a->check_tuned == b->check_tuned);
  CHECK(a->gain_low == b->gain_low);
  // Costs are negated: the objective is ≤ 0 and the tuned cost is no higher on the search seeds.
  CHECK(a->search_default <= 0.0);
  CHECK(a->search_tuned >= a->search_default);
  CHECK_THAT(format_tune(*a), Catch::Contains("wait cost per offered contact"));
}

TEST_CASE("the tuned fragment reads back as the same router-wide weights", "[routersim][tune]") {
  const auto r = tune(starving_center(), starving_workload(), quick_options());
  REQUIRE(r.ok());
  const std::string fragment = tune_fragment(*r, "center.yaml", "workload.yaml");
  INFO(fragment);
  CHECK_THAT(fragment, Catch::Contains("default_weights:\n"));
  CHECK_THAT(fragment, Catch::Contains("  priority: "));
  CHECK_THAT(fragment, Catch::Contains("  wait: "));
  CHECK_THAT(fragment, Catch::Contains("  random: "));
  const std::string config = R"(skills: [vip, standard]
queues:
  - {name: vip, channels: [PHONE], skills: [{skill: vip, min_level: 1}]}
  - {name: standard, channels: [PHONE], skills: [{skill: standard, min_level: 1}]}
agents:
  - {name: agent0, skills: [{skill: vip, level: 5}, {skill: standard, level: 5}]}
)" + fragment;
  const auto model = adapters::config::parse_routing_config(config, "tuned.yaml");
  INFO((model.ok() ? std::string() : model.error().message));
  REQUIRE(model.ok());
  // %.4g: equal to four significant digits.
  for (Term t : {Term::kPriority, Term::kWait, Term::kRandom}) {
    CHECK(model->router.default_weights[t] == Approx(r->tuned[t]).epsilon(1e-3));
  }
  // Not searched, but unlike the built-in default: the fragment carries it, so it reads back.
  CHECK_THAT(fragment, Catch::Contains("  skill_fit: 2\n"));
  CHECK(model->router.default_weights[Term::kSkillFit] == 2.0);
  // Not searched and equal to the built-in default: left out, and the default reads back.
  CHECK_THAT(fragment, !Catch::Contains("  language: "));
  CHECK(model->router.default_weights[Term::kLanguage] == engine::Weights{}[Term::kLanguage]);
}

TEST_CASE("weights have their configuration names and tuner input errors say what is wrong",
          "[routersim][tune]") {
  CHECK(weight_key(Term::kServiceLevel) == "service_level");
  CHECK(weight_key(Term::kIdle) == "agent_idle");
  for (int t = 0; t < engine::kTermCount; ++t) {
    const auto term = static_cast<Term>(t);
    CHECK(term_from_weight_key(weight_key(term)) == term);
  }
  CHECK_FALSE(term_from_weight_key("service_level_pressure"));
  CHECK(objective_from_string("worst_sl") == Objective::kWorstServiceLevel);
  CHECK(objective_from_string("wait_cost") == Objective::kWaitCost);
  CHECK_FALSE(objective_from_string("best"));

  auto options = quick_options();
  options.search_replications = 1;
  const auto few = tune(starving_center(), starving_workload(), options);
  REQUIRE_FALSE(few.ok());
  CHECK_THAT(few.error().message, Catch::Contains("at least 2"));

  // A queue that sets its own weight for a searched term is not reached: the result says so.
  auto model = starving_center();
  model.queues[0].weights[Term::kPriority] = 3.0;
  options = quick_options();
  options.rounds = 1;
  const auto warned = tune(model, starving_workload(), options);
  REQUIRE(warned.ok());
  REQUIRE(warned->warnings.size() == 1);
  CHECK_THAT(warned->warnings[0], Catch::Contains("queue 'vip' sets its own priority"));
  CHECK_THAT(format_tune(*warned), Catch::Contains("warning: queue 'vip'"));
}

}  // namespace router::sim
