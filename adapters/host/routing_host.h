// The engine's host: owns the Router and everything routerd keeps around it — the client-id ↔
// engine-id map (idempotent submit), the customer lookup before a submit, email threading,
// entry-point routing, the journal writes and recovery, configuration reload and the stream
// subscribers. It knows no gRPC, no Redis and no thread: it runs on an injected executor, reads
// an injected clock, and talks to the customer store and the journal through their ports, so the
// host simulation (tests/simulation/) drives this very code in simulated time.
//
// Where each concern lives: submit.cc (submit, idempotency, cancel, get, watch), agents.cc (agent
// sessions, StreamWork, offers), supervisor.cc (stats, lists, explain, supervisor actions),
// journal.cc (journal entries, recovery), reload.cc (reload, drain), routing_host.cc
// (construction, events → subscribers, timers).
//
// Errors: every call answers an absl::Status whose code is the gRPC code the client sees and
// whose message names the field (adapters/grpc maps it 1:1). Engine errors become absl codes in
// one place (status.h).
// Threading: post() from any thread. Every other member function REQUIRES the executor's thread
// (call it inside a posted closure); none is thread-safe.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/channels/email_threads.h"
#include "adapters/channels/entry_points.h"
#include "adapters/channels/normalize.h"
#include "adapters/config/routing_config.h"
#include "adapters/host/interval_recorder.h"
#include "adapters/host/subscriber.h"
#include "adapters/ports/clock.h"
#include "adapters/ports/customer_lookup.h"
#include "adapters/ports/executor.h"
#include "adapters/ports/host_metrics.h"
#include "adapters/ports/interaction_journal.h"
#include "adapters/ports/interval_store.h"
#include "engine/router.h"
#include "router/v1/journal.pb.h"
#include "router/v1/router.pb.h"

namespace router::adapters::host {

using InteractionSubscriber = Subscriber<v1::InteractionEvent>;
using WorkSubscriber = Subscriber<v1::WorkEvent>;
using QueueSubscriber = Subscriber<v1::GetQueueStatsResponse>;

// Who asks on the InteractionService: the gateway whose interactions are its own (submits are
// filed under it), and the other gateways it may also get, cancel and watch (Token.gateway and
// Token.sees_gateways). Interaction ids are scoped by gateway: internally (maps, journal, logs)
// an interaction is "<gateway>/<client id>" (scoped_id(), translate.h); a gateway names its own
// by the bare client id and another's (when granted) by the scoped form.
struct GatewayScope {
  std::string gateway;
  std::vector<std::string> sees;  // granted other gateways
  bool sees_all = false;          // "*": every gateway
  bool may_see(std::string_view owner) const;
};

// What the host is wired to. The executor and the clock must outlive the host; so must the
// journal (null: none, state lives in memory only).
struct HostPorts {
  ports::Executor* executor = nullptr;
  ports::Clock* clock = nullptr;
  std::unique_ptr<ports::CustomerLookup> customers;
  ports::InteractionJournal* journal = nullptr;
  ports::HostMetrics* metrics = nullptr;    // null: none (must outlive the host)
  ports::IntervalStore* reports = nullptr;  // null: no interval reports (must outlive the host)
};

class RoutingHost {
 public:
  // Builds the engine from `model` (agents logged out). Errors name the field.
  // With a journal, a submit answers OK only once its entry is journaled, and every state change
  // is written to it.
  static absl::StatusOr<std::unique_ptr<RoutingHost>> create(config::RoutingModel model,
                                                             HostPorts ports);
  ~RoutingHost();
  RoutingHost(const RoutingHost&) = delete;
  RoutingHost& operator=(const RoutingHost&) = delete;

  void post(std::function<void()> fn) { executor_.post(std::move(fn)); }  // any thread

  // ---- Everything below runs on the executor.

  void start();  // call once, before serving (the heartbeat runs while a work stream is open)
  // Cancels every timer (deadline, heartbeat, grace, queue watchers). Call before the executor
  // stops; the host answers nothing afterwards. Idempotent.
  void stop();

  // InteractionService. `done` runs on the executor exactly once (the customer lookup and the
  // journal may make it later than the call). `gateway` scopes the id: the same id from another
  // gateway is another interaction, and a repeat replays only within the same gateway.
  void submit(const std::string& gateway, const v1::SubmitInteractionRequest& request,
              v1::SubmitInteractionResponse* response, std::function<void(absl::Status)> done);
  // Cancel, get and watch see what `caller` may see (its own by bare id, granted gateways' by
  // scoped id); anything else is NOT_FOUND, exactly as an unknown id (no existence oracle).
  // Interactions of other gateways come back with their scoped id.
  absl::Status cancel(const GatewayScope& caller, const v1::CancelInteractionRequest& request,
                      v1::Interaction* out);
  absl::Status get(const GatewayScope& caller, const std::string& interaction_id,
                   v1::Interaction* out) const;
  void watch_interactions(const GatewayScope& caller, const v1::WatchInteractionsRequest& request,
                          std::shared_ptr<InteractionSubscriber> subscriber);

  // AgentService.
  absl::Status login(const v1::LoginRequest& request, v1::AgentStatus* out);
  absl::Status logout(const std::string& agent, bool forced, v1::AgentStatus* out);
  absl::Status set_state(const v1::SetStateRequest& request, v1::AgentStatus* out);
  absl::Status stream_work(const std::string& agent, std::shared_ptr<WorkSubscriber> subscriber);
  void stream_work_ended(const std::string& agent,
                         const std::shared_ptr<WorkSubscriber>& subscriber);
  absl::Status accept(const v1::OfferRequest& request, v1::AgentStatus* out);
  absl::Status reject(const v1::OfferRequest& request, v1::AgentStatus* out);
  absl::Status complete(const v1::CompleteRequest& request, v1::AgentStatus* out);
  absl::Status end_wrap_up(const v1::OfferRequest& request, v1::AgentStatus* out);
  absl::Status transfer(const v1::TransferRequest& request, v1::AgentStatus* out);

  // The barrier behind every change answered to a client (accept, complete, cancel, ...): `done`
  // runs on the executor once the journal has stored every write made so far: OK. While the
  // journal is away it is OK too, from memory (the change is written once it is back; counted by
  // answered_unjournaled()); UNAVAILABLE only when this routerd was deposed (its writes are
  // fenced: the change is never written). Without a journal: OK at once. The answer waits for
  // it, so an answered change survives a crash of routerd (docs/availability.md).
  void when_journaled(std::function<void(absl::Status)> done);
  // Changes answered while the journal was away (not durable until it was back).
  uint64_t answered_unjournaled() const { return answered_unjournaled_; }

  // SupervisorService.
  absl::Status queue_stats(const v1::GetQueueStatsRequest& request,
                           v1::GetQueueStatsResponse* out) const;
  absl::Status list_agents(const v1::ListAgentsRequest& request, v1::ListAgentsResponse* out) const;
  absl::Status list_interactions(const v1::ListInteractionsRequest& request,
                                 v1::ListInteractionsResponse* out) const;
  absl::Status watch_queues(const v1::WatchQueuesRequest& request,
                            std::shared_ptr<QueueSubscriber> subscriber);
  // A live interaction: why it goes to which agent now. A finished one: its history (the
  // offers with the points as decided, queue path, times), from memory for the last
  // daemon.max_finished_remembered, else from the journal's finished entry (kept
  // redis.finished_ttl_s); `done` runs on the executor, at once unless the journal is asked.
  void explain(const v1::ExplainRoutingRequest& request, v1::ExplainRoutingResponse* out,
               std::function<void(absl::Status)> done);
  // Interval reports (docs/operations.md, "Interval reports"): what was gathered is stored
  // first, then the intervals are read back. `done` may run on the store's thread.
  void report(const v1::GetReportRequest& request, v1::GetReportResponse* out,
              std::function<void(absl::Status)> done);
  // Adds what the interval reports gathered to their store now; `done` once the store answered
  // (at once without a store). Before stop(), so a clean shutdown loses no counts.
  void store_reports_now(std::function<void(absl::Status)> done);
  // The live part of explain(): FAILED_PRECONDITION for a finished interaction.
  absl::Status explain_live(const v1::ExplainRoutingRequest& request,
                            v1::ExplainRoutingResponse* out) const;
  absl::Status update_skills(const v1::UpdateAgentSkillsRequest& request, v1::AgentStatus* out);
  absl::Status set_priority(const v1::SetInteractionPriorityRequest& request, v1::Interaction* out);
  absl::Status move(const v1::MoveInteractionRequest& request, v1::Interaction* out);
  // For the audit trail's before and after (adapters/grpc/audit.h): an agent's state, reason and
  // skills, or an interaction's state, queue, priority and agent, as compact JSON; empty when
  // there is no such agent or live interaction (an interaction as a supervisor names it).
  std::string audit_agent(const std::string& agent) const;
  std::string audit_interaction(const std::string& interaction_id) const;

  // Configuration reload: validates `model` completely, then applies it; queued work stays.
  struct ReloadReport {
    std::vector<std::string> changes;
    std::vector<std::string> warnings;
  };
  absl::StatusOr<ReloadReport> reload(config::RoutingModel model);

  // Shutdown: new submits are refused (UNAVAILABLE) and every server stream ends with `bye`
  // (OK: a clean shutdown; UNAVAILABLE: a deposed active, docs/availability.md).
  void drain(absl::Status bye = absl::OkStatus());
  // A session stream that drain() ends as it ends the server streams (finish(OK), after what it
  // has queued), though it is registered nowhere else: a GatewayStream that watches nothing.
  // Held weakly, so an ended stream is forgotten. Already draining: finished at once.
  void end_at_drain(std::weak_ptr<Subscriber<v1::GatewayResponse>> stream);

  // Start-up (a restart, or a standby taking over), before serving: the journal back into the
  // engine (docs/availability.md, "Sessions across a takeover or a restart"). First the finished
  // emails' threads, then the agents journaled logged in, NOT_READY for now; then the live
  // entries in submit order: waiting ones keep their original arrival time, offered ones wait
  // again (the offer is withdrawn and made anew), accepted ones (ASSIGNED, WRAP_UP) go straight
  // back to their agent (logged in NOT_READY("recovered") if the journal has no session for it);
  // then the agents journaled READY are made ready. Every agent logged in now has no stream yet:
  // its grace period (daemon.agent_grace) starts here, and an agent whose desktop does not open
  // StreamWork (or a session) in time is logged out as a lost stream is, its work requeued.
  struct RecoveryReport {
    size_t recovered = 0;         // back in a queue or with their agent
    size_t offers_withdrawn = 0;  // of those, were OFFERED
    size_t held_restored = 0;     // of those, were ASSIGNED or WRAP_UP and are with their agent
    size_t held_requeued = 0;     // were ASSIGNED or WRAP_UP, but their agent could not take
                                  // them back (unknown, or past its capacity): waiting again
    size_t agents_restored = 0;   // logged in again, each on its grace period
    size_t threads_restored = 0;  // finished emails' threads
    size_t dropped = 0;           // could not be restored (queue gone, engine refused): logged
  };
  RecoveryReport recover(const std::vector<v1::JournalEntry>& entries,
                         const ports::SessionJournal& sessions = {});

  size_t live_count() const { return router_->live_count(); }
  size_t queue_count() const { return router_->queue_count(); }
  size_t agent_count() const { return router_->agent_count(); }
  const config::RoutingModel& model() const { return model_; }
  // For checks (the host simulation): the engine, read-only, and the scoped ids
  // ("<gateway>/<client id>") of the live interactions the host tracks.
  const engine::Router& router() const { return *router_; }
  std::vector<std::string> live_client_ids() const;

 private:
  RoutingHost(config::RoutingModel model, std::unique_ptr<engine::Router> router,
              channels::PhoneNormalizer phones, channels::EntryPointTable entry_points,
              HostPorts ports);

  // The interaction as an event left it. Events are published after the command that raised
  // them, when the engine may have moved the interaction further (requeued and offered to the
  // next agent, or a 0 s wrap-up already completed): every message carries the state right
  // after its own change, not the latest.
  struct AsOf {
    v1::InteractionState state = v1::INTERACTION_STATE_UNSPECIFIED;
    engine::AgentId agent;  // offered to or held by; invalid: none
  };

  // What the host keeps about a live interaction beyond the engine's state.
  struct Tracked {
    engine::InteractionId id;
    std::string submitter;   // the gateway that submitted it: the scope of its id
    v1::Interaction proto;   // the static parts (id, channel, details, customer, arrival, ...)
    int position = 0;        // last known 1-based position while queued
    std::string message_id;  // email: for thread affinity
    std::string handled_by;  // the agent who accepted it last (reported on completion)
    // While offers are pending, to whom (several with multi-offer): told if the caller hangs up.
    std::vector<engine::AgentId> offered_to;
    // For the journal: what recovery needs beyond the engine's state.
    int64_t arrived_unix_ns = 0;
    std::vector<engine::SkillRequirement> extra_skills;
    std::string thread_agent;
    uint64_t journaled = 0;  // recovery_key() of the entry last written; 0: none yet
    // For the metrics: when the submit was received (unset for recovered ones), whether it was
    // offered yet, when its agent accepted it.
    std::optional<engine::TimePoint> received;
    bool offered_once = false;
    std::optional<engine::TimePoint> assigned_at;
    // For ExplainRouting once finished: queue path, offers with their points, answered.
    v1::InteractionHistory history;
    std::string scoped() const;  // "<submitter>/<client id>": the key of every map below
  };
  struct PendingSubmit {  // waiting for the customer lookup; repeats of the id join it
    std::vector<std::pair<v1::SubmitInteractionResponse*, std::function<void(absl::Status)>>>
        waiters;
  };
  struct AgentStream {
    std::shared_ptr<WorkSubscriber> subscriber;
    std::unique_ptr<ports::Timer> grace;  // armed while the agent has no stream
    // A heartbeat is due heartbeat_s after this: its last message (for a new stream, earlier:
    // its first heartbeat comes sooner, at its agent's point of the interval).
    engine::TimePoint last_sent;
    uint64_t beat = 0;  // its entry in beat_slots_ (a generation); 0: none
  };
  // A stream's place in the heartbeat wheel (below); stale once its generation is not the
  // stream's `beat` (the stream was closed, or its agent's entry was replaced).
  struct BeatEntry {
    uint32_t agent;
    uint64_t generation;
  };
  struct InteractionWatcher {
    std::shared_ptr<InteractionSubscriber> subscriber;
    std::string viewer;                   // its gateway: others' ids are sent scoped
    std::unordered_set<std::string> ids;  // scoped ids; empty: all it may see
  };
  struct QueueWatcher {
    std::shared_ptr<QueueSubscriber> subscriber;
    v1::GetQueueStatsRequest request;
    std::unique_ptr<ports::Timer> timer;
    engine::Duration interval;
  };

  // submit.cc
  absl::Status normalize(v1::SubmitInteractionRequest& request) const;
  void finish_submit(const std::string& submitter, v1::SubmitInteractionRequest request,
                     ports::LookupResult lookup, std::optional<channels::ThreadInfo> thread,
                     engine::TimePoint received);
  void note_lookup(const ports::LookupResult& lookup);
  void answer_pending(const std::string& scoped, const absl::Status& status, bool replay = false);
  // The scoped id `interaction_id` names for a gateway `caller`, if it knows one it may see.
  std::optional<std::string> resolve_for_gateway(const GatewayScope& caller,
                                                 const std::string& interaction_id) const;
  bool known(const std::string& scoped) const;
  // The interaction (live, finished or being received) under its scoped id, as everyone but its
  // gateway sees it (bare id, `gateway` set). REQUIRES: known(scoped).
  v1::Interaction view(const std::string& scoped) const;
  // The interaction is ready for the engine (journaled first when there is a journal).
  // A call its closed queue took as a callback work item, scheduled for `at`: its record
  // becomes that work item (type CALLBACK, the caller's number, not_before `at`).
  void as_callback(Tracked& t, engine::TimePoint at) const;
  void admit(engine::InteractionSpec spec, Tracked t);
  void journaled(engine::InteractionSpec spec, Tracked t,
                 absl::StatusOr<ports::AppendResult> result);

  // journal.cc
  // The journaled interaction's scoped id back to the bare client id plus its gateway.
  static v1::Interaction from_journal(const v1::JournalEntry& entry);
  // A restored entry written before ids were scoped: moved to its scoped journal key.
  void migrate(const v1::JournalEntry& scoped_entry,
               const std::string& legacy_id);  // What recovery reads from an entry, hashed: entries
                                               // with equal keys recover alike, so only
  // the first is written. Never 0 ("nothing written yet").
  static uint64_t recovery_key(const v1::JournalEntry& entry);
  // A journal entry back into the engine (recovery, or a live entry found by a repeat): waiting,
  // or with `held` its agent holding it in that state (engine::Router::restore_held).
  struct Held {
    engine::AgentId agent;
    engine::InteractionState state;
  };
  engine::Status restore(const v1::JournalEntry& entry, std::optional<Held> held = std::nullopt);
  // The wrap-up code `code` checked against the queue's list for Complete (`at_complete`) or
  // EndWrapUp (docs/operations.md, "Codes").
  engine::Status check_wrap_up_code(engine::InteractionId id, const std::string& code,
                                    bool at_complete) const;
  // An agent's session as the journal keeps it (v1::AgentJournalEntry), and its hash: sessions
  // with equal keys need one write. Never 0.
  v1::AgentJournalEntry agent_entry(engine::AgentId agent) const;
  static uint64_t agent_key(const v1::AgentJournalEntry& entry);
  // The agents journaled logged in, back in the engine (recover()); returns those logged in.
  std::vector<engine::AgentId> restore_agents(const ports::SessionJournal& sessions,
                                              RecoveryReport& report,
                                              std::vector<engine::AgentId>& ready_later);
  // The agent has no stream: logged out (forced) unless one opens within daemon.agent_grace.
  void arm_grace(engine::AgentId agent);
  // `final`: the entry of a finished interaction; without: of the live one, as the engine has it.
  v1::JournalEntry journal_entry(const Tracked& t, std::optional<AsOf> final = std::nullopt) const;
  void flush_journal();
  void remember_finished(const std::string& client_id, v1::Interaction last,
                         v1::InteractionHistory history = {});
  // explain() of a finished interaction not in memory: the journal's entry under
  // candidates[i], then the next ones; NOT_FOUND after the last.
  void find_history(std::shared_ptr<std::vector<std::string>> candidates, size_t i, std::string id,
                    v1::ExplainRoutingResponse* out, std::function<void(absl::Status)> done);
  // Fills `out` from a finished interaction's history; `id` as the caller named it.
  // The last offer in `t`'s history, while it waits for its answer, gets `outcome`.
  // Sets the outcome of the pending offer records (InteractionHistory.offers): `agent`'s, or with
  // no agent every pending one.
  void settle_offer(Tracked& t, std::string outcome, engine::AgentId agent = {}) const;
  static void explain_finished(const std::string& id, const v1::InteractionHistory& history,
                               v1::ExplainRoutingResponse* out);

  // routing_host.cc: after every command, publish the engine's events and re-arm the deadline.
  void settle();
  void publish(const engine::Event& event);
  // Interval reports (reports.cc): an event's counts, the periodic store of what was gathered.
  void record_report(const engine::Event& event);
  int64_t wall_ms(engine::TimePoint t) const;
  void arm_report_timer();
  void store_reports(std::function<void(absl::Status)> then);
  void notify_interaction(engine::InteractionId id, const char* change, std::string reason,
                          std::optional<AsOf> as_of);
  void send_work(engine::AgentId agent, v1::WorkEvent event);
  // Every push goes through here: the subscriber is flushed at the end of the command
  // (flush_touched(), from settle() and from each command that pushes without settling).
  template <class Message>
  bool deliver(const std::shared_ptr<Subscriber<Message>>& to, Message m) {
    const bool ok = to->push(std::move(m));
    touch(to);
    return ok;
  }
  void touch(std::shared_ptr<Flushable> subscriber);
  void flush_touched();
  // `reason`: why the update takes the work away from `agent` (WorkEvent.reason), or empty.
  void send_agent_update(engine::AgentId agent, engine::InteractionId id,
                         std::optional<AsOf> as_of = std::nullopt, std::string reason = "");
  void retire(engine::InteractionId id, AsOf final);
  void arm_deadline();
  // The heartbeat: a wheel of kBeatSlots slots visited one per tick (heartbeat_s / kBeatSlots, at
  // least 20 ms). Each open work stream has one entry, in the slot of the tick at or before which
  // it is due a message; there it gets a heartbeat if it carried nothing for about heartbeat_s, or
  // moves on to the slot of its new due time. So heartbeats are spread over the interval (a
  // stream's first one comes at a point of it chosen by its agent), a busy stream gets none, and
  // an idle stream gets one every heartbeat_s (never later than heartbeat_s after its last
  // message, at most one tick sooner). The timer runs only while some stream is open.
  // 16 slots: with 15,000 idle streams one burst of 15,000 held the engine thread ~0.2 s of CPU
  // (~1 s of wall time on a loaded machine) every 5 s; 64 slots (~230 a tick) cost 3x the CPU
  // per heartbeat in gRPC's thread wake-ups (bench/README.md, "Many agents (issue 15)").
  static constexpr size_t kBeatSlots = 16;
  engine::Duration beat_tick() const;
  // Puts `stream`'s entry `ticks` ticks ahead (1: the next tick; at most kBeatSlots).
  void schedule_beat(uint32_t agent, AgentStream& stream, int64_t ticks);
  void arm_heartbeat();
  void heartbeat_tick();
  void arm_queue_watcher(QueueWatcher* watcher);

  // agents.cc: an agent's command on one interaction: resolves both names, runs `command`,
  // publishes what happened and answers the agent's status.
  absl::Status agent_command(
      const std::string& agent, const std::string& interaction_id, v1::AgentStatus* out,
      const std::function<engine::Status(engine::AgentId, engine::InteractionId)>& command);

  // routing_host.cc: lookups and proto building.
  absl::Status find_agent(const std::string& name, engine::AgentId& out) const;
  // An agent's or a supervisor's id: the scoped form, or a bare client id when one gateway's
  // live interaction has it (among several: the one offered to or held by `agent`, if valid).
  absl::Status find_scoped(const std::string& interaction_id, engine::AgentId agent,
                           std::string& scoped) const;
  absl::Status find_interaction(const std::string& interaction_id, engine::InteractionId& out,
                                engine::AgentId agent = engine::AgentId()) const;
  absl::Status find_queue(const std::string& name, const char* field, engine::QueueId& out) const;
  absl::Status agent_status(engine::AgentId agent, v1::AgentStatus* out) const;
  // Without `as_of`: as the engine has it now.
  v1::Interaction interaction_proto(const Tracked& t,
                                    std::optional<AsOf> as_of = std::nullopt) const;
  // The engine's current state of `t` into `p`; `estimate`: also its EWT (a cost the journal
  // does not need).
  void fill_state(const Tracked& t, const engine::InteractionSnapshot& s, bool estimate,
                  v1::Interaction& p) const;
  std::string agent_name(engine::AgentId agent) const;
  void stamp(engine::TimePoint t, google::protobuf::Timestamp* out) const;

  ports::Executor& executor_;
  ports::Clock& clock_;
  config::RoutingModel model_;
  std::unique_ptr<engine::Router> router_;
  channels::PhoneNormalizer phones_;
  channels::EntryPointTable entry_points_;
  std::unique_ptr<ports::CustomerLookup> customers_;
  ports::InteractionJournal* journal_ = nullptr;
  ports::HostMetrics* metrics_ = nullptr;
  // Interval reports (null store: none). The recorder gathers; every kReportStoreEvery what it
  // gathered goes to the store, one add at a time; a read waits for its add (report_waiters_).
  ports::IntervalStore* reports_ = nullptr;
  IntervalRecorder recorder_;
  std::unique_ptr<ports::Timer> report_timer_;
  bool report_storing_ = false;
  std::vector<std::function<void(absl::Status)>> report_waiters_;
  static constexpr engine::Duration kReportStoreEvery = std::chrono::seconds(5);
  // Runs one engine command, timed for the metrics (HostMetrics::decided) when there are any.
  template <class Fn>
  auto timed(Fn&& fn) {
    if (metrics_ == nullptr) return fn();
    const auto start = std::chrono::steady_clock::now();
    auto result = fn();
    metrics_->decided(
        std::chrono::duration_cast<engine::Duration>(std::chrono::steady_clock::now() - start));
    return result;
  }
  uint64_t degraded_lookups_ = 0;               // since start
  uint64_t degraded_run_ = 0;                   // in the current run of degraded lookups (0: none)
  std::unordered_set<uint64_t> journal_dirty_;  // changed since the last settle()
  std::unordered_set<uint32_t> agents_dirty_;   // agent sessions changed since the last settle()
  std::unordered_map<uint32_t, uint64_t> agents_journaled_;  // agent_key() last written
  channels::EmailThreadIndex threads_;

  std::unordered_map<uint64_t, Tracked> tracked_;
  // Keyed by scoped id ("<gateway>/<client id>").
  std::unordered_map<std::string, engine::InteractionId> by_scoped_id_;
  std::unordered_map<std::string, PendingSubmit> pending_;
  std::set<std::string> gateways_;  // every gateway that submitted (bare-id lookups try each)
  // Finished interactions, for idempotent replay and GetInteraction; oldest forgotten first.
  std::unordered_map<std::string, v1::Interaction> finished_;
  std::unordered_map<std::string, v1::InteractionHistory> histories_;  // of those in finished_
  std::deque<std::string> finished_order_;
  uint64_t next_id_ = 1;
  uint64_t answered_unjournaled_ = 0;  // when_journaled() answers made while the journal was away

  std::unordered_map<uint32_t, AgentStream> agent_streams_;
  // By the gateway whose interactions they see (a granted watcher is listed under each);
  // watchers granted every gateway ("*") apart.
  std::unordered_map<std::string, std::vector<std::shared_ptr<InteractionWatcher>>>
      interaction_watchers_;
  std::vector<std::shared_ptr<InteractionWatcher>> all_gateway_watchers_;
  std::vector<std::unique_ptr<QueueWatcher>> queue_watchers_;
  std::vector<engine::Event> events_;
  std::vector<std::weak_ptr<Subscriber<v1::GatewayResponse>>> drain_streams_;  // end_at_drain
  size_t drain_streams_prune_at_ = 64;  // forget the ended ones when the list reaches it
  std::vector<std::shared_ptr<Flushable>> touched_;  // pushed to by the command running now
  bool draining_ = false;
  absl::Status drain_status_;  // what drain() ended the streams with
  bool stopped_ = false;
  int in_lookup_ = 0;  // inside customers_->lookup(): its answer must be posted, not run inline

  std::unique_ptr<ports::Timer> deadline_timer_;
  std::optional<engine::TimePoint> armed_deadline_;
  std::unique_ptr<ports::Timer> heartbeat_timer_;  // the wheel's next tick; null: not running
  std::vector<std::vector<BeatEntry>> beat_slots_ = std::vector<std::vector<BeatEntry>>(kBeatSlots);
  size_t beat_next_ = 0;     // the slot the next tick visits
  size_t beat_entries_ = 0;  // in every slot together (stale ones included)
  uint64_t beat_generation_ = 0;
  engine::TimePoint beat_due_;  // when the next tick is due (ticks do not drift when late)
};

}  // namespace router::adapters::host
