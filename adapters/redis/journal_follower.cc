// A standby's warm copy of the journal, kept current from the change feed. See
// journal_follower.h.
#include "adapters/redis/journal_follower.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <cstdlib>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "adapters/redis/keys.h"
#include "engine/log_text.h"

namespace router::adapters::redis {
namespace {

// XINFO STREAM's counters of the feed as locals n (entries ever added), len and last (the last
// id); an absent feed: 0, 0, "0-0".
#define ROUTER_FEED_INFO                                                    \
  "local n, len, last = 0, 0, '0-0'\n"                                      \
  "if redis.call('EXISTS', KEYS[1]) == 1 then\n"                            \
  "  local info = redis.call('XINFO', 'STREAM', KEYS[1])\n"                 \
  "  for i = 1, #info, 2 do\n"                                              \
  "    if info[i] == 'entries-added' then n = info[i + 1]\n"                \
  "    elseif info[i] == 'length' then len = info[i + 1]\n"                 \
  "    elseif info[i] == 'last-generated-id' then last = info[i + 1] end\n" \
  "  end\n"                                                                 \
  "end\n"

// KEYS: changes. Where following starts: {last id, entries added}.
const Script kMark(ROUTER_FEED_INFO R"lua(
return {last, n}
)lua");

// KEYS: changes, agents, threads, thread. ARGV: last id read, entries read, count, ix: prefix.
// A gap (an entry not read yet was trimmed, or the feed was deleted): {1}. Else {0, entries read
// now, the last one's id, then per key named (once): kind, key, value or false, order or false}:
// "x" (an interaction's hash key): its entry and sequence number while live; "a": the agent's
// session; "t": the thread's entry and score.
const Script kFollow(ROUTER_FEED_INFO R"lua(
local seen = tonumber(ARGV[2])
if n < seen or n - len > seen then return {1} end
local items = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[3])
local out = {0, #items, ARGV[1]}
local named = {}
for _, item in ipairs(items) do
  out[3] = item[1]
  local kind, key = item[2][1], item[2][2]
  if not named[kind .. ' ' .. key] then
    named[kind .. ' ' .. key] = true
    local value, order = false, false
    if kind == 'x' then
      local h = redis.call('HMGET', key, 'entry', 'live', 'seq')
      if h[2] == '1' then value, order = h[1], h[3] end
    elseif kind == 'a' then
      value = redis.call('HGET', KEYS[2], key)
    elseif kind == 't' then
      value = redis.call('HGET', KEYS[4], key)
      order = redis.call('ZSCORE', KEYS[3], key)
    end
    out[#out + 1] = kind
    out[#out + 1] = key
    out[#out + 1] = value
    out[#out + 1] = order
  end
end
return out
)lua");

// KEYS: agents. Every journaled agent session: {agent, entry, ...}.
const Script kWarmAgents(R"lua(
return redis.call('HGETALL', KEYS[1])
)lua");

// KEYS: threads, thread. ARGV: first rank, last rank. One slice of the thread index, oldest
// first: {Message-ID, entry or false, score, ...}.
const Script kWarmThreads(R"lua(
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  out[#out + 1] = ids[i]
  out[#out + 1] = redis.call('HGET', KEYS[2], ids[i]) or false
  out[#out + 1] = ids[i + 1]
end
return out
)lua");

// KEYS: live. ARGV: first rank, last rank, the ix: key prefix. One slice of the live set in
// submit order: {hash key, entry or false, sequence number, ...}.
const Script kWarmLoad(R"lua(
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  local key = ARGV[3] .. ids[i]
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGET', key, 'entry') or false
  out[#out + 1] = ids[i + 1]
end
return out
)lua");

#undef ROUTER_FEED_INFO

int64_t number(const Reply& r) {
  if (r.type == Reply::Type::kInteger) return r.integer;
  return std::strtoll(r.str.c_str(), nullptr, 10);
}

}  // namespace

struct JournalFollower::State : std::enable_shared_from_this<JournalFollower::State> {
  State(Client& c, FollowerOptions o)
      : client(c), options(std::move(o)), keys(options.key_prefix), timer(c.io()) {}

  enum class Phase { kStopped, kLoading, kWarm, kTaking };

  // A key of the copy: its value and its place as Redis orders it (the live set's sequence
  // number, the thread index's score), read with the value.
  template <typename T>
  struct Held {
    int64_t order = 0;
    T value;
  };

  Client& client;
  const FollowerOptions options;
  const Keys keys;
  asio::steady_timer timer;
  std::atomic<bool> is_warm{false};
  std::atomic<uint64_t> changes_seen{0};  // `changes` and `reloads` for other threads
  std::atomic<uint64_t> reloads_seen{0};

  // io thread only.
  Phase phase = Phase::kStopped;
  uint64_t generation = 0;  // bumped by every (re)load and stop: older replies are ignored
  std::string last_id = "0-0";
  uint64_t seen = 0;  // feed entries read (entries-added at the mark, then each read's count)
  // By hash key: the encoded entry, decoded only at take() (a standby following a busy active
  // decodes nothing it will not need).
  std::unordered_map<std::string, Held<std::string>> interactions;
  std::unordered_map<std::string, v1::AgentJournalEntry> agents;
  std::unordered_map<std::string, Held<v1::EmailThreadEntry>> threads;  // by Message-ID
  uint64_t changes = 0;
  uint64_t reloads = 0;
  std::function<void(absl::StatusOr<WarmJournal>)> taking;

  // ---- loading: mark the feed, then read the live set and the sessions

  void load() {
    const uint64_t gen = ++generation;
    phase = Phase::kLoading;
    is_warm = false;
    interactions.clear();
    agents.clear();
    threads.clear();
    client.eval(kMark, {keys.changes()}, {}, options.timeout,
                [self = shared_from_this(), gen](absl::StatusOr<Reply> r) {
                  if (!self->step_ok(gen, r)) return;
                  if (r->elements.size() < 2) return self->retry_load(gen, "unexpected reply");
                  self->last_id = r->elements[0].str;
                  self->seen = static_cast<uint64_t>(number(r->elements[1]));
                  self->load_slice(gen, 0);
                });
  }

  // A load step's reply: false when a newer load (or a stop) superseded it, or when it failed
  // (the load is then tried again).
  bool step_ok(uint64_t gen, const absl::StatusOr<Reply>& r) {
    if (generation != gen) return false;
    if (r.ok() && !r->is_error()) return true;
    retry_load(gen, r.ok() ? r->str : std::string(r.status().message()));
    return false;
  }

  void retry_load(uint64_t gen, const std::string& why) {
    spdlog::debug("event=follower_load_retry error={}", engine::log_text(why));
    timer.expires_after(options.poll);
    timer.async_wait([self = shared_from_this(), gen](const std::error_code& ec) {
      if (!ec && self->generation == gen) self->load();
    });
  }

  void load_slice(uint64_t gen, size_t first) {
    const size_t batch = options.batch;
    client.eval(kWarmLoad, {keys.live()},
                {std::to_string(first), std::to_string(first + batch - 1), keys.interaction("")},
                options.timeout,
                [self = shared_from_this(), gen, first, batch](absl::StatusOr<Reply> r) {
                  if (!self->step_ok(gen, r)) return;
                  const auto& items = r->elements;
                  for (size_t i = 0; i + 2 < items.size(); i += 3) {
                    self->put_interaction(items[i].str, items[i + 1], items[i + 2]);
                  }
                  if (items.size() / 3 < batch) return self->load_agents(gen);
                  self->load_slice(gen, first + batch);
                });
  }

  void load_agents(uint64_t gen) {
    client.eval(kWarmAgents, {keys.agents()}, {}, options.timeout,
                [self = shared_from_this(), gen](absl::StatusOr<Reply> r) {
                  if (!self->step_ok(gen, r)) return;
                  const auto& items = r->elements;
                  for (size_t i = 0; i + 1 < items.size(); i += 2) {
                    self->apply("a", items[i].str, items[i + 1], Reply{});
                  }
                  self->load_threads(gen, 0);
                });
  }

  void load_threads(uint64_t gen, size_t first) {
    const size_t batch = options.batch;
    client.eval(kWarmThreads, {keys.threads(), keys.thread()},
                {std::to_string(first), std::to_string(first + batch - 1)}, options.timeout,
                [self = shared_from_this(), gen, first, batch](absl::StatusOr<Reply> r) {
                  if (!self->step_ok(gen, r)) return;
                  const auto& items = r->elements;
                  for (size_t i = 0; i + 2 < items.size(); i += 3) {
                    self->apply("t", items[i].str, items[i + 1], items[i + 2]);
                  }
                  if (items.size() / 3 < batch) return self->loaded();
                  self->load_threads(gen, first + batch);
                });
  }

  void loaded() {
    phase = Phase::kWarm;
    is_warm = true;
    spdlog::info("event=standby_warm live={} agents={} threads={} reloads={}", interactions.size(),
                 agents.size(), threads.size(), reloads);
    schedule();
  }

  // ---- following

  void schedule() {
    const uint64_t gen = generation;
    timer.expires_after(options.poll);
    timer.async_wait([self = shared_from_this(), gen](const std::error_code& ec) {
      if (!ec && self->generation == gen && self->phase == Phase::kWarm) self->poll();
    });
  }

  void poll() {
    const uint64_t gen = generation;
    client.eval(kFollow, {keys.changes(), keys.agents(), keys.threads(), keys.thread()},
                {last_id, std::to_string(seen), std::to_string(options.batch)}, options.timeout,
                [self = shared_from_this(), gen](absl::StatusOr<Reply> r) {
                  if (self->generation != gen) return;
                  self->polled(r);
                });
  }

  void polled(const absl::StatusOr<Reply>& r) {
    const bool take = phase == Phase::kTaking;
    if (!r.ok() || r->is_error() || r->elements.empty()) {
      const std::string why = r.ok() ? (r->is_error() ? r->str : "unexpected reply")
                                     : std::string(r.status().message());
      if (take) return hand_over(absl::UnavailableError("journal follower: " + why));
      spdlog::debug("event=follower_poll_failed error={}", engine::log_text(why));
      return schedule();  // kept as it is; the feed still has what comes next (or a gap says not)
    }
    const auto& items = r->elements;
    if (number(items[0]) == 1) {
      ++reloads;
      reloads_seen.store(reloads, std::memory_order_relaxed);
      spdlog::warn("event=follower_gap read={} action={}", seen, take ? "load_in_full" : "reload");
      if (take) {
        return hand_over(absl::DataLossError(
            "journal follower: the change feed was trimmed past what the standby had read"));
      }
      return load();
    }
    if (items.size() < 3) return take ? hand_over(absl::InternalError("follower reply")) : load();
    const auto read = static_cast<uint64_t>(number(items[1]));
    seen += read;
    last_id = items[2].str;
    changes += read;
    changes_seen.store(changes, std::memory_order_relaxed);
    for (size_t i = 3; i + 3 < items.size(); i += 4) {
      apply(items[i].str, items[i + 1].str, items[i + 2], items[i + 3]);
    }
    if (read >= options.batch) return poll();  // more waiting: read on at once
    if (take) return hand_over(warm_journal());
    schedule();
  }

  void apply(const std::string& kind, const std::string& key, const Reply& value,
             const Reply& order) {
    if (kind == "x") return put_interaction(key, value, order);
    if (kind == "a") {
      v1::AgentJournalEntry e;
      if (value.type != Reply::Type::kString || !e.ParseFromString(value.str)) {
        agents.erase(key);
        return;
      }
      agents[key] = std::move(e);
      return;
    }
    if (kind == "t") {
      v1::EmailThreadEntry e;
      if (value.type != Reply::Type::kString || !e.ParseFromString(value.str)) {
        threads.erase(key);
        return;
      }
      threads[key] = Held<v1::EmailThreadEntry>{number(order), std::move(e)};
    }
  }

  // An interaction's hash key with its entry (absent or not live: gone) and sequence number.
  void put_interaction(const std::string& key, const Reply& value, const Reply& order) {
    if (value.type != Reply::Type::kString) {
      interactions.erase(key);
      return;
    }
    interactions[key] = Held<std::string>{number(order), value.str};
  }

  // ---- taking over

  void take(std::function<void(absl::StatusOr<WarmJournal>)> done) {
    if (phase != Phase::kWarm) {
      const char* why = phase == Phase::kLoading ? "still loading" : "not started";
      stop();
      return done(absl::UnavailableError(std::string("journal follower: ") + why));
    }
    phase = Phase::kTaking;
    taking = std::move(done);
    timer.cancel();
    ++generation;  // a poll in flight is ignored; this one reads to the end of the feed
    poll();
  }

  WarmJournal warm_journal() {
    WarmJournal w;
    std::vector<std::tuple<int64_t, const std::string*, const std::string*>> order;
    order.reserve(interactions.size());
    for (auto& [key, held] : interactions) order.emplace_back(held.order, &key, &held.value);
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    w.entries.reserve(order.size());
    for (const auto& [seq, key, bytes] : order) {
      if (!w.entries.emplace_back().ParseFromString(*bytes)) {
        w.entries.pop_back();
        spdlog::error("event=journal_entry_unreadable key={} action=skipped",
                      engine::log_text(*key));
      }
    }
    for (auto& [name, a] : agents) w.sessions.agents.push_back(std::move(a));
    // As the thread index orders them: by score, then Message-ID.
    std::vector<std::tuple<int64_t, const std::string*, v1::EmailThreadEntry*>> thread_order;
    thread_order.reserve(threads.size());
    for (auto& [id, held] : threads) thread_order.emplace_back(held.order, &id, &held.value);
    std::sort(thread_order.begin(), thread_order.end(), [](const auto& a, const auto& b) {
      return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                              : *std::get<1>(a) < *std::get<1>(b);
    });
    for (auto& [o, id, t] : thread_order) w.sessions.threads.push_back(std::move(*t));
    w.changes = changes;
    w.reloads = reloads;
    return w;
  }

  void hand_over(absl::StatusOr<WarmJournal> w) {
    auto done = std::move(taking);
    taking = nullptr;
    stop();
    if (done) done(std::move(w));
  }

  void stop() {
    ++generation;
    phase = Phase::kStopped;
    is_warm = false;
    timer.cancel();
    interactions.clear();
    agents.clear();
    threads.clear();
  }
};

JournalFollower::JournalFollower(Client& client, FollowerOptions options)
    : state_(std::make_shared<State>(client, std::move(options))) {
  for (const Script* script : {&kMark, &kFollow, &kWarmLoad, &kWarmAgents, &kWarmThreads}) {
    client.preload(*script);
  }
}

JournalFollower::~JournalFollower() = default;

void JournalFollower::start() {
  asio::post(state_->client.io(), [s = state_] {
    if (s->phase == State::Phase::kStopped) s->load();
  });
}

void JournalFollower::take(std::function<void(absl::StatusOr<WarmJournal>)> done) {
  asio::post(state_->client.io(),
             [s = state_, done = std::move(done)]() mutable { s->take(std::move(done)); });
}

void JournalFollower::stop() {
  asio::post(state_->client.io(), [s = state_] {
    if (s->taking) return s->hand_over(absl::CancelledError("journal follower: stopped"));
    s->stop();
  });
}

bool JournalFollower::warm() const { return state_->is_warm.load(); }

uint64_t JournalFollower::changes() const {
  return state_->changes_seen.load(std::memory_order_relaxed);
}

uint64_t JournalFollower::reloads() const {
  return state_->reloads_seen.load(std::memory_order_relaxed);
}

}  // namespace router::adapters::redis
