// The host simulation over many seeds (host_simulation.h): ROUTER_HOST_SIM_SEEDS seeds (default
// 1000) from 1, or only ROUTER_HOST_SIM_SEED; ROUTER_HOST_SIM_STEPS steps each (default 300, 200
// in sanitized builds: CMakeLists.txt).
// ROUTER_HOST_SIM_KEEP_GOING=1 runs every seed after a failure and counts failures by invariant
// (check_mutants.sh uses it to say how often each mutant is caught).
#include "tests/simulation/host_simulation.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

namespace {

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::stoull(v);
}

}  // namespace

TEST_CASE("the host keeps its invariants under random calls, faults and crashes, seed after seed",
          "[simulation]") {
  const uint64_t steps = env_number("ROUTER_HOST_SIM_STEPS", ROUTER_HOST_SIM_DEFAULT_STEPS);
  uint64_t first = 1;
  uint64_t count = env_number("ROUTER_HOST_SIM_SEEDS", 1000);
  if (std::getenv("ROUTER_HOST_SIM_SEED") != nullptr) {
    first = env_number("ROUTER_HOST_SIM_SEED", 1);
    count = 1;
  }
  std::cout << "host simulation: seeds " << first << ".." << first + count - 1 << ", " << steps
            << " steps each (ROUTER_HOST_SIM_SEED=<n> reproduces one seed)" << std::endl;
  const char* keep_going_env = std::getenv("ROUTER_HOST_SIM_KEEP_GOING");
  const bool keep_going = keep_going_env != nullptr && std::string(keep_going_env) == "1";
  std::map<std::string, uint64_t> failures;  // by invariant
  const auto started = std::chrono::steady_clock::now();
  router::sim::SimulationStats total;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    router::sim::HostSimulation sim(seed, static_cast<int>(steps));
    std::string failure;
    try {
      sim.run();
    } catch (const router::sim::Violation& v) {
      failure = v.what();
      ++failures[v.invariant];
    } catch (const std::exception& e) {
      failure = std::string("unexpected exception: ") + e.what();
      ++failures["(exception)"];
    }
    if (!failure.empty()) {
      const std::string report =
          "seed " + std::to_string(seed) + ": " + failure +
          "\nreproduce: ROUTER_HOST_SIM_SEED=" + std::to_string(seed) +
          (steps != ROUTER_HOST_SIM_DEFAULT_STEPS
               ? " ROUTER_HOST_SIM_STEPS=" + std::to_string(steps)
               : std::string()) +
          " build/tests/simulation/host_simulation_tests\nlast actions, oldest first:\n" +
          sim.trace();
      std::cout << "HOST SIMULATION FAILURE " << report << std::endl;
      if (!keep_going) FAIL(report);
      FAIL_CHECK(report);
      continue;
    }
    total += sim.stats();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "host simulation: " << count << " seeds, " << total.steps << " steps in " << seconds
            << " s: " << total.submits << " submits (" << total.acked << " acked, "
            << total.replays_checked << " replays checked), " << total.accepted << " accepts ("
            << total.accepts_journal_checked << " found in the journal), " << total.completed
            << " completes, " << total.crashes << " crashes (" << total.recovered << " recovered, "
            << total.held_at_recovery << " kept by their agent, " << total.agents_at_recovery
            << " agents logged in again, " << total.grace_logouts_checked
            << " grace logouts checked, " << total.overflowed_at_recovery << " overflowed and "
            << total.expired_at_recovery << " expired at recovery), " << total.outages
            << " journal outages, " << total.finished_seen << " acked ids finished at the end"
            << std::endl;
  for (const auto& [invariant, seeds] : failures) {
    std::cout << "host simulation: " << seeds << " of " << count << " seeds broke '" << invariant
              << "'" << std::endl;
  }
  CHECK(total.acked > 0);
  CHECK(total.accepts_journal_checked > 0);  // the barrier's invariant was exercised
}
