// read_customer_file: CustomerFileReader's steps turned into a callback per valid record.
#include "tools/center/customers.h"

#include <memory>

namespace router::center {

engine::Status read_customer_file(
    const std::string& path, const CustomerFileRead& options,
    const std::function<void(const adapters::channels::CustomerEntry&)>& each) {
  auto phones = adapters::channels::PhoneNormalizer::make(options.default_region);
  if (!phones.ok()) return phones.error();
  adapters::channels::CustomerFileOptions file_options;
  file_options.segments = options.segments;
  auto reader = adapters::channels::CustomerFileReader::open(path, phones.value(), file_options);
  if (!reader.ok()) return reader.error();
  adapters::channels::CustomerEntry entry;
  engine::Error error;
  using Step = adapters::channels::CustomerFileReader::Step;
  for (size_t read = 0; read < options.limit;) {
    switch (reader.value()->next(entry, error)) {
      case Step::kEnd: return {};
      case Step::kFatal: return error;
      case Step::kRejected:
        if (!options.skip_rejected) return error;
        continue;
      case Step::kEntry:
        each(entry);
        ++read;
        continue;
    }
  }
  return {};
}

}  // namespace router::center
