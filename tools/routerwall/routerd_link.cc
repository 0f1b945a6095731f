// routerwall's gRPC channel to routerd; see routerd_link.h.
#include "tools/routerwall/routerd_link.h"

#include <iterator>
#include <stdexcept>
#include <utility>

#include "tools/client_channel/client_channel.h"

namespace router::wall {

std::string describe(const grpc::Status& status) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const auto code = static_cast<size_t>(status.error_code());
  const std::string name = code < std::size(kNames) ? kNames[code] : "code " + std::to_string(code);
  return status.error_message().empty() ? name : name + ": " + status.error_message();
}

RouterdLink::RouterdLink(Options options) : options_(std::move(options)) {
  if (options_.addresses.empty() || !options_.credentials) {
    throw std::invalid_argument("RouterdLink: no address or no credentials");
  }
  options_.args.SetMaxReceiveMessageSize(kMaxResponseBytes);
  options_.args.SetUserAgentPrefix("routerwall");
  choose(0, false);
}

std::vector<std::string> RouterdLink::choose(size_t first, bool keep_when_none) {
  auto choice = client_channel::choose(
      options_.addresses,
      [this](const std::string& address) {
        return client_channel::make_channel(address, options_.credentials, options_.args,
                                            options_.domain);
      },
      options_.health_deadline, first);
  if (keep_when_none && choice.skipped.size() == options_.addresses.size()) return choice.skipped;
  auto line = std::make_shared<Line>();
  line->index = choice.index;
  line->address = choice.address;
  line->stub = v1::SupervisorService::NewStub(choice.channel);
  std::lock_guard lock(mu_);
  line_ = std::move(line);
  return choice.skipped;
}

std::vector<std::string> RouterdLink::move_on() {
  if (!several()) return {};
  return choose((line()->index + 1) % options_.addresses.size(), true);
}

std::shared_ptr<const RouterdLink::Line> RouterdLink::line() const {
  std::lock_guard lock(mu_);
  return line_;
}

std::string RouterdLink::address() const { return line()->address; }

void RouterdLink::prepare(grpc::ClientContext& context, const std::string& token) const {
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + options_.deadline);
}

grpc::Status RouterdLink::queue_stats(const std::string& token,
                                      v1::GetQueueStatsResponse* out) const {
  grpc::ClientContext context;
  prepare(context, token);
  return line()->stub->GetQueueStats(&context, v1::GetQueueStatsRequest(), out);
}

grpc::Status RouterdLink::list_agents(const std::string& token, v1::ListAgentsResponse* out) const {
  grpc::ClientContext context;
  prepare(context, token);
  return line()->stub->ListAgents(&context, v1::ListAgentsRequest(), out);
}

}  // namespace router::wall
