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
    if (stream_context_ != nullptr) stream_context_->TryCancel();
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
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (!log_in()) {
      if (!sleep_unless_stopping(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
      continue;
    }
    grpc::ClientContext context;
    prepare(context, agent_.token, std::chrono::hours(24 * 365));
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stream_context_ = &context;
    }
    v1::StreamWorkRequest request;
    request.set_agent(agent_.name);
    auto reader = stub_->StreamWork(&context, request);
    v1::WorkEvent event;
    bool got_any = false;
    while (reader->Read(&event)) {
      counters_.reached();
      if (!got_any) {
        // Logged in NOT_READY so that no offer comes before the stream is open; READY once
        // the stream's first message (routerd's hello, or a heartbeat) shows it is.
        got_any = true;
        scheduler_.after(std::chrono::milliseconds(0), [this] { go_ready("login"); });
      }
      on_event(event);
    }
    const grpc::Status status = reader->Finish();
    {
      std::lock_guard lock(mu_);
      stream_context_ = nullptr;
      if (stopping_) return;
    }
    counters_.add(Count::kStreamsLost);
    // OK: routerd ended it (shutting down); UNAVAILABLE: it went away. Both are reconnected.
    if (!status.ok() && status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      counters_.error("StreamWork", status);
    }
    state_.store(v1::LOGGED_OUT, std::memory_order_relaxed);
    if (got_any) backoff = std::chrono::milliseconds(500);
    if (!sleep_unless_stopping(backoff)) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
}

bool AgentDesktop::log_in() {
  grpc::ClientContext context;
  prepare(context, agent_.token);
  v1::LoginRequest request;
  request.set_agent(agent_.name);
  request.set_ready(false);
  v1::AgentStatus status;
  const grpc::Status s = stub_->Login(&context, request, &status);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
  if (s.ok()) {
    set_state(status);
    return true;
  }
  // Still logged in from before the stream was lost (within routerd's grace period): carry on.
  if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
      s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    return true;
  }
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.error("Login", s);
  return false;
}

void AgentDesktop::set_state(const v1::AgentStatus& status) {
  state_.store(status.state(), std::memory_order_relaxed);
}

void AgentDesktop::go_ready(const char* why) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || on_break_) return;
  }
  grpc::ClientContext context;
  prepare(context, agent_.token);
  v1::SetStateRequest request;
  request.set_agent(agent_.name);
  request.set_state(v1::READY);
  v1::AgentStatus status;
  const grpc::Status s = stub_->SetState(&context, request, &status);
  if (s.ok()) {
    counters_.reached();
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
  grpc::ClientContext context;
  prepare(context, agent_.token);
  v1::OfferRequest request;
  request.set_agent(agent_.name);
  request.set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = accept ? stub_->AcceptOffer(&context, request, &status)
                                : stub_->RejectOffer(&context, request, &status);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
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
  v1::CompleteRequest request;
  {
    std::lock_guard lock(mu_);
    auto it = work_.find(id);
    if (it == work_.end() || it->second.stage != Stage::kAssigned) return;
    it->second.stage = Stage::kCompleting;
    const auto& codes = kWrapUpCodes[channel_index(it->second.channel)];
    request.set_wrap_up_code(
        codes[static_cast<size_t>(uniform(0, static_cast<double>(codes.size()))) % codes.size()]);
  }
  grpc::ClientContext context;
  prepare(context, agent_.token);
  request.set_agent(agent_.name);
  request.set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = stub_->CompleteInteraction(&context, request, &status);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
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
  grpc::ClientContext context;
  prepare(context, agent_.token);
  v1::OfferRequest request;
  request.set_agent(agent_.name);
  request.set_interaction_id(id);
  v1::AgentStatus status;
  const grpc::Status s = stub_->EndWrapUp(&context, request, &status);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
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
    grpc::ClientContext context;
    prepare(context, agent_.token);
    v1::SetStateRequest request;
    request.set_agent(agent_.name);
    request.set_state(v1::NOT_READY);
    request.set_reason("break");
    v1::AgentStatus status;
    const grpc::Status s = stub_->SetState(&context, request, &status);
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
    if (state_.load(std::memory_order_relaxed) == v1::LOGGED_OUT && stream_context_ == nullptr) {
      return;
    }
  }
  // routerd's view of what the agent holds is the one that counts: take it from the answer.
  v1::AgentStatus status;
  {
    grpc::ClientContext context;
    prepare(context, agent_.token, std::chrono::milliseconds(2000));
    v1::SetStateRequest request;
    request.set_agent(agent_.name);
    request.set_state(v1::NOT_READY);
    request.set_reason("end_of_shift");
    if (!stub_->SetState(&context, request, &status).ok()) return;  // gone already
  }
  for (const std::string& id : status.work()) {
    grpc::ClientContext context;
    prepare(context, agent_.token, std::chrono::milliseconds(2000));
    v1::CompleteRequest request;
    request.set_agent(agent_.name);
    request.set_interaction_id(id);
    request.set_wrap_up_code("end-of-shift");
    v1::AgentStatus ignored;
    // Work already in wrap-up refuses this (FAILED_PRECONDITION); logout completes it.
    if (stub_->CompleteInteraction(&context, request, &ignored).ok()) {
      counters_.add(Count::kCompleted);
    }
  }
  grpc::ClientContext context;
  prepare(context, agent_.token, std::chrono::milliseconds(2000));
  v1::LogoutRequest request;
  request.set_agent(agent_.name);
  const grpc::Status s = stub_->Logout(&context, request, &status);
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
