// Sessions across a restart (issue 16, docs/availability.md "Sessions across a takeover or a
// restart"): the real routerd binary killed with SIGKILL while agents hold accepted work, and
// started again on the same Redis, as a standby taking over does. The agent whose desktop
// reconnects within the grace period keeps its call and completes it; the one whose desktop does
// not is logged out when the grace passes and its email goes to another agent; a reply to an
// email finished before the kill is still threaded to its customer and agent.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

constexpr Millis kGrace = 4s;  // daemon.agent_grace_s of this test's center

std::string redis_address(const RedisServer& redis) {
  return "127.0.0.1:" + std::to_string(redis.port());
}

struct Node {
  explicit Node(const std::string& redis)
      : address("127.0.0.1:" + std::to_string(free_port())),
        files(redis_center(redis, /*no_journal=*/false, address)) {
    files.write_config(replace_once(files.read_config(), "agent_grace_s: 0.5",
                                    "agent_grace_s: " + std::to_string(kGrace.count() / 1000)));
  }
  std::unique_ptr<RouterdProcess> start() {
    auto process = std::make_unique<RouterdProcess>(
        files, address, std::vector<std::string>{"--log-level", "info", "--redis-wait", "30"});
    const bool serving = wait_serving(clients, *process, 30s);
    INFO("routerd log:\n" << process->log());
    REQUIRE(serving);
    return process;
  }
  std::string address;
  CenterFiles files;
  Clients clients{address};
};

template <class Request>
Reply<v1::AgentStatus> agent_call(Clients& c,
                                  grpc::Status (v1::AgentService::Stub::*rpc)(grpc::ClientContext*,
                                                                              const Request&,
                                                                              v1::AgentStatus*),
                                  const std::string& agent, const Request& request) {
  auto reply = c.call(rpc, agent_token(agent), request);
  INFO(agent << ": " << describe(reply.status));
  return reply;
}

v1::OfferRequest offer_request(const std::string& agent, const std::string& id) {
  v1::OfferRequest r;
  r.set_agent(agent);
  r.set_interaction_id(id);
  return r;
}

TEST_CASE(
    "routerd killed with SIGKILL while agents hold work: the agent who reconnects in its grace "
    "keeps its call, the one who does not loses its email to another agent, and email threads "
    "survive",
    "[fault][sessions]") {
  RedisServer redis;
  Node node(redis_address(redis));
  {
    const std::string file = (node.files.dir() / "customers.jsonl").string();
    REQUIRE(run_inherited({ROUTERCTL_PATH, "customers", "import", file, "--redis",
                           redis_address(redis)}) == 0);
  }
  auto routerd = node.start();
  Clients& c = node.clients;

  // Before the kill. ben handles Ada's first email to the end, then accepts Bob's email.
  {
    AgentDesk ben(c, "ben");
    REQUIRE(c.submit(email("mail-0", "ada@example.com", "<m-0@mail.example.com>")).ok());
    REQUIRE(ben.set_ready().ok());
    REQUIRE(ben.wait_offer("mail-0").has_value());
    REQUIRE(ben.accept("mail-0").ok());
    REQUIRE(ben.complete("mail-0").ok());
    REQUIRE(ben.end_wrap_up("mail-0").ok());
    REQUIRE(c.submit(email("mail-1", "bob@example.com", "<m-1@mail.example.com>")).ok());
    REQUIRE(ben.wait_offer("mail-1").has_value());
    REQUIRE(ben.accept("mail-1").ok());

    // ana accepts a call, then goes NOT_READY underneath it (after the call she takes a break).
    AgentDesk ana(c, "ana");
    REQUIRE(ana.set_ready().ok());
    REQUIRE(c.submit(phone_call("call-1", "+1 415 555 0100")).ok());
    REQUIRE(ana.wait_offer("call-1").has_value());
    REQUIRE(ana.accept("call-1").ok());
    REQUIRE(ana.set_not_ready("after-call").ok());

    // The session writes are fire and forget: wait until Redis has them.
    REQUIRE(eventually(
        [&] {
          auto a = c.agent_status("ana");
          return a && a->reason() == "after-call" && a->state() == v1::BUSY;
        },
        3s));
    std::this_thread::sleep_for(300ms);
    routerd->signal(SIGKILL);
    REQUIRE(routerd->wait_exit(10s) == 128 + SIGKILL);
    // The desks' streams end with the process; the AgentDesk objects close them here.
  }

  routerd = node.start();
  const auto restarted = std::chrono::steady_clock::now();

  // Both agents are back in their sessions, holding their work, their grace running.
  auto ana_status = c.agent_status("ana");
  REQUIRE(ana_status.has_value());
  CHECK(ana_status->state() == v1::BUSY);
  CHECK(ana_status->reason() == "after-call");
  CHECK(std::count(ana_status->work().begin(), ana_status->work().end(), "call-1") == 1);
  auto ben_status = c.agent_status("ben");
  REQUIRE(ben_status.has_value());
  CHECK(ben_status->state() == v1::BUSY);
  CHECK(std::count(ben_status->work().begin(), ben_status->work().end(), "mail-1") == 1);

  // ana's desktop reconnects: its stream shows the call it holds, and ana completes it.
  v1::StreamWorkRequest stream_request;
  stream_request.set_agent("ana");
  auto ana_work = c.open(&v1::AgentService::Stub::StreamWork, agent_token("ana"), stream_request);
  auto held = ana_work->wait_for([](const v1::WorkEvent& e) {
    return e.has_update() && e.update().interaction_id() == "call-1" &&
           e.update().state() == v1::ASSIGNED && e.update().agent() == "ana";
  });
  CHECK(held.has_value());
  v1::CompleteRequest complete;
  complete.set_agent("ana");
  complete.set_interaction_id("call-1");
  complete.set_wrap_up_code("resolved");
  CHECK(agent_call(c, &v1::AgentService::Stub::CompleteInteraction, "ana", complete).ok());
  CHECK(agent_call(c, &v1::AgentService::Stub::EndWrapUp, "ana", offer_request("ana", "call-1"))
            .ok());
  ana_status = c.agent_status("ana");
  REQUIRE(ana_status.has_value());
  CHECK(ana_status->state() == v1::NOT_READY);
  CHECK(ana_status->reason() == "after-call");

  // ben's desktop never comes back. cara is ready, but mail-1 is ben's until his grace passes.
  AgentDesk cara(c, "cara");
  REQUIRE(cara.set_ready().ok());
  auto offer = cara.wait_offer("mail-1", kGrace + 3s);
  REQUIRE(offer.has_value());
  CHECK(std::chrono::steady_clock::now() - restarted >= kGrace - 1s);
  ben_status = c.agent_status("ben");
  REQUIRE(ben_status.has_value());
  CHECK(ben_status->state() == v1::LOGGED_OUT);
  CHECK(cara.accept("mail-1").ok());

  // A reply to the email finished before the kill: Ada's, preferring ben who handled it.
  auto reply_mail = c.submit(email("mail-2", "ada.private@elsewhere.example",
                                   "<m-2@mail.example.com>", "<m-0@mail.example.com>"));
  INFO(describe(reply_mail.status));
  REQUIRE(reply_mail.ok());
  CHECK(reply_mail.value.interaction().customer().customer_id() == "C1");
  CHECK(reply_mail.value.interaction().customer().matched_by() == "email_thread");
  CHECK(reply_mail.value.interaction().customer().preferred_agent() == "ben");
  // A reply to the email recovered with ben and now cara's: Bob's, preferring cara.
  auto reply_live = c.submit(email("mail-3", "bob.private@elsewhere.example",
                                   "<m-3@mail.example.com>", "<m-1@mail.example.com>"));
  REQUIRE(reply_live.ok());
  CHECK(reply_live.value.interaction().customer().customer_id() == "C2");
  CHECK(reply_live.value.interaction().customer().preferred_agent() == "cara");
  INFO("routerd log:\n" << routerd->log());
}

}  // namespace
}  // namespace router::it
