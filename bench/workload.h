// A synthetic contact center for the benchmarks: 50 skills, 500 queues, N agents and W waiting
// interactions drawn from one fixed-seed std::mt19937_64, so every run builds the same center.
// The Center builds a Router in one of two scenarios (see bench/README.md for the details):
//   kArrival:    every agent READY and idle, voice/chat only; the W waiting interactions are
//                e-mails nobody logged in can take (the e-mail team is away), so the router's
//                matched-state invariant holds and an arriving call or chat is offered at once.
//   kAgentFreed: every agent logged in NOT_READY; the W waiting interactions are on every
//                channel, so an agent who becomes READY is offered the best of them.
// Not thread-safe: a Center owns its Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "engine/model.h"
#include "engine/router.h"

namespace router::bench {

inline constexpr int kSkillCount = 50;
inline constexpr int kQueueCount = 500;
inline constexpr uint64_t kSeed = 20240601;
// The benchmark clock stands still here: waiting interactions arrived in the hour before.
inline constexpr engine::TimePoint kNow{std::chrono::hours(24)};

enum class Scenario : uint8_t { kArrival, kAgentFreed };

struct CenterSize {
  size_t agents = 0;
  size_t waiting = 0;
};

class Center {
 public:
  // Builds the router: skills, queues, the waiting interactions, then the agents (in that order
  // so that neither match mode scans agents per submitted interaction while building).
  Center(Scenario scenario, CenterSize size, engine::MatchMode mode, uint64_t seed = kSeed);

  engine::Router& router() { return *router_; }
  Scenario scenario() const { return scenario_; }
  CenterSize size() const { return size_; }

  // kArrival: interactions (no arrival time: they arrive at kNow) that the router offers to an
  // idle agent when submitted, checked while building. Ids are not live; submit one, then cancel
  // it to restore the center.
  const std::vector<engine::InteractionSpec>& arrivals() const { return arrivals_; }
  // kAgentFreed: NOT_READY agents who, when set READY, are offered a waiting interaction
  // (checked while building). set_not_ready withdraws the offer and restores the center.
  const std::vector<engine::AgentId>& freed_agents() const { return freed_agents_; }

 private:
  void add_model(std::mt19937_64& rng);
  void add_waiting(std::mt19937_64& rng);
  void add_agents(std::mt19937_64& rng);
  void pick_arrivals(std::mt19937_64& rng);
  void pick_freed_agents(std::mt19937_64& rng);

  Scenario scenario_;
  CenterSize size_;
  std::unique_ptr<engine::Router> router_;
  std::vector<engine::QueueConfig> queues_;
  std::vector<engine::QueueId> queue_ids_;
  std::vector<engine::InteractionSpec> arrivals_;
  std::vector<engine::AgentId> freed_agents_;
};

// Asserts that a Status/Result from the router is ok; the benchmark's fixtures must build.
void check(bool ok, const char* what);

}  // namespace router::bench
