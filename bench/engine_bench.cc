// The cost of one routing decision of each kind, indexed vs the naive reference scan, over a
// grid of center sizes. Each iteration times exactly one command with steady_clock (manual
// time) and restores the center outside the timed region; see bench/README.md.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <variant>

#include "bench/workload.h"

namespace router::bench {
namespace {

using engine::MatchMode;
using engine::Router;
using Clock = std::chrono::steady_clock;

// The last center built. Benchmarks run one size after another (repetitions of a size run
// back to back), so one slot is enough; keeping more would hold several gigabytes.
struct CachedCenter {
  std::unique_ptr<Center> center;
  MatchMode mode = MatchMode::kIndexed;
  double build_s = 0;
};

CachedCenter& center_for(Scenario scenario, MatchMode mode, const benchmark::State& state) {
  static CachedCenter cached;
  const CenterSize size{static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1))};
  Center* c = cached.center.get();
  if (c == nullptr || c->scenario() != scenario || cached.mode != mode ||
      c->size().agents != size.agents || c->size().waiting != size.waiting) {
    cached.center.reset();  // free the previous center before building the next
    const auto start = Clock::now();
    cached.center = std::make_unique<Center>(scenario, size, mode);
    cached.mode = mode;
    cached.build_s = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return cached;
}

double since(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}

bool offered(const Router& router) {
  for (const engine::Event& e : router.events()) {
    if (std::holds_alternative<engine::OfferedEvent>(e.body)) return true;
  }
  return false;
}

void add_counters(benchmark::State& state, const CachedCenter& cached, size_t probes) {
  state.counters["probes"] = static_cast<double>(probes);
  state.counters["build_s"] = cached.build_s;
}

// (a) An interaction arrives while idle eligible agents exist: submit() picks the best agent
// and offers it. Timed: the submit command (validation, queueing, the decision, the offer,
// position and EWT). Restore: cancel() the offered interaction, which makes its agent idle
// again with the same idle-since time.
void BM_Arrival(benchmark::State& state, MatchMode mode) {
  CachedCenter& cached = center_for(Scenario::kArrival, mode, state);
  Router& router = cached.center->router();
  const auto& probes = cached.center->arrivals();
  size_t k = 0;
  for (auto _ : state) {
    const engine::InteractionSpec& spec = probes[k];
    k = k + 1 == probes.size() ? 0 : k + 1;
    const auto t0 = Clock::now();
    auto result = router.submit(spec, kNow);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(result);
    state.SetIterationTime(since(t0, t1));
    if (!result.ok() || result->position != 0 || !offered(router)) {
      state.SkipWithError("arrival was not offered: the center drifted");
      break;
    }
    check(router.cancel(spec.id, kNow).ok(), "cancel");
    router.clear_events();
  }
  add_counters(state, cached, probes.size());
}

// (b) An agent becomes READY while many interactions wait: set_ready() picks the best waiting
// interaction over the queues the agent serves and offers it. Restore: set_not_ready()
// withdraws the offer; the interaction goes back to its class with its arrival and sequence
// number, and no other agent is available to take it.
void BM_AgentFreed(benchmark::State& state, MatchMode mode) {
  CachedCenter& cached = center_for(Scenario::kAgentFreed, mode, state);
  Router& router = cached.center->router();
  const auto& probes = cached.center->freed_agents();
  size_t k = 0;
  for (auto _ : state) {
    const engine::AgentId agent = probes[k];
    k = k + 1 == probes.size() ? 0 : k + 1;
    const auto t0 = Clock::now();
    auto status = router.set_ready(agent, kNow);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(status);
    state.SetIterationTime(since(t0, t1));
    if (!status.ok() || !offered(router)) {
      state.SkipWithError("freed agent was not offered work: the center drifted");
      break;
    }
    check(router.set_not_ready(agent, "break", kNow).ok(), "set_not_ready");
    router.clear_events();
  }
  add_counters(state, cached, probes.size());
}

// Cross-checks under automatic timing: decision plus restore, no clock reads in the loop.
void BM_ArrivalCycle(benchmark::State& state, MatchMode mode) {
  CachedCenter& cached = center_for(Scenario::kArrival, mode, state);
  Router& router = cached.center->router();
  const auto& probes = cached.center->arrivals();
  size_t k = 0;
  for (auto _ : state) {
    const engine::InteractionSpec& spec = probes[k];
    k = k + 1 == probes.size() ? 0 : k + 1;
    benchmark::DoNotOptimize(router.submit(spec, kNow));
    check(router.cancel(spec.id, kNow).ok(), "cancel");
    router.clear_events();
  }
  add_counters(state, cached, probes.size());
}

void BM_AgentFreedCycle(benchmark::State& state, MatchMode mode) {
  CachedCenter& cached = center_for(Scenario::kAgentFreed, mode, state);
  Router& router = cached.center->router();
  const auto& probes = cached.center->freed_agents();
  size_t k = 0;
  for (auto _ : state) {
    const engine::AgentId agent = probes[k];
    k = k + 1 == probes.size() ? 0 : k + 1;
    benchmark::DoNotOptimize(router.set_ready(agent, kNow));
    check(router.set_not_ready(agent, "break", kNow).ok(), "set_not_ready");
    router.clear_events();
  }
  add_counters(state, cached, probes.size());
}

// What the manual timing itself adds to every measured decision: two steady_clock reads.
void BM_ClockOverhead(benchmark::State& state) {
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    state.SetIterationTime(since(t0, t1));
  }
}

// Registered size by size, both scenarios and both modes per size, so that each center is
// built once: indexed arrival, its cycle, naive arrival; then the same for a freed agent.
void register_all() {
  for (int64_t agents : {100, 1'000, 15'000}) {
    for (int64_t waiting : {1'000, 100'000, 500'000}) {
      auto sized = [&](benchmark::internal::Benchmark* b) {
        b->Args({agents, waiting})->ArgNames({"agents", "waiting"})->Unit(benchmark::kMicrosecond);
      };
      sized(benchmark::RegisterBenchmark("Arrival/indexed", BM_Arrival, MatchMode::kIndexed)
                ->UseManualTime());
      sized(benchmark::RegisterBenchmark("ArrivalCycle/indexed", BM_ArrivalCycle,
                                         MatchMode::kIndexed));
      sized(benchmark::RegisterBenchmark("Arrival/naive", BM_Arrival, MatchMode::kNaiveScan)
                ->UseManualTime()
                ->MinTime(0.2));
      sized(benchmark::RegisterBenchmark("AgentFreed/indexed", BM_AgentFreed, MatchMode::kIndexed)
                ->UseManualTime());
      sized(benchmark::RegisterBenchmark("AgentFreedCycle/indexed", BM_AgentFreedCycle,
                                         MatchMode::kIndexed));
      sized(benchmark::RegisterBenchmark("AgentFreed/naive", BM_AgentFreed, MatchMode::kNaiveScan)
                ->UseManualTime()
                ->MinTime(0.2));
    }
  }
  benchmark::RegisterBenchmark("ClockOverhead", BM_ClockOverhead)
      ->UseManualTime()
      ->Unit(benchmark::kNanosecond);
}

}  // namespace
}  // namespace router::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  router::bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
