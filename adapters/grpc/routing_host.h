// The engine's host in routerd: owns the Router and runs it on one thread (an Asio io_context),
// with the timers the engine asks for, the client-id ↔ engine-id map (idempotent submit), the
// customer lookup before submit, email threading, entry-point routing and the subscribers of
// the server streams. gRPC handlers post closures here and never block; results go back through
// the reactor (Finish) or a stream outbox.
//
// Threading: post() from any thread. Every other member function REQUIRES the engine thread
// (call it inside a posted closure); they are not thread-safe.
#pragma once

#include <asio.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/channels/email_threads.h"
#include "adapters/channels/entry_points.h"
#include "adapters/channels/normalize.h"
#include "adapters/config/routing_config.h"
#include "adapters/grpc/auth.h"
#include "adapters/grpc/stream_outbox.h"
#include "adapters/grpc/translate.h"
#include "adapters/ports/customer_lookup.h"
#include "adapters/ports/interaction_journal.h"
#include "engine/router.h"
#include "router/v1/router.pb.h"

namespace router::adapters::grpc {

using InteractionOutbox = StreamOutbox<v1::InteractionEvent>;
using WorkOutbox = StreamOutbox<v1::WorkEvent>;
using QueueOutbox = StreamOutbox<v1::GetQueueStatsResponse>;

class RoutingHost {
 public:
  // Builds the engine from `model` (agents logged out). Entry-point errors name the field.
  // `journal` (not owned; null: none) must outlive the host. With a journal, a submit answers
  // OK only once its entry is journaled, and every state change is written to it.
  static engine::Result<std::unique_ptr<RoutingHost>> create(
      config::RoutingModel model, std::unique_ptr<ports::CustomerLookup> customers,
      ports::InteractionJournal* journal = nullptr);
  ~RoutingHost();  // stop()
  RoutingHost(const RoutingHost&) = delete;
  RoutingHost& operator=(const RoutingHost&) = delete;

  void start();  // starts the engine thread
  void stop();   // cancels timers, joins the thread; idempotent; REQUIRES: not the engine thread
  void post(std::function<void()> fn);

  // ---- Everything below runs on the engine thread.

  // InteractionService. `done` runs on the engine thread, exactly once (the customer lookup may
  // make it later than the call).
  void submit(const Caller& caller, const v1::SubmitInteractionRequest& request,
              v1::SubmitInteractionResponse* response, std::function<void(::grpc::Status)> done);
  ::grpc::Status cancel(const v1::CancelInteractionRequest& request, v1::Interaction* out);
  ::grpc::Status get(const std::string& interaction_id, v1::Interaction* out) const;
  void watch_interactions(const Caller& caller, const v1::WatchInteractionsRequest& request,
                          std::shared_ptr<InteractionOutbox> outbox);

  // AgentService.
  ::grpc::Status login(const v1::LoginRequest& request, v1::AgentStatus* out);
  ::grpc::Status logout(const std::string& agent, bool forced, v1::AgentStatus* out);
  ::grpc::Status set_state(const v1::SetStateRequest& request, v1::AgentStatus* out);
  ::grpc::Status stream_work(const std::string& agent, std::shared_ptr<WorkOutbox> outbox);
  void stream_work_ended(const std::string& agent, const std::shared_ptr<WorkOutbox>& outbox);
  ::grpc::Status accept(const v1::OfferRequest& request, v1::AgentStatus* out);
  ::grpc::Status reject(const v1::OfferRequest& request, v1::AgentStatus* out);
  ::grpc::Status complete(const v1::CompleteRequest& request, v1::AgentStatus* out);
  ::grpc::Status end_wrap_up(const v1::OfferRequest& request, v1::AgentStatus* out);
  ::grpc::Status transfer(const v1::TransferRequest& request, v1::AgentStatus* out);
  // The agent an interaction is offered to or held by ("" if none): for the agent-token check.
  std::string holder(const std::string& interaction_id) const;

  // SupervisorService.
  ::grpc::Status queue_stats(const v1::GetQueueStatsRequest& request,
                             v1::GetQueueStatsResponse* out) const;
  ::grpc::Status list_agents(const v1::ListAgentsRequest& request,
                             v1::ListAgentsResponse* out) const;
  ::grpc::Status list_interactions(const v1::ListInteractionsRequest& request,
                                   v1::ListInteractionsResponse* out) const;
  ::grpc::Status watch_queues(const v1::WatchQueuesRequest& request,
                              std::shared_ptr<QueueOutbox> outbox);
  ::grpc::Status explain(const v1::ExplainRoutingRequest& request,
                         v1::ExplainRoutingResponse* out) const;
  ::grpc::Status update_skills(const v1::UpdateAgentSkillsRequest& request, v1::AgentStatus* out);
  ::grpc::Status set_priority(const v1::SetInteractionPriorityRequest& request,
                              v1::Interaction* out);
  ::grpc::Status move(const v1::MoveInteractionRequest& request, v1::Interaction* out);

  // Configuration reload: validates `model` completely, then applies it; queued work stays.
  struct ReloadReport {
    std::vector<std::string> changes;
    std::vector<std::string> warnings;
  };
  engine::Result<ReloadReport> reload(config::RoutingModel model);

  // Shutdown: new submits are refused (UNAVAILABLE) and every server stream ends with OK.
  void drain();

  // Start-up, before serving: the journal's live entries (in submit order) back into the
  // engine. Waiting ones keep their original arrival time; offered ones wait again (their
  // agent must log in again); accepted ones (ASSIGNED, WRAP_UP) are not offered a second time:
  // they are closed as COMPLETED, since the conversation is already with that agent.
  struct RecoveryReport {
    size_t recovered = 0;           // back in a queue
    size_t offers_withdrawn = 0;    // of those, were OFFERED
    size_t closed_in_progress = 0;  // were ASSIGNED or WRAP_UP
    size_t dropped = 0;             // could not be restored (queue gone, engine refused): logged
  };
  RecoveryReport recover(const std::vector<v1::JournalEntry>& entries);

  size_t live_count() const { return router_->live_count(); }
  size_t queue_count() const { return router_->queue_count(); }
  size_t agent_count() const { return router_->agent_count(); }
  const config::RoutingModel& model() const { return model_; }

 private:
  RoutingHost(config::RoutingModel model, std::unique_ptr<engine::Router> router,
              channels::PhoneNormalizer phones, channels::EntryPointTable entry_points,
              std::unique_ptr<ports::CustomerLookup> customers, ports::InteractionJournal* journal);

  // What the host keeps about a live interaction beyond the engine's state.
  struct Tracked {
    engine::InteractionId id;
    std::string submitter;   // caller name: WatchInteractions scope
    v1::Interaction proto;   // the static parts (id, channel, details, customer, arrival, ...)
    int position = 0;        // last known 1-based position while queued
    std::string message_id;  // email: for thread affinity
    std::string handled_by;  // the agent who accepted it last (reported on completion)
    // For the journal: what recovery needs beyond the engine's state.
    int64_t arrived_unix_ns = 0;
    std::vector<engine::SkillRequirement> extra_skills;
    std::string thread_agent;
    uint64_t journaled = 0;  // recovery_key() of the entry last written; 0: none yet
  };
  struct PendingSubmit {  // waiting for the customer lookup; repeats of the id join it
    std::vector<std::pair<v1::SubmitInteractionResponse*, std::function<void(::grpc::Status)>>>
        waiters;
  };
  struct AgentStream {
    std::shared_ptr<WorkOutbox> outbox;
    std::unique_ptr<asio::steady_timer> grace;  // armed while the agent has no stream
  };
  struct InteractionWatcher {
    std::shared_ptr<InteractionOutbox> outbox;
    std::unordered_set<std::string> ids;  // empty: all of the caller's
  };
  struct QueueWatcher {
    std::shared_ptr<QueueOutbox> outbox;
    v1::GetQueueStatsRequest request;
    std::unique_ptr<asio::steady_timer> timer;
    engine::Duration interval;
  };

  void finish_submit(const Caller& caller, v1::SubmitInteractionRequest request,
                     ports::LookupResult lookup, std::optional<channels::ThreadInfo> thread,
                     engine::TimePoint received);
  void answer_pending(const std::string& id, const ::grpc::Status& status, bool replay = false);
  // The interaction is ready for the engine (journaled first when there is a journal).
  void admit(engine::InteractionSpec spec, Tracked t);
  void journaled(engine::InteractionSpec spec, Tracked t, absl::StatusOr<ports::AppendResult> r);
  // A journal entry back into the engine (recovery, or a live entry found by a repeat).
  engine::Status restore(const v1::JournalEntry& entry);
  v1::JournalEntry journal_entry(const Tracked& t,
                                 std::optional<v1::InteractionState> final_state) const;
  void flush_journal();
  ::grpc::Status normalize(v1::SubmitInteractionRequest& request) const;

  // After every command: publish the engine's events, re-arm the deadline timer.
  void settle();
  void publish(const engine::Event& event);
  void notify_interaction(engine::InteractionId id, const char* change, std::string reason,
                          std::optional<v1::InteractionState> final_state = std::nullopt);
  void send_work(engine::AgentId agent, v1::WorkEvent event);
  void send_agent_update(engine::AgentId agent, engine::InteractionId id,
                         std::optional<v1::InteractionState> final_state = std::nullopt);
  void retire(engine::InteractionId id, v1::InteractionState final_state);
  void arm_deadline();
  void arm_heartbeat();
  void arm_queue_watcher(QueueWatcher* watcher);

  // An agent's command on one interaction: resolves both names, runs `command`, publishes what
  // happened and answers the agent's status.
  ::grpc::Status agent_command(
      const std::string& agent, const std::string& interaction_id, v1::AgentStatus* out,
      const std::function<engine::Status(engine::AgentId, engine::InteractionId)>& command);
  ::grpc::Status find_agent(const std::string& name, engine::AgentId& out) const;
  ::grpc::Status find_interaction(const std::string& client_id, engine::InteractionId& out) const;
  ::grpc::Status find_queue(const std::string& name, const char* field, engine::QueueId& out) const;
  ::grpc::Status agent_status(engine::AgentId agent, v1::AgentStatus* out) const;
  v1::Interaction interaction_proto(const Tracked& t,
                                    std::optional<v1::InteractionState> final_state) const;
  // The engine's current state of `t` into `p`; `estimate`: also its EWT (a cost the journal
  // does not need).
  void fill_state(const Tracked& t, const engine::InteractionSnapshot& s, bool estimate,
                  v1::Interaction& p) const;
  std::string agent_name(engine::AgentId agent) const;

  config::RoutingModel model_;
  std::unique_ptr<engine::Router> router_;
  channels::PhoneNormalizer phones_;
  channels::EntryPointTable entry_points_;
  std::unique_ptr<ports::CustomerLookup> customers_;
  ports::InteractionJournal* journal_ = nullptr;
  uint64_t degraded_lookups_ = 0;               // since start
  uint64_t degraded_run_ = 0;                   // in the current run of degraded lookups (0: none)
  std::unordered_set<uint64_t> journal_dirty_;  // changed since the last settle()
  channels::EmailThreadIndex threads_;
  WallClock clock_;

  std::unordered_map<uint64_t, Tracked> tracked_;
  std::unordered_map<std::string, engine::InteractionId> by_client_id_;
  std::unordered_map<std::string, PendingSubmit> pending_;
  // Finished interactions, for idempotent replay and GetInteraction; oldest forgotten first.
  std::unordered_map<std::string, v1::Interaction> finished_;
  std::deque<std::string> finished_order_;
  uint64_t next_id_ = 1;

  std::unordered_map<uint32_t, AgentStream> agent_streams_;
  std::unordered_map<std::string, std::vector<InteractionWatcher>> interaction_watchers_;
  std::vector<std::unique_ptr<QueueWatcher>> queue_watchers_;
  std::vector<engine::Event> events_;
  bool draining_ = false;

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer deadline_timer_;
  std::optional<engine::TimePoint> armed_deadline_;
  asio::steady_timer heartbeat_timer_;
  std::thread thread_;
};

}  // namespace router::adapters::grpc
