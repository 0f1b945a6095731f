// routersip's call logic. See switchboard.h.
#include "tools/routersip/switchboard.h"

#include <cstdio>
#include <optional>

namespace router::sip {
namespace {

constexpr int kOk = 0;
constexpr int kInvalidArgument = 3;
constexpr int kNotFound = 5;
constexpr int kResourceExhausted = 8;
constexpr int kFailedPrecondition = 9;
constexpr int kUnavailable = 14;

// The SIP answer to a caller whose submit routerd refused.
std::pair<int, std::string> sip_status_for(int code) {
  switch (code) {
    case kInvalidArgument:  // the number dialled has no entry point, or a field is unusable
    case kNotFound: return {404, "Not Found"};
    case kResourceExhausted:  // the queue is full (max_waiting) or a limit was hit
      return {486, "Busy Here"};
    case kFailedPrecondition:  // nobody logged in, a closed queue that refuses
      return {480, "Temporarily Unavailable"};
    default:  // UNAVAILABLE, DEADLINE_EXCEEDED, a token to fix: the trunk may try elsewhere
      return {503, "Service Unavailable"};
  }
}

// `s` with anything but printable ASCII (and at most 128 bytes of it) left out: a header value.
std::string header_value(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch >= 0x20 && ch < 0x7f && out.size() < 128) out += ch;
  }
  return out;
}

bool busy_status(int status) { return status == 486 || status == 600 || status == 603; }

uint64_t fnv1a(const std::string& s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string interaction_id_for(const std::string& call_id) {
  bool plain = !call_id.empty() && call_id.size() <= 124;
  for (unsigned char c : call_id) plain = plain && c > 0x20 && c < 0x7f;
  if (plain) return "sip-" + call_id;
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(call_id, 14695981039346656037ULL)),
                static_cast<unsigned long long>(fnv1a(call_id, 0x9e3779b97f4a7c15ULL)));
  return "sip-" + std::string(hex);
}

std::string uri_user(const std::string& value) {
  std::string v = value;
  if (const size_t lt = v.find('<'); lt != std::string::npos) {
    const size_t gt = v.find('>', lt);
    v = v.substr(lt + 1, gt == std::string::npos ? std::string::npos : gt - lt - 1);
  }
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
  size_t start = 0;
  if (v.rfind("sip:", 0) == 0) {
    start = 4;
  } else if (v.rfind("sips:", 0) == 0) {
    start = 5;
  } else if (v.rfind("tel:", 0) == 0) {
    const std::string rest = v.substr(4);
    return rest.substr(0, rest.find_first_of(";> "));
  } else {
    return "";
  }
  const size_t at = v.find('@', start);
  if (at == std::string::npos) return "";  // sip:host: no user
  std::string user = v.substr(start, at - start);
  return user.substr(0, user.find(';'));  // user parameters (;npdi, ;rn=...)
}

std::string uri_display(const std::string& value) {
  const size_t lt = value.find('<');
  if (lt == std::string::npos) return "";
  std::string d = value.substr(0, lt);
  while (!d.empty() && (d.back() == ' ' || d.back() == '\t')) d.pop_back();
  while (!d.empty() && (d.front() == ' ' || d.front() == '\t')) d.erase(0, 1);
  if (d.size() >= 2 && d.front() == '"' && d.back() == '"') {
    std::string unquoted;
    for (size_t i = 1; i + 1 < d.size(); ++i) {
      if (d[i] == '\\' && i + 2 < d.size()) ++i;  // quoted-pair
      unquoted += d[i];
    }
    return unquoted;
  }
  return d;
}

Switchboard::Switchboard(Phones& phones, Router& router, SwitchboardOptions options,
                         Outcomes outcomes)
    : phones_(phones),
      router_(router),
      options_(std::move(options)),
      outcomes_(std::move(outcomes)),
      now_(Clock::now()) {
  if (!outcomes_.call) outcomes_.call = [](const std::string&) {};
  if (!outcomes_.leg) outcomes_.leg = [](const std::string&) {};
}

Switchboard::Call* Switchboard::find_call(const std::string& interaction_id) {
  auto it = calls_.find(interaction_id);
  return it == calls_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------------------------------------
// The caller's leg.

void Switchboard::on_invite(const IncomingCall& in) {
  if (shutting_down_ || !gateway_up_) {
    phones_.respond(in.leg, 503, "Service Unavailable");
    outcomes_.call("unavailable");
    return;
  }
  if (calls_.size() >= options_.max_calls) {
    phones_.respond(in.leg, 503, "Service Unavailable");
    outcomes_.call("over_capacity");
    return;
  }
  const std::string id = interaction_id_for(in.call_id);
  if (calls_.count(id)) {  // the same Call-ID again on a new dialog (a forked or looped call)
    phones_.respond(in.leg, 482, "Loop Detected");
    return;
  }
  auto call = std::make_unique<Call>();
  call->in = in;
  call->interaction_id = id;
  callers_[in.leg] = id;
  calls_[id] = std::move(call);
  phones_.respond(in.leg, 180, "Ringing");

  v1::SubmitInteractionRequest request;
  request.set_interaction_id(id);
  request.set_channel(v1::PHONE);
  request.set_intent(in.intent);
  auto& phone = *request.mutable_phone();
  phone.set_ani(in.ani.empty() ? "anonymous" : in.ani);
  phone.set_dnis(in.dnis);
  phone.set_language(in.language);
  phone.set_ivr_path(in.ivr_path);
  phone.set_ivr_digits(in.ivr_digits);
  if (!in.display.empty()) (*request.mutable_attributes())["caller_name"] = in.display;
  submit(id, request);
}

// Submits `request` for the call `id` and acts on routerd's answer.
void Switchboard::submit(const std::string& id, const v1::SubmitInteractionRequest& request) {
  find_call(id)->pending++;
  router_.submit(request, [this, id, request](int code, const std::string& message,
                                              const v1::Interaction& answer) {
    Call* c = find_call(id);
    if (c == nullptr) return;
    c->pending--;
    if ((code == kInvalidArgument || code == kResourceExhausted) &&
        message.rfind("phone.ani", 0) == 0 && request.phone().ani() != "anonymous" &&
        !c->caller_gone) {
      // A caller id routerd cannot read as a number: the call is routed as an
      // anonymous caller rather than refused; what the trunk sent is kept.
      v1::SubmitInteractionRequest again = request;
      (*again.mutable_attributes())["caller_id_as_sent"] = header_value(request.phone().ani());
      again.mutable_phone()->set_ani("anonymous");
      return submit(id, again);
    }
    if (code != kOk) {
      const auto [status, phrase] = sip_status_for(code);
      if (!c->caller_gone) phones_.respond(c->in.leg, status, phrase);
      c->caller_gone = true;
      finish(*c, status == 503 ? "unavailable" : "refused");
      return forget_if_idle(id);
    }
    if (answer.state() != v1::QUEUED && answer.state() != v1::OFFERED &&
        answer.state() != v1::ASSIGNED && answer.state() != v1::RECEIVED) {
      // A finished interaction with this id (a retransmitted call routerd
      // remembers).
      if (!c->caller_gone) phones_.respond(c->in.leg, 480, "Temporarily Unavailable");
      c->caller_gone = true;
      finish(*c, "refused");
      return forget_if_idle(id);
    }
    if (c->stage == Stage::kSubmitting) c->stage = Stage::kQueued;
    if (c->caller_gone) {  // hung up while the submit was on its way
      cancel_in_routerd(id);
      finish(*c, "abandoned");
    }
  });
}

void Switchboard::cancel_in_routerd(const std::string& id) {
  find_call(id)->pending++;
  router_.cancel(id, "caller_hangup", [this, id](int, const std::string&) {
    // FAILED_PRECONDITION: an agent's accept got there first; its answer completes the call.
    if (Call* c = find_call(id)) c->pending--;
    forget_if_idle(id);
  });
}

void Switchboard::on_caller_gone(LegId caller) {
  auto at = callers_.find(caller);
  if (at == callers_.end()) return;
  const std::string id = at->second;
  Call* c = find_call(id);
  if (c == nullptr || c->caller_gone) return;
  c->caller_gone = true;
  cancel_ringing(*c);
  switch (c->stage) {
    case Stage::kSubmitting:  // the submit's answer cancels it
    case Stage::kConnecting:  // the accept's answer hangs the agent's phone up
      return;
    case Stage::kQueued:
      cancel_in_routerd(id);
      finish(*c, "abandoned");
      return;
    case Stage::kBridged: return on_hangup(caller);
  }
}

// ---------------------------------------------------------------------------------------------
// Agents' legs.

void Switchboard::ring(Call& call, const std::string& agent, const v1::Interaction& offered) {
  const std::string& id = offered.interaction_id();
  const std::string& uri = options_.agents.at(agent);
  // What a phone or the desktop beside it shows (a screen pop): routerd's id, the queue, the
  // customer the caller was matched to.
  std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Router-Interaction", header_value(id)},
      {"X-Router-Queue", header_value(offered.queue())}};
  if (!offered.customer().customer_id().empty()) {
    headers.push_back({"X-Router-Customer", header_value(offered.customer().customer_id())});
  }
  const LegId leg = phones_.invite(uri, call.in, headers);
  if (leg == 0) {  // the stack could not even send it (a malformed URI)
    outcomes_.leg("failed");
    v1::AgentRequest r;
    r.mutable_reject()->set_agent(agent);
    r.mutable_reject()->set_interaction_id(id);
    agent_request(r, nullptr);
    return;
  }
  legs_[leg] = Leg{id, agent, false};
  agent_leg_[agent] = leg;
  call.ringing.insert(leg);
}

std::optional<Switchboard::Leg> Switchboard::take_leg(LegId leg) {
  auto at = legs_.find(leg);
  if (at == legs_.end()) return std::nullopt;
  const Leg l = at->second;
  legs_.erase(at);
  if (auto a = agent_leg_.find(l.agent); a != agent_leg_.end() && a->second == leg) {
    agent_leg_.erase(a);
  }
  return l;
}

void Switchboard::drop_leg(LegId leg) {
  const auto taken = take_leg(leg);
  if (!taken) return;
  const Leg& l = *taken;
  Call* c = find_call(l.interaction_id);
  if (c != nullptr && c->ringing.erase(leg) > 0) {
    phones_.cancel(leg);
  } else {
    if (c != nullptr && c->agent_leg == leg) c->agent_leg = 0;
    phones_.bye(leg);
  }
}

void Switchboard::cancel_ringing(Call& call, LegId except) {
  const std::set<LegId> ringing = call.ringing;
  for (LegId leg : ringing) {
    if (leg != except) drop_leg(leg);
  }
}

void Switchboard::on_leg_answered(LegId leg, const std::string& sdp) {
  auto at = legs_.find(leg);
  if (at == legs_.end()) {  // answered after we cancelled it: 200 crossed the CANCEL
    phones_.bye(leg);
    outcomes_.leg("late");
    return;
  }
  const Leg l = at->second;
  Call* c = find_call(l.interaction_id);
  if (c == nullptr || c->caller_gone || c->stage != Stage::kQueued) {
    // The caller left, or another phone answered first (ring-all): this one is hung up; routerd
    // ends this agent's offer itself (abandoned, taken_by_other_agent).
    drop_leg(leg);
    outcomes_.leg("late");
    if (c != nullptr) forget_if_idle(l.interaction_id);
    return;
  }
  c->ringing.erase(leg);
  c->stage = Stage::kConnecting;
  c->agent_leg = leg;
  c->agent = l.agent;
  accept_answered(l.interaction_id, leg, sdp);
}

void Switchboard::accept_answered(const std::string& id, LegId leg, const std::string& sdp) {
  Call& c = *find_call(id);
  const std::string agent = c.agent;
  v1::AgentRequest r;
  r.mutable_accept()->set_agent(agent);
  r.mutable_accept()->set_interaction_id(id);
  c.pending++;
  agent_request(r, [this, id, leg, agent, sdp](int code, const std::string&) {
    Call* cc = find_call(id);
    if (cc == nullptr) return;
    cc->pending--;
    if (code != kOk) {  // the offer ended meanwhile (timed out, taken, withdrawn)
      outcomes_.leg("late");
      drop_leg(leg);
      cc->stage = Stage::kQueued;
      cc->agent.clear();
      if (cc->caller_gone && !cc->ended) {  // and the caller hung up meanwhile
        cancel_in_routerd(id);
        finish(*cc, "abandoned");
      }
      return forget_if_idle(id);
    }
    if (cc->caller_gone) {  // the caller hung up while the accept was on its way
      outcomes_.leg("answered");
      drop_leg(leg);
      complete(agent, id, "caller_hangup");
      finish(*cc, "abandoned");
      return forget_if_idle(id);
    }
    if (cc->agent_leg != leg) {  // the agent's phone hung up while the accept was on its way
      outcomes_.leg("answered");
      phones_.respond(cc->in.leg, 480, "Temporarily Unavailable");
      cc->caller_gone = true;
      complete(agent, id, "agent_hangup");
      finish(*cc, "failed");
      return forget_if_idle(id);
    }
    outcomes_.leg("answered");
    cc->stage = Stage::kBridged;
    cancel_ringing(*cc);
    phones_.respond(cc->in.leg, 200, "OK", sdp);
  });
}

void Switchboard::on_leg_failed(LegId leg, int status) {
  const auto taken = take_leg(leg);
  if (!taken) return;  // one we cancelled (487), or forgot
  const Leg& l = *taken;
  Call* c = find_call(l.interaction_id);
  if (c != nullptr) {
    c->ringing.erase(leg);
    if (c->agent_leg == leg) c->agent_leg = 0;  // not after a 200, but never leave it dangling
  }
  const bool busy = busy_status(status);
  outcomes_.leg(busy ? "busy" : "failed");
  v1::AgentRequest r;
  r.mutable_reject()->set_agent(l.agent);
  r.mutable_reject()->set_interaction_id(l.interaction_id);
  agent_request(r, nullptr);  // FAILED_PRECONDITION when routerd ended the offer first: fine
  if (!busy) {
    // A phone that cannot be reached would take every next call too: out of rotation until a
    // person (or ready_after_missed) puts the agent back.
    v1::AgentRequest s;
    s.mutable_set_state()->set_agent(l.agent);
    s.mutable_set_state()->set_state(v1::NOT_READY);
    s.mutable_set_state()->set_reason("phone_unreachable");
    agent_request(s, nullptr);
  }
  if (c != nullptr) forget_if_idle(l.interaction_id);
}

void Switchboard::on_hangup(LegId leg) {
  // The caller's leg.
  if (auto at = callers_.find(leg); at != callers_.end()) {
    const std::string id = at->second;
    Call* c = find_call(id);
    if (c == nullptr || c->stage != Stage::kBridged || c->ended) return;
    c->caller_gone = true;
    const std::string agent = c->agent;
    if (c->agent_leg != 0) drop_leg(c->agent_leg);
    complete(agent, id, "");
    finish(*c, "bridged");
    return forget_if_idle(id);
  }
  // An agent's leg.
  const auto taken = take_leg(leg);
  if (!taken) return;
  const Leg& l = *taken;
  Call* c = find_call(l.interaction_id);
  if (c == nullptr) return;
  if (c->agent_leg != leg) {  // a BYE on a leg never answered: not SIP, but let go of it
    c->ringing.erase(leg);
    return forget_if_idle(l.interaction_id);
  }
  c->agent_leg = 0;
  if (c->stage != Stage::kBridged || c->ended) {  // kConnecting: the accept's answer acts
    return forget_if_idle(l.interaction_id);
  }
  phones_.bye(c->in.leg);
  c->caller_gone = true;
  complete(l.agent, l.interaction_id, "");
  finish(*c, "bridged");
  forget_if_idle(l.interaction_id);
}

// ---------------------------------------------------------------------------------------------
// routerd.

void Switchboard::complete(const std::string& agent, const std::string& id,
                           const std::string& code) {
  v1::AgentRequest r;
  r.mutable_complete()->set_agent(agent);
  r.mutable_complete()->set_interaction_id(id);
  r.mutable_complete()->set_wrap_up_code(code);
  agent_request(r, [this, agent, id, code](int result, const std::string&) {
    if (result == kUnavailable) owed_completions_.push_back({agent, id + "\n" + code});
  });
}

void Switchboard::agent_request(v1::AgentRequest request, Router::Done done) {
  router_.agent(request, [done = std::move(done)](int code, const std::string& message) {
    if (done) done(code, message);
  });
}

void Switchboard::login_all() {
  for (const auto& [agent, uri] : options_.agents) {
    (void)uri;
    v1::AgentRequest r;
    r.mutable_login()->set_agent(agent);
    r.mutable_login()->set_ready(true);
    agent_request(r, nullptr);
  }
}

void Switchboard::on_gateway_link(bool up) { gateway_up_ = up; }

void Switchboard::on_agent_link(bool up) {
  agents_up_ = up;
  if (!up) {
    // routerd takes the offers back (after daemon.agent_grace_s) and offers them again once the
    // agents log in: stop ringing phones for offers nobody can accept now.
    std::vector<LegId> ringing;
    std::vector<std::string> ids;
    for (const auto& [id, call] : calls_) {
      ringing.insert(ringing.end(), call->ringing.begin(), call->ringing.end());
      ids.push_back(id);
    }
    for (LegId leg : ringing) drop_leg(leg);
    for (const std::string& id : ids) forget_if_idle(id);
    return;
  }
  if (shutting_down_) return;
  login_all();
  auto owed = std::move(owed_completions_);
  owed_completions_.clear();
  for (const auto& [agent, id_code] : owed) {
    const size_t nl = id_code.find('\n');
    complete(agent, id_code.substr(0, nl), id_code.substr(nl + 1));
  }
}

void Switchboard::on_gateway_event(const v1::InteractionEvent& event) {
  const v1::Interaction& i = event.interaction();
  Call* c = find_call(i.interaction_id());
  if (c == nullptr || c->caller_gone || c->stage == Stage::kBridged) return;
  if (i.state() == v1::ASSIGNED && c->stage != Stage::kConnecting) {
    // Accepted by an agent routersip is not the desktop of (routed to a queue whose agents
    // work elsewhere): there is no phone to bridge to. The caller is told; routerd's agent has
    // the interaction. docs/routersip.md: route SIP calls to queues of phone agents.
    cancel_ringing(*c);
    phones_.respond(c->in.leg, 480, "Temporarily Unavailable");
    c->caller_gone = true;
    finish(*c, "assigned_elsewhere");
    return forget_if_idle(i.interaction_id());
  }
  if (i.state() != v1::EXPIRED && i.state() != v1::ABANDONED) return;
  // routerd gave up on it (the queue's max_wait) or a supervisor ended it: tell the caller.
  cancel_ringing(*c);
  phones_.respond(c->in.leg, 480, "Temporarily Unavailable");
  c->caller_gone = true;
  finish(*c, i.state() == v1::EXPIRED ? "expired" : "abandoned");
  forget_if_idle(i.interaction_id());
}

void Switchboard::on_work(const std::string& agent, const v1::WorkEvent& event) {
  if (event.has_offer()) {
    const v1::Interaction& i = event.offer().interaction();
    const std::string& id = i.interaction_id();
    if (auto a = agent_leg_.find(agent); a != agent_leg_.end()) {
      auto l = legs_.find(a->second);
      if (l != legs_.end() && l->second.interaction_id == id) return;  // re-sent: ringing
    }
    Call* c = find_call(id);
    const bool ours = options_.gateway.empty() || i.gateway() == options_.gateway;
    // The offer may come before the submit's answer (they travel on two streams): an offer
    // says routerd has it queued.
    const bool waiting =
        c != nullptr && (c->stage == Stage::kQueued || c->stage == Stage::kSubmitting);
    if (!ours || !waiting || c->caller_gone || agent_leg_.count(agent) ||
        !options_.agents.count(agent)) {
      // Not a call of ours (we cannot bridge it), the caller left, or the phone is in use.
      v1::AgentRequest r;
      r.mutable_reject()->set_agent(agent);
      r.mutable_reject()->set_interaction_id(ours ? id : i.gateway() + "/" + id);
      agent_request(r, nullptr);
      return;
    }
    c->stage = Stage::kQueued;
    ring(*c, agent, i);
    return;
  }
  if (event.has_update() && !event.reason().empty()) {
    // Work taken away from this agent: stop its phone ringing for it.
    auto a = agent_leg_.find(agent);
    if (a == agent_leg_.end()) return;
    const LegId leg = a->second;
    const std::string id = legs_.at(leg).interaction_id;  // a copy: drop_leg forgets the leg
    if (id != event.update().interaction_id()) return;
    Call* c = find_call(id);
    if (c != nullptr && c->ringing.count(leg)) {
      drop_leg(leg);
      outcomes_.leg(event.reason() == "offer_timeout" ? "no_answer" : "withdrawn");
      forget_if_idle(id);
    }
    return;
  }
  if (event.has_status()) {
    const v1::AgentStatus& s = event.status();
    if (s.state() == v1::NOT_READY &&
        (s.reason() == "missed" || s.reason() == "phone_unreachable") &&
        options_.ready_after_missed.count() > 0) {
      ready_at_[agent] = now_ + options_.ready_after_missed;
    } else if (s.state() != v1::NOT_READY) {
      ready_at_.erase(agent);
    }
  }
}

void Switchboard::tick(Clock::time_point now) {
  now_ = now;
  for (auto it = ready_at_.begin(); it != ready_at_.end();) {
    if (it->second > now || !agents_up_) {
      ++it;
      continue;
    }
    v1::AgentRequest r;
    r.mutable_set_state()->set_agent(it->first);
    r.mutable_set_state()->set_state(v1::READY);
    agent_request(r, nullptr);
    it = ready_at_.erase(it);
  }
}

void Switchboard::shut_down() {
  shutting_down_ = true;
  std::vector<std::string> ids;
  for (const auto& [id, call] : calls_) ids.push_back(id);
  for (const std::string& id : ids) {
    Call* c = find_call(id);
    if (c == nullptr || c->ended) continue;
    if (c->stage == Stage::kBridged) {
      const LegId caller = c->in.leg;
      phones_.bye(caller);
      on_hangup(caller);
      continue;
    }
    if (!c->caller_gone) phones_.respond(c->in.leg, 503, "Service Unavailable");
    on_caller_gone(c->in.leg);
  }
  for (const auto& [agent, uri] : options_.agents) {
    (void)uri;
    v1::AgentRequest r;
    r.mutable_logout()->set_agent(agent);
    agent_request(r, nullptr);
  }
}

// ---------------------------------------------------------------------------------------------

void Switchboard::finish(Call& call, const std::string& result) {
  if (call.ended) return;
  call.ended = true;
  outcomes_.call(result);
}

std::string Switchboard::describe() const {
  static const char* const kStages[] = {"submitting", "queued", "connecting", "bridged"};
  std::string out;
  for (const auto& [id, c] : calls_) {
    out += id + " stage=" + kStages[static_cast<int>(c->stage)] +
           " caller_gone=" + (c->caller_gone ? "1" : "0") + " ended=" + (c->ended ? "1" : "0") +
           " pending=" + std::to_string(c->pending) +
           " ringing=" + std::to_string(c->ringing.size()) +
           " agent_leg=" + std::to_string(c->agent_leg) + "\n";
  }
  return out;
}

void Switchboard::forget_if_idle(const std::string& id) {
  Call* c = find_call(id);
  if (c == nullptr || !c->ended || c->pending > 0 || !c->ringing.empty() || c->agent_leg != 0) {
    return;
  }
  callers_.erase(c->in.leg);
  calls_.erase(id);
}

}  // namespace router::sip
