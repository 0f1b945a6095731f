// routerecho's dispatcher (echo_service.h describes it): the state both services share, the
// ordered hand-off to each agent's stream, and the commands that change them. Internal to
// routerecho: echo_core.cc holds the commands, echo_dispatch.cc the dispatching under them.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/grpc/stream_outbox.h"
#include "engine/model.h"
#include "router/v1/router.grpc.pb.h"
#include "tools/routerload/echo_service.h"

namespace router::load::echo {

using ::grpc::Status;
using ::grpc::StatusCode;

// As routerd stamps them: wall clock, millisecond resolution.
inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline void stamp(int64_t ms, google::protobuf::Timestamp* out) {
  out->set_seconds(ms / 1000);
  out->set_nanos(static_cast<int32_t>((ms % 1000) * 1'000'000));
}

// routerd's offer expiry for a typical queue; stamped, never enforced.
constexpr int64_t kOfferTimeoutMs = 30'000;

// ---------------------------------------------------------------------------------------------
// A stream's writes: routerd's StreamOutbox (one write in flight, a bounded queue behind it, the
// stream cut with RESOURCE_EXHAUSTED past its limit) behind an ordered hand-off. routerd pushes
// from its one engine thread; here commands run on gRPC threads under the dispatcher's lock,
// which is never held across a gRPC call: enqueue() under that lock fixes the order, and flush()
// after it pushes to the outbox in that order (the thread flushing pushes what others enqueued
// meanwhile), then calls the outbox's flush() (the end of one command's pushes). The hand-off
// holds only what commands in flight left. Thread-safe.

// What shutdown ends: every open stream, whatever it carries.
class Endable {
 public:
  virtual ~Endable() = default;
  virtual void end(Status status) = 0;  // after what is queued is written
};

template <class Message>
class OrderedStream final : public Endable {
 public:
  using Outbox = adapters::grpc::StreamOutbox<Message>;
  explicit OrderedStream(size_t limit) : outbox_(std::make_shared<Outbox>(limit)) {}

  const std::shared_ptr<Outbox>& outbox() const { return outbox_; }

  // Appends `m` unless the stream is ending.
  void enqueue(Message m) {
    std::lock_guard lock(mu_);
    if (!ending_) pending_.push_back(std::move(m));
  }

  // Pushes what is enqueued, then a drained finish() asked for, in order.
  void flush() {
    std::unique_lock lock(mu_);
    if (flushing_) return;
    flushing_ = true;
    while (!pending_.empty() || end_) {
      std::deque<Message> batch;
      batch.swap(pending_);
      std::optional<Status> end = batch.empty() ? std::exchange(end_, std::nullopt) : std::nullopt;
      lock.unlock();
      for (auto& m : batch) outbox_->push(std::move(m));
      outbox_->flush();
      if (end) outbox_->finish(std::move(*end), /*drain=*/true);
      lock.lock();
    }
    flushing_ = false;
  }

  // Ends the stream with `status`: after what is enqueued is written (`drain`), or at once.
  void finish(Status status, bool drain) {
    {
      std::lock_guard lock(mu_);
      ending_ = true;
      if (drain) end_ = std::move(status);
    }
    if (drain) {
      flush();
    } else {
      outbox_->finish(std::move(status), /*drain=*/false);
    }
  }

  void end(Status status) override { finish(std::move(status), /*drain=*/true); }

 private:
  const std::shared_ptr<Outbox> outbox_;
  std::mutex mu_;
  std::deque<Message> pending_;  // enqueued, not yet pushed
  std::optional<Status> end_;    // a drained finish, pushed after pending_
  bool ending_ = false;
  bool flushing_ = false;  // a thread is pushing; others leave their events to it
};

// Where an agent's work events go: its StreamWork, its AgentSession, or the AgentLink serving
// it. enqueue() under the dispatcher's lock; flush() and taken_over() after it is released.
class AgentSink {
 public:
  virtual ~AgentSink() = default;
  virtual void enqueue(v1::WorkEvent event) = 0;
  virtual void flush() = 0;
  // Another stream took the agent over: a StreamWork or AgentSession ends ABORTED; an AgentLink
  // stays up and no longer carries the agent.
  virtual void taken_over() = 0;
};

using WorkStream = OrderedStream<v1::WorkEvent>;
using WorkWriter = adapters::grpc::StreamWriter<v1::WorkEvent>;
using SessionStream = OrderedStream<v1::AgentSessionResponse>;
using GatewayOut = OrderedStream<v1::GatewayResponse>;

// A StreamWork: the events as they are.
class WorkSink final : public AgentSink {
 public:
  explicit WorkSink(std::shared_ptr<WorkStream> out) : out_(std::move(out)) {}
  const std::shared_ptr<WorkStream>& out() const { return out_; }
  void enqueue(v1::WorkEvent event) override { out_->enqueue(std::move(event)); }
  void flush() override { out_->flush(); }
  void taken_over() override {
    out_->finish({StatusCode::ABORTED, "replaced by a newer stream for this agent"},
                 /*drain=*/false);
  }

 private:
  std::shared_ptr<WorkStream> out_;
};

// An agent on an AgentSession or AgentLink: each event wrapped with the agent's name.
class SessionSink final : public AgentSink {
 public:
  SessionSink(std::shared_ptr<SessionStream> out, std::string agent, bool link)
      : out_(std::move(out)), agent_(std::move(agent)), link_(link) {}
  void enqueue(v1::WorkEvent event) override {
    v1::AgentSessionResponse r;
    r.set_agent(agent_);
    *r.mutable_work() = std::move(event);
    out_->enqueue(std::move(r));
  }
  void flush() override { out_->flush(); }
  void taken_over() override {
    if (!link_) {
      out_->finish({StatusCode::ABORTED, "replaced by a newer stream for this agent"},
                   /*drain=*/false);
    }
  }

 private:
  std::shared_ptr<SessionStream> out_;
  const std::string agent_;
  const bool link_;
};

// ---------------------------------------------------------------------------------------------
// The dispatcher.

struct Agent;

struct Interaction {
  v1::Interaction proto;  // the static parts: id, channel, queue, customer, arrival, details
  v1::InteractionState state = v1::QUEUED;
  int priority = 0;
  int position = 0;                    // 1-based position when it was queued
  uint64_t seq = 0;                    // arrival order: the FIFO's order
  Agent* agent = nullptr;              // offered to / held by
  std::string handled_by;              // who accepted it last (reported on completion)
  std::vector<const Agent*> excluded;  // rejected it: not offered to them again
  std::list<Interaction*>::iterator in_fifo;
  bool waiting = false;  // in_fifo is valid
  int64_t offer_expires_ms = 0;
  std::array<double, engine::kTermCount> offer_terms{};  // in engine::Term order
};

struct Agent {
  std::string name;
  bool logged_in = false;
  bool not_ready = true;
  std::string reason;  // NOT_READY reason
  v1::AgentState state = v1::LOGGED_OUT;
  int64_t since_ms = 0;
  uint64_t handled = 0;
  Interaction* offer = nullptr;
  std::vector<Interaction*> held;     // assigned or in wrap-up
  std::shared_ptr<AgentSink> stream;  // its StreamWork, session or link; null: none
  bool in_free_list = false;          // an entry in free_agents_ (maybe stale)
};

// A stream event a command leaves to publish. Like routerd's engine events, they are rendered at
// the end of the command (an update or status shows things as the command left them).
struct Pending {
  enum class Kind { kOffer, kUpdate, kFinal, kStatus };
  Kind kind;
  Agent* agent;
  std::string interaction_id;  // kOffer, kUpdate
  v1::Interaction final;       // kFinal: the interaction as it ended
};

// The streams a command (or a heartbeat) queued events on: their writes start once the
// dispatcher's lock is released.
struct Batch {
  std::vector<std::shared_ptr<AgentSink>> touched;

  void touch(const std::shared_ptr<AgentSink>& s) {
    if (std::find(touched.begin(), touched.end(), s) == touched.end()) touched.push_back(s);
  }
  void flush() {
    for (auto& s : touched) s->flush();
    touched.clear();
  }
};

inline Status invalid(std::string message) {
  return {StatusCode::INVALID_ARGUMENT, std::move(message)};
}

uint64_t fnv1a(std::string_view s);
// A customer record like one matched in Redis, made up from the arrival's lookup key (stable per
// key). An arrival with no usable key is anonymous, as in routerd.
v1::Customer made_up_customer(const v1::SubmitInteractionRequest& r);
// Named like routerload's synthetic center ("q0001"), one queue per channel.
const char* queue_for(v1::Channel channel);

// The shared state of both services and the heartbeat. Every public member locks mu_; what it
// leaves to write is in the Batch, which the caller flushes after the call returns.
class EchoCore {
 public:
  explicit EchoCore(const EchoOptions& options) : options_(options) {}

  // ---- InteractionService.

  Status submit(const v1::SubmitInteractionRequest& r, v1::SubmitInteractionResponse* out,
                Batch& b);

  Status cancel(const v1::CancelInteractionRequest& r, v1::CancelInteractionResponse* out,
                Batch& b);

  Status get(const v1::GetInteractionRequest& r, v1::Interaction* out);

  // ---- AgentService.

  Status login(const v1::LoginRequest& r, v1::AgentStatus* out, Batch& b);

  Status logout(const v1::LogoutRequest& r, v1::AgentStatus* out, Batch& b);

  Status set_state(const v1::SetStateRequest& r, v1::AgentStatus* out, Batch& b);

  // A new StreamWork for `name`: the status, one update per interaction offered or held, then
  // work if the agent is free. A stream it replaces is returned in `replaced` (to be ended).
  Status open_stream(const std::string& name, const std::shared_ptr<AgentSink>& stream,
                     std::shared_ptr<AgentSink>& replaced, Batch& b);

  // The stream of `name` ended: unless it was replaced, the agent is logged out at once (routerd
  // waits daemon.agent_grace_s for a new stream first) and its offer goes back to the FIFO.
  void stream_ended(const std::string& name, const std::shared_ptr<AgentSink>& stream, Batch& b);

  Status accept(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b);

  Status reject(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b);

  Status complete(const v1::CompleteRequest& r, v1::AgentStatus* out, Batch& b);

  Status end_wrap_up(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b);

  // ---- The heartbeat and shutdown.

  void heartbeat(Batch& b);

  // Every stream registers here, so that shutdown can end it; false when draining (the stream
  // is then to be refused UNAVAILABLE).
  bool register_stream(std::weak_ptr<Endable> stream);

  // New submits and streams are refused from now on; returns the open streams (to be ended).
  std::vector<std::shared_ptr<Endable>> drain();

  EchoCounters counters() const;

  size_t stream_buffer() const { return options_.stream_buffer; }
  const EchoOptions& options() const { return options_; }

 private:
  // Runs `fn` under the lock with the command's clock, then renders what it left to publish.
  template <class Fn>
  Status command(Batch& b, Fn&& fn) {
    std::lock_guard lock(mu_);
    now_ = now_ms();
    Status s = fn();
    publish(b);
    return s;
  }

  template <class Fn>
  Status agent_command(const std::string& agent, const std::string& interaction_id,
                       v1::AgentStatus* out, Batch& b, Fn&& fn) {
    return command(b, [&]() -> Status {
      Agent* a = nullptr;
      Interaction* it = nullptr;
      if (Status s = find_agent(agent, a); !s.ok()) return s;
      if (Status s = find_interaction(interaction_id, it); !s.ok()) return s;
      if (Status s = fn(*a, *it); !s.ok()) return s;
      status_of(*a, out);
      return Status::OK;
    });
  }

  // ---- Lookups.

  Status find_agent(const std::string& name, Agent*& out) const;

  Status find_or_add_agent(const std::string& name, Agent*& out);

  Status find_interaction(const std::string& id, Interaction*& out) const;

  static Status offered_to(const Interaction& it, const Agent& a);

  static Status held_by(const Interaction& it, const Agent& a, v1::InteractionState want);

  static const std::string& id_of(const Interaction& it) { return it.proto.interaction_id(); }

  // ---- Views, as routerd builds them (RoutingHost::interaction_proto and agent_status).

  v1::Interaction view(const Interaction& it) const;

  void status_of(const Agent& a, v1::AgentStatus* out) const;

  // ---- Agents.

  static v1::AgentState derive_state(const Agent& a);

  bool is_free(const Agent& a) const;

  // After any change to `a`: a status event when its state changed (as the engine's
  // refresh_agent), and back on the free list when it is free.
  void refresh(Agent& a);

  // A free agent takes the oldest waiting interaction it has not rejected.
  void fill(Agent& a);

  // A waiting interaction goes to the free agent free the longest that has not rejected it.
  void route(Interaction& it);

  void offer(Interaction& it, Agent& a);

  // ---- Interactions.

  void enqueue(Interaction& it);

  void dequeue(Interaction& it);

  // REQUIRES: `it` is offered to or held by `a`. The caller refreshes `a` and routes `it`.
  void requeue_from(Interaction& it, Agent& a, bool exclude);

  // WRAP_UP → COMPLETED. The caller refreshes and fills `a`.
  void finish(Interaction& it, Agent& a);

  // Forgets a finished interaction (remembering its last view for replays); returns that view.
  v1::Interaction retire(Interaction& it, v1::InteractionState final_state);

  Status log_out(Agent& a, bool forced);

  // ---- Publishing.

  void send(Agent& a, v1::WorkEvent event, Batch& b);

  // Renders the command's events as they stand after it, in the order they happened.
  void publish(Batch& b);

  const EchoOptions options_;
  mutable std::mutex mu_;
  int64_t now_ = 0;  // the current command's clock
  bool draining_ = false;
  std::unordered_map<std::string, std::unique_ptr<Agent>> agents_;
  std::unordered_map<std::string, std::unique_ptr<Interaction>> live_;
  std::list<Interaction*> fifo_;    // waiting, oldest first
  std::deque<Agent*> free_agents_;  // free the longest first; entries may be stale
  std::unordered_map<std::string, v1::Interaction> finished_;
  std::deque<std::string> finished_order_;
  uint64_t next_seq_ = 1;
  std::vector<Pending> pending_;  // the current command's events
  EchoCounters counters_;
  std::vector<std::weak_ptr<Endable>> streams_;  // every stream opened (expired ones pruned)
};

}  // namespace router::load::echo
