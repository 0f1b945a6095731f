// SENTINEL get-master-addr-by-name, asked of each sentinel in turn: async on Asio (one short-lived
// hiredis connection per sentinel asked) and blocking. See sentinel.h.
#include "adapters/redis/sentinel.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <array>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <optional>
#include <utility>

#include "adapters/redis/asio_adapter.h"

namespace router::adapters::redis {
namespace {

bool split_host_port(const std::string& address, std::string& host, int& port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  const std::string digits = address.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  host = address.substr(0, colon);
  port = std::stoi(digits);
  return port >= 1 && port <= 65535;
}

// The answer to get-master-addr-by-name: {host, port}, or nil when the master is unknown.
absl::StatusOr<PrimaryAddress> parse_answer(const redisReply* r, const std::string& master) {
  if (r->type == REDIS_REPLY_ERROR) return absl::UnavailableError(std::string(r->str, r->len));
  if (r->type == REDIS_REPLY_NIL) {
    return absl::NotFoundError("does not know master '" + master + "'");
  }
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
      r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) {
    return absl::UnavailableError("unexpected answer to SENTINEL get-master-addr-by-name");
  }
  PrimaryAddress a;
  if (!split_host_port(std::string(r->element[0]->str, r->element[0]->len) + ":" +
                           std::string(r->element[1]->str, r->element[1]->len),
                       a.host, a.port)) {
    return absl::UnavailableError("answered an address that is not host:port");
  }
  return a;
}

std::string all_failed(const SentinelOptions& o, const std::string& errors) {
  return "no sentinel gave the address of master '" + o.master + "' (" + errors + ")";
}

// One question: each sentinel in turn, one hiredis connection at a time. Owned by the caller's
// handle and, while a connection exists, by itself (`self`: hiredis calls back through
// ctx->data); every timer and posted handler holds it too.
class Query final : public SentinelQuery, public std::enable_shared_from_this<Query> {
 public:
  Query(asio::io_context& io, SentinelOptions options,
        std::function<void(absl::StatusOr<PrimaryAddress>)> done)
      : io_(io), options_(std::move(options)), done_(std::move(done)), timer_(io) {}

  void start() { next(); }

  void cancel() override {
    if (cancelled_) return;
    cancelled_ = true;
    done_ = nullptr;
    end_attempt("cancelled");
  }

 private:
  // Asks sentinel `index_`, or answers once every one has been asked.
  void next() {
    if (cancelled_) return;
    if (index_ >= options_.sentinels.size()) {
      return finish(absl::UnavailableError(all_failed(options_, errors_)));
    }
    const std::string& address = options_.sentinels[index_];
    attempt_done_ = false;
    std::string host;
    int port = 0;
    if (!split_host_port(address, host, port)) return failed_at_once("not host:port");
    redisAsyncContext* c = redisAsyncConnect(host.c_str(), port);
    if (c == nullptr) return failed_at_once("cannot allocate a hiredis context");
    if (c->err != 0) {
      const std::string error = c->errstr;
      redisAsyncFree(c);
      return failed_at_once(error);
    }
    c->data = this;
    redisAsyncSetConnectCallback(c, &Query::on_connect_cb);
    redisAsyncSetDisconnectCallback(c, &Query::on_disconnect_cb);
    if (const engine::Status attached = attach(c, io_); !attached.ok()) {
      redisAsyncFree(c);
      return failed_at_once(attached.error().message);
    }
    ctx_ = c;
    self_ = shared_from_this();
    // Buffered now, written once the connection is up.
    if (!options_.password.empty()) {
      std::array<const char*, 2> argv = {"AUTH", options_.password.c_str()};
      const std::array<size_t, 2> lens = {4, options_.password.size()};
      redisAsyncCommandArgv(c, &Query::on_auth_cb, nullptr, 2, argv.data(), lens.data());
    }
    std::array<const char*, 3> argv = {"SENTINEL", "get-master-addr-by-name",
                                       options_.master.c_str()};
    const std::array<size_t, 3> lens = {8, 23, options_.master.size()};
    redisAsyncCommandArgv(c, &Query::on_answer_cb, nullptr, 3, argv.data(), lens.data());
    timer_.expires_after(options_.timeout);
    timer_.async_wait([s = shared_from_this(), index = index_](const std::error_code& ec) {
      if (!ec && s->index_ == index && !s->attempt_done_) {
        s->end_attempt("no answer within " + std::to_string(s->options_.timeout.count()) + " ms");
      }
    });
  }

  // The current sentinel could not even be tried: on to the next, from a posted handler (never
  // inline in ask_primary()).
  void failed_at_once(const std::string& error) {
    attempt_done_ = true;
    note(error);
    ++index_;
    asio::post(io_, [s = shared_from_this()] { s->next(); });
  }

  // Ends the current attempt once (success recorded in `found_`, or `error`): closes its
  // connection and goes on from a posted handler.
  void end_attempt(const std::string& error) {
    if (attempt_done_) return;
    attempt_done_ = true;
    const auto keep = shared_from_this();
    timer_.cancel();
    if (!found_) note(error);
    if (redisAsyncContext* c = ctx_; c != nullptr) {
      if ((c->c.flags & REDIS_CONNECTED) == 0) {
        // Not connected yet: freed at once, no callback (the buffered commands' callbacks run
        // with no reply and find the attempt done).
        ctx_ = nullptr;
        redisAsyncFree(c);
        self_.reset();
      } else {
        // Inside a reply callback hiredis defers the free; on_disconnect clears ctx_.
        redisAsyncFree(c);
      }
    }
    if (cancelled_) return;
    if (found_) {
      asio::post(io_, [s = keep] { s->finish(std::move(*s->found_)); });
      return;
    }
    ++index_;
    asio::post(io_, [s = keep] { s->next(); });
  }

  void finish(absl::StatusOr<PrimaryAddress> answer) {
    if (cancelled_ || !done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(answer));
  }

  void note(const std::string& error) {
    if (!errors_.empty()) errors_ += "; ";
    errors_ +=
        (index_ < options_.sentinels.size() ? options_.sentinels[index_] : "?") + ": " + error;
  }

  static void on_connect_cb(const redisAsyncContext* c, int status) {
    auto* q = static_cast<Query*>(c->data);
    if (status == REDIS_OK) return;
    // hiredis frees the context when this returns and calls nothing else of ours.
    const auto keep = std::move(q->self_);
    q->ctx_ = nullptr;
    q->end_attempt(c->errstr);
  }
  static void on_disconnect_cb(const redisAsyncContext* c, int status) {
    auto* q = static_cast<Query*>(c->data);
    const auto keep = std::move(q->self_);  // hiredis frees the context right after this
    q->ctx_ = nullptr;
    q->end_attempt(status == REDIS_OK ? "connection closed" : c->errstr);
  }
  static void on_auth_cb(redisAsyncContext* c, void* reply, void*) {
    auto* q = static_cast<Query*>(c->data);
    const auto* r = static_cast<const redisReply*>(reply);
    if (r != nullptr && r->type == REDIS_REPLY_ERROR && !q->attempt_done_) {
      q->end_attempt("AUTH refused: " + std::string(r->str, r->len));
    }
  }
  static void on_answer_cb(redisAsyncContext* c, void* reply, void*) {
    auto* q = static_cast<Query*>(c->data);
    const auto* r = static_cast<const redisReply*>(reply);
    if (r == nullptr || q->attempt_done_) return;  // going away: the disconnect reports it
    absl::StatusOr<PrimaryAddress> answer = parse_answer(r, q->options_.master);
    if (!answer.ok()) return q->end_attempt(std::string(answer.status().message()));
    answer->sentinel = q->options_.sentinels[q->index_];
    q->found_ = std::move(answer);
    q->end_attempt("");
  }

  asio::io_context& io_;
  const SentinelOptions options_;
  std::function<void(absl::StatusOr<PrimaryAddress>)> done_;
  asio::steady_timer timer_;
  size_t index_ = 0;
  bool attempt_done_ = true;
  bool cancelled_ = false;
  std::optional<absl::StatusOr<PrimaryAddress>> found_;
  std::string errors_;  // what each sentinel asked so far did
  redisAsyncContext* ctx_ = nullptr;
  std::shared_ptr<Query> self_;  // while ctx_ exists
};

timeval to_timeval(engine::Duration d) {
  const auto ms = d.count();
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

std::shared_ptr<SentinelQuery> ask_primary(
    asio::io_context& io, const SentinelOptions& options,
    std::function<void(absl::StatusOr<PrimaryAddress>)> done) {
  auto q = std::make_shared<Query>(io, options, std::move(done));
  q->start();
  return q;
}

absl::StatusOr<PrimaryAddress> ask_primary_blocking(const SentinelOptions& options) {
  std::string errors;
  for (const std::string& address : options.sentinels) {
    auto note = [&](const std::string& error) {
      if (!errors.empty()) errors += "; ";
      errors += address + ": " + error;
    };
    std::string host;
    int port = 0;
    if (!split_host_port(address, host, port)) {
      note("not host:port");
      continue;
    }
    redisContext* c = redisConnectWithTimeout(host.c_str(), port, to_timeval(options.timeout));
    if (c == nullptr || c->err != 0) {
      note(c != nullptr ? c->errstr : "cannot allocate a hiredis context");
      if (c != nullptr) redisFree(c);
      continue;
    }
    redisSetTimeout(c, to_timeval(options.timeout));
    bool authenticated = options.password.empty();
    if (!authenticated) {
      std::array<const char*, 2> argv = {"AUTH", options.password.c_str()};
      const std::array<size_t, 2> lens = {4, options.password.size()};
      auto* r = static_cast<redisReply*>(redisCommandArgv(c, 2, argv.data(), lens.data()));
      if (r == nullptr) {
        note(c->errstr);
      } else if (r->type == REDIS_REPLY_ERROR) {
        note("AUTH refused: " + std::string(r->str, r->len));
      } else {
        authenticated = true;
      }
      if (r != nullptr) freeReplyObject(r);
    }
    if (authenticated) {
      std::array<const char*, 3> argv = {"SENTINEL", "get-master-addr-by-name",
                                         options.master.c_str()};
      const std::array<size_t, 3> lens = {8, 23, options.master.size()};
      auto* r = static_cast<redisReply*>(redisCommandArgv(c, 3, argv.data(), lens.data()));
      if (r == nullptr) {
        note(c->errstr);
      } else {
        absl::StatusOr<PrimaryAddress> answer = parse_answer(r, options.master);
        freeReplyObject(r);
        if (answer.ok()) {
          redisFree(c);
          answer->sentinel = address;
          return answer;
        }
        note(std::string(answer.status().message()));
      }
    }
    redisFree(c);
  }
  return absl::UnavailableError(all_failed(options, errors));
}

}  // namespace router::adapters::redis
