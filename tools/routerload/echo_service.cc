// routerecho's server: the services of echo_services.h on routerd's transport settings, and the
// heartbeat. See echo_service.h.
#include "tools/routerload/echo_service.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "adapters/grpc/transport.h"
#include "tools/routerload/echo_core.h"
#include "tools/routerload/echo_services.h"

namespace router::load {

using echo::AgentServiceImpl;
using echo::Batch;
using echo::EchoCore;
using echo::InteractionServiceImpl;
using ::grpc::Status;
using ::grpc::StatusCode;

// ---------------------------------------------------------------------------------------------
// The server.

struct EchoServer::State {
  std::shared_ptr<EchoCore> core;
  std::unique_ptr<InteractionServiceImpl> interactions;  // outlive the server
  std::unique_ptr<AgentServiceImpl> agents;
  std::unique_ptr<::grpc::Server> server;
  int port = 0;
  std::chrono::milliseconds heartbeat{0};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu: the heartbeat thread ends
  bool shut_down = false;
  std::thread heartbeat_thread;

  void run_heartbeat() {
    std::unique_lock lock(mu);
    while (!stopping) {
      if (cv.wait_for(lock, heartbeat, [this] { return stopping; })) break;
      lock.unlock();
      Batch b;
      core->heartbeat(b);
      b.flush();
      lock.lock();
    }
  }
};

EchoServer::EchoServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

std::unique_ptr<EchoServer> EchoServer::start(const EchoOptions& options) {
  if (options.agent_capacity < 1) throw std::runtime_error("agent_capacity: must be at least 1");
  if (options.heartbeat.count() <= 0) throw std::runtime_error("heartbeat: must be positive");
  if (options.stream_buffer < 1) throw std::runtime_error("stream_buffer: must be at least 1");
  if (options.gateway_max_in_flight < 1 || options.gateway_max_in_flight > 65536) {
    throw std::runtime_error("gateway_max_in_flight: must be 1..65536");
  }
  if (options.max_message_bytes < 1024 || options.max_message_bytes > 64 * 1024 * 1024) {
    throw std::runtime_error("max_message_bytes: must be 1024..67108864");
  }
  auto st = std::make_unique<State>();
  st->core = std::make_shared<EchoCore>(options);
  st->interactions = std::make_unique<InteractionServiceImpl>(st->core);
  st->agents = std::make_unique<AgentServiceImpl>(st->core);
  st->heartbeat = options.heartbeat;

  // routerd's transport settings, so that the comparison is fair.
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  adapters::grpc::apply_transport_policy(builder, options.listen, options.max_message_bytes,
                                         &st->port);
  builder.RegisterService(st->interactions.get());
  builder.RegisterService(st->agents.get());
  st->server = builder.BuildAndStart();
  if (!st->server || st->port == 0) {
    if (st->server) st->server->Shutdown();
    throw std::runtime_error("listen: cannot listen on " + options.listen);
  }
  st->server->GetHealthCheckService()->SetServingStatus(true);
  State* raw = st.get();
  st->heartbeat_thread = std::thread([raw] { raw->run_heartbeat(); });
  return std::unique_ptr<EchoServer>(new EchoServer(std::move(st)));
}

EchoServer::~EchoServer() { shutdown(std::chrono::seconds(1)); }

int EchoServer::port() const { return state_->port; }

void EchoServer::shutdown(std::chrono::milliseconds deadline) {
  State& st = *state_;
  {
    std::lock_guard lock(st.mu);
    if (st.shut_down) return;
    st.shut_down = true;
    st.stopping = true;
  }
  st.cv.notify_all();
  st.heartbeat_thread.join();
  st.server->GetHealthCheckService()->SetServingStatus(false);
  // Streams end cleanly first (what is queued is still written); then gRPC waits for in-flight
  // calls up to the deadline and cancels the rest.
  for (auto& stream : st.core->drain()) {
    stream->end(Status(StatusCode::OK, "routerecho shutting down"));
  }
  st.server->Shutdown(std::chrono::system_clock::now() + deadline);
  st.server->Wait();
}

EchoCounters EchoServer::counters() const { return state_->core->counters(); }

}  // namespace router::load
