// The interaction journal in Redis (the InteractionJournal port): one hash per interaction
// (<p>ix:<id>: the encoded v1::JournalEntry plus readable state, queue and agent fields), a
// sorted set of the live ones in submit order (<p>live), a capped stream of finished ones
// (<p>history); agent sessions (<p>agents: one field per agent) and finished emails' threads
// (<p>threads, <p>thread). Each operation is one Lua script call, so it applies whole or not at
// all; each write checks the fencing token first (set_fence_token).
// docs/redis.md has the schema and the durability contract.
//
// A write the server did not take (down, or no answer in time) is kept — the latest per
// interaction, at most `max_unsynced` of them — and written again when the connection is back,
// so the live set converges to routerd's state after an outage. Appends are never kept: their
// caller answers UNAVAILABLE instead.
// Threading: any thread may call (the Client posts; on the Client's io thread it buffers at
// once); callbacks and the unsynced set live on the Client's io thread, which in routerd is the
// engine's (one loop: an append's answer reaches the host without a hop). Group commit: the
// appends, updates and finishes one loop turn makes leave in one pipelined write (client.h),
// and each append's `done` still waits for its own script's reply.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "adapters/ports/interaction_journal.h"
#include "adapters/redis/client.h"
#include "adapters/redis/keys.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct JournalOptions {
  std::string key_prefix = "router:";
  engine::Duration timeout = std::chrono::seconds(1);  // each write, and each load step
  engine::Duration finished_ttl = std::chrono::hours(24);
  size_t history_max = 100'000;     // 0: no history stream
  size_t max_unsynced = 1'000'000;  // writes kept during an outage; past it the oldest are lost
  size_t load_batch = 2'000;        // entries per load round trip
  // WAIT for replicas (Redis under Sentinel, docs/availability.md): an append answers OK only
  // once this many replicas have acknowledged it, within wait_timeout; fewer is UNAVAILABLE and
  // the entry stays (a repeat of the id replays it). The appends written since the last WAIT
  // share the next one, and at most one WAIT is in flight (a WAIT holds up everything behind it
  // on the connection, the liveness probe's PING too: give the client probe_timeout more than
  // wait_timeout). 0: no WAIT.
  int wait_replicas = 0;
  engine::Duration wait_timeout = std::chrono::milliseconds(500);
  size_t max_threads = 1'000'000;  // finished emails' threads kept (daemon.max_email_threads)
  // The change feed (<p>changes) a warm standby follows (journal_follower.h): every write also
  // appends what it changed, capped at about this many entries. 0: no feed (no lease, or
  // redis.lease.cold_standby).
  size_t change_feed_max = 0;
};

class RedisJournal final : public ports::InteractionJournal {
 public:
  // `client` must outlive the journal; the journal takes over the client's state callback, so
  // construct it before client.start().
  RedisJournal(Client& client, JournalOptions options);
  ~RedisJournal() override;

  void append(const v1::JournalEntry& entry,
              std::function<void(absl::StatusOr<ports::AppendResult>)> done) override;
  void update(const v1::JournalEntry& entry) override;
  void finish(const v1::JournalEntry& entry) override;
  void discard(const std::string& interaction_id) override;
  void sync(std::function<void(absl::Status)> done) override;
  void load(std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done) override;
  void update_agent(const v1::AgentJournalEntry& entry) override;
  void remember_thread(const v1::EmailThreadEntry& entry) override;
  void find(const std::string& interaction_id,
            std::function<void(absl::StatusOr<std::optional<v1::JournalEntry>>)> done) override;
  void load_sessions(std::function<void(absl::StatusOr<ports::SessionJournal>)> done) override;

  bool available() const override;
  void on_available(std::function<void(bool)> fn) override;
  std::string describe() const override;

  // Writes kept for a reconnect right now (any thread; for tests and the stop banner).
  size_t unsynced() const;

  // Fencing (docs/availability.md, "Active and standby"): with a token, every write checks that
  // <p>fence still holds it and writes nothing when another routerd took the lease since (an
  // append then answers UNAVAILABLE; other writes are dropped, not kept). 0 (the default): no
  // lease, no check. Any thread; applies to writes sent after it.
  void set_fence_token(uint64_t token);
  // Called (on the io thread) for every write the fence refused: the owner deposes itself.
  void on_fenced(std::function<void()> fn);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace router::adapters::redis
