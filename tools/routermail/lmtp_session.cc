// The LMTP state machine. See lmtp_session.h.
#include "tools/routermail/lmtp_session.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace router::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string reply(std::string_view text) { return std::string(text) + std::string(kCrlf); }

// Case-insensitive prefix match.
bool starts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "<a@b> SIZE=10 BODY=8BITMIME" after "MAIL FROM:" / "RCPT TO:": the path without its angle
// brackets (nothing when malformed) and the parameters after it.
bool split_path(std::string_view args, std::string& path, std::string_view& params) {
  args = trim(args);
  if (args.empty() || args.front() != '<') return false;
  const size_t close = args.find('>');
  if (close == std::string_view::npos) return false;
  path.assign(args.substr(1, close - 1));
  params = trim(args.substr(close + 1));
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x21 || c == '<' || c == '>') return false;
  }
  return true;
}

// The value of SIZE=n among ESMTP parameters; -1 when absent or malformed.
long long size_param(std::string_view params) {
  while (!params.empty()) {
    const size_t space = params.find(' ');
    const std::string_view p = params.substr(0, space);
    params = space == std::string_view::npos ? std::string_view() : trim(params.substr(space));
    if (starts_with(p, "SIZE=")) {
      long long n = -1;
      const auto v = p.substr(5);
      if (std::from_chars(v.data(), v.data() + v.size(), n).ec != std::errc()) return -1;
      return n;
    }
  }
  return -1;
}

}  // namespace

LmtpSession::LmtpSession(SessionLimits limits, std::string hostname, Deliver deliver,
                         TooBig too_big)
    : limits_(limits),
      hostname_(std::move(hostname)),
      deliver_(std::move(deliver)),
      on_too_big_(std::move(too_big)) {}

std::string LmtpSession::greeting() const {
  return reply("220 " + hostname_ + " LMTP routermail ready");
}

void LmtpSession::reset() {
  envelope_ = Envelope{};
  message_.clear();
  too_big_ = false;
  if (state_ != State::kStart) state_ = State::kReady;
}

std::string LmtpSession::on_line(std::string_view line) {
  if (state_ != State::kData) return command(line);
  if (line == ".") return end_of_data();
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // dot-unstuffing
  if (too_big_) return {};
  if (message_.size() + line.size() + 2 > limits_.max_message_bytes) {
    too_big_ = true;  // read on to the end, keep nothing
    message_.clear();
    message_.shrink_to_fit();
    return {};
  }
  message_.append(line);
  message_.append(kCrlf);
  return {};
}

std::string LmtpSession::end_of_data() {
  std::string out;
  if (too_big_) {
    if (on_too_big_) on_too_big_(envelope_.recipients.size());
    for (size_t i = 0; i < envelope_.recipients.size(); ++i) {
      out += reply("552 5.3.4 message larger than " + std::to_string(limits_.max_message_bytes) +
                   " bytes");
    }
  } else {
    const std::vector<std::string> replies = deliver_(envelope_, message_);
    for (size_t i = 0; i < envelope_.recipients.size(); ++i) {
      out += reply(i < replies.size() ? replies[i] : "451 4.3.0 no reply for this recipient");
    }
  }
  reset();  // back to kReady for the next transaction
  return out;
}

std::string LmtpSession::command(std::string_view line) {
  if (line.size() + 2 > limits_.max_line_bytes) return reply("500 5.5.2 line too long");
  const std::string_view verb = line.substr(0, line.find(' '));
  const std::string_view args = line.size() > verb.size() ? line.substr(verb.size() + 1) : "";
  if (starts_with(verb, "LHLO") && verb.size() == 4) {
    if (trim(args).empty()) return reply("501 5.5.4 LHLO needs a host name");
    state_ = State::kReady;
    reset();
    return reply("250-" + hostname_) + reply("250-PIPELINING") + reply("250-ENHANCEDSTATUSCODES") +
           reply("250-8BITMIME") + reply("250 SIZE " + std::to_string(limits_.max_message_bytes));
  }
  if ((starts_with(verb, "HELO") || starts_with(verb, "EHLO")) && verb.size() == 4) {
    return reply("500 5.5.1 this is LMTP: say LHLO");
  }
  if (starts_with(verb, "QUIT") && verb.size() == 4) {
    closed_ = true;
    return reply("221 2.0.0 " + hostname_ + " closing");
  }
  if (starts_with(verb, "NOOP") && verb.size() == 4) return reply("250 2.0.0 OK");
  if (starts_with(verb, "RSET") && verb.size() == 4) {
    reset();
    return reply("250 2.0.0 OK");
  }
  if (starts_with(verb, "VRFY") && verb.size() == 4) {
    return reply("252 2.5.0 cannot verify; send it and routerd will route it");
  }
  if (state_ == State::kStart) return reply("503 5.5.1 say LHLO first");
  if (starts_with(line, "MAIL FROM:")) {
    if (state_ != State::kReady) return reply("503 5.5.1 nested MAIL command");
    std::string path;
    std::string_view params;
    if (!split_path(line.substr(10), path, params)) {
      return reply("501 5.1.7 bad sender address syntax");
    }
    const long long size = size_param(params);
    if (size > static_cast<long long>(limits_.max_message_bytes)) {
      return reply("552 5.3.4 message larger than " + std::to_string(limits_.max_message_bytes) +
                   " bytes");
    }
    envelope_.mail_from = path;
    state_ = State::kMail;
    return reply("250 2.1.0 OK");
  }
  if (starts_with(line, "RCPT TO:")) {
    if (state_ != State::kMail) return reply("503 5.5.1 need MAIL before RCPT");
    std::string path;
    std::string_view params;
    if (!split_path(line.substr(8), path, params) || path.empty()) {
      return reply("501 5.1.3 bad recipient address syntax");
    }
    if (envelope_.recipients.size() >= limits_.max_recipients) {
      return reply("452 4.5.3 too many recipients");
    }
    envelope_.recipients.push_back(path);
    return reply("250 2.1.5 OK");
  }
  if (starts_with(verb, "DATA") && verb.size() == 4) {
    if (state_ != State::kMail || envelope_.recipients.empty()) {
      return reply("503 5.5.1 need RCPT before DATA");
    }
    state_ = State::kData;
    message_.clear();
    too_big_ = false;
    return reply("354 end data with <CRLF>.<CRLF>");
  }
  return reply("500 5.5.2 unknown command");
}

}  // namespace router::mail
