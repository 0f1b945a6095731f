// The customers file for traffic tools (routerdemo, routerload): read through adapters/channels'
// CustomerFileReader, the parser routerd and `routerctl customers import` use, so the tools know
// the same customers with the same normalized keys (E.164 phones, lower-cased emails) as routerd.
// Not thread-safe: one thread reads one file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "adapters/channels/customer_file.h"
#include "engine/types.h"

namespace router::center {

struct CustomerFileRead {
  std::string default_region = "US";   // daemon.default_region: phones without a country code
  engine::SegmentThresholds segments;  // daemon.segments: records without a segment
  size_t limit = SIZE_MAX;  // valid records passed to the callback at most; then reading stops
  // A record the parser rejects is skipped (true), or ends the reading with its error, which
  // names "<file>:<line>: <field>" (false).
  bool skip_rejected = true;
};

// Calls `each` with every valid record of the customer file at `path` (JSON Lines or CSV, by
// its extension), in file order. Errors: the file cannot be opened or read, the parser stops
// (adapters/channels/customer_file.h), a rejected record unless skip_rejected.
engine::Status read_customer_file(
    const std::string& path, const CustomerFileRead& options,
    const std::function<void(const adapters::channels::CustomerEntry&)>& each);

}  // namespace router::center
