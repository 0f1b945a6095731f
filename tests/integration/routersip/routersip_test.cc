// routersip end to end (issue 20, part 1; docs/routersip.md): SIPp (Debian sip-tester) plays the
// callers on a trunk and the agents' phones, on loopback, against the real routersip binary,
// which talks to a real routerd (the test center, in process) over its GatewayStream and an
// AgentLink. A full call (queued, rung, bridged with each side's SDP, completed by the agent's
// hang-up); abandons while queued and while the phone rings; an agent whose phone is not
// answered (the offer times out, the next agent's phone rings, the first is READY again later);
// a busy phone; 200 concurrent calls, each bridged or abandoned and none left hanging; malformed
// SIP answered with SIP errors; no routerd: 503 and /ready says so; mutual TLS to routerd.
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

constexpr char kLinkToken[] = "it-sip-link-token-0001";
const std::string kScenarios = ROUTERSIP_SCENARIOS;

// The test center with `extra` more support agents (p01, p02, ...), the AGENT_LINK token that
// routersip's phone agents are on, and `wrap_up_s` on phone-support.
CenterOptions sip_center(int extra = 0, const std::string& wrap_up_s = "30") {
  CenterOptions o;
  std::string names = "ana, ben, cara, dev";
  std::string agents;
  for (int i = 1; i <= extra; ++i) {
    const std::string name = (i < 10 ? "p0" : "p") + std::to_string(i);
    names += ", " + name;
    agents += "  - {name: " + name + ", languages: [en], skills: [{skill: support, level: 5}]}\n";
  }
  o.extra_tokens = std::string("    - {token: \"") + kLinkToken +
                   "\", role: AGENT_LINK, name: it-sip, agents: [" + names + "]}\n";
  o.edit = [agents, wrap_up_s](std::string yaml) {
    yaml = replace_once(std::move(yaml), "    offer_timeout_s: 1\n    wrap_up_s: 30\n",
                        "    offer_timeout_s: 1\n    wrap_up_s: " + wrap_up_s + "\n");
    return replace_once(std::move(yaml), "\nentry_points:", agents + "\nentry_points:");
  };
  return o;
}

// routerd at `address`, plaintext, with the test center's gateway token and the link token.
std::string plain_routerd(const std::string& address) {
  return "routerd: {addresses: \"" + address +
         "\", token: it-gateway-token-0001, agent_link_token: " + kLinkToken +
         ", gateway: it-gateway, timeout_s: 2}\n";
}

// routersip on free ports, its configuration and log in `dir`. `phones`: agent → the port of the
// SIPp playing its phone.
class Routersip {
 public:
  Routersip(const std::filesystem::path& dir, const std::string& routerd,
            const std::vector<std::pair<std::string, int>>& phones, int ready_after_missed_s = 60,
            bool wait_ready = true)
      : sip_port_(free_port()), metrics_port_(free_port()), ready_port_(free_port()) {
    const auto config = dir / ("routersip-" + std::to_string(sip_port_) + ".yaml");
    std::ofstream out(config);
    out << "sip: {listen: \"127.0.0.1:" << sip_port_ << "\"}\n"
        << "agents:\n  ready_after_missed_s: " << ready_after_missed_s << "\n  phones:\n";
    for (const auto& [agent, port] : phones) {
      out << "    - {agent: " << agent << ", uri: \"sip:" << agent << "@127.0.0.1:" << port
          << "\"}\n";
    }
    out << routerd << "metrics_listen: \"127.0.0.1:" << metrics_port_ << "\"\n"
        << "readiness_listen: \"127.0.0.1:" << ready_port_ << "\"\n";
    out.close();
    ChildOptions options;
    options.out = ChildOutput::kLog;
    options.err = ChildOutput::kLog;
    options.log = dir / ("routersip-" + std::to_string(sip_port_) + ".log");
    log_ = options.log;
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ROUTERSIP_PATH, "--config", config.string()}, options);
    // Ready once both streams to routerd are up (its agents logged in).
    if (wait_ready) {
      REQUIRE(eventually([&] { return http_get(ready_port_, "/ready").first == 200; }, 10s));
    }
  }
  ~Routersip() {
    if (process_->running()) process_->terminate(std::chrono::seconds(8));
  }

  int port() const { return sip_port_; }
  int ready_port() const { return ready_port_; }
  ChildProcess& process() { return *process_; }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The value of the metric line that starts with `series` (0 when absent).
  double metric(const std::string& series) const {
    const std::string body = http_get(metrics_port_, "/metrics").second;
    const size_t at = body.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(body.substr(at + series.size() + 2));
  }

 private:
  int sip_port_, metrics_port_, ready_port_;
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> process_;
};

// SIPp with `scenario` (a file in scenarios/), its errors in `dir`.
std::vector<std::string> sipp_args(const std::filesystem::path& dir, const std::string& scenario,
                                   const std::string& tag) {
  return {"sipp",       "-sf",         kScenarios + "/" + scenario + ".xml",
          "-i",         "127.0.0.1",   "-nostdin",
          "-trace_err", "-error_file", (dir / ("sipp-" + tag + "-errors.log")).string(),
          "-timeout",   "60s",         "-timeout_error"};
}

// An agent's phone: SIPp as a UAS on a free port, for `calls` calls, talking `talk_ms`.
class Phone {
 public:
  Phone(const std::filesystem::path& dir, const std::string& scenario, int calls, int talk_ms = 300)
      : port_(free_port()) {
    auto args = sipp_args(dir, scenario, "phone-" + std::to_string(port_));
    for (const std::string& a :
         {std::string("-p"), std::to_string(port_), std::string("-m"), std::to_string(calls),
          std::string("-d"), std::to_string(talk_ms)}) {
      args.push_back(a);
    }
    ChildOptions options;
    options.out = ChildOutput::kNull;
    options.err = ChildOutput::kLog;
    options.log = dir / ("phone-" + std::to_string(port_) + ".log");
    options.stdin_null = true;
    process_ = std::make_unique<ChildProcess>(args, options);
    std::this_thread::sleep_for(300ms);  // SIPp binds its port
  }
  int port() const { return port_; }
  // SIPp's exit status once its calls are done: 0 when every one went as the scenario says.
  std::optional<int> done(Millis timeout = 20s) { return process_->wait_exit(timeout); }

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// Callers: SIPp as a UAC sending `calls` calls to `dnis` at routersip, Call-IDs "<tag>-N", the
// caller's number `ani` (default Ada's, +1 415 555 0100). `extra`: more SIPp options (-d, -r, -l).
ProcessRun callers(const std::filesystem::path& dir, const Routersip& sip,
                   const std::string& scenario, const std::string& dnis, int calls,
                   const std::string& tag, std::vector<std::string> extra = {},
                   const std::string& ani = "+14155550100") {
  auto args = sipp_args(dir, scenario, tag);
  for (const std::string& a :
       {std::string("127.0.0.1:") + std::to_string(sip.port()), std::string("-s"), dnis,
        std::string("-key"), std::string("ani"), ani, std::string("-m"), std::to_string(calls),
        std::string("-cid_str"), tag + "-%u"}) {
    args.push_back(a);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return run_captured(args, 90s);
}

std::string sipp_errors(const std::filesystem::path& dir, const std::string& tag) {
  std::ifstream in(dir / ("sipp-" + tag + "-errors.log"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The dialled numbers of the test center: support (offer timeout 1 s) and sales (5 s).
constexpr char kSupport[] = "18005550100";
constexpr char kSales[] = "18005550199";

}  // namespace

TEST_CASE("routersip: a call is queued, rung at the agent's phone, bridged and completed",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  Phone ana(dir, "phone_answers", 1);
  Routersip sip(dir, plain_routerd(fx.server().address()), {{"ana", ana.port()}});

  const ProcessRun run = callers(dir, sip, "caller", kSupport, 1, "full");
  INFO(run.out << sipp_errors(dir, "full") << sip.log());
  CHECK(run.exit_code == 0);  // 180 while queued, 200 with the agent's SDP, the agent's BYE
  CHECK(ana.done() == 0);     // rung with the caller's SDP, answered, hung up

  // routerd had it as a PHONE interaction with the IVR's headers, and the agent completed it.
  const auto got = fx.get_interaction("sip-full-1");
  REQUIRE(got.ok());
  CHECK(got.value.channel() == v1::PHONE);
  CHECK(got.value.agent() == "ana");
  // Matched by the caller's number, which only P-Asserted-Identity carries (From is anonymous).
  CHECK(got.value.phone().ani() == "+14155550100");
  CHECK(got.value.attributes().at("caller_name") == "Caller 1");  // its display name too
  CHECK(got.value.customer().customer_id() == "C1");
  CHECK(got.value.phone().dnis() == "+18005550100");
  CHECK(got.value.language() == "en");
  CHECK(got.value.phone().ivr_path() == "main>support");
  CHECK(eventually([&] { return fx.get_interaction("sip-full-1").value.state() == v1::WRAP_UP; },
                   5s));
  CHECK(
      eventually([&] { return sip.metric("routersip_calls_total{result=\"bridged\"}") == 1; }, 5s));
  CHECK(sip.metric("routersip_agent_legs_total{result=\"answered\"}") == 1);
  CHECK(eventually([&] { return sip.metric("routersip_calls") == 0; }, 5s));
}

TEST_CASE("routersip: a caller who hangs up while queued or while the phone rings abandons",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  SECTION("queued: nobody who can take it is ready") {
    // cara, routersip's only phone agent, has no support skill: the call waits.
    Routersip sip(dir, plain_routerd(fx.server().address()), {{"cara", free_port()}});
    const ProcessRun run = callers(dir, sip, "abandoner", kSupport, 1, "queued", {"-d", "1000"});
    INFO(run.out << sipp_errors(dir, "queued") << sip.log());
    CHECK(run.exit_code == 0);  // CANCEL: 200, then 487 for the INVITE
    CHECK(eventually(
        [&] { return fx.get_interaction("sip-queued-1").value.state() == v1::ABANDONED; }, 5s));
    CHECK(fx.get_interaction("sip-queued-1").value.phone().ani() == "+14155550100");  // From's
    CHECK(eventually([&] { return sip.metric("routersip_calls_total{result=\"abandoned\"}") == 1; },
                     5s));
  }
  SECTION("ringing: the agent's phone is cancelled too, and the agent stays READY") {
    Phone ana(dir, "phone_rings", 1);
    Routersip sip(dir, plain_routerd(fx.server().address()), {{"ana", ana.port()}});
    // Sales offers ring for 5 s; the caller gives up after 1.5 s.
    const ProcessRun run = callers(dir, sip, "abandoner", kSales, 1, "ringing", {"-d", "1500"});
    INFO(run.out << sipp_errors(dir, "ringing") << sip.log());
    CHECK(run.exit_code == 0);
    CHECK(ana.done() == 0);  // its INVITE was cancelled
    CHECK(eventually(
        [&] { return fx.get_interaction("sip-ringing-1").value.state() == v1::ABANDONED; }, 5s));
    CHECK(eventually([&] { return fx.agent_status("ana")->state() == v1::READY; }, 5s));
  }
}

TEST_CASE("routersip: an unanswered phone times the offer out and the next agent's phone rings",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  Phone ana(dir, "phone_rings", 1);    // the best agent for support: rung first, never answers
  Phone ben(dir, "phone_answers", 1);  // the next
  Routersip sip(dir, plain_routerd(fx.server().address()),
                {{"ana", ana.port()}, {"ben", ben.port()}},
                /*ready_after_missed_s=*/4);

  const ProcessRun run = callers(dir, sip, "caller", kSupport, 1, "noanswer");
  INFO(run.out << sipp_errors(dir, "noanswer") << sip.log());
  CHECK(run.exit_code == 0);
  CHECK(ana.done() == 0);  // rung, then cancelled when the 1 s offer timed out
  CHECK(ben.done() == 0);  // rung and answered
  CHECK(fx.get_interaction("sip-noanswer-1").value.agent() == "ben");
  // ana missed it: NOT_READY "missed", as routerd does for every missed offer; routersip makes
  // her READY again after agents.ready_after_missed_s.
  const auto missed = fx.agent_status("ana");
  REQUIRE(missed.has_value());
  CHECK(missed->state() == v1::NOT_READY);
  CHECK(missed->reason() == "missed");
  CHECK(eventually([&] { return fx.agent_status("ana")->state() == v1::READY; }, 8s));
  CHECK(sip.metric("routersip_agent_legs_total{result=\"no_answer\"}") == 1);
}

TEST_CASE("routersip: a busy phone rejects the offer and the next agent's phone rings",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  Phone ana(dir, "phone_busy", 1);
  Phone ben(dir, "phone_answers", 1);
  Routersip sip(dir, plain_routerd(fx.server().address()),
                {{"ana", ana.port()}, {"ben", ben.port()}});

  const ProcessRun run = callers(dir, sip, "caller", kSupport, 1, "busy");
  INFO(run.out << sipp_errors(dir, "busy") << sip.log());
  CHECK(run.exit_code == 0);
  CHECK(ana.done() == 0);  // 486
  CHECK(ben.done() == 0);
  CHECK(fx.get_interaction("sip-busy-1").value.agent() == "ben");
  // A busy phone is a reject, not a miss: ana stays READY for the next call.
  CHECK(fx.agent_status("ana")->state() == v1::READY);
  CHECK(sip.metric("routersip_agent_legs_total{result=\"busy\"}") == 1);
}

TEST_CASE("routersip: a caller id routerd cannot read is routed as anonymous, not refused",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  Phone ana(dir, "phone_answers", 1);
  Routersip sip(dir, plain_routerd(fx.server().address()), {{"ana", ana.port()}});
  // P-Asserted-Identity carries "not-a-number".
  const ProcessRun run = callers(dir, sip, "caller", kSupport, 1, "badani", {}, "not-a-number");
  INFO(run.out << sipp_errors(dir, "badani") << sip.log());
  CHECK(run.exit_code == 0);
  CHECK(ana.done() == 0);
  const auto got = fx.get_interaction("sip-badani-1");
  REQUIRE(got.ok());
  CHECK(got.value.phone().ani() == "anonymous");
  CHECK(got.value.attributes().at("caller_id_as_sent") == "not-a-number");
}

TEST_CASE("routersip: 200 concurrent calls are each bridged or abandoned, none left hanging",
          "[routersip][load]") {
  constexpr int kAgents = 20, kPatient = 150, kImpatient = 50;
  RouterFixture fx(sip_center(kAgents, "0"));
  const auto& dir = fx.files().dir();
  // One SIPp plays every agent's phone (each agent's URI names its own user at that port).
  Phone phones(dir, "phone_answers", kPatient, /*talk_ms=*/300);
  std::vector<std::pair<std::string, int>> agents;
  for (int i = 1; i <= kAgents; ++i) {
    agents.push_back({(i < 10 ? "p0" : "p") + std::to_string(i), phones.port()});
  }
  Routersip sip(dir, plain_routerd(fx.server().address()), agents);

  // 150 callers to support wait for an agent; 50 to sales (none of routersip's agents has the
  // skill) hang up after 2 s. All 200 arrive within a second and are in progress at once.
  std::thread impatient_thread;
  ProcessRun impatient;
  impatient_thread = std::thread([&] {
    impatient = callers(dir, sip, "abandoner", kSales, kImpatient, "load-abandon",
                        {"-d", "2000", "-r", "200", "-l", "200"});
  });
  const ProcessRun patient =
      callers(dir, sip, "caller", kSupport, kPatient, "load-call", {"-r", "200", "-l", "200"});
  impatient_thread.join();
  INFO(patient.out << sipp_errors(dir, "load-call") << impatient.out
                   << sipp_errors(dir, "load-abandon"));
  CHECK(patient.exit_code == 0);    // every patient caller was bridged and hung up on
  CHECK(impatient.exit_code == 0);  // every impatient one got 487 for its INVITE
  CHECK(phones.done(30s) == 0);     // every phone call answered and ended

  // None left hanging: no call in routersip, none waiting or ringing in routerd, every
  // interaction finished.
  CHECK(eventually([&] { return sip.metric("routersip_calls") == 0; }, 10s));
  CHECK(sip.metric("routersip_calls_total{result=\"bridged\"}") == kPatient);
  CHECK(sip.metric("routersip_calls_total{result=\"abandoned\"}") == kImpatient);
  CHECK(fx.queue_stats("phone-support")->waiting() == 0);
  CHECK(fx.queue_stats("phone-sales")->waiting() == 0);
  int unfinished = 0;
  for (int i = 1; i <= kPatient; ++i) {
    const auto s = fx.get_interaction("sip-load-call-" + std::to_string(i)).value.state();
    unfinished += (s == v1::WRAP_UP || s == v1::COMPLETED) ? 0 : 1;
  }
  for (int i = 1; i <= kImpatient; ++i) {
    unfinished +=
        fx.get_interaction("sip-load-abandon-" + std::to_string(i)).value.state() == v1::ABANDONED
            ? 0
            : 1;
  }
  CHECK(unfinished == 0);
}

TEST_CASE("routersip: malformed SIP is answered with SIP errors and routersip keeps serving",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  Phone ana(dir, "phone_answers", 1);
  Routersip sip(dir, plain_routerd(fx.server().address()), {{"ana", ana.port()}});

  const ProcessRun bad = callers(dir, sip, "malformed", kSupport, 1, "malformed");
  INFO(bad.out << sipp_errors(dir, "malformed"));
  CHECK(bad.exit_code == 0);  // 505, 400, 400, 416, 483, 501, 481 as the scenario expects

  // Bytes that are not SIP at all, and a CSeq that is not a number (answered 400 without a CSeq,
  // which SIPp cannot match): a plain UDP socket.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(sip.port()));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // (Not starting with 0x00 0x01, which Sofia takes for a STUN request and answers in STUN.)
  const std::string garbage("\xff\xfe not sip at all\r\n\r\n", 21);
  const std::string bad_cseq =
      "INVITE sip:18005550100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP "
      "127.0.0.1:9;rport;branch=z9hG4bKx1\r\n"
      "From: <sip:1@127.0.0.1>;tag=x\r\nTo: <sip:18005550100@127.0.0.1>\r\nCall-ID: bad-cseq\r\n"
      "CSeq: abc INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  for (const std::string& m : {garbage, bad_cseq}) {
    REQUIRE(::sendto(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0);
  }
  // The garbage gets no answer; the bad CSeq gets 400, sent back to this socket (rport).
  std::string answers;
  pollfd p{fd, POLLIN, 0};
  while (answers.find("SIP/2.0 400") == std::string::npos && ::poll(&p, 1, 2000) == 1) {
    char buf[2048];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) answers.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  CHECK_THAT(answers, Contains("SIP/2.0 400 Bad CSeq"));

  // Still serving: a call goes through.
  const ProcessRun ok = callers(dir, sip, "caller", kSupport, 1, "after");
  INFO(ok.out << sipp_errors(dir, "after") << sip.log());
  CHECK(ok.exit_code == 0);
  CHECK(ana.done() == 0);
  CHECK(sip.process().running());
}

TEST_CASE("routersip: without routerd calls are answered 503 and /ready says so", "[routersip]") {
  TempDir dir;
  const int nowhere = free_port();
  Routersip sip(dir.path(), plain_routerd("127.0.0.1:" + std::to_string(nowhere)),
                {{"ana", free_port()}}, 60, /*wait_ready=*/false);
  REQUIRE(eventually([&] { return http_get(sip.ready_port(), "/live").first == 200; }, 10s));
  CHECK(http_get(sip.ready_port(), "/ready").first == 503);
  const ProcessRun run = callers(dir.path(), sip, "refused", kSupport, 1, "refused");
  INFO(run.out << sipp_errors(dir.path(), "refused"));
  CHECK(run.exit_code == 0);
  CHECK(sip.metric("routersip_calls_total{result=\"unavailable\"}") == 1);

  // A second routersip on the same SIP port is refused (Sofia's SO_REUSEADDR would let it
  // share the port and take the phone agents over).
  const auto second = dir.path() / "second.yaml";
  std::ofstream(second) << "sip: {listen: \"127.0.0.1:" << sip.port() << "\"}\n"
                        << "agents: {phones: [{agent: ana, uri: \"sip:ana@127.0.0.1:9\"}]}\n"
                        << plain_routerd("127.0.0.1:" + std::to_string(nowhere));
  const ProcessRun twice = run_captured({ROUTERSIP_PATH, "--config", second.string()}, 10s);
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Contains("sip.listen: cannot listen on '127.0.0.1:" +
                                 std::to_string(sip.port()) + "': Address already in use"));

  // SIGTERM: exits 0.
  sip.process().signal(SIGTERM);
  CHECK(sip.process().wait_exit(10s) == 0);
}

TEST_CASE("routersip: SIGTERM answers waiting callers 503, cancels their calls and exits 0",
          "[routersip]") {
  RouterFixture fx(sip_center());
  const auto& dir = fx.files().dir();
  // cara cannot take support calls: the caller waits until routersip stops.
  Routersip sip(dir, plain_routerd(fx.server().address()), {{"cara", free_port()}});
  ProcessRun run;
  std::thread caller([&] { run = callers(dir, sip, "refused", kSupport, 1, "stop"); });
  const bool queued =
      eventually([&] { return fx.get_interaction("sip-stop-1").value.state() == v1::QUEUED; }, 10s);
  sip.process().signal(SIGTERM);
  caller.join();
  REQUIRE(queued);
  INFO(run.out << sipp_errors(dir, "stop") << sip.log());
  CHECK(run.exit_code == 0);  // 180, then 503
  CHECK(sip.process().wait_exit(10s) == 0);
  CHECK(fx.get_interaction("sip-stop-1").value.state() == v1::ABANDONED);
  CHECK(fx.agent_status("cara")->state() == v1::LOGGED_OUT);
}

TEST_CASE(
    "routersip: a routerd restart: /ready follows it, the agents are logged in again and "
    "calls go through again",
    "[routersip]") {
  CenterFiles files(sip_center());
  const std::string listen = "127.0.0.1:" + std::to_string(free_port());
  auto routerd = std::make_unique<RouterdProcess>(files, listen);
  Clients clients(listen);
  REQUIRE(eventually([&] { return clients.health_check().value == kServing; }, 20s));
  Phone ana(files.dir(), "phone_answers", 2);
  Routersip sip(files.dir(), plain_routerd(listen), {{"ana", ana.port()}});
  CHECK(callers(files.dir(), sip, "caller", kSupport, 1, "before").exit_code == 0);

  routerd->signal(SIGTERM);
  REQUIRE(routerd->wait_exit(20s).has_value());
  CHECK(eventually([&] { return http_get(sip.ready_port(), "/ready").first == 503; }, 10s));
  CHECK(sip.metric("routersip_link_up{link=\"agent_link\"}") == 0);
  routerd = std::make_unique<RouterdProcess>(files, listen);  // same address, empty state
  // Reconnected (backoff at most 5 s) and ana logged in again by routersip.
  CHECK(eventually([&] { return http_get(sip.ready_port(), "/ready").first == 200; }, 20s));
  CHECK(eventually(
      [&] {
        const auto a = clients.agent_status("ana");
        return a.has_value() && a->state() == v1::READY;
      },
      10s));
  const ProcessRun after = callers(files.dir(), sip, "caller", kSupport, 1, "after");
  INFO(after.out << sipp_errors(files.dir(), "after") << sip.log() << routerd->log());
  CHECK(after.exit_code == 0);
  CHECK(ana.done() == 0);
}

TEST_CASE("routersip: mutual TLS to routerd, the tokens from files", "[routersip][tls]") {
  TlsCenter center(/*mutual=*/true, sip_center());
  const CenterFiles& files = center.files;
  const TestPki& pki = center.pki;
  center.pki.client("sip");
  auto daemon = center.start();
  std::ofstream(files.dir() / "gateway.token") << "it-gateway-token-0001\n";
  std::ofstream(files.dir() / "link.token") << kLinkToken << "\n";

  Phone ana(files.dir(), "phone_answers", 1);
  Routersip sip(files.dir(),
                "routerd:\n  addresses: \"" + daemon->address() + "\"\n  token_file: \"" +
                    (files.dir() / "gateway.token").string() + "\"\n  agent_link_token_file: \"" +
                    (files.dir() / "link.token").string() +
                    "\"\n  gateway: it-gateway\n  tls: {ca: \"" + pki.ca() + "\", cert: \"" +
                    pki.path("sip.crt") + "\", key: \"" + pki.path("sip.key") + "\"}\n",
                {{"ana", ana.port()}});
  const ProcessRun run = callers(files.dir(), sip, "caller", kSupport, 1, "tls");
  INFO(run.out << sipp_errors(files.dir(), "tls") << sip.log());
  CHECK(run.exit_code == 0);
  CHECK(ana.done() == 0);
  daemon->shutdown(1s);
}

}  // namespace router::it
