// The Asio event port for hiredis async contexts: readiness waits on the connection's socket,
// relayed to redisAsyncHandleRead/Write.
#include "adapters/redis/asio_adapter.h"

#include <asio/error.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace router::adapters::redis {
namespace {

// One per attached context. Owned by `self_` from attach until hiredis's cleanup hook, and by
// every pending wait handler, so a handler that runs after (or during) cleanup still finds it.
class AsioEvents : public std::enable_shared_from_this<AsioEvents> {
 public:
  AsioEvents(redisAsyncContext* ctx, asio::io_context& io) : ctx_(ctx), socket_(io) {}

  std::error_code assign(int fd) {
    std::error_code ec;
    socket_.assign(fd, ec);
    return ec;
  }
  void keep_alive() { self_ = shared_from_this(); }

  // The hooks: they record what hiredis wants and arm at most one wait per direction, so
  // hiredis calling addWrite for each of 1,000 queued commands costs one async_wait.
  static void add_read(void* privdata) { as_events(privdata)->want(Direction::kRead, true); }
  static void del_read(void* privdata) { as_events(privdata)->want(Direction::kRead, false); }
  static void add_write(void* privdata) { as_events(privdata)->want(Direction::kWrite, true); }
  static void del_write(void* privdata) { as_events(privdata)->want(Direction::kWrite, false); }
  static void cleanup(void* privdata) { as_events(privdata)->detach(); }

 private:
  enum class Direction { kRead, kWrite };
  struct Interest {
    bool wanted = false;   // hiredis asked for this direction and has not withdrawn it
    bool pending = false;  // an async_wait for it is outstanding
  };

  static AsioEvents* as_events(void* privdata) { return static_cast<AsioEvents*>(privdata); }
  Interest& interest(Direction d) { return d == Direction::kRead ? read_ : write_; }

  void want(Direction d, bool wanted) {
    interest(d).wanted = wanted;
    // A withdrawn direction keeps its pending wait (cancel() would cancel both directions);
    // when it fires the handler sees `wanted == false` and does nothing.
    if (!wanted) return;
    if (d == Direction::kRead) return arm(d);
    // Inside a write, write_now() decides after it (hiredis asks again when the socket took
    // less than it had).
    if (writing_) return;
    if (connected()) {
      defer_write();
    } else {
      arm(d);  // a non-blocking connect completes at write-readiness
    }
  }

  bool connected() const { return ctx_ != nullptr && (ctx_->c.flags & REDIS_CONNECTED) != 0; }

  // Group commit: a connected socket is writable almost always, so a command does not wait for
  // readiness; the write runs as a handler posted behind what the loop already has queued, and
  // every command appended until then (the whole turn's) leaves in that one write.
  void defer_write() {
    if (write_posted_ || write_.pending) return;
    write_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->write_posted_ = false;
      if (self->ctx_ == nullptr || !self->write_.wanted) return;
      self->write_now();
    });
  }

  // One redisAsyncHandleWrite (one write(2) of hiredis's whole output buffer). What the socket
  // did not take (hiredis asks for write interest again) waits for write-readiness.
  void write_now() {
    writing_ = true;
    redisAsyncHandleWrite(ctx_);
    writing_ = false;
    if (ctx_ != nullptr && write_.wanted) arm(Direction::kWrite);
  }

  void arm(Direction d) {
    Interest& i = interest(d);
    if (ctx_ == nullptr || !i.wanted || i.pending) return;
    i.pending = true;
    const auto wait = d == Direction::kRead ? asio::posix::stream_descriptor::wait_read
                                            : asio::posix::stream_descriptor::wait_write;
    socket_.async_wait(
        wait, [self = shared_from_this(), d](const std::error_code& ec) { self->on_ready(d, ec); });
  }

  void on_ready(Direction d, const std::error_code& ec) {
    interest(d).pending = false;
    if (ec == asio::error::operation_aborted || ctx_ == nullptr || !interest(d).wanted) return;
    // Any other error (an error or hang-up on the socket) is hiredis's to discover: its read or
    // write fails and it disconnects with the reason in ctx->errstr.
    if (d == Direction::kRead) {
      redisAsyncHandleRead(ctx_);
      // The call above may have run cleanup (ctx_ is then null and arm() is a no-op); otherwise
      // Asio waits are one-shot where hiredis expects level-triggered interest, so re-arm.
      arm(d);
    } else {
      write_now();  // finishes a connect, or writes what the full socket held back
    }
  }

  void detach() {
    ctx_ = nullptr;
    read_.wanted = write_.wanted = false;
    // release() deregisters the descriptor and aborts the pending waits; hiredis closes the fd.
    (void)socket_.release();
    self_.reset();  // may free *this unless a handler on the stack holds it
  }

  redisAsyncContext* ctx_;  // null once hiredis has run cleanup: the context may be gone
  asio::posix::stream_descriptor socket_;
  Interest read_;
  Interest write_;
  bool write_posted_ = false;  // a deferred write is queued on the io_context
  bool writing_ = false;       // inside redisAsyncHandleWrite
  std::shared_ptr<AsioEvents> self_;
};

}  // namespace

engine::Status attach(redisAsyncContext* ctx, asio::io_context& io) {
  if (ctx == nullptr) return engine::failed_precondition("redis context: null");
  if (ctx->err != 0) {
    return engine::failed_precondition(std::string("redis context: already failed: ") +
                                       (ctx->errstr != nullptr ? ctx->errstr : "unknown error"));
  }
  if (ctx->ev.data != nullptr) {
    return engine::failed_precondition("redis context: already attached to an event loop");
  }
  auto events = std::make_shared<AsioEvents>(ctx, io);
  if (const std::error_code ec = events->assign(ctx->c.fd)) {
    return engine::failed_precondition("redis context: cannot watch socket " +
                                       std::to_string(ctx->c.fd) + ": " + ec.message());
  }
  events->keep_alive();
  ctx->ev.data = events.get();
  ctx->ev.addRead = &AsioEvents::add_read;
  ctx->ev.delRead = &AsioEvents::del_read;
  ctx->ev.addWrite = &AsioEvents::add_write;
  ctx->ev.delWrite = &AsioEvents::del_write;
  ctx->ev.cleanup = &AsioEvents::cleanup;
  // hiredis 0.14 only asks for write-readiness once a command is queued; asking now finishes the
  // non-blocking connect (and reports a refused one) without waiting for the first command.
  AsioEvents::add_write(ctx->ev.data);
  return {};
}

}  // namespace router::adapters::redis
