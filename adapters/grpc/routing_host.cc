// The engine's host: the Router on its own thread, idempotent submit, customer lookup, stream
// subscribers and reload. See routing_host.h.
#include "adapters/grpc/routing_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

namespace router::adapters::grpc {

namespace {

using ::grpc::Status;
using ::grpc::StatusCode;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Status invalid(std::string message) { return {StatusCode::INVALID_ARGUMENT, std::move(message)}; }

std::string reason_name(engine::RequeueReason r) {
  switch (r) {
    case engine::RequeueReason::kRejected: return "rejected";
    case engine::RequeueReason::kOfferTimeout: return "offer_timeout";
    case engine::RequeueReason::kAgentLoggedOut: return "agent_logged_out";
    case engine::RequeueReason::kAgentNotReady: return "agent_not_ready";
    case engine::RequeueReason::kTransferred: return "transferred";
    case engine::RequeueReason::kOfferWithdrawn: return "offer_withdrawn";
  }
  return "unknown";
}

std::string masked_keys(const v1::Interaction& r) {
  switch (r.details_case()) {
    case v1::Interaction::kPhone:
      return "ani=" + channels::mask_phone(r.phone().ani()) + " dnis=" + r.phone().dnis();
    case v1::Interaction::kEmail:
      return "from=" + channels::mask_email(r.email().from()) + " to=" + r.email().to_mailbox();
    case v1::Interaction::kWeb: return "topic=" + r.web().topic();
    default: return "";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction and the thread.

engine::Result<std::unique_ptr<RoutingHost>> RoutingHost::create(
    config::RoutingModel model, std::unique_ptr<ports::CustomerLookup> customers,
    ports::InteractionJournal* journal) {
  auto phones = channels::PhoneNormalizer::make(model.daemon.default_region);
  if (!phones.ok()) {
    return engine::invalid_argument("daemon.default_region: " + phones.error().message);
  }
  auto entry = channels::EntryPointTable::build(model.proto, model, phones.value());
  if (!entry.ok()) return entry.error();
  if (entry.value().size() == 0) {
    return engine::invalid_argument("entry_points: routerd needs at least one entry point rule");
  }
  auto router = config::build_router(model);
  if (!router.ok()) return router.error();
  return std::unique_ptr<RoutingHost>(
      new RoutingHost(std::move(model), std::move(router).value(), std::move(phones).value(),
                      std::move(entry).value(), std::move(customers), journal));
}

RoutingHost::RoutingHost(config::RoutingModel model, std::unique_ptr<engine::Router> router,
                         channels::PhoneNormalizer phones, channels::EntryPointTable entry_points,
                         std::unique_ptr<ports::CustomerLookup> customers,
                         ports::InteractionJournal* journal)
    : model_(std::move(model)),
      router_(std::move(router)),
      phones_(std::move(phones)),
      entry_points_(std::move(entry_points)),
      customers_(std::move(customers)),
      journal_(journal),
      threads_(model_.daemon.max_email_threads),
      work_(asio::make_work_guard(io_)),
      deadline_timer_(io_),
      heartbeat_timer_(io_) {}

RoutingHost::~RoutingHost() {
  stop();
  // Their timers belong to io_, which is destroyed before them (declaration order).
  queue_watchers_.clear();
  agent_streams_.clear();
}

void RoutingHost::start() {
  thread_ = std::thread([this] { io_.run(); });
  post([this] { arm_heartbeat(); });
}

void RoutingHost::stop() {
  if (!thread_.joinable()) return;
  post([this] {
    deadline_timer_.cancel();
    heartbeat_timer_.cancel();
    for (auto& w : queue_watchers_) w->timer->cancel();
    for (auto& [agent, s] : agent_streams_) {
      if (s.grace) s.grace->cancel();
    }
    work_.reset();
  });
  thread_.join();
  io_.stop();
}

void RoutingHost::post(std::function<void()> fn) { asio::post(io_, std::move(fn)); }

// ---------------------------------------------------------------------------------------------
// Lookups and proto building.

Status RoutingHost::find_agent(const std::string& name, engine::AgentId& out) const {
  auto id = router_->find_agent(name);
  if (!id) return {StatusCode::NOT_FOUND, "agent: unknown agent '" + name + "'"};
  out = *id;
  return Status::OK;
}

Status RoutingHost::find_interaction(const std::string& client_id,
                                     engine::InteractionId& out) const {
  auto it = by_client_id_.find(client_id);
  if (it != by_client_id_.end()) {
    out = it->second;
    return Status::OK;
  }
  if (auto f = finished_.find(client_id); f != finished_.end()) {
    return {StatusCode::FAILED_PRECONDITION, "interaction_id: interaction '" + client_id +
                                                 "' is already " +
                                                 v1::InteractionState_Name(f->second.state())};
  }
  if (pending_.count(client_id)) {
    return {StatusCode::FAILED_PRECONDITION,
            "interaction_id: interaction '" + client_id + "' is still being received"};
  }
  return {StatusCode::NOT_FOUND, "interaction_id: unknown interaction '" + client_id + "'"};
}

Status RoutingHost::find_queue(const std::string& name, const char* field,
                               engine::QueueId& out) const {
  auto id = router_->find_queue(name);
  if (!id) return {StatusCode::NOT_FOUND, std::string(field) + ": unknown queue '" + name + "'"};
  out = *id;
  return Status::OK;
}

namespace {

// What recovery (RoutingHost::recover) reads from an entry that can change after the submit,
// hashed: the queue, the priority, the agents it excludes, and whether it is waiting or accepted.
// An offered interaction recovers as a waiting one and one in wrap-up as an accepted one, and
// positions, estimates and the agent an offer went to are not read back; the rest of the entry
// (customer, details, arrival, extra skills) is fixed at the submit. Entries with equal keys
// recover alike, so only the first is written: a lifecycle costs three journal writes (submit,
// accept, finish) instead of five (bench/README.md has what that gained). Never 0 ("nothing
// written yet").
uint64_t recovery_key(const v1::JournalEntry& entry) {
  const v1::Interaction& p = entry.interaction();
  const bool accepted = p.state() == v1::ASSIGNED || p.state() == v1::WRAP_UP;
  std::string key = p.queue();
  key += '\0';
  key += std::to_string(p.priority());
  key += accepted ? "\0A\0" : "\0W\0";
  if (accepted) key += p.agent();
  for (const std::string& agent : entry.excluded_agents()) {
    key += '\0';
    key += agent;
  }
  return std::max<uint64_t>(1, std::hash<std::string>{}(key));
}

}  // namespace

std::string RoutingHost::agent_name(engine::AgentId agent) const {
  return std::string(router_->agent_name(agent));
}

Status RoutingHost::agent_status(engine::AgentId agent, v1::AgentStatus* out) const {
  auto a = router_->agent(agent, clock_.now());
  if (!a.ok()) return to_grpc(a.error());
  fill_agent_status(a.value(), clock_, out);
  for (engine::InteractionId id : a.value().work) {
    auto t = tracked_.find(id.value());
    if (t != tracked_.end()) out->add_work(t->second.proto.interaction_id());
  }
  return Status::OK;
}

v1::Interaction RoutingHost::interaction_proto(
    const Tracked& t, std::optional<v1::InteractionState> final_state) const {
  v1::Interaction p = t.proto;
  if (final_state) {
    p.set_state(*final_state);
    p.set_position(0);
    if (*final_state == v1::COMPLETED) p.set_agent(t.handled_by);
    return p;
  }
  if (auto snap = router_->interaction(t.id); snap.ok()) {
    fill_state(t, snap.value(), /*estimate=*/true, p);
  }
  return p;
}

void RoutingHost::fill_state(const Tracked& t, const engine::InteractionSnapshot& s, bool estimate,
                             v1::Interaction& p) const {
  p.set_state(to_proto(s.state));
  if (s.queue.valid() && s.queue.value() < model_.queues.size()) {
    p.set_queue(model_.queues[s.queue.value()].name);
  }
  p.set_priority(s.priority);
  p.set_agent(agent_name(s.agent));
  if (s.state == engine::InteractionState::kQueued) {
    const int position = std::max(1, t.position);
    p.set_position(position);
    p.set_ewt_s(0);
    if (estimate) {
      auto ewt = router_->ewt(s.queue, position, router_->now());
      if (ewt.ok()) p.set_ewt_s(engine::seconds(ewt.value()));
    }
  } else {
    p.set_position(0);
    p.set_ewt_s(0);
  }
}

// ---------------------------------------------------------------------------------------------
// InteractionService.

Status RoutingHost::normalize(v1::SubmitInteractionRequest& r) const {
  switch (r.details_case()) {
    case v1::SubmitInteractionRequest::kPhone: {
      auto* ph = r.mutable_phone();
      // A withheld caller id is routed as an anonymous caller; anything else must be a number.
      const std::string ani_word = channels::to_lower_ascii(channels::trim_ascii(ph->ani()));
      if (ani_word == "anonymous" || ani_word == "private" || ani_word == "restricted" ||
          ani_word == "unknown" || ani_word == "withheld") {
        ph->set_ani(ani_word);
      } else {
        auto ani = phones_.to_e164(ph->ani());
        if (!ani.ok()) return invalid("phone.ani: " + ani.error().message);
        ph->set_ani(ani.value());
      }
      if (!ph->dnis().empty()) {
        // As entry-point rules are written: E.164, or the digits of a short internal number.
        auto dnis = phones_.to_dialled_number(ph->dnis());
        if (!dnis.ok()) return invalid("phone.dnis: " + dnis.error().message);
        ph->set_dnis(dnis.value());
      }
      ph->set_language(channels::to_lower_ascii(channels::trim_ascii(ph->language())));
      break;
    }
    case v1::SubmitInteractionRequest::kEmail: {
      auto* em = r.mutable_email();
      auto from = channels::normalize_email(em->from());
      if (!from.ok()) return invalid("email.from: " + from.error().message);
      em->set_from(from.value());
      if (!em->to_mailbox().empty()) {
        auto to = channels::normalize_email(em->to_mailbox());
        if (!to.ok()) return invalid("email.to_mailbox: " + to.error().message);
        em->set_to_mailbox(to.value());
      }
      em->set_message_id(channels::normalize_message_id(em->message_id()));
      em->set_in_reply_to(channels::normalize_message_id(em->in_reply_to()));
      for (auto& ref : *em->mutable_references()) ref = channels::normalize_message_id(ref);
      break;
    }
    case v1::SubmitInteractionRequest::kWeb: {
      auto* web = r.mutable_web();
      web->set_visitor_id(channels::normalize_web_id(web->visitor_id()));
      web->set_account_id(channels::normalize_web_id(web->account_id()));
      web->set_topic(channels::to_lower_ascii(channels::trim_ascii(web->topic())));
      if (!web->callback_number().empty()) {
        auto cb = phones_.to_e164(web->callback_number());
        if (!cb.ok()) return invalid("web.callback_number: " + cb.error().message);
        web->set_callback_number(cb.value());
      }
      break;
    }
    default: return invalid("details: required");
  }
  // Kept as sent (entry points compare it case-insensitively).
  r.set_intent(std::string(channels::trim_ascii(r.intent())));
  return Status::OK;
}

void RoutingHost::submit(const Caller& caller, const v1::SubmitInteractionRequest& request,
                         v1::SubmitInteractionResponse* response,
                         std::function<void(Status)> done) {
  const std::string& id = request.interaction_id();
  // Idempotency first: a repeat never becomes a second interaction.
  if (auto it = by_client_id_.find(id); it != by_client_id_.end()) {
    *response->mutable_interaction() = interaction_proto(tracked_.at(it->second.value()), {});
    response->set_replayed(true);
    return done(Status::OK);
  }
  if (auto f = finished_.find(id); f != finished_.end()) {
    *response->mutable_interaction() = f->second;
    response->set_replayed(true);
    return done(Status::OK);
  }
  if (auto p = pending_.find(id); p != pending_.end()) {
    p->second.waiters.emplace_back(response, std::move(done));
    return;
  }
  if (draining_) return done({StatusCode::UNAVAILABLE, "routerd is shutting down"});
  if (journal_ != nullptr && !journal_->available()) {
    // Never OK for something not journaled; fail fast rather than after the lookup.
    return done({StatusCode::UNAVAILABLE,
                 "the interaction journal (" + journal_->describe() +
                     ") is unavailable; nothing was accepted, retry with the same interaction_id"});
  }
  if (router_->live_count() + pending_.size() >= model_.router.limits.max_interactions) {
    return done(
        {StatusCode::RESOURCE_EXHAUSTED, "the router holds its maximum of " +
                                             std::to_string(model_.router.limits.max_interactions) +
                                             " live interactions (limits.max_interactions)"});
  }
  v1::SubmitInteractionRequest normalized = request;
  if (Status s = normalize(normalized); !s.ok()) return done(s);

  ports::CustomerKeys keys;
  std::optional<channels::ThreadInfo> thread;
  switch (normalized.details_case()) {
    case v1::SubmitInteractionRequest::kPhone:
      if (normalized.phone().ani().starts_with('+')) keys.phone_e164 = normalized.phone().ani();
      break;
    case v1::SubmitInteractionRequest::kEmail: {
      keys.email = normalized.email().from();
      std::vector<std::string> refs(normalized.email().references().begin(),
                                    normalized.email().references().end());
      thread = threads_.find(normalized.email().in_reply_to(), refs);
      if (thread) keys.customer_id = thread->customer_id;
      break;
    }
    case v1::SubmitInteractionRequest::kWeb:
      keys.web_visitor = normalized.web().visitor_id();
      keys.web_account = normalized.web().account_id();
      if (keys.web_visitor.empty() && keys.web_account.empty())
        keys.phone_e164 = normalized.web().callback_number();
      break;
    default: break;
  }
  pending_[id].waiters.emplace_back(response, std::move(done));
  const engine::TimePoint received = clock_.now();
  // The lookup may answer on another thread (Redis); come back to the engine thread.
  customers_->lookup(keys, [this, caller, normalized = std::move(normalized), thread,
                            received](ports::LookupResult result) mutable {
    post([this, caller = std::move(caller), normalized = std::move(normalized),
          result = std::move(result), thread = std::move(thread), received]() mutable {
      finish_submit(caller, std::move(normalized), std::move(result), std::move(thread), received);
    });
  });
}

void RoutingHost::answer_pending(const std::string& id, const Status& status, bool replay) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto waiters = std::move(it->second.waiters);
  pending_.erase(it);
  bool first = true;
  for (auto& [response, done] : waiters) {
    if (status.ok()) {
      if (auto t = by_client_id_.find(id); t != by_client_id_.end()) {
        *response->mutable_interaction() = interaction_proto(tracked_.at(t->second.value()), {});
      } else if (auto f = finished_.find(id); f != finished_.end()) {
        *response->mutable_interaction() = f->second;
      }
      response->set_replayed(replay || !first);
    }
    first = false;
    done(status);
  }
}

void RoutingHost::finish_submit(const Caller& caller, v1::SubmitInteractionRequest r,
                                ports::LookupResult lookup,
                                std::optional<channels::ThreadInfo> thread,
                                engine::TimePoint received) {
  const std::string id = r.interaction_id();
  const engine::Channel channel = from_proto(r.channel());
  std::string language;
  std::string address;
  switch (r.details_case()) {
    case v1::SubmitInteractionRequest::kPhone:
      language = r.phone().language();
      address = r.phone().dnis();
      break;
    case v1::SubmitInteractionRequest::kEmail: address = r.email().to_mailbox(); break;
    case v1::SubmitInteractionRequest::kWeb: address = r.web().topic(); break;
    default: break;
  }
  if (language.empty() && lookup.customer) language = lookup.customer->language;
  auto route = entry_points_.match({channel, address, r.intent(), language});
  if (!route) {
    const char* field = r.details_case() == v1::SubmitInteractionRequest::kPhone ? "phone.dnis"
                        : r.details_case() == v1::SubmitInteractionRequest::kEmail
                            ? "email.to_mailbox"
                            : "web.topic";
    return answer_pending(id, invalid(std::string(field) + ": no entry point matches channel " +
                                      v1::Channel_Name(r.channel()) + " address '" + address +
                                      "' intent '" + r.intent() + "' language '" + language + "'"));
  }
  if (language.empty()) language = route->set_language;

  engine::InteractionSpec spec;
  spec.id = engine::InteractionId(next_id_++);
  spec.queue = route->queue;
  spec.channel = channel;
  spec.language = language;
  spec.priority = std::min(100, r.priority() + route->priority_bonus);
  spec.extra_skills = route->extra_skills;
  spec.arrival = received;
  for (const auto& [k, v] : r.attributes()) spec.attributes.emplace_back(k, v);
  v1::Customer customer;
  customer.set_lookup_degraded(lookup.degraded);
  if (lookup.degraded) {
    ++degraded_lookups_;
    if (degraded_run_++ == 0) {
      spdlog::warn(
          "event=customer_lookups_degraded store=\"{}\" effect=\"routed as anonymous "
          "until the store answers again\"",
          customers_->describe());
    }
  } else if (degraded_run_ > 0) {
    spdlog::info("event=customer_lookups_recovered degraded_lookups={} total_degraded={}",
                 degraded_run_, degraded_lookups_);
    degraded_run_ = 0;
  }
  if (lookup.customer) {
    const auto& c = *lookup.customer;
    spec.customer.customer_id = c.customer_id;
    spec.customer.segment = c.segment;
    spec.customer.lifetime_value = c.lifetime_value;
    if (auto a = router_->find_agent(c.preferred_agent)) spec.customer.preferred_agent = *a;
    if (auto a = router_->find_agent(c.last_agent)) spec.customer.last_agent = *a;
    customer.set_customer_id(c.customer_id);
    customer.set_name(c.name);
    customer.set_segment(to_proto(c.segment));
    customer.set_lifetime_value(c.lifetime_value);
    customer.set_language(c.language);
    customer.set_preferred_agent(c.preferred_agent);
    customer.set_last_agent(c.last_agent);
    customer.set_matched_by(lookup.matched_by);
  }
  if (thread && !thread->agent.empty()) {
    // A reply in a thread prefers the agent who handled the earlier email.
    if (auto a = router_->find_agent(thread->agent)) {
      spec.customer.preferred_agent = *a;
      customer.set_preferred_agent(thread->agent);
    }
  }
  if (thread && lookup.customer && lookup.customer->customer_id == thread->customer_id) {
    customer.set_matched_by("email_thread");
  }

  Tracked t;
  t.id = spec.id;
  t.submitter = caller.name;
  t.arrived_unix_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.wall(received).time_since_epoch())
          .count();
  t.extra_skills = spec.extra_skills;
  if (thread) t.thread_agent = thread->agent;
  auto& p = t.proto;
  p.set_interaction_id(id);
  p.set_channel(r.channel());
  *p.mutable_customer() = customer;
  clock_.stamp(received, p.mutable_arrived());
  *p.mutable_attributes() = r.attributes();
  p.set_language(language);
  p.set_intent(r.intent());
  switch (r.details_case()) {
    case v1::SubmitInteractionRequest::kPhone: *p.mutable_phone() = r.phone(); break;
    case v1::SubmitInteractionRequest::kEmail:
      *p.mutable_email() = r.email();
      t.message_id = r.email().message_id();
      break;
    case v1::SubmitInteractionRequest::kWeb: *p.mutable_web() = r.web(); break;
    default: break;
  }
  if (journal_ == nullptr) return admit(std::move(spec), std::move(t));

  // Durable first: the entry is journaled before the engine sees it, and OK waits for it.
  // Not in the engine yet: the entry is the submitted interaction, waiting in its queue.
  v1::JournalEntry entry = journal_entry(t, {});
  entry.mutable_interaction()->set_state(v1::QUEUED);
  entry.mutable_interaction()->set_queue(model_.queues[route->queue.value()].name);
  entry.mutable_interaction()->set_priority(spec.priority);
  t.journaled = recovery_key(entry);
  journal_->append(entry, [this, spec = std::move(spec),
                           t = std::move(t)](absl::StatusOr<ports::AppendResult> r) mutable {
    post([this, spec = std::move(spec), t = std::move(t), r = std::move(r)]() mutable {
      journaled(std::move(spec), std::move(t), std::move(r));
    });
  });
}

void RoutingHost::journaled(engine::InteractionSpec spec, Tracked t,
                            absl::StatusOr<ports::AppendResult> r) {
  const std::string id = t.proto.interaction_id();
  if (!r.ok()) {
    // Never OK for something not journaled. A timeout may still have stored it: the client's
    // retry with the same id finds it below (existing_live) and adopts it.
    return answer_pending(id, {StatusCode::UNAVAILABLE,
                               "the interaction journal (Redis) did not take the interaction (" +
                                   std::string(absl::StatusCodeToString(r.status().code())) + ": " +
                                   std::string(r.status().message()) +
                                   "); nothing was accepted, retry with the same interaction_id"});
  }
  if (r->appended) return admit(std::move(spec), std::move(t));
  const v1::JournalEntry& existing = *r->existing;
  if (!r->existing_live) {
    // Accepted and finished before a restart: replay what it became.
    finished_[id] = existing.interaction();
    finished_order_.push_back(id);
    return answer_pending(id, Status::OK, /*replay=*/true);
  }
  // Journaled by an earlier attempt whose answer was lost (or before a restart that did not
  // recover it): this is that interaction, not a new one.
  if (engine::Status s = restore(existing); !s.ok()) {
    answer_pending(id, to_grpc(s));
    return settle();
  }
  answer_pending(id, Status::OK, /*replay=*/true);
  settle();
}

void RoutingHost::admit(engine::InteractionSpec spec, Tracked t) {
  const std::string id = t.proto.interaction_id();
  auto result = router_->submit(spec, clock_.now());
  if (!result.ok()) {
    if (journal_ != nullptr) journal_->discard(id);
    answer_pending(id, to_grpc(result.error()));
    return settle();
  }
  t.position = result.value().position;
  t.proto.set_queue(model_.queues[spec.queue.value()].name);
  if (!t.message_id.empty()) {
    threads_.remember(t.message_id,
                      channels::ThreadInfo{t.proto.customer().customer_id(), id, t.thread_agent});
  }
  spdlog::info(
      "event=submitted id={} channel={} queue={} customer={} matched_by={} {} position={}", id,
      v1::Channel_Name(t.proto.channel()), model_.queues[spec.queue.value()].name,
      t.proto.customer().customer_id().empty() ? "anonymous" : t.proto.customer().customer_id(),
      t.proto.customer().matched_by(), masked_keys(t.proto), result.value().position);
  tracked_.emplace(spec.id.value(), std::move(t));
  by_client_id_.emplace(id, spec.id);
  answer_pending(id, Status::OK);
  settle();
}

Status RoutingHost::cancel(const v1::CancelInteractionRequest& request, v1::Interaction* out) {
  engine::InteractionId id;
  if (Status s = find_interaction(request.interaction_id(), id); !s.ok()) return s;
  if (auto s = router_->cancel(id, clock_.now()); !s.ok()) return to_grpc(s);
  settle();
  if (auto f = finished_.find(request.interaction_id()); f != finished_.end()) *out = f->second;
  spdlog::info("event=cancelled id={} reason={}", request.interaction_id(), request.reason());
  return Status::OK;
}

Status RoutingHost::get(const std::string& interaction_id, v1::Interaction* out) const {
  if (auto it = by_client_id_.find(interaction_id); it != by_client_id_.end()) {
    *out = interaction_proto(tracked_.at(it->second.value()), {});
    return Status::OK;
  }
  if (auto f = finished_.find(interaction_id); f != finished_.end()) {
    *out = f->second;
    return Status::OK;
  }
  if (pending_.count(interaction_id)) {
    out->set_interaction_id(interaction_id);
    out->set_state(v1::RECEIVED);
    return Status::OK;
  }
  return {StatusCode::NOT_FOUND, "interaction_id: unknown interaction '" + interaction_id + "'"};
}

void RoutingHost::watch_interactions(const Caller& caller,
                                     const v1::WatchInteractionsRequest& request,
                                     std::shared_ptr<InteractionOutbox> outbox) {
  if (draining_) {
    outbox->finish(Status::OK);
    return;
  }
  // The first message says the watch is registered: every later change is on this stream.
  v1::InteractionEvent hello;
  clock_.stamp(clock_.now(), hello.mutable_at());
  hello.set_change("watching");
  outbox->push(std::move(hello));
  InteractionWatcher w;
  w.outbox = std::move(outbox);
  w.ids.insert(request.interaction_ids().begin(), request.interaction_ids().end());
  interaction_watchers_[caller.name].push_back(std::move(w));
}

// ---------------------------------------------------------------------------------------------
// AgentService.

Status RoutingHost::login(const v1::LoginRequest& request, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  if (auto s = router_->login(agent, request.ready(), clock_.now()); !s.ok()) return to_grpc(s);
  settle();
  spdlog::info("event=login agent={} ready={}", request.agent(), request.ready());
  return agent_status(agent, out);
}

Status RoutingHost::logout(const std::string& name, bool forced, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (Status s = find_agent(name, agent); !s.ok()) return s;
  if (auto s = router_->logout(agent,
                               forced ? engine::LogoutMode::kForced : engine::LogoutMode::kGraceful,
                               clock_.now());
      !s.ok()) {
    return to_grpc(s);
  }
  settle();
  spdlog::info("event=logout agent={} forced={}", name, forced);
  return agent_status(agent, out);
}

Status RoutingHost::set_state(const v1::SetStateRequest& request, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  engine::Status s;
  switch (request.state()) {
    case v1::READY: s = router_->set_ready(agent, clock_.now()); break;
    case v1::NOT_READY:
      s = router_->set_not_ready(agent, request.reason().empty() ? "not_ready" : request.reason(),
                                 clock_.now());
      break;
    case v1::LOGGED_OUT: return logout(request.agent(), /*forced=*/true, out);
    default: return invalid("state: must be READY or NOT_READY");
  }
  if (!s.ok()) return to_grpc(s);
  settle();
  return agent_status(agent, out);
}

Status RoutingHost::stream_work(const std::string& name, std::shared_ptr<WorkOutbox> outbox) {
  engine::AgentId agent;
  if (Status s = find_agent(name, agent); !s.ok()) return s;
  if (draining_) return {StatusCode::UNAVAILABLE, "routerd is shutting down"};
  auto& stream = agent_streams_[agent.value()];
  if (stream.outbox && stream.outbox != outbox) {
    stream.outbox->finish({StatusCode::ABORTED, "replaced by a newer StreamWork for this agent"},
                          /*drain=*/false);
  }
  if (stream.grace) {
    stream.grace->cancel();
    stream.grace.reset();
  }
  stream.outbox = std::move(outbox);
  v1::WorkEvent hello;
  clock_.stamp(clock_.now(), hello.mutable_at());
  (void)agent_status(agent, hello.mutable_status());
  stream.outbox->push(std::move(hello));
  // Offers made before the stream opened are sent again so the desktop can answer them.
  auto a = router_->agent(agent, clock_.now());
  if (a.ok()) {
    for (engine::InteractionId id : a.value().work) send_agent_update(agent, id);
  }
  return Status::OK;
}

void RoutingHost::stream_work_ended(const std::string& name,
                                    const std::shared_ptr<WorkOutbox>& outbox) {
  auto id = router_->find_agent(name);
  if (!id) return;
  auto it = agent_streams_.find(id->value());
  if (it == agent_streams_.end() || it->second.outbox != outbox) return;  // replaced
  it->second.outbox.reset();
  if (draining_) return;
  const engine::AgentId agent = *id;
  auto timer = std::make_unique<asio::steady_timer>(io_, model_.daemon.agent_grace);
  timer->async_wait([this, agent, name](const asio::error_code& ec) {
    if (ec) return;  // a new stream came in time, or shutdown
    auto s = agent_streams_.find(agent.value());
    if (s == agent_streams_.end() || s->second.outbox) return;
    agent_streams_.erase(s);
    auto snap = router_->agent(agent, clock_.now());
    if (!snap.ok() || snap.value().state == engine::AgentState::kLoggedOut) return;
    spdlog::warn("event=stream_lost agent={} grace_ms={} action=logout", name,
                 model_.daemon.agent_grace.count());
    (void)router_->logout(agent, engine::LogoutMode::kForced, clock_.now());
    settle();
  });
  it->second.grace = std::move(timer);
}

std::string RoutingHost::holder(const std::string& interaction_id) const {
  auto it = by_client_id_.find(interaction_id);
  if (it == by_client_id_.end()) return {};
  auto snap = router_->interaction(it->second);
  return snap.ok() ? agent_name(snap.value().agent) : std::string();
}

Status RoutingHost::agent_command(
    const std::string& agent_name, const std::string& interaction_id, v1::AgentStatus* out,
    const std::function<engine::Status(engine::AgentId, engine::InteractionId)>& command) {
  engine::AgentId agent;
  engine::InteractionId id;
  if (Status s = find_agent(agent_name, agent); !s.ok()) return s;
  if (Status s = find_interaction(interaction_id, id); !s.ok()) return s;
  const engine::Status done = command(agent, id);
  settle();  // also when refused: the command may have fired a due offer timeout first
  if (!done.ok()) return to_grpc(done);
  return agent_status(agent, out);
}

Status RoutingHost::accept(const v1::OfferRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         engine::Status s = router_->accept(agent, id, clock_.now());
                         auto t = tracked_.find(id.value());
                         if (s.ok() && t != tracked_.end() && !t->second.message_id.empty()) {
                           threads_.set_agent(t->second.message_id, request.agent());
                         }
                         return s;
                       });
}

Status RoutingHost::reject(const v1::OfferRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         return router_->reject(agent, id, clock_.now());
                       });
}

Status RoutingHost::complete(const v1::CompleteRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         return router_->complete(agent, id, request.wrap_up_code(), clock_.now());
                       });
}

Status RoutingHost::end_wrap_up(const v1::OfferRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         return router_->end_wrap_up(agent, id, clock_.now());
                       });
}

Status RoutingHost::transfer(const v1::TransferRequest& request, v1::AgentStatus* out) {
  engine::QueueId queue;
  engine::AgentId to;
  if (request.to_case() == v1::TransferRequest::kQueue) {
    if (Status s = find_queue(request.queue(), "queue", queue); !s.ok()) return s;
  } else {
    auto found = router_->find_agent(request.to_agent());
    if (!found) {
      return {StatusCode::NOT_FOUND, "to_agent: unknown agent '" + request.to_agent() + "'"};
    }
    to = *found;
  }
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         return queue.valid()
                                    ? router_->transfer_to_queue(agent, id, queue, clock_.now())
                                    : router_->transfer_to_agent(agent, id, to, clock_.now());
                       });
}

// ---------------------------------------------------------------------------------------------
// SupervisorService.

Status RoutingHost::queue_stats(const v1::GetQueueStatsRequest& request,
                                v1::GetQueueStatsResponse* out) const {
  const engine::TimePoint now = clock_.now();
  clock_.stamp(now, out->mutable_at());
  std::vector<engine::QueueId> queues;
  if (request.queues().empty()) {
    for (size_t i = 0; i < router_->queue_count(); ++i) {
      queues.emplace_back(static_cast<uint32_t>(i));
    }
  } else {
    for (int i = 0; i < request.queues_size(); ++i) {
      auto q = router_->find_queue(request.queues(i));
      if (!q) {
        return {StatusCode::NOT_FOUND,
                "queues[" + std::to_string(i) + "]: unknown queue '" + request.queues(i) + "'"};
      }
      queues.push_back(*q);
    }
  }
  for (engine::QueueId q : queues) {
    auto s = router_->queue_stats(q, now);
    if (!s.ok()) return to_grpc(s.error());
    fill_queue_stats(s.value(), out->add_queues());
  }
  return Status::OK;
}

Status RoutingHost::list_agents(const v1::ListAgentsRequest& request,
                                v1::ListAgentsResponse* out) const {
  for (size_t i = 0; i < router_->agent_count(); ++i) {
    const engine::AgentId agent(static_cast<uint32_t>(i));
    auto a = router_->agent(agent, clock_.now());
    if (!a.ok()) continue;
    if (!request.team().empty() && a.value().team != request.team()) continue;
    (void)agent_status(agent, out->add_agents());
  }
  return Status::OK;
}

Status RoutingHost::list_interactions(const v1::ListInteractionsRequest& request,
                                      v1::ListInteractionsResponse* out) const {
  engine::QueueId q;
  if (Status s = find_queue(request.queue(), "queue", q); !s.ok()) return s;
  const size_t limit = request.limit() > 0 ? static_cast<size_t>(request.limit()) : 100;
  auto waiting = router_->waiting(q, limit);
  if (!waiting.ok()) return to_grpc(waiting.error());
  int position = 0;
  for (const auto& snap : waiting.value()) {
    ++position;
    auto t = tracked_.find(snap.id.value());
    if (t == tracked_.end()) continue;
    v1::Interaction p = interaction_proto(t->second, {});
    p.set_position(position);
    auto ewt = router_->ewt(q, position, router_->now());
    p.set_ewt_s(ewt.ok() ? engine::seconds(ewt.value()) : 0.0);
    *out->add_interactions() = std::move(p);
  }
  return Status::OK;
}

Status RoutingHost::watch_queues(const v1::WatchQueuesRequest& request,
                                 std::shared_ptr<QueueOutbox> outbox) {
  v1::GetQueueStatsRequest stats;
  *stats.mutable_queues() = request.queues();
  v1::GetQueueStatsResponse first;
  if (Status s = queue_stats(stats, &first); !s.ok()) return s;
  if (draining_) return {StatusCode::UNAVAILABLE, "routerd is shutting down"};
  outbox->push(std::move(first));
  auto w = std::make_unique<QueueWatcher>();
  w->outbox = std::move(outbox);
  w->request = std::move(stats);
  w->interval = std::chrono::milliseconds(
      static_cast<int64_t>((request.interval_s() > 0 ? request.interval_s() : 1.0) * 1000));
  w->timer = std::make_unique<asio::steady_timer>(io_);
  arm_queue_watcher(w.get());
  queue_watchers_.push_back(std::move(w));
  return Status::OK;
}

void RoutingHost::arm_queue_watcher(QueueWatcher* w) {
  w->timer->expires_after(w->interval);
  w->timer->async_wait([this, w](const asio::error_code& ec) {
    if (ec) return;
    v1::GetQueueStatsResponse snapshot;
    if (w->outbox->open() && queue_stats(w->request, &snapshot).ok() &&
        w->outbox->push(std::move(snapshot))) {
      arm_queue_watcher(w);
      return;
    }
    // The reader went away (or was cut off): forget the watcher.
    std::erase_if(queue_watchers_, [w](const auto& p) { return p.get() == w; });
  });
}

Status RoutingHost::explain(const v1::ExplainRoutingRequest& request,
                            v1::ExplainRoutingResponse* out) const {
  auto it = by_client_id_.find(request.interaction_id());
  if (it == by_client_id_.end()) {
    if (finished_.count(request.interaction_id())) {
      return {StatusCode::FAILED_PRECONDITION,
              "interaction_id: the interaction is finished; only live ones are explained"};
    }
    return {StatusCode::NOT_FOUND,
            "interaction_id: unknown interaction '" + request.interaction_id() + "'"};
  }
  auto e = router_->explain(it->second, clock_.now());
  if (!e.ok()) return to_grpc(e.error());
  const auto& x = e.value();
  out->set_interaction_id(request.interaction_id());
  out->set_state(to_proto(x.state));
  out->set_stage(x.stage);
  for (const auto& req : x.effective_skills) {
    auto* s = out->add_effective_skills();
    s->set_skill(std::string(router_->skill_name(req.skill)));
    s->set_min_level(req.min_level);
  }
  for (const auto& r : x.eligible) {
    auto* e2 = out->add_eligible();
    e2->set_agent(agent_name(r.agent));
    e2->set_points(engine::to_double(r.points.total()));
    fill_breakdown(r.points, e2->mutable_breakdown());
  }
  for (const auto& r : x.ineligible) {
    auto* i = out->add_ineligible();
    i->set_agent(agent_name(r.agent));
    i->set_reason(std::string(engine::to_string(r.reason)));
    i->set_detail(r.detail);
  }
  return Status::OK;
}

Status RoutingHost::update_skills(const v1::UpdateAgentSkillsRequest& request,
                                  v1::AgentStatus* out) {
  engine::AgentId agent;
  if (Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  std::vector<engine::SkillLevel> skills;
  for (int i = 0; i < request.skills_size(); ++i) {
    auto skill = router_->find_skill(request.skills(i).skill());
    if (!skill) {
      return invalid("skills[" + std::to_string(i) + "].skill: unknown skill '" +
                     request.skills(i).skill() + "'");
    }
    skills.push_back({*skill, request.skills(i).level()});
  }
  if (auto s = router_->update_agent_skills(agent, std::move(skills), clock_.now()); !s.ok()) {
    return to_grpc(s);
  }
  settle();
  spdlog::info("event=skills_updated agent={} skills={}", request.agent(), request.skills_size());
  return agent_status(agent, out);
}

Status RoutingHost::set_priority(const v1::SetInteractionPriorityRequest& request,
                                 v1::Interaction* out) {
  engine::InteractionId id;
  if (Status s = find_interaction(request.interaction_id(), id); !s.ok()) return s;
  if (auto s = router_->set_priority(id, request.priority(), clock_.now()); !s.ok()) {
    return to_grpc(s);
  }
  settle();
  return get(request.interaction_id(), out);
}

Status RoutingHost::move(const v1::MoveInteractionRequest& request, v1::Interaction* out) {
  engine::InteractionId id;
  engine::QueueId q;
  if (Status s = find_interaction(request.interaction_id(), id); !s.ok()) return s;
  if (Status s = find_queue(request.queue(), "queue", q); !s.ok()) return s;
  if (auto s = router_->move(id, q, clock_.now()); !s.ok()) return to_grpc(s);
  settle();
  return get(request.interaction_id(), out);
}

// ---------------------------------------------------------------------------------------------
// Events → streams.

void RoutingHost::settle() {
  events_.clear();
  router_->drain_events(events_);
  for (const auto& e : events_) publish(e);
  events_.clear();
  flush_journal();
  arm_deadline();
}

void RoutingHost::arm_deadline() {
  const auto next = router_->next_deadline();
  if (next == armed_deadline_) return;
  armed_deadline_ = next;
  deadline_timer_.cancel();
  if (!next) return;
  const auto delay = std::max(engine::Duration(0), *next - clock_.now());
  deadline_timer_.expires_after(delay);
  deadline_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    armed_deadline_.reset();
    router_->advance(clock_.now());
    settle();
  });
}

void RoutingHost::arm_heartbeat() {
  heartbeat_timer_.expires_after(model_.daemon.heartbeat);
  heartbeat_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    for (auto& [agent, stream] : agent_streams_) {
      if (!stream.outbox) continue;
      v1::WorkEvent hb;
      clock_.stamp(clock_.now(), hb.mutable_at());
      hb.mutable_heartbeat();
      stream.outbox->push(std::move(hb));
    }
    arm_heartbeat();
  });
}

void RoutingHost::send_work(engine::AgentId agent, v1::WorkEvent event) {
  auto it = agent_streams_.find(agent.value());
  if (it == agent_streams_.end() || !it->second.outbox) return;
  it->second.outbox->push(std::move(event));
}

void RoutingHost::send_agent_update(engine::AgentId agent, engine::InteractionId id,
                                    std::optional<v1::InteractionState> final_state) {
  if (!agent.valid()) return;
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  v1::WorkEvent ev;
  clock_.stamp(clock_.now(), ev.mutable_at());
  *ev.mutable_update() = interaction_proto(t->second, final_state);
  send_work(agent, std::move(ev));
}

void RoutingHost::notify_interaction(engine::InteractionId id, const char* change,
                                     std::string reason,
                                     std::optional<v1::InteractionState> final_state) {
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  if (journal_ != nullptr && !final_state) journal_dirty_.insert(id.value());
  auto w = interaction_watchers_.find(t->second.submitter);
  if (w == interaction_watchers_.end()) return;
  v1::InteractionEvent ev;
  clock_.stamp(clock_.now(), ev.mutable_at());
  *ev.mutable_interaction() = interaction_proto(t->second, final_state);
  ev.set_change(change);
  ev.set_reason(std::move(reason));
  auto& list = w->second;
  for (auto& watcher : list) {
    if (!watcher.ids.empty() && !watcher.ids.count(t->second.proto.interaction_id())) continue;
    watcher.outbox->push(ev);
  }
  std::erase_if(list, [](const InteractionWatcher& x) { return !x.outbox->open(); });
  if (list.empty()) interaction_watchers_.erase(w);
}

void RoutingHost::retire(engine::InteractionId id, v1::InteractionState final_state) {
  auto t = tracked_.find(id.value());
  if (t == tracked_.end()) return;
  const std::string client_id = t->second.proto.interaction_id();
  if (journal_ != nullptr) {
    journal_->finish(journal_entry(t->second, final_state));
    journal_dirty_.erase(id.value());
  }
  v1::Interaction last = interaction_proto(t->second, final_state);
  finished_[client_id] = std::move(last);
  finished_order_.push_back(client_id);
  while (finished_order_.size() > model_.daemon.max_finished_remembered) {
    finished_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
  by_client_id_.erase(client_id);
  tracked_.erase(t);
}

void RoutingHost::publish(const engine::Event& event) {
  std::visit(
      Overloaded{
          [&](const engine::QueuedEvent& e) {
            if (auto t = tracked_.find(e.interaction.value()); t != tracked_.end()) {
              t->second.position = e.position;
            }
            notify_interaction(e.interaction, "queued", "");
          },
          [&](const engine::OfferedEvent& e) {
            notify_interaction(e.interaction, "offered", "");
            auto t = tracked_.find(e.interaction.value());
            if (t == tracked_.end()) return;
            v1::WorkEvent ev;
            clock_.stamp(event.at, ev.mutable_at());
            auto* offer = ev.mutable_offer();
            *offer->mutable_interaction() = interaction_proto(t->second, {});
            clock_.stamp(e.expires, offer->mutable_expires());
            offer->set_points(engine::to_double(e.points.total()));
            fill_breakdown(e.points, offer->mutable_breakdown());
            send_work(e.agent, std::move(ev));
            spdlog::info("event=offered id={} agent={} points={:.3f}",
                         t->second.proto.interaction_id(), agent_name(e.agent),
                         engine::to_double(e.points.total()));
          },
          [&](const engine::AssignedEvent& e) {
            if (auto t = tracked_.find(e.interaction.value()); t != tracked_.end()) {
              t->second.handled_by = agent_name(e.agent);
            }
            notify_interaction(e.interaction, "assigned", "");
            send_agent_update(e.agent, e.interaction);
          },
          [&](const engine::RequeuedEvent& e) {
            notify_interaction(e.interaction, "requeued", reason_name(e.reason));
            send_agent_update(e.agent, e.interaction);
          },
          [&](const engine::AbandonedEvent& e) {
            notify_interaction(e.interaction, "abandoned", "", v1::ABANDONED);
            retire(e.interaction, v1::ABANDONED);
          },
          [&](const engine::ExpiredEvent& e) {
            notify_interaction(e.interaction, "expired", "max_wait", v1::EXPIRED);
            retire(e.interaction, v1::EXPIRED);
          },
          [&](const engine::OverflowedEvent& e) {
            notify_interaction(e.interaction, "overflowed", "");
          },
          [&](const engine::ExpandedEvent& e) {
            notify_interaction(e.interaction, "expanded", "stage " + std::to_string(e.stage));
          },
          [&](const engine::MovedEvent& e) { notify_interaction(e.interaction, "moved", ""); },
          [&](const engine::TransferredToAgentEvent& e) {
            notify_interaction(e.interaction, "transferred", "to " + agent_name(e.to));
          },
          [&](const engine::PriorityChangedEvent& e) {
            notify_interaction(e.interaction, "priority_changed", "");
          },
          [&](const engine::WrapUpStartedEvent& e) {
            notify_interaction(e.interaction, "wrap_up", e.wrap_up_code);
            send_agent_update(e.agent, e.interaction);
          },
          [&](const engine::CompletedEvent& e) {
            notify_interaction(e.interaction, "completed", "", v1::COMPLETED);
            send_agent_update(e.agent, e.interaction, v1::COMPLETED);
            const std::string agent = agent_name(e.agent);
            if (!e.customer_id.empty() && !agent.empty()) {
              const auto unix_s = std::chrono::duration_cast<std::chrono::seconds>(
                                      clock_.wall(event.at).time_since_epoch())
                                      .count();
              customers_->record_contact(e.customer_id, agent, unix_s);
            }
            retire(e.interaction, v1::COMPLETED);
          },
          [&](const engine::AgentStateChangedEvent& e) {
            v1::WorkEvent ev;
            clock_.stamp(event.at, ev.mutable_at());
            if (agent_status(e.agent, ev.mutable_status()).ok()) {
              send_work(e.agent, std::move(ev));
            }
          },
      },
      event.body);
}

// ---------------------------------------------------------------------------------------------
// The journal: entries, changes, recovery.

v1::JournalEntry RoutingHost::journal_entry(const Tracked& t,
                                            std::optional<v1::InteractionState> final_state) const {
  v1::JournalEntry e;
  v1::Interaction& p = *e.mutable_interaction();
  if (final_state) {
    p = interaction_proto(t, final_state);
  } else {
    p = t.proto;
    // One snapshot for the state and the exclusions; no EWT (recovery recomputes it).
    if (auto snap = router_->interaction(t.id); snap.ok()) {
      fill_state(t, snap.value(), /*estimate=*/false, p);
      for (engine::AgentId a : snap.value().excluded) e.add_excluded_agents(agent_name(a));
    }
  }
  e.set_arrived_unix_ns(t.arrived_unix_ns);
  for (const auto& req : t.extra_skills) {
    auto* out = e.add_extra_skills();
    out->set_skill(model_.skills[req.skill.value()]);
    out->set_min_level(req.min_level);
  }
  e.set_submitter(t.submitter);
  e.set_thread_agent(t.thread_agent);
  return e;
}

void RoutingHost::flush_journal() {
  if (journal_ == nullptr || journal_dirty_.empty()) return;
  for (uint64_t id : journal_dirty_) {
    if (auto t = tracked_.find(id); t != tracked_.end()) {
      v1::JournalEntry entry = journal_entry(t->second, {});
      // Finished entries report the last queue they were in.
      t->second.proto.set_queue(entry.interaction().queue());
      const uint64_t key = recovery_key(entry);
      if (key == t->second.journaled) continue;  // recovery would read the same
      t->second.journaled = key;
      journal_->update(entry);
    }
  }
  journal_dirty_.clear();
}

engine::Status RoutingHost::restore(const v1::JournalEntry& entry) {
  const v1::Interaction& in = entry.interaction();
  const std::string& id = in.interaction_id();
  auto queue = router_->find_queue(in.queue());
  if (!queue) {
    return engine::not_found("queue: '" + in.queue() + "' is not in the configuration any more");
  }
  if (in.channel() == v1::CHANNEL_UNSPECIFIED) return engine::invalid_argument("channel: unset");
  engine::InteractionSpec spec;
  spec.id = engine::InteractionId(next_id_++);
  spec.queue = *queue;
  spec.channel = from_proto(in.channel());
  spec.language = in.language();
  spec.priority = std::clamp(in.priority(), 0, 100);
  for (const auto& req : entry.extra_skills()) {
    auto skill = router_->find_skill(req.skill());
    if (!skill) return engine::not_found("extra_skills: skill '" + req.skill() + "' is gone");
    spec.extra_skills.push_back({*skill, req.min_level()});
  }
  for (const auto& [k, v] : in.attributes()) spec.attributes.emplace_back(k, v);
  const v1::Customer& c = in.customer();
  spec.customer.customer_id = c.customer_id();
  spec.customer.segment = from_proto(c.segment());
  spec.customer.lifetime_value = std::max(0.0, c.lifetime_value());
  if (auto a = router_->find_agent(c.preferred_agent())) spec.customer.preferred_agent = *a;
  if (auto a = router_->find_agent(c.last_agent())) spec.customer.last_agent = *a;
  for (const auto& name : entry.excluded_agents()) {
    if (auto a = router_->find_agent(name)) spec.excluded.push_back(*a);
  }
  // The original arrival, carried over to this process's timeline (never in the future).
  const engine::TimePoint now = clock_.now();
  spec.arrival = std::min(now, clock_.from_wall(std::chrono::system_clock::time_point(
                                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::nanoseconds(entry.arrived_unix_ns())))));

  auto result = router_->submit(spec, now);
  if (!result.ok()) return result.error();
  Tracked t;
  t.id = spec.id;
  t.submitter = entry.submitter();
  t.proto = in;
  t.proto.clear_agent();
  t.position = result.value().position;
  t.arrived_unix_ns = entry.arrived_unix_ns();
  t.extra_skills = spec.extra_skills;
  t.thread_agent = entry.thread_agent();
  if (in.has_email()) t.message_id = in.email().message_id();
  if (!t.message_id.empty()) {
    threads_.remember(t.message_id, channels::ThreadInfo{c.customer_id(), id, t.thread_agent});
  }
  tracked_.emplace(spec.id.value(), std::move(t));
  by_client_id_.emplace(id, spec.id);
  journal_dirty_.insert(spec.id.value());  // its state is QUEUED now, whatever it was
  return engine::Status();
}

RoutingHost::RecoveryReport RoutingHost::recover(const std::vector<v1::JournalEntry>& entries) {
  RecoveryReport report;
  for (const v1::JournalEntry& entry : entries) {
    const v1::Interaction& in = entry.interaction();
    const std::string& id = in.interaction_id();
    if (by_client_id_.count(id)) {
      spdlog::error("event=recovery_duplicate id={} action=skipped", id);
      ++report.dropped;
      continue;
    }
    if (in.state() == v1::ASSIGNED || in.state() == v1::WRAP_UP) {
      // The conversation is already with that agent: offering it again would double it.
      v1::JournalEntry closed = entry;
      closed.mutable_interaction()->set_state(v1::COMPLETED);
      if (journal_ != nullptr) journal_->finish(closed);
      finished_[id] = closed.interaction();
      finished_order_.push_back(id);
      spdlog::warn("event=recovery_closed id={} state={} agent={} reason=in_progress_at_restart",
                   id, v1::InteractionState_Name(in.state()), in.agent());
      ++report.closed_in_progress;
      continue;
    }
    if (engine::Status s = restore(entry); !s.ok()) {
      spdlog::error("event=recovery_dropped id={} queue={} error=\"{}\"", id, in.queue(),
                    s.error().message);
      if (journal_ != nullptr) {
        v1::JournalEntry lost = entry;
        lost.mutable_interaction()->set_state(v1::EXPIRED);
        journal_->finish(lost);
      }
      ++report.dropped;
      continue;
    }
    if (in.state() == v1::OFFERED) ++report.offers_withdrawn;
    ++report.recovered;
  }
  settle();
  spdlog::info(
      "event=recovered interactions={} offers_withdrawn={} closed_in_progress={} dropped={}",
      report.recovered, report.offers_withdrawn, report.closed_in_progress, report.dropped);
  return report;
}

// ---------------------------------------------------------------------------------------------
// Reload and shutdown.

engine::Result<RoutingHost::ReloadReport> RoutingHost::reload(config::RoutingModel next) {
  ReloadReport report;
  // Ids are positions: keep the running order, so removals and reorders cannot be applied live.
  for (size_t i = 0; i < model_.skills.size(); ++i) {
    if (i >= next.skills.size() || next.skills[i] != model_.skills[i]) {
      return engine::invalid_argument(
          "skills: existing skills must keep their order (new ones go at the end); '" +
          model_.skills[i] + "' moved or was removed — that needs a restart");
    }
  }
  for (size_t i = 0; i < model_.queues.size(); ++i) {
    if (i >= next.queues.size() || next.queues[i].name != model_.queues[i].name) {
      return engine::invalid_argument(
          "queues: existing queues must keep their order (new ones go at the end); '" +
          model_.queues[i].name + "' moved or was removed — that needs a restart");
    }
  }
  std::map<std::string, size_t> next_agents;
  for (size_t i = 0; i < next.agents.size(); ++i) next_agents[next.agents[i].name] = i;
  for (const auto& a : model_.agents) {
    if (!next_agents.count(a.name)) {
      return engine::invalid_argument("agents: agent '" + a.name +
                                      "' was removed — removing an agent needs a restart");
    }
  }
  auto phones = channels::PhoneNormalizer::make(next.daemon.default_region);
  if (!phones.ok())
    return engine::invalid_argument("daemon.default_region: " + phones.error().message);
  auto entry = channels::EntryPointTable::build(next.proto, next, phones.value());
  if (!entry.ok()) return entry.error();
  if (entry.value().size() == 0) {
    return engine::invalid_argument("entry_points: routerd needs at least one entry point rule");
  }
  // A scratch router validates every queue and agent before anything changes.
  if (auto scratch = config::build_router(next); !scratch.ok()) return scratch.error();

  const engine::TimePoint now = clock_.now();
  for (size_t i = model_.skills.size(); i < next.skills.size(); ++i) {
    if (auto r = router_->add_skill(next.skills[i]); !r.ok()) return r.error();
    report.changes.push_back("skill " + next.skills[i] + " added");
  }
  // New queues first without overflow (it may name a later queue), then every queue's config.
  for (size_t i = model_.queues.size(); i < next.queues.size(); ++i) {
    engine::QueueConfig q = next.queues[i];
    q.overflow_after.reset();
    q.overflow_queue = engine::QueueId();
    if (auto r = router_->add_queue(q); !r.ok()) return r.error();
    report.changes.push_back("queue " + q.name + " added");
  }
  for (size_t i = 0; i < next.queues.size(); ++i) {
    if (auto s =
            router_->update_queue(engine::QueueId(static_cast<uint32_t>(i)), next.queues[i], now);
        !s.ok()) {
      return engine::Error{s.error().code,
                           "queues[" + std::to_string(i) + "]: " + s.error().message};
    }
  }
  for (int i = 0; i < std::min(model_.proto.queues_size(), next.proto.queues_size()); ++i) {
    if (model_.proto.queues(i).SerializeAsString() != next.proto.queues(i).SerializeAsString()) {
      report.changes.push_back("queue " + next.queues[i].name + " updated");
    }
  }
  for (const auto& a : next.agents) {
    auto id = router_->find_agent(a.name);
    if (!id) {
      if (auto r = router_->add_agent(a); !r.ok()) return r.error();
      report.changes.push_back("agent " + a.name + " added");
      continue;
    }
    if (auto s = router_->update_agent_skills(*id, a.skills, now); !s.ok()) return s.error();
  }
  for (size_t i = 0; i < model_.agents.size(); ++i) {
    const auto& was = model_.agents[i];
    const auto& now_a = next.agents[next_agents[was.name]];
    bool skills_changed = was.skills.size() != now_a.skills.size();
    for (size_t k = 0; !skills_changed && k < was.skills.size(); ++k) {
      skills_changed = was.skills[k].skill != now_a.skills[k].skill ||
                       was.skills[k].level != now_a.skills[k].level;
    }
    if (skills_changed) report.changes.push_back("agent " + was.name + " skills updated");
  }
  for (size_t i = 0; i < model_.agents.size(); ++i) {
    const auto& was = model_.agents[i];
    const auto& now_a = next.agents[next_agents[was.name]];
    if (was.languages != now_a.languages || was.capacity.max != now_a.capacity.max ||
        was.team != now_a.team) {
      report.warnings.push_back("agents: " + was.name +
                                ": team, language and capacity changes apply after a restart");
    }
  }
  if (next.daemon.listen != model_.daemon.listen) {
    report.warnings.push_back("daemon.listen: changes need a restart");
  }
  if (next.daemon.customers_file != model_.daemon.customers_file) {
    report.warnings.push_back("daemon.customers_file: changes need a restart");
  }
  if (next.proto.redis().SerializeAsString() != model_.proto.redis().SerializeAsString() ||
      next.proto.daemon().segments().SerializeAsString() !=
          model_.proto.daemon().segments().SerializeAsString()) {
    report.warnings.push_back("redis and daemon.segments: changes need a restart");
  }
  if (next.proto.default_weights().SerializeAsString() !=
          model_.proto.default_weights().SerializeAsString() ||
      next.proto.points().SerializeAsString() != model_.proto.points().SerializeAsString() ||
      next.proto.limits().SerializeAsString() != model_.proto.limits().SerializeAsString()) {
    report.warnings.push_back(
        "default_weights, points and limits: changes need a restart (queue weights apply now)");
  }
  entry_points_ = std::move(entry).value();
  phones_ = std::move(phones).value();
  auto serialized = [](const auto& list) {
    std::string out;
    for (const auto& item : list) out += item.SerializeAsString();
    return out;
  };
  if (serialized(model_.proto.entry_points()) != serialized(next.proto.entry_points())) {
    report.changes.push_back("entry points updated (" + std::to_string(entry_points_.size()) +
                             " rules)");
  }
  if (model_.proto.auth().SerializeAsString() != next.proto.auth().SerializeAsString()) {
    report.changes.push_back("auth tokens updated (" + std::to_string(next.auth.tokens.size()) +
                             ")");
  }
  if (model_.proto.daemon().SerializeAsString() != next.proto.daemon().SerializeAsString()) {
    report.changes.push_back("daemon settings updated");
  }
  model_ = std::move(next);
  settle();
  return report;
}

void RoutingHost::drain() {
  draining_ = true;
  const Status bye(StatusCode::OK, "routerd shutting down");
  for (auto& [agent, s] : agent_streams_) {
    if (s.outbox) s.outbox->finish(bye);
    if (s.grace) s.grace->cancel();
  }
  for (auto& [name, list] : interaction_watchers_) {
    for (auto& w : list) w.outbox->finish(bye);
  }
  interaction_watchers_.clear();
  for (auto& w : queue_watchers_) {
    w->timer->cancel();
    w->outbox->finish(bye);
  }
  queue_watchers_.clear();
}

}  // namespace router::adapters::grpc
