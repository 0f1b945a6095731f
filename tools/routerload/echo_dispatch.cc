// routerecho's dispatching under the commands: lookups, views, the FIFO, offers and the
// rendering of stream events (echo_core.h).
#include <iterator>

#include "tools/routerload/echo_core.h"

namespace router::load::echo {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// A customer record like one matched in Redis, made up from the arrival's lookup key (stable per
// key). An arrival with no usable key is anonymous, as in routerd.
v1::Customer made_up_customer(const v1::SubmitInteractionRequest& r) {
  std::string key;
  std::string matched_by;
  switch (r.details_case()) {
    case v1::SubmitInteractionRequest::kPhone: {
      const std::string& ani = r.phone().ani();
      if (!ani.empty() && ani != "anonymous" && ani != "private" && ani != "restricted" &&
          ani != "unknown" && ani != "withheld") {
        key = ani;
        matched_by = "phone";
      }
      break;
    }
    case v1::SubmitInteractionRequest::kEmail:
      key = r.email().from();
      matched_by = "email";
      break;
    case v1::SubmitInteractionRequest::kWeb:
      if (!r.web().account_id().empty()) {
        key = r.web().account_id();
        matched_by = "web_account";
      } else if (!r.web().visitor_id().empty()) {
        key = r.web().visitor_id();
        matched_by = "web_visitor";
      } else if (!r.web().callback_number().empty()) {
        key = r.web().callback_number();
        matched_by = "phone";
      }
      break;
    default: break;
  }
  v1::Customer c;
  if (key.empty()) return c;
  static constexpr std::array<std::string_view, 8> kFirst = {"Ada",   "Bob",   "Chen", "Dana",
                                                             "Emeka", "Freya", "Goro", "Hana"};
  static constexpr std::array<std::string_view, 8> kLast = {
      "Lovelace", "Okafor", "Nakamura", "Schmidt", "Moreau", "Svensson", "Haddad", "Costa"};
  static constexpr std::array<v1::Segment, 4> kSegments = {v1::STRATEGIC, v1::PROFITABLE,
                                                           v1::ORDINARY, v1::RISK};
  const uint64_t h = fnv1a(key);
  c.set_customer_id("C" + std::to_string(1'000'000 + h % 9'000'000));
  c.set_name(std::string(kFirst[h % kFirst.size()]) + " " +
             std::string(kLast[(h >> 8) % kLast.size()]));
  c.set_segment(kSegments[(h >> 16) % kSegments.size()]);
  c.set_lifetime_value(static_cast<double>((h >> 20) % 200'000) + 0.25);
  c.set_language("en");
  c.set_matched_by(matched_by);
  return c;
}

// Named like routerload's synthetic center ("q0001"), one queue per channel.
const char* queue_for(v1::Channel channel) {
  switch (channel) {
    case v1::EMAIL: return "q0002";
    case v1::WEB_CHAT: return "q0003";
    case v1::WEB_CALLBACK: return "q0004";
    default: return "q0001";
  }
}

Status EchoCore::find_agent(const std::string& name, Agent*& out) const {
  auto it = agents_.find(name);
  if (it == agents_.end()) return {StatusCode::NOT_FOUND, "agent: unknown agent '" + name + "'"};
  out = it->second.get();
  return Status::OK;
}

Status EchoCore::find_or_add_agent(const std::string& name, Agent*& out) {
  if (name.empty()) return invalid("agent: required");
  if (auto it = agents_.find(name); it != agents_.end()) {
    out = it->second.get();
    return Status::OK;
  }
  if (agents_.size() >= options_.max_agents) {
    return {StatusCode::NOT_FOUND, "agent: unknown agent '" + name + "' (routerecho knows its " +
                                       "maximum of " + std::to_string(options_.max_agents) +
                                       " agents)"};
  }
  auto a = std::make_unique<Agent>();
  a->name = name;
  a->since_ms = now_;
  out = a.get();
  agents_.emplace(name, std::move(a));
  return Status::OK;
}

Status EchoCore::find_interaction(const std::string& id, Interaction*& out) const {
  if (auto it = live_.find(id); it != live_.end()) {
    out = it->second.get();
    return Status::OK;
  }
  if (auto f = finished_.find(id); f != finished_.end()) {
    return {StatusCode::FAILED_PRECONDITION, "interaction_id: interaction '" + id +
                                                 "' is already " +
                                                 v1::InteractionState_Name(f->second.state())};
  }
  return {StatusCode::NOT_FOUND, "interaction_id: unknown interaction '" + id + "'"};
}

Status EchoCore::offered_to(const Interaction& it, const Agent& a) {
  if (it.state != v1::OFFERED || it.agent != &a) {
    return {StatusCode::FAILED_PRECONDITION, "interaction_id: not offered to this agent (it is " +
                                                 v1::InteractionState_Name(it.state) +
                                                 "; the offer may have timed out)"};
  }
  return Status::OK;
}

Status EchoCore::held_by(const Interaction& it, const Agent& a, v1::InteractionState want) {
  if (it.state != want || it.agent != &a) {
    return {StatusCode::FAILED_PRECONDITION,
            "interaction_id: is " + v1::InteractionState_Name(it.state) +
                (it.agent == &a ? "" : " and not held by this agent") + ", expected " +
                v1::InteractionState_Name(want)};
  }
  return Status::OK;
}

v1::Interaction EchoCore::view(const Interaction& it) const {
  v1::Interaction p = it.proto;
  p.set_state(it.state);
  p.set_priority(it.priority);
  p.set_agent(it.agent != nullptr ? it.agent->name : std::string());
  if (it.state == v1::QUEUED) {
    const int position = std::max(1, it.position);
    p.set_position(position);
    p.set_ewt_s(20.0 * position + 0.5);  // a made-up estimate; routerd's is a double too
  }
  return p;
}

void EchoCore::status_of(const Agent& a, v1::AgentStatus* out) const {
  out->set_agent(a.name);
  out->set_state(a.state);
  out->set_reason(a.reason);
  stamp(a.since_ms, out->mutable_since());
  out->set_handled(a.handled);
  if (a.offer != nullptr) out->add_work(id_of(*a.offer));
  for (const Interaction* it : a.held) out->add_work(id_of(*it));
}

v1::AgentState EchoCore::derive_state(const Agent& a) {
  if (!a.logged_in) return v1::LOGGED_OUT;
  if (a.offer != nullptr) return v1::RESERVED;
  bool wrap_up = false;
  for (const Interaction* it : a.held) {
    if (it->state == v1::ASSIGNED) return v1::BUSY;
    wrap_up = true;
  }
  if (wrap_up) return v1::AGENT_WRAP_UP;
  return a.not_ready ? v1::NOT_READY : v1::READY;
}

bool EchoCore::is_free(const Agent& a) const {
  return a.stream != nullptr && a.logged_in && !a.not_ready && a.offer == nullptr &&
         a.held.size() < options_.agent_capacity && !draining_;
}

void EchoCore::refresh(Agent& a) {
  const v1::AgentState next = derive_state(a);
  if (next != a.state) {
    a.state = next;
    a.since_ms = now_;
    if (next != v1::NOT_READY) a.reason.clear();
    pending_.push_back({Pending::Kind::kStatus, &a, {}, {}});
  }
  if (is_free(a) && !a.in_free_list) {
    a.in_free_list = true;
    free_agents_.push_back(&a);
  }
}

void EchoCore::fill(Agent& a) {
  if (!is_free(a)) return;
  for (Interaction* it : fifo_) {
    if (std::find(it->excluded.begin(), it->excluded.end(), &a) != it->excluded.end()) continue;
    offer(*it, a);
    return;
  }
}

void EchoCore::route(Interaction& it) {
  if (!it.waiting) return;
  for (auto f = free_agents_.begin(); f != free_agents_.end();) {
    Agent* a = *f;
    if (!is_free(*a)) {  // stale entry
      a->in_free_list = false;
      f = free_agents_.erase(f);
      continue;
    }
    if (std::find(it.excluded.begin(), it.excluded.end(), a) != it.excluded.end()) {
      ++f;
      continue;
    }
    a->in_free_list = false;
    free_agents_.erase(f);
    offer(it, *a);
    return;
  }
}

void EchoCore::offer(Interaction& it, Agent& a) {
  dequeue(it);
  it.state = v1::OFFERED;
  it.agent = &a;
  a.offer = &it;
  it.offer_expires_ms = now_ + kOfferTimeoutMs;
  // A made-up breakdown shaped like the engine's: every term, zero where a plain center's
  // usually is (affinity, random; priority for priority 0).
  const uint64_t h = fnv1a(id_of(it)) ^ fnv1a(a.name);
  it.offer_terms = {
      0.55 + static_cast<double>(h % 40) / 100.0,
      0.1 + static_cast<double>((h >> 8) % 50) / 100.0,
      it.priority / 100.0,
      static_cast<double>(now_ - it.proto.arrived().seconds() * 1000) / 60'000.0 + 0.01,
      0.125,
      0.05 + static_cast<double>((h >> 16) % 30) / 100.0,
      0.0,
      0.2,
      -0.05 * static_cast<double>(a.held.size()) - 0.01,
      -0.001 * static_cast<double>(a.handled) - 0.002,
      0.0};
  ++counters_.offered;
  pending_.push_back({Pending::Kind::kOffer, &a, id_of(it), {}});
  refresh(a);
}

void EchoCore::enqueue(Interaction& it) {
  // By arrival: a requeued one goes back in front of those that came after it.
  auto at = fifo_.end();
  while (at != fifo_.begin() && (*std::prev(at))->seq > it.seq) --at;
  it.in_fifo = fifo_.insert(at, &it);
  it.waiting = true;
}

void EchoCore::dequeue(Interaction& it) {
  if (!it.waiting) return;
  fifo_.erase(it.in_fifo);
  it.waiting = false;
}

void EchoCore::requeue_from(Interaction& it, Agent& a, bool exclude) {
  if (a.offer == &it) {
    a.offer = nullptr;
  } else {
    a.held.erase(std::find(a.held.begin(), a.held.end(), &it));
  }
  it.agent = nullptr;
  if (exclude) it.excluded.push_back(&a);
  it.state = v1::QUEUED;
  enqueue(it);
  pending_.push_back({Pending::Kind::kUpdate, &a, id_of(it), {}});
}

void EchoCore::finish(Interaction& it, Agent& a) {
  a.held.erase(std::find(a.held.begin(), a.held.end(), &it));
  ++a.handled;
  ++counters_.completed;
  pending_.push_back({Pending::Kind::kFinal, &a, {}, retire(it, v1::COMPLETED)});
}

v1::Interaction EchoCore::retire(Interaction& it, v1::InteractionState final_state) {
  const std::string id = id_of(it);
  v1::Interaction last = it.proto;
  last.set_state(final_state);
  if (final_state == v1::COMPLETED) last.set_agent(it.handled_by);
  dequeue(it);
  live_.erase(id);  // destroys `it`
  if (options_.finished_remembered > 0) {
    if (finished_order_.size() >= options_.finished_remembered) {
      finished_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
    finished_[id] = last;
    finished_order_.push_back(id);
  }
  return last;
}

Status EchoCore::log_out(Agent& a, bool forced) {
  if (!a.logged_in) return {StatusCode::FAILED_PRECONDITION, "agent: not logged in"};
  if (!forced) {
    for (const Interaction* it : a.held) {
      if (it->state == v1::ASSIGNED) {
        return {StatusCode::FAILED_PRECONDITION, "agent: holds assigned interaction '" +
                                                     id_of(*it) +
                                                     "'; complete or transfer it first"};
      }
    }
  }
  std::vector<Interaction*> to_route;
  if (a.offer != nullptr) {
    Interaction* it = a.offer;
    requeue_from(*it, a, /*exclude=*/false);
    to_route.push_back(it);
  }
  for (Interaction* it : std::vector<Interaction*>(a.held)) {
    if (it->state == v1::WRAP_UP) {
      finish(*it, a);
    } else {
      requeue_from(*it, a, /*exclude=*/false);
      to_route.push_back(it);
    }
  }
  a.logged_in = false;
  a.not_ready = true;
  a.reason.clear();
  refresh(a);
  for (Interaction* it : to_route) route(*it);
  return Status::OK;
}

void EchoCore::send(Agent& a, v1::WorkEvent event, Batch& b) {
  if (!a.stream) return;
  a.stream->enqueue(std::move(event));
  b.touch(a.stream);
}

void EchoCore::publish(Batch& b) {
  for (Pending& e : pending_) {
    Agent& a = *e.agent;
    if (!a.stream) continue;
    v1::WorkEvent ev;
    stamp(now_, ev.mutable_at());
    switch (e.kind) {
      case Pending::Kind::kOffer: {
        auto found = live_.find(e.interaction_id);
        if (found == live_.end()) continue;
        const Interaction& it = *found->second;
        auto* offer = ev.mutable_offer();
        *offer->mutable_interaction() = view(it);
        stamp(it.offer_expires_ms, offer->mutable_expires());
        double total = 0;
        for (int t = 0; t < engine::kTermCount; ++t) {
          auto* term = offer->add_breakdown();
          term->set_term(std::string(engine::to_string(static_cast<engine::Term>(t))));
          term->set_points(it.offer_terms[t]);
          total += it.offer_terms[t];
        }
        offer->set_points(total);
        break;
      }
      case Pending::Kind::kUpdate: {
        auto found = live_.find(e.interaction_id);
        if (found == live_.end()) continue;
        *ev.mutable_update() = view(*found->second);
        break;
      }
      case Pending::Kind::kFinal: *ev.mutable_update() = std::move(e.final); break;
      case Pending::Kind::kStatus: status_of(a, ev.mutable_status()); break;
    }
    send(a, std::move(ev), b);
  }
  pending_.clear();
}

}  // namespace router::load::echo
