// The configuration's first two passes (routing_config.cc): every mapping key is checked against
// the proto descriptor of the message it describes, then the YAML tree is written as JSON for
// protobuf's JSON parser, which checks the types. Plain functions, no state.
#pragma once

#include <google/protobuf/descriptor.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace router::adapters::config {

// nullopt when every key of `n` (and of the mappings under it) is a field of `d`, else the error
// naming the field's path below `path` ("queues[0].nmae: unknown field").
std::optional<std::string> check_keys(const YAML::Node& n, const google::protobuf::Descriptor& d,
                                      const std::string& path);

// `n` as JSON. YAML scalars carry no type: a plain scalar that reads as a number or a boolean
// becomes one, anything quoted or otherwise stays a string.
std::string to_json(const YAML::Node& n);

}  // namespace router::adapters::config
