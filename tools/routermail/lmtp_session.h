// One LMTP conversation (RFC 2033) as a state machine: lines in, replies out. No sockets, no
// clock: the server (server.h) feeds it the lines it reads and writes back what it answers, and
// `deliver` hands a finished message to routerd. LHLO, MAIL FROM (SIZE, BODY), RCPT TO, DATA
// (dot-unstuffed, counted against max_message_bytes), RSET, NOOP, VRFY, QUIT; after DATA one
// reply per accepted recipient, as LMTP requires. docs/routermail.md has the replies.
// Not thread-safe: one connection's thread owns it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace router::mail {

struct SessionLimits {
  size_t max_message_bytes = 25 * 1024 * 1024;  // the message as received, after unstuffing
  size_t max_recipients = 100;                  // per transaction
  size_t max_line_bytes = 1000;                 // a command line, CRLF included (RFC 5321)
};

struct Envelope {
  std::string mail_from;                // may be empty (the null reverse path <>)
  std::vector<std::string> recipients;  // as accepted by RCPT, in order
};

// The reply for each recipient of `envelope`, in order: "250 2.0.0 ...", "451 4.3.0 ...",
// "550 5.1.1 ...". REQUIRES: exactly envelope.recipients.size() replies.
using Deliver =
    std::function<std::vector<std::string>(const Envelope& envelope, const std::string& message)>;

// Told how many recipients' copies a message over max_message_bytes was refused for (552).
using TooBig = std::function<void(size_t recipients)>;

class LmtpSession {
 public:
  LmtpSession(SessionLimits limits, std::string hostname, Deliver deliver, TooBig too_big = {});

  // "220 <hostname> LMTP routermail ready".
  std::string greeting() const;
  // One line as read, without its CRLF. Returns what to send back: nothing (inside DATA), or
  // one or more reply lines, each ending in CRLF.
  std::string on_line(std::string_view line);
  // After QUIT (or a protocol error that ends the session): close the connection.
  bool closed() const { return closed_; }
  // Inside DATA: lines are message text, not commands.
  bool in_data() const { return state_ == State::kData; }

 private:
  enum class State { kStart, kReady, kMail, kData };
  std::string command(std::string_view line);
  std::string end_of_data();
  void reset();

  SessionLimits limits_;
  std::string hostname_;
  Deliver deliver_;
  TooBig on_too_big_;
  State state_ = State::kStart;
  Envelope envelope_;
  std::string message_;
  bool too_big_ = false;
  bool closed_ = false;
};

}  // namespace router::mail
