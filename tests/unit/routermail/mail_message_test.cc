// Reading delivered messages with GMime (tools/routermail/mail_message.h): the fields an EMAIL
// submit carries, attachments counted, 8-bit and encoded headers as UTF-8, broken MIME still
// read, and the stable interaction id.
#include "tools/routermail/mail_message.h"

#include <catch2/catch.hpp>

namespace router::mail {

TEST_CASE("a message's sender, subject, threading headers and attachments are read",
          "[routermail][parse]") {
  const std::string m =
      "From: \"Ann Example\" <Ann@Example.org>\r\n"
      "To: support@example.com\r\n"
      "Subject: =?UTF-8?Q?R=C3=BCckfrage?= invoice\r\n"
      "Message-ID: <m2@example.org>\r\n"
      "In-Reply-To: <m1@example.com>\r\n"
      "References: <m0@example.org> <m1@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
      "filename=a.pdf\r\n\r\nJVBERi0=\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment\r\n\r\niVBO\r\n"
      "--b--\r\n";
  const auto f = parse_mail(m);
  REQUIRE(f.has_value());
  CHECK(f->from == "Ann@Example.org");
  CHECK(f->subject == "Rückfrage invoice");
  CHECK(f->message_id == "m2@example.org");
  CHECK(f->in_reply_to == "m1@example.com");
  CHECK(f->references == std::vector<std::string>{"m0@example.org", "m1@example.com"});
  CHECK(f->attachments == 2);
  CHECK(f->bytes == m.size());
}

TEST_CASE("raw 8-bit headers come out as UTF-8, Latin-1 or not", "[routermail][parse]") {
  const auto latin1 = parse_mail(
      "Subject: Gr\xfc\xdf"
      "e aus K\xf6ln\r\nFrom: j@example.de\r\n\r\nx\r\n");
  REQUIRE(latin1.has_value());
  CHECK(latin1->subject == "Grüße aus Köln");
  const auto utf8 = parse_mail("Subject: Grüße\r\n\r\nx\r\n");
  REQUIRE(utf8.has_value());
  CHECK(utf8->subject == "Grüße");
}

TEST_CASE("broken MIME still yields the headers, and a text without headers is no message",
          "[routermail][parse]") {
  const auto broken = parse_mail(
      "Subject: never closed\r\nMessage-ID: <b@x>\r\nContent-Type: multipart/mixed; "
      "boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nno end boundary\r\n");
  REQUIRE(broken.has_value());
  CHECK(broken->subject == "never closed");
  CHECK(broken->message_id == "b@x");
  CHECK(broken->attachments == 0);
  CHECK_FALSE(parse_mail("just some words\r\n").has_value());
}

TEST_CASE("the interaction id is stable per message and mailbox", "[routermail][parse]") {
  MailFields f;
  f.message_id = "m2@example.org";
  const std::string a = interaction_id_for(f, "text", "support@example.com");
  CHECK(a.size() == 34);
  CHECK(a.rfind("m-", 0) == 0);
  CHECK(interaction_id_for(f, "other text", "Support@Example.com") == a);  // the id decides
  CHECK(interaction_id_for(f, "text", "billing@example.com") != a);
  MailFields none;  // no Message-ID: the text decides
  CHECK(interaction_id_for(none, "text", "support@example.com") ==
        interaction_id_for(none, "text", "support@example.com"));
  CHECK(interaction_id_for(none, "text", "support@example.com") !=
        interaction_id_for(none, "text 2", "support@example.com"));
}

}  // namespace router::mail
