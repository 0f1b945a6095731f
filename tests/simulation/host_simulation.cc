// The host simulation's driver and invariants; see host_simulation.h.
#include "tests/simulation/host_simulation.h"

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "adapters/config/routing_config.h"
#include "tests/simulation/sim_center.h"

namespace router::sim {

using adapters::host::RoutingHost;

using namespace simcenter;  // NOLINT(google-build-using-namespace): the shared center

SimulationStats& SimulationStats::operator+=(const SimulationStats& o) {
  steps += o.steps;
  submits += o.submits;
  acked += o.acked;
  replays_checked += o.replays_checked;
  crashes += o.crashes;
  recovered += o.recovered;
  held_at_recovery += o.held_at_recovery;
  agents_at_recovery += o.agents_at_recovery;
  grace_logouts_checked += o.grace_logouts_checked;
  accepted += o.accepted;
  accepts_journal_checked += o.accepts_journal_checked;
  completed += o.completed;
  outages += o.outages;
  finished_seen += o.finished_seen;
  overflowed_at_recovery += o.overflowed_at_recovery;
  expired_at_recovery += o.expired_at_recovery;
  return *this;
}

HostSimulation::HostSimulation(uint64_t seed, int steps)
    : seed_(seed),
      steps_(steps),
      world_(seed),
      journal_(world_),
      customers_(CustomerDirectory::standard()) {}

HostSimulation::~HostSimulation() {
  // The host's timers point into the world's incarnation: the host goes first.
  host_.reset();
}

// ---------------------------------------------------------------------------------------------
// The run.

void HostSimulation::run() {
  start_host();
  auto report = host_->recover({});
  check_recovery({}, report);
  for (step_ = 1; step_ <= steps_; ++step_) {
    step();
    check();
    ++stats_.steps;
  }
  // The end: faults off, time for every late answer and timer, then every call is answered.
  quiet_faults();
  world_.advance(kAnswerWithin + std::chrono::seconds(20));
  read_streams();
  check();
  check_answered(engine::Duration(0));
  for (const auto& [id, a] : acked_) {
    v1::Interaction out;
    if (host_->get(scope(gateway_of(id)), id, &out).ok() && is_final(out.state()))
      ++stats_.finished_seen;
  }
  // A clean shutdown, as routerd does it: drain (streams end, submits refused), then stop.
  host_->drain();
  host_->stop();
  world_.run_until_idle();
}

void HostSimulation::start_host() {
  incarnation_ = &world_.start_incarnation();
  adapters::host::HostPorts ports;
  ports.executor = incarnation_;
  ports.clock = incarnation_;
  ports.customers = std::make_unique<SimCustomers>(world_, *incarnation_, customers_);
  ports.journal = &journal_;
  auto host = RoutingHost::create(center(), std::move(ports));
  if (!host.ok()) throw std::runtime_error("host: " + host.status().ToString());
  host_ = std::move(host).value();
  host_->start();
}

void HostSimulation::crash_and_restart() {
  ++stats_.crashes;
  trace_.push_back(
      "** crash + restart at t=" + std::to_string(world_.now().time_since_epoch().count()) + " ms");
  // No drain, no stop: what the old process had posted or timed dies with it.
  world_.crash();
  host_.reset();
  journal_.process_crashed();
  for (auto& d : desks_) d = Desk{};
  watchers_.clear();
  queue_watchers_.clear();

  start_host();
  // As routerd starts: wait for the journal, load its live entries, recover, then serve.
  std::optional<std::vector<v1::JournalEntry>> loaded;
  for (int tries = 0; !loaded; ++tries) {
    if (tries > 10'000) violate("restart", "the journal never loaded");
    if (!journal_.available()) {
      world_.advance(std::chrono::milliseconds(100));
      continue;
    }
    bool answered = false;
    journal_.load([&](absl::StatusOr<std::vector<v1::JournalEntry>> r) {
      answered = true;
      if (r.ok()) loaded = std::move(r).value();
    });
    while (!answered) world_.advance(std::chrono::milliseconds(10));
  }
  std::optional<adapters::ports::SessionJournal> sessions;
  for (int tries = 0; !sessions; ++tries) {
    if (tries > 10'000) violate("restart", "the agent sessions never loaded");
    if (!journal_.available()) {
      world_.advance(std::chrono::milliseconds(100));
      continue;
    }
    bool answered = false;
    journal_.load_sessions([&](absl::StatusOr<adapters::ports::SessionJournal> r) {
      answered = true;
      if (r.ok()) sessions = std::move(r).value();
    });
    while (!answered) world_.advance(std::chrono::milliseconds(10));
  }
  auto report = host_->recover(*loaded, *sessions);
  restarted_at_ = world_.now();
  check_recovery(*loaded, report);
}

void HostSimulation::quiet_faults() {
  journal_.set_faults(JournalFaults{});
  journal_.set_available(true);
  customers_->faults = CustomerFaults{};
}

void HostSimulation::step() {
  read_streams();
  const uint64_t roll = world_.uniform(0, 999);
  if (roll < 8) {
    crash_and_restart();
    return;
  }
  // One to three calls in flight together, then the executor runs them in order.
  const int calls = world_.chance(0.25) ? static_cast<int>(world_.uniform(2, 3)) : 1;
  for (int i = 0; i < calls; ++i) {
    const uint64_t r = world_.uniform(0, 999);
    if (r < 160) {
      const std::string id = "ix-" + std::to_string(next_id_++);
      submit(id);
      if (world_.chance(0.1)) submit(id);  // a replay racing the first attempt
    } else if (r < 230) {
      if (!ids_.empty()) submit(pick(ids_));  // a retry or a replay
    } else if (r < 270) {
      const std::string id = pick_id();
      act("cancel " + id, [this, id](RoutingHost& h) {
        v1::CancelInteractionRequest req;
        req.set_interaction_id(id);
        req.set_reason("caller_hangup");
        v1::Interaction out;
        // The other gateway first: it never reaches this gateway's interaction.
        if (absl::Status s = h.cancel(scope(other_gateway(id)), req, &out); !absl::IsNotFound(s)) {
          violate("a gateway never sees or cancels another gateway's interaction",
                  "cancel " + id + " by " + other_gateway(id) + ": " + s.ToString());
        }
        (void)h.cancel(scope(gateway_of(id)), req, &out);
      });
    } else if (r < 290) {
      const std::string id = pick_id();
      act("get " + id, [this, id](RoutingHost& h) {
        v1::Interaction out;
        if (absl::Status s = h.get(scope(other_gateway(id)), id, &out); !absl::IsNotFound(s)) {
          violate("a gateway never sees or cancels another gateway's interaction",
                  "get " + id + " by " + other_gateway(id) + ": " + s.ToString());
        }
        (void)h.get(scope(gateway_of(id)), id, &out);
      });
    } else if (r < 780) {
      agent_action(world_.uniform(0, kAgents.size() - 1));
    } else if (r < 850) {
      supervisor_action();
    } else if (r < 880) {
      fault_action();
    } else {
      // Time passes: mostly short, sometimes past offer timeouts, wrap-ups and max waits.
      world_.run_until_idle();
      const uint64_t kind = world_.uniform(0, 9);
      const engine::Duration d =
          kind < 6   ? world_.duration_between(std::chrono::milliseconds(1),
                                               std::chrono::milliseconds(800))
          : kind < 9 ? world_.duration_between(std::chrono::seconds(1), std::chrono::seconds(8))
                     : world_.duration_between(std::chrono::seconds(10), std::chrono::seconds(70));
      trace_.push_back("advance " + std::to_string(d.count()) + " ms");
      world_.advance(d);
    }
  }
  world_.run_until_idle();
  if (world_.chance(0.5)) {
    world_.advance(
        world_.duration_between(std::chrono::milliseconds(0), std::chrono::milliseconds(300)));
  }
  while (trace_.size() > kTraceLength) trace_.pop_front();
}

// ---------------------------------------------------------------------------------------------
// Actions.

void HostSimulation::act(std::string what, std::function<void(RoutingHost&)> fn) {
  trace_.push_back(std::move(what));
  incarnation_->post([this, fn = std::move(fn)] { fn(*host_); });
}

const std::string& HostSimulation::pick(const std::vector<std::string>& from) {
  return from[world_.uniform(0, from.size() - 1)];
}

std::string HostSimulation::pick_id() {
  if (ids_.empty() || world_.chance(0.05)) return "ix-unknown";
  // Recent ids are likelier to be live.
  if (world_.chance(0.7)) {
    const size_t recent = std::min<size_t>(ids_.size(), 12);
    return ids_[ids_.size() - 1 - world_.uniform(0, recent - 1)];
  }
  return pick(ids_);
}

std::string HostSimulation::pick_from(const std::set<std::string>& ids) {
  if (ids.empty() || world_.chance(0.15)) return pick_id();  // stale or wrong on purpose
  auto it = ids.begin();
  std::advance(it, static_cast<long>(world_.uniform(0, ids.size() - 1)));
  return *it;
}

v1::SubmitInteractionRequest HostSimulation::new_request(const std::string& id) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  if (world_.chance(0.3)) r.set_priority(static_cast<int32_t>(world_.uniform(0, 30)));
  const uint64_t channel = world_.uniform(0, 99);
  if (channel < 40) {
    static const std::vector<std::string> anis = {"+14155550100", "+1 415 555 0101",
                                                  "(415) 555-0199", "anonymous"};
    static const std::vector<std::string> dnis = {"+18005550100", "+18005550100", "+18005550199",
                                                  "+18005550000"};  // the last: no entry point
    static const std::vector<std::string> intents = {"", "", "sales", "vip"};
    r.set_channel(v1::PHONE);
    r.mutable_phone()->set_ani(pick(anis));
    r.mutable_phone()->set_dnis(pick(dnis));
    if (world_.chance(0.3)) r.mutable_phone()->set_language("en");
    r.set_intent(pick(intents));
  } else if (channel < 60) {
    static const std::vector<std::string> senders = {"Ada@Example.com", "bo@example.com",
                                                     "zed@example.com"};
    r.set_channel(v1::EMAIL);
    auto* em = r.mutable_email();
    em->set_from(pick(senders));
    em->set_to_mailbox("billing@example.com");
    em->set_message_id("m-" + id + "@mail.example.com");
    if (world_.chance(0.4) && !ids_.empty()) {
      em->set_in_reply_to("m-" + pick(ids_) + "@mail.example.com");  // threads, if it was mail
    }
  } else if (channel < 85) {
    static const std::vector<std::string> visitors = {"v-1", "v-2", "v-3", "v-9", ""};
    static const std::vector<std::string> accounts = {"", "", "acct-1", "acct-3"};
    r.set_channel(v1::WEB_CHAT);
    r.mutable_web()->set_visitor_id(pick(visitors));
    r.mutable_web()->set_account_id(pick(accounts));
    r.mutable_web()->set_topic("help");
  } else {
    static const std::vector<std::string> numbers = {"+14155550101", "+14155550142"};
    r.set_channel(v1::WEB_CALLBACK);
    r.mutable_web()->set_callback_number(pick(numbers));
    r.mutable_web()->set_topic("callback");
  }
  return r;
}

void HostSimulation::submit(const std::string& id) {
  auto [it, fresh] = requests_.try_emplace(id);
  if (fresh) {
    it->second = new_request(id);
    ids_.push_back(id);
  }
  ++stats_.submits;
  auto call = std::make_unique<Call>();
  call->id = id;
  call->incarnation = incarnation_->number();
  call->issued = world_.now();
  Call* c = call.get();
  calls_.push_back(std::move(call));
  const std::string submitter = gateway_of(id);
  act(std::string(fresh ? "submit " : "resubmit ") + id, [this, c, submitter,
                                                          request = it->second](RoutingHost& h) {
    h.submit(submitter, request, &c->response, [this, c](absl::Status s) { on_submit_done(c, s); });
  });
}

void HostSimulation::on_submit_done(Call* c, const absl::Status& status) {
  if (++c->done > 1) {
    violate("no callback done runs twice",
            "submit " + c->id + " answered a second time (" + status.ToString() + ")");
  }
  c->status = status;
  if (!status.ok()) return;
  const v1::Interaction& in = c->response.interaction();
  if (in.interaction_id() != c->id) {
    violate("a replay answers the same interaction",
            "submit " + c->id + " answered OK for interaction '" + in.interaction_id() + "'");
  }
  auto it = acked_.find(c->id);
  if (it == acked_.end()) {
    acked_.emplace(c->id, Acked{in.queue(), in.channel(), in.customer().customer_id()});
    ++stats_.acked;
    return;
  }
  ++stats_.replays_checked;
  if (!c->response.replayed()) {
    violate("a replay answers the same interaction",
            "submit " + c->id + " was acked before, and a repeat answered OK with replayed=false");
  }
  if (in.channel() != it->second.channel || in.customer().customer_id() != it->second.customer_id) {
    violate("a replay answers the same interaction",
            "submit " + c->id + " replayed as channel " + v1::Channel_Name(in.channel()) +
                " customer '" + in.customer().customer_id() + "', first answered as channel " +
                v1::Channel_Name(it->second.channel) + " customer '" + it->second.customer_id +
                "'");
  }
}

void HostSimulation::read_streams() {
  // Between commands nothing pushed is still held: the host flushed every stream it pushed to.
  const auto flushed = [this](size_t unflushed, const std::string& stream) {
    if (unflushed > 0) {
      violate("every pushed message is flushed",
              stream + " holds " + std::to_string(unflushed) + " unflushed messages");
    }
  };
  for (auto& d : desks_) {
    if (d.stream) flushed(d.stream->unflushed(), "a work stream");
  }
  for (auto& w : watchers_) flushed(w->unflushed(), "an interaction watch");
  for (auto& w : queue_watchers_) flushed(w->unflushed(), "a queue watch");
  for (auto& d : desks_) {
    if (!d.stream) continue;
    for (auto& ev : d.stream->take()) {
      if (ev.has_offer()) {
        d.offers.insert(ev.offer().interaction().interaction_id());
      } else if (ev.has_update()) {
        const std::string& id = ev.update().interaction_id();
        switch (ev.update().state()) {
          case v1::ASSIGNED:
          case v1::WRAP_UP:
            d.offers.erase(id);
            d.held.insert(id);
            break;
          case v1::OFFERED: d.offers.insert(id); break;
          default:
            d.offers.erase(id);
            d.held.erase(id);
            break;
        }
      }
    }
    if (!d.stream->open()) d.stream.reset();  // ended by the host (replaced, drained, too slow)
  }
  for (auto& w : watchers_) w->take();
  for (auto& w : queue_watchers_) w->take();
}

void HostSimulation::agent_action(size_t index) {
  // Desktops answer what their streams showed: most actions go to an agent with an offer or
  // held work, and to the offer or the work itself.
  if (world_.chance(0.7)) {
    std::vector<size_t> busy;
    for (size_t i = 0; i < desks_.size(); ++i) {
      if (!desks_[i].offers.empty() || !desks_[i].held.empty()) busy.push_back(i);
    }
    if (!busy.empty()) index = busy[world_.uniform(0, busy.size() - 1)];
  }
  const std::string agent = kAgents[index];
  Desk& desk = desks_[index];
  uint64_t r = world_.uniform(0, 99);
  if (!desk.offers.empty() && world_.chance(0.6)) {
    r = world_.uniform(35, 59);  // answer the offer
  } else if (!desk.held.empty() && world_.chance(0.5)) {
    r = world_.uniform(60, 99);  // finish the work
  }
  if (r < 10) {
    const bool ready = world_.chance(0.8);
    desk.acted = true;
    act("login " + agent + (ready ? " ready" : ""), [agent, ready](RoutingHost& h) {
      v1::LoginRequest req;
      req.set_agent(agent);
      req.set_ready(ready);
      v1::AgentStatus out;
      (void)h.login(req, &out);
    });
  } else if (r < 13) {
    const bool forced = world_.chance(0.3);
    act("logout " + agent + (forced ? " forced" : ""), [agent, forced](RoutingHost& h) {
      v1::AgentStatus out;
      (void)h.logout(agent, forced, &out);
    });
  } else if (r < 20) {
    const bool ready = world_.chance(0.7);
    act("set_state " + agent + (ready ? " READY" : " NOT_READY"), [agent, ready](RoutingHost& h) {
      v1::SetStateRequest req;
      req.set_agent(agent);
      req.set_state(ready ? v1::READY : v1::NOT_READY);
      req.set_reason(ready ? "" : "break");
      v1::AgentStatus out;
      (void)h.set_state(req, &out);
    });
  } else if (r < 30) {
    // StreamWork, replacing the desktop's stream if it has one (its OnDone then reports it).
    auto stream = std::make_shared<SimSubscriber<v1::WorkEvent>>();
    auto old = desk.stream;
    desk.stream = stream;
    desk.acted = true;
    act("stream_work " + agent, [agent, stream, old](RoutingHost& h) {
      if (!h.stream_work(agent, stream).ok()) stream->finish(absl::UnavailableError("refused"));
      if (old) h.stream_work_ended(agent, old);
    });
  } else if (r < 35) {
    if (!desk.stream) return;
    auto stream = desk.stream;
    stream->close();
    desk.stream.reset();
    act("disconnect " + agent,
        [agent, stream](RoutingHost& h) { h.stream_work_ended(agent, stream); });
  } else if (r < 60) {
    const std::string id = pick_from(desk.offers);
    const bool accept = world_.chance(0.8);
    act(std::string(accept ? "accept " : "reject ") + agent + " " + id,
        [this, agent, id, accept](RoutingHost& h) {
          v1::OfferRequest req;
          req.set_agent(agent);
          req.set_interaction_id(id);
          v1::AgentStatus out;
          if (!accept) {
            (void)h.reject(req, &out);
            return;
          }
          if (!h.accept(req, &out).ok()) return;
          // Answered once journaled (as routerd does): then the journal has it assigned to the
          // agent, unless the host has moved it on since.
          const uint64_t unjournaled = h.answered_unjournaled();
          h.when_journaled([this, &h, agent, id, unjournaled](const absl::Status& s) {
            if (!s.ok()) return;
            ++stats_.accepted;
            // Answered from memory while the journal was away: written later, not checked here.
            if (h.answered_unjournaled() != unjournaled) return;
            v1::Interaction now;
            if (!h.get(scope(gateway_of(id)), id, &now).ok() || now.state() != v1::ASSIGNED ||
                now.agent() != agent) {
              return;
            }
            const SimJournal::Stored* stored = journal_.find(gateway_of(id) + "/" + id);
            if (stored == nullptr || !stored->live ||
                stored->entry.interaction().state() != v1::ASSIGNED ||
                stored->entry.interaction().agent() != agent) {
              violate("an answered accept is journaled",
                      id + " accepted by " + agent + " and answered, but the journal has it " +
                          (stored == nullptr
                               ? std::string("not at all")
                               : v1::InteractionState_Name(stored->entry.interaction().state()) +
                                     " to '" + stored->entry.interaction().agent() + "'"));
            }
            ++stats_.accepts_journal_checked;
          });
        });
  } else if (r < 80) {
    const std::string id = pick_from(desk.held);
    act("complete " + agent + " " + id, [this, agent, id](RoutingHost& h) {
      v1::CompleteRequest req;
      req.set_agent(agent);
      req.set_interaction_id(id);
      req.set_wrap_up_code("resolved");
      v1::AgentStatus out;
      if (h.complete(req, &out).ok()) ++stats_.completed;
    });
  } else if (r < 88) {
    const std::string id = pick_from(desk.held);
    act("end_wrap_up " + agent + " " + id, [agent, id](RoutingHost& h) {
      v1::OfferRequest req;
      req.set_agent(agent);
      req.set_interaction_id(id);
      v1::AgentStatus out;
      (void)h.end_wrap_up(req, &out);
    });
  } else {
    const std::string id = pick_from(desk.held);
    v1::TransferRequest req;
    req.set_agent(agent);
    req.set_interaction_id(id);
    if (world_.chance(0.5)) {
      req.set_queue(kQueues[world_.uniform(0, kQueues.size() - 1)]);
    } else {
      req.set_to_agent(kAgents[world_.uniform(0, kAgents.size() - 1)]);
    }
    act("transfer " + agent + " " + id + " to " + (req.has_queue() ? req.queue() : req.to_agent()),
        [req](RoutingHost& h) {
          v1::AgentStatus out;
          (void)h.transfer(req, &out);
        });
  }
}

void HostSimulation::supervisor_action() {
  const uint64_t r = world_.uniform(0, 99);
  const std::string id = pick_id();
  const std::string queue = kQueues[world_.uniform(0, kQueues.size() - 1)];
  if (r < 15) {
    act("queue_stats", [](RoutingHost& h) {
      v1::GetQueueStatsResponse out;
      (void)h.queue_stats({}, &out);
    });
  } else if (r < 30) {
    act("list_interactions " + queue, [queue](RoutingHost& h) {
      v1::ListInteractionsRequest req;
      req.set_queue(queue);
      v1::ListInteractionsResponse out;
      (void)h.list_interactions(req, &out);
    });
  } else if (r < 45) {
    act("explain " + id, [id](RoutingHost& h) {
      v1::ExplainRoutingRequest req;
      req.set_interaction_id(id);
      v1::ExplainRoutingResponse out;
      (void)h.explain_live(req, &out);
    });
  } else if (r < 65) {
    const int priority = static_cast<int>(world_.uniform(0, 100));
    act("set_priority " + id + " " + std::to_string(priority), [id, priority](RoutingHost& h) {
      v1::SetInteractionPriorityRequest req;
      req.set_interaction_id(id);
      req.set_priority(priority);
      v1::Interaction out;
      (void)h.set_priority(req, &out);
    });
  } else if (r < 80) {
    act("move " + id + " to " + queue, [id, queue](RoutingHost& h) {
      v1::MoveInteractionRequest req;
      req.set_interaction_id(id);
      req.set_queue(queue);
      v1::Interaction out;
      (void)h.move(req, &out);
    });
  } else if (r < 90) {
    if (watchers_.size() >= 2 || world_.chance(0.3)) {
      if (!watchers_.empty()) {
        watchers_.front()->close();
        watchers_.erase(watchers_.begin());
        trace_.push_back("watch_interactions closed");
      }
      return;
    }
    auto w = std::make_shared<SimSubscriber<v1::InteractionEvent>>();
    watchers_.push_back(w);
    const std::string submitter = world_.chance(0.5) ? "gw-even" : "gw-odd";
    act("watch_interactions " + submitter,
        [w, submitter](RoutingHost& h) { h.watch_interactions(scope(submitter), {}, w); });
  } else {
    if (queue_watchers_.size() >= 2 || world_.chance(0.3)) {
      if (!queue_watchers_.empty()) {
        queue_watchers_.front()->close();
        queue_watchers_.erase(queue_watchers_.begin());
        trace_.push_back("watch_queues closed");
      }
      return;
    }
    auto w = std::make_shared<SimSubscriber<v1::GetQueueStatsResponse>>();
    queue_watchers_.push_back(w);
    act("watch_queues", [w](RoutingHost& h) {
      v1::WatchQueuesRequest req;
      req.set_interval_s(1);
      if (!h.watch_queues(req, w).ok()) w->finish(absl::UnavailableError("refused"));
    });
  }
}

void HostSimulation::fault_action() {
  const uint64_t r = world_.uniform(0, 99);
  if (r < 25) {
    const auto length =
        world_.duration_between(std::chrono::milliseconds(200), std::chrono::seconds(12));
    trace_.push_back("journal outage " + std::to_string(length.count()) + " ms");
    ++stats_.outages;
    journal_.outage(length);
  } else if (r < 60) {
    JournalFaults f;
    f.late = world_.chance(0.6) ? 0.3 : 0.0;
    f.timeout = world_.chance(0.5) ? 0.2 : 0.0;
    f.timeout_stored = 0.5;
    trace_.push_back("journal faults late=" + std::to_string(f.late) +
                     " timeout=" + std::to_string(f.timeout));
    journal_.set_faults(f);
  } else if (r < 90) {
    CustomerFaults f;
    f.inline_answer = world_.chance(0.5) ? 0.3 : 0.0;
    f.late = world_.chance(0.5) ? 0.4 : 0.0;
    f.degraded = world_.chance(0.4) ? 0.3 : 0.0;
    trace_.push_back("customer faults late=" + std::to_string(f.late) +
                     " degraded=" + std::to_string(f.degraded));
    customers_->faults = f;
  } else {
    trace_.push_back("faults off");
    quiet_faults();
  }
}

}  // namespace router::sim
