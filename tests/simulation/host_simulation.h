// The host simulation's driver: one seed drives a run of random gateway, desktop and supervisor
// calls, time jumps, journal and customer-store faults, and crashes with restarts through the
// real RoutingHost (adapters/host/) on simulated ports, and checks the host's invariants after
// every step. A broken invariant throws a Violation naming the invariant, the step and what was
// seen; the seed alone reproduces the run (tests/simulation/README.md).
// Threading: single-threaded; a HostSimulation is used by one test at a time.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/host/routing_host.h"
#include "tests/simulation/sim_customers.h"
#include "tests/simulation/sim_journal.h"
#include "tests/simulation/sim_subscriber.h"
#include "tests/simulation/sim_world.h"

namespace router::sim {

// A broken invariant. what(): "invariant '<name>' broken at step N (t=... ms): <detail>".
struct Violation : std::runtime_error {
  Violation(std::string invariant, int step, const std::string& message)
      : std::runtime_error(message), invariant(std::move(invariant)), step(step) {}
  std::string invariant;
  int step;
};

struct SimulationStats {
  uint64_t steps = 0;
  uint64_t submits = 0;
  uint64_t acked = 0;            // distinct ids answered OK
  uint64_t replays_checked = 0;  // OK answers to an id acked before
  uint64_t crashes = 0;
  uint64_t recovered = 0;              // entries recovery put back in a queue
  uint64_t held_at_recovery = 0;       // accepted at the crash, back with their agent
  uint64_t agents_at_recovery = 0;     // agents logged in again at recovery
  uint64_t grace_logouts_checked = 0;  // restored agents seen logged out after their grace
  // Recovered entries the engine overflowed or expired at once (their wait counts from arrival).
  uint64_t overflowed_at_recovery = 0;
  uint64_t expired_at_recovery = 0;
  uint64_t accepted = 0;                 // accept calls answered OK (after the journal barrier)
  uint64_t accepts_journal_checked = 0;  // of those, found assigned to the agent in the journal
  uint64_t completed = 0;                // complete calls answered OK
  uint64_t outages = 0;
  uint64_t finished_seen = 0;  // acked ids the host reports final at the end of the run

  SimulationStats& operator+=(const SimulationStats& o);
};

class HostSimulation {
 public:
  HostSimulation(uint64_t seed, int steps);
  ~HostSimulation();
  HostSimulation(const HostSimulation&) = delete;
  HostSimulation& operator=(const HostSimulation&) = delete;

  // The whole run: `steps` random steps, then faults off, time to settle, and the final checks.
  // Throws Violation.
  void run();

  const SimulationStats& stats() const { return stats_; }
  // The last actions taken, oldest first (for a failure report).
  std::string trace() const;

 private:
  struct Call {  // one SubmitInteraction call, as the gateway sees it
    std::string id;
    uint64_t incarnation = 0;
    engine::TimePoint issued;
    v1::SubmitInteractionResponse response;
    int done = 0;
    absl::Status status;
  };
  struct Acked {  // what the first OK answer said
    std::string queue;
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    std::string customer_id;
  };
  struct Desk {  // one agent desktop
    std::shared_ptr<SimSubscriber<v1::WorkEvent>> stream;
    std::set<std::string> offers;  // offered to this agent, as its stream said
    std::set<std::string> held;    // assigned or in wrap-up, as its stream said
    bool acted = false;            // logged in or opened a stream since the last restart
  };

  void step();
  void start_host();
  void crash_and_restart();
  void quiet_faults();

  // Driver actions: posted on the current incarnation's executor, in order.
  void act(std::string what, std::function<void(adapters::host::RoutingHost&)> fn);
  void submit(const std::string& id);
  void on_submit_done(Call* call, const absl::Status& status);
  v1::SubmitInteractionRequest new_request(const std::string& id);
  void agent_action(size_t agent);
  void supervisor_action();
  void fault_action();
  void read_streams();

  const std::string& pick(const std::vector<std::string>& from);
  std::string pick_id();  // any id ever submitted, or an unknown one
  std::string pick_from(const std::set<std::string>& ids);  // or pick_id() if empty

  // Invariants.
  void check();
  void check_recovery(const std::vector<v1::JournalEntry>& loaded,
                      const adapters::host::RoutingHost::RecoveryReport& report);
  void check_answered(engine::Duration older_than);
  [[noreturn]] void violate(const std::string& invariant, const std::string& detail) const;

  const uint64_t seed_;
  const int steps_;
  int step_ = 0;
  SimWorld world_;
  SimJournal journal_;
  std::shared_ptr<CustomerDirectory> customers_;
  std::unique_ptr<adapters::host::RoutingHost> host_;
  Incarnation* incarnation_ = nullptr;

  uint64_t next_id_ = 1;
  std::vector<std::string> ids_;                                  // every id submitted
  std::map<std::string, v1::SubmitInteractionRequest> requests_;  // a replay repeats the request
  std::deque<std::unique_ptr<Call>> calls_;
  std::map<std::string, Acked> acked_;
  // Acked ids finished in the journal at the last restart: the new host knows them only once a
  // replay of the id asks the journal.
  std::set<std::string> finished_before_restart_;
  std::array<Desk, 4> desks_;
  // Agents recovery logged in again at the last restart, and when that was: each must be logged
  // out once its grace period passes unless its desktop came back (Desk::acted).
  std::set<std::string> restored_agents_;
  engine::TimePoint restarted_at_{};
  std::vector<std::shared_ptr<SimSubscriber<v1::InteractionEvent>>> watchers_;
  std::vector<std::shared_ptr<SimSubscriber<v1::GetQueueStatsResponse>>> queue_watchers_;
  std::deque<std::string> trace_;
  SimulationStats stats_;
};

}  // namespace router::sim
