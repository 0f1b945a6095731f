// An in-memory CustomerLookup (adapters/channels/customer_lookup.h) for the host simulation: a
// few known customers, answers inline, on the next turn or late, and degraded answers (the
// store "timed out": anonymous, lookup_degraded) on demand.
// Invariants: `done` runs exactly once per lookup; keys are tried in kKeyPrecedence order; an
// answer owed to a crashed host incarnation is dropped with it.
// Threading: single-threaded (SimWorld). The directory (records, faults, contacts) is shared with
// the driver, which changes the faults while the host owns the lookup.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/ports/customer_lookup.h"
#include "tests/simulation/sim_world.h"

namespace router::sim {

struct CustomerFaults {
  double inline_answer = 0.3;  // done runs inside lookup()
  double late = 0;             // done runs after a random delay up to max_delay
  double degraded = 0;         // the store did not answer: anonymous, degraded
  engine::Duration max_delay = std::chrono::milliseconds(1200);
};

// What the store knows, shared by every incarnation's lookup (the store outlives a crash).
struct CustomerDirectory {
  struct Known {
    adapters::ports::CustomerRecord record;
    std::vector<std::string> phones, emails, visitors, accounts;
  };
  std::vector<Known> customers;
  CustomerFaults faults;
  uint64_t contacts_recorded = 0;

  // Ada, Bo and Cy, reachable by phone, email and web keys.
  static std::shared_ptr<CustomerDirectory> standard();
  adapters::ports::LookupResult find(const adapters::ports::CustomerKeys& keys) const;
};

class SimCustomers final : public adapters::ports::CustomerLookup {
 public:
  SimCustomers(SimWorld& world, const Incarnation& owner,
               std::shared_ptr<CustomerDirectory> directory)
      : world_(world), owner_(owner), directory_(std::move(directory)) {}

  void lookup(const adapters::ports::CustomerKeys& keys,
              std::function<void(adapters::ports::LookupResult)> done) override;
  void record_contact(const std::string& customer_id, const std::string& agent,
                      int64_t unix_s) override;
  std::string describe() const override { return "simulated customers"; }

 private:
  SimWorld& world_;
  const Incarnation& owner_;
  std::shared_ptr<CustomerDirectory> directory_;
};

}  // namespace router::sim
