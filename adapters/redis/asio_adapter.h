// Drives a hiredis async connection from an Asio io_context: the Asio counterpart of
// hiredis/adapters/libuv.h, filling the five event hooks hiredis 0.14 has (addRead, delRead,
// addWrite, delWrite, cleanup; 0.14 has no scheduleTimer, hence no redisAsyncSetTimeout).
// Writes are group-committed: once connected, a command does not wait for write-readiness; the
// first one queued posts one write handler behind whatever the io_context already has queued,
// and every command hiredis buffered until that handler runs leaves in its one write(2) (one
// pipelined round trip for a loop turn's commands). Only what a full socket held back waits for
// readiness. Before connect, the first write-readiness finishes the non-blocking connect.
// Invariants: at most one async_wait pending per direction, whatever hiredis asks; the socket
// belongs to hiredis (the adapter release()s it, never closes it); hiredis may free the context
// inside any redisAsyncHandleRead/Write (a disconnect), so every handler holds the adapter's
// state alive and re-checks that the context still exists before touching it.
// Not thread-safe: attach, every redisAsync* call on the context and io.run() happen on the one
// thread that runs the io_context (the waits are not bound to a strand); hiredis callbacks run
// there too.
#pragma once

#include <hiredis/async.h>

#include <asio/io_context.hpp>

#include "engine/types.h"

namespace router::adapters::redis {

// Wires `ctx` to `io`: from now on the io_context reads, writes and completes the connection
// (the first write-readiness finishes a non-blocking connect and fires the connect callback
// without waiting for a first command). The adapter's state is freed through hiredis's cleanup
// hook, i.e. by redisAsyncFree or by hiredis itself after a disconnect.
// REQUIRES: ctx is non-null, has no error (ctx->err == 0) and is not attached to a loop yet.
// REQUIRES: ctx is freed (or has disconnected) before `io` is destroyed.
// Returns failed_precondition naming the problem otherwise; ctx is then left untouched.
engine::Status attach(redisAsyncContext* ctx, asio::io_context& io);

}  // namespace router::adapters::redis
