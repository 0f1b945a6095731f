// Asks Redis Sentinel where the primary is: SENTINEL get-master-addr-by-name <master>, to each
// sentinel in turn until one answers with an address (hiredis 0.14 has no Sentinel support).
// A sentinel that refuses the connection, does not answer within the timeout, answers an error
// or does not know the master is skipped; the answer names the sentinel that gave it. The answer
// is only Sentinel's view: the caller checks the server's ROLE before trusting it (client.cc).
// Two forms: async on an io_context (Client, before each connection attempt) and blocking (tools
// that connect once, e.g. routerctl customers import).
#pragma once

#include <absl/status/statusor.h>

#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/types.h"

namespace router::adapters::redis {

struct SentinelOptions {
  std::vector<std::string> sentinels;                  // "host:port" each, asked in this order
  std::string master;                                  // the name the sentinels monitor
  std::string password;                                // AUTH to each sentinel when non-empty
  engine::Duration timeout = std::chrono::seconds(1);  // per sentinel: connect and answer
};

struct PrimaryAddress {
  std::string host;
  int port = 0;
  std::string sentinel;  // the one that answered, "host:port"
  std::string address() const { return host + ":" + std::to_string(port); }
};

// One question in flight. Not thread-safe: created, cancelled and answered on the io_context's
// thread.
class SentinelQuery {
 public:
  virtual ~SentinelQuery() = default;
  // `done` is not called after this; the open connection, if any, is closed now.
  virtual void cancel() = 0;
};

// Asks the sentinels in turn. `done` runs on the io_context's thread, never inline in this call:
// the primary's address, or UNAVAILABLE naming what each sentinel did. Keep the returned query
// to cancel it (dropping it does not cancel). REQUIRES: on the io_context's thread; the
// io_context outlives the query's work (cancel() before destroying it).
std::shared_ptr<SentinelQuery> ask_primary(
    asio::io_context& io, const SentinelOptions& options,
    std::function<void(absl::StatusOr<PrimaryAddress>)> done);

// The same question with blocking hiredis calls (each sentinel: connect and answer within
// options.timeout). For command-line tools; any thread.
absl::StatusOr<PrimaryAddress> ask_primary_blocking(const SentinelOptions& options);

}  // namespace router::adapters::redis
