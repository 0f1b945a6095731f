// The Router's public face: Router::create and the commands and queries of router.h, each
// forwarded to Router::Impl (engine/router_impl.h says which file holds which part).
#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Router: the public face forwards to Impl.

Result<std::unique_ptr<Router>> Router::create(RouterConfig config, MatchMode mode) {
  if (Status s = Impl::validate(config); !s) return s.error();
  return std::unique_ptr<Router>(new Router(std::make_unique<Impl>(std::move(config), mode)));
}
Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Router::~Router() = default;

Result<SkillId> Router::add_skill(std::string_view name) { return impl_->add_skill(name); }
Result<QueueId> Router::add_queue(QueueConfig config) {
  return impl_->add_queue(std::move(config));
}
Status Router::update_queue(QueueId q, QueueConfig config, TimePoint now) {
  return impl_->settled(impl_->update_queue(q, std::move(config), now));
}
Result<AgentId> Router::add_agent(AgentProfile profile) {
  return impl_->add_agent(std::move(profile));
}
std::optional<SkillId> Router::find_skill(std::string_view name) const {
  auto it = impl_->skill_by_name_.find(std::string(name));
  return it == impl_->skill_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::optional<QueueId> Router::find_queue(std::string_view name) const {
  auto it = impl_->queue_by_name_.find(std::string(name));
  return it == impl_->queue_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::optional<AgentId> Router::find_agent(std::string_view name) const {
  auto it = impl_->agent_by_name_.find(std::string(name));
  return it == impl_->agent_by_name_.end() ? std::nullopt : std::optional(it->second);
}
std::string_view Router::skill_name(SkillId s) const {
  return s.valid() && s.value() < impl_->skill_names_.size() ? impl_->skill_names_[s.value()]
                                                             : std::string_view();
}
std::string_view Router::agent_name(AgentId a) const {
  return a.valid() && a.value() < impl_->agents_.size()
             ? std::string_view(impl_->agents_[a.value()]->profile.name)
             : std::string_view();
}
size_t Router::queue_count() const { return impl_->queues_.size(); }
size_t Router::agent_count() const { return impl_->agents_.size(); }

Result<SubmitResult> Router::submit(const InteractionSpec& spec, TimePoint now) {
  return impl_->settled(impl_->submit(spec, now));
}
Status Router::restore_held(const InteractionSpec& spec, AgentId a, InteractionState state,
                            TimePoint now) {
  return impl_->settled(impl_->restore_held(spec, a, state, now));
}
Status Router::cancel(InteractionId id, TimePoint now) {
  return impl_->settled(impl_->cancel(id, now));
}
Status Router::set_priority(InteractionId id, int p, TimePoint now) {
  return impl_->settled(impl_->set_priority(id, p, now));
}
Status Router::move(InteractionId id, QueueId to, TimePoint now) {
  return impl_->settled(impl_->move(id, to, now));
}
Status Router::login(AgentId a, bool ready, TimePoint now) {
  return impl_->settled(impl_->login(a, ready, now));
}
Status Router::logout(AgentId a, LogoutMode mode, TimePoint now) {
  return impl_->settled(impl_->logout(a, mode, now));
}
Status Router::set_ready(AgentId a, TimePoint now) {
  return impl_->settled(impl_->set_ready(a, now));
}
Status Router::set_not_ready(AgentId a, std::string_view reason, TimePoint now) {
  return impl_->settled(impl_->set_not_ready(a, reason, now));
}
Status Router::accept(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->accept(a, id, now));
}
Status Router::reject(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->reject(a, id, now));
}
Status Router::complete(AgentId a, InteractionId id, std::string_view code, TimePoint now) {
  return impl_->settled(impl_->complete(a, id, code, now));
}
Status Router::end_wrap_up(AgentId a, InteractionId id, TimePoint now) {
  return impl_->settled(impl_->end_wrap_up(a, id, now));
}
Status Router::transfer_to_queue(AgentId a, InteractionId id, QueueId to, TimePoint now) {
  return impl_->settled(impl_->transfer_to_queue(a, id, to, now));
}
Status Router::transfer_to_agent(AgentId a, InteractionId id, AgentId to, TimePoint now) {
  return impl_->settled(impl_->transfer_to_agent(a, id, to, now));
}
Status Router::update_agent_skills(AgentId a, std::vector<SkillLevel> skills, TimePoint now) {
  return impl_->settled(impl_->update_agent_skills(a, std::move(skills), now));
}
Status Router::set_agent_queue_order(AgentId a, std::vector<QueueId> order, TimePoint now) {
  return impl_->settled(impl_->set_queue_order(a, std::move(order), now));
}
void Router::advance(TimePoint now) { impl_->advance(now); }
std::optional<TimePoint> Router::next_deadline() const { return impl_->next_deadline(); }
TimePoint Router::now() const { return impl_->now_; }
const std::vector<Event>& Router::events() const { return impl_->events_; }
void Router::clear_events() { impl_->events_.clear(); }
void Router::drain_events(std::vector<Event>& out) {
  out.insert(out.end(), std::make_move_iterator(impl_->events_.begin()),
             std::make_move_iterator(impl_->events_.end()));
  impl_->events_.clear();
}
Result<Explanation> Router::explain(InteractionId id, TimePoint now) const {
  return impl_->explain(id, now);
}
Result<QueueStats> Router::queue_stats(QueueId q, TimePoint now) const {
  return impl_->queue_stats(q, now);
}
Result<WaitEstimate> Router::estimate_at(QueueId q, int position, TimePoint now) const {
  return impl_->estimate_at(q, position, now);
}
Result<WaitEstimate> Router::wait_estimate(InteractionId id, TimePoint now) const {
  return impl_->wait_estimate(id, now);
}
Result<Duration> Router::ewt(QueueId q, int position, TimePoint now) const {
  return impl_->ewt(q, position, now);
}
Result<AgentSnapshot> Router::agent(AgentId a, TimePoint now) const {
  return impl_->agent_snapshot(a, now);
}
Result<InteractionSnapshot> Router::interaction(InteractionId id) const {
  return impl_->interaction_snapshot(id);
}
Result<std::vector<InteractionSnapshot>> Router::waiting(QueueId q, size_t limit) const {
  return impl_->waiting(q, limit);
}
std::vector<InteractionId> Router::live_interactions() const {
  std::vector<InteractionId> ids;
  ids.reserve(impl_->live_.size());
  for (const auto& [id, it] : impl_->live_) ids.push_back(id);
  return ids;
}
size_t Router::live_count() const { return impl_->live_.size(); }
Status Router::audit(TimePoint now) const { return impl_->audit(now); }
MatchMode Router::mode() const { return impl_->mode_; }

}  // namespace router::engine
