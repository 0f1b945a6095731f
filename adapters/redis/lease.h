// The active/standby lease in Redis (docs/availability.md, "Active and standby"): <p>lease holds
// "<instance> <token>" with a TTL (PX), <p>fence the fencing token, which grows by one at every
// takeover and which every journal write checks (journal.h: set_fence_token). One process holds
// the lease at a time; it renews it every `renew`, and a standby tries to take it as often.
// A standby that is not prepared (LeaseEvents::prepared: in routerd, its copy of the journal
// still loading) reads the lease instead of bidding, and bids once it saw it free for
// LeaseOptions::defer_unprepared: a prepared standby, bidding at once, wins the race.
// Lifecycle: standby → (acquired) active → (lost) done. A lease that was lost is not taken
// again by the same RedisLease: the process restarts clean as a standby (routerd re-executes).
// Validity: a renewal (or the acquisition) sent at t on the steady clock keeps the lease this
// process's until t + ttl − margin (margin = ttl / 5): Redis set the TTL after t, so the key
// outlives that moment, and the margin covers clock-rate drift and a call already past the gate.
// Past it without a newer renewal answered — Redis unreachable, or this process stopped
// (SIGSTOP: the steady clock runs on) — the lease is lost, even if a late answer comes.
// Threading: start(), stop(), release() and valid_until() from any thread; the callbacks, and
// every `done`, run on the io thread (the Client's; in routerd the engine's loop). Destroy it as
// the Client: after stop() and after the io thread stopped running (or on that thread).
#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/redis/client.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct LeaseOptions {
  std::string key_prefix = "router:";
  std::string instance;  // REQUIRES: not empty, no spaces (checked)
  engine::Duration ttl = std::chrono::milliseconds(1000);
  engine::Duration renew = std::chrono::milliseconds(250);  // REQUIRES: ≤ ttl / 3 (checked)
  // A standby that is not `prepared` (LeaseEvents) bids only once it has seen the lease free
  // this long, so a prepared one (a warm copy) takes it first; 0: every standby bids at once.
  engine::Duration defer_unprepared{0};
};

// What the lease loop reports, on the Client's io thread. Each may be empty.
struct LeaseEvents {
  using TimePoint = std::chrono::steady_clock::time_point;
  // This process took the lease with `token`; it is valid until `valid_until`. Once.
  std::function<void(uint64_t token, TimePoint valid_until)> acquired;
  // A renewal was answered: valid until `valid_until` (later than the last one).
  std::function<void(TimePoint valid_until)> renewed;
  // A standby saw the lease held by `holder` ("<instance> <token>"); on every change.
  std::function<void(const std::string& holder)> held_by;
  // The lease is no longer this process's (a renewal refused, or its validity passed). Once;
  // the loop stops after it.
  std::function<void(const std::string& reason)> lost;
  // Asked before each bid: could this standby take over without a full load (its copy warm)?
  // Empty: yes. Unprepared, it defers its bid by LeaseOptions::defer_unprepared.
  std::function<bool()> prepared;
};

class RedisLease {
 public:
  // `client` (its own connection: a slow journal write never delays a renewal) must outlive
  // the lease and be started by the caller.
  // `io` is the io_context `client` runs on (the loop's timers live there).
  RedisLease(asio::io_context& io, Client& client, LeaseOptions options);
  ~RedisLease();  // stop()
  RedisLease(const RedisLease&) = delete;
  RedisLease& operator=(const RedisLease&) = delete;

  // Starts the loop: try to take the lease every `renew`; once taken, renew it every `renew`.
  void start(LeaseEvents events);
  // Stops the loop (no event after it returns on the io thread; from another thread, at most
  // the one already running). Idempotent.
  void stop();
  // Gives the lease up if this process holds it (DEL only if the value is still ours), so a
  // standby takes over at its next try instead of after the TTL; stops the loop first. `done`
  // runs on the io thread once Redis answered (or failed).
  void release(std::function<void()> done);

  // The end of this process's validity (steady clock); time_point::min() while not active.
  LeaseEvents::TimePoint valid_until() const;
  const LeaseOptions& options() const;

  // The scripts, one call each (for the loop, and for tests against a real Redis). On the io
  // thread or any other; `done` on the io thread.
  struct Taken {
    uint64_t token = 0;  // 0: not taken; `holder` holds it
    std::string holder;
  };
  // Takes the lease if no one holds it (INCR fence: the new token), or re-confirms it when the
  // value is "<instance> <mine>" (`mine` 0: none yet). PX ttl either way.
  void acquire(uint64_t mine, std::function<void(absl::StatusOr<Taken>)> done);
  // PEXPIREs the lease only if its value is still "<instance> <token>"; false: refused (`holder`
  // then says who holds it, empty: nobody).
  void renew(uint64_t token, std::function<void(absl::StatusOr<Taken>)> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace router::adapters::redis
