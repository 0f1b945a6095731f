// routerecho's services: router.v1 answered by a trivial FIFO dispatcher in memory, with the
// messages and stream events routerd sends. See echo_service.h.
#include "tools/routerload/echo_service.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/transport.h"
#include "engine/model.h"
#include "router/v1/router.grpc.pb.h"

namespace router::load {

namespace {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;
using ::grpc::Status;
using ::grpc::StatusCode;

// As routerd stamps them: wall clock, millisecond resolution.
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void stamp(int64_t ms, google::protobuf::Timestamp* out) {
  out->set_seconds(ms / 1000);
  out->set_nanos(static_cast<int32_t>((ms % 1000) * 1'000'000));
}

// routerd's offer expiry for a typical queue; stamped, never enforced.
constexpr int64_t kOfferTimeoutMs = 30'000;

// ---------------------------------------------------------------------------------------------
// One agent's StreamWork: routerd's StreamOutbox (one write in flight, a bounded queue behind it,
// the stream cut with RESOURCE_EXHAUSTED past its limit) behind an ordered hand-off. routerd
// pushes from its one engine thread; here commands run on gRPC threads under the dispatcher's
// lock, which is never held across a gRPC call: enqueue() under that lock fixes the order, and
// flush() after it pushes to the outbox in that order (the thread flushing pushes what others
// enqueued meanwhile). The hand-off holds only what commands in flight left. Thread-safe.
using WorkOutbox = adapters::grpc::StreamOutbox<v1::WorkEvent>;
using WorkWriter = adapters::grpc::StreamWriter<v1::WorkEvent>;

class WorkStream {
 public:
  explicit WorkStream(size_t limit) : outbox_(std::make_shared<WorkOutbox>(limit)) {}

  const std::shared_ptr<WorkOutbox>& outbox() const { return outbox_; }

  // Appends `event` unless the stream is ending.
  void enqueue(v1::WorkEvent event) {
    std::lock_guard lock(mu_);
    if (!ending_) pending_.push_back(std::move(event));
  }

  // Pushes what is enqueued, then a drained finish() asked for, in order.
  void flush() {
    std::unique_lock lock(mu_);
    if (flushing_) return;
    flushing_ = true;
    while (!pending_.empty() || end_) {
      std::deque<v1::WorkEvent> batch;
      batch.swap(pending_);
      std::optional<Status> end = batch.empty() ? std::exchange(end_, std::nullopt) : std::nullopt;
      lock.unlock();
      for (auto& event : batch) outbox_->push(std::move(event));
      outbox_->flush();  // corked, as routerd's: the batch's writes start together
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

 private:
  const std::shared_ptr<WorkOutbox> outbox_;
  std::mutex mu_;
  std::deque<v1::WorkEvent> pending_;  // enqueued, not yet pushed
  std::optional<Status> end_;          // a drained finish, pushed after pending_
  bool ending_ = false;
  bool flushing_ = false;  // a thread is pushing; others leave their events to it
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
  std::vector<Interaction*> held;  // assigned or in wrap-up
  std::shared_ptr<WorkStream> stream;
  bool in_free_list = false;  // an entry in free_agents_ (maybe stale)
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
  std::vector<std::shared_ptr<WorkStream>> touched;

  void touch(const std::shared_ptr<WorkStream>& s) {
    if (std::find(touched.begin(), touched.end(), s) == touched.end()) touched.push_back(s);
  }
  void flush() {
    for (auto& s : touched) s->flush();
    touched.clear();
  }
};

Status invalid(std::string message) { return {StatusCode::INVALID_ARGUMENT, std::move(message)}; }

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

}  // namespace

// The shared state of both services and the heartbeat. Every public member locks mu_; what it
// leaves to write is in the Batch, which the caller flushes after the call returns.
class EchoCore {
 public:
  explicit EchoCore(const EchoOptions& options) : options_(options) {}

  // ---- InteractionService.

  Status submit(const v1::SubmitInteractionRequest& r, v1::SubmitInteractionResponse* out,
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

  Status cancel(const v1::CancelInteractionRequest& r, v1::CancelInteractionResponse* out,
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

  Status get(const v1::GetInteractionRequest& r, v1::Interaction* out) {
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

  // ---- AgentService.

  Status login(const v1::LoginRequest& r, v1::AgentStatus* out, Batch& b) {
    return command(b, [&]() -> Status {
      Agent* a = nullptr;
      if (Status s = find_or_add_agent(r.agent(), a); !s.ok()) return s;
      if (a->logged_in) return {StatusCode::FAILED_PRECONDITION, "agent: already logged in"};
      a->logged_in = true;
      a->not_ready = !r.ready();
      a->reason = r.ready() ? "" : "login";
      refresh(*a);
      fill(*a);
      status_of(*a, out);
      return Status::OK;
    });
  }

  Status logout(const v1::LogoutRequest& r, v1::AgentStatus* out, Batch& b) {
    return command(b, [&]() -> Status {
      Agent* a = nullptr;
      if (Status s = find_agent(r.agent(), a); !s.ok()) return s;
      if (Status s = log_out(*a, /*forced=*/false); !s.ok()) return s;
      status_of(*a, out);
      return Status::OK;
    });
  }

  Status set_state(const v1::SetStateRequest& r, v1::AgentStatus* out, Batch& b) {
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

  // A new StreamWork for `name`: the status, one update per interaction offered or held, then
  // work if the agent is free. A stream it replaces is returned in `replaced` (to be ended).
  Status open_stream(const std::string& name, const std::shared_ptr<WorkStream>& stream,
                     std::shared_ptr<WorkStream>& replaced, Batch& b) {
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
      if (a->offer != nullptr)
        pending_.push_back({Pending::Kind::kUpdate, a, id_of(*a->offer), {}});
      for (Interaction* it : a->held) {
        pending_.push_back({Pending::Kind::kUpdate, a, id_of(*it), {}});
      }
      refresh(*a);
      fill(*a);
      return Status::OK;
    });
  }

  // The stream of `name` ended: unless it was replaced, the agent is logged out at once (routerd
  // waits daemon.agent_grace_s for a new stream first) and its offer goes back to the FIFO.
  void stream_ended(const std::string& name, const std::shared_ptr<WorkStream>& stream, Batch& b) {
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

  Status accept(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
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

  Status reject(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
    return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
      if (Status s = offered_to(it, a); !s.ok()) return s;
      requeue_from(it, a, /*exclude=*/true);
      refresh(a);
      fill(a);
      route(it);
      return Status::OK;
    });
  }

  Status complete(const v1::CompleteRequest& r, v1::AgentStatus* out, Batch& b) {
    return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
      if (Status s = held_by(it, a, v1::ASSIGNED); !s.ok()) return s;
      it.state = v1::WRAP_UP;
      pending_.push_back({Pending::Kind::kUpdate, &a, id_of(it), {}});
      refresh(a);
      return Status::OK;
    });
  }

  Status end_wrap_up(const v1::OfferRequest& r, v1::AgentStatus* out, Batch& b) {
    return agent_command(r.agent(), r.interaction_id(), out, b, [&](Agent& a, Interaction& it) {
      if (Status s = held_by(it, a, v1::WRAP_UP); !s.ok()) return s;
      finish(it, a);
      refresh(a);
      fill(a);
      return Status::OK;
    });
  }

  // ---- The heartbeat and shutdown.

  void heartbeat(Batch& b) {
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

  // New submits and streams are refused from now on; returns the open streams (to be ended).
  std::vector<std::shared_ptr<WorkStream>> drain() {
    std::lock_guard lock(mu_);
    draining_ = true;
    std::vector<std::shared_ptr<WorkStream>> streams;
    for (auto& [name, a] : agents_) {
      if (a->stream) streams.push_back(a->stream);
    }
    return streams;
  }

  EchoCounters counters() const {
    std::lock_guard lock(mu_);
    EchoCounters c = counters_;
    c.live = live_.size();
    c.waiting = fifo_.size();
    return c;
  }

  size_t stream_buffer() const { return options_.stream_buffer; }

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

  Status find_agent(const std::string& name, Agent*& out) const {
    auto it = agents_.find(name);
    if (it == agents_.end()) return {StatusCode::NOT_FOUND, "agent: unknown agent '" + name + "'"};
    out = it->second.get();
    return Status::OK;
  }

  Status find_or_add_agent(const std::string& name, Agent*& out) {
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

  Status find_interaction(const std::string& id, Interaction*& out) const {
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

  static Status offered_to(const Interaction& it, const Agent& a) {
    if (it.state != v1::OFFERED || it.agent != &a) {
      return {StatusCode::FAILED_PRECONDITION, "interaction_id: not offered to this agent (it is " +
                                                   v1::InteractionState_Name(it.state) +
                                                   "; the offer may have timed out)"};
    }
    return Status::OK;
  }

  static Status held_by(const Interaction& it, const Agent& a, v1::InteractionState want) {
    if (it.state != want || it.agent != &a) {
      return {StatusCode::FAILED_PRECONDITION,
              "interaction_id: is " + v1::InteractionState_Name(it.state) +
                  (it.agent == &a ? "" : " and not held by this agent") + ", expected " +
                  v1::InteractionState_Name(want)};
    }
    return Status::OK;
  }

  static const std::string& id_of(const Interaction& it) { return it.proto.interaction_id(); }

  // ---- Views, as routerd builds them (RoutingHost::interaction_proto and agent_status).

  v1::Interaction view(const Interaction& it) const {
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

  void status_of(const Agent& a, v1::AgentStatus* out) const {
    out->set_agent(a.name);
    out->set_state(a.state);
    out->set_reason(a.reason);
    stamp(a.since_ms, out->mutable_since());
    out->set_handled(a.handled);
    if (a.offer != nullptr) out->add_work(id_of(*a.offer));
    for (const Interaction* it : a.held) out->add_work(id_of(*it));
  }

  // ---- Agents.

  static v1::AgentState derive_state(const Agent& a) {
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

  bool is_free(const Agent& a) const {
    return a.stream != nullptr && a.logged_in && !a.not_ready && a.offer == nullptr &&
           a.held.size() < options_.agent_capacity && !draining_;
  }

  // After any change to `a`: a status event when its state changed (as the engine's
  // refresh_agent), and back on the free list when it is free.
  void refresh(Agent& a) {
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

  // A free agent takes the oldest waiting interaction it has not rejected.
  void fill(Agent& a) {
    if (!is_free(a)) return;
    for (Interaction* it : fifo_) {
      if (std::find(it->excluded.begin(), it->excluded.end(), &a) != it->excluded.end()) continue;
      offer(*it, a);
      return;
    }
  }

  // A waiting interaction goes to the free agent free the longest that has not rejected it.
  void route(Interaction& it) {
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

  void offer(Interaction& it, Agent& a) {
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

  // ---- Interactions.

  void enqueue(Interaction& it) {
    // By arrival: a requeued one goes back in front of those that came after it.
    auto at = fifo_.end();
    while (at != fifo_.begin() && (*std::prev(at))->seq > it.seq) --at;
    it.in_fifo = fifo_.insert(at, &it);
    it.waiting = true;
  }

  void dequeue(Interaction& it) {
    if (!it.waiting) return;
    fifo_.erase(it.in_fifo);
    it.waiting = false;
  }

  // REQUIRES: `it` is offered to or held by `a`. The caller refreshes `a` and routes `it`.
  void requeue_from(Interaction& it, Agent& a, bool exclude) {
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

  // WRAP_UP → COMPLETED. The caller refreshes and fills `a`.
  void finish(Interaction& it, Agent& a) {
    a.held.erase(std::find(a.held.begin(), a.held.end(), &it));
    ++a.handled;
    ++counters_.completed;
    pending_.push_back({Pending::Kind::kFinal, &a, {}, retire(it, v1::COMPLETED)});
  }

  // Forgets a finished interaction (remembering its last view for replays); returns that view.
  v1::Interaction retire(Interaction& it, v1::InteractionState final_state) {
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

  Status log_out(Agent& a, bool forced) {
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

  // ---- Publishing.

  void send(Agent& a, v1::WorkEvent event, Batch& b) {
    if (!a.stream) return;
    a.stream->enqueue(std::move(event));
    b.touch(a.stream);
  }

  // Renders the command's events as they stand after it, in the order they happened.
  void publish(Batch& b) {
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
};

namespace {

// The shape of every unary call: the command under the lock, its writes, then the answer.
template <class Fn>
ServerUnaryReactor* answer(CallbackServerContext* context, Fn&& fn) {
  auto* reactor = context->DefaultReactor();
  Batch b;
  Status s = fn(b);
  b.flush();
  reactor->Finish(s);
  return reactor;
}

class InteractionServiceImpl final : public v1::InteractionService::CallbackService {
 public:
  explicit InteractionServiceImpl(std::shared_ptr<EchoCore> core) : core_(std::move(core)) {}

  ServerUnaryReactor* SubmitInteraction(CallbackServerContext* context,
                                        const v1::SubmitInteractionRequest* request,
                                        v1::SubmitInteractionResponse* response) override {
    return answer(context, [&](Batch& b) { return core_->submit(*request, response, b); });
  }

  ServerUnaryReactor* CancelInteraction(CallbackServerContext* context,
                                        const v1::CancelInteractionRequest* request,
                                        v1::CancelInteractionResponse* response) override {
    return answer(context, [&](Batch& b) { return core_->cancel(*request, response, b); });
  }

  ServerUnaryReactor* GetInteraction(CallbackServerContext* context,
                                     const v1::GetInteractionRequest* request,
                                     v1::Interaction* response) override {
    return answer(context, [&](Batch&) { return core_->get(*request, response); });
  }

 private:
  std::shared_ptr<EchoCore> core_;
};

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  explicit AgentServiceImpl(std::shared_ptr<EchoCore> core) : core_(std::move(core)) {}

  ServerUnaryReactor* Login(CallbackServerContext* context, const v1::LoginRequest* request,
                            v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->login(*request, response, b); });
  }

  ServerUnaryReactor* Logout(CallbackServerContext* context, const v1::LogoutRequest* request,
                             v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->logout(*request, response, b); });
  }

  ServerUnaryReactor* SetState(CallbackServerContext* context, const v1::SetStateRequest* request,
                               v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->set_state(*request, response, b); });
  }

  ::grpc::ServerWriteReactor<v1::WorkEvent>* StreamWork(
      CallbackServerContext*, const v1::StreamWorkRequest* request) override {
    auto stream = std::make_shared<WorkStream>(core_->stream_buffer());
    const std::string agent = request->agent();
    std::shared_ptr<EchoCore> core = core_;
    auto* writer = new WorkWriter(stream->outbox(), [core, agent, stream] {
      Batch b;
      core->stream_ended(agent, stream, b);
      b.flush();
    });
    Batch b;
    std::shared_ptr<WorkStream> replaced;
    const Status s = core_->open_stream(agent, stream, replaced, b);
    if (replaced) {
      replaced->finish({StatusCode::ABORTED, "replaced by a newer StreamWork for this agent"},
                       /*drain=*/false);
    }
    if (!s.ok()) {
      stream->finish(s, /*drain=*/false);
    } else {
      b.flush();
    }
    return writer;
  }

  ServerUnaryReactor* AcceptOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->accept(*request, response, b); });
  }

  ServerUnaryReactor* RejectOffer(CallbackServerContext* context, const v1::OfferRequest* request,
                                  v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->reject(*request, response, b); });
  }

  ServerUnaryReactor* CompleteInteraction(CallbackServerContext* context,
                                          const v1::CompleteRequest* request,
                                          v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->complete(*request, response, b); });
  }

  ServerUnaryReactor* EndWrapUp(CallbackServerContext* context, const v1::OfferRequest* request,
                                v1::AgentStatus* response) override {
    return answer(context, [&](Batch& b) { return core_->end_wrap_up(*request, response, b); });
  }

 private:
  std::shared_ptr<EchoCore> core_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The server.

struct EchoServer::State {
  std::shared_ptr<EchoCore> core;
  std::unique_ptr<InteractionServiceImpl> interactions;  // outlive the server
  std::unique_ptr<AgentServiceImpl> agents;
  std::unique_ptr<::grpc::Server> server;
  int port = 0;
  std::chrono::milliseconds heartbeat{0};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu: the heartbeat thread ends
  bool shut_down = false;
  std::thread heartbeat_thread;

  void run_heartbeat() {
    std::unique_lock lock(mu);
    while (!stopping) {
      if (cv.wait_for(lock, heartbeat, [this] { return stopping; })) break;
      lock.unlock();
      Batch b;
      core->heartbeat(b);
      b.flush();
      lock.lock();
    }
  }
};

EchoServer::EchoServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

std::unique_ptr<EchoServer> EchoServer::start(const EchoOptions& options) {
  if (options.agent_capacity < 1) throw std::runtime_error("agent_capacity: must be at least 1");
  if (options.heartbeat.count() <= 0) throw std::runtime_error("heartbeat: must be positive");
  if (options.stream_buffer < 1) throw std::runtime_error("stream_buffer: must be at least 1");
  if (options.max_message_bytes < 1024 || options.max_message_bytes > 64 * 1024 * 1024) {
    throw std::runtime_error("max_message_bytes: must be 1024..67108864");
  }
  auto st = std::make_unique<State>();
  st->core = std::make_shared<EchoCore>(options);
  st->interactions = std::make_unique<InteractionServiceImpl>(st->core);
  st->agents = std::make_unique<AgentServiceImpl>(st->core);
  st->heartbeat = options.heartbeat;

  // routerd's transport settings, so that the comparison is fair.
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  adapters::grpc::apply_transport_policy(builder, options.listen, options.max_message_bytes,
                                         &st->port);
  builder.RegisterService(st->interactions.get());
  builder.RegisterService(st->agents.get());
  st->server = builder.BuildAndStart();
  if (!st->server || st->port == 0) {
    if (st->server) st->server->Shutdown();
    throw std::runtime_error("listen: cannot listen on " + options.listen);
  }
  st->server->GetHealthCheckService()->SetServingStatus(true);
  State* raw = st.get();
  st->heartbeat_thread = std::thread([raw] { raw->run_heartbeat(); });
  return std::unique_ptr<EchoServer>(new EchoServer(std::move(st)));
}

EchoServer::~EchoServer() { shutdown(std::chrono::seconds(1)); }

int EchoServer::port() const { return state_->port; }

void EchoServer::shutdown(std::chrono::milliseconds deadline) {
  State& st = *state_;
  {
    std::lock_guard lock(st.mu);
    if (st.shut_down) return;
    st.shut_down = true;
    st.stopping = true;
  }
  st.cv.notify_all();
  st.heartbeat_thread.join();
  st.server->GetHealthCheckService()->SetServingStatus(false);
  // Streams end cleanly first (what is queued is still written); then gRPC waits for in-flight
  // calls up to the deadline and cancels the rest.
  for (auto& stream : st.core->drain()) {
    stream->finish(Status(StatusCode::OK, "routerecho shutting down"), /*drain=*/true);
  }
  st.server->Shutdown(std::chrono::system_clock::now() + deadline);
  st.server->Wait();
}

EchoCounters EchoServer::counters() const { return state_->core->counters(); }

}  // namespace router::load
