// Phone numbers to E.164, email addresses and ids to their normal forms, and the log masks.
#include "adapters/channels/normalize.h"

#include <catch2/catch.hpp>

namespace router::adapters::channels {
namespace {

using Catch::Matchers::Contains;
using engine::quote;  // the one quoting of values in messages, used by this folder

PhoneNormalizer phones_for(const char* region) {
  auto p = PhoneNormalizer::make(region);
  REQUIRE(p.ok());
  return p.value();
}

std::string e164(const PhoneNormalizer& phones, std::string_view raw) {
  auto r = phones.to_e164(raw);
  INFO(raw << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return r.value();
}

std::string email(std::string_view raw) {
  auto r = normalize_email(raw);
  INFO(raw << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("phone numbers in any common spelling become E.164", "[channels][phone]") {
  const PhoneNormalizer us = phones_for("US");
  CHECK(e164(us, "+1 (800) 555-0100") == "+18005550100");
  CHECK(e164(us, "  800-555-0100 ") == "+18005550100");
  CHECK(e164(us, "(415) 555.0100") == "+14155550100");
  CHECK(e164(us, "+86 10 1234 5678") == "+861012345678");
  CHECK(e164(us, "+49 30 901820") == "+4930901820");
  SECTION("the international prefix 011 of the default region and the common 00 both work") {
    CHECK(e164(us, "011 44 20 7946 0958") == "+442079460958");
    CHECK(e164(us, "00 44 20 7946 0958") == "+442079460958");
  }
  SECTION("an extension is dropped: E.164 has none") {
    CHECK(e164(us, "(415) 555-0100 ext. 12") == "+14155550100");
  }
}

TEST_CASE("a number without a country code is read as one of the default region",
          "[channels][phone]") {
  CHECK(e164(phones_for("GB"), "020 7946 0958") == "+442079460958");
  CHECK(e164(phones_for("DE"), "030 901820") == "+4930901820");
  CHECK(e164(phones_for("CN"), "010 1234 5678") == "+861012345678");
  CHECK(e164(phones_for("US"), "800 555 0100") == "+18005550100");
}

TEST_CASE("what is not a phone number is an error quoting it", "[channels][phone]") {
  const PhoneNormalizer us = phones_for("US");
  for (const char* raw : {"12", "hello", "", "   ", "+1 800", "555-0100"}) {
    auto r = us.to_e164(raw);
    INFO(raw);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == engine::ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Contains("not a phone number"));
  }
  CHECK(us.to_e164("12").error().message == "not a phone number: \"12\"");
  CHECK_THAT(us.to_e164(std::string(100, '5')).error().message, Contains("too long"));
}

TEST_CASE("a dialled number is E.164 when full, or the digits of a short internal number",
          "[channels][phone]") {
  const PhoneNormalizer us = phones_for("US");
  const auto dialled = [&](std::string_view raw) {
    auto r = us.to_dialled_number(raw);
    INFO(raw << ": " << (r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    return r.value();
  };
  CHECK(dialled("1-800-555-0100") == "+18005550100");
  CHECK(dialled("5000") == "5000");
  CHECK(dialled(" 50-00 ") == "5000");
  CHECK(dialled("12") == "12");
  for (const char* bad : {"", "abc", "50#00", "123456789012345"}) {
    auto r = us.to_dialled_number(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("not a phone number"));
  }
}

TEST_CASE("the default region is checked when the normalizer is made", "[channels][phone]") {
  auto lower = PhoneNormalizer::make("gb");
  REQUIRE(lower.ok());
  CHECK(lower.value().default_region() == "GB");
  for (const char* bad : {"XX", "", "USA", "1"}) {
    auto r = PhoneNormalizer::make(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("ISO 3166"));
  }
}

TEST_CASE("email addresses are trimmed, lower-cased and taken out of a display name",
          "[channels][email]") {
  CHECK(email("  Ada.Chen@Example.COM ") == "ada.chen@example.com");
  CHECK(email("Ada Chen <Ada@Example.com>") == "ada@example.com");
  CHECK(email("\"Chen, Ada\" < ada@example.com >") == "ada@example.com");
  CHECK(email("<billing@example.com>") == "billing@example.com");
}

TEST_CASE("an email address needs exactly one '@' between a local part and a domain",
          "[channels][email]") {
  const std::pair<const char*, const char*> cases[] = {
      {"ada.example.com", "no '@'"},
      {"ada@@example.com", "more than one '@'"},
      {"a@b@example.com", "more than one '@'"},
      {"@example.com", "empty local part"},
      {"ada@", "empty domain"},
      {"", "empty"},
      {"Ada <>", "empty"},
      {"ada chen@example.com", "space"},
      {"ada@example.com>", "unmatched"},
  };
  for (const auto& [raw, why] : cases) {
    auto r = normalize_email(raw);
    INFO(raw);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("not an email address") && Contains(why));
  }
}

TEST_CASE("web ids are trimmed and Message-IDs lose their angle brackets", "[channels]") {
  CHECK(normalize_web_id("  v-123\t") == "v-123");
  CHECK(normalize_web_id("Acct-9") == "Acct-9");
  CHECK(normalize_message_id(" <CAF1234@mail.example.com> ") == "CAF1234@mail.example.com");
  CHECK(normalize_message_id("abc@x") == "abc@x");
  CHECK(normalize_message_id("< abc@x >") == "abc@x");
  CHECK(normalize_message_id("<>").empty());
}

TEST_CASE("masks keep enough of a number or address to tell them apart, and no more",
          "[channels][mask]") {
  CHECK(mask_phone("+18005550100") == "+1800*****00");
  CHECK(mask_phone("+861012345678") == "+8610******78");
  CHECK(mask_phone("+4930901820") == "+4930****20");
  CHECK(mask_phone("+1234567") == "+1****67");
  CHECK(mask_phone("800-555-0100") == "***-***-**00");
  CHECK(mask_phone("") == "");
  CHECK(mask_email("john.doe@example.com") == "j***@example.com");
  CHECK(mask_email("j@example.com") == "j***@example.com");
  CHECK(mask_email("\xC3\xA9lise@example.fr") == "\xC3\xA9***@example.fr");
  CHECK(mask_email("no-at-sign") == "***");
  CHECK(mask_email("@example.com") == "***");
}

TEST_CASE("quoted values in error messages are escaped and cut short", "[channels]") {
  CHECK(quote("a\"b") == "\"a\\\"b\"");
  CHECK(quote("a\nb") == "\"a\\x0ab\"");
  CHECK(quote(std::string(100, 'x'), 4) == "\"xxxx...\"");
}

}  // namespace router::adapters::channels
