// routermail's LMTP listener: a TCP socket, one thread per connection (at most
// Config::max_connections; one more is told "421 4.3.2" and closed), each running an
// LmtpSession over the lines it reads. A connection silent for idle_timeout is told "421 4.4.2"
// and closed. stop() closes the listener and waits for the connections to finish their current
// command. Thread-safe: start, port and stop from one control thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/types.h"
#include "tools/routermail/config.h"
#include "tools/routermail/lmtp_session.h"

namespace router::mail {

class LmtpServer {
 public:
  // Binds config.listen. `deliver` runs on connection threads, concurrently.
  // `too_big` counts refusals of oversized messages; `on_connections` is told the number of
  // open connections when it changes.
  static engine::Result<std::unique_ptr<LmtpServer>> start(const Config& config, Deliver deliver,
                                                           TooBig too_big,
                                                           std::function<void(int)> on_connections);
  ~LmtpServer();
  LmtpServer(const LmtpServer&) = delete;
  LmtpServer& operator=(const LmtpServer&) = delete;

  int port() const { return port_; }
  void stop();

 private:
  LmtpServer(const Config& config, Deliver deliver, TooBig too_big,
             std::function<void(int)> on_connections)
      : config_(config),
        deliver_(std::move(deliver)),
        too_big_(std::move(too_big)),
        on_connections_(std::move(on_connections)) {}
  void accept_loop();
  void serve(int fd);

  Config config_;
  Deliver deliver_;
  TooBig too_big_;
  std::function<void(int)> on_connections_;  // the count of open connections, when it changes
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable idle_;
  int open_ = 0;  // guarded by mu_
};

}  // namespace router::mail
