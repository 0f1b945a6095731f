// routerecho: the echo baseline server for routerload (echo_service.h). The composition root:
// reads the flags, starts the server, prints the one line a parent reads to learn the port, and
// turns SIGTERM/SIGINT into a shutdown.
#include <absl/synchronization/mutex.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "tools/routerload/echo_service.h"

int main(int argc, char** argv) {
  // As routerd does (tools/routerd/main.cc): Debian's Abseil is built without NDEBUG, and its mutex
  // deadlock detection would tax every gRPC call of the measurement.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "routerecho — the echo baseline for routerload: a bare gRPC server answering router.v1's "
      "InteractionService (SubmitInteraction, CancelInteraction, GetInteraction) and "
      "AgentService (Login, Logout, SetState, StreamWork, AcceptOffer, RejectOffer, "
      "CompleteInteraction, EndWrapUp) with the messages and StreamWork events routerd sends, "
      "but no engine, no Redis, no journal and no auth (any token, any agent name).\n"
      "Dispatch: one FIFO; an agent with an open StreamWork, READY and below its capacity is "
      "offered the oldest waiting interaction. Offers never time out; wrap-up ends only by "
      "EndWrapUp. A closed StreamWork logs its agent out at once.\n"
      "Prints one line to stdout, 'routerecho listening on HOST:PORT', once it serves. "
      "SIGTERM or SIGINT: streams end, exit 0 within a second; a summary goes to stderr."};
  router::load::EchoOptions options;
  double heartbeat_s = 5.0;
  app.add_option("--listen", options.listen, "host:port to listen on (port 0: a free port)")
      ->capture_default_str();
  app.add_option("--agent-capacity", options.agent_capacity,
                 "interactions an agent holds at once (offered work waits beyond it)")
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->capture_default_str();
  app.add_option("--heartbeat-s", heartbeat_s,
                 "seconds between heartbeats on every StreamWork (routerd's default: 5)")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  app.add_option("--stream-buffer", options.stream_buffer,
                 "StreamWork events queued per agent; past it the stream ends RESOURCE_EXHAUSTED")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();
  app.add_option("--max-message-bytes", options.max_message_bytes,
                 "largest request accepted (routerd's daemon.max_message_bytes)")
      ->check(CLI::Range(size_t{1024}, size_t{64} * 1024 * 1024))
      ->capture_default_str();
  app.add_option("--gateway-max-in-flight", options.gateway_max_in_flight,
                 "a GatewayStream's FlowWindow (routerd's "
                 "daemon.server_limits.gateway_max_in_flight)")
      ->check(CLI::Range(uint32_t{1}, uint32_t{65536}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.heartbeat = std::chrono::milliseconds(static_cast<int64_t>(heartbeat_s * 1000));

  // Signals are taken synchronously by this thread; every other thread (gRPC's) blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<router::load::EchoServer> server;
  try {
    server = router::load::EchoServer::start(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "routerecho: %s\n", e.what());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("routerecho listening on %s:%d\n", host.c_str(), server->port());
  std::fflush(stdout);

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  server->shutdown(std::chrono::milliseconds(500));
  const router::load::EchoCounters c = server->counters();
  std::fprintf(
      stderr,
      "routerecho: %s: submitted=%llu offered=%llu completed=%llu cancelled=%llu "
      "live=%llu\n",
      sig == SIGTERM ? "SIGTERM" : "SIGINT", static_cast<unsigned long long>(c.submitted),
      static_cast<unsigned long long>(c.offered), static_cast<unsigned long long>(c.completed),
      static_cast<unsigned long long>(c.cancelled), static_cast<unsigned long long>(c.live));
  return 0;
}
