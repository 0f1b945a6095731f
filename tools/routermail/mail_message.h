// What routermail reads from a delivered message, with GMime (Debian libgmime-3.0-dev): the
// sender, subject and threading headers an EMAIL submit carries, and the attachments counted
// (never stored). Header values come out as valid UTF-8: RFC 2047 words decoded, raw 8-bit
// bytes read as UTF-8 or else as Latin-1 (GMime's fallback charsets), anything still invalid
// replaced. Thread-safe after init_gmime(): each call parses its own message.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace router::mail {

struct MailFields {
  std::string from;                     // the first From mailbox (address only), or empty
  std::string subject;                  // decoded
  std::string message_id;               // without angle brackets; empty when absent
  std::string in_reply_to;              // the first id of In-Reply-To, without brackets
  std::vector<std::string> references;  // References ids, oldest first
  int attachments = 0;                  // MIME parts marked as attachments
  size_t bytes = 0;                     // the message's size as received
};

// Once per process, before any parse (idempotent).
void init_gmime();

// Reads `message` (headers and body as received, CRLF line ends). Nothing when it is not a
// message at all (no header block GMime can read); a message with broken MIME parts still
// yields its headers.
std::optional<MailFields> parse_mail(const std::string& message);

// A stable id for a message (Message-ID, or without one the whole text) delivered to one
// recipient: "m-" and 32 hex digits. The same message to the same mailbox always gets the same
// id, so a second delivery is the same interaction (SubmitInteraction is idempotent on it).
std::string interaction_id_for(const MailFields& fields, const std::string& message,
                               const std::string& recipient);

}  // namespace router::mail
