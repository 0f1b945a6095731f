// The audit trail (issue 17; docs/operations.md, "Audit trail") over a real loopback socket and a
// real redis-server: every supervisor and admin action — skills, forced state, priority, move,
// reload by RPC and by SIGHUP — and every call refused for its token is recorded with who, what,
// when, before and after, in the <p>audit stream (retention by age), read back by ListAudit with
// its filters and by `routerctl audit`; without Redis, in memory.
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

std::string redis_address(const RedisServer& redis) {
  return "127.0.0.1:" + std::to_string(redis.port());
}

// A synchronous connection for looking at (and planting in) the stream routerd writes.
struct RedisLook {
  explicit RedisLook(const RedisServer& redis) : c(redisConnect("127.0.0.1", redis.port())) {
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
  }
  ~RedisLook() { redisFree(c); }
  long long integer(const char* format, const char* arg) {
    auto* r = static_cast<redisReply*>(redisCommand(c, format, arg));
    REQUIRE(r != nullptr);
    const long long out = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return out;
  }
  // The fields of the newest entry of `key` as "field=value" lines.
  std::string newest(const std::string& key) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "XREVRANGE %s + - COUNT 1", key.c_str()));
    REQUIRE(r != nullptr);
    std::string out;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
      const redisReply* fields = r->element[0]->element[1];
      for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        out += std::string(fields->element[i]->str, fields->element[i]->len) + "=" +
               std::string(fields->element[i + 1]->str, fields->element[i + 1]->len) + "\n";
      }
    }
    freeReplyObject(r);
    return out;
  }
  void command(const std::string& text) {
    auto* r = static_cast<redisReply*>(redisCommand(c, text.c_str()));
    REQUIRE(r != nullptr);
    INFO(text);
    REQUIRE(r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
  }
  redisContext* c;
};

Reply<v1::ListAuditResponse> list_audit(Clients& c, v1::ListAuditRequest request = {}) {
  return c.call(&v1::SupervisorService::Stub::ListAudit, kSupervisorToken, request);
}

// The newest entry of `action` once there is one (the trail is written after the answer).
std::optional<v1::AuditEntry> newest(Clients& c, const std::string& action, size_t at_least = 1) {
  std::optional<v1::AuditEntry> found;
  eventually([&] {
    v1::ListAuditRequest request;
    request.set_action(action);
    auto r = list_audit(c, request);
    if (!r.ok() || static_cast<size_t>(r.value.entries_size()) < at_least) return false;
    found = r.value.entries(0);
    return true;
  });
  return found;
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void check_recent(const v1::AuditEntry& e) {
  CHECK(e.at().seconds() >= now_s() - 30);
  CHECK(e.at().seconds() <= now_s() + 1);
  CHECK_THAT(e.peer(), Contains("127.0.0.1"));
}

TEST_CASE("Every supervisor action is audited with who, when, before and after",
          "[grpc][audit][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  AgentDesk ana(f, "ana");

  SECTION("skills") {
    v1::UpdateAgentSkillsRequest request;
    request.set_agent("ana");
    auto* s = request.add_skills();
    s->set_skill("support");
    s->set_level(9);
    REQUIRE(
        f.call(&v1::SupervisorService::Stub::UpdateAgentSkills, kSupervisorToken, request).ok());
    auto e = newest(f, "skills");
    REQUIRE(e);
    CHECK(e->actor() == "it-supervisor");
    CHECK(e->role() == "supervisor");
    CHECK(e->target() == "ana");
    CHECK(e->result() == "OK");
    CHECK_THAT(e->before(), Contains("\"support\":7") && Contains("\"sales\":6"));
    CHECK_THAT(e->after(), Contains(R"("skills":{"support":9})") && Contains("\"state\":"));
    check_recent(*e);
    // In the Redis stream itself, readable field by field.
    RedisLook look(redis);
    const std::string fields = look.newest("router:audit");
    CHECK_THAT(fields, Contains("action=skills\n") && Contains("actor=it-supervisor\n") &&
                           Contains("target=ana\n") && Contains("result=OK\n"));
  }

  SECTION("forced state, with the reason; a refused one is recorded with its error") {
    v1::SetStateRequest request;
    request.set_agent("ana");
    request.set_state(v1::READY);
    REQUIRE(ana.set_not_ready("lunch").ok());
    REQUIRE(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request).ok());
    auto e = newest(f, "force_state");
    REQUIRE(e);
    CHECK(e->target() == "ana");
    CHECK(e->result() == "OK");
    CHECK_THAT(e->before(),
               Contains("\"state\":\"NOT_READY\"") && Contains("\"reason\":\"lunch\""));
    CHECK_THAT(e->after(), Contains("\"state\":\"READY\""));
    CHECK(e->detail() == "READY");

    request.set_agent("nobody");
    CHECK(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request)
              .status.error_code() == grpc::StatusCode::NOT_FOUND);
    auto refused = newest(f, "force_state", 2);
    REQUIRE(refused);
    CHECK(refused->target() == "nobody");
    CHECK(refused->result() == "NOT_FOUND");
    CHECK(refused->before().empty());
    CHECK(refused->after().empty());
    CHECK_THAT(refused->detail(), Contains("nobody"));
  }

  SECTION("priority and move of a waiting interaction") {
    REQUIRE(f.submit(phone_call("au-1", "+1 212 555 0199")).ok());
    v1::SetInteractionPriorityRequest priority;
    priority.set_interaction_id("it-gateway/au-1");
    priority.set_priority(80);
    auto p =
        f.call(&v1::SupervisorService::Stub::SetInteractionPriority, kSupervisorToken, priority);
    INFO(describe(p.status));
    REQUIRE(p.ok());
    auto e = newest(f, "priority");
    REQUIRE(e);
    CHECK(e->target() == "it-gateway/au-1");
    CHECK_THAT(e->before(), Contains("\"priority\":0") && Contains("\"queue\":\"phone-support\""));
    CHECK_THAT(e->after(), Contains("\"priority\":80"));

    v1::MoveInteractionRequest move;
    move.set_interaction_id("it-gateway/au-1");
    move.set_queue("phone-sales");
    REQUIRE(f.call(&v1::SupervisorService::Stub::MoveInteraction, kSupervisorToken, move).ok());
    auto m = newest(f, "move");
    REQUIRE(m);
    CHECK(m->actor() == "it-supervisor");
    CHECK_THAT(m->before(), Contains("\"queue\":\"phone-support\""));
    CHECK_THAT(m->after(), Contains("\"queue\":\"phone-sales\""));
  }

  SECTION("reload by RPC and by SIGHUP (Daemon::reload)") {
    REQUIRE(
        f.call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest())
            .ok());
    auto e = newest(f, "reload");
    REQUIRE(e);
    CHECK(e->actor() == "it-supervisor");
    CHECK(e->target() == f.config_path());
    CHECK(e->result() == "OK");
    CHECK_THAT(e->after(), Contains("\"changes\":"));

    REQUIRE(f.server().reload().ok());
    auto by_signal = newest(f, "reload", 2);
    REQUIRE(by_signal);
    CHECK(by_signal->actor() == "SIGHUP");
    CHECK(by_signal->peer().empty());
  }

  SECTION("the trail survives a restart of routerd") {
    AgentDesk ben(f, "ben");
    v1::SetStateRequest request;
    request.set_agent("ben");
    request.set_state(v1::LOGGED_OUT);
    REQUIRE(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request).ok());
    REQUIRE(newest(f, "force_state"));
    f.restart();
    auto e = newest(f, "force_state");
    REQUIRE(e);
    CHECK(e->target() == "ben");
  }
}

TEST_CASE("Refused tokens are audited, and a flood of them is bounded", "[grpc][audit][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));

  SECTION("an unknown token and a token of the wrong role") {
    CHECK(f.call(&v1::SupervisorService::Stub::GetQueueStats, "no-such-token",
                 v1::GetQueueStatsRequest())
              .status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    auto e = newest(f, "token_refused");
    REQUIRE(e);
    CHECK(e->actor() == "-");
    CHECK(e->role().empty());
    CHECK(e->target() == "GetQueueStatsRequest");
    CHECK(e->result() == "UNAUTHENTICATED");
    CHECK(e->detail() == "unknown token");
    check_recent(*e);
    // The token itself is never kept.
    RedisLook look(redis);
    CHECK_THAT(look.newest("router:audit"), !Contains("no-such-token"));

    CHECK(f.call(&v1::SupervisorService::Stub::ListAgents, kGatewayToken, v1::ListAgentsRequest())
              .status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    auto wrong = newest(f, "token_refused", 2);
    REQUIRE(wrong);
    CHECK(wrong->actor() == "it-gateway");
    CHECK(wrong->role() == "gateway");
    CHECK(wrong->target() == "ListAgentsRequest");
    CHECK(wrong->result() == "PERMISSION_DENIED");
  }

  SECTION("at most 10 a second are recorded; the next one says how many were not") {
    for (int i = 0; i < 60; ++i) {
      (void)f.call(&v1::SupervisorService::Stub::GetQueueStats, "flood-token",
                   v1::GetQueueStatsRequest());
    }
    std::this_thread::sleep_for(1100ms);
    (void)f.call(&v1::SupervisorService::Stub::GetQueueStats, "flood-token",
                 v1::GetQueueStatsRequest());
    v1::ListAuditRequest request;
    request.set_action("token_refused");
    request.set_limit(1000);
    std::vector<v1::AuditEntry> entries;
    REQUIRE(eventually([&] {
      auto r = list_audit(f, request);
      if (!r.ok() || r.value.entries_size() == 0) return false;
      entries.assign(r.value.entries().begin(), r.value.entries().end());
      return entries.front().detail().find("not recorded") != std::string::npos;
    }));
    // 60 refusals in under a few seconds: at most 10 per second window were recorded.
    CHECK(entries.size() < 60);
    CHECK(entries.size() >= 11);
    CHECK_THAT(entries.front().detail(), Contains("refusals not recorded)"));
  }
}

TEST_CASE("ListAudit filters by time, actor, action and target, and checks its request",
          "[grpc][audit][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  AgentDesk ana(f, "ana");
  AgentDesk ben(f, "ben");
  v1::SetStateRequest request;
  request.set_state(v1::READY);
  for (const char* agent : {"ana", "ben", "ana"}) {
    request.set_agent(agent);
    REQUIRE(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request).ok());
  }
  (void)f.call(&v1::SupervisorService::Stub::GetQueueStats, "bad", v1::GetQueueStatsRequest());
  REQUIRE(newest(f, "force_state", 3));
  REQUIRE(newest(f, "token_refused"));

  v1::ListAuditRequest q;
  q.set_target("ana");
  auto by_target = list_audit(f, q);
  REQUIRE(by_target.ok());
  CHECK(by_target.value.entries_size() == 2);
  q.set_target("");
  q.set_actor("-");
  auto by_actor = list_audit(f, q);
  REQUIRE(by_actor.ok());
  REQUIRE(by_actor.value.entries_size() == 1);
  CHECK(by_actor.value.entries(0).action() == "token_refused");
  q.set_actor("");
  q.set_limit(2);
  auto limited = list_audit(f, q);
  REQUIRE(limited.ok());
  REQUIRE(limited.value.entries_size() == 2);
  CHECK(limited.value.entries(0).action() == "token_refused");  // newest first
  CHECK(limited.value.entries(1).target() == "ana");
  // A window before any of it: nothing.
  q.set_limit(0);
  q.mutable_from()->set_seconds(now_s() - 7200);
  q.mutable_to()->set_seconds(now_s() - 3600);
  auto earlier = list_audit(f, q);
  REQUIRE(earlier.ok());
  CHECK(earlier.value.entries_size() == 0);
  q.mutable_to()->set_seconds(now_s() + 60);
  auto window = list_audit(f, q);
  REQUIRE(window.ok());
  CHECK(window.value.entries_size() == 4);

  SECTION("bad requests name the field") {
    v1::ListAuditRequest bad;
    bad.set_limit(10001);
    auto big = list_audit(f, bad);
    CHECK(big.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK_THAT(big.status.error_message(), Contains("limit"));
    bad.set_limit(0);
    bad.mutable_from()->set_seconds(now_s());
    bad.mutable_to()->set_seconds(now_s() - 10);
    auto backwards = list_audit(f, bad);
    CHECK(backwards.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(backwards.status.error_message(), Contains("from: must not be after to"));
    // Only a supervisor reads the trail.
    CHECK(f.call(&v1::SupervisorService::Stub::ListAudit, kGatewayToken, v1::ListAuditRequest())
              .status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST_CASE("Audit entries older than the retention are trimmed at the next write",
          "[grpc][audit][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center(redis_address(redis)));
  RedisLook look(redis);
  // Two planted entries: one from 1970 (far past any retention), one from a minute ago.
  look.command("XADD router:audit 1000-0 at 1000 actor planted action skills");
  const std::string recent = std::to_string((now_s() - 60) * 1000);
  look.command("XADD router:audit " + recent + "-0 at " + recent +
               " actor planted-recent action skills");
  REQUIRE(look.integer("XLEN %s", "router:audit") == 2);
  AgentDesk cara(f, "cara");
  v1::SetStateRequest request;
  request.set_agent("cara");
  request.set_state(v1::LOGGED_OUT);
  REQUIRE(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request).ok());
  REQUIRE(newest(f, "force_state"));
  CHECK(look.integer("XLEN %s", "router:audit") == 2);  // the 1970 one is gone
  v1::ListAuditRequest q;
  q.set_actor("planted-recent");
  auto kept = list_audit(f, q);
  REQUIRE(kept.ok());
  CHECK(kept.value.entries_size() == 1);
}

TEST_CASE("Without Redis the audit trail is kept in memory", "[grpc][audit]") {
  RouterFixture f;
  v1::UpdateAgentSkillsRequest request;
  request.set_agent("dev");
  auto* s = request.add_skills();
  s->set_skill("sales");
  s->set_level(8);
  REQUIRE(f.call(&v1::SupervisorService::Stub::UpdateAgentSkills, kSupervisorToken, request).ok());
  auto e = newest(f, "skills");
  REQUIRE(e);
  CHECK(e->id().rfind("mem-", 0) == 0);
  CHECK(e->target() == "dev");
  CHECK_THAT(e->after(), Contains("\"sales\":8"));
}

TEST_CASE("routerctl audit prints the trail as a table and as JSON, and checks its times",
          "[grpc][audit][routerctl]") {
  RouterFixture f;
  AgentDesk ana(f, "ana");
  v1::SetStateRequest request;
  request.set_agent("ana");
  request.set_state(v1::LOGGED_OUT);
  REQUIRE(f.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, request).ok());
  REQUIRE(newest(f, "force_state"));
  const std::string server = "127.0.0.1:" + std::to_string(f.server().port());
  const std::vector<std::string> base{ROUTERCTL_PATH, "--server", server, "--token",
                                      kSupervisorToken};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> all = base;
    all.insert(all.end(), more.begin(), more.end());
    return all;
  };
  const ProcessRun table =
      run_captured(args({"audit", "--from", "-1h", "--action", "force_state"}), 10s);
  INFO(table.out << table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Contains("ACTOR") && Contains("it-supervisor (supervisor)") &&
                            Contains("force_state") && Contains("ana") &&
                            Contains("-> {\"reason\":\"\""));
  const ProcessRun json = run_captured(args({"--json", "audit", "--target", "ana"}), 10s);
  REQUIRE(json.exit_code == 0);
  CHECK_THAT(json.out, Contains("\"action\": \"force_state\"") && Contains("\"actor\":"));
  const ProcessRun later = run_captured(args({"audit", "--from", "2099-01-01"}), 10s);
  REQUIRE(later.exit_code == 0);
  CHECK_THAT(later.out, Contains("no audit entries"));
  const ProcessRun bad = run_captured(args({"audit", "--from", "yesterday"}), 10s);
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err + bad.out, Contains("--from") && Contains("'yesterday' is not a time"));
}

}  // namespace
}  // namespace router::it
