// The redis section of the routing configuration, checked and resolved into RedisSettings: split
// from routing_config.cc (the file's other sections) by concern. Errors read
// "<source>: redis.<field>: <what>". Thread-safe: a plain function.
#pragma once

#include <optional>
#include <string>

#include "adapters/config/routing_config.h"
#include "router/v1/config.pb.h"

namespace router::adapters::config {

std::optional<engine::Error> resolve_redis(const std::string& source, const v1::Redis& r,
                                           RedisSettings& out);

}  // namespace router::adapters::config
