// The simulated agent desktop of agent_desktop.h.
#include "tools/routerdemo/agent_desktop.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace router::demo {
namespace {

// Dispositions an agent picks from, per channel (kChannels order).
const std::array<std::vector<const char*>, kChannels> kWrapUpCodes{{
    {"resolved", "resolved", "resolved", "follow-up", "sale", "escalated", "callback-promised"},
    {"replied", "replied", "replied", "forwarded", "closed-no-reply"},
    {"resolved", "resolved", "sale", "link-sent", "escalated"},
    {"resolved", "resolved", "no-answer", "voicemail", "sale"},
}};

bool offer_gone(grpc::StatusCode code) {
  // The offer timed out, the caller hung up or wrap-up already ended: a race every desktop
  // sees now and then, not a failure.
  return code == grpc::StatusCode::FAILED_PRECONDITION || code == grpc::StatusCode::NOT_FOUND;
}

}  // namespace

AgentDesktop::AgentDesktop(SimulatedAgent agent, const std::shared_ptr<grpc::Channel>& channel,
                           Scheduler& scheduler, Counters& counters,
                           const AgentBehaviour& behaviour, uint64_t seed)
    : agent_(std::move(agent)),
      stub_(v1::AgentService::NewStub(channel)),
      scheduler_(scheduler),
      counters_(counters),
      behaviour_(behaviour),
      rng_(seed) {}

AgentDesktop::~AgentDesktop() { stop(); }

void AgentDesktop::start() {
  thread_ = std::thread([this] { run(); });
}

void AgentDesktop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (session_ != nullptr) session_->cancel();
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool AgentDesktop::sleep_unless_stopping(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_; });
}

void AgentDesktop::run() {
  auto backoff = std::chrono::milliseconds(500);
  while (true) {
    auto context = std::make_unique<grpc::ClientContext>();
    prepare(*context, agent_.token, std::chrono::hours(24 * 365));
    bool got_any = false;
    auto session = std::make_shared<Session>(
        std::move(context), [this](grpc::ClientContext* c) { return stub_->AgentSession(c); },
        [](const v1::AgentSessionResponse& r) { return r.has_answer() ? &r.answer() : nullptr; },
        [this, &got_any](Session&, const v1::AgentSessionResponse& r) {
          got_any = true;
          counters_.reached();
          if (r.has_work()) on_event(r.work());
        },
        Session::kUnbounded);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      session_ = session;
    }
    // Log in NOT_READY, then READY (the session is the work stream, so no offer can be missed):
    // a worker waits for the answers while this thread reads them.
    scheduler_.after(std::chrono::milliseconds(0), [this, session] { log_in(session); });
    const grpc::Status status = session->read_all();
    {
      std::lock_guard lock(mu_);
      session_ = nullptr;
      if (stopping_) return;
    }
    counters_.add(Count::kStreamsLost);
    // OK: routerd ended it (shutting down); UNAVAILABLE: it went away. Both are reconnected.
    if (!status.ok() && status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      counters_.error("AgentSession", status);
    }
    state_.store(v1::LOGGED_OUT, std::memory_order_relaxed);
    if (got_any) backoff = std::chrono::milliseconds(500);
    if (!sleep_unless_stopping(backoff)) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
}

grpc::Status AgentDesktop::call(v1::AgentRequest request, v1::AgentStatus* status,
                                std::chrono::milliseconds deadline) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    session = session_;
  }
  if (session == nullptr) return {grpc::StatusCode::UNAVAILABLE, "no agent session open"};
  v1::AgentAnswer answer;
  grpc::Status s = session->call(std::move(request), &answer, deadline);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
  if (s.ok() && status != nullptr) *status = answer.status();
  return s;
}

void AgentDesktop::log_in(const std::shared_ptr<Session>& session) {
  v1::AgentRequest request;
  request.mutable_login()->set_agent(agent_.name);
  request.mutable_login()->set_ready(false);
  v1::AgentAnswer answer;
  const grpc::Status s = session->call(std::move(request), &answer, kCallDeadline);
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) return;  // the session is gone already
  counters_.reached();
  if (s.ok()) {
    set_state(answer.status());
  } else if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION &&
             s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    // (Still logged in from before the session was lost, within routerd's grace period: carry
    // on.) Anything else: count it, and let the session go to try again after a backoff.
    counters_.error("Login", s);
    session->cancel();
    return;
  }
  go_ready("login");
}

void AgentDesktop::set_state(const v1::AgentStatus& status) {
  state_.store(status.state(), std::memory_order_relaxed);
}

void AgentDesktop::go_ready(const char* why) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || on_break_) return;
  }
  v1::AgentRequest request;
  request.mutable_set_state()->set_agent(agent_.name);
  request.mutable_set_state()->set_state(v1::READY);
  v1::AgentStatus status;
  const grpc::Status s = call(std::move(request), &status);
  if (s.ok()) {
    set_state(status);
  } else if (s.error_code() != grpc::StatusCode::UNAVAILABLE) {
    counters_.error(std::string("SetState(READY) after ") + why, s);
  }
}

void AgentDesktop::on_event(const v1::WorkEvent& event) {
  switch (event.event_case()) {
    case v1::WorkEvent::kOffer: on_offer(event.offer()); break;
    case v1::WorkEvent::kUpdate: on_update(event.update()); break;
    case v1::WorkEvent::kStatus: on_status(event.status()); break;
    default: break;  // heartbeats
  }
}

void AgentDesktop::on_offer(const v1::Offer& offer) {
  const std::string& id = offer.interaction().interaction_id();
  std::lock_guard lock(mu_);
  if (work_.count(id) != 0) return;  // seen already
  work_[id] = Held{offer.interaction().channel(), Stage::kOffered};
  const double draw = uniform(0, 1);
  if (draw < behaviour_.ignore_share) {
    counters_.add(Count::kIgnored);  // looked away: routerd's offer timer decides
    return;
  }
  const bool accept = draw >= behaviour_.ignore_share + behaviour_.reject_share;
  const double think_s = uniform(behaviour_.think_min_s, behaviour_.think_max_s);
  scheduler_.after(std::chrono::duration<double>(think_s),
                   [this, id, accept] { answer(id, accept); });
}

void AgentDesktop::on_update(const v1::Interaction& interaction) {
  if (interaction.state() == v1::OFFERED && interaction.agent() == agent_.name) {
    // An offer made while the stream was down, sent again as an update when it reopened.
    v1::Offer offer;
    *offer.mutable_interaction() = interaction;
    on_offer(offer);
    return;
  }
  std::lock_guard lock(mu_);
  auto it = work_.find(interaction.interaction_id());
  if (it == work_.end()) {
    // Work this desktop never saw (held since before a restart of the demo): finish it too,
    // or it would hold the agent's capacity for good.
    const bool mine = interaction.agent() == agent_.name;
    if (mine && interaction.state() == v1::ASSIGNED) {
      work_[interaction.interaction_id()] = Held{interaction.channel(), Stage::kAssigned};
      schedule_finish(interaction.interaction_id(), interaction.channel());
    } else if (mine && interaction.state() == v1::WRAP_UP) {
      work_[interaction.interaction_id()] = Held{interaction.channel(), Stage::kWrapUp};
      const std::string& id = interaction.interaction_id();
      scheduler_.after(std::chrono::duration<double>(behaviour_.wrap_up_min_s),
                       [this, id] { end_wrap_up(id); });
    }
    return;
  }
  switch (interaction.state()) {
    case v1::WRAP_UP:
      if (it->second.stage == Stage::kAssigned) it->second.stage = Stage::kWrapUp;
      return;
    case v1::OFFERED:
    case v1::ASSIGNED:
      if (interaction.agent() == agent_.name) return;
      break;
    default: break;
  }
  // Requeued, abandoned, expired, completed, or now someone else's: it is no longer ours.
  // An answer or a completion in flight learns it from its own call's status.
  if (it->second.stage == Stage::kAnswering || it->second.stage == Stage::kCompleting) return;
  const bool was_held = it->second.stage != Stage::kOffered;
  work_.erase(it);
  if (was_held) work_done();
}

void AgentDesktop::on_status(const v1::AgentStatus& status) {
  set_state(status);
  if (status.state() != v1::NOT_READY || status.reason() != "missed") return;
  std::lock_guard lock(mu_);
  if (coming_back_ || stopping_) return;
  coming_back_ = true;
  counters_.add(Count::kMissed);
  const double back_s =
      uniform(behaviour_.back_after_missed_min_s, behaviour_.back_after_missed_max_s);
  scheduler_.after(std::chrono::duration<double>(back_s), [this] {
    {
      std::lock_guard lock(mu_);
      coming_back_ = false;
    }
    go_ready("missed");
  });
}

void AgentDesktop::answer(const std::string& id, bool accept) {
  {
    std::lock_guard lock(mu_);
    auto it = work_.find(id);
    if (it == work_.end() || it->second.stage != Stage::kOffered) return;  // withdrawn
    it->second.stage = Stage::kAnswering;
  }
  v1::AgentRequest request;
  v1::OfferRequest& offer = accept ? *request.mutable_accept() : *request.mutable_reject();
  offer.set_agent(agent_.name);
  offer.set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = call(std::move(request), &status);
  std::lock_guard lock(mu_);
  auto it = work_.find(id);
  if (!s.ok()) {
    if (offer_gone(s.error_code())) {
      counters_.add(Count::kLate);
    } else {
      counters_.error(accept ? "AcceptOffer" : "RejectOffer", s);
    }
    if (it != work_.end()) work_.erase(it);
    return;
  }
  set_state(status);
  if (!accept) {
    counters_.add(Count::kRejected);
    if (it != work_.end()) work_.erase(it);
    return;
  }
  counters_.add(Count::kAccepted);
  if (it == work_.end()) return;
  it->second.stage = Stage::kAssigned;
  schedule_finish(id, it->second.channel);
}

void AgentDesktop::schedule_finish(const std::string& id, v1::Channel channel) {
  const double mean_s = behaviour_.handle_mean_s[channel_index(channel)] / behaviour_.speed;
  const double handle_s = std::clamp(exponential(mean_s), 1.0, std::max(1.0, 8 * mean_s));
  scheduler_.after(std::chrono::duration<double>(handle_s), [this, id] { finish(id); });
}

void AgentDesktop::finish(const std::string& id) {
  v1::AgentRequest message;
  v1::CompleteRequest& request = *message.mutable_complete();
  {
    std::lock_guard lock(mu_);
    auto it = work_.find(id);
    if (it == work_.end() || it->second.stage != Stage::kAssigned) return;
    it->second.stage = Stage::kCompleting;
    const auto& codes = kWrapUpCodes[channel_index(it->second.channel)];
    request.set_wrap_up_code(
        codes[static_cast<size_t>(uniform(0, static_cast<double>(codes.size()))) % codes.size()]);
  }
  request.set_agent(agent_.name);
  request.set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = call(std::move(message), &status);
  std::lock_guard lock(mu_);
  auto it = work_.find(id);
  if (!s.ok()) {
    counters_.error("CompleteInteraction", s);
    if (it != work_.end()) work_.erase(it);
    work_done();
    return;
  }
  counters_.add(Count::kCompleted);
  set_state(status);
  if (it == work_.end()) return;
  const bool in_wrap_up =
      std::find(status.work().begin(), status.work().end(), id) != status.work().end();
  if (!in_wrap_up) {  // the queue has no wrap-up time: completed at once
    work_.erase(it);
    work_done();
    return;
  }
  it->second.stage = Stage::kWrapUp;
  if (uniform(0, 1) < behaviour_.end_wrap_up_share) {
    const double wrap_s = uniform(behaviour_.wrap_up_min_s, behaviour_.wrap_up_max_s);
    scheduler_.after(std::chrono::duration<double>(wrap_s), [this, id] { end_wrap_up(id); });
  }
  // Otherwise routerd's wrap-up timer ends it and an update says so (on_update).
}

void AgentDesktop::end_wrap_up(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    auto it = work_.find(id);
    if (it == work_.end() || it->second.stage != Stage::kWrapUp) return;  // timer was first
  }
  v1::AgentRequest request;
  request.mutable_end_wrap_up()->set_agent(agent_.name);
  request.mutable_end_wrap_up()->set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = call(std::move(request), &status);
  std::lock_guard lock(mu_);
  if (s.ok()) {
    counters_.add(Count::kWrapUpEnded);
    set_state(status);
  } else if (offer_gone(s.error_code())) {
    counters_.add(Count::kLate);
  } else {
    counters_.error("EndWrapUp", s);
  }
  auto it = work_.find(id);
  if (it == work_.end()) return;
  work_.erase(it);
  work_done();
}

void AgentDesktop::work_done() {
  if (!work_.empty() || on_break_ || stopping_) return;
  if (uniform(0, 1) >= behaviour_.break_share) return;
  on_break_ = true;
  const double break_s = std::max(5.0, exponential(behaviour_.break_mean_s / behaviour_.speed));
  // The RPCs run on a worker, not under this lock.
  scheduler_.after(std::chrono::milliseconds(0), [this, break_s] {
    v1::AgentRequest request;
    request.mutable_set_state()->set_agent(agent_.name);
    request.mutable_set_state()->set_state(v1::NOT_READY);
    request.mutable_set_state()->set_reason("break");
    v1::AgentStatus status;
    const grpc::Status s = call(std::move(request), &status);
    if (s.ok()) {
      counters_.add(Count::kBreaks);
      set_state(status);
    } else {
      counters_.error("SetState", s);
    }
    scheduler_.after(std::chrono::duration<double>(break_s), [this] { end_break(); });
  });
}

void AgentDesktop::end_break() {
  {
    std::lock_guard lock(mu_);
    on_break_ = false;
  }
  go_ready("break");
}

void AgentDesktop::end_shift() {
  {
    std::lock_guard lock(mu_);
    if (session_ == nullptr) return;  // no session: routerd's grace period logs the agent out
  }
  constexpr std::chrono::milliseconds kShutdownCall{2000};
  // routerd's view of what the agent holds is the one that counts: take it from the answer.
  v1::AgentStatus status;
  {
    v1::AgentRequest request;
    request.mutable_set_state()->set_agent(agent_.name);
    request.mutable_set_state()->set_state(v1::NOT_READY);
    request.mutable_set_state()->set_reason("end_of_shift");
    if (!call(std::move(request), &status, kShutdownCall).ok()) return;  // gone already
  }
  for (const std::string& id : status.work()) {
    v1::AgentRequest request;
    auto& complete = *request.mutable_complete();
    complete.set_agent(agent_.name);
    complete.set_interaction_id(id);
    complete.set_wrap_up_code("end-of-shift");
    // Work already in wrap-up refuses this (FAILED_PRECONDITION); logout completes it.
    if (call(std::move(request), nullptr, kShutdownCall).ok()) counters_.add(Count::kCompleted);
  }
  v1::AgentRequest request;
  request.mutable_logout()->set_agent(agent_.name);
  const grpc::Status s = call(std::move(request), &status, kShutdownCall);
  if (s.ok()) {
    set_state(status);
  } else if (s.error_code() != grpc::StatusCode::UNAVAILABLE) {
    counters_.error("Logout", s);
  }
}

double AgentDesktop::uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng_);
}

double AgentDesktop::exponential(double mean) {
  return std::exponential_distribution<double>(1.0 / mean)(rng_);
}

}  // namespace router::demo
