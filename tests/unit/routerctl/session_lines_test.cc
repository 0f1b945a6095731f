// `routerctl agent session`'s input lines → AgentRequests, and how its answers print.
#include "tools/routerctl/session_lines.h"

#include <catch2/catch.hpp>

#include "tools/routerctl/views.h"

namespace router::ctl {

namespace {

v1::AgentRequest request_of(const std::string& line) {
  auto parsed = parse_session_line(line, "a07");
  INFO(line << " → " << (parsed ? "" : parsed.error()));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->kind == SessionLine::Kind::kRequest);
  CHECK(parsed->request.correlation_id().empty());
  return parsed->request;
}

std::string error_of(const std::string& line) {
  auto parsed = parse_session_line(line, "a07");
  INFO(line);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error();
}

}  // namespace

TEST_CASE("every agent session line becomes the request of its unary twin for the session's agent",
          "[routerctl][session]") {
  SECTION("login") {
    auto r = request_of("login");
    REQUIRE(r.has_login());
    CHECK(r.login().agent() == "a07");
    CHECK(r.login().ready());
    CHECK_FALSE(request_of("  login   --not-ready ").login().ready());
  }
  SECTION("ready and not-ready with a reason of several words") {
    auto ready = request_of("ready");
    REQUIRE(ready.has_set_state());
    CHECK(ready.set_state().state() == v1::READY);
    auto not_ready = request_of("not-ready  lunch break ");
    REQUIRE(not_ready.has_set_state());
    CHECK(not_ready.set_state().agent() == "a07");
    CHECK(not_ready.set_state().state() == v1::NOT_READY);
    CHECK(not_ready.set_state().reason() == "lunch break");
    CHECK(request_of("not-ready").set_state().reason().empty());
  }
  SECTION("accept reject and end-wrap-up") {
    CHECK(request_of("accept ph-1").accept().interaction_id() == "ph-1");
    CHECK(request_of("reject ph-2").reject().interaction_id() == "ph-2");
    CHECK(request_of("end-wrap-up ph-3").end_wrap_up().interaction_id() == "ph-3");
    CHECK(request_of("accept gw-a/ph-1").accept().agent() == "a07");
  }
  SECTION("complete with and without a code") {
    auto r = request_of("complete ph-1 --code resolved");
    REQUIRE(r.has_complete());
    CHECK(r.complete().interaction_id() == "ph-1");
    CHECK(r.complete().wrap_up_code() == "resolved");
    CHECK(request_of("complete ph-1").complete().wrap_up_code().empty());
  }
  SECTION("transfer to a queue or to an agent") {
    auto q = request_of("transfer ph-1 --queue support-t2");
    REQUIRE(q.has_transfer());
    CHECK(q.transfer().queue() == "support-t2");
    auto a = request_of("transfer ph-1 --to-agent a11");
    CHECK(a.transfer().to_agent() == "a11");
    CHECK(a.transfer().interaction_id() == "ph-1");
  }
  SECTION("logout") { CHECK(request_of("logout").logout().agent() == "a07"); }
}

TEST_CASE("blank lines and comments send nothing and quit ends the input", "[routerctl][session]") {
  CHECK(parse_session_line("", "a07")->kind == SessionLine::Kind::kNothing);
  CHECK(parse_session_line("   \t", "a07")->kind == SessionLine::Kind::kNothing);
  CHECK(parse_session_line("# accept ph-1", "a07")->kind == SessionLine::Kind::kNothing);
  CHECK(parse_session_line("quit", "a07")->kind == SessionLine::Kind::kQuit);
  CHECK(parse_session_line("accept ph-1", "a07")->summary == "accept ph-1");
  CHECK(parse_session_line("  complete  ph-1   --code x", "a07")->summary ==
        "complete ph-1 --code x");
}

TEST_CASE("a session line that does not parse says which word is wrong", "[routerctl][session]") {
  CHECK_THAT(error_of("accept"), Catch::Contains("accept: the interaction ID is missing"));
  CHECK_THAT(error_of("accept ph-1 ph-2"), Catch::Contains("unexpected 'ph-2'"));
  CHECK_THAT(error_of("complete --code x"), Catch::Contains("interaction ID is missing"));
  CHECK_THAT(error_of("complete ph-1 --code"), Catch::Contains("--code needs a value"));
  CHECK_THAT(error_of("transfer ph-1"), Catch::Contains("exactly one of --queue Q or --to-agent"));
  CHECK_THAT(error_of("transfer ph-1 --queue q --to-agent a"), Catch::Contains("exactly one"));
  CHECK_THAT(error_of("login --ready"), Catch::Contains("unexpected '--ready'"));
  CHECK_THAT(error_of("logout now"), Catch::Contains("logout takes no arguments"));
  CHECK_THAT(error_of("acept ph-1"),
             Catch::Contains("unknown request 'acept'") && Catch::Contains("end-wrap-up ID"));
  CHECK_THAT(error_of(std::string(kMaxSessionLineBytes + 1, 'x')),
             Catch::Contains("longer than 4096 bytes"));
}

TEST_CASE(
    "a session answer prints its correlation id, the request and OK with the agent's state "
    "or the error",
    "[routerctl][session][views]") {
  const WallClock::time_point now(std::chrono::seconds(1'700'000'000));
  v1::AgentSessionResponse ok;
  ok.set_agent("a07");
  ok.mutable_answer()->mutable_result()->set_correlation_id("3");
  auto& status = *ok.mutable_answer()->mutable_status();
  status.set_agent("a07");
  status.set_state(v1::BUSY);
  status.add_work("ph-1");
  const std::string ok_line = render_session_response(ok, "accept ph-1", now);
  CHECK_THAT(ok_line, Catch::Contains("  answer     #3 accept ph-1: OK  a07") &&
                          Catch::Contains("BUSY") && Catch::Contains("work: ph-1") &&
                          Catch::EndsWith("\n"));

  v1::AgentSessionResponse refused;
  auto& result = *refused.mutable_answer()->mutable_result();
  result.set_correlation_id("4");
  result.set_code(9);
  result.set_message("interaction ph-1 is not offered to a07");
  CHECK_THAT(render_session_response(refused, "accept ph-1", now),
             Catch::Contains("#4 accept ph-1: FAILED_PRECONDITION: interaction ph-1 is not "
                             "offered to a07\n"));

  v1::AgentSessionResponse work;
  work.mutable_work()->mutable_heartbeat();
  CHECK_THAT(render_session_response(work, "", now), Catch::EndsWith("  heartbeat\n"));
}

}  // namespace router::ctl
