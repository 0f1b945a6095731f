// Hands a delivered message to routerd: one EMAIL SubmitInteraction per recipient (the
// recipient is the mailbox, routerd's entry point), with the gateway token, over TLS when
// configured, and turns routerd's answer into that recipient's LMTP reply. 250 only once
// routerd acknowledged (so a mail is never both accepted and lost); 451 while routerd is
// unreachable or refuses for now (the mail server retries); 550 when routerd will never take it
// (no entry point for the mailbox); 554 for a text that is not a message. Idempotent: a second
// delivery of the same message to the same mailbox is the same interaction (mail_message.h).
// Thread-safe: connection threads deliver concurrently.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tools/routermail/config.h"
#include "tools/routermail/lmtp_session.h"

namespace router::mail {

// What became of one recipient's copy: "delivered", "duplicate", "deferred", "rejected",
// "unparsable", "too_big" (counted by the metrics).
using ResultFn = std::function<void(std::string_view result)>;

class Delivery {
 public:
  // The channels to routerd (no I/O yet). Error: unreadable TLS files.
  static engine::Result<std::unique_ptr<Delivery>> create(const Config& config, ResultFn on_result);

  std::vector<std::string> deliver(const Envelope& envelope, const std::string& message);
  // grpc.health.v1 against the current address (readiness).
  bool routerd_serving();

 private:
  Delivery(const Config& config, ResultFn on_result) : config_(config), on_result_(on_result) {}
  grpc::Status submit(const v1::SubmitInteractionRequest& request,
                      v1::SubmitInteractionResponse& response);

  Config config_;
  ResultFn on_result_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;  // one per address
  std::vector<std::unique_ptr<v1::InteractionService::Stub>> stubs_;
  std::atomic<size_t> current_{0};  // the address that answered last
};

}  // namespace router::mail
