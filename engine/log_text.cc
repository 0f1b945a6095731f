// log_text() and the masks. See log_text.h.
#include "engine/log_text.h"

#include <algorithm>

namespace router::engine {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_phone_separator(char c) { return c == ' ' || c == '.' || c == '-' || c == '(' || c == ')'; }
bool is_email_local(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_email_domain(char c) {
  return is_alnum(c) || c == '.' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_plain(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == ':' || c == '/' ||
         c == '@' || c == '*';
}

// The end of a phone-number-like run starting at `i` (a digit or a "+" before one), or `i`
// when there is none there.
size_t phone_run_end(std::string_view s, size_t i) {
  if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '+')) return i;
  size_t j = i;
  if (s[j] == '+') ++j;
  if (j >= s.size() || !is_digit(s[j])) return i;
  size_t digits = 0;
  size_t end = j;
  size_t separators = 0;  // in a row: "(415) 555" has two
  while (j < s.size()) {
    if (is_digit(s[j])) {
      ++digits;
      end = ++j;
      separators = 0;
    } else if (is_phone_separator(s[j]) && separators < 2) {
      ++separators;
      ++j;
    } else {
      break;
    }
  }
  if (end < s.size() && is_alnum(s[end])) return i;
  if (digits < 7 || digits > 15) return i;
  return end;
}

// Masks the phone numbers and email addresses in `s`.
std::string mask_personal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '@') {
      // The local part is already in `out`: take it back and mask the whole address.
      size_t local = out.size();
      while (local > 0 && is_email_local(out[local - 1])) --local;
      size_t end = i + 1;
      while (end < s.size() && is_email_domain(s[end])) ++end;
      const std::string_view domain = s.substr(i + 1, end - i - 1);
      if (local < out.size() && domain.find('.') != std::string_view::npos) {
        const std::string address = out.substr(local) + std::string(s.substr(i, end - i));
        out.resize(local);
        out += mask_email(address);
        i = end;
        continue;
      }
    } else if (is_digit(c) || c == '+') {
      const size_t end = phone_run_end(s, i);
      if (end > i) {
        std::string run(s.substr(i, end - i));
        std::string e164;
        for (char d : run) {
          if (is_digit(d) || d == '+') e164 += d;
        }
        out += run.front() == '+' ? mask_phone(e164) : mask_phone(run);
        i = end;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace

std::string log_text(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  const std::string masked = mask_personal(cut ? text.substr(0, max_bytes) : text);
  std::string out;
  out.reserve(masked.size() + 2);
  bool plain = !masked.empty();
  for (const char c : masked) {
    const auto u = static_cast<unsigned char>(c);
    plain = plain && is_plain(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  if (cut) out += "...";
  if (plain && !cut) return out;
  return "\"" + out + "\"";
}

std::string mask_phone(std::string_view e164) {
  const bool is_e164 =
      e164.size() > 1 && e164[0] == '+' && std::all_of(e164.begin() + 1, e164.end(), is_digit);
  if (is_e164) {
    const size_t digits = e164.size() - 1;
    const size_t tail = digits >= 6 ? 2 : 0;
    const size_t head = digits > tail + 4 ? std::min<size_t>(4, digits - tail - 4) : 0;
    std::string out = "+";
    out += e164.substr(1, head);
    out.append(digits - head - tail, '*');
    out += e164.substr(1 + digits - tail);
    return out;
  }
  // Not E.164: mask every digit but the last two, keep the rest (it says nothing).
  std::string out(e164);
  size_t seen = 0;
  for (size_t i = out.size(); i-- > 0;) {
    if (!is_digit(out[i])) continue;
    if (++seen > 2) out[i] = '*';
  }
  return out;
}

std::string mask_email(std::string_view email) {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  // Keep the first character of the local part, a whole UTF-8 sequence if it is one.
  size_t first = 1;
  const auto lead = static_cast<unsigned char>(email[0]);
  if (lead >= 0xf0) {
    first = 4;
  } else if (lead >= 0xe0) {
    first = 3;
  } else if (lead >= 0xc0) {
    first = 2;
  }
  first = std::min(first, at);
  return std::string(email.substr(0, first)) + "***" + std::string(email.substr(at));
}

}  // namespace router::engine
