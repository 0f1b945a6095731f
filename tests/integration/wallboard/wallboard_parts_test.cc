// routerwall's parts without a server: the service-level history is bounded in time, points and
// queues; viewers' verdicts are remembered, limited and mapped to HTTP as docs/wallboard.md says;
// agents are counted by state and reason with a cap on reasons; the light snapshot leaves out the
// history's points.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/routerwall/sl_history.h"
#include "tools/routerwall/snapshot.h"
#include "tools/routerwall/viewer_auth.h"

namespace router::wall {
namespace {

using namespace std::chrono_literals;

TEST_CASE("the service-level history keeps one point per step for one hour", "[wallboard]") {
  SlHistory history(30s, 3600s);
  REQUIRE(history.max_points() == 120);
  const WallClock::time_point t0{std::chrono::hours(500'000)};
  REQUIRE(history.record("q", t0, 0.9));
  const uint64_t v1 = history.version();
  REQUIRE(history.record("q", t0 + 10s, 0.5));  // within the step: not kept
  CHECK(history.points("q").size() == 1);
  CHECK(history.version() == v1);
  for (int i = 1; i <= 200; ++i) REQUIRE(history.record("q", t0 + i * 30s, i / 200.0));
  const auto points = history.points("q");
  CHECK(points.size() == 120);
  CHECK(points.back().at == t0 + 200 * 30s);
  CHECK(points.back().at - points.front().at <= 3600s);
  CHECK(history.version() > v1);

  SECTION("a queue not seen for an hour is forgotten") {
    history.prune(t0 + 200 * 30s + 3601s);
    CHECK(history.points("q").empty());
    CHECK(history.queues() == 0);
  }
  SECTION("queues beyond the cap get no history") {
    for (size_t i = 1; i < SlHistory::kMaxQueues; ++i) {
      REQUIRE(history.record("q" + std::to_string(i), t0, 1.0));
    }
    CHECK(history.queues() == SlHistory::kMaxQueues);
    CHECK_FALSE(history.record("one-too-many", t0, 1.0));
    CHECK(history.record("q", t0 + 201 * 30s, 1.0));  // a known queue still records
  }
}

TEST_CASE("routerd's verdict on a viewer's token is remembered, limited and mapped to HTTP",
          "[wallboard]") {
  int asks = 0;
  grpc::Status answer = grpc::Status::OK;
  ViewerAuth auth(
      [&](const std::string&) {
        ++asks;
        return answer;
      },
      10s);

  CHECK(auth.check("good").verdict == Verdict::kAccepted);
  CHECK(auth.check("good").verdict == Verdict::kAccepted);
  CHECK(asks == 1);  // remembered

  answer = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  const Check wrong = auth.check("wrong");
  CHECK(wrong.verdict == Verdict::kUnauthenticated);
  CHECK(wrong.message == "routerd: unknown token");
  CHECK(http_status(wrong.verdict) == 401);
  answer = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs a supervisor token");
  CHECK(http_status(auth.check("agent").verdict) == 403);

  const int before = asks;
  CHECK(auth.check(std::string(600, 'x')).verdict == Verdict::kMalformed);
  CHECK(auth.check("two words").verdict == Verdict::kMalformed);
  CHECK(auth.check("caf\xc3\xa9").verdict == Verdict::kMalformed);
  CHECK(asks == before);  // not worth asking routerd about

  answer = grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
  const Check away = auth.check("new");
  CHECK(away.verdict == Verdict::kUnavailable);
  CHECK(http_status(away.verdict) == 503);
  CHECK(auth.check("new").verdict == Verdict::kUnavailable);  // not remembered: asked again

  SECTION("a token accepted before stays accepted while routerd cannot be asked") {
    ViewerAuth brief([&](const std::string&) { return answer; }, 0ms);
    answer = grpc::Status::OK;
    REQUIRE(brief.check("good").verdict == Verdict::kAccepted);
    answer = grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
    CHECK(brief.check("good").verdict == Verdict::kAccepted);
    answer = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
    CHECK(brief.check("good").verdict == Verdict::kUnauthenticated);  // a refusal counts at once
  }
  SECTION("at most kMaxAsksPerSecond tokens routerd has not seen are asked about per second") {
    ViewerAuth limited([&](const std::string&) { return answer; }, 10s);
    answer = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
    int busy = 0;
    for (int i = 0; i < ViewerAuth::kMaxAsksPerSecond + 5; ++i) {
      const Check c = limited.check("guess-" + std::to_string(i));
      if (c.verdict == Verdict::kBusy) {
        ++busy;
        CHECK(http_status(c.verdict) == 429);
      }
    }
    CHECK(busy == 5);  // 25 unknown tokens well within a second: 5 over the limit
  }
}

TEST_CASE("agents are counted by state and by not-ready reason, with a cap on reasons",
          "[wallboard]") {
  v1::ListAgentsResponse agents;
  auto add = [&](v1::AgentState state, const std::string& reason) {
    auto* a = agents.add_agents();
    a->set_state(state);
    a->set_reason(reason);
  };
  add(v1::BUSY, "");
  add(v1::AGENT_WRAP_UP, "");
  add(v1::NOT_READY, "");
  for (int i = 0; i < 20; ++i) add(v1::NOT_READY, "reason-" + std::to_string(i));
  add(v1::NOT_READY, "lunch");
  const AgentCounts counts = count_agents(agents);
  CHECK(counts.total == 24);
  CHECK(counts.by_state.at("BUSY") == 1);
  CHECK(counts.by_state.at("WRAP_UP") == 1);
  CHECK(counts.by_state.at("READY") == 0);
  CHECK(counts.by_state.at("NOT_READY") == 22);
  CHECK(counts.not_ready_by_reason.size() == AgentCounts::kMaxReasons);
  int summed = 0;
  for (const auto& [reason, n] : counts.not_ready_by_reason) summed += n;
  CHECK(summed == 22);
  CHECK(counts.not_ready_by_reason.count("(other)") == 1);
}

TEST_CASE("the light snapshot leaves the history's points out", "[wallboard]") {
  v1::GetQueueStatsResponse stats;
  auto* q = stats.add_queues();
  q->set_queue("sales");
  q->set_service_level(0.75);
  q->set_service_level_target(0.8);
  SlHistory history(30s, 3600s);
  history.record("sales", WallClock::now(), 0.75);
  SourceStatus source{true, "127.0.0.1:50051", "", {}};
  const auto full =
      nlohmann::json::parse(snapshot_json({}, stats, AgentCounts{}, history, source, true));
  const auto light =
      nlohmann::json::parse(snapshot_json({}, stats, AgentCounts{}, history, source, false));
  CHECK(full["queues"][0]["sl_history"].size() == 1);
  CHECK_FALSE(light["queues"][0].contains("sl_history"));
  CHECK(light["queues"][0]["below_target"] == true);
  CHECK(light["history"]["version"] == full["history"]["version"]);
}

}  // namespace
}  // namespace router::wall
