// An in-memory InteractionJournal (adapters/state/interaction_journal.h) with RedisJournal's
// contract (adapters/redis/journal.h) and injected faults, for the host simulation. The store
// (entries, live flags, submit order) survives a host crash; the client side (writes kept during
// an outage, the availability listener, answers in flight) dies with the host's process.
// Contract kept: append stores a new id or reports the existing entry and whether it is live;
// update rewrites only a live entry; finish marks an existing entry not live; discard removes it;
// agent sessions are the latest per agent; threads are kept in write order (no bound: runs are
// short);
// writes for one id apply in call order; a write the store could not take is kept (latest per
// id) and applied when the store is back.
// Faults: late answers, timeouts (DEADLINE_EXCEEDED, the write applied or not), unavailability
// windows (available() false, append UNAVAILABLE, update/finish/discard kept).
// Threading: single-threaded (SimWorld); answers are delivered through the world, never inline.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/ports/interaction_journal.h"
#include "tests/simulation/sim_world.h"

namespace router::sim {

struct JournalFaults {
  double late = 0;              // an answer comes after a random delay up to max_delay
  double timeout = 0;           // an append or write gets DEADLINE_EXCEEDED after `timeout_after`
  double timeout_stored = 0.5;  // of timeouts, the share the store applied anyway
  engine::Duration max_delay = std::chrono::milliseconds(1500);
  engine::Duration timeout_after = std::chrono::milliseconds(1000);
};

class SimJournal final : public adapters::ports::InteractionJournal {
 public:
  struct Stored {
    v1::JournalEntry entry;
    bool live = false;
    uint64_t sequence = 0;  // submit order
  };

  explicit SimJournal(SimWorld& world) : world_(world) {}

  // ---- Faults.
  void set_faults(const JournalFaults& f) { faults_ = f; }
  const JournalFaults& faults() const { return faults_; }
  // An outage: down now, back after `length` (kept writes then apply, listeners hear both).
  void outage(engine::Duration length);
  void set_available(bool up);
  // The host's process died: its kept writes and its listener are gone; the store stays.
  void process_crashed();

  // ---- What the store holds (for the invariants).
  const Stored* find(const std::string& id) const;
  std::vector<std::string> live_ids() const;  // in submit order
  size_t unsynced() const { return unsynced_.size(); }

  // ---- InteractionJournal.
  void append(const v1::JournalEntry& entry,
              std::function<void(absl::StatusOr<adapters::ports::AppendResult>)> done) override;
  void update(const v1::JournalEntry& entry) override;
  void finish(const v1::JournalEntry& entry) override;
  void discard(const std::string& interaction_id) override;
  // OK when every write so far is in the store; UNAVAILABLE while one is kept (down, or a
  // timeout that did not store it). Answered through the world, possibly late. (No fence here.)
  void sync(std::function<void(absl::Status)> done) override;
  void load(std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done) override;
  void update_agent(const v1::AgentJournalEntry& entry) override;
  void remember_thread(const v1::EmailThreadEntry& entry) override;
  void load_sessions(
      std::function<void(absl::StatusOr<adapters::ports::SessionJournal>)> done) override;
  // The agent sessions the store holds, by agent (for the invariants).
  const std::map<std::string, v1::AgentJournalEntry>& agents() const { return agents_; }
  bool available() const override { return up_; }
  void on_available(std::function<void(bool)> fn) override { listener_ = std::move(fn); }
  std::string describe() const override { return "simulated journal"; }

 private:
  enum class Op { kUpdate, kFinish, kDiscard, kAgent, kThread };
  struct Write {
    Op op;
    v1::JournalEntry entry;
    std::string id;
    v1::AgentJournalEntry agent;  // kAgent
    v1::EmailThreadEntry thread;  // kThread
  };
  // Applies a fire-and-forget write now, keeps it for later, or (a timeout) either.
  void write(Write w);
  void apply(const Write& w);
  void deliver(engine::Duration after, std::function<void()> fn);
  engine::Duration answer_delay();

  SimWorld& world_;
  JournalFaults faults_;
  bool up_ = true;
  uint64_t outage_generation_ = 0;
  std::map<std::string, Stored> store_;
  uint64_t next_sequence_ = 1;
  std::map<std::string, v1::AgentJournalEntry> agents_;
  std::vector<v1::EmailThreadEntry> threads_;  // oldest first
  std::map<std::string, Write> unsynced_;      // client side: the latest kept write per id
  std::function<void(bool)> listener_;         // client side
};

}  // namespace router::sim
