// Address lists, the domain header and the choice of a serving routerd; see client_channel.h.
#include "tools/client_channel/client_channel.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_interceptor.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <future>
#include <stdexcept>
#include <utility>

namespace router::client_channel {

namespace {

// Adds x-router-domain to every call's initial metadata.
class DomainInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit DomainInterceptor(const std::string& domain) : domain_(domain) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kDomainMetadata, domain_);
    }
    methods->Proceed();
  }

 private:
  const std::string domain_;
};

class DomainInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit DomainInterceptorFactory(std::string domain) : domain_(std::move(domain)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new DomainInterceptor(domain_);
  }

 private:
  std::string domain_;
};

}  // namespace

void add_flags(CLI::App& app, Options& options) {
  app.add_option("--domain", options.domain,
                 "routing domain the calls are meant for, sent as 'x-router-domain' metadata: "
                 "HAProxy in front of several domains routes on it, and a routerd serving another "
                 "domain refuses the call (FAILED_PRECONDITION)")
      ->type_name("DOMAIN")
      ->envname("ROUTER_DOMAIN");
}

std::vector<std::string> split_addresses(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      std::string item = value.substr(start, end - start);
      const auto first = item.find_first_not_of(" \t");
      const auto last = item.find_last_not_of(" \t");
      item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
        out.push_back(std::move(item));
      }
      start = end + 1;
    }
  }
  return out;
}

std::vector<std::string> split_addresses(const std::string& value) {
  return split_addresses(std::vector<std::string>{value});
}

std::shared_ptr<grpc::Channel> make_channel(const std::string& address,
                                            const std::shared_ptr<grpc::ChannelCredentials>& creds,
                                            const grpc::ChannelArguments& args,
                                            const std::string& domain) {
  if (domain.empty()) return grpc::CreateCustomChannel(address, creds, args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<DomainInterceptorFactory>(domain));
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, creds, args,
                                                                 std::move(factories));
}

bool moves_on(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel,
                          std::chrono::milliseconds timeout, bool& serving) {
  serving = false;
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  // HealthCheckRequest{service: ""} is the empty message.
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "unreadable health"};
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse{status = 1: varint}: SERVING is 1 (a one-byte varint).
  serving = bytes.size() >= 2 && bytes[0] == 0x08 && bytes[1] == 0x01;
  return grpc::Status::OK;
}

Choice choose(const std::vector<std::string>& addresses,
              const std::function<std::shared_ptr<grpc::Channel>(const std::string&)>& open,
              std::chrono::milliseconds timeout, size_t first) {
  if (addresses.empty() || first >= addresses.size()) {
    throw std::invalid_argument("client_channel::choose: no address at " + std::to_string(first));
  }
  Choice choice;
  if (addresses.size() == 1) {
    choice.address = addresses.front();
    choice.channel = open(choice.address);
    return choice;
  }
  std::shared_ptr<grpc::Channel> fallback;
  for (size_t k = 0; k < addresses.size(); ++k) {
    const size_t i = (first + k) % addresses.size();
    auto channel = open(addresses[i]);
    bool serving = false;
    const grpc::Status s = health_check(channel, timeout, serving);
    if (s.ok() && serving) {
      choice.index = i;
      choice.address = addresses[i];
      choice.channel = std::move(channel);
      return choice;
    }
    choice.skipped.push_back(addresses[i] + ": " +
                             (s.ok() ? std::string("NOT_SERVING")
                                     : (s.error_code() == grpc::StatusCode::UNAVAILABLE
                                            ? "UNAVAILABLE"
                                            : "code " + std::to_string(s.error_code())) +
                                           " " + s.error_message()));
    if (k == 0) fallback = std::move(channel);
  }
  choice.index = first;
  choice.address = addresses[first];
  choice.channel = std::move(fallback);
  return choice;
}

}  // namespace router::client_channel
