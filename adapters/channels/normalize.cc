// Phone numbers through libphonenumber; email addresses, web ids and Message-IDs by hand (their
// normal forms are simple enough that a library would add more than it saves).
#include "adapters/channels/normalize.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "engine/log_text.h"

namespace router::adapters::channels {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Parses `text` and checks its length is possible for its country: a full number, not one
// that is only dialable locally (a US number without its area code).
bool parse_possible(const PhoneNumberUtil& util, const std::string& text, const std::string& region,
                    PhoneNumber& out) {
  if (util.Parse(text, region, &out) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return util.IsPossibleNumberWithReason(out) == PhoneNumberUtil::IS_POSSIBLE;
}

}  // namespace

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// ---------------------------------------------------------------------------------------------
// Phone numbers.

engine::Result<PhoneNormalizer> PhoneNormalizer::make(std::string_view default_region) {
  std::string region(trim_ascii(default_region));
  for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::set<std::string> supported;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&supported);
  if (region.size() != 2 || supported.count(region) == 0) {
    return engine::invalid_argument("not an ISO 3166 region known to libphonenumber: " +
                                    engine::quote(default_region));
  }
  return PhoneNormalizer(std::move(region));
}

engine::Result<std::string> PhoneNormalizer::to_e164(std::string_view raw) const {
  const std::string_view text = trim_ascii(raw);
  if (text.size() > kMaxPhoneLength) {
    return engine::invalid_argument("not a phone number: too long (at most " +
                                    std::to_string(kMaxPhoneLength) + " characters)");
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  bool ok = !text.empty() && parse_possible(util, std::string(text), default_region_, number);
  // "00" is the international prefix of most of the world but not of the default region (the
  // US dials 011): a number written "00 44 ..." is still meant internationally.
  if (!ok && text.size() > 2 && text[0] == '0' && text[1] == '0') {
    std::string international("+");  // append: GCC 12 -O3 warns on "+" + string (-Wrestrict)
    international.append(text.substr(2));
    ok = parse_possible(util, international, default_region_, number);
  }
  if (!ok) return engine::invalid_argument("not a phone number: " + engine::quote(raw));
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

engine::Result<std::string> PhoneNormalizer::to_dialled_number(std::string_view raw) const {
  auto e164 = to_e164(raw);
  if (e164.ok()) return e164;
  std::string digits;
  for (char c : trim_ascii(raw)) {
    if (is_digit(c)) {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '.') {
      return e164;
    }
  }
  if (digits.empty() || digits.size() > kMaxInternalNumberDigits) return e164;
  return digits;
}

// ---------------------------------------------------------------------------------------------
// Email addresses.

engine::Result<std::string> normalize_email(std::string_view raw) {
  std::string_view text = trim_ascii(raw);
  if (text.size() > kMaxEmailLength) {
    return engine::invalid_argument("not an email address: too long (at most " +
                                    std::to_string(kMaxEmailLength) + " characters)");
  }
  // Display form: `Name <address>` or `"Doe, John" <address>`; the address is the last <...>.
  if (!text.empty() && text.back() == '>') {
    const size_t open = text.rfind('<');
    if (open == std::string_view::npos) {
      return engine::invalid_argument("not an email address: " + engine::quote(raw) +
                                      " (unmatched '>')");
    }
    text = trim_ascii(text.substr(open + 1, text.size() - open - 2));
  }
  const auto bad = [&](const char* why) {
    return engine::invalid_argument("not an email address: " + engine::quote(raw) + " (" + why +
                                    ")");
  };
  if (text.empty()) return bad("empty");
  const size_t at = text.find('@');
  if (at == std::string_view::npos) return bad("no '@'");
  if (text.find('@', at + 1) != std::string_view::npos) return bad("more than one '@'");
  if (at == 0) return bad("empty local part");
  if (at + 1 == text.size()) return bad("empty domain");
  for (char c : text) {
    if (is_space(c) || c == '<' || c == '>' || static_cast<unsigned char>(c) < 0x20) {
      return bad("space or angle bracket in the address");
    }
  }
  return to_lower_ascii(text);
}

// ---------------------------------------------------------------------------------------------
// Web ids and Message-IDs.

std::string normalize_web_id(std::string_view raw) { return std::string(trim_ascii(raw)); }

std::string normalize_message_id(std::string_view raw) {
  std::string_view text = trim_ascii(raw);
  if (!text.empty() && text.front() == '<') text.remove_prefix(1);
  if (!text.empty() && text.back() == '>') text.remove_suffix(1);
  return std::string(trim_ascii(text));
}

// ---------------------------------------------------------------------------------------------
// Work item types.

namespace {
constexpr std::array<std::string_view, 5> kWorkItemTypes{"", "service_request", "lead", "activity",
                                                         "callback"};
}  // namespace

std::string_view work_item_type_name(int type) {
  return type > 0 && static_cast<size_t>(type) < kWorkItemTypes.size()
             ? kWorkItemTypes[static_cast<size_t>(type)]
             : std::string_view();
}

bool is_work_item_type(std::string_view name) {
  return !name.empty() &&
         std::find(kWorkItemTypes.begin(), kWorkItemTypes.end(), name) != kWorkItemTypes.end();
}

// ---------------------------------------------------------------------------------------------
// Masks.

// One masking for every log line: engine/log_text.h.
std::string mask_phone(std::string_view e164) { return engine::mask_phone(e164); }

std::string mask_email(std::string_view email) { return engine::mask_email(email); }

}  // namespace router::adapters::channels
