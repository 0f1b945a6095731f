#include "adapters/redis/client.h"

#include <absl/strings/cord.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "adapters/redis/asio_adapter.h"
#include "adapters/redis/sentinel.h"
#include "engine/log_text.h"

// Cheap invariant checks stay on in release builds (as engine/check.h's ROUTER_CHECK does).
#define ROUTER_REDIS_CHECK(cond)                                                             \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "redis client: invariant failed: %s at %s:%d\n", #cond, __FILE__, \
                   __LINE__);                                                                \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace router::adapters::redis {

Reply Reply::copy(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STATUS:
      out.type = Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy(*r.element[i]));
      break;
    default: out.type = Type::kNil; break;
  }
  return out;
}

Script::Script(std::string source) : source_(std::move(source)) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(source_.data(), source_.size(), digest, &size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL cannot compute a SHA1");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  sha1_.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    sha1_.push_back(kHex[digest[i] >> 4]);
    sha1_.push_back(kHex[digest[i] & 0xf]);
  }
}

// ---- Client
//
// Everything below runs on the io_context's thread, except the public entry points, which only
// post. The State outlives the Client while anything may still call into it: a pending timer or
// posted handler holds a shared_ptr, and a live hiredis context holds `self` (hiredis calls back
// through ctx->data until its disconnect callback, which may come after ~Client when the free
// was deferred by a hiredis callback on the stack).
//
// Commands in flight are a FIFO (`pending`) parallel to hiredis's own reply queue: replies come
// back in the order commands were written, so a reply always belongs to the front entry
// (checked through the sequence number passed as privdata). Deadlines need no timer per
// command: one timer is armed for the earliest deadline and, when it fires, completes every
// overdue entry and re-arms for the next. An overdue entry stays in the FIFO with its `done`
// taken, so the late reply finds it and is dropped.

namespace {

using Clock = std::chrono::steady_clock;

// hiredis takes argv as two arrays; up to this many arguments they live on the stack.
constexpr std::size_t kInlineArgs = 16;
constexpr std::string_view kNoScript = "NOSCRIPT";
// The error a replica answers a write with (for a script: its redis.call's error, inside).
constexpr std::string_view kReadOnly = "READONLY";
constexpr char kNotSentPayload[] = "router.redis/not_sent";

int64_t ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

struct Client::State : std::enable_shared_from_this<Client::State> {
  enum class Phase : uint8_t { kIdle, kConnecting, kHandshake, kReady };
  // What an entry in `pending` waits for: a caller's command, or one step of the handshake that
  // follows every connect (CLIENT SETNAME is always sent, and always last).
  enum class Kind : uint8_t { kCommand, kAuth, kSelect, kRole, kScriptLoad, kSetName, kProbe };

  struct Pending {
    Done done;  // empty once completed by its deadline: the late reply is dropped
    Clock::time_point deadline;
    uint64_t seq = 0;
    const Script* script = nullptr;      // eval only
    std::vector<std::string> eval_argv;  // eval only: keys then args, kept for the EVAL retry
    uint32_t numkeys = 0;
    Kind kind = Kind::kCommand;
    bool retried = false;        // eval: resent as EVAL after NOSCRIPT
    bool probe_expired = false;  // kProbe: counted as a miss; a late reply changes nothing
  };
  // A command written on a connection the probe closed: it completes at its deadline.
  struct Held {
    Done done;
    Clock::time_point deadline;
  };

  State(asio::io_context& io_context, ClientOptions o)
      : io(io_context),
        options(std::move(o)),
        connect_timer(io_context),
        retry_timer(io_context),
        deadline_timer(io_context),
        probe_timer(io_context),
        host(options.host),
        port(options.port) {
    // A zero backoff would reconnect in a busy loop; a maximum below the minimum never grows.
    options.reconnect_min = std::max(options.reconnect_min, engine::Duration(1));
    options.reconnect_max = std::max(options.reconnect_max, options.reconnect_min);
    backoff = options.reconnect_min;
    options.probe_interval = std::max(options.probe_interval, engine::Duration(1));
    options.probe_timeout = std::max(options.probe_timeout, engine::Duration(1));
    options.probe_failures = std::max(options.probe_failures, 1);
  }

  asio::io_context& io;
  ClientOptions options;
  std::function<void(bool)> on_state;
  std::vector<const Script*> preloaded;  // loaded by every handshake (io thread)
  std::atomic<bool> connected{false};

  bool started = false;
  bool stopped = false;
  bool destroyed = false;  // ~Client ran: the state callback must not be called any more

  Phase phase = Phase::kIdle;
  redisAsyncContext* ctx = nullptr;  // the current connection (connecting or connected), if any
  std::shared_ptr<State> self;       // set while `ctx` exists: hiredis calls back through it
  uint64_t attempt = 0;              // id of the current connect attempt, for its timer
  std::string drop_reason;           // why we freed `ctx` ourselves, for the log

  std::deque<Pending> pending;  // what hiredis will call back for, in the same order
  uint64_t next_seq = 0;
  uint64_t pops = 0;  // entries taken off the front, so far (see on_deadline)

  asio::steady_timer connect_timer;   // connect + handshake of the current attempt
  asio::steady_timer retry_timer;     // backoff before the next attempt
  asio::steady_timer deadline_timer;  // earliest deadline in `pending`
  Clock::time_point deadline_armed = Clock::time_point::max();
  engine::Duration backoff;

  // Liveness probe of the current connection (kReady only).
  asio::steady_timer probe_timer;
  bool probe_in_flight = false;
  int probe_misses = 0;  // probes in a row that got no reply within probe_timeout

  // Where the next (or current) connection goes: options' host and port, or under Sentinel the
  // primary the sentinels last named.
  std::string host;
  int port = 0;
  std::shared_ptr<SentinelQuery> query;  // under Sentinel: the question before a connect
  std::string primary;                   // the last primary logged (event=redis_primary)
  // Closing a silent connection: its commands go to `held` instead of failing at once, and the
  // next connection waits for the latest of their deadlines (see client.h).
  bool holding = false;
  std::vector<Held> held;
  Clock::time_point reconnect_not_before = Clock::time_point::min();
  // The last attempt's TCP connect succeeded but its handshake timed out.
  bool accepted_silent = false;

  // Outage bookkeeping for the two log lines per outage.
  bool in_outage = false;
  Clock::time_point down_since;
  int outage_attempts = 0;

  // ---- connection lifecycle

  void start_now() {
    if (started || stopped) return;
    started = true;
    down_since = Clock::now();
    connect();
  }

  void stop_now() {
    if (stopped) return;
    stopped = true;
    retry_timer.cancel();
    connect_timer.cancel();
    deadline_timer.cancel();
    probe_timer.cancel();
    deadline_armed = Clock::time_point::max();
    if (query) query->cancel();
    query.reset();
    drop("stopped");
    std::vector<Held> rest = std::move(held);
    held.clear();
    for (Held& h : rest) {
      h.done(absl::UnavailableError("redis " + options.name + ": stopped (no reply came)"));
    }
  }

  void connect() {
    if (stopped || ctx != nullptr || query) return;
    ++attempt;
    if (in_outage) ++outage_attempts;
    if (options.sentinels.empty()) return connect_to_host();
    // Under Sentinel every attempt starts with the question: after a failover the answer moves.
    SentinelOptions o;
    o.sentinels = options.sentinels;
    o.master = options.sentinel_master;
    o.password = options.sentinel_password;
    o.timeout = options.connect_timeout;
    query = ask_primary(io, o,
                        [s = shared_from_this(), id = attempt](absl::StatusOr<PrimaryAddress> a) {
                          s->query.reset();
                          if (s->stopped || s->attempt != id) return;
                          if (!a.ok())
                            return s->ended(Phase::kConnecting, std::string(a.status().message()));
                          s->use_primary(*a);
                          s->connect_to_host();
                        });
  }

  void use_primary(const PrimaryAddress& a) {
    host = a.host;
    port = a.port;
    if (a.address() == primary) return;
    primary = a.address();
    spdlog::info("event=redis_primary client={} name={} address={} sentinel={}", options.name,
                 engine::log_text(options.sentinel_master), primary, a.sentinel);
  }

  void connect_to_host() {
    redisAsyncContext* c = redisAsyncConnect(host.c_str(), port);
    if (c == nullptr) {
      ended(Phase::kConnecting, "cannot allocate a hiredis context");
      return;
    }
    if (c->err != 0) {  // refused at once (loopback can), or a bad address
      const std::string error = c->errstr;
      redisAsyncFree(c);
      ended(Phase::kConnecting, error);
      return;
    }
    c->data = this;
    redisAsyncSetConnectCallback(c, &State::on_connect_cb);
    redisAsyncSetDisconnectCallback(c, &State::on_disconnect_cb);
    if (const engine::Status attached = attach(c, io); !attached.ok()) {
      redisAsyncFree(c);
      ended(Phase::kConnecting, attached.error().message);
      return;
    }
    ctx = c;
    self = shared_from_this();
    phase = Phase::kConnecting;
    connect_timer.expires_after(options.connect_timeout);
    connect_timer.async_wait([s = shared_from_this(), id = attempt](const std::error_code& ec) {
      if (!ec && s->attempt == id && s->ctx != nullptr && s->phase != Phase::kReady) {
        // Accepted but silent (a paused server's kernel still completes the TCP handshake): retry
        // soon rather than after a growing backoff, so a server that wakes is seen in time.
        s->accepted_silent = s->phase == Phase::kHandshake;
        s->drop("no connection within " + std::to_string(s->options.connect_timeout.count()) +
                " ms");
      }
    });
  }

  // Frees the current context; pending commands complete with UNAVAILABLE. Inside a hiredis
  // reply callback hiredis defers the free until the callback returns.
  void drop(std::string reason) {
    redisAsyncContext* c = ctx;
    if (c == nullptr) return;
    drop_reason = std::move(reason);
    if ((c->c.flags & REDIS_CONNECTED) == 0) {
      // Not connected yet: hiredis frees at once and calls no callback, not even disconnect.
      redisAsyncFree(c);
      const auto keep = std::move(self);
      ctx = nullptr;
      ended(phase, drop_reason);
      return;
    }
    // Runs the reply callbacks with no reply, then on_disconnect (now, or once hiredis leaves
    // the callback on the stack).
    redisAsyncFree(c);
  }

  static void on_connect_cb(const redisAsyncContext* c, int status) {
    static_cast<State*>(c->data)->on_connect(status, c->errstr);
  }
  static void on_disconnect_cb(const redisAsyncContext* c, int status) {
    auto* s = static_cast<State*>(c->data);
    s->on_disconnect(status == REDIS_OK ? std::string_view(s->drop_reason)
                                        : std::string_view(c->errstr));
  }
  static void on_reply_cb(redisAsyncContext* c, void* reply, void* privdata) {
    static_cast<State*>(c->data)->on_reply(static_cast<redisReply*>(reply),
                                           reinterpret_cast<std::uintptr_t>(privdata));
  }

  void on_connect(int status, std::string_view error) {
    if (status != REDIS_OK) {
      // hiredis frees the context when this returns and calls nothing else of ours.
      const auto keep = std::move(self);
      ctx = nullptr;
      ended(Phase::kConnecting, error);
      return;
    }
    // No free in here: hiredis goes on using the context after this callback. A handshake that
    // cannot be written is left to the connect timer.
    phase = Phase::kHandshake;
    redisEnableKeepAlive(&ctx->c);  // a vanished host shows up as an error, not a silent hang
    if (!options.password.empty()) {
      const std::array<std::string_view, 2> auth = {"AUTH", options.password};
      write_handshake(Kind::kAuth, auth);
    }
    if (options.database != 0) {
      const std::string db = std::to_string(options.database);
      const std::array<std::string_view, 2> select = {"SELECT", db};
      write_handshake(Kind::kSelect, select);
    }
    if (!options.sentinels.empty()) {
      const std::array<std::string_view, 1> role = {"ROLE"};
      write_handshake(Kind::kRole, role);
    }
    for (const Script* script : preloaded) {
      const std::array<std::string_view, 3> load = {"SCRIPT", "LOAD", script->source()};
      write_handshake(Kind::kScriptLoad, load);
    }
    const std::string name = "routerd-" + options.name;
    const std::array<std::string_view, 3> setname = {"CLIENT", "SETNAME", name};
    write_handshake(Kind::kSetName, setname);
  }

  void on_disconnect(std::string_view error) {
    const auto keep = std::move(self);  // hiredis frees the context right after this returns
    ctx = nullptr;
    ended(phase, error);
  }

  // The context is gone (`ctx` is null); `was` is how far it got. Logs the start of an outage,
  // tells the state callback, and schedules the next attempt.
  void ended(Phase was, std::string_view error) {
    ROUTER_REDIS_CHECK(ctx == nullptr);
    ROUTER_REDIS_CHECK(pending.empty());  // hiredis has called back for every command
    connect_timer.cancel();
    probe_timer.cancel();
    probe_in_flight = false;
    probe_misses = 0;
    phase = Phase::kIdle;
    const bool was_ready = was == Phase::kReady;
    if (was_ready) connected.store(false, std::memory_order_release);
    if (stopped) {
      if (was_ready) notify(false);
      return;
    }
    if (was_ready || !in_outage) {
      in_outage = true;
      if (was_ready) {
        down_since = Clock::now();
        outage_attempts = 0;
      } else {
        outage_attempts = 1;  // the first attempt after start(); down_since was set there
      }
      spdlog::warn("event=redis_down client={} address={}:{} error={}", options.name, host, port,
                   engine::log_text(error));
      notify(false);
    }
    if (accepted_silent) backoff = options.reconnect_min;
    accepted_silent = false;
    retry_timer.expires_at(std::max(Clock::now() + backoff, reconnect_not_before));
    retry_timer.async_wait([s = shared_from_this()](const std::error_code& ec) {
      if (!ec) s->connect();
    });
    backoff = std::min(backoff * 2, options.reconnect_max);
  }

  void on_handshake_reply(Kind kind, const redisReply* r) {
    // No reply: the connection is going away and on_disconnect reports it.
    if (r == nullptr || phase != Phase::kHandshake) return;
    if (r->type == REDIS_REPLY_ERROR) {
      const char* step = kind == Kind::kAuth         ? "AUTH"
                         : kind == Kind::kSelect     ? "SELECT"
                         : kind == Kind::kRole       ? "ROLE"
                         : kind == Kind::kScriptLoad ? "SCRIPT LOAD"
                                                     : "SETNAME";
      drop(std::string(step) + " refused: " + std::string(r->str, r->len));
      return;
    }
    if (kind == Kind::kRole) {
      // Sentinel's answer may be stale (a failover under way): only a primary will do.
      const bool primary_now = r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
                               r->element[0]->type == REDIS_REPLY_STRING &&
                               std::string_view(r->element[0]->str, r->element[0]->len) == "master";
      if (!primary_now) {
        const std::string role = r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
                                         r->element[0]->type == REDIS_REPLY_STRING
                                     ? std::string(r->element[0]->str, r->element[0]->len)
                                     : std::string("unknown");
        drop("not the primary (ROLE says " + role + "); asking the sentinels again");
      }
      return;
    }
    if (kind == Kind::kSetName) ready();
  }

  void ready() {
    connect_timer.cancel();
    phase = Phase::kReady;
    connected.store(true, std::memory_order_release);
    backoff = options.reconnect_min;
    if (in_outage) {
      in_outage = false;
      spdlog::info("event=redis_up client={} address={}:{} down_for_ms={} attempts={}",
                   options.name, host, port, ms(Clock::now() - down_since), outage_attempts);
    } else {
      spdlog::info("event=redis_connected client={} address={}:{} database={}", options.name, host,
                   port, options.database);
    }
    notify(true);
    probe_misses = 0;
    probe_in_flight = false;
    schedule_probe(attempt);
  }

  void notify(bool up) {
    if (on_state && !destroyed) on_state(up);
  }

  // ---- liveness probe

  // One PING per probe_interval on connection `id` while it is ready; never two in flight.
  void schedule_probe(uint64_t id) {
    probe_timer.expires_after(options.probe_interval);
    probe_timer.async_wait([s = shared_from_this(), id](const std::error_code& ec) {
      if (ec || s->attempt != id || s->phase != Phase::kReady || s->stopped) return;
      s->send_probe();
      s->schedule_probe(id);
    });
  }

  void send_probe() {
    if (probe_in_flight) return;  // probe_timeout > probe_interval: the last one is still out
    Pending& p = pending.emplace_back();
    p.kind = Kind::kProbe;
    p.seq = next_seq++;
    p.deadline = Clock::now() + options.probe_timeout;
    const std::array<std::string_view, 1> ping = {"PING"};
    if (!write_args(std::array<std::string_view, 0>{}, 1, ping.data(), p.seq)) {
      pending.pop_back();
      return;
    }
    probe_in_flight = true;
    arm_deadline(p.deadline);
  }

  void on_probe_reply(const Pending& p, const redisReply* r) {
    if (p.probe_expired) return;  // already counted as a miss
    probe_in_flight = false;
    if (r != nullptr) probe_misses = 0;
  }

  // probe_failures probes in a row went unanswered: close the connection, holding what was
  // written on it until its deadlines (the server may still execute it when it wakes).
  void close_silent() {
    for (const Pending& p : pending) {
      if (p.kind == Kind::kCommand && p.done) {
        reconnect_not_before = std::max(reconnect_not_before, p.deadline);
      }
    }
    const std::string reason = "no answer to " + std::to_string(options.probe_failures) +
                               " PINGs in a row within " +
                               std::to_string(options.probe_timeout.count()) + " ms each";
    holding = true;
    drop(reason);
    holding = false;
  }

  // ---- commands

  // `in_call`: inside the caller's command()/eval() (on the io thread): a failure is posted, so
  // `done` never runs inline in the call.
  void send(std::vector<std::string>&& argv, const Script* script, uint32_t numkeys,
            Clock::time_point deadline, Done&& done, bool in_call = false) {
    if (phase != Phase::kReady) {
      fail(std::move(done), in_call);
      return;
    }
    Pending& p = pending.emplace_back();
    p.done = std::move(done);
    p.deadline = deadline;
    p.seq = next_seq++;
    p.script = script;
    p.numkeys = numkeys;
    if (script != nullptr) p.eval_argv = std::move(argv);
    if (!(script != nullptr ? write_eval(p) : write(argv, p.seq))) {
      // The context is being freed (hiredis refuses new commands then).
      Done d = std::move(p.done);
      pending.pop_back();
      fail(std::move(d), in_call);
      return;
    }
    arm_deadline(deadline);
  }

  // A command that was never sent: UNAVAILABLE now, or posted when inside the caller's call.
  void fail(Done&& done, bool in_call) {
    if (!in_call) return done(unavailable());
    asio::post(io, [s = shared_from_this(), d = std::move(done)] { d(s->unavailable()); });
  }

  void on_reply(const redisReply* r, std::uintptr_t seq) {
    ROUTER_REDIS_CHECK(!pending.empty() && pending.front().seq == seq);
    Pending p = std::move(pending.front());
    pending.pop_front();
    ++pops;
    if (p.kind == Kind::kProbe) {
      on_probe_reply(p, r);
      return;
    }
    if (p.kind != Kind::kCommand) {
      on_handshake_reply(p.kind, r);
      return;
    }
    if (!p.done) return;  // its deadline passed: the late reply is dropped
    if (r == nullptr) {
      if (holding) {
        held.push_back(Held{std::move(p.done), p.deadline});
        arm_deadline(p.deadline);
        return;
      }
      p.done(absl::UnavailableError("redis " + options.name + ": connection lost"));
      return;
    }
    if (!options.sentinels.empty() && r->type == REDIS_REPLY_ERROR &&
        std::string_view(r->str, r->len).find(kReadOnly) != std::string_view::npos) {
      // The primary was demoted to a replica (a failover): nothing of this command ran. Drop the
      // connection (hiredis frees it once this callback returns) so that the next one goes to
      // the primary the sentinels name.
      absl::Status refused = absl::UnavailableError(
          "redis " + options.name + ": the server is a replica now (READONLY); not executed");
      refused.SetPayload(kNotSentPayload, absl::Cord("1"));
      const std::string reason = "READONLY: the server is a replica now";
      p.done(std::move(refused));
      if (!stopped && ctx != nullptr) drop(reason);
      return;
    }
    if (p.script != nullptr && !p.retried && r->type == REDIS_REPLY_ERROR &&
        std::string_view(r->str, r->len).substr(0, kNoScript.size()) == kNoScript) {
      // The server lost the script (restart, SCRIPT FLUSH): send the source, once, under the
      // same deadline. EVAL caches it again for the next EVALSHA.
      p.retried = true;
      Pending& again = pending.emplace_back(std::move(p));
      if (!write_eval(again)) {
        Done d = std::move(again.done);
        pending.pop_back();
        d(unavailable());
      }
      return;
    }
    p.done(Reply::copy(*r));
  }

  void arm_deadline(Clock::time_point deadline) {
    if (deadline >= deadline_armed) return;
    deadline_armed = deadline;
    deadline_timer.expires_at(deadline);
    deadline_timer.async_wait([s = shared_from_this()](const std::error_code& ec) {
      if (!ec) s->on_deadline();
    });
  }

  void on_deadline() {
    const Clock::time_point now = Clock::now();
    if (now < deadline_timer.expiry()) return;  // a stale wake-up: re-armed since
    deadline_armed = Clock::time_point::max();
    Clock::time_point next = Clock::time_point::max();
    bool silent = false;  // the probe's run of misses is complete
    std::size_t i = 0;
    while (i < pending.size()) {
      Pending& p = pending[i];
      if (p.kind == Kind::kProbe && !p.probe_expired) {
        if (p.deadline > now) {
          next = std::min(next, p.deadline);
        } else {
          p.probe_expired = true;
          probe_in_flight = false;
          if (++probe_misses >= options.probe_failures) silent = true;
        }
        ++i;
      } else if (p.kind != Kind::kCommand || !p.done) {
        ++i;
      } else if (p.deadline > now) {
        next = std::min(next, p.deadline);
        ++i;
      } else {
        Done done = std::move(p.done);
        p.done = nullptr;
        const uint64_t pops_before = pops;
        done(absl::DeadlineExceededError("redis " + options.name + ": no reply in time"));
        if (pops != pops_before) {
          // `done` destroyed the client (freeing the connection): positions moved, start over.
          i = 0;
          next = Clock::time_point::max();
        } else {
          ++i;
        }
      }
    }
    std::vector<Done> overdue;
    for (auto it = held.begin(); it != held.end();) {
      if (it->deadline <= now) {
        overdue.push_back(std::move(it->done));
        it = held.erase(it);
      } else {
        next = std::min(next, it->deadline);
        ++it;
      }
    }
    if (next != Clock::time_point::max() && !stopped) arm_deadline(next);
    for (Done& d : overdue) {
      d(absl::DeadlineExceededError("redis " + options.name +
                                    ": no reply in time (the server stopped answering)"));
    }
    if (silent && !stopped && phase == Phase::kReady && ctx != nullptr) close_silent();
  }

  // Nothing of the command reached the server.
  absl::Status unavailable() const {
    absl::Status s = absl::UnavailableError("redis " + options.name + ": not connected");
    s.SetPayload(kNotSentPayload, absl::Cord("1"));
    return s;
  }

  // ---- writing to hiredis

  template <class Strings>
  bool write_args(const Strings& args, std::size_t prefix_size, const std::string_view* prefix,
                  uint64_t seq) {
    const std::size_t n = prefix_size + args.size();
    std::array<const char*, kInlineArgs> inline_ptrs;
    std::array<std::size_t, kInlineArgs> inline_lens;
    std::vector<const char*> heap_ptrs;
    std::vector<std::size_t> heap_lens;
    const char** ptrs = inline_ptrs.data();
    std::size_t* lens = inline_lens.data();
    if (n > kInlineArgs) {
      heap_ptrs.resize(n);
      heap_lens.resize(n);
      ptrs = heap_ptrs.data();
      lens = heap_lens.data();
    }
    std::size_t i = 0;
    for (; i < prefix_size; ++i) {
      ptrs[i] = prefix[i].data();
      lens[i] = prefix[i].size();
    }
    for (const auto& a : args) {
      ptrs[i] = a.data();
      lens[i] = a.size();
      ++i;
    }
    return redisAsyncCommandArgv(ctx, &State::on_reply_cb,
                                 reinterpret_cast<void*>(static_cast<std::uintptr_t>(seq)),
                                 static_cast<int>(n), ptrs, lens) == REDIS_OK;
  }

  bool write(const std::vector<std::string>& argv, uint64_t seq) {
    return write_args(argv, 0, nullptr, seq);
  }

  // EVALSHA sha numkeys keys... args..., or EVAL source ... once retried.
  bool write_eval(const Pending& p) {
    std::array<char, 16> numkeys;
    const auto [end, ec] =
        std::to_chars(numkeys.data(), numkeys.data() + numkeys.size(), p.numkeys);
    (void)ec;  // 16 characters hold any uint32_t
    const std::array<std::string_view, 3> prefix = {
        p.retried ? "EVAL" : "EVALSHA",
        p.retried ? std::string_view(p.script->source()) : std::string_view(p.script->sha1()),
        std::string_view(numkeys.data(), static_cast<std::size_t>(end - numkeys.data()))};
    return write_args(p.eval_argv, prefix.size(), prefix.data(), p.seq);
  }

  template <std::size_t N>
  void write_handshake(Kind kind, const std::array<std::string_view, N>& argv) {
    Pending& p = pending.emplace_back();
    p.kind = kind;
    p.seq = next_seq++;
    if (!write_args(std::array<std::string_view, 0>{}, N, argv.data(), p.seq)) pending.pop_back();
  }
};

Client::Client(asio::io_context& io, ClientOptions options)
    : state_(std::make_shared<State>(io, std::move(options))) {}

Client::~Client() {
  // Legal only on the io thread or once nothing runs the io_context (see the header), so the
  // state may be touched directly. A stop() still queued has not run; do its work now.
  state_->destroyed = true;
  state_->stop_now();
}

void Client::preload(const Script& script) {
  asio::post(state_->io, [s = state_, p = &script] { s->preloaded.push_back(p); });
}

void Client::start() {
  asio::post(state_->io, [s = state_] { s->start_now(); });
}

void Client::stop() {
  asio::post(state_->io, [s = state_] { s->stop_now(); });
}

void Client::on_state(std::function<void(bool connected)> fn) { state_->on_state = std::move(fn); }

bool Client::connected() const { return state_->connected.load(std::memory_order_acquire); }

void Client::command(std::vector<std::string> argv, engine::Duration timeout, Done done) {
  ROUTER_REDIS_CHECK(!argv.empty() && done);
  if (state_->io.get_executor().running_in_this_thread()) {  // no hop: into hiredis's buffer now
    return state_->send(std::move(argv), nullptr, 0, Clock::now() + timeout, std::move(done),
                        /*in_call=*/true);
  }
  asio::post(state_->io, [s = state_, argv = std::move(argv), deadline = Clock::now() + timeout,
                          done = std::move(done)]() mutable {
    s->send(std::move(argv), nullptr, 0, deadline, std::move(done));
  });
}

void Client::eval(const Script& script, std::vector<std::string> keys,
                  std::vector<std::string> args, engine::Duration timeout, Done done) {
  ROUTER_REDIS_CHECK(done);
  const auto numkeys = static_cast<uint32_t>(keys.size());
  keys.reserve(keys.size() + args.size());
  for (auto& a : args) keys.push_back(std::move(a));
  if (state_->io.get_executor().running_in_this_thread()) {  // no hop: into hiredis's buffer now
    return state_->send(std::move(keys), &script, numkeys, Clock::now() + timeout, std::move(done),
                        /*in_call=*/true);
  }
  asio::post(state_->io, [s = state_, script = &script, argv = std::move(keys), numkeys,
                          deadline = Clock::now() + timeout, done = std::move(done)]() mutable {
    s->send(std::move(argv), script, numkeys, deadline, std::move(done));
  });
}

const ClientOptions& Client::options() const { return state_->options; }

asio::io_context& Client::io() const { return state_->io; }

bool never_sent(const absl::Status& status) {
  return status.GetPayload(kNotSentPayload).has_value();
}

}  // namespace router::adapters::redis
