// HAProxy 2.6 in front of routerd (docs/availability.md, tools/haproxy/routerd.cfg): its
// httpchk on GET /ready sends gRPC only to the routerd that is ready, and moves to the other
// within two seconds when readiness swaps; and one frontend in front of two routing domains
// routes on x-router-domain. Real processes: haproxy, redis-server per routerd, routerd in
// process, routerctl for --domain. A missing haproxy fails these tests; it never skips them.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "integration/grpc/availability_fixture.h"

namespace router::it {
namespace {

std::string local(int port) { return "127.0.0.1:" + std::to_string(port); }

// Submits through `proxy` until one is answered OK or `timeout` passes; the id of the one that
// succeeded (empty when none did). Ids are `prefix`-<n>.
std::string submit_until_ok(Clients& proxy, const std::string& prefix, Millis timeout,
                            int& attempts) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    const std::string id = prefix + "-" + std::to_string(attempts++);
    if (proxy.submit(phone_call(id, "+14155550190")).ok()) return id;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return "";
}

TEST_CASE(
    "HAProxy sends gRPC only to the routerd whose /ready passes and follows a swap within "
    "two seconds",
    "[fault][availability][haproxy]") {
  ReadyRouterd a;
  ReadyRouterd b;
  // b is not ready: its Redis is away (its journal cannot make a submit durable).
  b.redis().stop();
  REQUIRE(b.wait_ready(503));
  const int front = free_port();
  HaproxyProcess haproxy(haproxy_config(
      front, "  default_backend routerd\n",
      haproxy_backend("routerd",
                      {{"a", a.port(), a.ready_port()}, {"b", b.port(), b.ready_port()}})));
  Clients proxy(local(front));

  // Until HAProxy's first checks have run, b may still be in the rotation (round robin): wait
  // for five submits in a row to pass, which b (its journal away) would refuse.
  int attempts = 0;
  const bool settled = eventually(
      [&] {
        for (int i = 0; i < 5; ++i) {
          if (submit_until_ok(proxy, "ha-warm", 0ms, attempts).empty()) return false;
        }
        return true;
      },
      10s);
  INFO(haproxy.log());
  REQUIRE(settled);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "ha-a-more-" + std::to_string(i);
    auto reply = proxy.submit(phone_call(id, "+14155550191"));
    INFO(id << " " << describe(reply.status));
    REQUIRE(reply.ok());
    CHECK(a.clients().get_interaction(id).ok());
    CHECK(b.clients().get_interaction(id).code() == grpc::StatusCode::NOT_FOUND);
  }

  // The swap: a loses its Redis, b gets its own back.
  a.redis().stop();
  REQUIRE(a.wait_ready(503));
  b.redis().restart();
  const auto swapped = std::chrono::steady_clock::now();
  attempts = 0;
  const std::string after = submit_until_ok(proxy, "ha-b", 2s, attempts);
  const double took_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - swapped).count();
  INFO("the first submit through HAProxy after the swap succeeded after "
       << took_s << " s and " << attempts << " attempts");
  REQUIRE_FALSE(after.empty());
  CHECK(b.clients().get_interaction(after).ok());
  CHECK(a.clients().get_interaction(after).code() == grpc::StatusCode::NOT_FOUND);
  WARN("HAProxy swap: first submit on the other routerd " << took_s
                                                          << " s after its Redis "
                                                             "was back");
}

TEST_CASE(
    "one HAProxy frontend on tools/haproxy/routerd.cfg routes two routing domains by "
    "x-router-domain and routerctl --domain reaches only its own",
    "[fault][availability][haproxy][domain]") {
  ReadyRouterd east("east");
  ReadyRouterd west("west");
  // The example configuration itself, its addresses moved to this test's ports; its standbys
  // (east-b, west-b) point at ports where nothing listens, so their checks fail.
  std::ifstream in(std::string(ROUTER_SOURCE_DIR) + "/tools/haproxy/routerd.cfg");
  REQUIRE(in.good());
  std::stringstream example;
  example << in.rdbuf();
  std::string config = example.str();
  const int front = free_port();
  const std::pair<std::string, int> ports[] = {{"127.0.0.1:50051 ", front},
                                               {"127.0.0.1:50061 ", east.port()},
                                               {"check port 8061", east.ready_port()},
                                               {"127.0.0.1:50062 ", free_port()},
                                               {"check port 8062", free_port()},
                                               {"127.0.0.1:50071 ", west.port()},
                                               {"check port 8071", west.ready_port()},
                                               {"127.0.0.1:50072 ", free_port()},
                                               {"check port 8072", free_port()}};
  for (const auto& [from, port] : ports) {
    const bool address = from.back() == ' ';
    config = replace_once(
        config, from,
        address ? "127.0.0.1:" + std::to_string(port) + " " : "check port " + std::to_string(port));
  }
  // An unknown domain gets no backend (503, gRPC UNAVAILABLE) rather than east's.
  config = replace_once(config, "  default_backend domain_east\n", "");
  HaproxyProcess haproxy(config);

  auto routerctl_submit = [&](const std::string& domain, const std::string& id) {
    return run_captured({ROUTERCTL_PATH, "--server", local(front), "--token", kGatewayToken,
                         "--timeout", "3", "--domain", domain, "submit", "phone", "--ani",
                         "+14155550192", "--dnis", kSupportLine, "--id", id},
                        20s, environment_without({"ROUTER_ADDR", "ROUTER_TOKEN", "ROUTER_DOMAIN"}));
  };
  // HAProxy's first checks pass within a moment of its start.
  ProcessRun last;
  const bool east_reached = eventually(
      [&] {
        last = routerctl_submit("east", "east-1");
        return last.exit_code == 0;
      },
      10s);
  INFO(last << "\n" << haproxy.log());
  REQUIRE(east_reached);
  CHECK(east.clients().get_interaction("east-1").ok());
  CHECK(west.clients().get_interaction("east-1").code() == grpc::StatusCode::NOT_FOUND);

  REQUIRE(eventually([&] { return routerctl_submit("west", "west-1").exit_code == 0; }, 10s));
  CHECK(west.clients().get_interaction("west-1").ok());
  CHECK(east.clients().get_interaction("west-1").code() == grpc::StatusCode::NOT_FOUND);

  // No backend for an unknown domain: HAProxy answers 503, which gRPC reports UNAVAILABLE.
  const auto nowhere = routerctl_submit("north", "north-1");
  INFO(nowhere);
  CHECK(nowhere.exit_code != 0);

  // Straight to west with east's header: refused by routerd itself.
  auto context = context_for(kGatewayToken);
  context->AddMetadata("x-router-domain", "east");
  v1::SubmitInteractionResponse response;
  const auto s = west.clients().stub<v1::InteractionService::Stub>().SubmitInteraction(
      context.get(), phone_call("misrouted-1", "+14155550193"), &response);
  INFO(describe(s));
  CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(west.clients().get_interaction("misrouted-1").code() == grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace router::it
