// TLS and mutual TLS on routerd's listener, with certificates made by openssl at test time
// (tests/support/test_pki.h): who gets served, a certificate replaced and SIGHUP (the real
// binary), the rule that plaintext stays on loopback unless daemon.allow_insecure, and every
// client tool (routerctl, routerload, routerdemo) connecting with its TLS flags.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "integration/grpc/fixture.h"
#include "integration/grpc/tls_center.h"
#include "tests/support/child_process.h"
#include "tests/support/test_pki.h"

namespace router::it {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// TLS credentials trusting the test CA, with the client certificate `client` when named.
std::shared_ptr<grpc::ChannelCredentials> tls_to(const TestPki& pki,
                                                 const std::string& client = "") {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = slurp(pki.ca());
  if (!client.empty()) {
    o.pem_cert_chain = slurp(pki.path(client + ".crt"));
    o.pem_private_key = slurp(pki.path(client + ".key"));
  }
  return grpc::SslCredentials(o);
}

// One call on a new connection (a channel of its own): its status, and the common name of the
// certificate routerd presented.
struct Answer {
  grpc::Status status;
  std::string server_name;
};
Answer call_once(const std::string& address,
                 const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  static int unique = 0;
  grpc::ChannelArguments args;
  args.SetInt("tls_test.connection", ++unique);  // never share a connection with another call
  auto channel = grpc::CreateCustomChannel(address, credentials, args);
  auto stub = v1::SupervisorService::NewStub(channel);
  auto context = context_for(kSupervisorToken, 3s);
  v1::GetQueueStatsRequest request;
  v1::GetQueueStatsResponse response;
  Answer answer;
  answer.status = stub->GetQueueStats(context.get(), request, &response);
  if (auto auth = context->auth_context()) {
    for (const auto& cn : auth->FindPropertyValues("x509_common_name")) {
      answer.server_name.assign(cn.data(), cn.size());
    }
  }
  return answer;
}

TEST_CASE("routerd with daemon.tls serves a client that trusts its CA and refuses plaintext",
          "[grpc][tls]") {
  TlsCenter center(/*mutual=*/false);
  auto daemon = center.start();
  const Answer tls = call_once(daemon->address(), tls_to(center.pki));
  INFO(describe(tls.status));
  CHECK(tls.status.ok());
  CHECK(tls.server_name == "routerd-one");

  const Answer plain = call_once(daemon->address(), grpc::InsecureChannelCredentials());
  INFO(describe(plain.status));
  CHECK(plain.status.error_code() == grpc::StatusCode::UNAVAILABLE);

  // A client that trusts another CA refuses routerd's certificate.
  center.pki.stranger("elsewhere");
  grpc::SslCredentialsOptions other;
  other.pem_root_certs = slurp(center.pki.path("other-ca.crt"));
  CHECK(call_once(daemon->address(), grpc::SslCredentials(other)).status.error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  daemon->shutdown(1s);
}

TEST_CASE(
    "routerd with daemon.tls.client_ca_file refuses clients without a certificate from that CA "
    "and serves those with one",
    "[grpc][tls]") {
  TlsCenter center(/*mutual=*/true);
  center.pki.client("desk-1");
  center.pki.stranger("intruder");
  auto daemon = center.start();

  const Answer without = call_once(daemon->address(), tls_to(center.pki));
  INFO("no client certificate: " << describe(without.status));
  CHECK(without.status.error_code() == grpc::StatusCode::UNAVAILABLE);
  const Answer foreign = call_once(daemon->address(), tls_to(center.pki, "intruder"));
  INFO("another CA's certificate: " << describe(foreign.status));
  CHECK(foreign.status.error_code() == grpc::StatusCode::UNAVAILABLE);
  const Answer with = call_once(daemon->address(), tls_to(center.pki, "desk-1"));
  INFO("the CA's client certificate: " << describe(with.status));
  CHECK(with.status.ok());
  CHECK(with.server_name == "routerd-one");
  daemon->shutdown(1s);
}

TEST_CASE(
    "routerd re-reads its certificate on SIGHUP: new connections see the new one, an open "
    "connection keeps working",
    "[grpc][tls][shutdown]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  TlsCenter center(/*mutual=*/false, address);
  center.pki.server("two", "routerd-two");
  RouterdProcess routerd(center.files, address);
  Clients open;
  open.connect(address, tls_to(center.pki));
  REQUIRE(wait_serving(open, routerd));
  INFO("routerd log:\n" << routerd.log());
  CHECK(call_once(address, tls_to(center.pki)).server_name == "routerd-one");

  // The operator replaces the files in place (as certbot or a secret mount does), then SIGHUP.
  fs::copy_file(center.pki.path("two.crt"), center.pki.path("one.crt"),
                fs::copy_options::overwrite_existing);
  fs::copy_file(center.pki.path("two.key"), center.pki.path("one.key"),
                fs::copy_options::overwrite_existing);
  CHECK(call_once(address, tls_to(center.pki)).server_name == "routerd-one");  // not before
  routerd.signal(SIGHUP);
  CHECK(eventually(
      [&] { return call_once(address, tls_to(center.pki)).server_name == "routerd-two"; }, 5s));
  CHECK(routerd.log().find("event=tls_reloaded") != std::string::npos);
  // The connection made before the reload still serves.
  CHECK(open.health_check().value == kServing);
  CHECK(open.queue_stats("phone-support").has_value());
}

TEST_CASE("a reload whose key does not match its certificate keeps the old certificate",
          "[grpc][tls]") {
  TlsCenter center(/*mutual=*/false);
  center.pki.server("two", "routerd-two");
  auto daemon = center.start();
  fs::copy_file(center.pki.path("two.crt"), center.pki.path("one.crt"),
                fs::copy_options::overwrite_existing);  // one.key stays: a mismatch
  auto reloaded = daemon->reload();
  REQUIRE_FALSE(reloaded.ok());
  CHECK_THAT(reloaded.error().message,
             Catch::Contains("daemon.tls.key_file") && Catch::Contains("does not match"));
  const Answer after = call_once(daemon->address(), tls_to(center.pki));
  INFO(describe(after.status));
  CHECK(after.server_name == "routerd-one");

  // A missing file is named too, by field and path.
  fs::remove(center.pki.path("one.key"));
  auto missing = daemon->reload();
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::Contains("daemon.tls.key_file: cannot read") && Catch::Contains("one.key"));
  daemon->shutdown(1s);
}

TEST_CASE(
    "routerd refuses to serve plaintext on a non-loopback address unless "
    "daemon.allow_insecure, and then warns",
    "[grpc][tls][shutdown]") {
  const std::string port = std::to_string(free_port());
  CenterFiles files;

  SECTION("--listen 0.0.0.0 without TLS: routerd exits 1 naming the rule") {
    RouterdProcess routerd(files, "0.0.0.0:" + port);
    const auto status = routerd.wait_exit(10s);
    INFO("routerd log:\n" << routerd.log());
    REQUIRE(status.has_value());
    CHECK(*status == 1);
    CHECK_THAT(routerd.log(),
               Catch::Contains("--listen 0.0.0.0:" + port + ": not a loopback address") &&
                   Catch::Contains("daemon.allow_insecure: true"));
  }
  SECTION("daemon.listen 0.0.0.0 without TLS: routerd --check fails naming daemon.listen") {
    files.write_config(files.read_config() + "  listen: \"0.0.0.0:" + port + "\"\n");
    const auto run = run_captured({ROUTERD_PATH, "--check", "-c", files.config_path()}, 10s);
    INFO(run);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err,
               Catch::Contains("daemon.listen: 0.0.0.0:" + port + " is not a loopback address"));
  }
  SECTION("with daemon.allow_insecure: true it serves, and says so at WARN") {
    files.write_config(files.read_config() + "  allow_insecure: true\n");
    RouterdProcess routerd(files, "0.0.0.0:" + port);
    Clients clients("127.0.0.1:" + port);
    const bool serving = wait_serving(clients, routerd);
    INFO("routerd log:\n" << routerd.log());
    CHECK(serving);
    CHECK_THAT(routerd.log(), Catch::Contains("level=warning event=insecure_listener") &&
                                  Catch::Contains("PLAINTEXT ON A NETWORK ADDRESS"));
  }
}

TEST_CASE("routerd --check reads daemon.tls's files and names the one it cannot use",
          "[grpc][tls]") {
  TlsCenter center(/*mutual=*/true);
  auto ok = run_captured({ROUTERD_PATH, "--check", "-c", center.files.config_path()}, 10s);
  INFO(ok);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("mutual TLS (certificate CN=routerd-one"));
  fs::remove(center.pki.path("ca.crt"));
  auto bad = run_captured({ROUTERD_PATH, "--check", "-c", center.files.config_path()}, 10s);
  INFO(bad);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("daemon.tls.client_ca_file: cannot read") &&
                          Catch::Contains("pki/ca.crt"));
}

TEST_CASE("every client tool connects to a mutual-TLS routerd with its TLS flags", "[grpc][tls]") {
  TlsCenter center(/*mutual=*/true);
  center.pki.client("tool");
  auto daemon = center.start();
  const std::vector<std::string> tls = {"--ca",   center.pki.ca(),
                                        "--cert", center.pki.path("tool.crt"),
                                        "--key",  center.pki.path("tool.key")};
  const auto env = environment_without({"ROUTER_ADDR", "ROUTER_TOKEN"});
  auto with = [&](std::vector<std::string> args, bool add_tls) {
    if (add_tls) args.insert(args.end(), tls.begin(), tls.end());
    return args;
  };

  SECTION("routerctl") {
    const std::vector<std::string> queues = {ROUTERCTL_PATH,    "queues",  "--server",
                                             daemon->address(), "--token", kSupervisorToken,
                                             "--timeout",       "3"};
    auto ok = run_captured(with(queues, true), 10s, env);
    INFO(ok);
    CHECK(ok.exit_code == 0);
    CHECK_THAT(ok.out, Catch::Contains("phone-support"));
    auto plain = run_captured(with(queues, false), 10s, env);
    INFO(plain);
    CHECK(plain.exit_code == 2);
    CHECK_THAT(plain.err, Catch::Contains("needs --tls or --ca FILE"));
    auto no_key = run_captured(with({ROUTERCTL_PATH, "queues", "--server", daemon->address(),
                                     "--cert", center.pki.path("tool.crt")},
                                    false),
                               10s, env);
    CHECK(no_key.exit_code == 2);
    CHECK_THAT(no_key.err, Catch::Contains("--cert needs --key"));
  }
  SECTION("routerload") {
    auto run =
        run_captured(with({ROUTERLOAD_PATH, "run", "--config", center.files.config_path(),
                           "--target", daemon->address(), "--count", "20", "--concurrency", "4",
                           "--gateways", "1", "--warmup", "0", "--drain-s", "10", "--quiet"},
                          true),
                     30s, env);
    INFO(run);
    CHECK(run.exit_code == 0);
  }
  SECTION("routerdemo") {
    auto run =
        run_captured(with({ROUTERDEMO_PATH, "--config", center.files.config_path(), "--server",
                           daemon->address(), "--duration", "2", "--speed", "100", "--quiet"},
                          true),
                     30s, env);
    INFO(run);
    CHECK(run.exit_code == 0);
    // Its gateway and desktops ran on GatewayStream and AgentSession without a failed request.
    CHECK_THAT(run.err, !Catch::Contains("routerdemo: error "));
  }
  daemon->shutdown(1s);
}

}  // namespace
}  // namespace router::it
