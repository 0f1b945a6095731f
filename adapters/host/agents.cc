// AgentService on the host: sessions (login, state, StreamWork and its grace period) and the
// agent's commands on offers and held work. See routing_host.h.
#include <spdlog/spdlog.h>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

namespace {

absl::Status invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// AgentService.

absl::Status RoutingHost::login(const v1::LoginRequest& request, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (absl::Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  // Already logged in (a desktop logging in again after a takeover or a restart, whose session
  // recovery kept): OK with the session as it is, so its work and readiness stay.
  if (auto snap = router_->agent(agent, clock_.now());
      snap.ok() && snap.value().state != engine::AgentState::kLoggedOut) {
    spdlog::info("event=login agent={} already_logged_in=true", engine::log_text(request.agent()));
    return agent_status(agent, out);
  }
  if (auto s = router_->login(agent, request.ready(), clock_.now()); !s.ok()) return to_status(s);
  settle();
  spdlog::info("event=login agent={} ready={}", engine::log_text(request.agent()), request.ready());
  return agent_status(agent, out);
}

absl::Status RoutingHost::logout(const std::string& name, bool forced, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (absl::Status s = find_agent(name, agent); !s.ok()) return s;
  if (auto s = router_->logout(agent,
                               forced ? engine::LogoutMode::kForced : engine::LogoutMode::kGraceful,
                               clock_.now());
      !s.ok()) {
    return to_status(s);
  }
  settle();
  spdlog::info("event=logout agent={} forced={}", engine::log_text(name), forced);
  return agent_status(agent, out);
}

absl::Status RoutingHost::set_state(const v1::SetStateRequest& request, v1::AgentStatus* out) {
  engine::AgentId agent;
  if (absl::Status s = find_agent(request.agent(), agent); !s.ok()) return s;
  engine::Status s;
  switch (request.state()) {
    case v1::READY: s = router_->set_ready(agent, clock_.now()); break;
    case v1::NOT_READY: {
      // The configured not-ready reasons (docs/operations.md, "Codes").
      const config::CodeList& reasons = model_.codes.not_ready;
      if (!request.reason().empty() && !reasons.listed(request.reason())) {
        return invalid("reason: '" + request.reason() + "' is not a not-ready reason (" +
                       reasons.describe() + ")");
      }
      if (request.reason().empty() && reasons.required) {
        return invalid("reason: required for NOT_READY (" + reasons.describe() + ")");
      }
      s = router_->set_not_ready(agent, request.reason().empty() ? "not_ready" : request.reason(),
                                 clock_.now());
      break;
    }
    case v1::LOGGED_OUT: return logout(request.agent(), /*forced=*/true, out);
    default: return invalid("state: must be READY or NOT_READY");
  }
  if (!s.ok()) return to_status(s);
  // A new reason, or ready while busy, changes no agent state the engine reports: journaled here.
  agents_dirty_.insert(agent.value());
  settle();
  return agent_status(agent, out);
}

absl::Status RoutingHost::stream_work(const std::string& name,
                                      std::shared_ptr<WorkSubscriber> subscriber) {
  engine::AgentId agent;
  if (absl::Status s = find_agent(name, agent); !s.ok()) return s;
  if (draining_) return absl::UnavailableError("routerd is shutting down");
  auto& stream = agent_streams_[agent.value()];
  if (stream.subscriber && stream.subscriber != subscriber) {
    stream.subscriber->finish(absl::AbortedError("replaced by a newer StreamWork for this agent"),
                              /*drain=*/false);
  }
  stream.grace.reset();
  stream.subscriber = std::move(subscriber);
  v1::WorkEvent hello;
  stamp(clock_.now(), hello.mutable_at());
  (void)agent_status(agent, hello.mutable_status());
  deliver(stream.subscriber, std::move(hello));
  // The first heartbeat comes at a point of the interval chosen by the agent (sooner than
  // heartbeat_s), so that streams opened together (a shift logging in, a restart) do not all get
  // theirs in the same tick ever after.
  const int64_t ticks = std::max<int64_t>(1, model_.daemon.heartbeat / beat_tick());
  const int64_t first = 1 + static_cast<int64_t>(agent.value() % static_cast<uint64_t>(ticks));
  stream.last_sent = clock_.now() - model_.daemon.heartbeat + first * beat_tick();
  if (stream.beat == 0) schedule_beat(agent.value(), stream, first);
  // Offers made before the stream opened are sent again so the desktop can answer them.
  auto a = router_->agent(agent, clock_.now());
  if (a.ok()) {
    for (engine::InteractionId id : a.value().work) send_agent_update(agent, id);
  }
  flush_touched();
  return absl::OkStatus();
}

void RoutingHost::stream_work_ended(const std::string& name,
                                    const std::shared_ptr<WorkSubscriber>& subscriber) {
  auto id = router_->find_agent(name);
  if (!id) return;
  auto it = agent_streams_.find(id->value());
  if (it == agent_streams_.end() || it->second.subscriber != subscriber) return;  // replaced
  it->second.subscriber.reset();
  if (draining_) return;
  if (stopped_) return;
  arm_grace(*id);
}

void RoutingHost::arm_grace(engine::AgentId agent) {
  // Cancelled (destroyed) when a new stream comes in time, or at stop().
  agent_streams_[agent.value()].grace =
      clock_.start_timer(model_.daemon.agent_grace, [this, agent] {
        const std::string name = agent_name(agent);
        auto s = agent_streams_.find(agent.value());
        if (s == agent_streams_.end() || s->second.subscriber) return;
        agent_streams_.erase(s);
        auto snap = router_->agent(agent, clock_.now());
        if (!snap.ok() || snap.value().state == engine::AgentState::kLoggedOut) return;
        spdlog::warn("event=stream_lost agent={} grace_ms={} action=logout", engine::log_text(name),
                     model_.daemon.agent_grace.count());
        (void)router_->logout(agent, engine::LogoutMode::kForced, clock_.now());
        settle();
      });
}

absl::Status RoutingHost::agent_command(
    const std::string& agent_name, const std::string& interaction_id, v1::AgentStatus* out,
    const std::function<engine::Status(engine::AgentId, engine::InteractionId)>& command) {
  engine::AgentId agent;
  engine::InteractionId id;
  if (absl::Status s = find_agent(agent_name, agent); !s.ok()) return s;
  if (absl::Status s = find_interaction(interaction_id, id, agent); !s.ok()) return s;
  const engine::Status done = timed([&] { return command(agent, id); });
  settle();  // also when refused: the command may have fired a due offer timeout first
  if (!done.ok()) return to_status(done);
  return agent_status(agent, out);
}

absl::Status RoutingHost::accept(const v1::OfferRequest& request, v1::AgentStatus* out) {
  if (!request.wrap_up_code().empty()) return invalid("wrap_up_code: only EndWrapUp takes one");
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

absl::Status RoutingHost::reject(const v1::OfferRequest& request, v1::AgentStatus* out) {
  if (!request.wrap_up_code().empty()) return invalid("wrap_up_code: only EndWrapUp takes one");
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) {
                         return router_->reject(agent, id, clock_.now());
                       });
}

absl::Status RoutingHost::complete(const v1::CompleteRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) -> engine::Status {
                         const std::string& code = request.wrap_up_code();
                         if (engine::Status s = check_wrap_up_code(id, code, true); !s.ok()) {
                           return s;
                         }
                         engine::Status s = router_->complete(agent, id, code, clock_.now());
                         if (auto t = tracked_.find(id.value()); s.ok() && t != tracked_.end()) {
                           t->second.proto.set_wrap_up_code(code);
                         }
                         return s;
                       });
}

absl::Status RoutingHost::end_wrap_up(const v1::OfferRequest& request, v1::AgentStatus* out) {
  return agent_command(request.agent(), request.interaction_id(), out,
                       [&](engine::AgentId agent, engine::InteractionId id) -> engine::Status {
                         const std::string& code = request.wrap_up_code();
                         if (engine::Status s = check_wrap_up_code(id, code, false); !s.ok()) {
                           return s;
                         }
                         auto found = tracked_.find(id.value());
                         Tracked* t = found == tracked_.end() ? nullptr : &found->second;
                         std::string before;
                         if (t != nullptr && !code.empty()) {
                           before = t->proto.wrap_up_code();
                           t->proto.set_wrap_up_code(code);  // the completion reports it
                         }
                         engine::Status s = router_->end_wrap_up(agent, id, clock_.now());
                         if (!s.ok() && t != nullptr && !code.empty()) {
                           t->proto.set_wrap_up_code(before);  // refused: still tracked
                         }
                         return s;
                       });
}

// The queue's wrap-up codes (docs/operations.md, "Codes"): a code given must be listed; a
// required one may be left to EndWrapUp only at Complete, and only when a wrap-up follows.
engine::Status RoutingHost::check_wrap_up_code(engine::InteractionId id, const std::string& code,
                                               bool at_complete) const {
  auto snap = router_->interaction(id);
  if (!snap.ok() || !snap.value().queue.valid() ||
      snap.value().queue.value() >= model_.queues.size()) {
    return engine::Status();  // the command itself reports what is wrong
  }
  const size_t q = snap.value().queue.value();
  const config::CodeList& list = model_.codes.wrap_up_for(q);
  const std::string& queue = model_.queues[q].name;
  if (!code.empty()) {
    if (list.listed(code)) return engine::Status();
    return engine::invalid_argument("wrap_up_code: '" + code + "' is not a wrap-up code of queue " +
                                    queue + " (" + list.describe() + ")");
  }
  if (!list.required) return engine::Status();
  if (at_complete && model_.queues[q].wrap_up > engine::Duration::zero()) {
    return engine::Status();  // EndWrapUp may give it
  }
  if (!at_complete) {
    auto t = tracked_.find(id.value());
    if (t != tracked_.end() && !t->second.proto.wrap_up_code().empty()) return engine::Status();
  }
  return engine::invalid_argument("wrap_up_code: required for queue " + queue + " (" +
                                  list.describe() + ")" +
                                  (at_complete ? "" : "; CompleteInteraction gave none"));
}

absl::Status RoutingHost::transfer(const v1::TransferRequest& request, v1::AgentStatus* out) {
  engine::QueueId queue;
  engine::AgentId to;
  if (request.to_case() == v1::TransferRequest::kQueue) {
    if (absl::Status s = find_queue(request.queue(), "queue", queue); !s.ok()) return s;
  } else {
    auto found = router_->find_agent(request.to_agent());
    if (!found) {
      return absl::NotFoundError("to_agent: unknown agent '" + request.to_agent() + "'");
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

}  // namespace router::adapters::host
