// Plain builders and a fake-clock fixture so an engine scenario reads in a few lines:
//   Center c;
//   c.add(a_queue("billing").with_skill("billing", 5));
//   auto alice = c.add(an_agent("alice").with_skill("billing", 7));
//   c.login(alice);
//   auto id = c.submit(a_call().to("billing"));
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/router.h"

namespace router::engine::testing {

using namespace std::chrono_literals;

struct QueueBuilder {
  QueueConfig cfg;
  std::vector<std::pair<std::string, int>> skills;
  std::optional<std::string> overflow_to;
  std::optional<std::string> callback_to;

  QueueBuilder& with_skill(std::string name, int min_level) {
    skills.emplace_back(std::move(name), min_level);
    return *this;
  }
  QueueBuilder& channels(std::initializer_list<Channel> chs) {
    cfg.channels.reset();
    for (Channel c : chs) cfg.channels.set(static_cast<size_t>(c));
    return *this;
  }
  QueueBuilder& offer_timeout(Duration d) {
    cfg.offer_timeout = d;
    return *this;
  }
  QueueBuilder& wrap_up(Duration d) {
    cfg.wrap_up = d;
    return *this;
  }
  QueueBuilder& hold_for_agent(Duration d) {
    cfg.hold_for_agent = d;
    return *this;
  }
  QueueBuilder& max_wait(Duration d) {
    cfg.max_wait = d;
    return *this;
  }
  QueueBuilder& priority(int p) {
    cfg.priority = p;
    return *this;
  }
  QueueBuilder& language_required() {
    cfg.language_required = true;
    return *this;
  }
  QueueBuilder& service_level(Duration threshold, double fraction) {
    cfg.service_level = {threshold, fraction};
    return *this;
  }
  QueueBuilder& short_abandon(Duration d) {
    cfg.short_abandon = d;
    return *this;
  }
  QueueBuilder& expand(Duration after, int lower_by, bool optional = false) {
    cfg.expansion.push_back(ExpansionStep{after, lower_by, optional, std::nullopt, std::nullopt});
    return *this;
  }
  // A conditional step: after `after`, and only while the queue's EWT exceeds `ewt`.
  QueueBuilder& expand_when_ewt_over(Duration after, int lower_by, Duration ewt) {
    ExpansionStep s{after, lower_by, false, std::nullopt, std::nullopt};
    s.when_ewt_over = ewt;
    cfg.expansion.push_back(s);
    return *this;
  }
  // A conditional step: after `after`, and only while the queue's SL is below `sl`.
  QueueBuilder& expand_when_sl_under(Duration after, int lower_by, double sl) {
    ExpansionStep s{after, lower_by, false, std::nullopt, std::nullopt};
    s.when_sl_under = sl;
    cfg.expansion.push_back(s);
    return *this;
  }
  QueueBuilder& overflow(Duration after, std::string to) {
    cfg.overflow_after = after;
    overflow_to = std::move(to);
    return *this;
  }
  // Arrival rules: a waiting cap and what a full queue, or one nobody who can serve it is
  // logged in for, does with a new arrival (`to`: the overflow queue, when one is used).
  QueueBuilder& max_waiting(size_t n, ArrivalAction when_full = ArrivalAction::kRefuse) {
    cfg.max_waiting = n;
    cfg.when_full = when_full;
    return *this;
  }
  QueueBuilder& when_no_agents(ArrivalAction a) {
    cfg.when_no_agents = a;
    return *this;
  }
  QueueBuilder& overflow_to_queue(std::string to) {
    overflow_to = std::move(to);
    return *this;
  }
  // Opening hours and what an arrival meets while closed (`callback_to`: with kCallback).
  QueueBuilder& hours(std::shared_ptr<const OpeningHours> h, ArrivalAction when_closed) {
    cfg.hours = std::move(h);
    cfg.when_closed = when_closed;
    return *this;
  }
  QueueBuilder& callback_to_queue(std::string to) {
    callback_to = std::move(to);
    return *this;
  }
  QueueBuilder& weight(Term t, double w) {
    cfg.weights[t] = w;
    return *this;
  }
  QueueBuilder& weights(Weights w) {
    cfg.weights = WeightOverrides::all(w);
    return *this;
  }
  // Reverse bullseye: agents idle this long are added without the queue's skills.
  QueueBuilder& add_idle_agents_after(Duration d) {
    cfg.add_idle_agents_after = d;
    return *this;
  }
  // Multi-offer: ring up to n agents at once (kOfferToAll: ring-all).
  QueueBuilder& offer_to(int n) {
    cfg.offer_to = n;
    return *this;
  }
  QueueBuilder& default_handle_time(Duration d) {
    cfg.default_handle_time = d;
    return *this;
  }
  // Headroom: while the queue's SL is under `sl` (or its EWT over `ewt`), its agents take no
  // new work of other channels.
  QueueBuilder& reserve_agents_when_sl_under(double sl) {
    cfg.reserve_agents_when.sl_under = sl;
    return *this;
  }
  QueueBuilder& reserve_agents_when_ewt_over(Duration ewt) {
    cfg.reserve_agents_when.ewt_over = ewt;
    return *this;
  }
};
inline QueueBuilder a_queue(std::string name) {
  QueueBuilder b;
  b.cfg.name = std::move(name);
  return b;
}

struct AgentBuilder {
  AgentProfile profile;
  std::vector<std::pair<std::string, int>> skills;
  std::vector<std::string> order;  // queue names, resolved when added

  AgentBuilder& with_skill(std::string name, int level) {
    skills.emplace_back(std::move(name), level);
    return *this;
  }
  AgentBuilder& speaks(std::string lang) {
    profile.languages.push_back(std::move(lang));
    return *this;
  }
  AgentBuilder& capacity(Channel ch, int max) {
    profile.capacity.max[static_cast<size_t>(ch)] = max;
    return *this;
  }
  AgentBuilder& budget(int b) {
    profile.capacity.budget = b;
    return *this;
  }
  AgentBuilder& team(std::string t) {
    profile.team = std::move(t);
    return *this;
  }
  // The agent's own queue order (AgentProfile::queue_order), by queue name.
  AgentBuilder& queue_order(std::initializer_list<std::string> queues) {
    order.assign(queues);
    return *this;
  }
};
inline AgentBuilder an_agent(std::string name) {
  AgentBuilder b;
  b.profile.name = std::move(name);
  return b;
}

struct InteractionBuilder {
  InteractionSpec spec;
  std::string queue_name;
  std::vector<std::pair<std::string, int>> extra;
  std::optional<std::string> preferred, last;

  InteractionBuilder& id(uint64_t v) {
    spec.id = InteractionId(v);
    return *this;
  }
  InteractionBuilder& to(std::string q) {
    queue_name = std::move(q);
    return *this;
  }
  InteractionBuilder& segment(Segment s) {
    spec.customer.segment = s;
    return *this;
  }
  InteractionBuilder& lifetime_value(double v) {
    spec.customer.lifetime_value = v;
    return *this;
  }
  InteractionBuilder& language(std::string l) {
    spec.language = std::move(l);
    return *this;
  }
  InteractionBuilder& priority(int p) {
    spec.priority = p;
    return *this;
  }
  InteractionBuilder& customer(std::string id) {
    spec.customer.customer_id = std::move(id);
    return *this;
  }
  InteractionBuilder& preferred_agent(std::string name) {
    preferred = std::move(name);
    return *this;
  }
  InteractionBuilder& last_agent(std::string name) {
    last = std::move(name);
    return *this;
  }
  InteractionBuilder& needs(std::string skill, int min_level) {
    extra.emplace_back(std::move(skill), min_level);
    return *this;
  }
  InteractionBuilder& arrived(TimePoint t) {
    spec.arrival = t;
    return *this;
  }
  InteractionBuilder& due(TimePoint t) {
    spec.due = t;
    return *this;
  }
  InteractionBuilder& not_before(TimePoint t) {
    spec.not_before = t;
    return *this;
  }
  InteractionBuilder& with_callback_number() {
    spec.callback_number = true;
    return *this;
  }
};
inline InteractionBuilder an_interaction(Channel ch) {
  InteractionBuilder b;
  b.spec.channel = ch;
  return b;
}
inline InteractionBuilder a_call() { return an_interaction(Channel::kPhone); }
inline InteractionBuilder an_email() { return an_interaction(Channel::kEmail); }
inline InteractionBuilder a_chat() { return an_interaction(Channel::kWebChat); }
inline InteractionBuilder a_work_item() { return an_interaction(Channel::kWorkItem); }

// Router::create, REQUIRing that it accepted the configuration.
inline std::unique_ptr<Router> make_router(RouterConfig cfg = {},
                                           MatchMode mode = MatchMode::kIndexed) {
  auto created = Router::create(std::move(cfg), mode);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  return std::move(created).value();
}

// Each match mode in turn, as a Catch2 generator: a scenario that calls it runs once per mode.
inline MatchMode any_match_mode() {
  const MatchMode mode = GENERATE(MatchMode::kIndexed, MatchMode::kNaiveScan);
  INFO((mode == MatchMode::kIndexed ? "indexed" : "naive scan"));
  return mode;
}

// A Router with a fake clock and name-based helpers. Every helper REQUIREs success (a test
// that wants to see a failure calls the Router directly).
class Center {
 public:
  explicit Center(RouterConfig cfg = {}, MatchMode mode = MatchMode::kIndexed)
      : owned_router(make_router(std::move(cfg), mode)) {}

  std::unique_ptr<Router> owned_router;
  Router& router = *owned_router;
  TimePoint now{std::chrono::hours(1)};  // not zero, so "since 0" bugs show

  void after(Duration d) {
    now += d;
    router.advance(now);
  }

  SkillId skill(const std::string& name) {
    if (auto s = router.find_skill(name)) return *s;
    auto r = router.add_skill(name);
    REQUIRE(r.ok());
    return r.value();
  }

  QueueId add(QueueBuilder b) {
    for (auto& [name, level] : b.skills) {
      b.cfg.required_skills.push_back(SkillRequirement{skill(name), level});
    }
    if (b.overflow_to) b.cfg.overflow_queue = queue(*b.overflow_to);
    if (b.callback_to) b.cfg.callback_queue = queue(*b.callback_to);
    auto r = router.add_queue(b.cfg);
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    return r.value();
  }

  AgentId add(AgentBuilder b) {
    for (auto& [name, level] : b.skills) b.profile.skills.push_back(SkillLevel{skill(name), level});
    for (const std::string& q : b.order) b.profile.queue_order.push_back(queue(q));
    auto r = router.add_agent(b.profile);
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    return r.value();
  }

  QueueId queue(const std::string& name) const {
    auto q = router.find_queue(name);
    REQUIRE(q.has_value());
    return *q;
  }
  AgentId agent(const std::string& name) const {
    auto a = router.find_agent(name);
    REQUIRE(a.has_value());
    return *a;
  }

  InteractionSpec spec(InteractionBuilder b) {
    if (!b.spec.id.valid()) b.spec.id = InteractionId(next_id_++);
    b.spec.queue = queue(b.queue_name);
    for (auto& [name, level] : b.extra) {
      b.spec.extra_skills.push_back(SkillRequirement{skill(name), level});
    }
    if (b.preferred) b.spec.customer.preferred_agent = agent(*b.preferred);
    if (b.last) b.spec.customer.last_agent = agent(*b.last);
    return b.spec;
  }

  InteractionId submit(InteractionBuilder b) {
    InteractionSpec s = spec(std::move(b));
    auto r = router.submit(s, now);
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    return s.id;
  }

  void login(AgentId a, bool ready = true) { ok(router.login(a, ready, now)); }
  void accept(AgentId a, InteractionId id) { ok(router.accept(a, id, now)); }
  void reject(AgentId a, InteractionId id) { ok(router.reject(a, id, now)); }
  void complete(AgentId a, InteractionId id) { ok(router.complete(a, id, "done", now)); }

  static void ok(const Status& s) {
    INFO((s.ok() ? "" : s.error().message));
    REQUIRE(s.ok());
  }

  InteractionSnapshot interaction(InteractionId id) const {
    auto r = router.interaction(id);
    REQUIRE(r.ok());
    return r.value();
  }
  AgentSnapshot agent_state(AgentId a) const {
    auto r = router.agent(a, now);
    REQUIRE(r.ok());
    return r.value();
  }
  QueueStats stats(const std::string& q) const {
    auto r = router.queue_stats(queue(q), now);
    REQUIRE(r.ok());
    return r.value();
  }

  // Events of one kind since the last clear, in order.
  template <class E>
  std::vector<E> events() const {
    std::vector<E> out;
    for (const Event& e : router.events()) {
      if (const E* p = std::get_if<E>(&e.body)) out.push_back(*p);
    }
    return out;
  }
  // The latest Offered event for `id` since the last clear. REQUIREs there is one.
  OfferedEvent offer_of(InteractionId id) const {
    std::optional<OfferedEvent> found;
    for (const OfferedEvent& e : events<OfferedEvent>()) {
      if (e.interaction == id) found = e;
    }
    REQUIRE(found.has_value());
    return *found;
  }
  // The agent the interaction is currently offered to or held by (invalid if none).
  AgentId holder(InteractionId id) const { return interaction(id).agent; }
  void audit() const { ok(router.audit(now)); }
  // The detail explain() gives for `agent` on `id`; empty when the agent is not listed
  // ineligible.
  std::string why_not(InteractionId id, AgentId agent) const {
    auto ex = router.explain(id, now);
    REQUIRE(ex.ok());
    for (const IneligibleAgent& i : ex->ineligible) {
      if (i.agent == agent) return i.detail;
    }
    return {};
  }

 private:
  uint64_t next_id_ = 1;
};

}  // namespace router::engine::testing
