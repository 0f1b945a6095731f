// libFuzzer target: routermail's LMTP conversation and message parsing (docs/routermail.md). The
// input is what a mail server (or anyone reaching the port) sends, split into lines at '\n'
// (a trailing '\r' dropped, as the listener does); the first byte picks the size limit. Each
// message that reaches the end of DATA is parsed with GMime and given its interaction ids, as a
// delivery does before it calls routerd. Checked beyond "no crash, no leak": one reply line per
// recipient after DATA, every reply a complete "NNN ..." line, parsed header values valid UTF-8,
// and ids of the fixed shape.
#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/routermail/lmtp_session.h"
#include "tools/routermail/mail_message.h"

namespace mail = router::mail;

namespace {

void check_reply_lines(const std::string& out) {
  size_t at = 0;
  while (at < out.size()) {
    const size_t end = out.find("\r\n", at);
    if (end == std::string::npos || end - at < 4) std::abort();
    if (out[at] < '2' || out[at] > '5') std::abort();
    for (size_t i = at + 1; i < at + 3; ++i) {
      if (out[i] < '0' || out[i] > '9') std::abort();
    }
    if (out[at + 3] != ' ' && out[at + 3] != '-') std::abort();
    at = end + 2;
  }
}

void check_utf8(const std::string& s) {
  if (!g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  mail::SessionLimits limits;
  limits.max_message_bytes = 1024 + 64 * static_cast<size_t>(data[0]);
  limits.max_recipients = 1 + data[0] % 4;
  size_t last_recipients = 0;
  mail::LmtpSession session(
      limits, "fuzz.test", [&](const mail::Envelope& e, const std::string& message) {
        last_recipients = e.recipients.size();
        std::vector<std::string> replies;
        const auto fields = mail::parse_mail(message);
        for (const std::string& r : e.recipients) {
          if (fields) {
            check_utf8(fields->from);
            check_utf8(fields->subject);
            check_utf8(fields->message_id);
            check_utf8(fields->in_reply_to);
            for (const auto& ref : fields->references) check_utf8(ref);
            const std::string id = mail::interaction_id_for(*fields, message, r);
            if (id.size() != 34 || id.compare(0, 2, "m-") != 0) std::abort();
          }
          replies.push_back("250 2.0.0 ok");
        }
        return replies;
      });
  check_reply_lines(session.greeting());
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  while (!rest.empty() && !session.closed()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool was_data = session.in_data();
    last_recipients = 0;
    const std::string out = session.on_line(line);
    check_reply_lines(out);
    // The end of DATA answers once per recipient (delivered or refused as too big).
    if (was_data && line == "." && last_recipients > 0) {
      size_t lines = 0;
      for (size_t i = 0; i + 1 < out.size(); ++i) lines += out[i] == '\r' && out[i + 1] == '\n';
      if (lines != last_recipients) std::abort();
    }
  }
  return 0;
}
