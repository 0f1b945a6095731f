// The interaction journal on Redis: four Lua scripts (append, update, finish, discard), a
// batched load, and the unsynced writes replayed after an outage. See journal.h.
#include "adapters/redis/journal.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/log_text.h"

namespace router::adapters::redis {
namespace {

// Every write script starts with this prelude, and is sent by State::write(), which appends the
// script's deadline to its ARGV and then the fence: KEYS[#KEYS] is the fence key (<p>fence) and
// ARGV[#ARGV] this process's fencing token (lease.h), both after the script's own keys and args,
// so a script names its keys and its deadline by their usual positions.
// - Fence: with a token (a lease is configured), a script whose token is not the one in
//   <p>fence writes nothing and returns -2: another routerd took the lease since this one did
//   (docs/availability.md, "Active and standby"). An empty token: no lease, no check.
// - Late: a script takes a deadline (unix ms) and writes nothing when Redis's clock is past it:
//   a command that waited in a paused server's socket buffer, and runs when the server wakes,
//   after routerd has answered for it, is refused with -1 (docs/redis.md, "Health and late
//   writes"). routerd sets it clock_skew before the moment it gives up on the reply.
// - Feed: KEYS[#KEYS - 1] is the change feed (<p>changes) and ARGV[#ARGV - 1] its length (0: no
//   feed): feed(kind, key) appends one entry naming what a script changed ("x": an
//   interaction's hash key, "a": an agent, "t": a thread's Message-ID), which a standby follows
//   (journal_follower.h; docs/availability.md, "A warm standby").
#define ROUTER_JOURNAL_LATE(deadline_argv)                                                      \
  "if redis.replicate_commands then redis.replicate_commands() end\n"                           \
  "if ARGV[#ARGV] ~= '' and redis.call('GET', KEYS[#KEYS]) ~= ARGV[#ARGV] then return -2 end\n" \
  "local now = redis.call('TIME')\n"                                                            \
  "if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(" deadline_argv  \
  ") then return -1 end\n"                                                                      \
  "local function feed(kind, key)\n"                                                            \
  "  local max = tonumber(ARGV[#ARGV - 1])\n"                                                   \
  "  if max > 0 then redis.call('XADD', KEYS[#KEYS - 1], 'MAXLEN', '~', max, '*', kind, key) "  \
  "end\n"                                                                                       \
  "end\n"

// KEYS: ix:<id>, live, seq. ARGV: id, entry, state, queue, attempt, deadline.
// Past the deadline: -1, nothing written. A new id: next sequence number, the hash (with the
// attempt that wrote it), the live set; returns {1, seq}. A known id: returns {0, entry, live
// ("1" or "0")}; a live one is adopted by this attempt (a refusal of an earlier attempt of the
// same id then leaves it alone).
const Script kAppend(ROUTER_JOURNAL_LATE("ARGV[6]") R"lua(
local old = redis.call('HMGET', KEYS[1], 'entry', 'live')
if old[1] then
  if old[2] == '1' then redis.call('HSET', KEYS[1], 'attempt', ARGV[5]) end
  return {0, old[1], old[2] or '0'}
end
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'entry', ARGV[2], 'seq', seq, 'state', ARGV[3], 'queue', ARGV[4],
           'agent', '', 'live', '1', 'attempt', ARGV[5])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
feed('x', KEYS[1])
return {1, seq}
)lua");

// KEYS: ix:<id>, live. ARGV: id, attempt, deadline. An append routerd answered with an error (no
// reply in time, connection lost) may have been executed anyway: if the entry is still the one
// that attempt wrote, it is removed, so the refused submit never comes back as a live
// interaction.
const Script kRefuse(ROUTER_JOURNAL_LATE("ARGV[3]") R"lua(
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
feed('x', KEYS[1])
return 1
)lua");

// KEYS: ix:<id>. ARGV: entry, state, queue, agent, deadline. Only a live entry is rewritten (an
// update that arrives after the finish, or after a discard, must not bring it back).
const Script kUpdate(ROUTER_JOURNAL_LATE("ARGV[5]") R"lua(
if redis.call('HGET', KEYS[1], 'live') ~= '1' then return 0 end
redis.call('HSET', KEYS[1], 'entry', ARGV[1], 'state', ARGV[2], 'queue', ARGV[3], 'agent', ARGV[4])
feed('x', KEYS[1])
return 1
)lua");

// KEYS: ix:<id>, live, history. ARGV: id, entry, state, queue, agent, ttl_ms, history_max,
// deadline.
const Script kFinish(ROUTER_JOURNAL_LATE("ARGV[8]") R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'entry', ARGV[2], 'state', ARGV[3], 'queue', ARGV[4],
           'agent', ARGV[5], 'live', '0')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if tonumber(ARGV[7]) > 0 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'id', ARGV[1], 'state', ARGV[3],
             'queue', ARGV[4], 'agent', ARGV[5])
end
feed('x', KEYS[1])
return 1
)lua");

// KEYS: ix:<id>, live. ARGV: id, deadline.
const Script kDiscard(ROUTER_JOURNAL_LATE("ARGV[2]") R"lua(
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
feed('x', KEYS[1])
return 1
)lua");

// KEYS: live. ARGV: first rank, last rank, the ix: key prefix. The entries of one slice of the
// live set, in submit order: {id, entry or false, ...}.
const Script kLoad(R"lua(
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[3] .. id, 'entry') or false
end
return out
)lua");

// ---- Agent sessions and email threads (issue 16: sessions survive a takeover).

// KEYS: agents. ARGV: agent, entry, deadline. One field per agent: its latest session.
const Script kAgentUpdate(ROUTER_JOURNAL_LATE("ARGV[3]") R"lua(
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
feed('a', ARGV[1])
return 1
)lua");

// KEYS: threads (sorted set: Message-ID by the unix ms it was written), thread (hash: Message-ID
// -> entry). ARGV: Message-ID, entry, ttl_ms, max, deadline. Adds one, then forgets what is older
// than the ttl or beyond the max (oldest first, at most 100 a call, so a call stays short).
const Script kThreadRemember(ROUTER_JOURNAL_LATE("ARGV[5]") R"lua(
local clock = redis.call('TIME')
local ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZADD', KEYS[1], ms, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms - tonumber(ARGV[3]), 'LIMIT', 0, 100)
local over = math.min(redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4]), 100)
if over > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do gone[#gone + 1] = id end
end
feed('t', ARGV[1])
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  feed('t', id)
end
return 1
)lua");

// KEYS: agents. Every journaled agent session: {agent, entry, ...}.
const Script kLoadAgents(R"lua(
return redis.call('HGETALL', KEYS[1])
)lua");

// KEYS: threads, thread. ARGV: first rank, last rank. One slice of the thread index, oldest
// first: {entry or false, ...}.
const Script kLoadThreads(R"lua(
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or false
end
return out
)lua");

// Unsynced writes are kept by key: these never collide with an interaction id.
std::string agent_write_key(const std::string& agent) {
  return "\x1f"
         "agent:" +
         agent;
}
std::string thread_write_key(const std::string& id) {
  return "\x1f"
         "thread:" +
         id;
}

// ---- End of agent sessions and email threads.

#undef ROUTER_JOURNAL_LATE

std::string state_name(const v1::JournalEntry& e) {
  return v1::InteractionState_Name(e.interaction().state());
}

// How far Redis's clock may lag routerd's (docs/redis.md): a script's deadline is this much
// before routerd gives up on its reply (at most half the timeout).
constexpr engine::Duration kClockSkew = std::chrono::milliseconds(250);

// The deadline a script is sent with, as Redis's TIME reads it: unix milliseconds.
std::string script_deadline(engine::Duration timeout) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return std::to_string((now + timeout - std::min(kClockSkew, timeout / 2)).count());
}

bool is_late(const Reply& r) { return r.type == Reply::Type::kInteger && r.integer == -1; }
// Refused by the fence: another routerd holds the lease now.
bool is_fenced(const Reply& r) { return r.type == Reply::Type::kInteger && r.integer == -2; }

// Identifies this process's append attempts: a random 64-bit number, then a counter.
std::string attempt_prefix() {
  std::random_device rd;
  const uint64_t n = (uint64_t{rd()} << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(n));
  return std::string(buf) + ":";
}

}  // namespace

struct RedisJournal::State : std::enable_shared_from_this<RedisJournal::State> {
  State(Client& c, JournalOptions o)
      : client(c), options(std::move(o)), keys(options.key_prefix), attempts(attempt_prefix()) {}

  // A write kept for replay: the latest per interaction id.
  struct Op {
    uint64_t version = 0;
    const Script* script = nullptr;
    std::vector<std::string> keys;
    std::vector<std::string> args;
    bool resent = false;  // sent again by resend_kept()
  };

  Client& client;
  const JournalOptions options;
  const Keys keys;
  const std::string attempts;  // prefix of this process's append attempt ids
  std::atomic<uint64_t> next_attempt{1};
  std::atomic<uint64_t> next_version{1};
  std::atomic<size_t> unsynced_count{0};

  std::atomic<uint64_t> fence_token{0};  // 0: no lease, no fence check

  std::mutex listener_mu;
  std::function<void(bool)> listener;     // guarded by listener_mu
  std::function<void()> fenced_listener;  // guarded by listener_mu

  // io thread only.
  std::unordered_map<std::string, Op> unsynced;
  bool lost_logged = false;
  size_t in_flight = 0;         // writes sent by send() and not settled yet
  size_t resent_in_flight = 0;  // of those, kept writes sent again (resend_kept)
  bool was_fenced = false;      // a write was refused by the fence: nothing it asked for is stored

  // Every write script goes out here (ROUTER_JOURNAL_LATE): its args, then a deadline fresh for
  // this (re)send, the change feed's key and length, then the fence key and this process's
  // token.
  void write(const Script& script, std::vector<std::string> k, std::vector<std::string> a,
             Done done) {
    a.push_back(script_deadline(options.timeout));
    a.push_back(std::to_string(options.change_feed_max));
    k.push_back(keys.changes());
    k.push_back(keys.fence());
    const uint64_t token = fence_token.load(std::memory_order_acquire);
    a.push_back(token == 0 ? std::string() : std::to_string(token));
    client.eval(script, std::move(k), std::move(a), options.timeout, std::move(done));
  }

  void send(std::string id, Op op) {
    ++in_flight;
    const Script& script = *op.script;
    auto keys_copy = op.keys;
    auto args_copy = op.args;
    write(script, std::move(keys_copy), std::move(args_copy),
          [self = shared_from_this(), id = std::move(id), op = std::move(op)](
              absl::StatusOr<Reply> r) mutable { self->settled(std::move(id), std::move(op), r); });
  }

  // A write the fence refused: this routerd is deposed; its owner hears it (on the io thread).
  void fenced() {
    std::function<void()> fn;
    {
      std::lock_guard lock(listener_mu);
      fn = fenced_listener;
    }
    spdlog::warn("event=journal_fenced token={} action=not_written",
                 fence_token.load(std::memory_order_relaxed));
    was_fenced = true;
    if (fn) fn();
  }

  void settled(std::string id, Op op, const absl::StatusOr<Reply>& r) {
    --in_flight;
    if (op.resent) {
      --resent_in_flight;
      op.resent = false;
    }
    auto it = unsynced.find(id);
    if (r.ok() && is_fenced(*r)) {  // never writable again by this process: not kept
      if (it != unsynced.end() && it->second.version <= op.version) unsynced.erase(it);
      unsynced_count.store(unsynced.size(), std::memory_order_relaxed);
      return fenced();
    }
    const bool late = r.ok() && is_late(*r);  // refused, not written: kept like a timeout
    if (r.ok() && !r->is_error() && !late) {
      if (it != unsynced.end() && it->second.version <= op.version) unsynced.erase(it);
    } else {
      if (r.ok() && !late) {  // a script error: a bug or a foreign value in our keys
        spdlog::error("event=journal_write_failed id={} error={}", engine::log_text(id),
                      engine::log_text(r->str));
      } else if (it == unsynced.end() || it->second.version < op.version) {
        if (it == unsynced.end() && unsynced.size() >= options.max_unsynced) {
          if (!lost_logged) {
            spdlog::error("event=journal_unsynced_full limit={} action=dropping_writes",
                          options.max_unsynced);
            lost_logged = true;
          }
        } else {
          unsynced[id] = std::move(op);
        }
      }
    }
    unsynced_count.store(unsynced.size(), std::memory_order_relaxed);
    // A write kept while the connection stayed up (refused as late, or no reply in time) would
    // wait for the next reconnect; it is sent again once nothing else is in flight (so it cannot
    // overtake a newer write of its id). Every sync() until then answers UNAVAILABLE.
    if (in_flight == 0 && !unsynced.empty() && client.connected()) resend_kept();
  }

  void resend_kept() {
    auto pending = std::move(unsynced);
    unsynced.clear();
    unsynced_count.store(0, std::memory_order_relaxed);
    lost_logged = false;
    for (auto& [id, op] : pending) {
      op.resent = true;
      ++resent_in_flight;
      send(id, std::move(op));
    }
  }

  void connected(bool up) {
    if (up && !unsynced.empty()) {
      spdlog::info("event=journal_resync writes={}", unsynced.size());
      resend_kept();
    }
    std::function<void(bool)> fn;
    {
      std::lock_guard lock(listener_mu);
      fn = listener;
    }
    if (fn) fn(up);
  }

  Op op(const Script& script, std::vector<std::string> k, std::vector<std::string> a) {
    return Op{next_version.fetch_add(1, std::memory_order_relaxed), &script, std::move(k),
              std::move(a)};
  }

  // ---- append

  // What the append script's reply means for the caller.
  static absl::StatusOr<ports::AppendResult> appended(const std::weak_ptr<State>& weak,
                                                      const std::string& id,
                                                      const std::string& attempt,
                                                      const absl::StatusOr<Reply>& r) {
    if (!r.ok()) {
      // The caller answers an error, yet Redis may have run the append (the reply was lost,
      // or it runs later): undo exactly this attempt once Redis answers again.
      auto s = weak.lock();
      if (s && !never_sent(r.status())) {
        s->send(id, s->op(kRefuse, {s->keys.interaction(id), s->keys.live()}, {id, attempt}));
      }
      return r.status();
    }
    const Reply& reply = *r;
    if (is_fenced(reply)) {
      if (auto s = weak.lock()) s->fenced();
      return absl::UnavailableError(
          "journal append: routerd is no longer the active instance (another routerd took the "
          "lease), so it wrote nothing");
    }
    if (is_late(reply)) {
      return absl::DeadlineExceededError(
          "journal append: Redis ran it after its deadline, so it wrote nothing");
    }
    if (reply.is_error()) return absl::InternalError("journal append: " + reply.str);
    if (reply.type != Reply::Type::kArray || reply.elements.empty()) {
      return absl::InternalError("journal append: unexpected reply");
    }
    ports::AppendResult result;
    if (reply.elements[0].integer == 1) {
      result.appended = true;
      return result;
    }
    v1::JournalEntry existing;
    if (reply.elements.size() < 3 || !existing.ParseFromString(reply.elements[1].str)) {
      return absl::DataLossError("journal append: the stored entry does not decode");
    }
    result.existing = std::move(existing);
    result.existing_live = reply.elements[2].str == "1";
    return result;
  }

  // ---- WAIT (options.wait_replicas > 0), io thread only
  //
  // Group commit of the acknowledgement: every append written since the last WAIT was sent
  // shares the next one (WAIT counts the replicas that have everything this connection wrote
  // before it), sent at the end of the loop turn, or when the WAIT in flight returns: at most one
  // is in flight, since the server holds up everything behind a WAIT on its connection. An
  // append's reply always comes before its WAIT's (one connection, in order); a WAIT on a newer
  // connection than its appends cannot confirm them, as their replies were lost with the old one.

  // One append waiting for its script's reply and its group's WAIT.
  struct Acked {
    std::optional<absl::StatusOr<ports::AppendResult>> append;
    std::optional<absl::Status> wait;  // ok: enough replicas acknowledged
    std::function<void(absl::StatusOr<ports::AppendResult>)> done;

    void settle() {
      if (!append || !wait || !done) return;
      auto d = std::move(done);
      done = nullptr;
      // The append's own failure names the real problem; the entry is there when it succeeded,
      // so a repeat of the id replays it even when the WAIT fell short.
      if (!append->ok() || wait->ok()) return d(std::move(*append));
      d(*wait);
    }
  };
  std::vector<std::shared_ptr<Acked>> wait_group;  // appends written since the last WAIT
  bool wait_in_flight = false;
  bool wait_posted = false;

  void append_and_wait(std::vector<std::string> keys, std::vector<std::string> args,
                       const std::string& id, std::string attempt,
                       std::function<void(absl::StatusOr<ports::AppendResult>)> done) {
    auto acked = std::make_shared<Acked>();
    acked->done = std::move(done);
    write(kAppend, std::move(keys), std::move(args),
          [acked, weak = weak_from_this(), id, attempt](absl::StatusOr<Reply> r) {
            acked->append = appended(weak, id, attempt, r);
            acked->settle();
          });
    wait_group.push_back(std::move(acked));
    if (wait_in_flight || wait_posted) return;
    wait_posted = true;  // after the rest of this turn's appends
    asio::post(client.io(), [weak = weak_from_this()] {
      if (auto s = weak.lock()) {
        s->wait_posted = false;
        s->send_wait();
      }
    });
  }

  void send_wait() {
    if (wait_in_flight || wait_group.empty()) return;
    auto group = std::make_shared<std::vector<std::shared_ptr<Acked>>>(std::move(wait_group));
    wait_group.clear();
    wait_in_flight = true;
    const int n = options.wait_replicas;
    const int64_t ms = options.wait_timeout.count();
    client.command(
        {"WAIT", std::to_string(n), std::to_string(ms)}, options.timeout + options.wait_timeout,
        [weak = weak_from_this(), group, n, ms](absl::StatusOr<Reply> r) {
          const std::string short_of = "journal entry not acknowledged by " + std::to_string(n) +
                                       " replica(s) in " + std::to_string(ms) + " ms";
          absl::Status verdict;
          if (!r.ok()) {
            verdict = absl::UnavailableError(short_of +
                                             " (WAIT: " + std::string(r.status().message()) + ")");
          } else if (r->is_error()) {
            verdict = absl::UnavailableError(short_of + " (WAIT refused: " + r->str + ")");
          } else if (r->type != Reply::Type::kInteger || r->integer < n) {
            verdict =
                absl::UnavailableError(short_of + " (" + std::to_string(r->integer) + " did)");
          }
          if (auto s = weak.lock()) {
            s->wait_in_flight = false;
            s->send_wait();  // the appends written while this one was out
          }
          for (const auto& acked : *group) {
            acked->wait = verdict;
            acked->settle();
          }
        });
  }

  // ---- sync, io thread only
  //
  // One barrier command serves every sync() of a loop turn: a PING (WAIT with wait_replicas, in
  // the appends' group) written behind the writes they wait for, on the same connection, so its
  // reply comes after theirs; then each sync checks that none of its writes was kept or fenced.

  struct Sync {
    uint64_t before = 0;  // writes with a lower version were asked for before the sync
    std::function<void(absl::Status)> done;
  };
  std::vector<Sync> syncs;  // waiting for the next barrier
  bool sync_posted = false;

  void sync(Sync s) {
    syncs.push_back(std::move(s));
    if (sync_posted) return;
    sync_posted = true;  // after the rest of this turn's writes
    asio::post(client.io(), [weak = weak_from_this()] {
      if (auto s = weak.lock()) s->send_sync();
    });
  }

  void send_sync() {
    sync_posted = false;
    auto group = std::make_shared<std::vector<Sync>>(std::move(syncs));
    syncs.clear();
    auto finish = [weak = weak_from_this(), group](const absl::Status& barrier) {
      auto s = weak.lock();
      for (Sync& one : *group) {
        absl::Status st = barrier;
        if (st.ok()) st = s ? s->stored(one.before) : absl::UnavailableError("journal: stopped");
        one.done(st);
      }
    };
    if (options.wait_replicas > 0) {
      auto acked = std::make_shared<Acked>();
      acked->append = ports::AppendResult{};  // nothing of its own: the WAIT alone decides
      acked->done = [finish](absl::StatusOr<ports::AppendResult> r) { finish(r.status()); };
      wait_group.push_back(std::move(acked));
      return send_wait();
    }
    client.command({"PING"}, options.timeout, [finish](absl::StatusOr<Reply> r) {
      if (!r.ok()) {
        return finish(absl::UnavailableError("journal: " + std::string(r.status().message())));
      }
      if (r->is_error()) return finish(absl::UnavailableError("journal: " + r->str));
      finish(absl::OkStatus());
    });
  }

  // After the barrier: whether every write asked for before `before` is stored.
  absl::Status stored(uint64_t before) const {
    if (was_fenced) {
      return absl::FailedPreconditionError(
          "journal: routerd is no longer the active instance (another routerd took the lease)");
    }
    for (const auto& [id, op] : unsynced) {
      if (op.version < before) {
        return absl::UnavailableError(
            "journal: Redis has not taken a write yet (kept and written again when it answers)");
      }
    }
    if (resent_in_flight > 0) {  // perhaps sent after the barrier: not known to be stored yet
      return absl::UnavailableError("journal: writes kept during an outage are being written");
    }
    return absl::OkStatus();
  }
};

RedisJournal::RedisJournal(Client& client, JournalOptions options)
    : state_(std::make_shared<State>(client, std::move(options))) {
  // Journal writes must apply in the order they were made: no NOSCRIPT round trips.
  for (const Script* script : {&kAppend, &kRefuse, &kUpdate, &kFinish, &kDiscard, &kLoad}) {
    client.preload(*script);
  }
  for (const Script* script : {&kAgentUpdate, &kThreadRemember, &kLoadAgents, &kLoadThreads}) {
    client.preload(*script);
  }
  std::weak_ptr<State> weak = state_;
  client.on_state([weak](bool up) {
    if (auto s = weak.lock()) s->connected(up);
  });
}

RedisJournal::~RedisJournal() = default;

void RedisJournal::append(const v1::JournalEntry& entry,
                          std::function<void(absl::StatusOr<ports::AppendResult>)> done) {
  const std::string& id = entry.interaction().interaction_id();
  std::vector<std::string> keys{state_->keys.interaction(id), state_->keys.live(),
                                state_->keys.seq()};
  std::string attempt = state_->attempts + std::to_string(state_->next_attempt.fetch_add(
                                               1, std::memory_order_relaxed));
  std::vector<std::string> args{id, entry.SerializeAsString(), state_name(entry),
                                entry.interaction().queue(), attempt};
  if (state_->options.wait_replicas > 0) {
    if (state_->client.io().get_executor().running_in_this_thread()) {
      return state_->append_and_wait(std::move(keys), std::move(args), id, std::move(attempt),
                                     std::move(done));
    }
    asio::post(state_->client.io(), [s = state_, keys = std::move(keys), args = std::move(args), id,
                                     attempt = std::move(attempt),
                                     done = std::move(done)]() mutable {
      s->append_and_wait(std::move(keys), std::move(args), id, std::move(attempt), std::move(done));
    });
    return;
  }
  state_->write(kAppend, std::move(keys), std::move(args),
                [done = std::move(done), weak = std::weak_ptr<State>(state_), id,
                 attempt = std::move(attempt)](absl::StatusOr<Reply> r) {
                  done(State::appended(weak, id, attempt, r));
                });
}

void RedisJournal::update(const v1::JournalEntry& entry) {
  const std::string& id = entry.interaction().interaction_id();
  state_->send(id, state_->op(kUpdate, {state_->keys.interaction(id)},
                              {entry.SerializeAsString(), state_name(entry),
                               entry.interaction().queue(), entry.interaction().agent()}));
}

void RedisJournal::finish(const v1::JournalEntry& entry) {
  const std::string& id = entry.interaction().interaction_id();
  const auto& o = state_->options;
  state_->send(
      id, state_->op(kFinish,
                     {state_->keys.interaction(id), state_->keys.live(), state_->keys.history()},
                     {id, entry.SerializeAsString(), state_name(entry), entry.interaction().queue(),
                      entry.interaction().agent(),
                      std::to_string(std::max<int64_t>(1, o.finished_ttl.count())),
                      std::to_string(o.history_max)}));
}

void RedisJournal::discard(const std::string& interaction_id) {
  state_->send(interaction_id,
               state_->op(kDiscard, {state_->keys.interaction(interaction_id), state_->keys.live()},
                          {interaction_id}));
}

void RedisJournal::load(std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done) {
  struct Loading {
    std::vector<v1::JournalEntry> entries;
    size_t missing = 0;
    std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done;
    std::function<void(size_t)> next;  // loads the slice starting at a rank
  };
  auto loading = std::make_shared<Loading>();
  loading->done = std::move(done);
  std::weak_ptr<Loading> weak = loading;
  auto st = state_;
  // `next` holds the only strong reference to `loading` through each pending call.
  loading->next = [weak, st](size_t first) {
    auto self = weak.lock();
    if (!self) return;
    const size_t batch = st->options.load_batch;
    st->client.eval(
        kLoad, {st->keys.live()},
        {std::to_string(first), std::to_string(first + batch - 1), st->keys.interaction("")},
        std::max(st->options.timeout, engine::Duration(std::chrono::seconds(5))),
        [self, first, batch](absl::StatusOr<Reply> r) {
          auto finish = [&](absl::StatusOr<std::vector<v1::JournalEntry>> out) {
            auto done = std::move(self->done);
            self->next = nullptr;  // breaks the cycle
            done(std::move(out));
          };
          if (!r.ok()) return finish(r.status());
          if (r->is_error()) return finish(absl::InternalError("journal load: " + r->str));
          const auto& items = r->elements;
          for (size_t i = 0; i + 1 < items.size(); i += 2) {
            v1::JournalEntry e;
            if (items[i + 1].type != Reply::Type::kString || !e.ParseFromString(items[i + 1].str)) {
              ++self->missing;
              spdlog::error("event=journal_entry_unreadable id={} action=skipped",
                            engine::log_text(items[i].str));
              continue;
            }
            self->entries.push_back(std::move(e));
          }
          if (items.size() / 2 < batch) return finish(std::move(self->entries));
          self->next(first + batch);
        });
  };
  loading->next(0);
}

void RedisJournal::sync(std::function<void(absl::Status)> done) {
  State::Sync one{state_->next_version.load(std::memory_order_relaxed), std::move(done)};
  if (state_->client.io().get_executor().running_in_this_thread()) {
    return state_->sync(std::move(one));
  }
  asio::post(state_->client.io(),
             [s = state_, one = std::move(one)]() mutable { s->sync(std::move(one)); });
}

// ---- Agent sessions and email threads.

void RedisJournal::update_agent(const v1::AgentJournalEntry& entry) {
  state_->send(agent_write_key(entry.agent()),
               state_->op(kAgentUpdate, {state_->keys.agents()},
                          {entry.agent(), entry.SerializeAsString()}));
}

void RedisJournal::remember_thread(const v1::EmailThreadEntry& entry) {
  const auto& o = state_->options;
  state_->send(thread_write_key(entry.message_id()),
               state_->op(kThreadRemember, {state_->keys.threads(), state_->keys.thread()},
                          {entry.message_id(), entry.SerializeAsString(),
                           std::to_string(std::max<int64_t>(1, o.finished_ttl.count())),
                           std::to_string(o.max_threads)}));
}

void RedisJournal::find(const std::string& interaction_id,
                        std::function<void(absl::StatusOr<std::optional<v1::JournalEntry>>)> done) {
  state_->client.command(
      {"HGET", state_->keys.interaction(interaction_id), "entry"}, state_->options.timeout,
      [done = std::move(done)](absl::StatusOr<Reply> r) {
        if (!r.ok()) return done(r.status());
        if (r->is_error()) return done(absl::InternalError("journal find: " + r->str));
        if (r->is_nil()) return done(std::optional<v1::JournalEntry>());
        v1::JournalEntry e;
        if (!e.ParseFromString(r->str)) {
          return done(absl::DataLossError("journal find: the stored entry does not decode"));
        }
        done(std::optional<v1::JournalEntry>(std::move(e)));
      });
}

void RedisJournal::load_sessions(std::function<void(absl::StatusOr<ports::SessionJournal>)> done) {
  struct Loading {
    ports::SessionJournal out;
    std::function<void(absl::StatusOr<ports::SessionJournal>)> done;
    std::function<void(size_t)> next;  // loads the thread slice starting at a rank
    void finish(absl::StatusOr<ports::SessionJournal> r) {
      auto fn = std::move(done);
      next = nullptr;  // breaks the cycle
      fn(std::move(r));
    }
  };
  auto loading = std::make_shared<Loading>();
  loading->done = std::move(done);
  std::weak_ptr<Loading> weak = loading;
  auto st = state_;
  const engine::Duration timeout =
      std::max(st->options.timeout, engine::Duration(std::chrono::seconds(5)));
  loading->next = [weak, st, timeout](size_t first) {
    auto self = weak.lock();
    if (!self) return;
    const size_t batch = st->options.load_batch;
    st->client.eval(kLoadThreads, {st->keys.threads(), st->keys.thread()},
                    {std::to_string(first), std::to_string(first + batch - 1)}, timeout,
                    [self, first, batch](absl::StatusOr<Reply> r) {
                      if (!r.ok()) return self->finish(r.status());
                      if (r->is_error())
                        return self->finish(absl::InternalError("thread load: " + r->str));
                      for (const Reply& item : r->elements) {
                        v1::EmailThreadEntry e;
                        if (item.type == Reply::Type::kString && e.ParseFromString(item.str)) {
                          self->out.threads.push_back(std::move(e));
                        }
                      }
                      if (r->elements.size() < batch) return self->finish(std::move(self->out));
                      self->next(first + batch);
                    });
  };
  st->client.eval(kLoadAgents, {st->keys.agents()}, {}, timeout,
                  [loading](absl::StatusOr<Reply> r) {
                    if (!r.ok()) return loading->finish(r.status());
                    if (r->is_error()) {
                      return loading->finish(absl::InternalError("agent load: " + r->str));
                    }
                    const auto& items = r->elements;
                    for (size_t i = 0; i + 1 < items.size(); i += 2) {
                      v1::AgentJournalEntry e;
                      if (!e.ParseFromString(items[i + 1].str)) {
                        spdlog::error("event=journal_agent_unreadable agent={} action=skipped",
                                      engine::log_text(items[i].str));
                        continue;
                      }
                      loading->out.agents.push_back(std::move(e));
                    }
                    loading->next(0);
                  });
}

// ---- End of agent sessions and email threads.

bool RedisJournal::available() const { return state_->client.connected(); }

void RedisJournal::on_available(std::function<void(bool)> fn) {
  std::lock_guard lock(state_->listener_mu);
  state_->listener = std::move(fn);
}

std::string RedisJournal::describe() const {
  const auto& c = state_->client.options();
  std::string d = "redis " + c.server() + " db " + std::to_string(c.database) + " prefix " +
                  state_->options.key_prefix;
  if (state_->options.wait_replicas > 0) {
    d += " WAIT " + std::to_string(state_->options.wait_replicas) + " replica(s) " +
         std::to_string(state_->options.wait_timeout.count()) + " ms";
  }
  return d;
}

void RedisJournal::set_fence_token(uint64_t token) {
  state_->fence_token.store(token, std::memory_order_release);
}

void RedisJournal::on_fenced(std::function<void()> fn) {
  std::lock_guard lock(state_->listener_mu);
  state_->fenced_listener = std::move(fn);
}

size_t RedisJournal::unsynced() const {
  return state_->unsynced_count.load(std::memory_order_relaxed);
}

}  // namespace router::adapters::redis
