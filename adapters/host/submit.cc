// InteractionService on the host: normalization, customer lookup, idempotent submit (journaled
// before it is answered), cancel, get and WatchInteractions. See routing_host.h.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

namespace {

absl::Status invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

std::string masked_keys(const v1::Interaction& r) {
  switch (r.details_case()) {
    case v1::Interaction::kPhone:
      return "ani=" + channels::mask_phone(r.phone().ani()) + " dnis=" + r.phone().dnis();
    case v1::Interaction::kEmail:
      return "from=" + channels::mask_email(r.email().from()) + " to=" + r.email().to_mailbox();
    case v1::Interaction::kWeb: return "topic=" + r.web().topic();
    case v1::Interaction::kWorkItem:
      return "type=" + std::string(channels::work_item_type_name(r.work_item().type()));
    default: return "";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// InteractionService.

absl::Status RoutingHost::normalize(v1::SubmitInteractionRequest& r) const {
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
    case v1::SubmitInteractionRequest::kWorkItem: {
      auto* item = r.mutable_work_item();
      item->set_customer_id(std::string(channels::trim_ascii(item->customer_id())));
      item->set_owner(std::string(channels::trim_ascii(item->owner())));
      if (!item->callback_number().empty()) {
        auto cb = phones_.to_e164(item->callback_number());
        if (!cb.ok()) return invalid("work_item.callback_number: " + cb.error().message);
        item->set_callback_number(cb.value());
      }
      break;
    }
    default: return invalid("details: required");
  }
  // Kept as sent (entry points compare it case-insensitively).
  r.set_intent(std::string(channels::trim_ascii(r.intent())));
  return absl::OkStatus();
}

void RoutingHost::submit(const std::string& submitter, const v1::SubmitInteractionRequest& request,
                         v1::SubmitInteractionResponse* response,
                         std::function<void(absl::Status)> done) {
  if (metrics_ != nullptr) {  // refusals counted by their code
    done = [this, done = std::move(done)](absl::Status s) {
      if (!s.ok()) metrics_->refused(std::string(absl::StatusCodeToString(s.code())));
      done(std::move(s));
    };
  }
  // Within the submitter's scope: another gateway's id is never this one's replay.
  const std::string id = scoped_id(submitter, request.interaction_id());
  // Idempotency first: a repeat never becomes a second interaction.
  if (auto it = by_scoped_id_.find(id); it != by_scoped_id_.end()) {
    *response->mutable_interaction() = interaction_proto(tracked_.at(it->second.value()));
    response->set_replayed(true);
    return done(absl::OkStatus());
  }
  if (auto f = finished_.find(id); f != finished_.end()) {
    *response->mutable_interaction() = f->second;
    response->set_replayed(true);
    return done(absl::OkStatus());
  }
  if (auto p = pending_.find(id); p != pending_.end()) {
    p->second.waiters.emplace_back(response, std::move(done));
    return;
  }
  if (draining_) return done(absl::UnavailableError("routerd is shutting down"));
  if (journal_ != nullptr && !journal_->available()) {
    // Never OK for something not journaled; fail fast rather than after the lookup.
    return done(absl::UnavailableError(
        "the interaction journal (" + journal_->describe() +
        ") is unavailable; nothing was accepted, retry with the same interaction_id"));
  }
  if (router_->live_count() + pending_.size() >= model_.router.limits.max_interactions) {
    return done(absl::ResourceExhaustedError("the router holds its maximum of " +
                                             std::to_string(model_.router.limits.max_interactions) +
                                             " live interactions (limits.max_interactions)"));
  }
  v1::SubmitInteractionRequest normalized = request;
  if (absl::Status s = normalize(normalized); !s.ok()) return done(s);

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
    case v1::SubmitInteractionRequest::kWorkItem:
      // The CRM names its customer; a callback's number finds one it did not name.
      keys.customer_id = normalized.work_item().customer_id();
      keys.phone_e164 = normalized.work_item().callback_number();
      break;
    default: break;
  }
  pending_[id].waiters.emplace_back(response, std::move(done));
  gateways_.insert(submitter);
  const engine::TimePoint received = clock_.now();
  // The lookup may answer inline (a cache hit: post, never re-enter the host from inside this
  // call), on another thread (post back), or later on the executor's own thread (routerd's Redis
  // replies: run at once, no hop).
  ++in_lookup_;
  customers_->lookup(keys, [this, submitter, normalized = std::move(normalized), thread,
                            received](ports::LookupResult result) mutable {
    if (in_lookup_ == 0 && executor_.running_here()) {
      if (!stopped_) {
        finish_submit(submitter, std::move(normalized), std::move(result), std::move(thread),
                      received);
      }
      return;
    }
    post([this, submitter = std::move(submitter), normalized = std::move(normalized),
          result = std::move(result), thread = std::move(thread), received]() mutable {
      finish_submit(submitter, std::move(normalized), std::move(result), std::move(thread),
                    received);
    });
  });
  --in_lookup_;
}

void RoutingHost::answer_pending(const std::string& id, const absl::Status& status, bool replay) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto waiters = std::move(it->second.waiters);
  pending_.erase(it);
  bool first = true;
  for (auto& [response, done] : waiters) {
    if (status.ok()) {
      if (auto t = by_scoped_id_.find(id); t != by_scoped_id_.end()) {
        *response->mutable_interaction() = interaction_proto(tracked_.at(t->second.value()));
      } else if (auto f = finished_.find(id); f != finished_.end()) {
        *response->mutable_interaction() = f->second;
      }
      response->set_replayed(replay || !first);
    }
    first = false;
    done(status);
  }
}

void RoutingHost::finish_submit(const std::string& submitter, v1::SubmitInteractionRequest r,
                                ports::LookupResult lookup,
                                std::optional<channels::ThreadInfo> thread,
                                engine::TimePoint received) {
  const std::string id = scoped_id(submitter, r.interaction_id());
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
    case v1::SubmitInteractionRequest::kWorkItem:
      address = channels::work_item_type_name(r.work_item().type());
      break;
    default: break;
  }
  if (language.empty() && lookup.customer) language = lookup.customer->language;
  auto route = entry_points_.match({channel, address, r.intent(), language});
  if (!route) {
    const char* field =
        r.details_case() == v1::SubmitInteractionRequest::kPhone      ? "phone.dnis"
        : r.details_case() == v1::SubmitInteractionRequest::kEmail    ? "email.to_mailbox"
        : r.details_case() == v1::SubmitInteractionRequest::kWorkItem ? "work_item.type"
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
  // A number to call back, should a closed queue take the call as a callback.
  spec.callback_number = (r.has_phone() && r.phone().ani().starts_with('+')) ||
                         (r.has_web() && !r.web().callback_number().empty());
  if (r.has_work_item()) {
    const v1::WorkItemDetails& item = r.work_item();
    work_item_times(item, clock_, spec);
    // The owner hint is the item's preferred agent (docs/routing.md, "Work items").
    if (auto a = router_->find_agent(item.owner()); a && !item.owner().empty()) {
      spec.customer.preferred_agent = *a;
      customer.set_preferred_agent(item.owner());
    }
  }

  Tracked t;
  t.id = spec.id;
  t.submitter = submitter;
  t.arrived_unix_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.wall(received).time_since_epoch())
          .count();
  t.extra_skills = spec.extra_skills;
  t.received = received;
  if (thread) t.thread_agent = thread->agent;
  auto& p = t.proto;
  p.set_interaction_id(r.interaction_id());
  p.set_gateway(submitter);
  p.set_channel(r.channel());
  *p.mutable_customer() = customer;
  stamp(received, p.mutable_arrived());
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
    case v1::SubmitInteractionRequest::kWorkItem: *p.mutable_work_item() = r.work_item(); break;
    default: break;
  }
  if (journal_ == nullptr) return admit(std::move(spec), std::move(t));

  // Durable first: the entry is journaled before the engine sees it, and OK waits for it.
  // Not in the engine yet: the entry is the submitted interaction, waiting in its queue.
  v1::JournalEntry entry = journal_entry(t);
  entry.mutable_interaction()->set_state(v1::QUEUED);
  entry.mutable_interaction()->set_queue(model_.queues[route->queue.value()].name);
  entry.mutable_interaction()->set_priority(spec.priority);
  t.journaled = recovery_key(entry);
  // append() never answers inline: on the executor's thread (routerd: one loop for the engine
  // and Redis) the answer is taken at once, from elsewhere it is posted back.
  journal_->append(entry, [this, spec = std::move(spec), t = std::move(t),
                           sent = std::chrono::steady_clock::now()](
                              absl::StatusOr<ports::AppendResult> r) mutable {
    if (metrics_ != nullptr) {
      metrics_->journaled(
          std::chrono::duration_cast<engine::Duration>(std::chrono::steady_clock::now() - sent));
    }
    if (executor_.running_here()) {
      if (!stopped_) journaled(std::move(spec), std::move(t), std::move(r));
      return;
    }
    post([this, spec = std::move(spec), t = std::move(t), r = std::move(r)]() mutable {
      journaled(std::move(spec), std::move(t), std::move(r));
    });
  });
}

void RoutingHost::journaled(engine::InteractionSpec spec, Tracked t,
                            absl::StatusOr<ports::AppendResult> r) {
  const std::string id = t.scoped();
  if (!r.ok()) {
    // Never OK for something not journaled. A timeout may still have stored it: the client's
    // retry with the same id finds it below (existing_live) and adopts it.
    return answer_pending(id, absl::UnavailableError(
                                  "the interaction journal (Redis) did not take the interaction (" +
                                  std::string(absl::StatusCodeToString(r.status().code())) + ": " +
                                  std::string(r.status().message()) +
                                  "); nothing was accepted, retry with the same interaction_id"));
  }
  if (r->appended) return admit(std::move(spec), std::move(t));
  const v1::JournalEntry& existing = *r->existing;
  if (!r->existing_live) {
    // Accepted and finished before a restart: replay what it became.
    remember_finished(id, from_journal(existing), existing.history());
    return answer_pending(id, absl::OkStatus(), /*replay=*/true);
  }
  // Journaled by an earlier attempt whose answer was lost (or before a restart that did not
  // recover it): this is that interaction, not a new one.
  if (engine::Status s = restore(existing); !s.ok()) {
    answer_pending(id, to_status(s));
    return settle();
  }
  answer_pending(id, absl::OkStatus(), /*replay=*/true);
  settle();
}

void RoutingHost::as_callback(Tracked& t, engine::TimePoint at) const {
  v1::Interaction& p = t.proto;
  v1::WorkItemDetails item;
  item.set_type(v1::WorkItemDetails::CALLBACK);
  item.set_customer_id(p.customer().customer_id());
  std::string subject = "called back: the queue was closed";
  if (p.has_phone()) {
    item.set_callback_number(p.phone().ani());
    if (!p.phone().ivr_path().empty()) subject += "; IVR " + p.phone().ivr_path();
  } else {
    item.set_callback_number(p.web().callback_number());
    if (!p.web().topic().empty()) subject += "; topic " + p.web().topic();
  }
  item.set_subject(subject.substr(0, model_.router.limits.max_string_length));
  stamp(at, item.mutable_not_before());
  p.set_channel(v1::WORK_ITEM);
  *p.mutable_work_item() = std::move(item);  // in place of the call's details
}

void RoutingHost::admit(engine::InteractionSpec spec, Tracked t) {
  const std::string id = t.scoped();
  auto result = timed([&] { return router_->submit(spec, clock_.now()); });
  if (!result.ok()) {
    if (journal_ != nullptr) journal_->discard(id);
    engine::Error error = result.error();
    // The engine names a work item's times by its own field; the request has them in work_item.
    if (error.message.starts_with("due:") || error.message.starts_with("not_before:")) {
      error.message = "work_item." + error.message;
    }
    answer_pending(id, to_status(error));
    return settle();
  }
  t.position = result.value().position;
  if (result.value().callback_at) {
    // Its queue is closed and takes calls as callbacks (docs/routing.md, "Opening hours"): the
    // caller, the history and the journal see the work item it became.
    as_callback(t, *result.value().callback_at);
    t.history.add_queue_path(model_.queues[spec.queue.value()].name);
    spdlog::info("event=callback_scheduled id={} from={} to={} at={}", engine::log_text(id),
                 engine::log_text(model_.queues[spec.queue.value()].name),
                 engine::log_text(model_.queues[result.value().queue.value()].name),
                 t.proto.work_item().not_before().seconds());
  } else if (result.value().queue != spec.queue) {
    // The queue it waits in: its arrival rules may have sent it on from the one its entry point
    // named (docs/routing.md, "Arrival rules").
    t.history.add_queue_path(model_.queues[spec.queue.value()].name);
    spdlog::info("event=redirected id={} from={} to={} reason=\"its arrival rules\"",
                 engine::log_text(id), engine::log_text(model_.queues[spec.queue.value()].name),
                 engine::log_text(model_.queues[result.value().queue.value()].name));
  }
  t.proto.set_queue(model_.queues[result.value().queue.value()].name);
  t.history.add_queue_path(t.proto.queue());
  if (!t.message_id.empty()) {
    threads_.remember(t.message_id, channels::ThreadInfo{t.proto.customer().customer_id(),
                                                         t.proto.interaction_id(), t.thread_agent});
  }
  spdlog::info(
      "event=submitted id={} channel={} queue={} customer={} matched_by={} {} position={}",
      engine::log_text(id), v1::Channel_Name(t.proto.channel()), engine::log_text(t.proto.queue()),
      t.proto.customer().customer_id().empty() ? "anonymous"
                                               : engine::log_text(t.proto.customer().customer_id()),
      t.proto.customer().matched_by(), masked_keys(t.proto), result.value().position);
  tracked_.emplace(spec.id.value(), std::move(t));
  by_scoped_id_.emplace(id, spec.id);
  answer_pending(id, absl::OkStatus());
  settle();
}

bool GatewayScope::may_see(std::string_view owner) const {
  return sees_all || owner == gateway || std::find(sees.begin(), sees.end(), owner) != sees.end();
}

bool RoutingHost::known(const std::string& scoped) const {
  return by_scoped_id_.count(scoped) || finished_.count(scoped) || pending_.count(scoped);
}

std::optional<std::string> RoutingHost::resolve_for_gateway(const GatewayScope& caller,
                                                            const std::string& id) const {
  // Its own first: a gateway's bare id never reaches into another scope.
  if (std::string own = scoped_id(caller.gateway, id); known(own)) return own;
  if (id.find('/') != std::string::npos && caller.may_see(owner_of(id)) && known(id)) return id;
  return std::nullopt;
}

v1::Interaction RoutingHost::view(const std::string& scoped) const {
  if (auto it = by_scoped_id_.find(scoped); it != by_scoped_id_.end()) {
    return interaction_proto(tracked_.at(it->second.value()));
  }
  if (auto f = finished_.find(scoped); f != finished_.end()) return f->second;
  v1::Interaction out;  // still being received
  const std::string_view owner = owner_of(scoped);
  out.set_interaction_id(scoped.substr(owner.size() + 1));
  out.set_gateway(std::string(owner));
  out.set_state(v1::RECEIVED);
  return out;
}

namespace {
// How `caller` sees `p`: its own by bare id, another gateway's by scoped id.
void as_seen_by(const std::string& viewer, v1::Interaction& p) {
  if (p.gateway() != viewer) p.set_interaction_id(scoped_id(p.gateway(), p.interaction_id()));
}
absl::Status unknown(const std::string& id) {
  return absl::NotFoundError("interaction_id: unknown interaction '" + id + "'");
}
}  // namespace

absl::Status RoutingHost::cancel(const GatewayScope& caller,
                                 const v1::CancelInteractionRequest& request,
                                 v1::Interaction* out) {
  const auto scoped = resolve_for_gateway(caller, request.interaction_id());
  if (!scoped) return unknown(request.interaction_id());
  engine::InteractionId id;
  if (absl::Status s = find_interaction(*scoped, id); !s.ok()) return s;
  if (auto s = router_->cancel(id, clock_.now()); !s.ok()) return to_status(s);
  settle();
  if (auto f = finished_.find(*scoped); f != finished_.end()) {
    *out = f->second;
    as_seen_by(caller.gateway, *out);
  }
  spdlog::info("event=cancelled id={} reason={}", engine::log_text(*scoped),
               engine::log_text(request.reason()));
  return absl::OkStatus();
}

absl::Status RoutingHost::get(const GatewayScope& caller, const std::string& interaction_id,
                              v1::Interaction* out) const {
  const auto scoped = resolve_for_gateway(caller, interaction_id);
  if (!scoped) return unknown(interaction_id);
  *out = view(*scoped);
  as_seen_by(caller.gateway, *out);
  return absl::OkStatus();
}

void RoutingHost::watch_interactions(const GatewayScope& caller,
                                     const v1::WatchInteractionsRequest& request,
                                     std::shared_ptr<InteractionSubscriber> subscriber) {
  if (draining_) {
    subscriber->finish(absl::OkStatus());
    return;
  }
  // The first message says the watch is registered: every later change is on this stream.
  v1::InteractionEvent hello;
  stamp(clock_.now(), hello.mutable_at());
  hello.set_change("watching");
  subscriber->push(std::move(hello));
  subscriber->flush();
  auto w = std::make_shared<InteractionWatcher>();
  w->subscriber = std::move(subscriber);
  w->viewer = caller.gateway;
  for (const std::string& id : request.interaction_ids()) {
    // Named as the caller names them: its own bare, a granted gateway's scoped.
    w->ids.insert(scoped_id(caller.gateway, id));
    if (id.find('/') != std::string::npos && caller.may_see(owner_of(id))) w->ids.insert(id);
  }
  if (caller.sees_all) {
    all_gateway_watchers_.push_back(std::move(w));
    return;
  }
  interaction_watchers_[caller.gateway].push_back(w);
  for (const std::string& g : caller.sees) {
    if (g != caller.gateway) interaction_watchers_[g].push_back(w);
  }
}

}  // namespace router::adapters::host
