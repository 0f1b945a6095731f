// The interaction-journal port: routerd's live routing state made durable, so a restart puts
// every waiting interaction back in its queue and every agent back in its session. The engine host
// appends before SubmitInteraction answers OK, updates on each change, finishes at the end, writes
// agent sessions and finished emails' threads as they change; recovery load()s the live entries
// and load_sessions() the rest.
// Threads: any thread calls; callbacks run on the implementation's thread (callers post back,
// or run at once when that is their own thread: ports::Executor::running_here()), never inline
// in the call that started them; entries for one id apply in call order. Errors: absl::Status.
// Implementation: adapters/redis.
#pragma once

#include <absl/status/statusor.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "router/v1/journal.pb.h"

namespace router::adapters::ports {

struct AppendResult {
  // True: the entry is new, and as durable as the store's policy makes it (docs/redis.md).
  bool appended = false;
  // When not appended: the entry already journaled under this id — a repeated submit after a
  // restart, or one whose first append timed out after all — and whether it is still live.
  std::optional<v1::JournalEntry> existing;
  bool existing_live = false;
};

// What load_sessions() reads: the journaled agent sessions and the email-thread index of
// finished emails (docs/redis.md, "Agent sessions" and "Email threads").
struct SessionJournal {
  std::vector<v1::AgentJournalEntry> agents;  // one per agent journaled, in no order
  std::vector<v1::EmailThreadEntry> threads;  // finished emails, oldest first
};

class InteractionJournal {
 public:
  virtual ~InteractionJournal() = default;

  // Journals a new interaction (entry.interaction().interaction_id() is the key), unless that id
  // is journaled already. Errors: UNAVAILABLE (store down), DEADLINE_EXCEEDED (no answer in
  // time: the entry may or may not be stored; a repeat of the id finds out).
  virtual void append(const v1::JournalEntry& entry,
                      std::function<void(absl::StatusOr<AppendResult>)> done) = 0;
  // The latest state of a live interaction. Fire and forget, pipelined; a write the store could
  // not take is kept (the latest per id) and written once it is back.
  virtual void update(const v1::JournalEntry& entry) = 0;
  // The interaction ended (entry.interaction().state() is final): it leaves the live set; the
  // entry stays for a while so a repeated submit still replays it. Kept like update() on failure.
  virtual void finish(const v1::JournalEntry& entry) = 0;
  // Appended, but the engine refused it: removed as if it had never been accepted.
  virtual void discard(const std::string& interaction_id) = 0;
  // A barrier: `done` gets OK once every write asked for before this call (update, finish,
  // discard, update_agent, remember_thread) is stored, as durable as an append (with WAIT on:
  // acknowledged by the replicas too); UNAVAILABLE when one of them is not yet (the store is down
  // or did not answer in time: it is kept and written later); FAILED_PRECONDITION when one never
  // will be (fenced: another routerd is active). Callers answer a change only after it, so an
  // answered change survives a crash of the caller (docs/availability.md).
  virtual void sync(std::function<void(absl::Status)> done) = 0;
  // Every live entry, in submit order. At start, before routerd serves.
  virtual void load(std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done) = 0;

  // The latest session state of an agent (entry.agent() is the key). Fire and forget, like
  // update(): kept (the latest per agent) and written again after an outage.
  virtual void update_agent(const v1::AgentJournalEntry& entry) = 0;
  // A finished email's thread, kept for the finished entries' time to live and at most the
  // thread index's size. Fire and forget, like update().
  virtual void remember_thread(const v1::EmailThreadEntry& entry) = 0;
  // Every journaled agent session and the thread index of finished emails. At start (and when a
  // standby takes over), before routerd serves, with load().
  virtual void load_sessions(std::function<void(absl::StatusOr<SessionJournal>)> done) = 0;

  // The journaled entry of `interaction_id` (scoped), live or finished (a finished one is kept
  // for the store's time to live, with its history): nullopt when there is none. Errors:
  // UNAVAILABLE, DEADLINE_EXCEEDED, DATA_LOSS (it does not decode). For ExplainRouting of a
  // finished interaction routerd no longer holds in memory. The default keeps nothing.
  virtual void find(const std::string& interaction_id,
                    std::function<void(absl::StatusOr<std::optional<v1::JournalEntry>>)> done) {
    (void)interaction_id;
    done(std::optional<v1::JournalEntry>());
  }

  // Whether append() can succeed now (the store is reachable). `fn` runs on every change.
  virtual bool available() const = 0;
  virtual void on_available(std::function<void(bool)> fn) = 0;
  virtual std::string describe() const = 0;  // for the start banner
};

}  // namespace router::adapters::ports
