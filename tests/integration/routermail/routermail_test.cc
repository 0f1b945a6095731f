// routermail end to end (issue 20, part 2; docs/routermail.md): swaks (Debian swaks) delivers
// over LMTP to the real routermail binary, which submits to a real routerd on loopback (the
// test center, in process). A delivery is answered 250 only once routerd has the interaction;
// a duplicate is the same interaction; 8-bit headers arrive as UTF-8; broken MIME is still
// taken; a huge message is refused with 552; a mailbox routerd has no entry point for with 550;
// no routerd with 451, and /ready says so; mutual TLS to routerd with a token file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "integration/grpc/availability_fixture.h"
#include "integration/grpc/fixture.h"
#include "integration/grpc/tls_center.h"
#include "support/child_process.h"
#include "support/free_port.h"
#include "support/test_pki.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

// routermail on a free port, its configuration and log in `dir`, talking to `routerd`.
class Routermail {
 public:
  // `routerd`: the configuration's routerd section (plain_routerd() for the usual one).
  Routermail(const std::filesystem::path& dir, const std::string& routerd,
             const std::string& extra = "")
      : lmtp_port_(free_port()), ready_port_(free_port()) {
    const auto config = dir / ("routermail-" + std::to_string(lmtp_port_) + ".yaml");
    std::ofstream(config) << "lmtp: {listen: \"127.0.0.1:" << lmtp_port_
                          << "\", hostname: mx.test, max_message_bytes: 65536}\n"
                          << routerd << "readiness_listen: \"127.0.0.1:" << ready_port_ << "\"\n"
                          << extra;
    ChildOptions options;
    options.out = ChildOutput::kLog;
    options.err = ChildOutput::kLog;
    options.log = dir / ("routermail-" + std::to_string(lmtp_port_) + ".log");
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ROUTERMAIL_PATH, "--config", config.string()}, options);
    // Listening once /live answers (the readiness listener starts before the LMTP one, so wait
    // for a greeting).
    REQUIRE(eventually([&] { return swaks({"--quit-after", "CONNECT"}).exit_code == 0; }, 10s));
  }
  ~Routermail() { process_->terminate(std::chrono::seconds(5)); }

  // swaks over LMTP to this routermail, with `args` after the server options.
  ProcessRun swaks(std::vector<std::string> args) const {
    std::vector<std::string> all = {"swaks",
                                    "--protocol",
                                    "LMTP",
                                    "--server",
                                    "127.0.0.1:" + std::to_string(lmtp_port_),
                                    "--from",
                                    "ann@example.org",
                                    "--hide-informational"};
    all.insert(all.end(), args.begin(), args.end());
    return run_captured(all, std::chrono::seconds(20));
  }
  ProcessRun send(const std::string& to, const std::string& data_file) const {
    return swaks({"--to", to, "--data", data_file});
  }
  int ready_port() const { return ready_port_; }
  int lmtp_port() const { return lmtp_port_; }
  ChildProcess& process() { return *process_; }

 private:
  int lmtp_port_, ready_port_;
  std::unique_ptr<ChildProcess> process_;
};

// A raw LMTP client on 127.0.0.1:`port`: what it reads until `want` shows up (or 5 s pass).
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawClient() { ::close(fd_); }
  void send(const std::string& text) { REQUIRE(::send(fd_, text.data(), text.size(), 0) > 0); }
  std::string read_until(const std::string& want) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    char buf[4096];
    while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

 private:
  int fd_;
};

// routerd at `address`, plaintext, with the test center's gateway token.
std::string plain_routerd(const std::string& address) {
  return "routerd: {addresses: \"" + address + "\", token: it-gateway-token-0001, timeout_s: 2}\n";
}

// The interaction id in a "250 2.0.0 <rcpt> queued as m-..." reply. (Not std::regex: GCC 12's
// -O2 -Wmaybe-uninitialized trips over its std::function internals under ASan.)
std::string queued_as(const std::string& swaks_out) {
  const std::string marker = "queued as m-";
  const size_t at = swaks_out.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string id = swaks_out.substr(at + marker.size() - 2, 34);
  REQUIRE(id.size() == 34);
  REQUIRE(id.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  return id;
}

}  // namespace

TEST_CASE("routermail: a delivered mail becomes an EMAIL interaction, once", "[routermail]") {
  RouterFixture fx;
  const int metrics_port = free_port();
  Routermail mail(fx.files().dir(), plain_routerd(fx.server().address()),
                  "metrics_listen: \"127.0.0.1:" + std::to_string(metrics_port) + "\"\n");
  const auto metric = [&](const std::string& result) {
    return http_get(metrics_port, "/metrics")
               .second.find("routermail_deliveries_total{result=\"" + result + "\"} 1") !=
           std::string::npos;
  };
  const auto msg = fx.files().dir() / "invoice.eml";
  std::ofstream(msg) << "From: Ann <ann@example.org>\r\nTo: billing@example.com\r\n"
                        "Subject: Invoice 42\r\nMessage-ID: <inv-42@example.org>\r\n"
                        "In-Reply-To: <ticket-7@example.com>\r\n"
                        "References: <ticket-6@example.com> <ticket-7@example.com>\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                        "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n"
                        "Content-Type: application/pdf\r\nContent-Disposition: attachment; "
                        "filename=i.pdf\r\n\r\nJVBERi0=\r\n--b--\r\n";
  const ProcessRun first = mail.send("billing@example.com", msg.string());
  INFO(first);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Contains("250 2.0.0 <billing@example.com> queued as m-"));
  const std::string id = queued_as(first.out);
  // routerd had it before the 250.
  auto got = fx.get_interaction(id);
  INFO(describe(got.status));
  REQUIRE(got.ok());
  CHECK(got.value.channel() == v1::EMAIL);
  CHECK(got.value.queue() == "email-billing");
  CHECK(got.value.email().from() == "ann@example.org");
  CHECK(got.value.email().subject() == "Invoice 42");
  CHECK(got.value.email().message_id() == "inv-42@example.org");
  CHECK(got.value.email().in_reply_to() == "ticket-7@example.com");
  CHECK(got.value.email().references_size() == 2);
  CHECK(got.value.attributes().at("attachments") == "1");
  CHECK(metric("delivered"));

  SECTION("the same mail delivered again is the same interaction") {
    const ProcessRun again = mail.send("billing@example.com", msg.string());
    INFO(again);
    CHECK_THAT(again.out, Contains("queued as " + id + " (delivered before)"));
    CHECK(waiting_in(fx, "email-billing").size() == 1);
    CHECK(metric("duplicate"));
  }
  SECTION("8-bit headers arrive as UTF-8, broken MIME is still taken") {
    const auto latin1 = fx.files().dir() / "latin1.eml";
    std::ofstream(latin1) << "From: j@example.de\r\nSubject: Gr\xfc\xdf"
                             "e aus K\xf6ln\r\nMessage-ID: <l1@example.de>\r\n"
                             "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
                             "Content-Type: text/plain\r\n\r\nthe end boundary never comes\r\n";
    const ProcessRun r = mail.send("billing@example.com", latin1.string());
    INFO(r);
    const auto e = fx.get_interaction(queued_as(r.out));
    REQUIRE(e.ok());
    CHECK(e.value.email().subject() == "Grüße aus Köln");
  }
  SECTION("a message over max_message_bytes is refused with 552 and not submitted") {
    const auto big = fx.files().dir() / "big.eml";
    std::ofstream out(big);
    out << "Subject: big\r\nMessage-ID: <big@x>\r\n\r\n";
    for (int i = 0; i < 2000; ++i) out << std::string(70, 'x') << "\r\n";
    out.close();
    const ProcessRun r = mail.send("billing@example.com", big.string());
    INFO(r);
    CHECK_THAT(r.out, Contains("552 5.3.4 message larger than 65536 bytes"));
    CHECK(waiting_in(fx, "email-billing").size() == 1);
    CHECK(metric("too_big"));
  }
  SECTION("a mailbox with no entry point is refused with 550, the others taken") {
    const ProcessRun r = mail.swaks({"--to", "billing@example.com,nobody@example.net", "--header",
                                     "Subject: two mailboxes", "--body", "hi"});
    INFO(r);
    CHECK_THAT(r.out, Contains("250 2.0.0 <billing@example.com> queued as m-"));
    CHECK_THAT(r.out, Contains("550 5.1.1 <nobody@example.net> routerd refused it"));
    CHECK(metric("rejected"));
  }
}

TEST_CASE("routermail: without routerd a mail is deferred with 451 and /ready says so",
          "[routermail]") {
  TempDir dir;
  Routermail mail(dir.path(), plain_routerd("127.0.0.1:" + std::to_string(free_port())));
  const ProcessRun r = mail.swaks({"--to", "billing@example.com", "--body", "hello"});
  INFO(r);
  CHECK_THAT(r.out, Contains("451 4.3.0 <billing@example.com> routerd cannot take it now"));
  REQUIRE(eventually([&] { return http_get(mail.ready_port(), "/ready").first == 503; }, 10s));
  CHECK(http_get(mail.ready_port(), "/ready").second == "routerd_unavailable");
}

TEST_CASE("routermail: SIGTERM tells a connected mail server 421 and exits cleanly",
          "[routermail]") {
  TempDir dir;
  Routermail mail(dir.path(), plain_routerd("127.0.0.1:" + std::to_string(free_port())));
  RawClient client(mail.lmtp_port());
  CHECK_THAT(client.read_until("\r\n"), Contains("220 mx.test LMTP routermail ready"));
  client.send("LHLO client.test\r\n");
  CHECK_THAT(client.read_until("250 SIZE"), Contains("250 SIZE 65536"));
  REQUIRE(mail.process().signal(SIGTERM));
  CHECK_THAT(client.read_until("\r\n"), Contains("421 4.3.2 mx.test shutting down"));
  const auto status = mail.process().wait_exit(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("routermail: mutual TLS to routerd, the token from a file", "[routermail][tls]") {
  TlsCenter center(/*mutual=*/true);
  const CenterFiles& files = center.files;
  const TestPki& pki = center.pki;
  center.pki.client("mail");
  auto daemon = center.start();
  const std::string address = daemon->address();
  std::ofstream(files.dir() / "mail.token") << "it-gateway-token-0001\n";

  Routermail tls(files.dir(), "routerd:\n  addresses: \"" + address + "\"\n  token_file: \"" +
                                  (files.dir() / "mail.token").string() + "\"\n  tls: {ca: \"" +
                                  pki.ca() + "\", cert: \"" + pki.path("mail.crt") + "\", key: \"" +
                                  pki.path("mail.key") + "\"}\n");
  const ProcessRun r = tls.swaks({"--to", "billing@example.com", "--body", "over TLS"});
  INFO(r);
  CHECK_THAT(r.out, Contains("250 2.0.0 <billing@example.com> queued as m-"));
  REQUIRE(eventually([&] { return http_get(tls.ready_port(), "/ready").first == 200; }, 10s));

  // Without TLS the same routerd cannot be reached: deferred, not lost.
  Routermail plain(files.dir(), plain_routerd(address));
  const ProcessRun p = plain.swaks({"--to", "billing@example.com", "--body", "plaintext"});
  INFO(p);
  CHECK_THAT(p.out, Contains("451 4.3.0"));
  daemon->shutdown(1s);
}

}  // namespace router::it
