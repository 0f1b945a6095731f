// routersip's two streams to routerd (docs/routersip.md): a GatewayStream (the gateway token)
// that submits and cancels calls and watches them, and an AgentLink (the AGENT_LINK token) over
// which routersip is the desktop of its phone agents. Each stream has a reader and a writer
// thread, reconnects with backoff (trying routerd.addresses in order, health-checked), keeps to
// routerd's window of requests in flight (the GatewayStream's FlowWindow; 64 on the AgentLink)
// by holding the rest back in order, and fails the requests in flight with UNAVAILABLE when it
// breaks. Every callback (answers, events, link up/down) is handed to `post`, which runs it on
// the event loop, so the Switchboard never sees another thread. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "router/v1/router.grpc.pb.h"
#include "tools/routersip/config.h"
#include "tools/routersip/switchboard.h"

namespace router::sip {

using Post = std::function<void(std::function<void()>)>;

struct LinkHooks {
  std::function<void(bool up)> gateway_link;
  std::function<void(bool up)> agent_link;
  std::function<void(const v1::InteractionEvent&)> gateway_event;
  std::function<void(const std::string& agent, const v1::WorkEvent&)> work;
};

class RouterLinks : public Router {
 public:
  // The channels (no I/O yet). Error: unreadable TLS files.
  static engine::Result<std::unique_ptr<RouterLinks>> create(const Config& config, Post post,
                                                             LinkHooks hooks);
  ~RouterLinks() override;

  void start();  // connects, in the background
  // Waits until no request is in flight (or `timeout` passes), then closes both streams.
  void stop(std::chrono::milliseconds timeout);

  void submit(const v1::SubmitInteractionRequest& request, Submitted done) override;
  void cancel(const std::string& interaction_id, const std::string& reason, Done done) override;
  void agent(const v1::AgentRequest& request, Done done) override;

 private:
  RouterLinks() = default;
  struct Streams;
  std::unique_ptr<Streams> streams_;
};

}  // namespace router::sip
