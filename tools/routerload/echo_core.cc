// routerecho's commands: each runs under the dispatcher's lock and leaves its stream events in
// the caller's Batch (echo_core.h).
#include "tools/routerload/echo_core.h"

namespace router::load::echo {

Status EchoCore::submit(const v1::SubmitInteractionRequest& r, v1::SubmitInteractionResponse* out,
                        Batch& b) {
  return command(b, [&]() -> Status {
    const std::string& id = r.interaction_id();
    if (id.empty()) return invalid("interaction_id: required");
    if (auto it = live_.find(id); it != live_.end()) {
      *out->mutable_interaction() = view(*it->second);
      out->set_replayed(true);
      ++counters_.replayed;
      return Status::OK;
    }
    if (auto f = finished_.find(id); f != finished_.end()) {
      *out->mutable_interaction() = f->second;
      out->set_replayed(true);
      ++counters_.replayed;
      return Status::OK;
    }
    if (draining_) return {StatusCode::UNAVAILABLE, "routerecho is shutting down"};
    if (r.channel() == v1::CHANNEL_UNSPECIFIED) return invalid("channel: required");
    if (r.details_case() == v1::SubmitInteractionRequest::DETAILS_NOT_SET) {
      return invalid("details: required");
    }
    if (live_.size() >= options_.max_interactions) {
      return {StatusCode::RESOURCE_EXHAUSTED, "routerecho holds its maximum of " +
                                                  std::to_string(options_.max_interactions) +
                                                  " live interactions"};
    }
    auto owned = std::make_unique<Interaction>();
    Interaction& it = *owned;
    it.seq = next_seq_++;
    it.priority = std::clamp(r.priority(), 0, 100);
    v1::Interaction& p = it.proto;
    p.set_interaction_id(id);
    p.set_channel(r.channel());
    p.set_queue(queue_for(r.channel()));
    *p.mutable_customer() = made_up_customer(r);
    stamp(now_, p.mutable_arrived());
    *p.mutable_attributes() = r.attributes();
    std::string language;
    switch (r.details_case()) {
      case v1::SubmitInteractionRequest::kPhone:
        *p.mutable_phone() = r.phone();
        language = r.phone().language();
        break;
      case v1::SubmitInteractionRequest::kEmail: *p.mutable_email() = r.email(); break;
      case v1::SubmitInteractionRequest::kWeb: *p.mutable_web() = r.web(); break;
      default: break;
    }
    p.set_language(language.empty() ? p.customer().language() : language);
    p.set_intent(r.intent());
    live_.emplace(id, std::move(owned));
    ++counters_.submitted;
    enqueue(it);
    it.position = static_cast<int>(fifo_.size());
    route(it);
    *out->mutable_interaction() = view(it);
    return Status::OK;
  });
}

Status EchoCore::cancel(const v1::CancelInteractionRequest& r, v1::CancelInteractionResponse* out,
                        Batch& b) {
  return command(b, [&]() -> Status {
    Interaction* it = nullptr;
    if (Status s = find_interaction(r.interaction_id(), it); !s.ok()) return s;
    Agent* a = nullptr;
    if (it->state == v1::OFFERED) {
      a = it->agent;
      a->offer = nullptr;
    } else if (it->state != v1::QUEUED) {
      return {StatusCode::FAILED_PRECONDITION, "interaction_id: interaction is " +
                                                   v1::InteractionState_Name(it->state) +
                                                   "; only QUEUED or OFFERED can be cancelled"};
    }
    dequeue(*it);
    ++counters_.cancelled;
    *out->mutable_interaction() = retire(*it, v1::ABANDONED);
    if (a != nullptr) {
      refresh(*a);
      fill(*a);
    }
    return Status::OK;
  });
}

Status EchoCore::get(const v1::GetInteractionRequest& r, v1::Interaction* out) {
  Batch b;
  return command(b, [&]() -> Status {
    if (auto it = live_.find(r.interaction_id()); it != live_.end()) {
      *out = view(*it->second);
      return Status::OK;
    }
    if (auto f = finished_.find(r.interaction_id()); f != finished_.end()) {
      *out = f->second;
      return Status::OK;
    }
    return {StatusCode::NOT_FOUND,
            "interaction_id: unknown interaction '" + r.interaction_id() + "'"};
  });
}

Status EchoCore::login(const v1::LoginRequest& r, v1::AgentStatus* out, Batch& b) {
  return command(b, [&]() -> Status {
    Agent* a = nullptr;
    if (Status s = find_or_add_agent(r.agent(), a); !s.ok()) return s;
    if (a->logged_in) {  // as routerd: OK with the status unchanged (docs/routerd.md)
      status_of(*a, out);
      return Status::OK;
    }
    a->logged_in = true;
    a->not_ready = !r.ready();
    a->reason = r.ready() ? "" : "login";
    refresh(*a);
    fill(*a);
    status_of(*a, out);
    return Status::OK;
  });
}

Status EchoCore::logout(const v1::LogoutRequest& r, v1::AgentStatus* out, Batch& b) {
  return command(b, [&]() -> Status {
    Agent* a = nullptr;
    if (Status s = find_agent(r.agent(), a); !s.ok()) return s;
    if (Status s = log_out(*a, /*forced=*/false); !s.ok()) return s;
    status_of(*a, out);
    return Status::OK;
  });
}

Status EchoCore::set_state(const v1::SetStateRequest& r, v1::AgentStatus* out, Batch& b) {
  return command(b, [&]() -> Status {
    Agent* a = nullptr;
    if (Status s = find_agent(r.agent(), a); !s.ok()) return s;
    switch (r.state()) {
      case v1::READY:
        if (!a->logged_in) return {StatusCode::FAILED_PRECONDITION, "agent: not logged in"};
        a->not_ready = false;
        a->reason.clear();
        refresh(*a);
        fill(*a);
        break;
      case v1::NOT_READY: {
        if (!a->logged_in) return {StatusCode::FAILED_PRECONDITION, "agent: not logged in"};
        Interaction* withdrawn = a->offer;
        if (withdrawn != nullptr) requeue_from(*withdrawn, *a, /*exclude=*/false);
        a->not_ready = true;
        a->reason = r.reason().empty() ? "not_ready" : r.reason();
        refresh(*a);
        if (withdrawn != nullptr) route(*withdrawn);
        break;
      }
      case v1::LOGGED_OUT:
        if (Status s = log_out(*a, /*forced=*/true); !s.ok()) return s;
        break;
      default: return invalid("state: must be READY or NOT_READY");
    }
    status_of(*a, out);
    return Status::OK;
  });
}

Status EchoCore::open_stream(const std::string& name, const std::shared_ptr<AgentSink>& stream,
                             std::shared_ptr<AgentSink>& replaced, Batch& b) {
  return command(b, [&]() -> Status {
    if (draining_) return {StatusCode::UNAVAILABLE, "routerecho is shutting down"};
    Agent* a = nullptr;
    if (Status s = find_or_add_agent(name, a); !s.ok()) return s;
    replaced = std::move(a->stream);
    a->stream = stream;
    v1::WorkEvent hello;
    stamp(now_, hello.mutable_at());
    status_of(*a, hello.mutable_status());
    send(*a, std::move(hello), b);
    if (a->offer != nullptr) pending_.push_back({Pending::Kind::kUpdate, a, id_of(*a->offer), {}});
    for (Interaction* it : a->held) {
      pending_.push_back({Pending::Kind::kUpdate, a, id_of(*it), {}});
    }
    refresh(*a);
    fill(*a);
    return Status::OK;
  });
}

void EchoCore::stream_ended(const std::string& name, const std::shared_ptr<AgentSink>& stream,
                            Batch& b) {
  (void)command(b, [&]() -> Status {
    auto found = agents_.find(name);
    if (found == agents_.end() || found->second->stream != stream) return Status::OK;
    Agent& a = *found->second;
    a.stream.reset();
    if (!draining_ && a.logged_in) return log_out(a, /*forced=*/true);
    refresh(a);
    return Status::OK;
  });
}

Status EchoCore::accept(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
  return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
    if (Status s = offered_to(it, a); !s.ok()) return s;
    a.offer = nullptr;
    it.state = v1::ASSIGNED;
    it.handled_by = a.name;
    a.held.push_back(&it);
    ++counters_.accepted;
    pending_.push_back({Pending::Kind::kUpdate, &a, id_of(it), {}});
    refresh(a);
    fill(a);
    return Status::OK;
  });
}

Status EchoCore::reject(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
  return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
    if (Status s = offered_to(it, a); !s.ok()) return s;
    requeue_from(it, a, /*exclude=*/true);
    refresh(a);
    fill(a);
    route(it);
    return Status::OK;
  });
}

Status EchoCore::complete(const v1::CompleteRequest& r, v1::AgentStatus* out, Batch& b) {
  return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
    if (Status s = held_by(it, a, v1::ASSIGNED); !s.ok()) return s;
    it.state = v1::WRAP_UP;
    pending_.push_back({Pending::Kind::kUpdate, &a, id_of(it), {}});
    refresh(a);
    return Status::OK;
  });
}

Status EchoCore::end_wrap_up(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
  return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
    if (Status s = held_by(it, a, v1::WRAP_UP); !s.ok()) return s;
    finish(it, a);
    refresh(a);
    fill(a);
    return Status::OK;
  });
}

void EchoCore::heartbeat(Batch& b) {
  (void)command(b, [&]() -> Status {
    for (auto& [name, a] : agents_) {
      if (!a->stream) continue;
      v1::WorkEvent hb;
      stamp(now_, hb.mutable_at());
      hb.mutable_heartbeat();
      send(*a, std::move(hb), b);
      ++counters_.heartbeats;
    }
    return Status::OK;
  });
}

bool EchoCore::register_stream(std::weak_ptr<Endable> stream) {
  std::lock_guard lock(mu_);
  if (draining_) return false;
  if (streams_.size() >= 64 && streams_.size() == streams_.capacity()) {
    std::erase_if(streams_, [](const std::weak_ptr<Endable>& s) { return s.expired(); });
  }
  streams_.push_back(std::move(stream));
  return true;
}

std::vector<std::shared_ptr<Endable>> EchoCore::drain() {
  std::lock_guard lock(mu_);
  draining_ = true;
  std::vector<std::shared_ptr<Endable>> streams;
  for (auto& weak : streams_) {
    if (auto s = weak.lock()) streams.push_back(std::move(s));
  }
  streams_.clear();
  return streams;
}

EchoCounters EchoCore::counters() const {
  std::lock_guard lock(mu_);
  EchoCounters c = counters_;
  c.live = live_.size();
  c.waiting = fifo_.size();
  return c;
}

}  // namespace router::load::echo
