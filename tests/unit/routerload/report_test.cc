// routerload's report: rates over the measuring window, merged figures, the table and the JSON
// (with and without an echo baseline).
#include "tools/routerload/report.h"

#include <catch2/catch.hpp>
#include <chrono>

using router::load::Figures;
using router::load::Report;
using router::load::Rpc;
using namespace std::chrono_literals;

namespace {

Report a_report(uint64_t completed, double window_s, std::chrono::nanoseconds offer_latency) {
  Report r;
  r.label = "routerd 127.0.0.1:50051";
  r.window_s = window_s;
  r.run_s = window_s + 2;
  r.figures.completed = completed;
  r.figures.completed_total = completed;
  r.figures.submitted_total = completed;
  r.figures.rpcs = completed * 4;
  r.figures.stream_events = completed * 8;
  for (uint64_t i = 0; i < completed; ++i) r.figures.submit_to_offer.record(offer_latency);
  return r;
}

}  // namespace

TEST_CASE("rates are counts over the measuring window", "[report]") {
  const Report r = a_report(5000, 2.0, 1ms);
  CHECK(r.lifecycles_per_s() == Approx(2500));
  CHECK(r.rpcs_per_s() == Approx(5000.0 * 12 / 2));
  Report empty;
  CHECK(empty.lifecycles_per_s() == 0);
  CHECK(empty.rpcs_per_s() == 0);
}

TEST_CASE("merged figures add counts, errors and histogram samples", "[report]") {
  Figures a, b;
  a.completed = 3;
  a.submit_ack.record(2ms);
  a.error(Rpc::kAccept, 9);
  b.completed = 4;
  b.submit_ack.record(4ms);
  b.error(Rpc::kAccept, 9);
  b.error(Rpc::kSubmit, 14);
  b.throttled = 2;
  a.merge(b);
  CHECK(a.completed == 7);
  CHECK(a.throttled == 2);
  CHECK(a.submit_ack.count() == 2);
  CHECK(a.submit_ack.max() >= 4ms);
  CHECK(a.error_count() == 3);
  CHECK(a.errors.at({Rpc::kAccept, 9}) == 2);
}

TEST_CASE("status codes and RPCs print by name", "[report]") {
  CHECK(router::load::status_code_name(0) == "OK");
  CHECK(router::load::status_code_name(9) == "FAILED_PRECONDITION");
  CHECK(router::load::status_code_name(14) == "UNAVAILABLE");
  CHECK(router::load::status_code_name(99) == "CODE_99");
  CHECK(std::string(router::load::rpc_name(Rpc::kEndWrapUp)) == "EndWrapUp");
}

TEST_CASE("the JSON report carries rates, percentiles in ms and errors by code", "[report]") {
  Report r = a_report(1000, 1.0, 3ms);
  r.figures.error(Rpc::kSubmit, 14);
  const auto j = router::load::to_json(r);
  CHECK(j["lifecycles_per_s"].get<double>() == Approx(1000));
  const double p99 = j["latency_ms"]["submit_to_offer"]["p99"].get<double>();
  CHECK(p99 >= 3.0);
  CHECK(p99 <= 3.0 * (1 + 1.0 / 128));
  CHECK(j["latency_ms"]["submit_to_offer"]["count"].get<uint64_t>() == 1000);
  REQUIRE(j["errors"].size() == 1);
  CHECK(j["errors"][0]["rpc"] == "SubmitInteraction");
  CHECK(j["errors"][0]["code"] == "UNAVAILABLE");
  CHECK(j["errors"][0]["count"].get<uint64_t>() == 1);
  CHECK_FALSE(j.contains("ratios"));
}

TEST_CASE("against a baseline the report gives the ratios of rates and p99s", "[report]") {
  const Report engine = a_report(3000, 1.0, 4ms);
  Report echo = a_report(6000, 1.0, 2ms);
  echo.label = "routerecho 127.0.0.1:40000";
  const auto j = router::load::to_json(engine, &echo);
  CHECK(j["ratios"]["lifecycles_per_s"].get<double>() == Approx(0.5));
  CHECK(j["ratios"]["submit_to_offer_p99"].get<double>() == Approx(2.0).epsilon(0.01));
  CHECK(j["baseline"]["label"] == "routerecho 127.0.0.1:40000");

  const std::string table = router::load::format_table(engine, &echo);
  CHECK_THAT(table, Catch::Contains("lifecycles/s"));
  CHECK_THAT(table, Catch::Contains("0.50"));
  CHECK_THAT(table, Catch::Contains("errors: none"));
}

TEST_CASE("the report names its API and the server's CPU and RSS when they were measured",
          "[report]") {
  Report r = a_report(2000, 1.0, 1ms);
  r.api = "stream";
  auto j = router::load::to_json(r);
  CHECK(j["api"] == "stream");
  CHECK_FALSE(j.contains("server"));
  CHECK_THAT(router::load::format_table(r), Catch::Contains("api stream"));
  r.server.measured = true;
  r.server.cpu_us_per_lifecycle = 120;
  r.server.rss_per_agent = 4096;
  r.server.agents = 1000;
  j = router::load::to_json(r);
  CHECK(j["server"]["cpu_us_per_lifecycle"].get<double>() == Approx(120));
  CHECK(j["server"]["rss_per_agent_bytes"].get<double>() == Approx(4096));
  CHECK_THAT(router::load::format_table(r), Catch::Contains("CPU µs per lifecycle"));
  CHECK(std::string(router::load::rpc_name(Rpc::kAgentLink)) == "AgentLink");
}
