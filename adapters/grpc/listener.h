// routerd's gRPC listener: the ::grpc::Server serving the router.v1 services (services.h) plus
// grpc.health.v1 and server reflection, with the transport policy of docs/routerd.md (keepalive
// finds dead desktops, no shared port, a message-size cap). Only how gRPC serves; what is served
// and when is the composition root's (tools/routerd/daemon.h).
// Thread-safe: set_serving() from any thread; shutdown() from one control thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "adapters/grpc/services.h"
#include "adapters/grpc/tls.h"
#include "adapters/grpc/transport.h"
#include "engine/types.h"

namespace grpc {
class Server;
}

namespace router::adapters::grpc {

struct ListenerOptions {
  std::string address = "127.0.0.1:50051";  // host:port; port 0: the kernel picks (port())
  size_t max_message_bytes = 64 * 1024;     // larger requests are refused RESOURCE_EXHAUSTED
  std::shared_ptr<ServerTls> tls;           // null: plaintext; kept alive by the listener
  TransportLimits transport;                // calls per connection, gRPC's memory
};

// Whether `address` (host:port, as daemon.listen) can only be reached from this machine:
// 127.0.0.0/8, ::1, localhost, or a unix: socket. 0.0.0.0, [::], any other host: false.
bool is_loopback(const std::string& address);

class Listener {
 public:
  // Registers `services` (borrowed: they must outlive the listener) and starts listening, health
  // NOT_SERVING until set_serving(true). Error (INVALID_ARGUMENT): the address cannot be bound
  // ("cannot listen on 127.0.0.1:50051").
  static engine::Result<std::unique_ptr<Listener>> start(Services& services,
                                                         const ListenerOptions& options);
  ~Listener();  // shutdown() with no grace if still running
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }  // the bound TCP port

  // grpc.health.v1 for the server (service ""): SERVING or NOT_SERVING.
  void set_serving(bool serving);

  // Stops accepting calls; in-flight ones may finish until `deadline`, then are cancelled.
  // Returns once every call is done. Idempotent.
  void shutdown(std::chrono::system_clock::time_point deadline);

 private:
  Listener(std::unique_ptr<::grpc::Server> server, int port, std::shared_ptr<ServerTls> tls);
  std::shared_ptr<ServerTls> tls_;  // before server_: gRPC calls into it until the server is gone
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace router::adapters::grpc
