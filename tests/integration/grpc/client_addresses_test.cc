// Clients find the serving routerd in a list of addresses (tools/client_channel): routerctl with
// two addresses passes over one that refuses connections, and one that is up but NOT_SERVING
// (its Redis down), and reaches the second. And routing domains: a call whose x-router-domain
// names another domain is refused FAILED_PRECONDITION; routerctl --domain sends it.
#include <catch2/catch.hpp>

#include "integration/grpc/availability_fixture.h"

namespace router::it {
namespace {

constexpr Millis kRunTimeout = 20s;

ProcessRun routerctl(const std::vector<std::string>& args) {
  std::vector<std::string> words = {ROUTERCTL_PATH};
  words.insert(words.end(), args.begin(), args.end());
  return run_captured(words, kRunTimeout,
                      environment_without({"ROUTER_ADDR", "ROUTER_TOKEN", "ROUTER_DOMAIN"}));
}

ProcessRun submit_through(const std::string& servers, const std::string& id,
                          const std::vector<std::string>& more = {}) {
  std::vector<std::string> args = {"--server", servers, "--token", kGatewayToken, "--timeout", "2"};
  args.insert(args.end(), more.begin(), more.end());
  for (const char* w : {"submit", "phone", "--ani", "+14155550177", "--dnis", kSupportLine}) {
    args.emplace_back(w);
  }
  args.insert(args.end(), {"--id", id});
  return routerctl(args);
}

TEST_CASE(
    "routerctl with two addresses passes over one that refuses connections and reaches "
    "the second",
    "[grpc][availability][client]") {
  ReadyRouterd r;
  const std::string refused = "127.0.0.1:" + std::to_string(free_port());
  const auto run = submit_through(refused + "," + r.address(), "addr-1");
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("passed over " + refused));
  CHECK(r.clients().get_interaction("addr-1").ok());
}

TEST_CASE(
    "routerctl with two addresses passes over a routerd that is NOT_SERVING and reaches "
    "the serving one",
    "[grpc][availability][client]") {
  ReadyRouterd down;
  ReadyRouterd up;
  down.redis().stop();
  REQUIRE(down.wait_ready(503));
  const auto run = submit_through(down.address() + "," + up.address(), "addr-2");
  INFO(run);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("NOT_SERVING"));
  CHECK(up.clients().get_interaction("addr-2").ok());
  CHECK(down.clients().get_interaction("addr-2").code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE(
    "a call naming another routing domain is refused FAILED_PRECONDITION and one naming "
    "this domain or none is served",
    "[grpc][availability][domain]") {
  ReadyRouterd east("east");
  {
    auto context = context_for(kGatewayToken);
    context->AddMetadata("x-router-domain", "west");
    v1::SubmitInteractionResponse response;
    const auto s = east.clients().stub<v1::InteractionService::Stub>().SubmitInteraction(
        context.get(), phone_call("dom-1", "+14155550178"), &response);
    INFO(describe(s));
    CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK_THAT(s.error_message(), Catch::Contains("misrouted: this routerd serves domain east"));
  }
  {
    auto context = context_for(kGatewayToken);
    context->AddMetadata("x-router-domain", "east");
    v1::SubmitInteractionResponse response;
    const auto s = east.clients().stub<v1::InteractionService::Stub>().SubmitInteraction(
        context.get(), phone_call("dom-2", "+14155550179"), &response);
    INFO(describe(s));
    CHECK(s.ok());
  }
  CHECK(east.clients().submit(phone_call("dom-3", "+14155550180")).ok());  // no header
  // routerctl --domain sends the header.
  const auto wrong = submit_through(east.address(), "dom-4", {"--domain", "west"});
  INFO(wrong);
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err, Catch::Contains("FAILED_PRECONDITION"));
  const auto right = submit_through(east.address(), "dom-5", {"--domain", "east"});
  INFO(right);
  CHECK(right.exit_code == 0);
  CHECK(east.clients().get_interaction("dom-5").ok());
  CHECK(east.clients().get_interaction("dom-4").code() == grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace router::it
