// How every client tool (routerctl, routerdemo, routerload) finds the routerd to talk to: a list
// of addresses ("a:1,b:2", or the flag repeated) tried in order, moving on from one that refuses
// the connection or is not SERVING (a standby, a routerd whose Redis is down), and the routing
// domain (--domain) sent as "x-router-domain" on every call, which HAProxy routes on.
// docs/availability.md has the retry rules. Plain functions and values; not thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace router::client_channel {

// The metadata key routerd checks (adapters/grpc/auth.h) and HAProxy routes on.
inline constexpr char kDomainMetadata[] = "x-router-domain";

struct Options {
  std::string domain;  // --domain: sent as x-router-domain on every call; empty: not sent
};

// Adds --domain to `app`, writing into `options`, which must outlive the parse.
void add_flags(CLI::App& app, Options& options);

// "a:1,b:2" and repeated values → {"a:1", "b:2"}, in order, blanks and duplicates dropped.
std::vector<std::string> split_addresses(const std::vector<std::string>& values);
std::vector<std::string> split_addresses(const std::string& value);

// A channel to `address` whose every call carries x-router-domain: `domain` (none when empty).
std::shared_ptr<grpc::Channel> make_channel(const std::string& address,
                                            const std::shared_ptr<grpc::ChannelCredentials>& creds,
                                            const grpc::ChannelArguments& args,
                                            const std::string& domain);

// Whether a failed call should be tried on the next address: UNAVAILABLE only (connection
// refused or lost, a standby or a routerd without Redis refusing work). Whether the call may
// be repeated at all is the caller's to know (docs/availability.md, the retry table).
bool moves_on(const grpc::Status& status);

// grpc.health.v1.Health/Check for the server (""): OK with `serving` set, or the call's error.
grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel,
                          std::chrono::milliseconds timeout, bool& serving);

struct Choice {
  size_t index = 0;  // into the addresses
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::vector<std::string> skipped;  // "addr: why" for each address passed over
};

// With one address: its channel, untouched (no I/O; the first call connects). With more: asks
// each in turn, from `first`, wrapping around, whether it is SERVING (health check, `timeout`
// each) and takes the first that is; when none is, the one at `first` (its calls then fail
// with gRPC's own reason). `open` makes an address's channel.
// REQUIRES: addresses not empty, first < addresses.size().
Choice choose(const std::vector<std::string>& addresses,
              const std::function<std::shared_ptr<grpc::Channel>(const std::string&)>& open,
              std::chrono::milliseconds timeout, size_t first = 0);

}  // namespace router::client_channel
