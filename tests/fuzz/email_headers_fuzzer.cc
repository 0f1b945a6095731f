// libFuzzer target: email-header normalization and threading. Input (fuzz_input.h): selector byte
// = how many Message-IDs the thread index remembers (0..7), then the fields From, To mailbox,
// Message-ID, In-Reply-To and References..., '\n'-separated, as a gateway sends them in
// EmailDetails. Checked beyond "no crash, no leak": a normalized address normalizes to itself
// (entry-point rules and arrivals are compared after normalization), an id just remembered is
// found by a reply to it, and the index never holds more ids than it may.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "adapters/channels/email_threads.h"
#include "adapters/channels/normalize.h"
#include "fuzz_input.h"

namespace channels = router::adapters::channels;

namespace {

void check_address(std::string_view raw) {
  auto address = channels::normalize_email(raw);
  if (!address.ok()) return;
  auto again = channels::normalize_email(address.value());
  if (!again.ok() || again.value() != address.value()) std::abort();
  (void)channels::mask_email(address.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto in = router::fuzz::split_input(data, size);
  check_address(in.field(0));
  check_address(in.field(1));
  (void)channels::mask_email(in.field(0));
  (void)channels::mask_phone(in.field(0));

  const size_t max_entries = in.selector % 8;
  channels::EmailThreadIndex index(max_entries);
  std::vector<std::string> references;
  for (size_t i = 4; i < in.fields.size(); ++i) {
    references.push_back(channels::normalize_message_id(in.fields[i]));
    // Earlier emails of the thread, as the host remembers them when they were submitted.
    index.remember(references.back(), {"C1001", "iid-" + std::to_string(i), ""});
    if (index.size() > max_entries) std::abort();
  }
  // As the host does: EmailDetails ids are normalized on submit, then remembered and looked up.
  const std::string message_id = channels::normalize_message_id(in.field(2));
  (void)index.find(channels::normalize_message_id(in.field(3)), references);

  index.remember(message_id, {"C1002", "iid-new", ""});
  if (index.size() > max_entries) std::abort();
  const std::string kept_id = channels::normalize_message_id(message_id);
  const bool kept =
      max_entries > 0 && !kept_id.empty() && kept_id.size() <= channels::kMaxMessageIdLength;
  if (kept) {
    (void)index.set_agent(message_id, "a01");
    const auto thread = index.find(message_id, {});
    if (!thread || thread->interaction_id != "iid-new" || thread->agent != "a01") std::abort();
  }
  return 0;
}
