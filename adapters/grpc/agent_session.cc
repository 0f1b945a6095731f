// The AgentSession / AgentLink reactor and its per-agent work subscriptions; see agent_session.h.
#include "adapters/grpc/agent_session.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace router::adapters::grpc {

namespace {

using ::grpc::Status;
using ::grpc::StatusCode;

Status invalid(std::string message) { return {StatusCode::INVALID_ARGUMENT, std::move(message)}; }

// One agent's work events on a session stream: the host's Subscriber for that agent, wrapping
// each WorkEvent in AgentSessionResponse{agent, work} and pushing it into the stream's outbox.
// The host's finish() ends the whole stream on a session. On a link, a replacement (ABORTED: a
// newer StreamWork, session or link took the agent) ends only this agent's subscription: the
// link is told with an answer carrying no correlation_id and the code, and its next request for
// the agent subscribes again. Any other finish (routerd shutting down) ends the link.
// Threading: the host calls it on its executor, the only thread that reads ended().
class AgentWork final : public host::Subscriber<v1::WorkEvent> {
 public:
  // A link's heartbeats: the host sends one per agent per tick; the link needs one per tick.
  struct LinkBeat {
    int64_t last_ns = 0;  // `at` (since the epoch) of the last one forwarded
  };
  static constexpr int64_t kOneTickNs = 50'000'000;  // a tick's heartbeats are stamped within it

  AgentWork(std::shared_ptr<AgentOutbox> outbox, std::string agent, AgentStreamMode mode,
            std::shared_ptr<LinkBeat> beat)
      : outbox_(std::move(outbox)), agent_(std::move(agent)), mode_(mode), beat_(std::move(beat)) {}

  bool push(v1::WorkEvent event) override {
    if (ended_) return false;
    if (beat_ && event.has_heartbeat()) {
      const int64_t at = event.at().seconds() * 1'000'000'000 + event.at().nanos();
      if (at >= beat_->last_ns && at - beat_->last_ns < kOneTickNs) return true;  // sent already
      beat_->last_ns = at;
    }
    v1::AgentSessionResponse r;
    r.set_agent(agent_);
    *r.mutable_work() = std::move(event);
    return outbox_->push(std::move(r));
  }

  void finish(absl::Status status, bool drain) override {
    if (ended_) return;
    ended_ = true;
    if (mode_ == AgentStreamMode::kLink && status.code() == absl::StatusCode::kAborted) {
      v1::AgentSessionResponse r;
      r.set_agent(agent_);
      v1::RequestResult* result = r.mutable_answer()->mutable_result();
      result->set_code(static_cast<int>(status.code()));
      result->set_message(std::string(status.message()) +
                          ": this link no longer receives the agent's work events until its next "
                          "request for the agent");
      outbox_->push(std::move(r));
      outbox_->flush();
      return;
    }
    outbox_->finish(status, drain);
  }

  bool open() const override { return !ended_ && outbox_->open(); }
  void flush() override { outbox_->flush(); }

  bool ended() const { return ended_; }
  const std::string& agent() const { return agent_; }

 private:
  std::shared_ptr<AgentOutbox> outbox_;
  const std::string agent_;
  const AgentStreamMode mode_;
  const std::shared_ptr<LinkBeat> beat_;  // links only
  bool ended_ = false;
};

// What outlives the reactor: the closures posted to the host hold it, so a request still queued
// when the call ends finds the outbox detached (its pushes are dropped) instead of a dead reactor.
struct StreamState : std::enable_shared_from_this<StreamState> {
  StreamState(host::RoutingHost& h, AgentStreamSetup s)
      : host(h),
        mode(s.mode),
        caller(std::move(s.caller)),
        limits(s.limits),
        outbox(std::move(s.outbox)),
        beat(mode == AgentStreamMode::kLink ? std::make_shared<AgentWork::LinkBeat>() : nullptr) {}

  host::RoutingHost& host;
  const AgentStreamMode mode;
  const Caller caller;
  const RequestLimits limits;
  const std::shared_ptr<AgentOutbox> outbox;
  const std::shared_ptr<AgentWork::LinkBeat> beat;  // links: shared by its subscriptions

  // The executor's alone.
  std::string bound;  // a session's agent; empty until bound (dev_no_auth)
  std::unordered_map<std::string, std::shared_ptr<AgentWork>> held;  // agent → its subscription
  bool ended = false;                                                // the call is over
  bool half_closed = false;  // the client sent its last request: finish once all are answered

  // Shared by the reactor (gRPC threads) and the executor.
  std::mutex mu;
  std::unordered_set<std::string> in_flight;  // correlation ids read, not yet answered
  size_t pending = 0;                         // requests posted, not yet answered
  bool paused = false;                        // reads stopped at the bound
};

// The reactor. The outbox drives its write side (one write in flight, bounded queue); the read
// side reads one request at a time and posts it to the host, up to kAgentStreamMaxInFlight.
class AgentStream final : public AgentStreamReactor, public OutboxSink<v1::AgentSessionResponse> {
 public:
  AgentStream(host::RoutingHost& host, AgentStreamSetup setup)
      : slot_(setup.slot), state_(std::make_shared<StreamState>(host, std::move(setup))) {
    // The response headers at once, before any message: a client (routerload) writes nothing
    // until it has them, so requests never go to a stream that a proxy in front refuses (a
    // standby behind HAProxy answers 503), where they would be dropped unread.
    StartSendInitialMetadata();
    state_->outbox->attach(this);
    if (state_->mode == AgentStreamMode::kSession && !state_->caller.dev) {
      // An AGENT token: the session is its agent's from the start, like StreamWork.
      state_->bound = state_->caller.agent;
      host.post([state = state_] {
        if (absl::Status s = subscribe(*state, state->bound); !s.ok()) {
          state->outbox->finish(to_grpc(s), /*drain=*/false);
        }
      });
    }
    StartRead(&request_);
  }

  void start_write(const v1::AgentSessionResponse* message) override { StartWrite(message); }
  void finish_stream(Status status) override {
    finished_.store(true, std::memory_order_relaxed);
    Finish(std::move(status));
  }

  void OnReadDone(bool ok) override {
    StreamState& st = *state_;
    if (!ok) {
      // Half-closed (or gone): finish OK once the requests already posted are answered and
      // everything queued is written. Posted, so it runs after those requests.
      st.host.post([state = state_] {
        state->half_closed = true;
        finish_when_answered(*state);
      });
      return;
    }
    // Moved out first: once unlocked below, OnWriteDone may start the next read into request_.
    v1::AgentRequest request = std::move(request_);
    request_.Clear();
    Status early = check_correlation_id(request.correlation_id());
    bool pause = false;
    {
      std::lock_guard lock(st.mu);
      if (early.ok() && !st.in_flight.insert(request.correlation_id()).second) {
        early = invalid("correlation_id: '" + request.correlation_id() +
                        "' is already in flight on this stream");
      }
      // At the bound the next read starts from OnWriteDone, once answers went out (a reaction:
      // gRPC server reactors start operations from reactions only, so OnDone cannot race them).
      pause = ++st.pending >= kAgentStreamMaxInFlight;
      st.paused = pause;
      // Posted under the lock, so a read resumed by OnWriteDone posts after this one.
      st.host.post(
          [state = state_, request = std::move(request), early = std::move(early)]() mutable {
            handle(*state, std::move(request), std::move(early));
          });
    }
    if (!pause) StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    state_->outbox->on_write_done(ok);
    if (!ok) return;
    {
      std::lock_guard lock(state_->mu);
      if (!state_->paused || state_->pending >= kAgentStreamMaxInFlight) return;
      state_->paused = false;
    }
    if (!finished_.load(std::memory_order_relaxed)) StartRead(&request_);
  }
  void OnCancel() override { state_->outbox->on_cancel(); }
  void OnDone() override {
    state_->outbox->detach();
    state_->host.post([state = state_] { end(*state); });
    delete this;
  }

 private:
  // Runs on the executor: one request, checked like its unary twin, run, answered.
  static void handle(StreamState& st, v1::AgentRequest request, Status early);
  static absl::Status subscribe(StreamState& st, const std::string& agent);
  static void answer(StreamState& st, const std::string& correlation_id, bool counted,
                     v1::AgentSessionResponse response);
  static void end(StreamState& st);
  static void finish_when_answered(StreamState& st);

  std::shared_ptr<StreamSlot> slot_;  // the stream's place under the stream limits
  std::shared_ptr<StreamState> state_;
  v1::AgentRequest request_;  // the read buffer: one read at a time
  std::atomic<bool> finished_{false};
};

// The inner request's agent field, or null when no request is set.
std::string* agent_of(v1::AgentRequest& r) {
  switch (r.request_case()) {
    case v1::AgentRequest::kLogin: return r.mutable_login()->mutable_agent();
    case v1::AgentRequest::kLogout: return r.mutable_logout()->mutable_agent();
    case v1::AgentRequest::kSetState: return r.mutable_set_state()->mutable_agent();
    case v1::AgentRequest::kAccept: return r.mutable_accept()->mutable_agent();
    case v1::AgentRequest::kReject: return r.mutable_reject()->mutable_agent();
    case v1::AgentRequest::kComplete: return r.mutable_complete()->mutable_agent();
    case v1::AgentRequest::kEndWrapUp: return r.mutable_end_wrap_up()->mutable_agent();
    case v1::AgentRequest::kTransfer: return r.mutable_transfer()->mutable_agent();
    default: return nullptr;
  }
}

Status validate_inner(const v1::AgentRequest& r, const RequestLimits& limits) {
  switch (r.request_case()) {
    case v1::AgentRequest::kLogin: return validate(r.login(), limits);
    case v1::AgentRequest::kLogout: return validate(r.logout(), limits);
    case v1::AgentRequest::kSetState: return validate(r.set_state(), limits);
    case v1::AgentRequest::kAccept: return validate(r.accept(), limits);
    case v1::AgentRequest::kReject: return validate(r.reject(), limits);
    case v1::AgentRequest::kComplete: return validate(r.complete(), limits);
    case v1::AgentRequest::kEndWrapUp: return validate(r.end_wrap_up(), limits);
    case v1::AgentRequest::kTransfer: return validate(r.transfer(), limits);
    default: return Status::OK;
  }
}

// The host call of the unary twin.
absl::Status run(host::RoutingHost& host, const v1::AgentRequest& r, v1::AgentStatus* out) {
  switch (r.request_case()) {
    case v1::AgentRequest::kLogin: return host.login(r.login(), out);
    case v1::AgentRequest::kLogout: return host.logout(r.logout().agent(), false, out);
    case v1::AgentRequest::kSetState: return host.set_state(r.set_state(), out);
    case v1::AgentRequest::kAccept: return host.accept(r.accept(), out);
    case v1::AgentRequest::kReject: return host.reject(r.reject(), out);
    case v1::AgentRequest::kComplete: return host.complete(r.complete(), out);
    case v1::AgentRequest::kEndWrapUp: return host.end_wrap_up(r.end_wrap_up(), out);
    case v1::AgentRequest::kTransfer: return host.transfer(r.transfer(), out);
    default: return absl::InternalError("no request");
  }
}

void set_result(v1::AgentSessionResponse& response, const std::string& correlation_id,
                const Status& status) {
  v1::RequestResult* result = response.mutable_answer()->mutable_result();
  result->set_correlation_id(correlation_id);
  result->set_code(static_cast<int>(status.error_code()));
  result->set_message(status.error_message());
}

void AgentStream::handle(StreamState& st, v1::AgentRequest request, Status early) {
  const std::string& id = request.correlation_id();
  const bool counted = early.ok();  // in st.in_flight under its id
  v1::AgentSessionResponse response;
  auto refuse = [&](const Status& s) {
    // An over-long id is answered without one (an empty one has none to echo).
    const bool echo = id.size() <= kMaxCorrelationIdBytes;
    set_result(response, echo ? id : std::string(), s);
    answer(st, id, counted, std::move(response));
  };
  // The stream is over or ending (replaced, cut, shutting down): nobody would read the answer,
  // so the command is not run either.
  if (st.ended || !st.outbox->open()) return answer(st, id, counted, std::move(response));
  if (!early.ok()) return refuse(early);
  std::string* agent = agent_of(request);
  if (agent == nullptr) {
    return refuse(invalid(
        "request: required (login, logout, set_state, accept, reject, complete, end_wrap_up "
        "or transfer)"));
  }
  const bool link = st.mode == AgentStreamMode::kLink;
  if (agent->empty() && !link) *agent = st.bound;  // empty: the session's agent
  response.set_agent(*agent);
  if (agent->empty() && !link) {
    return refuse(invalid("agent: required until the session is bound to an agent"));
  }
  if (Status s = validate_inner(request, st.limits); !s.ok()) return refuse(s);
  if (link) {
    if (Status s = require_agent(st.caller, *agent); !s.ok()) return refuse(s);
  } else if (!st.bound.empty() && *agent != st.bound) {
    return refuse({StatusCode::PERMISSION_DENIED,
                   "agent: this session acts for agent " + st.bound + " only, not " + *agent});
  }
  // The stream receives the agent's work from its first request for the agent (a link: again
  // after another stream took the agent over; a session is ended by that instead).
  if (link) {
    auto held = st.held.find(*agent);
    if (held == st.held.end() || held->second->ended()) {
      if (absl::Status s = subscribe(st, *agent); !s.ok()) return refuse(to_grpc(s));
    }
  } else if (st.bound.empty()) {
    if (absl::Status s = subscribe(st, *agent); !s.ok()) return refuse(to_grpc(s));
    st.bound = *agent;
  }
  v1::AgentStatus* status = response.mutable_answer()->mutable_status();
  const absl::Status done = run(st.host, request, status);
  if (!done.ok()) {
    response.mutable_answer()->clear_status();
    return refuse(to_grpc(done));
  }
  if (link && request.request_case() == v1::AgentRequest::kLogout) {
    // Logged out: the link stops receiving the agent's work (its last status event is queued).
    auto it = st.held.find(*agent);
    if (it != st.held.end()) {
      st.host.stream_work_ended(*agent, it->second);
      st.held.erase(it);
    }
  }
  // Answered once journaled, as the unary call (a half-close waits for it: answer()).
  st.host.when_journaled([state = st.shared_from_this(), id, counted,
                          response = std::move(response)](const absl::Status& s) mutable {
    if (!s.ok()) response.mutable_answer()->clear_status();
    set_result(response, id, to_grpc(s));
    answer(*state, id, counted, std::move(response));
  });
}

absl::Status AgentStream::subscribe(StreamState& st, const std::string& agent) {
  auto work = std::make_shared<AgentWork>(st.outbox, agent, st.mode, st.beat);
  if (absl::Status s = st.host.stream_work(agent, work); !s.ok()) return s;
  st.held[agent] = std::move(work);
  return absl::OkStatus();
}

// Pushes the answer (none when `response` has none: the call is over), frees its correlation id
// and its place under the read bound (before the push: the answer's OnWriteDone resumes reading),
// and ends the command's pushes (flush).
void AgentStream::answer(StreamState& st, const std::string& correlation_id, bool counted,
                         v1::AgentSessionResponse response) {
  {
    std::lock_guard lock(st.mu);
    if (counted) st.in_flight.erase(correlation_id);
    --st.pending;
  }
  if (response.has_answer()) st.outbox->push(std::move(response));
  st.outbox->flush();
  if (st.half_closed) finish_when_answered(st);
}

// Executor. Half-closed: finish OK once every request read is answered and everything queued is
// written (answers can wait for the journal: AgentStream::handle).
void AgentStream::finish_when_answered(StreamState& st) {
  {
    std::lock_guard lock(st.mu);
    if (st.pending > 0) return;
  }
  st.outbox->finish(Status::OK, /*drain=*/true);
}

// The call is over: each agent whose work it carried starts its grace period, as when a
// StreamWork ends (a subscription already replaced is ignored by the host).
void AgentStream::end(StreamState& st) {
  st.ended = true;
  for (auto& [agent, work] : st.held) st.host.stream_work_ended(agent, work);
  st.held.clear();
}

// A stream refused before it started.
class RefusedAgentStream final : public AgentStreamReactor {
 public:
  explicit RefusedAgentStream(Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

AgentStreamReactor* start_agent_stream(host::RoutingHost& host, AgentStreamSetup setup) {
  return new AgentStream(host, std::move(setup));
}

AgentStreamReactor* refuse_agent_stream(Status status) {
  return new RefusedAgentStream(std::move(status));
}

}  // namespace router::adapters::grpc
