// The host simulation's invariants, checked after every step; see host_simulation.h.
#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "tests/simulation/host_simulation.h"
#include "tests/simulation/sim_center.h"

namespace router::sim {

using adapters::host::RoutingHost;
using namespace simcenter;  // NOLINT(google-build-using-namespace): the shared center

// ---------------------------------------------------------------------------------------------
// Invariants.

void HostSimulation::violate(const std::string& invariant, const std::string& detail) const {
  throw Violation(invariant, step_,
                  "invariant '" + invariant + "' broken at step " + std::to_string(step_) +
                      " (t=" + std::to_string(world_.now().time_since_epoch().count()) +
                      " ms, host incarnation " + std::to_string(incarnation_->number()) +
                      "): " + detail);
}

std::string HostSimulation::trace() const {
  std::ostringstream out;
  for (const auto& t : trace_) out << "  " << t << "\n";
  return out.str();
}

void HostSimulation::check() {
  const RoutingHost& h = *host_;
  // The engine's own recount: queues, capacity, offers and assignments agree.
  if (auto s = h.router().audit(world_.now()); !s.ok()) {
    violate("the engine's audit passes", s.error().message);
  }
  const std::vector<std::string> live_list = h.live_client_ids();  // scoped ids
  std::unordered_set<std::string> live;                            // client ids
  for (const std::string& id : live_list) live.insert(id.substr(id.find('/') + 1));
  // One engine interaction per client id: a replay never becomes a second interaction.
  if (h.router().live_count() != live.size()) {
    violate("a replay answers the same interaction",
            "the engine holds " + std::to_string(h.router().live_count()) +
                " live interactions, the host tracks " + std::to_string(live.size()) +
                " client ids");
  }

  // Nothing is assigned to two agents.
  v1::ListAgentsResponse agents;
  if (auto s = h.list_agents({}, &agents); !s.ok()) violate("list_agents answers", s.ToString());
  std::map<std::string, std::string> holder;
  for (const auto& a : agents.agents()) {
    for (const std::string& id : a.work()) {
      auto [it, fresh] = holder.emplace(id, a.agent());
      if (!fresh) {
        violate("nothing is assigned to two agents",
                id + " is in the work of both " + it->second + " and " + a.agent());
      }
      if (!live.count(id)) {
        violate("nothing is assigned to two agents",
                id + " is in " + a.agent() + "'s work but is not live in the host");
      }
    }
  }

  // Sessions across a restart: an agent recovery logged in again whose desktop did not come back
  // (no login, no StreamWork) is logged out once its grace period has passed, its work requeued.
  if (!restored_agents_.empty() &&
      world_.now() - restarted_at_ > center().daemon.agent_grace + std::chrono::seconds(1)) {
    for (const auto& a : agents.agents()) {
      if (!restored_agents_.count(a.agent())) continue;
      const size_t index = static_cast<size_t>(
          std::find(kAgents.begin(), kAgents.end(), a.agent()) - kAgents.begin());
      if (index < desks_.size() && desks_[index].acted) continue;
      if (a.state() != v1::LOGGED_OUT) {
        violate("a restored agent whose desktop does not come back is logged out after its grace",
                a.agent() + " is " + v1::AgentState_Name(a.state()) + " " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       world_.now() - restarted_at_)
                                       .count()) +
                    " ms after the restart with no desktop");
      }
      ++stats_.grace_logouts_checked;
    }
    restored_agents_.clear();
  }

  // Every acked submit is live xor finished; it never vanishes.
  for (const auto& [id, a] : acked_) {
    const bool is_live = live.count(id) > 0;
    v1::Interaction out;
    const bool known = h.get(scope(gateway_of(id)), id, &out).ok();
    const bool finished = known && is_final(out.state());
    if (is_live && finished) {
      violate("each acknowledged submit is live or finished exactly once",
              id + " is live and also reported " + v1::InteractionState_Name(out.state()));
    }
    if (is_live || finished) continue;
    const SimJournal::Stored* stored = journal_.find(gateway_of(id) + "/" + id);
    if (finished_before_restart_.count(id) && stored != nullptr && !stored->live) continue;
    violate("each acknowledged submit is live or finished exactly once",
            id + " was acknowledged but the host has it neither live nor finished (get: " +
                (known ? v1::InteractionState_Name(out.state()) : std::string("NOT_FOUND")) +
                "; journal: " +
                (stored == nullptr ? std::string("no entry")
                 : stored->live    ? std::string("live")
                                   : std::string("finished")) +
                ")");
  }

  // Durability: everything live in the host is live in the journal (appended before it was
  // admitted, finished only after it ended).
  for (const std::string& id : live_list) {
    const SimJournal::Stored* stored = journal_.find(id);
    if (stored == nullptr || !stored->live) {
      violate("every live interaction is journaled",
              id + " is live in the host but " +
                  (stored == nullptr ? "has no journal entry" : "is finished in the journal"));
    }
  }

  check_answered(kAnswerWithin);
}

void HostSimulation::check_answered(engine::Duration older_than) {
  for (const auto& c : calls_) {
    if (c->incarnation != incarnation_->number() || c->done > 0) continue;
    if (world_.now() - c->issued < older_than) continue;
    violate("every submit's done runs eventually",
            "submit " + c->id + " issued at t=" +
                std::to_string(c->issued.time_since_epoch().count()) + " ms has no answer");
  }
  // Answered calls of crashed incarnations are settled history.
  std::erase_if(calls_, [&](const auto& c) {
    return c->done > 0 && c->incarnation != incarnation_->number();
  });
}

void HostSimulation::check_recovery(const std::vector<v1::JournalEntry>& loaded,
                                    const RoutingHost::RecoveryReport& report) {
  stats_.recovered += report.recovered;
  stats_.held_at_recovery += report.held_restored;
  stats_.agents_at_recovery += report.agents_restored;
  if (report.dropped != 0) {
    violate("after a restart the host's state equals the journal's",
            std::to_string(report.dropped) +
                " journal entries dropped at recovery with an unchanged configuration");
  }
  // Keyed by scoped id, as journaled; get() as a gateway granted every gateway.
  const adapters::host::GatewayScope all{"", {}, /*sees_all=*/true};
  std::map<std::string, const v1::JournalEntry*> expected;  // back in a queue
  std::map<std::string, const v1::JournalEntry*> held;      // accepted: back with their agent
  for (const auto& e : loaded) {
    const auto state = e.interaction().state();
    if (state == v1::ASSIGNED || state == v1::WRAP_UP) {
      held.emplace(e.interaction().interaction_id(), &e);
    } else {
      expected.emplace(e.interaction().interaction_id(), &e);
    }
  }
  const RoutingHost& h = *host_;
  const auto live_list = h.live_client_ids();
  const std::set<std::string> live(live_list.begin(), live_list.end());
  for (const auto& [id, entry] : expected) {
    v1::Interaction out;
    if (!h.get(all, id, &out).ok()) out.set_state(v1::RECEIVED);  // unknown: reported below
    const std::string& was = entry->interaction().queue();
    if (live.count(id) && out.queue() == was) continue;
    // The engine recovers an interaction with its original arrival as the time it entered its
    // queue (the journal keeps no other), so a recovered one may overflow or expire at once:
    // allowed only when that much time has passed since the arrival.
    const engine::QueueConfig* q = nullptr;
    for (const auto& c : center().queues) {
      if (c.name == was) q = &c;
    }
    const auto waited = world_.wall(world_.now()) -
                        std::chrono::system_clock::time_point(
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                std::chrono::nanoseconds(entry->arrived_unix_ns())));
    if (q != nullptr && live.count(id) && q->overflow_after && waited >= *q->overflow_after &&
        out.queue() == center().queues[q->overflow_queue.value()].name) {
      ++stats_.overflowed_at_recovery;
      continue;
    }
    if (q != nullptr && !live.count(id) && out.state() == v1::EXPIRED && q->max_wait &&
        waited >= *q->max_wait) {
      ++stats_.expired_at_recovery;
      continue;
    }
    violate("after a restart the host's state equals the journal's",
            id + " is " + v1::InteractionState_Name(entry->interaction().state()) + " in queue '" +
                was + "' in the journal, but after recovery it is " +
                (live.count(id) ? "live" : "not live") + " and " +
                (out.state() == v1::RECEIVED
                     ? std::string("unknown to get()")
                     : v1::InteractionState_Name(out.state()) + " in queue '" + out.queue() + "'"));
  }
  for (const std::string& id : live) {
    if (!expected.count(id) && !held.count(id)) {
      violate("after a restart the host's state equals the journal's",
              id + " is live in the recovered host but not among the journal's live entries");
    }
  }
  // Accepted work stays with its agent across a restart: held by the agent the journal names, in
  // the same state, unless that agent cannot take it back (past its capacity: a journal that
  // missed the agent's last changes), and then it waits again.
  size_t requeued = 0;
  for (const auto& [id, entry] : held) {
    v1::Interaction out;
    const bool known = h.get(all, id, &out).ok();
    if (known && live.count(id) && out.state() == entry->interaction().state() &&
        out.agent() == entry->interaction().agent()) {
      continue;
    }
    // Waiting again: live, or already past its maximum wait (its wait counts from arrival).
    if (!known || (!live.count(id) && out.state() != v1::EXPIRED)) {
      violate("accepted work stays with its agent across a restart",
              id + " was " + v1::InteractionState_Name(entry->interaction().state()) + " to " +
                  entry->interaction().agent() + " at the crash but is " +
                  (known ? v1::InteractionState_Name(out.state()) : std::string("unknown")) +
                  " after recovery");
    }
    ++requeued;
  }
  if (requeued != report.held_requeued || report.held_restored + requeued != held.size()) {
    violate("accepted work stays with its agent across a restart",
            std::to_string(held.size()) + " accepted at the crash, " +
                std::to_string(report.held_restored) + " restored and " +
                std::to_string(report.held_requeued) + " requeued by the report, but " +
                std::to_string(requeued) + " not with their agent");
  }
  // Every agent the journal has logged in is logged in again (its grace period runs).
  v1::ListAgentsResponse agents;
  (void)h.list_agents({}, &agents);
  restored_agents_.clear();
  for (const auto& a : agents.agents()) {
    if (a.state() != v1::LOGGED_OUT) restored_agents_.insert(a.agent());
  }
  for (const auto& [name, session] : journal_.agents()) {
    if (session.logged_in() && !restored_agents_.count(name)) {
      violate("agents keep their session across a restart",
              name + " is logged in in the journal but logged out after recovery");
    }
  }
  finished_before_restart_.clear();
  for (const auto& [id, a] : acked_) {
    const std::string scoped = gateway_of(id) + "/" + id;
    if (!expected.count(scoped) && !held.count(scoped)) finished_before_restart_.insert(id);
  }
}

}  // namespace router::sim
