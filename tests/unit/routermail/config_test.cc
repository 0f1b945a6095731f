// routermail's configuration (tools/routermail/config.h): defaults, every field read, and errors
// that name the file and the field.
#include "tools/routermail/config.h"

#include <catch2/catch.hpp>

namespace router::mail {
namespace {

std::string error_of(const std::string& yaml) {
  auto r = parse_config(yaml, "routermail.yaml");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("routermail's configuration: the smallest file and every field", "[routermail][config]") {
  auto small = parse_config("routerd: {addresses: 127.0.0.1:50051, token: t}\n", "r.yaml");
  INFO((small.ok() ? "" : small.error().message));
  REQUIRE(small.ok());
  CHECK(small->listen == "127.0.0.1:2424");
  CHECK(small->limits.max_message_bytes == 25u * 1024 * 1024);
  CHECK(small->routerd.addresses == std::vector<std::string>{"127.0.0.1:50051"});
  CHECK_FALSE(small->routerd.tls.enabled());

  auto full = parse_config(R"(
lmtp: {listen: "0.0.0.0:24", hostname: mx1, max_message_bytes: 2048, max_recipients: 5,
       max_connections: 3, idle_timeout_s: 9}
routerd:
  addresses: [a:1, "b:2,c:3"]
  token: secret
  domain: eu
  timeout_s: 4
  tls: {ca: ca.pem, server_name: routerd.example}
metrics_listen: 127.0.0.1:9
readiness_listen: 127.0.0.1:8
)",
                           "r.yaml");
  INFO((full.ok() ? "" : full.error().message));
  REQUIRE(full.ok());
  CHECK(full->listen == "0.0.0.0:24");
  CHECK(full->hostname == "mx1");
  CHECK(full->limits.max_message_bytes == 2048);
  CHECK(full->limits.max_recipients == 5);
  CHECK(full->max_connections == 3);
  CHECK(full->idle_timeout == std::chrono::seconds(9));
  CHECK(full->routerd.addresses == std::vector<std::string>{"a:1", "b:2", "c:3"});
  CHECK(full->routerd.token == "secret");
  CHECK(full->routerd.domain == "eu");
  CHECK(full->routerd.timeout == std::chrono::seconds(4));
  CHECK(full->routerd.tls.enabled());
  CHECK(full->routerd.tls.ca_file == "ca.pem");
  CHECK(full->routerd.tls.server_name == "routerd.example");
  CHECK(full->metrics_listen == "127.0.0.1:9");
  CHECK(full->readiness_listen == "127.0.0.1:8");
}

TEST_CASE("routermail's configuration errors name the file and the field", "[routermail][config]") {
  const std::string rd = "routerd: {addresses: a:1, token: t}\n";
  CHECK(error_of("lmtp: {max_message_bytes: 10}\n" + rd) ==
        "routermail.yaml: lmtp.max_message_bytes: must be 1024..1073741824, got 10");
  CHECK(error_of("lmtp: {max_recipients: many}\n" + rd) ==
        "routermail.yaml: lmtp.max_recipients: must be a whole number");
  CHECK(error_of("lmtp: {listn: x}\n" + rd) == "routermail.yaml: lmtp.listn: unknown field");
  CHECK(error_of("lmtp: {hostname: two words}\n" + rd) ==
        "routermail.yaml: lmtp.hostname: must be one word");
  CHECK(error_of("lmtp: {}\n") ==
        "routermail.yaml: routerd: required (routerd.addresses at least)");
  CHECK(error_of("routerd: {token: t}\n") ==
        "routermail.yaml: routerd.addresses: required: one host:port at least");
  CHECK(error_of("routerd: {addresses: a:1}\n") ==
        "routermail.yaml: routerd.token: required: routermail's gateway token");
  CHECK(error_of("routerd: {addresses: a:1, token: t, token_file: f}\n") ==
        "routermail.yaml: routerd.token_file: set either token or token_file, not both");
  CHECK(error_of("routerd: {addresses: a:1, token_file: /nonexistent/token}\n") ==
        "routermail.yaml: routerd.token_file: cannot read '/nonexistent/token'");
  CHECK(error_of("routerd: {addresses: a:1, token: t, tls: {cert: c.pem}}\n") ==
        "routermail.yaml: routerd.tls.key: cert and key go together (mutual TLS)");
  CHECK(error_of("routerd: {addresses: a:1, token: t, timeout_s: 0}\n") ==
        "routermail.yaml: routerd.timeout_s: must be 1..300, got 0");
  CHECK(error_of(rd + "metrics: x\n") == "routermail.yaml: metrics: unknown field");
  CHECK_THAT(error_of("routerd: [\n"), Catch::Matchers::StartsWith("routermail.yaml: line"));
}

}  // namespace router::mail
