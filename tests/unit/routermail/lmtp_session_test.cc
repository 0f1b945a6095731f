// The LMTP state machine (tools/routermail/lmtp_session.h) line by line, with a fake delivery:
// the greeting and LHLO, command order, SIZE, dot-unstuffing, one reply per recipient after
// DATA, the size limit, the recipient limit, RSET and QUIT.
#include "tools/routermail/lmtp_session.h"

#include <catch2/catch.hpp>

namespace router::mail {
namespace {

struct Fake {
  std::vector<Envelope> envelopes;
  std::vector<std::string> messages;
  size_t too_big = 0;
  LmtpSession session{
      SessionLimits{.max_message_bytes = 64, .max_recipients = 2, .max_line_bytes = 1000},
      "mx.test",
      [this](const Envelope& e, const std::string& m) {
        envelopes.push_back(e);
        messages.push_back(m);
        std::vector<std::string> out;
        for (const std::string& r : e.recipients) {
          out.push_back(r.rfind("bad", 0) == 0 ? "550 5.1.1 no" : "250 2.0.0 ok");
        }
        return out;
      },
      [this](size_t n) { too_big += n; }};
  std::string say(std::string_view line) { return session.on_line(line); }
  void lhlo_mail_rcpt(std::initializer_list<std::string_view> rcpts) {
    REQUIRE(say("LHLO client.test").find("250 SIZE 64\r\n") != std::string::npos);
    REQUIRE(say("MAIL FROM:<ann@example.org>") == "250 2.1.0 OK\r\n");
    for (std::string_view r : rcpts) {
      REQUIRE(say("RCPT TO:<" + std::string(r) + ">") == "250 2.1.5 OK\r\n");
    }
  }
};

}  // namespace

TEST_CASE("LMTP: greeting, LHLO with its extensions, and HELO refused", "[routermail][lmtp]") {
  Fake f;
  CHECK(f.session.greeting() == "220 mx.test LMTP routermail ready\r\n");
  CHECK(f.say("HELO client") == "500 5.5.1 this is LMTP: say LHLO\r\n");
  CHECK(f.say("MAIL FROM:<a@b>") == "503 5.5.1 say LHLO first\r\n");
  CHECK(f.say("LHLO client.test") ==
        "250-mx.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
        "250 SIZE 64\r\n");
  CHECK(f.say("lhlo") == "501 5.5.4 LHLO needs a host name\r\n");
  CHECK(f.say("NOOP") == "250 2.0.0 OK\r\n");
  CHECK(f.say("FOO bar") == "500 5.5.2 unknown command\r\n");
  CHECK(f.say("QUIT") == "221 2.0.0 mx.test closing\r\n");
  CHECK(f.session.closed());
}

TEST_CASE("LMTP: one reply per recipient after DATA, text dot-unstuffed", "[routermail][lmtp]") {
  Fake f;
  f.lhlo_mail_rcpt({"support@example.com", "bad@example.com"});
  CHECK(f.say("DATA") == "354 end data with <CRLF>.<CRLF>\r\n");
  CHECK(f.session.in_data());
  CHECK(f.say("Subject: hi").empty());
  CHECK(f.say("").empty());
  CHECK(f.say("..leading dot").empty());
  CHECK(f.say(".") == "250 2.0.0 ok\r\n550 5.1.1 no\r\n");
  REQUIRE(f.messages.size() == 1);
  CHECK(f.messages[0] == "Subject: hi\r\n\r\n.leading dot\r\n");
  CHECK(f.envelopes[0].mail_from == "ann@example.org");
  CHECK(f.envelopes[0].recipients ==
        std::vector<std::string>{"support@example.com", "bad@example.com"});
  // The next transaction starts clean.
  CHECK(f.say("RCPT TO:<x@y>") == "503 5.5.1 need MAIL before RCPT\r\n");
}

TEST_CASE("LMTP: order and syntax errors", "[routermail][lmtp]") {
  Fake f;
  REQUIRE(!f.say("LHLO c").empty());
  CHECK(f.say("DATA") == "503 5.5.1 need RCPT before DATA\r\n");
  CHECK(f.say("MAIL FROM:ann@example.org") == "501 5.1.7 bad sender address syntax\r\n");
  CHECK(f.say("MAIL FROM:<>") == "250 2.1.0 OK\r\n");  // the null reverse path (bounces)
  CHECK(f.say("MAIL FROM:<a@b>") == "503 5.5.1 nested MAIL command\r\n");
  CHECK(f.say("RCPT TO:<>") == "501 5.1.3 bad recipient address syntax\r\n");
  CHECK(f.say("DATA") == "503 5.5.1 need RCPT before DATA\r\n");
  CHECK(f.say("RSET") == "250 2.0.0 OK\r\n");
  CHECK(f.say("RCPT TO:<a@b>") == "503 5.5.1 need MAIL before RCPT\r\n");
  CHECK(f.say(std::string(1200, 'x')) == "500 5.5.2 line too long\r\n");
}

TEST_CASE("LMTP: a message over the limit is refused with 552, by SIZE or by its text",
          "[routermail][lmtp]") {
  Fake f;
  REQUIRE(!f.say("LHLO c").empty());
  CHECK(f.say("MAIL FROM:<a@b> SIZE=65") == "552 5.3.4 message larger than 64 bytes\r\n");
  CHECK(f.say("MAIL FROM:<a@b> SIZE=64 BODY=8BITMIME") == "250 2.1.0 OK\r\n");
  REQUIRE(f.say("RCPT TO:<s@x>") == "250 2.1.5 OK\r\n");
  REQUIRE(f.say("RCPT TO:<t@x>") == "250 2.1.5 OK\r\n");
  CHECK(f.say("RCPT TO:<u@x>") == "452 4.5.3 too many recipients\r\n");
  REQUIRE(!f.say("DATA").empty());
  for (int i = 0; i < 10; ++i) CHECK(f.say("0123456789").empty());
  CHECK(f.say(".") ==
        "552 5.3.4 message larger than 64 bytes\r\n552 5.3.4 message larger than 64 bytes\r\n");
  CHECK(f.messages.empty());  // nothing delivered
  CHECK(f.too_big == 2);
}

}  // namespace router::mail
