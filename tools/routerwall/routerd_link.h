// routerwall's line to routerd over the public API only: one gRPC channel (plaintext, or TLS with
// tools/client_tls's flags; with a list of addresses the first SERVING one, tools/client_channel,
// moving on when the one in use stops answering; every call carrying --domain) and the two
// SupervisorService reads the board needs, each with the bearer token it is given and a deadline.
// Thread-safe: the reads from any thread (the sampler's, CivetWeb's for viewers' tokens);
// move_on() from the sampler's thread only.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "router/v1/router.grpc.pb.h"

namespace router::wall {

// "UNAVAILABLE: failed to connect ..." for a failed call's status.
std::string describe(const grpc::Status& status);

class RouterdLink {
 public:
  // Largest response accepted (ListAgents of a very large center); gRPC's default is 4 MiB.
  static constexpr int kMaxResponseBytes = 64 * 1024 * 1024;

  struct Options {
    std::vector<std::string> addresses;  // host:port, in order of preference; not empty
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    grpc::ChannelArguments args;
    std::string domain;                               // x-router-domain on every call; empty: none
    std::chrono::milliseconds deadline{5000};         // per call
    std::chrono::milliseconds health_deadline{1000};  // per address asked when choosing
  };

  // Chooses the address (a health check of each when there are several) and makes the channel.
  // REQUIRES: options.addresses not empty, options.credentials set.
  explicit RouterdLink(Options options);

  // GetQueueStats (every queue) and ListAgents (every team) with "authorization: Bearer
  // <token>" (no metadata when `token` is empty: routerd then decides, as it does for any client).
  grpc::Status queue_stats(const std::string& token, v1::GetQueueStatsResponse* out) const;
  grpc::Status list_agents(const std::string& token, v1::ListAgentsResponse* out) const;

  // With several addresses: asks each, from the one after the address in use, whether it is
  // SERVING and uses the first that is; when none is, stays. Lines "addr: why" for those passed
  // over.
  std::vector<std::string> move_on();

  std::string address() const;
  bool several() const { return options_.addresses.size() > 1; }

 private:
  struct Line {
    size_t index = 0;
    std::string address;
    std::unique_ptr<v1::SupervisorService::Stub> stub;
  };
  std::shared_ptr<const Line> line() const;
  // keep_when_none: when no address answers SERVING, the line in use stays.
  std::vector<std::string> choose(size_t first, bool keep_when_none);
  void prepare(grpc::ClientContext& context, const std::string& token) const;

  Options options_;
  mutable std::mutex mu_;
  std::shared_ptr<const Line> line_;  // guarded by mu_; replaced whole by move_on()
};

}  // namespace router::wall
