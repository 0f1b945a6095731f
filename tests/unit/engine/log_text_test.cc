// log_text(): free text in a log line cannot forge a line or a field, and carries no phone
// number or email address unmasked.
#include "engine/log_text.h"

#include <catch2/catch.hpp>

namespace router::engine {

TEST_CASE("log_text leaves a plain word bare and quotes anything else", "[log_text]") {
  CHECK(log_text("call-1") == "call-1");
  CHECK(log_text("ana") == "ana");
  CHECK(log_text("customer hung up") == "\"customer hung up\"");
  CHECK(log_text("") == "\"\"");
  // A space or '=' could start a field of its own: quoted.
  CHECK(log_text("x event=forged") == "\"x event=forged\"");
  CHECK(log_text("a\"b\\c") == "\"a\\\"b\\\\c\"");
}

TEST_CASE("log_text escapes control characters, so a value cannot end its line", "[log_text]") {
  CHECK(log_text("bye\nlevel=info event=forged") == "\"bye\\nlevel=info event=forged\"");
  CHECK(log_text("a\rb\tc") == "\"a\\rb\\tc\"");
  CHECK(log_text(std::string("a\0b\x1b[31m\x7f", 9)) == "\"a\\x00b\\x1b[31m\\x7f\"");
  CHECK(log_text("ok\n").find('\n') == std::string::npos);
}

TEST_CASE("log_text masks phone numbers and email addresses inside free text as the masks do",
          "[log_text]") {
  CHECK(log_text("+18005550100") == mask_phone("+18005550100"));
  CHECK(log_text("call me on +1 415 555 0100 please") ==
        "\"call me on " + mask_phone("+14155550100") + " please\"");
  CHECK(log_text("tel 415-555-0100.") == "\"tel ***-***-**00.\"");
  CHECK(log_text("(415) 555 0100") == "\"(***) *** **00\"");
  CHECK(log_text("mail john.doe@example.com now") == "\"mail j***@example.com now\"");
  CHECK(log_text("ada@example.com") == "a***@example.com");
  // Short numbers, and digits inside a word, are not phone numbers.
  CHECK(log_text("queue 12, position 345") == "\"queue 12, position 345\"");
  CHECK(log_text("v-1234567890abc") == "v-1234567890abc");
  CHECK(log_text("a@b") == "a@b");  // no domain with a dot: not an address
}

TEST_CASE("log_text cuts a long value, escapes and masks in what it keeps", "[log_text]") {
  const std::string long_text = std::string(300, 'x') + "\n";
  const std::string out = log_text(long_text);
  CHECK(out == "\"" + std::string(kMaxLogTextBytes, 'x') + "...\"");
  CHECK(log_text("abcdef", 3) == "\"abc...\"");
}

TEST_CASE("mask_phone and mask_email keep their formats", "[log_text]") {
  CHECK(mask_phone("+18005550100") == "+1800*****00");
  CHECK(mask_phone("800-555-0100") == "***-***-**00");
  CHECK(mask_email("john.doe@example.com") == "j***@example.com");
  CHECK(mask_email("nobody") == "***");
}

}  // namespace router::engine
