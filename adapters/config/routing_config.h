// The routing configuration file (YAML or JSON) → the engine's model. The file's schema is the
// proto message router.v1.RoutingConfig (proto/router/v1/config.proto); YAML is turned into
// JSON and parsed with protobuf's JsonStringToMessage, then validated. Every error names the
// file and the field path ("demo.yaml: queues[2].skills[0].min_level: must be 1..10").
// Used by routersim now and by routerd. Not thread-safe: plain functions and values.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/router.h"

namespace router::adapters::config {

// The configuration with every name resolved: skill ids are indexes into `skills`, queue ids
// (overflow targets) indexes into `queues`, in file order — exactly the ids a Router built by
// build_router() assigns.
struct RoutingModel {
  engine::RouterConfig router;
  std::vector<std::string> skills;
  std::vector<engine::QueueConfig> queues;
  std::vector<engine::AgentProfile> agents;
};

// `source` names the text in error messages (usually the file name).
engine::Result<RoutingModel> parse_routing_config(const std::string& text,
                                                  const std::string& source);
engine::Result<RoutingModel> load_routing_config(const std::string& path);

// A Router with the model's skills, queues and agents added (agents logged out).
engine::Result<std::unique_ptr<engine::Router>> build_router(
    const RoutingModel& model, engine::MatchMode mode = engine::MatchMode::kIndexed);

}  // namespace router::adapters::config
