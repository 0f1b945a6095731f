// routersip's configuration (tools/routersip/config.h): defaults, every field read, and errors
// that name the file and the field.
#include "tools/routersip/config.h"

#include <catch2/catch.hpp>

namespace router::sip {
namespace {

constexpr char kMinimal[] =
    "agents: {phones: [{agent: ana, uri: \"sip:ana@10.0.0.5\"}]}\n"
    "routerd: {addresses: 127.0.0.1:50051, token: g, agent_link_token: l}\n";

std::string error_of(const std::string& yaml) {
  auto r = parse_config(yaml, "routersip.yaml");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("routersip's configuration: the smallest file and every field", "[routersip][config]") {
  auto small = parse_config(kMinimal, "r.yaml");
  INFO((small.ok() ? "" : small.error().message));
  REQUIRE(small.ok());
  CHECK(small->listen == "127.0.0.1:5060");
  CHECK(small->max_calls == 1000);
  CHECK(small->headers.language == "X-Language");
  CHECK(small->ready_after_missed == std::chrono::seconds(30));
  CHECK(small->phones == std::map<std::string, std::string>{{"ana", "sip:ana@10.0.0.5"}});
  CHECK(small->routerd.token == "g");
  CHECK(small->agent_link_token == "l");
  CHECK(small->gateway.empty());
  CHECK_FALSE(small->routerd.tls.enabled());

  auto full = parse_config(R"(
sip:
  listen: "0.0.0.0:5080"
  user_agent: acme-gw
  max_calls: 50
  headers: {language: X-Lang, ivr_path: X-Path, ivr_digits: X-Digits, intent: X-Why}
agents:
  ready_after_missed_s: 0
  phones:
    - {agent: ana, uri: "sip:ana@10.0.0.5:5070"}
    - {agent: ben, uri: "sips:ben@pbx.example.com"}
routerd:
  addresses: [a:1, b:2]
  token: g
  agent_link_token: l
  gateway: trunk-east
  tls: {ca: ca.pem}
metrics_listen: "127.0.0.1:9100"
readiness_listen: "127.0.0.1:9101"
)",
                           "r.yaml");
  INFO((full.ok() ? "" : full.error().message));
  REQUIRE(full.ok());
  CHECK(full->listen == "0.0.0.0:5080");
  CHECK(full->user_agent == "acme-gw");
  CHECK(full->max_calls == 50);
  CHECK(full->headers.language == "X-Lang");
  CHECK(full->headers.ivr_path == "X-Path");
  CHECK(full->headers.ivr_digits == "X-Digits");
  CHECK(full->headers.intent == "X-Why");
  CHECK(full->ready_after_missed == std::chrono::seconds(0));
  CHECK(full->phones.size() == 2);
  CHECK(full->routerd.addresses == std::vector<std::string>{"a:1", "b:2"});
  CHECK(full->gateway == "trunk-east");
  CHECK(full->routerd.tls.enabled());
  CHECK(full->metrics_listen == "127.0.0.1:9100");
  CHECK(full->readiness_listen == "127.0.0.1:9101");
}

TEST_CASE("routersip's configuration: errors name the file and the field", "[routersip][config]") {
  const std::string routerd =
      "routerd: {addresses: 127.0.0.1:50051, token: g, agent_link_token: l}\n";
  const std::string phones = "agents: {phones: [{agent: ana, uri: \"sip:ana@h\"}]}\n";
  CHECK(error_of("sip: {listen: nowhere}\n" + phones + routerd) ==
        "routersip.yaml: sip.listen: must be host:port, got 'nowhere'");
  CHECK(error_of("sip: {max_calls: 0}\n" + phones + routerd) ==
        "routersip.yaml: sip.max_calls: must be 1..100000, got 0");
  CHECK(error_of("sip: {headers: {language: \"X Lang\"}}\n" + phones + routerd) ==
        "routersip.yaml: sip.headers.language: must be a header name, got 'X Lang'");
  CHECK(error_of("sip: {port: 5}\n" + phones + routerd) ==
        "routersip.yaml: sip.port: unknown field");
  CHECK(error_of(routerd) == "routersip.yaml: agents: required (agents.phones: the phone agents)");
  CHECK(error_of("agents: {phones: []}\n" + routerd) ==
        "routersip.yaml: agents.phones: required: a list of {agent, uri}, one at least");
  CHECK(
      error_of("agents: {phones: [{agent: ana, uri: \"ana@h\"}]}\n" + routerd) ==
      "routersip.yaml: agents.phones[0].uri: must be a SIP URI (sip:user@host:port), got 'ana@h'");
  CHECK(error_of("agents: {phones: [{uri: \"sip:a@h\"}]}\n" + routerd) ==
        "routersip.yaml: agents.phones[0].agent: required: the agent's name in routerd");
  CHECK(
      error_of("agents: {phones: [{agent: a, uri: \"sip:a@h\"}, {agent: a, uri: \"sip:b@h\"}]}\n" +
               routerd) == "routersip.yaml: agents.phones[1].agent: 'a' is listed twice");
  CHECK(error_of("agents: {ready_after_missed_s: -1, phones: [{agent: a, uri: \"sip:a@h\"}]}\n" +
                 routerd) ==
        "routersip.yaml: agents.ready_after_missed_s: must be 0..86400, got -1");
  CHECK(error_of(phones + "routerd: {addresses: 127.0.0.1:50051, token: g}\n") ==
        "routersip.yaml: routerd.agent_link_token: required: routersip's AGENT_LINK token (for "
        "its phone agents)");
  CHECK(error_of(phones + "routerd: {addresses: a:1, agent_link_token: l}\n") ==
        "routersip.yaml: routerd.token: required: routersip's gateway token");
  CHECK(error_of(phones +
                 "routerd: {addresses: a:1, token: g, agent_link_token_file: /nonexistent}\n") ==
        "routersip.yaml: routerd.agent_link_token_file: cannot read '/nonexistent'");
  CHECK(error_of(phones + routerd + "metrics: 1\n") == "routersip.yaml: metrics: unknown field");
  CHECK_THAT(error_of("sip: [\n"), Catch::Matchers::StartsWith("routersip.yaml: line "));
}

}  // namespace router::sip
