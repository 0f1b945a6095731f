// The pass over a configuration's text before any YAML tree is built: yaml-cpp's parser reports
// the first document as events, which are counted against kMaxConfigNodes and kMaxConfigDepth
// (routing_config.h); anchors and aliases are refused (so nothing is ever expanded), and so is a
// key repeated in one mapping. Memory is bounded by the text and the depth limit.
// Not thread-safe state: a plain function.
#pragma once

#include <optional>
#include <string>

namespace router::adapters::config {

// nullopt when `text` is within the limits, else the error ("line 12: queues[0].name: key
// repeated ..."), without the source's name.
std::optional<std::string> scan_yaml_limits(const std::string& text);

}  // namespace router::adapters::config
