// The interaction journal on Redis: four Lua scripts (append, update, finish, discard), a
// batched load, and the unsynced writes replayed after an outage. See journal.h.
#include "adapters/redis/journal.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/log_text.h"

namespace router::adapters::redis {
namespace {

// Every write script takes a deadline (unix ms, its last ARGV) and writes nothing when Redis's
// clock is past it: a command that waited in a paused server's socket buffer, and runs when the
// server wakes, after routerd has answered for it, is refused (docs/redis.md, "Health and late
// writes"). routerd sets it clock_skew before the moment it gives up on the reply.
#define ROUTER_JOURNAL_LATE(deadline_argv)                                                     \
  "if redis.replicate_commands then redis.replicate_commands() end\n"                          \
  "local now = redis.call('TIME')\n"                                                           \
  "if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(" deadline_argv \
  ") then return -1 end\n"

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
return {1, seq}
)lua");

// KEYS: ix:<id>, live. ARGV: id, attempt. An append routerd answered with an error (no reply in
// time, connection lost) may have been executed anyway: if the entry is still the one that
// attempt wrote, it is removed, so the refused submit never comes back as a live interaction.
const Script kRefuse(R"lua(
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
)lua");

// KEYS: ix:<id>. ARGV: entry, state, queue, agent, deadline. Only a live entry is rewritten (an
// update that arrives after the finish, or after a discard, must not bring it back).
const Script kUpdate(ROUTER_JOURNAL_LATE("ARGV[5]") R"lua(
if redis.call('HGET', KEYS[1], 'live') ~= '1' then return 0 end
redis.call('HSET', KEYS[1], 'entry', ARGV[1], 'state', ARGV[2], 'queue', ARGV[3], 'agent', ARGV[4])
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
return 1
)lua");

// KEYS: ix:<id>, live. ARGV: id, deadline.
const Script kDiscard(ROUTER_JOURNAL_LATE("ARGV[2]") R"lua(
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
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
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
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
  };

  Client& client;
  const JournalOptions options;
  const Keys keys;
  const std::string attempts;  // prefix of this process's append attempt ids
  std::atomic<uint64_t> next_attempt{1};
  std::atomic<uint64_t> next_version{1};
  std::atomic<size_t> unsynced_count{0};

  std::mutex listener_mu;
  std::function<void(bool)> listener;  // guarded by listener_mu

  // io thread only.
  std::unordered_map<std::string, Op> unsynced;
  bool lost_logged = false;

  void send(std::string id, Op op) {
    const Script& script = *op.script;
    auto keys_copy = op.keys;
    auto args_copy = op.args;
    args_copy.push_back(script_deadline(options.timeout));  // fresh for every (re)send
    client.eval(
        script, std::move(keys_copy), std::move(args_copy), options.timeout,
        [self = shared_from_this(), id = std::move(id), op = std::move(op)](
            absl::StatusOr<Reply> r) mutable { self->settled(std::move(id), std::move(op), r); });
  }

  void settled(std::string id, Op op, const absl::StatusOr<Reply>& r) {
    auto it = unsynced.find(id);
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
  }

  void connected(bool up) {
    if (up && !unsynced.empty()) {
      spdlog::info("event=journal_resync writes={}", unsynced.size());
      auto pending = std::move(unsynced);
      unsynced.clear();
      lost_logged = false;
      for (auto& [id, op] : pending) send(id, std::move(op));
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
  std::vector<std::string> args{id,
                                entry.SerializeAsString(),
                                state_name(entry),
                                entry.interaction().queue(),
                                attempt,
                                script_deadline(state_->options.timeout)};
  state_->client.eval(
      kAppend, std::move(keys), std::move(args), state_->options.timeout,
      [done = std::move(done), weak = std::weak_ptr<State>(state_), id,
       attempt = std::move(attempt)](absl::StatusOr<Reply> r) {
        if (!r.ok()) {
          // The caller answers an error, yet Redis may have run the append (the reply was lost,
          // or it runs later): undo exactly this attempt once Redis answers again.
          auto s = weak.lock();
          if (s && !never_sent(r.status())) {
            s->send(id, s->op(kRefuse, {s->keys.interaction(id), s->keys.live()}, {id, attempt}));
          }
          return done(r.status());
        }
        const Reply& reply = *r;
        if (is_late(reply)) {
          return done(absl::DeadlineExceededError(
              "journal append: Redis ran it after its deadline, so it wrote nothing"));
        }
        if (reply.is_error()) return done(absl::InternalError("journal append: " + reply.str));
        if (reply.type != Reply::Type::kArray || reply.elements.empty()) {
          return done(absl::InternalError("journal append: unexpected reply"));
        }
        ports::AppendResult result;
        if (reply.elements[0].integer == 1) {
          result.appended = true;
          return done(result);
        }
        v1::JournalEntry existing;
        if (reply.elements.size() < 3 || !existing.ParseFromString(reply.elements[1].str)) {
          return done(absl::DataLossError("journal append: the stored entry does not decode"));
        }
        result.existing = std::move(existing);
        result.existing_live = reply.elements[2].str == "1";
        done(std::move(result));
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
  return "redis " + c.host + ":" + std::to_string(c.port) + " db " + std::to_string(c.database) +
         " prefix " + state_->options.key_prefix;
}

size_t RedisJournal::unsynced() const {
  return state_->unsynced_count.load(std::memory_order_relaxed);
}

}  // namespace router::adapters::redis
