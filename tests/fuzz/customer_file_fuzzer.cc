// libFuzzer target: the customer-file reader (JSON Lines and CSV). The first byte picks the
// format (even: JSON Lines, odd: CSV), the rest is the file; every record is read until the end
// or a fatal error, as routerd's import and MemoryCustomerStore do. Small limits make the
// record-size, field-size and value-count paths reachable with small inputs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"

namespace channels = router::adapters::channels;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto phones = [] {
    auto p = channels::PhoneNormalizer::make("US");
    if (!p.ok()) std::abort();
    return p.value();
  }();
  if (size < 1) return 0;
  const auto format = (data[0] & 1) == 0 ? channels::CustomerFileFormat::kJsonLines
                                         : channels::CustomerFileFormat::kCsv;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  channels::CustomerFileOptions options;
  options.limits.max_records = 1000;
  options.limits.max_record_bytes = 2048;
  options.limits.max_field_chars = 128;
  options.limits.max_values = 8;
  auto reader = channels::CustomerFileReader::from_string(text, format, "fuzz", phones, options);
  if (!reader.ok()) return 0;
  channels::CustomerEntry entry;
  router::engine::Error error;
  // Each step consumes input or ends the reading: more steps than bytes is a reader stuck.
  for (size_t steps = 0;; ++steps) {
    if (steps > size + 2) std::abort();
    const auto step = reader.value()->next(entry, error);
    if (step == channels::CustomerFileReader::Step::kEnd) break;
    if (step == channels::CustomerFileReader::Step::kEntry) {
      // An accepted record is within the limits it was read with.
      for (const auto kind : channels::kCustomerKeyKinds) {
        if (entry.keys(kind).size() > options.limits.max_values) std::abort();
      }
    }
  }
  return 0;
}
