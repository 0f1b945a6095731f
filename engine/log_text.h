// Text bound for a log line, and the masks for personal data in it. Every value that came from
// outside (a client, a file, a store) goes into a log line through log_text(): its control
// characters cannot forge a line and its phone numbers and email addresses are masked the same
// way everywhere (docs/security.md, "Logs and personal data"). Plain functions: any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace router::engine {

// Longest a value may run in a log line, in bytes of the original text; the rest is cut ("...").
inline constexpr size_t kMaxLogTextBytes = 256;

// `text` as one key=value value: phone-number-like runs (7 to 15 digits, optionally "+"-led and
// split by single spaces, dots, dashes or parentheses, not touching a letter or digit) masked
// as mask_phone() does, email addresses as mask_email() does; then quotes, backslashes and
// control characters escaped (\n, \r, \t, \xNN); cut at `max_bytes`. Bare when the result is
// one plain word (letters, digits and . _ - + : / @ * only), in double quotes otherwise, so a
// value can neither end its line nor start a field of its own.
std::string log_text(std::string_view text, size_t max_bytes = kMaxLogTextBytes);

// "+18005550100" → "+1800*****00": the leading digits (country code and, in the NANP, area
// code) and the last two, at least four digits masked. Anything that is not E.164 has every
// digit but the last two masked.
std::string mask_phone(std::string_view e164);

// "john.doe@example.com" → "j***@example.com". No '@': "***".
std::string mask_email(std::string_view email);

}  // namespace router::engine
