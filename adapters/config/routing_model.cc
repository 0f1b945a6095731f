// The engine built from a loaded RoutingModel (build_router) and the code lists' helpers: the
// half of routing_config.h that runs after parsing.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/config/routing_config.h"

namespace router::adapters::config {

using engine::Result;

engine::QueueConfig unlinked(engine::QueueConfig q) {
  q.overflow_after.reset();
  q.overflow_queue = engine::QueueId();
  if (q.when_no_agents == engine::ArrivalAction::kOverflow) {
    q.when_no_agents = engine::ArrivalAction::kWait;
  }
  if (q.when_full == engine::ArrivalAction::kOverflow) q.when_full = engine::ArrivalAction::kRefuse;
  if (q.when_closed == engine::ArrivalAction::kOverflow ||
      q.when_closed == engine::ArrivalAction::kCallback) {
    q.when_closed = engine::ArrivalAction::kRefuse;
  }
  q.callback_queue = engine::QueueId();
  return q;
}

bool linked(const engine::QueueConfig& q) { return q.overflows() || q.callback_queue.valid(); }

Result<std::unique_ptr<engine::Router>> build_router(const RoutingModel& model,
                                                     engine::MatchMode mode) {
  auto created = engine::Router::create(model.router, mode);
  if (!created.ok()) return created.error();
  std::unique_ptr<engine::Router> router = std::move(created).value();
  for (const std::string& s : model.skills) {
    if (auto r = router->add_skill(s); !r.ok()) return r.error();
  }
  for (size_t i = 0; i < model.queues.size(); ++i) {
    const engine::QueueConfig q = unlinked(model.queues[i]);
    if (auto r = router->add_queue(q); !r.ok()) {
      return engine::Error{r.error().code,
                           "queues[" + std::to_string(i) + "]: " + r.error().message};
    }
  }
  for (size_t i = 0; i < model.queues.size(); ++i) {
    if (!linked(model.queues[i])) continue;
    if (auto s = router->update_queue(engine::QueueId(static_cast<uint32_t>(i)), model.queues[i],
                                      router->now());
        !s.ok()) {
      return engine::Error{s.error().code,
                           "queues[" + std::to_string(i) + "]: " + s.error().message};
    }
  }
  for (size_t i = 0; i < model.agents.size(); ++i) {
    if (auto r = router->add_agent(model.agents[i]); !r.ok()) {
      return engine::Error{r.error().code,
                           "agents[" + std::to_string(i) + "]: " + r.error().message};
    }
  }
  router->clear_events();
  return router;
}

bool CodeList::listed(std::string_view code) const {
  return codes.empty() || std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string CodeList::describe() const {
  if (codes.empty()) return "any text";
  std::string out = "one of:";
  for (const auto& c : codes) out += " " + c;
  return out;
}

}  // namespace router::adapters::config
