// routerd's Redis side, as the daemon composes it (daemon.cc): the connections on the engine's
// loop, the journal, the lease and the standby's journal follower; the journal's load at a start
// or a takeover.
// Threading: RedisParts is built and stopped by the daemon's thread; its clients and the
// follower run on the engine's loop, the lease on its own loop (their own headers say what may be
// called from where). The load functions block their caller: never call them on the loop's thread.
#pragma once

#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "adapters/ports/customer_lookup.h"
#include "adapters/ports/interaction_journal.h"
#include "adapters/redis/client.h"
#include "adapters/redis/customer_store.h"
#include "adapters/redis/journal.h"
#include "adapters/redis/journal_follower.h"
#include "adapters/redis/lease.h"
#include "engine/types.h"
#include "tools/routerd/engine_loop.h"

namespace router::routerd {

// The Redis side of routerd: one connection for customer lookups and one for the journal (a
// slow bulk of journal writes never delays a lookup), both on the engine's loop (`io`, the
// EngineLoop's io_context): a lookup or a journal write and its reply never cross a thread.
// With redis.lease, a third connection for the lease, on a thread of its own (a renewal never
// waits behind journal writes, nor for the engine's loop), and (unless lease.cold_standby) the
// journal follower on the journal's connection, which a standby otherwise leaves idle.
struct RedisParts {
  std::unique_ptr<adapters::redis::Client> customers;
  std::unique_ptr<adapters::redis::Client> journal_client;
  std::unique_ptr<adapters::redis::RedisJournal> journal;
  // The lease on a loop of its own: a renewal never waits for the engine's loop, which a
  // takeover's recovery holds for 1.5–2.5 s with 100,000 live interactions — longer than the
  // lease's validity (docs/availability.md, "Timings"). Its events come on this thread.
  std::unique_ptr<EngineLoop> lease_loop;
  std::unique_ptr<adapters::redis::Client> lease_client;
  std::unique_ptr<adapters::redis::RedisLease> lease;
  std::unique_ptr<adapters::redis::JournalFollower> follower;
  adapters::redis::RedisCustomerStore* store = nullptr;  // owned by the engine host; for counters
  bool stopped = false;

  // `instance`: this process's name in the lease (used with settings.lease only);
  // `max_threads`: daemon.max_email_threads, the journal's thread index's bound.
  RedisParts(const adapters::config::RedisSettings& settings, asio::io_context& io,
             const std::string& instance, size_t max_threads);
  // Connects once the loop runs.
  void start();
  // Closes the connections on the loop (pending commands complete UNAVAILABLE there, and the
  // host, stopped first, ignores what comes back); the loop's stop() then runs it and joins.
  // Idempotent. REQUIRES: the host is stopped (nothing posts lookups or journal writes).
  // With a lease held, it is given up (lease.h: release) after the journal's connection is
  // closed, so a standby takes over at its next try rather than after the TTL.
  // REQUIRES: not the loop's thread (it waits for the release's answer, at most a second).
  void stop();
};

std::unique_ptr<adapters::ports::CustomerLookup> redis_customers(
    const adapters::config::RoutingModel& m, RedisParts& parts);

// Loads the journal's live entries, retrying until `wait` passes (or `abort` is set).
engine::Result<std::vector<v1::JournalEntry>> load_journal(
    adapters::redis::RedisJournal& journal, const std::string& address,
    std::chrono::milliseconds wait, const std::atomic<bool>* abort = nullptr);

// The journaled agent sessions and email threads (issue 16). Read once: without them recovery
// still restores every interaction, and agents log in again.
adapters::ports::SessionJournal load_sessions(adapters::redis::RedisJournal& journal);

// What a takeover recovers: the follower's warm copy brought to the end of the change feed when
// it has one (docs/availability.md, "A warm standby"), else a full load as at a restart.
struct TakeoverJournal {
  std::vector<v1::JournalEntry> entries;
  adapters::ports::SessionJournal sessions;
  bool warm = false;     // from the follower
  uint64_t changes = 0;  // feed entries the follower applied since its load
  std::string cold_why;  // why not warm (for the takeover's log line)
};
engine::Result<TakeoverJournal> takeover_journal(RedisParts& parts, const std::string& address,
                                                 std::chrono::milliseconds wait,
                                                 const std::atomic<bool>* abort);

}  // namespace router::routerd
