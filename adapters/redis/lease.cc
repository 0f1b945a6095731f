// The active/standby lease: three Lua scripts (acquire, renew, release) and the loop that runs
// them on the Client's io thread. See lease.h.
#include "adapters/redis/lease.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <utility>

#include "adapters/redis/keys.h"
#include "engine/log_text.h"

namespace router::adapters::redis {
namespace {

using Clock = std::chrono::steady_clock;

// KEYS: lease, fence. ARGV: instance, my token ("0": none), ttl_ms. Free: the next token (INCR
// fence) and the lease "<instance> <token>" PX ttl; returns {token, value}. Already mine:
// PEXPIRE, returns {token, value}. Held by another: {0, value}.
const Script kAcquire(R"lua(
local v = redis.call('GET', KEYS[1])
if not v then
  local token = redis.call('INCR', KEYS[2])
  v = ARGV[1] .. ' ' .. token
  redis.call('SET', KEYS[1], v, 'PX', ARGV[3])
  return {token, v}
end
if ARGV[2] ~= '0' and v == ARGV[1] .. ' ' .. ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {tonumber(ARGV[2]), v}
end
return {0, v}
)lua");

// KEYS: lease. ARGV: "<instance> <token>", ttl_ms. {1, value} renewed; {0, holder or ''} not.
const Script kRenew(R"lua(
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, v}
end
return {0, v or ''}
)lua");

// KEYS: lease. ARGV: "<instance> <token>". Deletes the lease only if it is still ours.
const Script kRelease(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua");

// A lease value ("<instance> <token>") for a log line: "east-2 (token 7)".
std::string holder_text(const std::string& value) {
  const auto space = value.rfind(' ');
  if (space == std::string::npos) return engine::log_text(value);
  return engine::log_text(value.substr(0, space)) + " (token " +
         engine::log_text(value.substr(space + 1)) + ")";
}

int64_t ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

absl::StatusOr<RedisLease::Taken> taken_of(const absl::StatusOr<Reply>& r, const char* what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError(std::string(what) + ": " + r->str);
  if (r->type != Reply::Type::kArray || r->elements.size() != 2 ||
      r->elements[0].type != Reply::Type::kInteger) {
    return absl::InternalError(std::string(what) + ": unexpected reply");
  }
  RedisLease::Taken t;
  t.token = r->elements[0].integer > 0 ? static_cast<uint64_t>(r->elements[0].integer) : 0;
  t.holder = r->elements[1].str;
  return t;
}

}  // namespace

struct RedisLease::State : std::enable_shared_from_this<RedisLease::State> {
  enum class Phase : uint8_t { kIdle, kStandby, kActive, kDone };

  State(asio::io_context& io, Client& c, LeaseOptions o)
      : client(c),
        options(std::move(o)),
        keys(options.key_prefix),
        margin(options.ttl / 5),
        tick_timer(io),
        expiry_timer(io) {}

  Client& client;
  const LeaseOptions options;
  const Keys keys;
  const engine::Duration margin;
  std::atomic<int64_t> valid_until_ns{ns(Clock::time_point::min())};

  // io thread only.
  asio::steady_timer tick_timer;
  asio::steady_timer expiry_timer;
  Phase phase = Phase::kIdle;
  LeaseEvents events;
  uint64_t token = 0;
  bool in_flight = false;  // an acquire or renew waits for its answer
  std::string last_holder;
  bool renew_failure_logged = false;
  std::optional<Clock::time_point> free_since;  // an unprepared standby saw the lease free

  std::string value() const { return options.instance + " " + std::to_string(token); }
  Clock::time_point valid_until() const {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
        std::chrono::nanoseconds(valid_until_ns.load(std::memory_order_acquire))));
  }
  // A renewal sent at `sent` keeps the lease ours until this moment.
  Clock::time_point validity_from(Clock::time_point sent) const {
    return sent + options.ttl - margin;
  }

  void arm_tick() {
    tick_timer.expires_after(options.renew);
    tick_timer.async_wait([weak = weak_from_this()](const std::error_code& ec) {
      auto self = weak.lock();
      if (!ec && self) self->tick();
    });
  }

  void tick() {
    if (phase == Phase::kStandby) {
      if (!in_flight) prepared() ? try_acquire() : peek();
    } else if (phase == Phase::kActive) {
      if (Clock::now() >= valid_until()) {
        return lose("no renewal was answered within the lease's validity (ttl minus margin)");
      }
      if (!in_flight) try_renew();
    } else {
      return;
    }
    arm_tick();
  }

  void extend(Clock::time_point until) {
    valid_until_ns.store(ns(until), std::memory_order_release);
    expiry_timer.expires_at(until);
    expiry_timer.async_wait([weak = weak_from_this()](const std::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->phase != Phase::kActive) return;
      if (Clock::now() >= self->valid_until()) {
        self->lose("no renewal was answered within the lease's validity (ttl minus margin)");
      }
    });
  }

  bool prepared() const {
    return options.defer_unprepared.count() <= 0 || !events.prepared || events.prepared();
  }

  // A standby saw `holder` (non-empty) hold the lease.
  void note_holder(const std::string& holder) {
    free_since.reset();
    if (holder == last_holder) return;
    last_holder = holder;
    spdlog::info("event=lease_standby instance={} holder={}", options.instance,
                 engine::log_text(holder));
    if (events.held_by) events.held_by(holder);
  }

  // An unprepared standby reads the lease (a renewal of token 0, which no lease value has:
  // nothing changes) and bids once it has seen it free for defer_unprepared.
  void peek() {
    in_flight = true;
    renew(0, [weak = weak_from_this()](absl::StatusOr<Taken> r) {
      auto self = weak.lock();
      if (!self) return;
      self->in_flight = false;
      if (self->phase != Phase::kStandby) return;
      if (!r.ok()) {
        spdlog::debug("event=lease_read_failed error={}",
                      engine::log_text(std::string(r.status().message())));
        return;
      }
      if (!r->holder.empty()) return self->note_holder(r->holder);
      const auto now = Clock::now();
      if (!self->free_since) {
        self->free_since = now;
        spdlog::info(
            "event=lease_free instance={} action=\"bidding in {} ms unless a warm standby takes "
            "it first\"",
            self->options.instance,
            std::chrono::duration_cast<std::chrono::milliseconds>(self->options.defer_unprepared)
                .count());
      }
      if (now - *self->free_since >= self->options.defer_unprepared || self->prepared()) {
        self->try_acquire();
      }
    });
  }

  void try_acquire() {
    const auto sent = Clock::now();
    in_flight = true;
    acquire(0, [weak = weak_from_this(), sent](absl::StatusOr<Taken> r) {
      auto self = weak.lock();
      if (!self) return;
      self->in_flight = false;
      if (self->phase != Phase::kStandby) return;
      if (!r.ok()) {
        spdlog::debug("event=lease_acquire_failed error={}",
                      engine::log_text(std::string(r.status().message())));
        return;
      }
      if (r->token == 0) return self->note_holder(r->holder);
      const auto until = self->validity_from(sent);
      if (Clock::now() >= until) return;  // answered too late to count: try again
      self->token = r->token;
      self->phase = Phase::kActive;
      self->extend(until);
      spdlog::info("event=lease_acquired instance={} token={}", self->options.instance,
                   self->token);
      if (self->events.acquired) self->events.acquired(self->token, until);
    });
  }

  void try_renew() {
    const auto sent = Clock::now();
    in_flight = true;
    renew(token, [weak = weak_from_this(), sent](absl::StatusOr<Taken> r) {
      auto self = weak.lock();
      if (!self) return;
      self->in_flight = false;
      if (self->phase != Phase::kActive) return;
      if (!r.ok()) {
        if (!self->renew_failure_logged) {
          spdlog::warn("event=lease_renew_failed instance={} error={} valid_for_ms={}",
                       self->options.instance, engine::log_text(std::string(r.status().message())),
                       std::chrono::duration_cast<std::chrono::milliseconds>(self->valid_until() -
                                                                             Clock::now())
                           .count());
          self->renew_failure_logged = true;
        }
        return;
      }
      self->renew_failure_logged = false;
      if (r->token == 0) {
        return self->lose(
            "the renewal was refused: the lease is held by " +
            (r->holder.empty() ? std::string("nobody (it lapsed)") : holder_text(r->holder)));
      }
      if (Clock::now() >= self->valid_until()) {
        return self->lose("the renewal was answered after the lease's validity had passed");
      }
      const auto until = self->validity_from(sent);
      if (until <= self->valid_until()) return;
      self->extend(until);
      if (self->events.renewed) self->events.renewed(until);
    });
  }

  void lose(const std::string& reason) {
    if (phase == Phase::kDone) return;
    phase = Phase::kDone;
    valid_until_ns.store(ns(Clock::time_point::min()), std::memory_order_release);
    tick_timer.cancel();
    expiry_timer.cancel();
    spdlog::warn("event=lease_lost instance={} token={} reason=\"{}\"", options.instance, token,
                 reason);
    if (events.lost) events.lost(reason);
  }

  void halt() {
    phase = Phase::kDone;
    valid_until_ns.store(ns(Clock::time_point::min()), std::memory_order_release);
    tick_timer.cancel();
    expiry_timer.cancel();
  }

  void acquire(uint64_t mine, std::function<void(absl::StatusOr<Taken>)> done) {
    client.eval(kAcquire, {keys.lease(), keys.fence()},
                {options.instance, std::to_string(mine), std::to_string(options.ttl.count())},
                options.renew, [done = std::move(done)](absl::StatusOr<Reply> r) {
                  done(taken_of(r, "lease acquire"));
                });
  }

  void renew(uint64_t mine, std::function<void(absl::StatusOr<Taken>)> done) {
    client.eval(
        kRenew, {keys.lease()},
        {options.instance + " " + std::to_string(mine), std::to_string(options.ttl.count())},
        options.renew,
        [done = std::move(done)](absl::StatusOr<Reply> r) { done(taken_of(r, "lease renew")); });
  }
};

RedisLease::RedisLease(asio::io_context& io, Client& client, LeaseOptions options) {
  if (options.instance.empty() || options.instance.find(' ') != std::string::npos) {
    throw std::invalid_argument("lease instance must be a non-empty name without spaces");
  }
  if (options.renew.count() <= 0 || options.renew * 3 > options.ttl) {
    throw std::invalid_argument("lease renew must be positive and at most ttl / 3");
  }
  state_ = std::make_shared<State>(io, client, std::move(options));
  for (const Script* s : {&kAcquire, &kRenew, &kRelease}) client.preload(*s);
}

RedisLease::~RedisLease() = default;

void RedisLease::start(LeaseEvents events) {
  asio::post(state_->tick_timer.get_executor(), [self = state_, events = std::move(events)] {
    if (self->phase != State::Phase::kIdle) return;
    self->events = events;
    self->phase = State::Phase::kStandby;
    self->tick();
  });
}

void RedisLease::stop() {
  asio::post(state_->tick_timer.get_executor(), [self = state_] { self->halt(); });
}

void RedisLease::release(std::function<void()> done) {
  asio::post(state_->tick_timer.get_executor(), [self = state_, done = std::move(done)] {
    const bool held = self->phase == State::Phase::kActive && self->token != 0;
    self->halt();
    if (!held) return done();
    self->client.eval(kRelease, {self->keys.lease()}, {self->value()}, self->options.renew,
                      [self, done](absl::StatusOr<Reply> r) {
                        const bool released = r.ok() && !r->is_error() && r->integer == 1;
                        spdlog::info("event=lease_released instance={} token={} released={}",
                                     self->options.instance, self->token, released ? "yes" : "no");
                        done();
                      });
  });
}

LeaseEvents::TimePoint RedisLease::valid_until() const { return state_->valid_until(); }

const LeaseOptions& RedisLease::options() const { return state_->options; }

void RedisLease::acquire(uint64_t mine, std::function<void(absl::StatusOr<Taken>)> done) {
  state_->acquire(mine, std::move(done));
}

void RedisLease::renew(uint64_t token, std::function<void(absl::StatusOr<Taken>)> done) {
  state_->renew(token, std::move(done));
}

}  // namespace router::adapters::redis
