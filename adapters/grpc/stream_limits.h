// How many server streams (StreamWork, WatchInteractions, WatchQueues) clients may hold open: in
// all, per token and per connection, and how many connections may hold them. A stream past a
// limit is refused RESOURCE_EXHAUSTED naming the limit; an admitted stream holds a StreamSlot
// until its call is over (the reactor's OnDone), which gives the places back.
// Connections are told apart by gRPC's peer address ("ipv4:10.0.0.7:53112"): gRPC 1.51 has no
// accept-time connection cap, so a connection counts from its first stream to its last.
// Thread-safe: admit() from any gRPC thread; a slot may be released on any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace router::adapters::grpc {

struct StreamLimits {
  size_t max_connections = 256;
  size_t max_streams_per_connection = 100;
  size_t max_streams_per_token = 1024;
  size_t max_streams_total = 4096;
};

class StreamLimiter;

// One admitted stream's places; destroying it gives them back.
class StreamSlot {
 public:
  StreamSlot(StreamLimiter& limiter, std::string peer, std::string token)
      : limiter_(limiter), peer_(std::move(peer)), token_(std::move(token)) {}
  ~StreamSlot();
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  StreamLimiter& limiter_;
  const std::string peer_;
  const std::string token_;
};

class StreamLimiter {
 public:
  // A slot for a new stream of `token` (the token's name) on connection `peer`, or
  // RESOURCE_EXHAUSTED naming the limit it would pass. The limiter must outlive its slots.
  ::grpc::Status admit(const std::string& peer, const std::string& token,
                       const StreamLimits& limits, std::shared_ptr<StreamSlot>& slot);

  struct Counts {
    size_t streams = 0;
    size_t connections = 0;
  };
  Counts counts() const;

 private:
  friend class StreamSlot;
  void release(const std::string& peer, const std::string& token);

  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> by_peer_;   // open streams per connection (> 0)
  std::unordered_map<std::string, size_t> by_token_;  // open streams per token name (> 0)
};

}  // namespace router::adapters::grpc
