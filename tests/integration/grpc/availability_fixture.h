// What the availability tests (clients finding the active routerd, routing domains, HAProxy in
// front) share: an in-process routerd on its own redis-server with daemon.ready_listen (and a
// routing domain), a plain HTTP GET against its readiness listener, and HAProxy as a child
// process on a configuration written for the test's ports. Not thread-safe: one test thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {

// "HTTP status, body without its trailing newline" of GET `path` on 127.0.0.1:`port`; status 0
// with the error as body when the connection fails or no answer comes within `timeout`.
std::pair<int, std::string> http_get(int port, const std::string& path, Millis timeout = 2s);

// The test center on a redis-server of its own, daemon.ready_listen on a free port and
// daemon.domain `domain` (none when empty), served in process on 127.0.0.1:0.
class ReadyRouterd {
 public:
  explicit ReadyRouterd(const std::string& domain = "");
  ~ReadyRouterd();

  routerd::Daemon& daemon() { return *daemon_; }
  RedisServer& redis() { return redis_; }
  Clients& clients() { return clients_; }
  std::string address() const { return daemon_->address(); }
  int port() const { return daemon_->port(); }
  int ready_port() const { return ready_port_; }
  // The /ready answer now.
  std::pair<int, std::string> ready() const { return http_get(ready_port_, "/ready"); }
  // Waits until /ready answers `status`.
  bool wait_ready(int status, Millis timeout = 5s) const;

 private:
  RedisServer redis_;
  CenterFiles files_;
  int ready_port_ = 0;
  std::unique_ptr<routerd::Daemon> daemon_;
  Clients clients_;
};

// The haproxy binary: /usr/sbin/haproxy (Debian's; /usr/sbin is not always on PATH), else
// "haproxy" from PATH. Empty when neither exists: the caller fails the test (tools/dev.sh
// installs it), it does not skip.
std::string haproxy_path();

// HAProxy (Debian 2.6) in the foreground on `config_text`, written beside its log in a
// temporary folder; killed when destroyed. Fails the test if the configuration does not check.
class HaproxyProcess {
 public:
  // `log`: where its log goes (a test that keeps its folder's logs); empty: beside its
  // configuration.
  explicit HaproxyProcess(const std::string& config_text, std::filesystem::path log = {});
  std::string log() const;
  // Its last `lines` lines (a long run's log whole would bury a failure's message).
  std::string log_tail(size_t lines = 200) const;

 private:
  TempDir dir_;
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> process_;
};

// The HAProxy configuration for a backend of routerds: gRPC over h2c in front, each server's
// gRPC port behind, checked with GET /ready on its readiness port every 200 ms (fall 1, rise 1).
// The shape of tools/haproxy/routerd.cfg, on the test's ports. HAProxy logs each change of a
// check's result and each abnormal request to its log; with `stats_port`, its statistics page
// answers GET /stats;csv there.
struct HaproxyServer {
  std::string name;
  int grpc_port = 0;
  int ready_port = 0;
};
std::string haproxy_backend(const std::string& name, const std::vector<HaproxyServer>& servers);
std::string haproxy_config(int frontend_port, const std::string& frontend_rules,
                           const std::string& backends, int stats_port = 0);

}  // namespace router::it
