// Log hygiene end to end (docs/security.md, "Logs and personal data"): the real routerd binary,
// its log captured, and a newline, a phone number and an email address in every client-chosen
// text that reaches a log line. No line may be forged, no number or address may appear whole.
#include <catch2/catch.hpp>
#include <sstream>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

// What a hostile client puts in a text field: the newline starts a line that looks like
// routerd's own, with personal data in it.
const std::string kForged =
    "bye\n2026-12-03T10:00:00.000+0000 level=info event=forged by=+1 415 555 0188 "
    "eve.mallory@example.com";

// Every personal value the test sends, none of which may appear whole in the log.
const std::vector<std::string> kPersonal = {"415 555 0188", "4155550188", "+14155550177",
                                            "eve.mallory@example.com", "carl@example.com"};

}  // namespace

TEST_CASE(
    "routerd logs client text escaped and masked: a newline cannot forge a line, phone numbers "
    "and emails are masked",
    "[grpc][logs]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CenterFiles files(
      CenterOptions{.dev_no_auth = false, .listen = address, .stream_buffer = 0, .redis = {}});
  RouterdProcess process(files, address);
  Clients clients(address);
  REQUIRE(wait_serving(clients, process));

  // CancelInteraction's reason (the issue's case), on an interaction whose id is a phone number.
  REQUIRE(clients.submit(phone_call("+14155550177", "+1 415 555 0100")).ok());
  v1::CancelInteractionRequest cancel;
  cancel.set_interaction_id("+14155550177");
  cancel.set_reason(kForged);
  auto cancelled =
      clients.call(&v1::InteractionService::Stub::CancelInteraction, kGatewayToken, cancel);
  INFO(describe(cancelled.status));
  REQUIRE(cancelled.ok());
  // An interaction id that is an email address (ids are printable ASCII without spaces).
  REQUIRE(clients.submit(phone_call("carl@example.com", "+1 415 555 0100")).ok());
  // ForceAgentState logs the agent named before it looks it up.
  v1::SetStateRequest force;
  force.set_agent(kForged);
  force.set_state(v1::READY);
  auto forced =
      clients.call(&v1::SupervisorService::Stub::ForceAgentState, kSupervisorToken, force);
  CHECK(forced.code() == grpc::NOT_FOUND);

  // Each value reached the log (as the line of its event) before the log is judged.
  REQUIRE(eventually([&] {
    const std::string log = process.log();
    return log.find("event=cancelled") != std::string::npos &&
           log.find("event=force_state") != std::string::npos &&
           log.find("event=submitted id=it-gateway/c***@example.com") != std::string::npos;
  }));
  const std::string log = process.log();
  INFO("routerd log:\n" << log);
  std::istringstream lines(log);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    INFO(line);
    // Every line is one of routerd's: it starts with its time stamp and level.
    CHECK_THAT(line, Catch::Matchers::Matches(R"(^\d{4}-\d\d-\d\dT[0-9:.+-]+ level=\w+ .*)"));
    const bool forged_inside = line.find("event=forged") != std::string::npos;
    CHECK((!forged_inside || line.find("\\n") != std::string::npos));  // only when escaped
    for (const auto& personal : kPersonal) CHECK(line.find(personal) == std::string::npos);
    ++checked;
  }
  CHECK(checked > 3);
  CHECK_THAT(log, Contains("event=cancelled id=it-gateway/+1415*****77 reason=\"bye\\n"));
  CHECK_THAT(log, Contains("e***@example.com"));
  CHECK_THAT(log, Contains("event=force_state agent=\"bye\\n"));
}

}  // namespace router::it
