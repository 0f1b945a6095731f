// routerd with a redis section, against a real redis-server on a free loopback port: customers
// found in Redis, every accepted interaction journaled, the queues recovered by the next Server,
// and what happens while Redis is away (Submit UNAVAILABLE, health NOT_SERVING, work in hand
// goes on, the journal catches up when Redis is back).
#include <hiredis/hiredis.h>

#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <memory>

#include "integration/grpc/agent_session_client.h"
#include "integration/grpc/fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

std::string redis_address(const RedisServer& redis) {
  return "127.0.0.1:" + std::to_string(redis.port());
}

// `routerctl customers import` of the center's customers into `redis`; its exit code.
int import_customers(const RouterFixture& f, const RedisServer& redis) {
  const std::string file = (f.files().dir() / "customers.jsonl").string();
  return run_inherited(
      {ROUTERCTL_PATH, "customers", "import", file, "--redis", redis_address(redis)});
}

// A synchronous connection for looking at what routerd wrote.
struct RedisLook {
  explicit RedisLook(const RedisServer& redis) : c(redisConnect("127.0.0.1", redis.port())) {
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
  }
  ~RedisLook() { redisFree(c); }
  std::string str(const std::string& cmd) {
    auto* r = static_cast<redisReply*>(redisCommand(c, cmd.c_str()));
    REQUIRE(r != nullptr);
    std::string out = r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    return out;
  }
  // Script calls Redis has run so far (journal writes and customer lookups).
  long long evalsha_calls() {
    const std::string info = str("INFO commandstats");
    const auto at = info.find("cmdstat_evalsha:calls=");
    if (at == std::string::npos) return 0;
    return std::stoll(info.substr(at + std::string("cmdstat_evalsha:calls=").size()));
  }
  redisContext* c;
};

std::string number(int i) {  // distinct callers, none of them a known customer
  return "+1 212 555 " + std::to_string(1000 + i);
}

TEST_CASE(
    "A restarted routerd recovers every waiting interaction from the journal, in its queue, in "
    "order, with its arrival time, and a repeated submit replays it",
    "[grpc][redis][journal]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  std::vector<v1::SubmitInteractionRequest> submitted;
  for (int i = 0; i < 24; ++i) {
    const std::string id = "rec-" + std::to_string(i);
    switch (i % 4) {
      case 0: submitted.push_back(phone_call(id, number(i))); break;
      case 1: submitted.push_back(phone_call(id, number(i), kSalesLine)); break;
      case 2: submitted.push_back(email(id, "x" + std::to_string(i) + "@example.org")); break;
      default: submitted.push_back(web_chat(id, "visitor-" + std::to_string(i))); break;
    }
    if (i % 5 == 0) submitted.back().set_priority(40);
    auto r = f.submit(submitted.back());
    INFO(describe(r.status));
    REQUIRE(r.ok());
    REQUIRE_FALSE(r.value.replayed());
  }
  const auto before = waiting_by_queue(f);
  size_t count = 0;
  for (const auto& [queue, list] : before) count += list.size();
  REQUIRE(count == submitted.size());

  f.restart();

  CHECK(waiting_by_queue(f) == before);
  for (const auto& request : submitted) {
    auto r = f.submit(request);
    INFO(describe(r.status));
    REQUIRE(r.ok());
    CHECK(r.value.replayed());
    CHECK(r.value.interaction().interaction_id() == request.interaction_id());
    CHECK(r.value.interaction().state() == v1::QUEUED);
  }
  CHECK(waiting_by_queue(f) == before);  // no duplicates from the repeats
}

TEST_CASE(
    "After a restart an interaction that was offered waits again, and an agent who rejected it "
    "is still never offered it",
    "[grpc][redis][journal]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  {
    AgentDesk ana(f, "ana");
    REQUIRE(ana.set_ready().ok());
    REQUIRE(f.submit(phone_call("offered-1", number(1))).ok());
    REQUIRE(ana.wait_offer("offered-1").has_value());
    REQUIRE(ana.reject("offered-1").ok());
  }
  f.restart();

  auto got = f.get_interaction("offered-1");
  INFO(describe(got.status));
  REQUIRE(got.ok());
  CHECK(got.value.state() == v1::QUEUED);
  CHECK(got.value.agent().empty());

  AgentDesk ana(f, "ana");
  REQUIRE(ana.set_ready().ok());
  v1::ExplainRoutingRequest request;
  request.set_interaction_id("offered-1");
  auto explained = f.call(&v1::SupervisorService::Stub::ExplainRouting, kSupervisorToken, request);
  REQUIRE(explained.ok());
  bool excluded = false;
  for (const auto& i : explained.value.ineligible()) {
    if (i.agent() == "ana") excluded = i.reason() == "already_rejected";
  }
  CHECK(excluded);
  for (const auto& e : explained.value.eligible()) CHECK(e.agent() != "ana");
}

TEST_CASE(
    "A completed interaction leaves the journal's live set: after a restart it is not queued "
    "again and a repeated submit replays its final state",
    "[grpc][redis][journal]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  {
    AgentDesk ana(f, "ana");
    REQUIRE(ana.set_ready().ok());
    REQUIRE(f.submit(phone_call("done-1", number(2))).ok());
    REQUIRE(ana.wait_offer("done-1").has_value());
    REQUIRE(ana.accept("done-1").ok());
    REQUIRE(ana.complete("done-1").ok());
    REQUIRE(ana.end_wrap_up("done-1").ok());
  }
  f.restart();
  CHECK(waiting_in(f, "phone-support").empty());
  auto r = f.submit(phone_call("done-1", number(2)));
  INFO(describe(r.status));
  REQUIRE(r.ok());
  CHECK(r.value.replayed());
  CHECK(r.value.interaction().state() == v1::COMPLETED);
  CHECK(r.value.interaction().agent() == "ana");
}

TEST_CASE(
    "While Redis is away routerd refuses new work with UNAVAILABLE and reports NOT_SERVING, work "
    "in hand goes on, and once Redis is back it serves again and the journal catches up",
    "[grpc][redis][journal]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  AgentDesk ana(f, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(f.submit(phone_call("held-1", number(3))).ok());
  REQUIRE(ana.wait_offer("held-1").has_value());
  REQUIRE(ana.accept("held-1").ok());
  REQUIRE(f.submit(phone_call("queued-1", number(4))).ok());  // ana is busy: it waits

  redis.stop();
  CHECK(eventually([&] {
    auto h = f.health_check();
    return h.ok() && h.value == kNotServing;
  }));
  auto refused = f.submit(phone_call("refused-1", number(5)));
  CHECK(refused.code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THAT(refused.message(), Catch::Contains("journal"));
  // The agent finishes the call she has: routing state changes go on without Redis, answered
  // OK from memory (written once Redis is back).
  CHECK(ana.complete("held-1").ok());
  CHECK(ana.end_wrap_up("held-1").ok());

  redis.restart();
  CHECK(eventually([&] {
    auto h = f.health_check();
    return h.ok() && h.value == kServing;
  }));
  auto accepted = f.submit(phone_call("refused-1", number(5)));
  INFO(describe(accepted.status));
  CHECK(accepted.ok());
  CHECK_FALSE(accepted.value.replayed());  // the first attempt was never accepted

  // What changed while Redis was away reached the journal once it was back: held-1 is finished
  // (not recovered), queued-1 and refused-1 are (queued-1 may have gone to ana meanwhile).
  ana.set_not_ready("break");
  f.restart();
  CHECK(f.get_interaction("held-1").code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.get_interaction("refused-1").ok());
  CHECK(f.get_interaction("queued-1").ok());
}

TEST_CASE(
    "Customers come from Redis: found by phone, email and web account through routerd, and with "
    "Redis paused a lookup is degraded to anonymous instead of stalling the submit",
    "[grpc][redis][customers]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis), /*no_journal=*/true));
  REQUIRE(import_customers(f, redis) == 0);

  auto ada = f.submit(phone_call("cust-1", "+1 415 555 0100"));
  REQUIRE(ada.ok());
  CHECK(ada.value.interaction().customer().customer_id() == "C1");
  CHECK(ada.value.interaction().customer().matched_by() == "phone");
  CHECK(ada.value.interaction().customer().segment() == v1::STRATEGIC);
  auto bob = f.submit(email("cust-2", "Bob@Example.com"));
  REQUIRE(bob.ok());
  CHECK(bob.value.interaction().customer().customer_id() == "C2");
  auto web = f.submit(web_chat("cust-3", "v-unknown", "acct-1"));
  REQUIRE(web.ok());
  CHECK(web.value.interaction().customer().customer_id() == "C1");
  CHECK(web.value.interaction().customer().matched_by() == "web_account");

  redis.pause();
  const auto start = std::chrono::steady_clock::now();
  auto degraded = f.submit(phone_call("cust-4", "+1 415 555 0101"));  // Bob, not in the cache
  const auto took = std::chrono::steady_clock::now() - start;
  redis.resume();
  INFO(describe(degraded.status));
  REQUIRE(degraded.ok());
  CHECK(degraded.value.interaction().customer().customer_id().empty());
  CHECK(degraded.value.interaction().customer().lookup_degraded());
  CHECK(took < kRedisLookupTimeout + 2s);  // bounded by the lookup timeout, not by Redis

  auto again = f.submit(phone_call("cust-5", "+1 415 555 0101"));
  REQUIRE(again.ok());
  CHECK(again.value.interaction().customer().customer_id() == "C2");
  CHECK_FALSE(again.value.interaction().customer().lookup_degraded());
}

TEST_CASE(
    "An offer does not rewrite the journal entry (recovery reads it as waiting), an acceptance "
    "a wrap-up and the finish do, each in Redis before its answer",
    "[grpc][redis][journal]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  RedisLook look(redis);
  const std::string key = "router:ix:it-gateway/jw-1";  // scoped by the submitting gateway
  AgentDesk ana(f, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(f.submit(phone_call("jw-1", number(7))).ok());  // anonymous: no write-back later
  REQUIRE(ana.wait_offer("jw-1").has_value());
  // Writes go in order on one connection: once the acceptance is in Redis, an update for the
  // offer would have been too.
  const long long after_submit = look.evalsha_calls();
  // Answered after the journal barrier: with Redis paused the answer waits for it, and once it
  // comes the acceptance is in Redis already (read at once on another connection).
  redis.pause();
  auto accepting = std::async(std::launch::async, [&] { return ana.accept("jw-1"); });
  CHECK(accepting.wait_for(300ms) == std::future_status::timeout);
  redis.resume();
  REQUIRE(accepting.get().ok());
  CHECK(look.str("HGET " + key + " state") == "ASSIGNED");
  CHECK(look.str("HGET " + key + " agent") == "ana");
  CHECK(look.evalsha_calls() - after_submit <= 2);  // the acceptance (and at most the offer)
  const long long after_accept = look.evalsha_calls();
  REQUIRE(ana.complete("jw-1").ok());
  CHECK(look.str("HGET " + key + " state") == "WRAP_UP");
  REQUIRE(ana.end_wrap_up("jw-1").ok());
  CHECK(look.str("HGET " + key + " state") == "COMPLETED");
  CHECK(look.str("HGET " + key + " live") == "0");
  // The wrap-up (an agent recovered in wrap-up can end it) and the finish; no session write:
  // ana's readiness did not change.
  CHECK(look.evalsha_calls() - after_accept == 2);
}

TEST_CASE("On an agent session too an accept and a complete are in Redis before their answers",
          "[grpc][redis][journal][agent_session]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  RedisLook look(redis);
  const std::string key = "router:ix:it-gateway/sj-1";
  AgentStreamClient s(f, agent_token("ana"));
  auto login = s.call("login", login_request("", /*ready=*/true));
  REQUIRE(login);
  REQUIRE(code_of(*login) == 0);
  REQUIRE(f.submit(phone_call("sj-1", number(8))).ok());
  REQUIRE(s.wait_for([](const v1::AgentSessionResponse& r) { return is_offer(r, "sj-1"); }));
  auto accepted = s.call("accept", offer_request(OfferOp::kAccept, "sj-1"));
  REQUIRE(accepted);
  REQUIRE(code_of(*accepted) == 0);
  CHECK(look.str("HGET " + key + " state") == "ASSIGNED");
  // A complete and the half-close right behind it: the stream still answers it (after the
  // journal) before it ends OK.
  v1::AgentRequest complete = complete_request("sj-1");
  complete.set_correlation_id("complete");
  REQUIRE(s.send(complete));
  s.close_writes();
  auto completed = s.answer("complete");
  REQUIRE(completed);
  CHECK(code_of(*completed) == 0);
  CHECK(look.str("HGET " + key + " state") == "WRAP_UP");
  auto end = s.wait_end();
  REQUIRE(end.has_value());
  CHECK(end->ok());
}

}  // namespace
}  // namespace router::it

namespace router::it {
namespace {

TEST_CASE(
    "routerd with a journal it cannot reach waits --redis-wait, then exits 1 naming the address",
    "[grpc][redis][journal]") {
  const std::string redis = "127.0.0.1:" + std::to_string(free_port());  // nothing listens
  CenterFiles files;
  RouterdProcess routerd(files, "127.0.0.1:" + std::to_string(free_port()),
                         {"--redis", redis, "--redis-wait", "0.5"});
  const auto status = routerd.wait_exit(20s);
  INFO("routerd log:\n" << routerd.log());
  REQUIRE(status.has_value());
  CHECK(*status == 1);
  CHECK_THAT(routerd.log(), Catch::Contains("cannot load the interaction journal from " + redis));
}

}  // namespace
}  // namespace router::it
