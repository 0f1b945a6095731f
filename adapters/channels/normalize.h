// Normalizers for the addresses interactions arrive with, so that one customer or one entry point
// is always spelled the same way: phone numbers to E.164 ("+18005550100"), email addresses to a
// lower-cased bare address, web ids and Message-IDs trimmed. Plus masks for writing them to logs.
// Thread-safe: PhoneNormalizer is immutable after make() (libphonenumber's PhoneNumberUtil is a
// thread-safe singleton); the free functions are pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "engine/types.h"

namespace router::adapters::channels {

// Longest raw phone number accepted (digits, spaces, punctuation, an extension).
inline constexpr size_t kMaxPhoneLength = 64;
// Longest internal number (extension, VDN) a dialled number may be: see to_dialled_number.
inline constexpr size_t kMaxInternalNumberDigits = 8;
// Longest email address accepted, display name included (RFC 5321 allows 254 for the address).
inline constexpr size_t kMaxEmailLength = 512;

// Turns what a gateway or a CRM export holds ("+1 (800) 555-0100", "800-555-0100",
// "00 44 20 7946 0958", "011 86 10 1234 5678") into E.164. A number without a country code is
// read as a number of the default region. A number is accepted when its length is possible for
// its country (libphonenumber's IsPossibleNumber), not only when it is in a range libphonenumber's
// metadata knows to be allocated: that metadata ages, and a real caller's number must never be
// refused for it. Extensions ("x12") are dropped: E.164 has none.
class PhoneNormalizer {
 public:
  // `default_region` is an ISO 3166-1 alpha-2 code ("US", "gb"); an unknown one is an error.
  static engine::Result<PhoneNormalizer> make(std::string_view default_region);

  // Error "not a phone number: \"<raw>\"" (or "too long") when `raw` is no possible number.
  engine::Result<std::string> to_e164(std::string_view raw) const;

  // A dialled number (DNIS) as entry points compare it: E.164 when it is a full number; else,
  // when it is a short internal number (an extension or VDN of at most
  // kMaxInternalNumberDigits digits, written with digits, spaces, '-' and '.'), its digits
  // ("50-00" → "5000"). Anything else is the error of to_e164.
  engine::Result<std::string> to_dialled_number(std::string_view raw) const;

  const std::string& default_region() const { return default_region_; }

 private:
  explicit PhoneNormalizer(std::string default_region)
      : default_region_(std::move(default_region)) {}

  std::string default_region_;  // upper case, known to libphonenumber
};

// "  Ada Chen <Ada@Example.COM> " → "ada@example.com". Requires exactly one '@' with non-empty
// local and domain parts, and no whitespace or angle brackets in the address.
engine::Result<std::string> normalize_email(std::string_view raw);

// Web visitor and account ids, web topics: ASCII whitespace trimmed, nothing else changed.
std::string normalize_web_id(std::string_view raw);

// Message-ID, In-Reply-To and References values: whitespace and surrounding angle brackets
// trimmed ("<abc@mail.example.com>" → "abc@mail.example.com"). Case is kept (ids are opaque).
std::string normalize_message_id(std::string_view raw);

// Work item types as entry points and logs name them: router.v1.WorkItemDetails.Type's values
// lower-cased ("service_request", "lead", "activity", "callback"); empty for anything else.
std::string_view work_item_type_name(int type);
bool is_work_item_type(std::string_view name);  // one of those four names, exactly

// For logs, never for matching. "+18005550100" → "+1800*****00": the leading digits (country
// code and, in the NANP, area code) and the last two, at least four digits masked. Anything
// that is not E.164 has every digit but the last two masked.
std::string mask_phone(std::string_view e164);

// "john.doe@example.com" → "j***@example.com". No '@': "***".
std::string mask_email(std::string_view email);

// ASCII helpers shared by this folder's matchers and loaders.
std::string_view trim_ascii(std::string_view s);
std::string to_lower_ascii(std::string_view s);
bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace router::adapters::channels
