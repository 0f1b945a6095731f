// routersim's discrete-event loop: simulated arrivals, accepts, completions and abandons in a
// min-heap, merged with the Router's own timers (offer timeouts, wrap-up, expansion, overflow),
// and the tallies that become Results. The routing itself is the engine's, untouched.
#include "tools/routersim/simulation.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <unordered_map>
#include <variant>
#include <vector>

#include "tools/routersim/statistics.h"

namespace router::sim {
namespace {

using engine::AgentId;
using engine::InteractionId;
using engine::Term;
using Ms = int64_t;  // simulated milliseconds since the start of warm-up (the engine's unit)

constexpr Ms kNever = std::numeric_limits<Ms>::max();
constexpr int kHistogramBucketS = 5;
constexpr size_t kHistogramBuckets = 300 / kHistogramBucketS + 1;  // the last one: 300 s and up

Ms to_ms(double s) { return static_cast<Ms>(std::llround(s * 1000.0)); }
engine::TimePoint at(Ms ms) { return engine::TimePoint(engine::Duration(ms)); }
Ms ms_of(engine::TimePoint t) { return t.time_since_epoch().count(); }

// SplitMix64: turns (replication seed, stream, call type) into well-spread generator seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Streams are separate so that every policy sees the same arrivals, handle times and patience
// (common random numbers): no draw depends on a routing decision.
enum class Stream : uint64_t {
  kArrivals = 1,
  kHandle = 2,
  kPatience = 3,
  kScheduled = 4,
  kLastAgent = 5,
  kAnswer = 6,  // multi-offer: which of the agents rung answers first
};

// A generator with the few draws the simulation needs, by inversion (portable, unlike the
// standard distributions whose algorithms are implementation-defined).
class Random {
 public:
  Random(uint64_t replication_seed, Stream stream, uint64_t call_type)
      : gen_(mix(mix(mix(replication_seed) ^ static_cast<uint64_t>(stream)) ^ call_type)) {}

  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  double normal() {  // Box–Muller; uses two uniforms per draw for simplicity and determinism
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }

 private:
  std::mt19937_64 gen_;
};

double draw_handle_s(const HandleTime& h, Random& rng) {
  switch (h.distribution) {
    case Distribution::kExponential: return rng.exponential(h.mean_s);
    case Distribution::kDeterministic: return h.mean_s;
    case Distribution::kLognormal: {
      const double cv = h.sd_s / h.mean_s;
      const double sigma2 = std::log1p(cv * cv);
      const double mu = std::log(h.mean_s) - sigma2 / 2.0;
      return std::exp(mu + std::sqrt(sigma2) * rng.normal());
    }
  }
  return h.mean_s;
}

engine::Weights policy_weights(Policy policy) {
  engine::Weights w;
  w.w.fill(0.0);
  switch (policy) {
    case Policy::kPoints: break;  // not used: the configuration's weights stay
    case Policy::kFifoLongestIdle: w[Term::kWait] = 1.0; break;
    case Policy::kFewestCalls:
      w[Term::kHandled] = 1.0;
      w[Term::kWait] = 0.001;
      break;
    case Policy::kRandom:
      w[Term::kRandom] = 1.0;
      w[Term::kWait] = 0.001;
      break;
    case Policy::kStaticPriority:
      w[Term::kPriority] = 1000.0;
      w[Term::kWait] = 1.0;
      break;
    case Policy::kRoundRobin:
      // The rotation picks the agent; the oldest interaction goes first (the rotation term is
      // the same for every interaction of a queue).
      w[Term::kRoundRobin] = 1000.0;
      w[Term::kWait] = 1.0;
      break;
    case Policy::kRingAll:
      // Every eligible agent rings (offer_to = all, set in simulate()); the oldest interaction
      // goes first, and whoever answers first, drawn uniformly, takes it.
      w[Term::kWait] = 1.0;
      break;
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// What the simulation knows about one interaction. Ids are indexes into the replication's
// vector of these.
// kRefused: turned away at submit by its queue's arrival rules (a waiting cap, nobody logged in).
enum class CallState : uint8_t {
  kQueued,
  kOffered,
  kAssigned,
  kCompleted,
  kAbandoned,
  kExpired,
  kRefused,
};

struct Call {
  Ms arrival = 0;      // a scheduled work item: its not_before (submitted earlier)
  Ms due = -1;         // work items: done by then; -1: not a work item
  Ms done = -1;        // answered at + handle time; -1: not answered
  Ms work_since = -1;  // offered to an agent at; -1 while nobody holds it
  Ms handle = 0;
  Ms wait = -1;         // arrival to first accept, cancel or expiry; -1: not yet
  uint32_t type = 0;    // index into the workload's call types
  uint32_t offers = 0;  // offers made so far: a scheduled accept names the one it answers
  uint32_t agent = 0;   // the agent offered (with multi-offer: the one who answers) or assigned
  CallState state = CallState::kQueued;
  bool answered = false;
  bool queued_on_arrival = false;
  bool scheduled = false;  // a work item submitted ahead of its not_before
  bool callback = false;   // a call its closed queue took as a callback work item (scheduled)
  Ms first_offer = -1;     // first offered at; -1: never
  Ms est_low = -1;         // the engine's wait range at arrival (queued on arrival only)
  Ms est_high = -1;
};

enum class Kind : uint8_t { kArrival, kAccept, kComplete, kAbandon };

struct SimEvent {
  Ms at = 0;
  uint64_t seq = 0;  // ties at one instant run in scheduling order
  uint64_t id = 0;   // interaction (accept, complete, abandon) or call type (arrival)
  uint32_t agent = 0;
  uint32_t offer = 0;
  Kind kind = Kind::kArrival;
};
struct Later {
  bool operator()(const SimEvent& a, const SimEvent& b) const {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
};

// A call type resolved against the routing model.
struct TypePlan {
  const CallType* spec = nullptr;
  engine::QueueId queue;
  size_t queue_group = 0;  // index into Results::queues
  Ms sl_threshold = 0;
};

// Counts of one queue or call type in one replication.
struct Tally {
  double offered = 0, answered = 0, abandoned = 0, expired = 0, refused = 0, callbacks = 0,
         within_sl = 0, queued = 0;
  double estimated = 0, est_in = 0, est_below = 0, est_above = 0;
  double answered_wait_s = 0;
  std::vector<double> waits_s;
  std::array<double, kHistogramBuckets> histogram{};

  void add(const Call& c, Ms wait, Ms sl_threshold) {
    offered += 1;
    if (c.queued_on_arrival) queued += 1;
    if (c.callback) callbacks += 1;
    if (c.est_low >= 0 && c.first_offer >= 0) {
      const Ms waited = c.first_offer - c.arrival;
      estimated += 1;
      (waited < c.est_low ? est_below : waited > c.est_high ? est_above : est_in) += 1;
    }
    const double wait_s = static_cast<double>(wait) / 1000.0;
    if (c.answered) {
      answered += 1;
      answered_wait_s += wait_s;
      if (c.due >= 0 ? c.done <= c.due : wait <= sl_threshold) within_sl += 1;
    } else if (c.state == CallState::kAbandoned) {
      abandoned += 1;
    } else if (c.state == CallState::kExpired) {
      expired += 1;
    } else if (c.state == CallState::kRefused) {
      refused += 1;
    }
    waits_s.push_back(wait_s);
    const auto bucket = static_cast<size_t>(wait_s / kHistogramBucketS);
    histogram[std::min(bucket, kHistogramBuckets - 1)] += 1;
  }
};

// One observation per replication for each statistic of an Outcome. Ratios are left out of a
// replication where they are undefined (nothing offered, nothing answered).
struct Samples {
  std::vector<double> offered, answered, abandoned, expired, refused, callbacks, service_level,
      asa_s, wait_mean_s, wait_p90_s, abandon_rate, p_wait, ewt_in, ewt_below, ewt_above;
  std::array<double, kHistogramBuckets> histogram{};

  void add(Tally& t) {
    offered.push_back(t.offered);
    answered.push_back(t.answered);
    abandoned.push_back(t.abandoned);
    expired.push_back(t.expired);
    refused.push_back(t.refused);
    callbacks.push_back(t.callbacks);
    if (t.offered > 0) {
      service_level.push_back(t.within_sl / t.offered);
      abandon_rate.push_back(t.abandoned / t.offered);
      p_wait.push_back(t.queued / t.offered);
    }
    if (t.answered > 0) asa_s.push_back(t.answered_wait_s / t.answered);
    if (t.estimated > 0) {
      ewt_in.push_back(t.est_in / t.estimated);
      ewt_below.push_back(t.est_below / t.estimated);
      ewt_above.push_back(t.est_above / t.estimated);
    }
    if (!t.waits_s.empty()) {
      double sum = 0;
      for (double w : t.waits_s) sum += w;
      wait_mean_s.push_back(sum / static_cast<double>(t.waits_s.size()));
      wait_p90_s.push_back(percentile(t.waits_s, 0.9));
    }
    for (size_t i = 0; i < kHistogramBuckets; ++i) histogram[i] += t.histogram[i];
  }

  Outcome outcome(std::string name) const {
    Outcome o;
    o.name = std::move(name);
    o.offered = estimate(offered);
    o.answered = estimate(answered);
    o.abandoned = estimate(abandoned);
    o.expired = estimate(expired);
    o.refused = estimate(refused);
    o.callbacks = estimate(callbacks);
    o.service_level = estimate(service_level);
    o.asa_s = estimate(asa_s);
    o.wait_mean_s = estimate(wait_mean_s);
    o.wait_p90_s = estimate(wait_p90_s);
    o.abandon_rate = estimate(abandon_rate);
    o.p_wait = estimate(p_wait);
    o.ewt_in_range = estimate(ewt_in);
    o.ewt_below = estimate(ewt_below);
    o.ewt_above = estimate(ewt_above);
    double total = 0;
    for (double h : histogram) total += h;
    o.wait_histogram.assign(kHistogramBuckets, 0.0);
    if (total > 0) {
      for (size_t i = 0; i < kHistogramBuckets; ++i) o.wait_histogram[i] = histogram[i] / total;
    }
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// One replication: a fresh Router, its own random streams, its own tallies.
class Replication {
 public:
  Replication(engine::Router& router, const Workload& workload, const std::vector<TypePlan>& plan,
              const std::vector<AgentId>& agents, uint64_t seed)
      : router_(router), workload_(workload), plan_(plan), agents_(agents) {
    warmup_ = to_ms(workload.warmup_s);
    end_ = warmup_ + to_ms(workload.duration_s);
    accept_delay_ = to_ms(workload.accept_delay_s);
    for (size_t i = 0; i < plan.size(); ++i) {
      arrivals_rng_.emplace_back(seed, Stream::kArrivals, i);
      handle_rng_.emplace_back(seed, Stream::kHandle, i);
      patience_rng_.emplace_back(seed, Stream::kPatience, i);
      scheduled_rng_.emplace_back(seed, Stream::kScheduled, i);
      last_agent_rng_.emplace_back(seed, Stream::kLastAgent, i);
    }
    answer_rng_.emplace(seed, Stream::kAnswer, 0);
    next_arrival_s_.assign(plan.size(), 0.0);
    size_t groups = 0;
    for (const TypePlan& p : plan) groups = std::max(groups, p.queue_group + 1);
    queue_work_ms_.assign(groups, 0.0);
    type_work_ms_.assign(plan.size(), 0.0);
    agent_state_.assign(router.agent_count(), engine::AgentState::kLoggedOut);
    agent_since_.assign(router.agent_count(), 0);
    double expected = 0;
    for (const TypePlan& p : plan) expected += expected_arrivals(*p.spec);
    calls_.reserve(static_cast<size_t>(std::min(expected * 1.1 + 16, 5e7)));
  }

  engine::Status run() {
    for (AgentId a : agents_) {
      if (auto s = router_.login(a, /*ready=*/true, at(0)); !s) return s;
    }
    if (auto s = pump(); !s) return s;
    for (size_t i = 0; i < plan_.size(); ++i) schedule_arrival(i, 0.0);

    for (;;) {
      const Ms next_sim = heap_.empty() ? kNever : heap_.front().at;
      const auto deadline = router_.next_deadline();
      const Ms next_router = deadline ? ms_of(*deadline) : kNever;
      if (std::min(next_sim, next_router) >= end_) break;
      if (next_router <= next_sim) {
        router_.advance(at(next_router));
        if (auto d = router_.next_deadline(); d && ms_of(*d) <= next_router) {
          return engine::failed_precondition("engine bug: advance(" + std::to_string(next_router) +
                                             " ms) left a timer due at or before it");
        }
        if (auto s = pump(); !s) return s;
        continue;
      }
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const SimEvent e = heap_.back();
      heap_.pop_back();
      if (auto s = fire(e); !s) return s;
    }
    for (size_t a = 0; a < agent_state_.size(); ++a) account(a, end_);
    return {};
  }

  size_t arrivals() const { return calls_.size(); }
  double occupancy() const { return logged_in_ms_ > 0 ? occupied_ms_ / logged_in_ms_ : 0.0; }
  bool has_occupancy() const { return logged_in_ms_ > 0; }
  // Work still held at the end of the measured period counts up to its end.
  void close_work() {
    for (uint64_t id = 0; id < calls_.size(); ++id) work_done(id, end_);
  }
  double queue_occupancy(size_t group) const {
    return logged_in_ms_ > 0 ? queue_work_ms_[group] / logged_in_ms_ : 0.0;
  }
  double type_occupancy(size_t type) const {
    return logged_in_ms_ > 0 ? type_work_ms_[type] / logged_in_ms_ : 0.0;
  }

  // Adds this replication's counted interactions to per-queue and per-call-type tallies.
  void tally(std::vector<Tally>& queues, std::vector<Tally>& types) const {
    for (const Call& c : calls_) {
      // A scheduled item due to arrive after the end was never in its queue.
      if (c.arrival < warmup_ || c.arrival >= end_) continue;
      const TypePlan& p = plan_[c.type];
      const Ms wait = c.wait >= 0 ? c.wait : end_ - c.arrival;  // still waiting: so far
      queues[p.queue_group].add(c, wait, p.sl_threshold);
      types[c.type].add(c, wait, p.sl_threshold);
    }
  }

 private:
  double expected_arrivals(const CallType& t) const {
    const double total_s = workload_.warmup_s + workload_.duration_s;
    if (t.intervals.empty()) return t.per_hour / 3600.0 * total_s;
    double n = 0;
    for (const RateInterval& r : t.intervals) n += r.per_hour / 3600.0 * (r.to_s - r.from_s);
    return n + rate_per_s(t, 0.0) * workload_.warmup_s;
  }

  // Rate at `measured_s` seconds into the measured period, and until when it holds.
  static double rate_per_s(const CallType& t, double measured_s, double* until = nullptr) {
    if (t.intervals.empty()) {
      if (until) *until = std::numeric_limits<double>::infinity();
      return t.per_hour / 3600.0;
    }
    for (const RateInterval& r : t.intervals) {
      if (measured_s < r.from_s) {
        if (until) *until = r.from_s;
        return 0.0;
      }
      if (measured_s < r.to_s) {
        if (until) *until = r.to_s;
        return r.per_hour / 3600.0;
      }
    }
    if (until) *until = std::numeric_limits<double>::infinity();
    return 0.0;
  }

  // The next arrival of call type `i` after `from_s` (simulated seconds since the start of
  // warm-up): exponential gaps, redrawn at each change of rate (exact for a piecewise-constant
  // Poisson rate, by memorylessness). The warm-up runs at the rate in force at time 0.
  void schedule_arrival(size_t i, double from_s) {
    const CallType& t = *plan_[i].spec;
    const double end_s = static_cast<double>(end_) / 1000.0;
    double now_s = from_s;
    while (now_s < end_s) {
      const double measured_s = now_s - workload_.warmup_s;
      double until = 0;
      const double rate = rate_per_s(t, std::max(measured_s, 0.0), &until);
      if (measured_s < 0) until = std::min(until, 0.0);
      const double until_s = until + workload_.warmup_s;
      if (rate <= 0) {
        if (!std::isfinite(until_s)) return;
        now_s = until_s;
        continue;
      }
      const double next = now_s + arrivals_rng_[i].exponential(1.0 / rate);
      if (next < until_s) {
        push({.at = to_ms(next), .id = i, .kind = Kind::kArrival});
        next_arrival_s_[i] = next;
        return;
      }
      now_s = until_s;
    }
  }

  void push(SimEvent e) {
    e.seq = seq_++;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  engine::Status fire(const SimEvent& e) {
    switch (e.kind) {
      case Kind::kArrival: return arrive(e.id, e.at);
      case Kind::kAccept: {
        const Call& c = calls_[e.id];
        if (c.state != CallState::kOffered || c.offers != e.offer) return {};  // withdrawn
        if (auto s = router_.accept(AgentId(c.agent), InteractionId(e.id), at(e.at)); !s) {
          return engine_bug("accept", e.id, s);
        }
        return pump();
      }
      case Kind::kComplete: {
        if (auto s = router_.complete(AgentId(e.agent), InteractionId(e.id), "", at(e.at)); !s) {
          return engine_bug("complete", e.id, s);
        }
        return pump();
      }
      case Kind::kAbandon: {
        const Call& c = calls_[e.id];
        if (c.state != CallState::kQueued && c.state != CallState::kOffered) return {};
        if (c.callback) return {};  // the caller hung up long ago: it is called back
        if (auto s = router_.cancel(InteractionId(e.id), at(e.at)); !s) {
          return engine_bug("cancel", e.id, s);
        }
        return pump();
      }
    }
    return {};
  }

  engine::Status arrive(size_t type, Ms now) {
    const TypePlan& p = plan_[type];
    const CallType& t = *p.spec;
    const uint64_t id = calls_.size();
    Call& c = calls_.emplace_back();
    // A scheduled work item arrives at its not_before: its wait, patience and due count from it.
    const bool scheduled = t.scheduled && scheduled_rng_[type].uniform() < t.scheduled->share;
    c.arrival = scheduled ? now + to_ms(t.scheduled->after_s) : now;
    c.scheduled = scheduled;
    c.type = static_cast<uint32_t>(type);
    c.handle = std::max<Ms>(1, to_ms(draw_handle_s(t.handle, handle_rng_[type])));
    if (t.channel == engine::Channel::kWorkItem) {
      c.due = c.arrival + (t.due_s ? to_ms(*t.due_s) : p.sl_threshold);  // the engine's default
    }
    if (t.patience_mean_s) {
      push({.at = c.arrival + to_ms(patience_rng_[type].exponential(*t.patience_mean_s)),
            .id = id,
            .kind = Kind::kAbandon});
    }
    spec_.id = InteractionId(id);
    spec_.queue = p.queue;
    spec_.channel = t.channel;
    spec_.customer.segment = t.segment;
    spec_.customer.lifetime_value = t.lifetime_value;
    spec_.language = t.language;
    spec_.priority = t.priority;
    spec_.due = t.due_s ? std::optional(at(c.due)) : std::nullopt;
    spec_.not_before = scheduled ? std::optional(at(c.arrival)) : std::nullopt;
    // Its own stream: the same customers know the same agents under every policy.
    spec_.customer.last_agent = AgentId();
    if (t.last_agent_share > 0 && !agents_.empty()) {
      Random& r = last_agent_rng_[type];
      const bool known = r.uniform() < t.last_agent_share;
      const auto which = static_cast<size_t>(r.uniform() * static_cast<double>(agents_.size()));
      if (known) spec_.customer.last_agent = agents_[std::min(which, agents_.size() - 1)];
    }
    // Every simulated caller leaves a number: a closed queue may call back.
    spec_.callback_number =
        t.channel == engine::Channel::kPhone || t.channel == engine::Channel::kWebCallback;
    auto submitted = router_.submit(spec_, at(now));
    // Turned away by its queue's arrival rules: counted, never answered (against the SL).
    if (!submitted && (submitted.error().code == engine::ErrorCode::kFailedPrecondition ||
                       submitted.error().code == engine::ErrorCode::kResourceExhausted)) {
      calls_[id].state = CallState::kRefused;
      calls_[id].wait = 0;
      schedule_arrival(type, next_arrival_s_[type]);
      return pump();
    }
    if (!submitted) {
      return engine::Error{submitted.error().code,
                           "at " + std::to_string(now) + " ms, call type '" + t.name +
                               "': submit refused: " + submitted.error().message};
    }
    if (submitted->callback_at) {
      // Taken as a callback work item (docs/routing.md, "Opening hours"): it arrives at its
      // queue's opening, and is within target when done by the due time the engine set.
      Call& cb = calls_[id];
      cb.callback = cb.scheduled = true;
      cb.arrival = ms_of(*submitted->callback_at);
      if (auto item = router_.interaction(InteractionId(id)); item.ok() && item.value().due) {
        cb.due = ms_of(*item.value().due);
      }
    }
    // A scheduled item had to queue unless offered at its time (OfferedEvent); it has no
    // wait estimate (none is asked for at its submit, when it is in no queue).
    calls_[id].queued_on_arrival = calls_[id].scheduled || submitted->position != 0;
    if (!calls_[id].scheduled && submitted->position != 0) {
      // What a gateway reading GetInteraction now would be told.
      if (auto e = router_.wait_estimate(InteractionId(id), at(now)); e.ok()) {
        calls_[id].est_low = e.value().low.count();
        calls_[id].est_high = e.value().high.count();
      }
    }
    schedule_arrival(type, next_arrival_s_[type]);
    return pump();
  }

  // Takes the router's events after a command and reacts to them; repeats while reacting
  // (an immediate accept) produces more.
  engine::Status pump() {
    for (;;) {
      batch_.clear();
      router_.drain_events(batch_);
      if (batch_.empty()) return {};
      for (const engine::Event& e : batch_) react(e);
      for (const auto& [offer, id] : accept_now_) {
        const Call& c = calls_[id];
        if (c.state != CallState::kOffered || c.offers != offer) continue;
        if (auto s = router_.accept(AgentId(c.agent), InteractionId(id), router_.now()); !s) {
          return engine_bug("accept", id, s);
        }
      }
      accept_now_.clear();
    }
  }

  void react(const engine::Event& e) {
    const Ms now = ms_of(e.at);
    std::visit(
        [&](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, engine::OfferedEvent>) {
            Call& c = calls_[ev.interaction.value()];
            // Multi-offer: more phones ring (those agents are RESERVED until the answer). Every
            // agent answers after accept_delay; which of them is first is drawn uniformly.
            if (c.state == CallState::kOffered) {
              auto& rung = ringing_[ev.interaction.value()];
              if (rung.empty()) rung.push_back(c.agent);
              rung.push_back(ev.agent.value());
              if (answer_rng_->uniform() * static_cast<double>(rung.size()) < 1.0) {
                c.agent = ev.agent.value();
              }
              return;
            }
            c.work_since = now;
            if (c.first_offer < 0) {
              c.first_offer = now;
              if (c.scheduled && now == c.arrival) c.queued_on_arrival = false;  // at its time
            }
            c.state = CallState::kOffered;
            c.agent = ev.agent.value();
            ++c.offers;
            if (accept_delay_ == 0) {
              accept_now_.emplace_back(c.offers, ev.interaction.value());
            } else {
              push({.at = now + accept_delay_,
                    .id = ev.interaction.value(),
                    .agent = c.agent,
                    .offer = c.offers,
                    .kind = Kind::kAccept});
            }
          } else if constexpr (std::is_same_v<T, engine::OfferEndedEvent>) {
            // One of several offers ended: if it was the one to answer, another answers.
            auto rung = ringing_.find(ev.interaction.value());
            if (rung == ringing_.end()) return;
            std::erase(rung->second, ev.agent.value());
            Call& c = calls_[ev.interaction.value()];
            if (c.agent == ev.agent.value() && !rung->second.empty()) c.agent = rung->second[0];
          } else if constexpr (std::is_same_v<T, engine::AssignedEvent>) {
            ringing_.erase(ev.interaction.value());
            Call& c = calls_[ev.interaction.value()];
            c.state = CallState::kAssigned;
            c.agent = ev.agent.value();
            if (!c.answered) {
              c.answered = true;
              c.wait = now - c.arrival;
            }
            c.done = now + c.handle;
            push({.at = now + c.handle,
                  .id = ev.interaction.value(),
                  .agent = c.agent,
                  .kind = Kind::kComplete});
          } else if constexpr (std::is_same_v<T, engine::RequeuedEvent>) {
            ringing_.erase(ev.interaction.value());
            work_done(ev.interaction.value(), now);
            calls_[ev.interaction.value()].state = CallState::kQueued;
          } else if constexpr (std::is_same_v<T, engine::AbandonedEvent>) {
            ringing_.erase(ev.interaction.value());
            work_done(ev.interaction.value(), now);
            resolve(calls_[ev.interaction.value()], CallState::kAbandoned, now);
          } else if constexpr (std::is_same_v<T, engine::ExpiredEvent>) {
            resolve(calls_[ev.interaction.value()], CallState::kExpired, now);
          } else if constexpr (std::is_same_v<T, engine::CompletedEvent>) {
            work_done(ev.interaction.value(), now);
            calls_[ev.interaction.value()].state = CallState::kCompleted;
          } else if constexpr (std::is_same_v<T, engine::AgentStateChangedEvent>) {
            const size_t a = ev.agent.value();
            account(a, now);
            agent_state_[a] = ev.to;
          }
        },
        e.body);
  }

  static void resolve(Call& c, CallState state, Ms now) {
    c.state = state;
    if (c.wait < 0) c.wait = now - c.arrival;
  }

  // Agent time spent on a call from its offer to now (its end, or its return to the queue),
  // clipped to the measured period, credited to its queue and call type.
  void work_done(uint64_t id, Ms now) {
    Call& c = calls_[id];
    if (c.work_since < 0) return;
    const Ms from = std::max(c.work_since, warmup_);
    const Ms to = std::min(now, end_);
    c.work_since = -1;
    if (to <= from) return;
    queue_work_ms_[plan_[c.type].queue_group] += static_cast<double>(to - from);
    type_work_ms_[c.type] += static_cast<double>(to - from);
  }

  // Adds the agent's time in its current state, up to `until`, clipped to the measured period.
  void account(size_t a, Ms until) {
    const Ms from = std::max(agent_since_[a], warmup_);
    const Ms to = std::min(until, end_);
    agent_since_[a] = until;
    if (to <= from) return;
    const auto span = static_cast<double>(to - from);
    switch (agent_state_[a]) {
      case engine::AgentState::kLoggedOut: return;
      case engine::AgentState::kNotReady:
      case engine::AgentState::kReady: logged_in_ms_ += span; return;
      case engine::AgentState::kReserved:
      case engine::AgentState::kBusy:
      case engine::AgentState::kWrapUp:
        logged_in_ms_ += span;
        occupied_ms_ += span;
        return;
    }
  }

  static engine::Status engine_bug(const char* command, uint64_t id, const engine::Status& s) {
    return engine::Error{s.error().code,
                         std::string("engine refused ") + command + " of interaction " +
                             std::to_string(id) +
                             " the simulation expected to succeed: " + s.error().message};
  }

  engine::Router& router_;
  const Workload& workload_;
  const std::vector<TypePlan>& plan_;
  const std::vector<AgentId>& agents_;
  Ms warmup_ = 0, end_ = 0, accept_delay_ = 0;
  std::vector<Random> arrivals_rng_, handle_rng_, patience_rng_, scheduled_rng_, last_agent_rng_;
  std::vector<double> next_arrival_s_;
  std::vector<Call> calls_;
  std::vector<SimEvent> heap_;
  uint64_t seq_ = 0;
  std::vector<engine::Event> batch_;
  std::vector<std::pair<uint32_t, uint64_t>> accept_now_;  // (offer round, interaction)
  // Multi-offer: the agents each call rings, while more than one (Call::agent answers).
  std::unordered_map<uint64_t, std::vector<uint32_t>> ringing_;
  std::optional<Random> answer_rng_;
  engine::InteractionSpec spec_;
  std::vector<engine::AgentState> agent_state_;
  std::vector<Ms> agent_since_;
  double logged_in_ms_ = 0, occupied_ms_ = 0;
  std::vector<double> queue_work_ms_, type_work_ms_;
};

}  // namespace

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::kPoints: return "points";
    case Policy::kFifoLongestIdle: return "fifo_longest_idle";
    case Policy::kFewestCalls: return "fewest_calls";
    case Policy::kRandom: return "random";
    case Policy::kStaticPriority: return "static_priority";
    case Policy::kRoundRobin: return "round_robin";
    case Policy::kRingAll: return "ring_all";
  }
  return "?";
}

std::string_view to_string(ServiceLevelMeasure m) {
  switch (m) {
    case ServiceLevelMeasure::kAnsweredWithinThreshold: return "answered_within_threshold";
    case ServiceLevelMeasure::kDoneByDue: return "done_by_due";
    case ServiceLevelMeasure::kMixed: return "mixed";
  }
  return "?";
}

std::optional<Policy> policy_from_string(std::string_view name) {
  for (Policy p : {Policy::kPoints, Policy::kFifoLongestIdle, Policy::kFewestCalls, Policy::kRandom,
                   Policy::kStaticPriority, Policy::kRoundRobin, Policy::kRingAll}) {
    if (name == to_string(p)) return p;
  }
  if (name == "fifo") return Policy::kFifoLongestIdle;
  return std::nullopt;
}

engine::Result<Results> simulate(const adapters::config::RoutingModel& model,
                                 const Workload& workload, Policy policy,
                                 const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  if (workload.call_types.empty()) return engine::invalid_argument("call_types: must not be empty");
  if (workload.replications < 1) return engine::invalid_argument("replications: must be >= 1");
  if (!(workload.duration_s > 0)) return engine::invalid_argument("duration_s: must be > 0");

  // Resolve names against the routing model (queue ids are file order, as build_router assigns).
  std::map<std::string, size_t, std::less<>> queue_index;
  for (size_t q = 0; q < model.queues.size(); ++q) queue_index.emplace(model.queues[q].name, q);
  const Ms accept_delay = to_ms(workload.accept_delay_s);
  for (const engine::QueueConfig& q : model.queues) {
    if (accept_delay >= q.offer_timeout.count()) {
      return engine::invalid_argument(
          "accept_delay_s: " + std::to_string(workload.accept_delay_s) +
          " s is not shorter than queue '" + q.name + "' offer timeout (" +
          std::to_string(engine::seconds(q.offer_timeout)) + " s): every offer would time out");
    }
  }
  std::vector<TypePlan> plan;
  std::vector<size_t> queue_groups;  // model queue index of each Results::queues entry
  for (size_t i = 0; i < workload.call_types.size(); ++i) {
    const CallType& t = workload.call_types[i];
    const std::string field = "call_types[" + std::to_string(i) + "]";
    const auto q = queue_index.find(t.queue);
    if (q == queue_index.end()) {
      return engine::invalid_argument(field + ".queue: no queue named '" + t.queue +
                                      "' in the routing configuration");
    }
    const engine::QueueConfig& queue = model.queues[q->second];
    if (!queue.channels.test(static_cast<size_t>(t.channel))) {
      return engine::invalid_argument(field + ".channel: queue '" + t.queue + "' does not take " +
                                      std::string(engine::to_string(t.channel)));
    }
    TypePlan p;
    p.spec = &t;
    p.queue = engine::QueueId(static_cast<uint32_t>(q->second));
    p.sl_threshold = queue.service_level.threshold.count();
    const auto g = std::find(queue_groups.begin(), queue_groups.end(), q->second);
    p.queue_group = static_cast<size_t>(g - queue_groups.begin());
    if (g == queue_groups.end()) queue_groups.push_back(q->second);
    plan.push_back(p);
  }
  // Results list queues in the configuration's order.
  std::vector<size_t> order(queue_groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return queue_groups[a] < queue_groups[b]; });
  std::vector<size_t> rank(order.size());
  for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
  for (TypePlan& p : plan) p.queue_group = rank[p.queue_group];
  std::sort(queue_groups.begin(), queue_groups.end());

  std::vector<AgentId> agents;
  if (workload.agents) {
    std::map<std::string, uint32_t, std::less<>> agent_index;
    for (size_t a = 0; a < model.agents.size(); ++a) {
      agent_index.emplace(model.agents[a].name, static_cast<uint32_t>(a));
    }
    for (size_t i = 0; i < workload.agents->size(); ++i) {
      const auto a = agent_index.find((*workload.agents)[i]);
      if (a == agent_index.end()) {
        return engine::invalid_argument("agents[" + std::to_string(i) + "]: no agent named '" +
                                        (*workload.agents)[i] + "' in the routing configuration");
      }
      agents.emplace_back(a->second);
    }
  } else {
    for (size_t a = 0; a < model.agents.size(); ++a) agents.emplace_back(static_cast<uint32_t>(a));
  }

  adapters::config::RoutingModel policy_model = model;
  policy_model.router.wall_at_zero = workload.start;
  if (policy != Policy::kPoints) {
    const auto overrides = engine::WeightOverrides::all(policy_weights(policy));
    for (engine::QueueConfig& q : policy_model.queues) q.weights = overrides;
  }
  if (policy == Policy::kRingAll) {
    for (engine::QueueConfig& q : policy_model.queues) q.offer_to = engine::kOfferToAll;
  }

  std::vector<Samples> queue_samples(queue_groups.size()), type_samples(plan.size());
  std::vector<double> occupancy;
  std::vector<std::vector<double>> queue_occupancy(queue_groups.size()),
      type_occupancy(plan.size());
  double arrivals = 0;
  for (int r = 0; r < workload.replications; ++r) {
    const uint64_t seed = workload.seed + static_cast<uint64_t>(r);
    policy_model.router.rules.random_seed = seed;
    auto router = adapters::config::build_router(policy_model);
    if (!router) return router.error();
    Replication rep(**router, workload, plan, agents, seed);
    if (auto s = rep.run(); !s) {
      return engine::Error{s.error().code, "replication " + std::to_string(r + 1) + " (seed " +
                                               std::to_string(seed) + "): " + s.error().message};
    }
    arrivals += static_cast<double>(rep.arrivals());
    rep.close_work();
    if (rep.has_occupancy()) {
      occupancy.push_back(rep.occupancy());
      for (size_t i = 0; i < queue_groups.size(); ++i) {
        queue_occupancy[i].push_back(rep.queue_occupancy(i));
      }
      for (size_t i = 0; i < plan.size(); ++i) type_occupancy[i].push_back(rep.type_occupancy(i));
    }
    std::vector<Tally> queues(queue_groups.size()), types(plan.size());
    rep.tally(queues, types);
    for (size_t i = 0; i < queues.size(); ++i) queue_samples[i].add(queues[i]);
    for (size_t i = 0; i < types.size(); ++i) type_samples[i].add(types[i]);
    if (progress) progress(r + 1, workload.replications);
  }

  Results results;
  results.policy = policy;
  results.replications = workload.replications;
  results.simulated_interactions = arrivals;
  const auto measure_of = [](const CallType& t) {
    return t.channel == engine::Channel::kWorkItem ? ServiceLevelMeasure::kDoneByDue
                                                   : ServiceLevelMeasure::kAnsweredWithinThreshold;
  };
  for (size_t i = 0; i < queue_groups.size(); ++i) {
    results.queues.push_back(queue_samples[i].outcome(model.queues[queue_groups[i]].name));
    results.queues.back().occupancy = estimate(queue_occupancy[i]);
    std::optional<ServiceLevelMeasure> measure;
    for (const TypePlan& p : plan) {
      if (p.queue_group != i) continue;
      const ServiceLevelMeasure m = measure_of(*p.spec);
      measure = !measure || *measure == m ? m : ServiceLevelMeasure::kMixed;
    }
    results.queues.back().service_level_measure =
        measure.value_or(ServiceLevelMeasure::kAnsweredWithinThreshold);
  }
  for (size_t i = 0; i < plan.size(); ++i) {
    results.call_types.push_back(type_samples[i].outcome(plan[i].spec->name));
    results.call_types.back().occupancy = estimate(type_occupancy[i]);
    results.call_types.back().service_level_measure = measure_of(*plan[i].spec);
  }
  results.occupancy = estimate(occupancy);
  results.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return results;
}

}  // namespace router::sim
