// Message parsing with GMime. See mail_message.h.
#include "tools/routermail/mail_message.h"

#include <gmime/gmime.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <mutex>

namespace router::mail {
namespace {

// g_free()s a string GMime or GLib returned.
std::string take(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  g_free(s);
  return out;
}

std::string valid_utf8(const char* s) {
  if (s == nullptr) return {};
  if (g_utf8_validate(s, -1, nullptr)) return s;
  return take(g_utf8_make_valid(s, -1));
}

std::string strip_brackets(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

// Attachments under `part`, counted by GMime's own test (Content-Disposition: attachment).
void count_attachments(GMimeObject* /*parent*/, GMimeObject* part, gpointer count) {
  if (GMIME_IS_PART(part) && g_mime_part_is_attachment(GMIME_PART(part))) {
    ++*static_cast<int*>(count);
  }
}

uint64_t fnv1a(const std::string& s, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    // Raw 8-bit header bytes: UTF-8 if they are, else Latin-1 (what most such mailers meant).
    static const char* kFallback[] = {"UTF-8", "ISO-8859-1", nullptr};
    g_mime_parser_options_set_fallback_charsets(g_mime_parser_options_get_default(), kFallback);
  });
}

std::optional<MailFields> parse_mail(const std::string& message) {
  init_gmime();
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(message.data(), message.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_object_unref(stream);
  GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  if (msg == nullptr) return std::nullopt;

  MailFields f;
  f.bytes = message.size();
  if (InternetAddressList* from = g_mime_message_get_from(msg)) {
    for (int i = 0; i < internet_address_list_length(from); ++i) {
      InternetAddress* a = internet_address_list_get_address(from, i);
      if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
        f.from = valid_utf8(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
        break;
      }
    }
  }
  f.subject = valid_utf8(g_mime_message_get_subject(msg));
  f.message_id = strip_brackets(valid_utf8(g_mime_message_get_message_id(msg)));
  const auto ids = [](const char* header) {
    std::vector<std::string> out;
    if (header == nullptr) return out;
    if (GMimeReferences* refs = g_mime_references_parse(nullptr, header)) {
      for (int i = 0; i < g_mime_references_length(refs); ++i) {
        out.push_back(valid_utf8(g_mime_references_get_message_id(refs, i)));
      }
      g_mime_references_free(refs);
    }
    return out;
  };
  if (auto r = ids(g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To")); !r.empty()) {
    f.in_reply_to = r.front();
  }
  f.references = ids(g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
  g_mime_message_foreach(msg, count_attachments, &f.attachments);
  g_object_unref(msg);
  return f;
}

std::string interaction_id_for(const MailFields& fields, const std::string& message,
                               const std::string& recipient) {
  std::string rcpt = recipient;
  for (char& c : rcpt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string key =
      (fields.message_id.empty() ? "body:" + message : "id:" + fields.message_id) + '\0' + rcpt;
  char out[40];
  std::snprintf(out, sizeof out, "m-%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(key, 0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(fnv1a(key, 0x84222325cbf29ce4ULL)));
  return out;
}

}  // namespace router::mail
