// Interval reports (issue 17; docs/operations.md, "Interval reports") over a real loopback
// socket and a real redis-server: GetReport counts what a gateway, a desktop and a caller did,
// the counters are in Redis hashes with their retention, survive a restart of routerd and add up
// after it; bad requests are refused naming the field; `routerctl report` prints a table, CSV
// and JSON; without Redis the reports are kept in memory. The exact arithmetic of every figure
// is checked in simulated time (tests/simulation/interval_report_test.cc).
#include <hiredis/hiredis.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "integration/grpc/fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

Reply<v1::GetReportResponse> get_report(Clients& c, v1::GetReportRequest request,
                                        const std::string& token = kSupervisorToken) {
  return c.call(&v1::SupervisorService::Stub::GetReport, token, request);
}

v1::GetReportRequest last_hour() {
  v1::GetReportRequest r;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  r.mutable_from()->set_seconds(now - 3600);
  return r;
}

// A row's figures summed over every interval of the answer (the test may straddle a boundary).
struct Sum {
  int64_t offered = 0, answered = 0, abandoned = 0, handled = 0, codes_resolved = 0;
  double busy_s = 0;
  int rows = 0;
};
Sum sum(const v1::GetReportResponse& r, const std::string& scope, const std::string& name) {
  Sum s;
  for (const auto& row : r.rows()) {
    if (row.scope() != scope || row.name() != name) continue;
    ++s.rows;
    s.offered += row.offered();
    s.answered += row.answered();
    s.abandoned += row.abandoned() + row.short_abandoned();
    s.handled += row.handled();
    s.busy_s += row.busy_s();
    if (auto c = row.codes().find("resolved"); c != row.codes().end())
      s.codes_resolved += c->second;
  }
  return s;
}

// One call answered and completed by ana, one abandoned while waiting.
void traffic(RouterFixture& f, AgentDesk& ana, const std::string& prefix) {
  REQUIRE(ana.set_ready().ok());
  REQUIRE(f.submit(phone_call(prefix + "-1", "+1 212 555 0101")).ok());
  auto offer = ana.wait_offer(prefix + "-1");
  REQUIRE(offer);
  REQUIRE(ana.accept(prefix + "-1").ok());
  REQUIRE(f.submit(phone_call(prefix + "-2", "+1 212 555 0102")).ok());
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id(prefix + "-2");
  REQUIRE(f.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
  REQUIRE(ana.complete(prefix + "-1", "resolved").ok());
  REQUIRE(ana.end_wrap_up(prefix + "-1").ok());
}

struct RedisLook {
  explicit RedisLook(const RedisServer& redis) : c(redisConnect("127.0.0.1", redis.port())) {
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
  }
  ~RedisLook() { redisFree(c); }
  // `command` (no '%' in it) answered as an array of strings, or an integer as its text.
  std::vector<std::string> ask(const std::string& command) {
    auto* r = static_cast<redisReply*>(redisCommand(c, command.c_str()));
    REQUIRE(r != nullptr);
    std::vector<std::string> out;
    if (r->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < r->elements; ++i) {
        out.emplace_back(r->element[i]->str, r->element[i]->len);
      }
    } else if (r->type == REDIS_REPLY_INTEGER) {
      out.push_back(std::to_string(r->integer));
    }
    freeReplyObject(r);
    return out;
  }
  redisContext* c;
};

TEST_CASE("GetReport counts queues and agents per interval, in Redis, across a restart",
          "[grpc][reports][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center("127.0.0.1:" + std::to_string(redis.port())));
  {
    AgentDesk ana(f, "ana");
    traffic(f, ana, "rp");
    const auto r = get_report(f, last_hour());
    INFO(describe(r.status));
    REQUIRE(r.ok());
    INFO(r.value.DebugString());
    CHECK(r.value.length_s() == 900);
    const Sum q = sum(r.value, "queue", "phone-support");
    CHECK(q.offered == 2);
    CHECK(q.answered == 1);
    CHECK(q.abandoned == 1);
    CHECK(q.handled == 1);
    CHECK(q.codes_resolved == 1);
    const Sum a = sum(r.value, "agent", "ana");
    CHECK(a.offered == 1);
    CHECK(a.answered == 1);
    CHECK(a.handled == 1);
    CHECK(a.busy_s > 0);
    for (const auto& row : r.value.rows()) CHECK(row.start().seconds() % 900 == 0);

    // In Redis: the index and one hash per interval, each expiring after the retention (90
    // days by default), its fields readable as "<q|a>\x1f<metric>\x1f<name>".
    RedisLook look(redis);
    const auto members = look.ask("ZRANGE router:reports 0 -1");
    REQUIRE(!members.empty());
    bool offered_field = false;
    for (const std::string& member : members) {
      CHECK_THAT(member, Contains(":900000"));
      const std::string key = "router:report:" + member;
      const auto ttl = look.ask("TTL " + key);
      REQUIRE(ttl.size() == 1);
      CHECK(std::stoll(ttl[0]) > 89LL * 86'400);
      CHECK(std::stoll(ttl[0]) <= 90LL * 86'400 + 900);
      for (const std::string& field : look.ask("HKEYS " + key)) {
        offered_field |= field == std::string(
                                      "q\x1f"
                                      "offered\x1f"
                                      "phone-support");
      }
    }
    CHECK(offered_field);
  }

  // A call still waiting at the restart: counted once when it arrived, not again when the
  // restarted routerd recovers it from the journal.
  {
    AgentDesk ana(f, "ana");  // logged in NOT_READY: the call waits
    REQUIRE(f.submit(phone_call("rp-3", "+1 212 555 0103")).ok());
  }
  // A restart: what was counted is still there, and what comes after adds to it.
  f.restart();
  {
    const auto kept = get_report(f, last_hour());
    REQUIRE(kept.ok());
    INFO(kept.value.DebugString());
    CHECK(sum(kept.value, "queue", "phone-support").offered == 3);
    CHECK(sum(kept.value, "agent", "ana").handled == 1);
    v1::CancelInteractionRequest cancel;
    cancel.set_interaction_id("rp-3");
    REQUIRE(f.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel).ok());
    AgentDesk ana(f, "ana");
    traffic(f, ana, "rq");
    const auto more = get_report(f, last_hour());
    REQUIRE(more.ok());
    INFO(more.value.DebugString());
    const Sum q = sum(more.value, "queue", "phone-support");
    CHECK(q.offered == 5);
    CHECK(q.answered == 2);
    CHECK(q.abandoned == 3);
    CHECK(q.handled == 2);
    CHECK(q.codes_resolved == 2);
    CHECK(sum(more.value, "agent", "ana").handled == 2);
  }

  // One queue's or one agent's rows only.
  v1::GetReportRequest only_queue = last_hour();
  only_queue.set_queue("phone-support");
  const auto q = get_report(f, only_queue);
  REQUIRE(q.ok());
  REQUIRE(q.value.rows_size() >= 1);
  for (const auto& row : q.value.rows()) {
    CHECK(row.scope() == "queue");
    CHECK(row.name() == "phone-support");
  }
  v1::GetReportRequest only_agent = last_hour();
  only_agent.set_agent("ana");
  const auto a = get_report(f, only_agent);
  REQUIRE(a.ok());
  REQUIRE(a.value.rows_size() >= 1);
  for (const auto& row : a.value.rows()) CHECK(row.name() == "ana");
}

TEST_CASE("a clean restart stores the counts gathered since the last store first",
          "[grpc][reports][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center("127.0.0.1:" + std::to_string(redis.port())));
  {
    AgentDesk ana(f, "ana");
    traffic(f, ana, "rs");  // well within the 5 s between two stores
  }
  f.restart();  // no GetReport before: what was gathered goes to Redis at the shutdown
  const auto r = get_report(f, last_hour());
  REQUIRE(r.ok());
  INFO(r.value.DebugString());
  const Sum q = sum(r.value, "queue", "phone-support");
  CHECK(q.offered == 2);
  CHECK(q.answered == 1);
  CHECK(q.handled == 1);
  CHECK(sum(r.value, "agent", "ana").handled == 1);
}

TEST_CASE(
    "GetReport refuses a bad request naming the field, and a token that is not a "
    "supervisor's",
    "[grpc][reports]") {
  RouterFixture f;  // no Redis: the reports are in memory
  const auto refused = [&](v1::GetReportRequest r, grpc::StatusCode code, const char* field,
                           const std::string& token = kSupervisorToken) {
    const auto reply = get_report(f, std::move(r), token);
    INFO(describe(reply.status));
    CHECK(reply.code() == code);
    CHECK_THAT(reply.message(), Contains(field));
  };
  refused(v1::GetReportRequest(), grpc::StatusCode::INVALID_ARGUMENT, "from");
  v1::GetReportRequest r = last_hour();
  r.set_queue("no-such-queue");
  refused(r, grpc::StatusCode::NOT_FOUND, "queue");
  r = last_hour();
  r.set_agent("nobody");
  refused(r, grpc::StatusCode::NOT_FOUND, "agent");
  r = last_hour();
  r.set_queue("phone-support");
  r.set_agent("ana");
  refused(r, grpc::StatusCode::INVALID_ARGUMENT, "agent");
  r = v1::GetReportRequest();
  r.mutable_from()->set_seconds(0);  // 1970: far more than 10,000 intervals
  refused(r, grpc::StatusCode::INVALID_ARGUMENT, "to");
  r = last_hour();
  *r.mutable_to() = r.from();
  refused(r, grpc::StatusCode::INVALID_ARGUMENT, "to");
  const auto gateway = get_report(f, last_hour(), kGatewayToken);
  CHECK(gateway.code() == grpc::StatusCode::PERMISSION_DENIED);

  // In memory, the same counts.
  AgentDesk ana(f, "ana");
  traffic(f, ana, "rm");
  const auto ok = get_report(f, last_hour());
  REQUIRE(ok.ok());
  CHECK(sum(ok.value, "queue", "phone-support").offered == 2);
  CHECK(sum(ok.value, "agent", "ana").answered == 1);
}

TEST_CASE("routerctl report prints a table, CSV and JSON", "[grpc][reports][routerctl]") {
  RouterFixture f;
  AgentDesk ana(f, "ana");
  traffic(f, ana, "rc");
  const std::string server = "127.0.0.1:" + std::to_string(f.server().port());
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> all{ROUTERCTL_PATH, "--server", server, "--token", kSupervisorToken};
    all.insert(all.end(), more.begin(), more.end());
    return all;
  };
  const ProcessRun table = run_captured(args({"report", "--from", "-1h"}), 10s);
  INFO(table.out << table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Contains("QUEUE") && Contains("phone-support") && Contains("AGENT") &&
                            Contains("ana") && Contains("OCCUPANCY") && Contains("resolved=1"));
  const ProcessRun csv = run_captured(args({"report", "--queue", "phone-support", "--csv"}), 10s);
  INFO(csv.out << csv.err);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("start,length_s,scope,name,offered,answered,", 0) == 0);
  CHECK_THAT(csv.out, Contains(",900,queue,phone-support,2,1,") && Contains("resolved=1"));
  CHECK_THAT(csv.out, !Contains(",agent,"));
  const ProcessRun json = run_captured(args({"--json", "report", "--agent", "ana"}), 10s);
  REQUIRE(json.exit_code == 0);
  CHECK_THAT(json.out, Contains("\"rows\"") && Contains("\"name\": \"ana\"") &&
                           Contains("\"length_s\": 900"));
  const ProcessRun both = run_captured(args({"--json", "report", "--csv"}), 10s);
  CHECK(both.exit_code != 0);
  CHECK_THAT(both.err + both.out, Contains("--csv"));
  const ProcessRun exclusive =
      run_captured(args({"report", "--queue", "phone-support", "--agent", "ana"}), 10s);
  CHECK(exclusive.exit_code != 0);
  const ProcessRun empty = run_captured(args({"report", "--from", "2099-01-01"}), 10s);
  CHECK(empty.exit_code != 0);  // "to: must be after from" (to defaults to now)
  CHECK_THAT(empty.err + empty.out, Contains("to"));
}

}  // namespace
}  // namespace router::it
