// Deterministic simulation (the FoundationDB/TigerBeetle habit): from one seed, a random small
// contact center and a random sequence of commands, applied to two routers, the indexed one
// and the naive-scan reference. After every step: both answered alike and emitted the same
// events; nothing is lost or duplicated; nothing is on two agents; nobody is over capacity;
// every transition seen is legal; queue statistics agree with a recount; and Router::audit()
// (the engine's own full recount, including "no waiting interaction has a free eligible
// agent") holds.
//
// Seeds: ROUTER_SEED=<n> runs one seed (a failure prints it); ROUTER_SEEDS=<count> sets how
// many (default 2000); ROUTER_STEPS=<n> steps per seed (default 250).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <type_traits>

#include "engine/builders.h"

namespace router::engine::testing {
namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Failure {
  std::string what;
};

class Simulation {
 public:
  explicit Simulation(uint64_t seed) : rng_(seed) {}

  const std::map<std::string, uint64_t>& tally() const { return tally_; }

  // Returns an empty string on success, else a description of the first failure.
  std::string run(int steps) {
    try {
      build();
      for (step_ = 0; step_ < steps; ++step_) {
        one_step();
        check();
      }
      // Let every timer run out: the center must drain what it can without breaking.
      now_ += std::chrono::hours(2);
      apply("advance 2h", [&](Router& r) {
        r.advance(now_);
        return Status();
      });
      check();
    } catch (const Failure& f) {
      return "step " + std::to_string(step_) + " (" + last_command_ + "): " + f.what;
    }
    return {};
  }

 private:
  std::mt19937_64 rng_;
  const RouterConfig cfg_ = config();  // before the routers: both are built from it
  std::unique_ptr<Router> indexed_owned_ = make_router(cfg_, MatchMode::kIndexed);
  std::unique_ptr<Router> naive_owned_ = make_router(cfg_, MatchMode::kNaiveScan);
  Router& indexed_ = *indexed_owned_;
  Router& naive_ = *naive_owned_;
  TimePoint now_{std::chrono::hours(1)};
  int step_ = 0;
  std::string last_command_;
  std::vector<SkillId> skills_;
  std::vector<QueueId> queues_;
  std::vector<QueueConfig> queue_cfgs_;
  std::vector<AgentProfile> profiles_;
  uint64_t next_id_ = 1;
  std::set<uint64_t> live_;  // submitted and not finished, as the events tell it
  std::map<uint64_t, InteractionState> last_state_;
  // Multi-offer, as the events tell it: the agents each OFFERED interaction rings, and the one
  // interaction each agent has an offer of.
  std::map<uint64_t, std::set<uint32_t>> ringing_;
  std::map<uint32_t, uint64_t> offer_of_;
  std::map<uint32_t, AgentState> agent_state_;
  std::map<std::string, uint64_t> tally_;  // event kinds seen, to show the run did real work

  // Half the seeds blend: channel costs against agents' budgets, and calls over other work.
  RouterConfig config() {
    RouterConfig c;
    c.stats_window = std::chrono::minutes(5);
    c.stats_buckets = 10;
    if (chance(0.5)) {
      static const int kCosts[] = {0, 20, 35, 50, 100};
      for (int& cost : c.blending.cost) cost = kCosts[pick(5)];
      c.blending.call_over_other_work = chance(0.5);
    }
    return c;
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T>
  const T& any_of(const std::vector<T>& v) {
    return v[static_cast<size_t>(pick(static_cast<int>(v.size())))];
  }

  [[noreturn]] void fail(const std::string& what) { throw Failure{what}; }

  template <class F>
  void apply(std::string command, F&& f) {
    last_command_ = std::move(command);
    indexed_.clear_events();
    naive_.clear_events();
    const Status a = f(indexed_);
    const Status b = f(naive_);
    if (a.ok() != b.ok() || (!a.ok() && a.error().code != b.error().code)) {
      fail("indexed and naive answered differently: " + (a.ok() ? "ok" : a.error().message) +
           " vs " + (b.ok() ? "ok" : b.error().message));
    }
    compare_events();
  }

  void compare_events() {
    const auto& x = indexed_.events();
    const auto& y = naive_.events();
    for (size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
      const std::string dx = i < x.size() ? describe(x[i]) : "(none)";
      const std::string dy = i < y.size() ? describe(y[i]) : "(none)";
      if (dx != dy)
        fail("event " + std::to_string(i) + " differs: indexed " + dx + " / naive " + dy);
    }
    for (const Event& e : x) {
      observe(e);
      const std::string d = describe(e);
      const size_t from = d.find(' ') + 1;
      ++tally_[d.substr(from, d.find(' ', from) - from)];
    }
  }

  // Track what the events say, to check it against the router's own answers: every
  // interaction's state follows its events, one legal transition at a time.
  void observe(const Event& e) {
    auto move_to = [&](InteractionId id, InteractionState to) {
      auto found = last_state_.find(id.value());
      if (found == last_state_.end()) fail("event for an interaction not live: " + describe(e));
      if (!is_legal_transition(found->second, to)) {
        fail("illegal transition " + std::string(to_string(found->second)) + " -> " +
             std::string(to_string(to)) + ": " + describe(e));
      }
      found->second = to;
    };
    // Its offers end (accepted, requeued, abandoned, expired, moved): all but `keep`'s must have
    // ended one by one before.
    auto offers_end = [&](InteractionId id, std::optional<AgentId> keep) {
      auto ringing = ringing_.find(id.value());
      if (ringing == ringing_.end()) return;
      if (keep && ringing->second != std::set<uint32_t>{keep->value()})
        fail("answered or requeued while other offers were pending: " + describe(e));
      for (uint32_t a : ringing->second) offer_of_.erase(a);
      ringing_.erase(ringing);
    };
    auto finish = [&](InteractionId id, InteractionState to) {
      offers_end(id, std::nullopt);
      move_to(id, to);
      live_.erase(id.value());
      last_state_.erase(id.value());
    };
    using S = InteractionState;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, AgentStateChangedEvent>) {
            auto& seen = agent_state_[v.agent.value()];
            if (seen != v.from) fail("agent event does not follow its last state: " + describe(e));
            // NOT_READY to NOT_READY: the reason changed (set_not_ready), not the state.
            const bool reason_only = v.from == v.to && v.to == AgentState::kNotReady;
            if (!reason_only && !is_legal_transition(v.from, v.to))
              fail("illegal agent transition: " + describe(e));
            seen = v.to;
          } else if constexpr (std::is_same_v<T, ScheduledEvent>) {
            if (!live_.insert(v.interaction.value()).second)
              fail("scheduled twice: " + describe(e));
            last_state_[v.interaction.value()] = S::kReceived;
            move_to(v.interaction, S::kScheduled);
          } else if constexpr (std::is_same_v<T, QueuedEvent>) {
            // A scheduled work item is live already: its time came.
            const auto was = last_state_.find(v.interaction.value());
            if (was == last_state_.end() || was->second != S::kScheduled) {
              if (!live_.insert(v.interaction.value()).second) fail("queued twice: " + describe(e));
              last_state_[v.interaction.value()] = S::kReceived;
            }
            move_to(v.interaction, S::kQueued);
          } else if constexpr (std::is_same_v<T, OfferedEvent>) {
            // Multi-offer: more offers of an OFFERED interaction, each to an agent without one.
            const auto& state = last_state_.find(v.interaction.value());
            if (state == last_state_.end() || state->second != S::kOffered) {
              move_to(v.interaction, S::kOffered);
            }
            if (!offer_of_.emplace(v.agent.value(), v.interaction.value()).second)
              fail("an agent with two pending offers: " + describe(e));
            if (!ringing_[v.interaction.value()].insert(v.agent.value()).second)
              fail("offered twice to one agent: " + describe(e));
          } else if constexpr (std::is_same_v<T, OfferEndedEvent>) {
            auto ringing = ringing_.find(v.interaction.value());
            if (ringing == ringing_.end() || ringing->second.erase(v.agent.value()) != 1)
              fail("an offer ended that was not pending: " + describe(e));
            if (ringing->second.empty())
              fail("the last offer ended without a requeue: " + describe(e));
            offer_of_.erase(v.agent.value());
          } else if constexpr (std::is_same_v<T, AssignedEvent>) {
            // Never assigned twice: only from OFFERED (move_to), only to an agent it rang.
            offers_end(v.interaction, v.agent);
            move_to(v.interaction, S::kAssigned);
          } else if constexpr (std::is_same_v<T, RequeuedEvent>) {
            if (last_state_.count(v.interaction.value()) &&
                last_state_.at(v.interaction.value()) == S::kOffered) {
              offers_end(v.interaction, v.agent);
            }
            move_to(v.interaction, S::kQueued);
          } else if constexpr (std::is_same_v<T, WrapUpStartedEvent>) {
            move_to(v.interaction, S::kWrapUp);
          } else if constexpr (std::is_same_v<T, CompletedEvent>) {
            finish(v.interaction, S::kCompleted);
          } else if constexpr (std::is_same_v<T, AbandonedEvent>) {
            finish(v.interaction, S::kAbandoned);
          } else if constexpr (std::is_same_v<T, ExpiredEvent>) {
            finish(v.interaction, S::kExpired);
          } else if constexpr (std::is_same_v<T, OverflowedEvent> ||
                               std::is_same_v<T, ExpandedEvent> || std::is_same_v<T, MovedEvent> ||
                               std::is_same_v<T, TransferredToAgentEvent>) {
            if (ringing_.count(v.interaction.value()))
              fail("moved with offers pending: " + describe(e));
            move_to(v.interaction, S::kQueued);
          } else if constexpr (std::is_same_v<T, HeadroomChangedEvent>) {
            // A queue's risk changed; no interaction moves by it.
          } else {
            static_assert(std::is_same_v<T, PriorityChangedEvent>);
          }
        },
        e.body);
  }

  void build() {
    const int n_skills = 3 + pick(4);
    for (int s = 0; s < n_skills; ++s) {
      const std::string name = "skill" + std::to_string(s);
      auto a = indexed_.add_skill(name);
      auto b = naive_.add_skill(name);
      if (!a.ok() || !b.ok()) fail("add_skill");
      skills_.push_back(a.value());
    }
    const int n_queues = 2 + pick(4);
    for (int q = 0; q < n_queues; ++q) {
      QueueConfig c;
      c.name = "queue" + std::to_string(q);
      c.channels.reset();
      c.channels.set(static_cast<size_t>(pick(kChannelCount)));
      if (chance(0.3)) c.channels.set(static_cast<size_t>(pick(kChannelCount)));
      const int n_req = pick(3);
      std::set<SkillId> used;
      for (int r = 0; r < n_req; ++r) {
        SkillId s = any_of(skills_);
        if (used.insert(s).second) c.required_skills.push_back({s, 1 + pick(8)});
      }
      c.language_required = chance(0.25);
      c.priority = pick(3);
      c.service_level.threshold = std::chrono::seconds(10 + pick(30));
      c.offer_timeout = std::chrono::seconds(5 + pick(15));
      c.wrap_up = chance(0.2) ? Duration::zero() : std::chrono::seconds(pick(20));
      if (chance(0.4)) c.max_wait = std::chrono::seconds(60 + pick(600));
      if (chance(0.6)) {
        c.expansion.push_back(
            {std::chrono::seconds(10 + pick(30)), 1 + pick(3), false, std::nullopt, std::nullopt});
        // Conditional group routing: the step also waits for the queue's EWT or SL.
        if (chance(0.3)) c.expansion.back().when_ewt_over = std::chrono::seconds(30 + pick(300));
        if (chance(0.3)) c.expansion.back().when_sl_under = 0.5 + 0.1 * pick(5);
        if (chance(0.5))
          c.expansion.push_back(
              {std::chrono::seconds(60 + pick(60)), 0, true, std::nullopt, std::nullopt});
      }
      // Headroom: while the queue is at risk its agents take no new work of other channels.
      if (chance(0.3)) {
        if (chance(0.5)) c.reserve_agents_when.sl_under = 0.5 + 0.1 * pick(5);
        if (chance(0.5)) c.reserve_agents_when.ewt_over = std::chrono::seconds(5 + pick(60));
      }
      if (q > 0 && chance(0.4)) {
        c.overflow_after = std::chrono::seconds(30 + pick(120));
        c.overflow_queue = queues_[static_cast<size_t>(pick(q))];
      }
      // Arrival rules: a small waiting cap, and what a full or unstaffed queue does with an
      // arrival (overflow only where there is an earlier queue to go to).
      if (chance(0.3)) {
        c.max_waiting = static_cast<size_t>(2 + pick(8));
        c.when_full = ArrivalAction::kRefuse;
        c.when_no_agents = static_cast<ArrivalAction>(pick(2) == 0 ? 0 : 2);  // wait or refuse
        if (q > 0 && chance(0.5)) {
          if (!c.overflow_queue.valid()) c.overflow_queue = queues_[static_cast<size_t>(pick(q))];
          (chance(0.5) ? c.when_full : c.when_no_agents) = ArrivalAction::kOverflow;
        }
      }
      // Preferred-agent hold: a few seconds to a couple of minutes.
      if (chance(0.4)) c.hold_for_agent = std::chrono::seconds(1 + pick(120));
      // Reverse bullseye: agents idle this long join the queue without its skills.
      if (chance(0.3)) c.add_idle_agents_after = std::chrono::seconds(5 + pick(60));
      // Multi-offer: a few agents at once, or ring-all.
      if (chance(0.3)) c.offer_to = chance(0.3) ? kOfferToAll : 2 + pick(3);
      if (chance(0.3)) {
        Weights w;
        for (double& x : w.w) x = pick(4) * 0.5 * (chance(0.5) ? 1.0 : 0.1);
        c.weights = WeightOverrides::all(w);
        if (chance(0.5)) c.weights[static_cast<Term>(pick(kTermCount))].reset();
      }
      auto a = indexed_.add_queue(c);
      auto b = naive_.add_queue(c);
      if (!a.ok() || !b.ok())
        fail("add_queue: " + (a.ok() ? b.error().message : a.error().message));
      queues_.push_back(a.value());
      queue_cfgs_.push_back(c);
    }
    const int n_agents = 2 + pick(10);
    static const std::vector<std::string> kLanguages{"en", "es", "zh"};
    for (int i = 0; i < n_agents; ++i) {
      AgentProfile p;
      p.name = "agent" + std::to_string(i);
      p.skills = random_skills();
      p.languages.push_back(any_of(kLanguages));
      if (chance(0.4)) p.languages.push_back(any_of(kLanguages));
      for (int ch = 0; ch < kChannelCount; ++ch) {
        p.capacity.max[static_cast<size_t>(ch)] = chance(0.2) ? 0 : 1 + pick(3);
      }
      if (chance(0.5)) p.capacity.budget = 50 + 25 * pick(5);
      // The agent's own queue order: decision 2 takes its best-ranked queue with any work first.
      if (chance(0.5)) p.queue_order = random_queue_order();
      auto a = indexed_.add_agent(p);
      auto b = naive_.add_agent(p);
      if (!a.ok() || !b.ok()) fail("add_agent");
      profiles_.push_back(p);
      agent_state_[a.value().value()] = AgentState::kLoggedOut;
    }
  }

  std::vector<SkillLevel> random_skills() {
    std::vector<SkillLevel> out;
    for (SkillId s : skills_) {
      if (chance(0.6)) out.push_back({s, 1 + pick(10)});
    }
    return out;
  }

  // Some of the queues, in a random order (empty now and then).
  std::vector<QueueId> random_queue_order() {
    std::vector<QueueId> order = queues_;
    std::shuffle(order.begin(), order.end(), rng_);
    order.resize(static_cast<size_t>(pick(static_cast<int>(order.size()) + 1)));
    return order;
  }

  AgentId random_agent() {
    return AgentId(static_cast<uint32_t>(pick(static_cast<int>(profiles_.size()))));
  }

  // A live interaction id (or, rarely, one that does not exist).
  InteractionId random_interaction() {
    if (live_.empty() || chance(0.03)) return InteractionId(next_id_ + 1000);
    auto it = live_.begin();
    std::advance(it, pick(static_cast<int>(live_.size())));
    return InteractionId(*it);
  }

  // An agent's pending offer, if it has one.
  std::optional<InteractionId> offer_of(AgentId a) {
    auto snap = indexed_.agent(a, now_);
    for (InteractionId id : snap.value().work) {
      if (indexed_.interaction(id).value().state == InteractionState::kOffered) return id;
    }
    return std::nullopt;
  }
  std::optional<InteractionId> held_by(AgentId a, InteractionState want) {
    auto snap = indexed_.agent(a, now_);
    for (InteractionId id : snap.value().work) {
      if (indexed_.interaction(id).value().state == want) return id;
    }
    return std::nullopt;
  }

  // Usually an agent that has what the command needs (an offer, assigned work, wrap-up), so
  // that most commands are valid ones; sometimes any agent, so that refusals are exercised too.
  AgentId agent_with(InteractionState want) {
    std::vector<AgentId> with;
    for (uint32_t i = 0; i < profiles_.size(); ++i) {
      if (held_by(AgentId(i), want)) with.push_back(AgentId(i));
    }
    return with.empty() || chance(0.1) ? random_agent() : any_of(with);
  }

  void one_step() {
    // Time passes a little every step; now and then a lot.
    const int jump = pick(100);
    if (jump < 3) {
      now_ += std::chrono::seconds(60 + pick(600));
    } else if (jump < 60) {
      now_ += std::chrono::milliseconds(pick(4000));
    }
    const AgentId a = random_agent();
    const std::string who = " agent" + std::to_string(a.value());
    switch (pick(22)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        InteractionSpec s = random_spec();
        apply("submit " + std::to_string(s.id.value()) + " to q" + std::to_string(s.queue.value()),
              [&](Router& r) {
                auto res = r.submit(s, now_);
                return res.ok() ? Status() : Status(res.error());
              });
        break;
      }
      case 4: {
        const InteractionId id = random_interaction();
        apply("cancel " + std::to_string(id.value()),
              [&](Router& r) { return r.cancel(id, now_); });
        break;
      }
      case 5:
      case 20:
      case 21: {
        const bool ready = chance(0.7);
        apply("login" + who, [&](Router& r) { return r.login(a, ready, now_); });
        break;
      }
      case 6: {
        const LogoutMode mode = pick(2) ? LogoutMode::kForced : LogoutMode::kGraceful;
        apply("logout" + who, [&](Router& r) { return r.logout(a, mode, now_); });
        break;
      }
      case 7:
      case 8: apply("ready" + who, [&](Router& r) { return r.set_ready(a, now_); }); break;
      case 9:
        apply("not ready" + who, [&](Router& r) { return r.set_not_ready(a, "break", now_); });
        break;
      case 10:
      case 11: {
        const AgentId a = agent_with(InteractionState::kOffered);
        const std::string who = " agent" + std::to_string(a.value());
        const InteractionId id = offer_of(a).value_or(random_interaction());
        apply("accept " + std::to_string(id.value()) + who,
              [&](Router& r) { return r.accept(a, id, now_); });
        break;
      }
      case 12: {
        const AgentId a = agent_with(InteractionState::kOffered);
        const std::string who = " agent" + std::to_string(a.value());
        const InteractionId id = offer_of(a).value_or(random_interaction());
        apply("reject " + std::to_string(id.value()) + who,
              [&](Router& r) { return r.reject(a, id, now_); });
        break;
      }
      case 13: {
        const AgentId a = agent_with(InteractionState::kAssigned);
        const std::string who = " agent" + std::to_string(a.value());
        const InteractionId id =
            held_by(a, InteractionState::kAssigned).value_or(random_interaction());
        apply("complete " + std::to_string(id.value()) + who,
              [&](Router& r) { return r.complete(a, id, "done", now_); });
        break;
      }
      case 14: {
        const AgentId a = agent_with(InteractionState::kWrapUp);
        const std::string who = " agent" + std::to_string(a.value());
        const InteractionId id =
            held_by(a, InteractionState::kWrapUp).value_or(random_interaction());
        apply("end wrap-up " + std::to_string(id.value()) + who,
              [&](Router& r) { return r.end_wrap_up(a, id, now_); });
        break;
      }
      case 15: {
        const AgentId a = agent_with(InteractionState::kAssigned);
        const std::string who = " agent" + std::to_string(a.value());
        const InteractionId id =
            held_by(a, InteractionState::kAssigned).value_or(random_interaction());
        if (chance(0.5)) {
          const QueueId q = any_of(queues_);
          apply(
              "transfer " + std::to_string(id.value()) + who + " to q" + std::to_string(q.value()),
              [&](Router& r) { return r.transfer_to_queue(a, id, q, now_); });
        } else {
          const AgentId b = random_agent();
          apply("transfer " + std::to_string(id.value()) + who + " to agent" +
                    std::to_string(b.value()),
                [&](Router& r) { return r.transfer_to_agent(a, id, b, now_); });
        }
        break;
      }
      case 16: {
        if (chance(0.3)) {
          auto order = random_queue_order();
          apply("queue order" + who,
                [&](Router& r) { return r.set_agent_queue_order(a, order, now_); });
          break;
        }
        auto skills = random_skills();
        apply("skills" + who, [&](Router& r) { return r.update_agent_skills(a, skills, now_); });
        break;
      }
      case 17: {
        const InteractionId id = random_interaction();
        const int p = pick(4);
        apply("priority " + std::to_string(id.value()),
              [&](Router& r) { return r.set_priority(id, p, now_); });
        break;
      }
      case 18: {
        const InteractionId id = random_interaction();
        const QueueId q = any_of(queues_);
        apply("move " + std::to_string(id.value()) + " to q" + std::to_string(q.value()),
              [&](Router& r) { return r.move(id, q, now_); });
        break;
      }
      default: {
        // Run the clock to the next due-time, as a host does.
        auto due = indexed_.next_deadline();
        if (due != naive_.next_deadline()) fail("next_deadline differs");
        if (due && *due > now_) now_ = *due;
        apply("advance", [&](Router& r) {
          r.advance(now_);
          return Status();
        });
        break;
      }
    }
  }

  InteractionSpec random_spec() {
    static const std::vector<std::string> kLanguages{"", "en", "es", "zh"};
    InteractionSpec s;
    s.id = InteractionId(next_id_++);
    const size_t qi = static_cast<size_t>(pick(static_cast<int>(queues_.size())));
    s.queue = queues_[qi];
    std::vector<Channel> allowed;
    for (int ch = 0; ch < kChannelCount; ++ch) {
      if (queue_cfgs_[qi].channels[static_cast<size_t>(ch)])
        allowed.push_back(static_cast<Channel>(ch));
    }
    s.channel = chance(0.05) ? static_cast<Channel>(pick(kChannelCount)) : any_of(allowed);
    s.customer.segment = static_cast<Segment>(pick(kSegmentCount));
    s.customer.lifetime_value = pick(5) * 30000.0;
    if (chance(0.3)) s.customer.preferred_agent = random_agent();
    if (chance(0.3)) s.customer.last_agent = random_agent();
    s.language = any_of(kLanguages);
    s.priority = pick(3);
    if (chance(0.15)) s.extra_skills.push_back({any_of(skills_), 1 + pick(6)});
    if (chance(0.05)) s.arrival = now_ - std::chrono::seconds(pick(200));
    // Work items: a due time from overdue to days ahead (rank_from before and after now), now
    // and then one not routed before a later time; sometimes on another channel, refused.
    if (s.channel == Channel::kWorkItem || chance(0.01)) {
      if (chance(0.7)) s.due = now_ + std::chrono::seconds(pick(4 * 3600) - 600);
      if (chance(0.2)) s.not_before = now_ + std::chrono::seconds(pick(120) - 10);
    }
    if (chance(0.02)) s.id = random_interaction();  // a live id: must be refused
    return s;
  }

  void check() {
    for (Router* r : {&indexed_, &naive_}) {
      if (Status s = r->audit(now_); !s)
        fail((r == &indexed_ ? "indexed " : "naive ") + s.error().message);
    }
    // Nothing lost, nothing duplicated: the events' live set is the router's live set.
    std::set<uint64_t> live;
    for (InteractionId id : indexed_.live_interactions()) live.insert(id.value());
    if (live != live_) fail("live set differs from what the events tell");
    // Never on two agents; nobody over capacity; agent states as the events tell.
    std::map<uint64_t, uint32_t> holder;
    std::map<uint64_t, std::set<uint32_t>> ringing;  // from the agents' snapshots
    for (uint32_t i = 0; i < profiles_.size(); ++i) {
      const AgentSnapshot snap = indexed_.agent(AgentId(i), now_).value();
      if (snap.state != agent_state_[i])
        fail("agent" + std::to_string(i) + " state differs from events");
      std::array<int, kChannelCount> per_channel{};
      int cost = 0;
      for (InteractionId id : snap.work) {
        const InteractionSnapshot it = indexed_.interaction(id).value();
        if (it.state == InteractionState::kOffered) {
          // Multi-offer: one interaction may ring several agents, each named back in its offers.
          if (std::find(it.offers.begin(), it.offers.end(), AgentId(i)) == it.offers.end())
            fail("agent's offer does not name the agent back");
          if (!ringing[id.value()].insert(i).second) fail("an agent with the offer twice");
          continue;
        }
        if (!holder.emplace(id.value(), i).second) {
          fail("interaction " + std::to_string(id.value()) + " on two agents");
        }
        if (it.agent != AgentId(i)) fail("agent's work does not name the agent back");
        ++per_channel[static_cast<size_t>(it.channel)];
        cost += cfg_.blending.cost[static_cast<size_t>(it.channel)];
      }
      if (profiles_[i].capacity.budget > 0 && cost > profiles_[i].capacity.budget) {
        fail("agent" + std::to_string(i) + " over its capacity budget");
      }
      for (int ch = 0; ch < kChannelCount; ++ch) {
        if (per_channel[static_cast<size_t>(ch)] >
            profiles_[i].capacity.max[static_cast<size_t>(ch)]) {
          fail("agent" + std::to_string(i) + " over capacity");
        }
      }
    }
    if (ringing != ringing_) fail("the agents' pending offers differ from what the events tell");
    // Every interaction is in the state its events say; queue statistics match a recount.
    std::map<uint32_t, int> waiting, offered;
    for (uint64_t raw : live_) {
      const InteractionSnapshot it = indexed_.interaction(InteractionId(raw)).value();
      if (it.state != last_state_.at(raw)) {
        fail("interaction " + std::to_string(raw) + " is " + std::string(to_string(it.state)) +
             " but its events say " + std::string(to_string(last_state_.at(raw))));
      }
      if (it.state == InteractionState::kQueued && !it.target_agent.valid())
        ++waiting[it.queue.value()];
      if (it.state == InteractionState::kOffered) ++offered[it.queue.value()];
    }
    for (QueueId q : queues_) {
      const QueueStats a = indexed_.queue_stats(q, now_).value();
      const QueueStats b = naive_.queue_stats(q, now_).value();
      if (a.waiting != waiting[q.value()] || a.offered_now != offered[q.value()]) {
        fail("queue q" + std::to_string(q.value()) + " stats disagree with a recount");
      }
      if (a.waiting != b.waiting || a.arrived != b.arrived || a.answered != b.answered ||
          a.abandoned != b.abandoned || a.completed != b.completed ||
          a.service_level != b.service_level || a.agents_by_state != b.agents_by_state) {
        fail("queue q" + std::to_string(q.value()) + " stats differ between routers");
      }
      if (a.service_level < 0.0 || a.service_level > 1.0) fail("service level out of range");
    }
  }
};

}  // namespace

TEST_CASE(
    "random command sequences keep every invariant and the indexed router agrees with "
    "the naive scan",
    "[random]") {
  const uint64_t only = env_or("ROUTER_SEED", 0);
  const uint64_t count = env_or("ROUTER_SEEDS", 2000);
  const int steps = static_cast<int>(env_or("ROUTER_STEPS", 250));
  const uint64_t first = only ? only : 1;
  const uint64_t last = only ? only : count;
  std::map<std::string, uint64_t> tally;
  for (uint64_t seed = first; seed <= last; ++seed) {
    Simulation sim(seed);
    const std::string failure = sim.run(steps);
    for (const auto& [kind, n] : sim.tally()) tally[kind] += n;
    if (!failure.empty()) {
      FAIL("seed " << seed << " failed at " << failure << "\n  reproduce: ROUTER_SEED=" << seed
                   << " ./engine_unit_tests '[random]'");
    }
  }
  std::ostringstream seen;
  for (const auto& [kind, n] : tally) seen << kind << "=" << n << " ";
  // Every kind of event must have happened somewhere, or the generator has gone blind.
  for (const char* kind : {"queued", "offered", "assigned", "requeued", "abandoned", "expired",
                           "overflowed", "expanded", "moved", "transferred", "priority", "wrap-up",
                           "completed", "agent", "headroom"}) {
    INFO("events seen: " << seen.str());
    if (!only) CHECK(tally[kind] > 0);
  }
  std::printf("randomized: seeds %llu..%llu, %d steps each; events: %s\n",
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(last), steps,
              seen.str().c_str());
}

}  // namespace router::engine::testing
