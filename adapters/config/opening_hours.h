// Opening hours from the configuration (router.v1.OpeningHours): a weekly schedule and holidays
// in an IANA time zone, read from the system's tz database through Abseil's time zone library.
// The engine asks them through engine::OpeningHours (engine/model.h); docs/routing.md,
// "Opening hours". Immutable once parsed: safe to share between threads.
#pragma once

#include <memory>
#include <string>

#include "engine/model.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {

// Parses `in`; an error's message names the field under `path` ("queues[2].hours.weekly[0]:
// ..."). Limits: 64 weekly entries, 1000 holiday entries, 8 periods per entry.
engine::Result<std::shared_ptr<const engine::OpeningHours>> parse_opening_hours(
    const v1::OpeningHours& in, const std::string& path);

}  // namespace router::adapters::config
