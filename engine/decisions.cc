// Who gets what: eligibility, the waiting classes (the per-queue index decision 2 walks) and
// the two decisions, indexed and the naive reference scan. docs/routing.md, "The two decisions"
// and "Indexed matching and its cost"; the agents' index is engine/agent_index.h.
#include <limits>

#include "engine/router_impl.h"

namespace router::engine {

// =============================================================================================
// Eligibility.

bool Router::Impl::available(const Agent& a, Channel ch) const {
  if (!a.logged_in || a.not_ready || a.offer != nullptr) return false;
  return fits(a, ch) && !reserved_against(a, ch);
}

bool Router::Impl::fits(const Agent& a, Channel ch) const {
  const auto c = static_cast<size_t>(ch);
  const ChannelCapacity& cap = a.profile.capacity;
  if (cap.max[c] <= 0 || a.exclusive_held > 0 || a.held_per_channel[c] >= cap.max[c]) {
    return false;
  }
  if (cap.budget > 0 && a.held_cost + cfg_.blending.cost[c] > cap.budget) return false;
  // What it holds is non-exclusive here (a held call returned above).
  return !cap.exclusive[c] || a.held.empty() || cfg_.blending.call_over_other_work;
}

bool Router::Impl::reserved_against(const Agent& a, Channel ch) const {
  if (queues_at_risk_ == 0) return false;
  bool reserved = false;
  for (const ServedQueue& s : a.served) {
    const Queue& q = *queues_[s.queue.value()];
    if (s.stage != 0 || !q.at_risk) continue;
    if (q.cfg.channels[static_cast<size_t>(ch)]) return false;
    reserved = true;
  }
  return reserved;
}

ChannelSet Router::Impl::available_channels(const Agent& a) const {
  ChannelSet s;
  for (int ch = 0; ch < kChannelCount; ++ch) s[ch] = available(a, static_cast<Channel>(ch));
  return s;
}

bool Router::Impl::meets(const Agent& a, const std::vector<SkillRequirement>& effective) const {
  for (const SkillRequirement& r : effective) {
    if (a.level(r.skill) < r.min_level) return false;
  }
  return true;
}

bool Router::Impl::eligible(const Agent& a, const WaitingClass& c, const Queue& q,
                            const Interaction& it) const {
  if (it.excludes(a.id)) return false;
  if (held_for_other(a, it, q)) return false;
  if (q.cfg.language_required && it.language_id != kNoLanguage && !a.speaks(it.language_id)) {
    return false;
  }
  return meets(a, c.effective) || added_by_idle_rule(a, q);
}

bool Router::Impl::added_by_idle_rule(const Agent& a, const Queue& q) const {
  return q.cfg.add_idle_agents_after && idle(a) &&
         now_ - a.idle_since >= *q.cfg.add_idle_agents_after;
}

std::optional<TimePoint> Router::Impl::held_until(const Interaction& it, const Queue& q) const {
  if (!q.cfg.hold_for_agent || it.target.valid()) return std::nullopt;
  const TimePoint until = it.queued_at + *q.cfg.hold_for_agent;
  if (now_ >= until) return std::nullopt;
  for (AgentId id : {it.customer.preferred_agent, it.customer.last_agent}) {
    // One who already declined it (rejected, missed) is not waited for.
    if (const Agent* a = find_agent(id); a && a->logged_in && !it.excludes(id)) return until;
  }
  return std::nullopt;
}

int Router::Impl::stage_at(const Queue& q, Duration in_queue, int from) const {
  int stage = from;
  while (stage < static_cast<int>(q.cfg.expansion.size())) {
    const ExpansionStep& step = q.cfg.expansion[static_cast<size_t>(stage)];
    if (step.after > in_queue || !condition_holds(q, step)) break;
    ++stage;
  }
  return stage;
}

bool Router::Impl::condition_holds(const Queue& q, const ExpansionStep& step) const {
  if (!step.conditional()) return true;
  return risk_holds(q, RiskCondition{step.when_ewt_over, step.when_sl_under});
}

bool Router::Impl::risk_holds(const Queue& q, const RiskCondition& when) const {
  if (when.ewt_over && ewt(q.id, q.waiting + 1, now_).value() > *when.ewt_over) return true;
  if (when.sl_under) {
    const ServiceWindow::Totals t = q.window.totals(now_);
    const int64_t base = t.answered + t.abandoned;
    // No answer or abandon in the window yet: nothing says the queue is missing its target.
    if (base > 0 && static_cast<double>(t.answered_within_target) / static_cast<double>(base) <
                        *when.sl_under) {
      return true;
    }
  }
  return false;
}

std::vector<SkillRequirement> Router::Impl::effective_skills(
    const Queue& q, const std::vector<SkillRequirement>& skills, int stage) const {
  int drop = 0;
  for (int s = 0; s < stage; ++s) {
    const ExpansionStep& step = q.cfg.expansion[static_cast<size_t>(s)];
    if (step.skills_optional) return {};
    drop += step.lower_levels_by;
  }
  std::vector<SkillRequirement> out = skills;
  for (SkillRequirement& r : out) r.min_level = std::max(kMinSkillLevel, r.min_level - drop);
  return out;
}

// =============================================================================================
// Queue structure.

uint32_t Router::Impl::intern_reqset(Queue& q, const std::vector<SkillRequirement>& extras) {
  if (extras.empty()) return 0;
  std::vector<SkillRequirement> sorted = extras;
  std::sort(sorted.begin(), sorted.end(), [](const SkillRequirement& a, const SkillRequirement& b) {
    return std::tie(a.skill, a.min_level) < std::tie(b.skill, b.min_level);
  });
  for (size_t i = 0; i < q.reqsets.size(); ++i) {
    const auto& r = q.reqsets[i];
    if (r.size() == sorted.size() &&
        std::equal(r.begin(), r.end(), sorted.begin(), [](const auto& x, const auto& y) {
          return x.skill == y.skill && x.min_level == y.min_level;
        })) {
      return static_cast<uint32_t>(i);
    }
  }
  q.reqsets.push_back(std::move(sorted));
  return static_cast<uint32_t>(q.reqsets.size() - 1);
}

ClassKey Router::Impl::key_of(const Interaction& it) const {
  ClassKey key;
  key.channel = static_cast<uint8_t>(it.channel);
  key.priority = static_cast<int16_t>(it.priority);
  key.segment = static_cast<uint8_t>(it.customer.segment);
  key.ltv_band = static_cast<uint8_t>(ltv_band(cfg_.rules, it.customer.lifetime_value));
  key.language = it.language_id;
  key.reqset = it.reqset;
  key.stage = static_cast<uint8_t>(it.stage);
  return key;
}

WaitingClass Router::Impl::make_class(const Queue& q, const Interaction& it) const {
  WaitingClass c;
  c.key = key_of(it);
  c.constant =
      value_points(q, it.customer.segment, c.key.ltv_band) + priority_points(q, it.priority);
  // Requirements: the queue's, merged with the interaction's extras (the higher minimum wins).
  c.skills = q.cfg.required_skills;
  for (const SkillRequirement& e : q.reqsets[it.reqset]) {
    auto same = std::find_if(c.skills.begin(), c.skills.end(),
                             [&](const SkillRequirement& r) { return r.skill == e.skill; });
    if (same != c.skills.end()) {
      same->min_level = std::max(same->min_level, e.min_level);
    } else {
      c.skills.push_back(e);
      c.extra_levels_bound += kMaxSkillLevel - e.min_level;
    }
  }
  c.effective = effective_skills(q, c.skills, it.stage);
  return c;
}

WaitingClass& Router::Impl::class_for(Queue& q, const Interaction& it) {
  if (auto found = q.by_key.find(key_of(it)); found != q.by_key.end()) return *found->second;
  auto c = std::make_unique<WaitingClass>(make_class(q, it));
  WaitingClass* raw = c.get();
  q.max_extra_levels = std::max(q.max_extra_levels, raw->extra_levels_bound);
  q.by_key.emplace(raw->key, raw);
  q.classes.push_back(std::move(c));
  return *raw;
}

void Router::Impl::enqueue(Interaction& it) {
  ROUTER_CHECK(it.cls == nullptr);
  if (it.target.valid()) {
    find_agent(it.target)->personal.push_back(&it);
  } else {
    Queue& q = *find_queue(it.queue);
    WaitingClass& c = class_for(q, it);
    it.rank_from = rank_from_in(it, q);
    auto [pos, inserted] = c.members.insert(Member{it.rank_from, it.seq, &it});
    ROUTER_CHECK(inserted);
    it.cls = &c;
    it.pos = pos;
    ++q.waiting;
    ++q.waiting_by_priority[it.priority];
    if (pos == c.members.begin()) rekey(q, c);
    for (AgentId a : {it.customer.preferred_agent, it.customer.last_agent}) {
      if (Agent* agent = find_agent(a)) agent->affine.insert(&it);
    }
  }
}

void Router::Impl::dequeue(Interaction& it) {
  if (it.cls != nullptr) {
    Queue& q = *find_queue(it.queue);
    WaitingClass& c = *it.cls;
    const bool was_head = it.pos == c.members.begin();
    c.members.erase(it.pos);
    it.cls = nullptr;
    --q.waiting;
    if (--q.waiting_by_priority[it.priority] == 0) q.waiting_by_priority.erase(it.priority);
    if (was_head) rekey(q, c);
    for (AgentId a : {it.customer.preferred_agent, it.customer.last_agent}) {
      if (Agent* agent = find_agent(a)) agent->affine.erase(&it);
    }
  } else if (it.target.valid()) {
    auto& personal = find_agent(it.target)->personal;
    auto found = std::find(personal.begin(), personal.end(), &it);
    if (found != personal.end()) personal.erase(found);
  }
}

void Router::Impl::rekey(Queue& q, WaitingClass& c) {
  if (c.score_pos) {
    q.by_score[c.key.channel].erase(*c.score_pos);
    c.score_pos.reset();
  }
  if (c.members.empty()) return;
  const double head_ms =
      static_cast<double>(c.members.begin()->rank_from.time_since_epoch().count());
  const double key = static_cast<double>(c.constant) - q.w[Term::kWait] * head_ms;
  c.score_pos = q.by_score[c.key.channel].emplace(key, &c).first;
}

// Upper bound of the interaction-side points (constant + wait + service-level pressure + urgency)
// of the head of a class with this score key, now. Exact for a head past its SL threshold and
// urgency cap; otherwise above by at most the pressure and urgency not yet earned. +3 covers the
// rounding of the three terms.
Points Router::Impl::class_bound(const Queue& q, double score_key) const {
  const double now_ms = static_cast<double>(now_.time_since_epoch().count());
  return static_cast<Points>(std::ceil(score_key + q.w[Term::kWait] * now_ms)) +
         pts(q.w[Term::kServiceLevel], 1.0) + pts(q.w[Term::kUrgency], cfg_.rules.urgency_cap) + 3;
}

int Router::Impl::position_of(const Queue& q, const Interaction& it) const {
  int position = 0;
  for (auto p = q.waiting_by_priority.rbegin();
       p != q.waiting_by_priority.rend() && p->first >= it.priority; ++p) {
    position += p->second;
  }
  // Minus those of equal priority who came after it (in arrival, then submission order): none
  // for a new arrival, which is the latest; counted for a recovered one that arrived earlier and
  // for one asked about later (wait_estimate). Each class's scan stops at the first not after it.
  for (const auto& c : q.classes) {
    if (c->key.priority != it.priority) continue;
    for (auto m = c->members.rbegin(); m != c->members.rend(); ++m) {
      if (std::tie(m->rank_from, m->seq) <= std::tie(it.rank_from, it.seq)) break;
      --position;
    }
  }
  return position;
}

// =============================================================================================
// Decisions.

void Router::Impl::route_interaction(Interaction& it) {
  if (it.state != InteractionState::kQueued) return;
  Queue& q = *find_queue(it.queue);
  if (it.target.valid()) {
    Agent& b = *find_agent(it.target);
    if (available(b, it.channel)) offer(it, b, score(q, make_class(q, it), it, b));
    return;
  }
  ROUTER_CHECK(it.cls != nullptr);
  // Multi-offer: the K best, found one search at a time, each pick excluded from the next search
  // for the moment (a preferred-agent hold offers to one: excluding its agent would end it).
  const int k = held_until(it, q) ? 1 : q.cfg.offer_to;
  std::vector<std::pair<Agent*, Breakdown>> picks;
  const size_t excluded_before = it.excluded.size();
  while (static_cast<int>(picks.size()) < k) {
    Breakdown points;
    Agent* best = mode_ == MatchMode::kIndexed ? best_agent_indexed(it, q, *it.cls, &points)
                                               : best_agent_naive(it, q, *it.cls, &points);
    if (best == nullptr) break;
    picks.emplace_back(best, points);
    if (static_cast<int>(picks.size()) < k) it.excluded.push_back(best->id);
  }
  it.excluded.resize(excluded_before);
  if (!picks.empty()) offer(it, picks);
}

void Router::Impl::fill_agent(Agent& a) {
  if (!a.logged_in || a.not_ready || a.offer) return;
  const ChannelSet avail = available_channels(a);
  if (avail.none()) return;
  // Work transferred to this agent by name comes first, in the order it was transferred.
  for (Interaction* it : a.personal) {
    if (avail[static_cast<size_t>(it->channel)]) {
      const Queue& q = *find_queue(it->queue);
      offer(*it, a, score(q, make_class(q, *it), *it, a));
      return;
    }
  }
  Breakdown points;
  Interaction* best = mode_ == MatchMode::kIndexed ? best_interaction_indexed(a, avail, &points)
                                                   : best_interaction_naive(a, avail, &points);
  if (best) offer(*best, a, points);
}

namespace {

// The running best of a decision, with the deterministic tie-breaks: more points; then the
// longest-idle agent (or the earliest arrival); then the lowest id (or submission order).
template <class T, class Key>
struct Best {
  T* item = nullptr;
  Points total = 0;
  Key key{};
  Breakdown points;

  // Would a candidate with at most `bound` points and a key ≥ `key` possibly win?
  bool could_win(Points bound, const Key& k) const {
    return item == nullptr || bound > total || (bound == total && k < key);
  }
  void offer(T* candidate, const Breakdown& b, const Key& k) {
    const Points t = b.total();
    if (item == nullptr || t > total || (t == total && k < key)) {
      item = candidate;
      total = t;
      key = k;
      points = b;
    }
  }
};

using AgentKey = std::pair<TimePoint, AgentId>;
using InteractionKey = std::pair<TimePoint, uint64_t>;

}  // namespace

Agent* Router::Impl::best_agent_naive(const Interaction& it, const Queue& q, const WaitingClass& c,
                                      Breakdown* out) {
  Best<Agent, AgentKey> best;
  for (auto& a : agents_) {
    if (!available(*a, it.channel) || !eligible(*a, c, q, it)) continue;
    best.offer(a.get(), score(q, c, it, *a), {a->idle_since, a->id});
  }
  if (best.item) *out = best.points;
  return best.item;
}

Agent* Router::Impl::best_agent_indexed(const Interaction& it, const Queue& q,
                                        const WaitingClass& c, Breakdown* out) {
  const Channel ch = it.channel;
  Best<Agent, AgentKey> best;
  auto consider = [&](Agent& a) {
    if (eligible(a, c, q, it)) best.offer(&a, score(q, c, it, a), {a.idle_since, a.id});
  };
  // Affinity is the one term the bounds below leave out: the agents who could earn it are
  // evaluated here, by name.
  for (AgentId id : {it.customer.preferred_agent, it.customer.last_agent}) {
    if (Agent* a = find_agent(id); a && available(*a, ch)) consider(*a);
  }
  // Held for them: nobody else is eligible, so there is nothing to search.
  if (held_until(it, q)) {
    if (best.item) *out = best.points;
    return best.item;
  }

  // Candidates come from the smallest index bucket family that every eligible agent is in.
  const AgentIndex::Bucket* single = &index_.any(ch);
  size_t smallest = single->size();
  const SkillRequirement* primary = nullptr;
  if (q.cfg.language_required && it.language_id != kNoLanguage) {
    const auto& bucket = index_.by_language(ch, it.language_id);
    if (bucket.size() < smallest) {
      single = &bucket;
      smallest = bucket.size();
    }
  }
  for (const SkillRequirement& r : c.effective) {
    const size_t n = index_.count_at_least(ch, r.skill, r.min_level);
    if (n < smallest || (primary == nullptr && n == smallest)) {
      smallest = n;
      primary = &r;
    }
  }
  // Reverse bullseye: the idle agents past the queue's threshold, a prefix of the idle set
  // (they need not hold any of the class's skills). Not needed when no skill is required.
  AgentIndex::Bucket::const_iterator idle_end = idle_agents_.begin();
  if (q.cfg.add_idle_agents_after && primary != nullptr) {
    idle_end = idle_agents_.upper_bound({now_ - *q.cfg.add_idle_agents_after, AgentId()});
  }
  if (smallest == 0 && idle_end == idle_agents_.begin()) {
    if (best.item) *out = best.points;
    return best.item;
  }

  int all_levels_bound = 0;  // Σ (10 − min) over the class's skills
  for (const SkillRequirement& r : c.skills) all_levels_bound += kMaxSkillLevel - r.min_level;

  struct Cursor {
    AgentIndex::Bucket::const_iterator pos, end;
    int fit_levels_bound;
    Points bound;
    bool idle_set = false;  // over idle_agents_: members need not be available for `ch`
  };
  std::array<Cursor, kMaxSkillLevel + 2> cursors;
  size_t n_cursors = 0;
  if (primary != nullptr) {
    int configured_min = primary->min_level;
    for (const SkillRequirement& r : c.skills) {
      if (r.skill == primary->skill) configured_min = r.min_level;
    }
    const int others = all_levels_bound - (kMaxSkillLevel - configured_min);
    for (int l = primary->min_level; l <= kMaxSkillLevel; ++l) {
      const auto& bucket = index_.by_skill(ch, primary->skill, l);
      if (!bucket.empty()) {
        cursors[n_cursors++] = {bucket.begin(), bucket.end(), (l - configured_min) + others, 0};
      }
    }
  } else {
    cursors[n_cursors++] = {single->begin(), single->end(), all_levels_bound, 0};
  }
  if (idle_end != idle_agents_.begin()) {
    cursors[n_cursors++] = {idle_agents_.begin(), idle_end, all_levels_bound, 0, true};
  }

  // Everything but the agent's idle time and skill fit is known for this interaction.
  const Points fixed = c.constant + wait_points(q, it.rank_from) +
                       (it.language_id != kNoLanguage ? language_points(q) : 0) + random_bound(q) +
                       round_robin_bound(q);  // the handled term is ≤ 0: left out of the bound
  auto bound_of = [&](const Cursor& cur) {
    return fixed + fit_points(q, cur.fit_levels_bound) + idle_since_points(q, cur.pos->first);
  };
  for (size_t i = 0; i < n_cursors; ++i) cursors[i].bound = bound_of(cursors[i]);

  // Best-first over the buckets: each bucket is ordered by idle time, so its bound only falls.
  while (n_cursors > 0) {
    size_t top = 0;
    for (size_t i = 1; i < n_cursors; ++i) {
      if (cursors[i].bound > cursors[top].bound ||
          (cursors[i].bound == cursors[top].bound && *cursors[i].pos < *cursors[top].pos)) {
        top = i;
      }
    }
    Cursor& cur = cursors[top];
    if (!best.could_win(cur.bound, *cur.pos)) {
      if (cur.bound < best.total) break;  // every other bucket is bounded lower still
      cursors[top] = cursors[--n_cursors];
      continue;
    }
    Agent& a = *agents_[cur.pos->second.value()];
    ROUTER_CHECK(cur.idle_set || available(a, ch));
    if (a.id != it.customer.preferred_agent && a.id != it.customer.last_agent &&
        (!cur.idle_set || available(a, ch))) {
      consider(a);
    }
    if (++cur.pos == cur.end) {
      cursors[top] = cursors[--n_cursors];
    } else {
      cur.bound = bound_of(cur);
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

Interaction* Router::Impl::best_interaction_naive(Agent& a, ChannelSet avail, Breakdown* out) {
  // Rank before points: only the agent's best-ranked queues holding anything it may take count.
  Best<Interaction, InteractionKey> best;
  int best_rank = std::numeric_limits<int>::max();
  for (auto& qp : queues_) {
    Queue& q = *qp;
    const int rank = a.rank_of(q.id);
    if (rank > best_rank) continue;
    for (auto& c : q.classes) {
      if (!avail[c->key.channel]) continue;
      for (const Member& m : c->members) {
        if (!eligible(a, *c, q, *m.it)) continue;
        if (rank < best_rank) {
          best = {};
          best_rank = rank;
        }
        best.offer(m.it, score(q, *c, *m.it, a), {m.rank_from, m.seq});
      }
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

Interaction* Router::Impl::best_interaction_indexed(Agent& a, ChannelSet avail, Breakdown* out) {
  std::vector<QueueSource> sources;
  sources.reserve(a.served.size());
  for (const ServedQueue& s : a.served) {
    Queue& q = *queues_[s.queue.value()];
    if (q.waiting > 0) sources.push_back(QueueSource{&q, s.base_fit_levels, s.rank});
  }
  // Reverse bullseye: the queues whose threshold this agent's idle time has reached.
  for (QueueId id : idle_rule_queues_) {
    Queue& q = *queues_[id.value()];
    if (q.waiting == 0 || !added_by_idle_rule(a, q)) continue;
    const auto served =
        std::lower_bound(a.served.begin(), a.served.end(), id,
                         [](const ServedQueue& s, QueueId queue) { return s.queue < queue; });
    if (served != a.served.end() && served->queue == id) continue;  // in already
    sources.push_back(QueueSource{&q, fit_levels(a, q.cfg.required_skills), a.rank_of(id)});
  }
  if (a.ranks.empty()) return best_interaction_among(a, avail, sources, 0, out);
  // Rank before points: the agent's queues rank by rank, the first with anything it may take.
  // Every interaction it may take waits in one of `sources` (affine ones too), so no rank
  // outside them can hold one.
  std::stable_sort(sources.begin(), sources.end(),
                   [](const QueueSource& x, const QueueSource& y) { return x.rank < y.rank; });
  std::vector<QueueSource> same_rank;
  for (size_t i = 0; i < sources.size();) {
    same_rank.clear();
    const int rank = sources[i].rank;
    for (; i < sources.size() && sources[i].rank == rank; ++i) same_rank.push_back(sources[i]);
    if (Interaction* it = best_interaction_among(a, avail, same_rank, rank, out)) return it;
  }
  return nullptr;
}

Interaction* Router::Impl::best_interaction_among(Agent& a, ChannelSet avail,
                                                  const std::vector<QueueSource>& sources, int rank,
                                                  Breakdown* out) {
  Best<Interaction, InteractionKey> best;
  auto consider = [&](Interaction& it, const Queue& q, const WaitingClass& c) {
    if (eligible(a, c, q, it)) best.offer(&it, score(q, c, it, a), {it.rank_from, it.seq});
  };
  // Interactions whose customer prefers or last saw this agent: the only ones that can earn
  // affinity points, so the bounds below leave affinity out.
  for (Interaction* it : a.affine) {
    if (it->cls && avail[static_cast<size_t>(it->channel)] && a.rank_of(it->queue) == rank) {
      consider(*it, *find_queue(it->queue), *it->cls);
    }
  }

  // Best-first over two kinds of entry: a queue's classes in score-key order (bounded by the
  // next class's key and the most this agent could add in that queue), and a class's members
  // in arrival order (bounded by everything but affinity, exactly).
  struct Entry {
    Points bound;
    InteractionKey key;  // members: (arrival, seq); queue cursors: the lowest possible
    Queue* q;
    ScoreIndex::const_iterator next_class;  // queue cursor
    WaitingClass* c;                        // member cursor (null for a queue cursor)
    std::set<Member>::const_iterator pos;
    Points fixed;  // queue cursor: the agent's bound; member cursor: all but wait
  };
  auto lower = [](const Entry& x, const Entry& y) {
    return x.bound < y.bound || (x.bound == y.bound && y.key < x.key);
  };
  constexpr InteractionKey kFirst{TimePoint::min(), 0};
  std::vector<Entry> heap;
  heap.reserve(sources.size() + 8);
  for (const QueueSource& s : sources) {
    Queue& q = *s.q;
    const Points agent_bound = fit_points(q, s.base_fit_levels + q.max_extra_levels) +
                               language_points(q) + idle_points(q, a) + load_points(q, a) +
                               handled_points(q, a) + random_bound(q) + round_robin_points(q, a);
    for (int ch = 0; ch < kChannelCount; ++ch) {
      const ScoreIndex& index = q.by_score[static_cast<size_t>(ch)];
      if (!avail[static_cast<size_t>(ch)] || index.empty()) continue;
      heap.push_back(Entry{class_bound(q, index.cbegin()->first) + agent_bound,
                           kFirst,
                           &q,
                           index.cbegin(),
                           nullptr,
                           {},
                           agent_bound});
    }
  }
  std::make_heap(heap.begin(), heap.end(), lower);
  auto push = [&](Entry e) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), lower);
  };

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), lower);
    const Entry e = heap.back();
    heap.pop_back();
    if (!best.could_win(e.bound, e.key)) {
      if (e.bound < best.total) break;  // the heap holds nothing higher
      continue;
    }
    Queue& q = *e.q;
    if (e.c == nullptr) {
      WaitingClass& c = *e.next_class->second;
      if (auto after = std::next(e.next_class); after != q.by_score[c.key.channel].cend()) {
        push(
            Entry{class_bound(q, after->first) + e.fixed, kFirst, &q, after, nullptr, {}, e.fixed});
      }
      if (!meets(a, c.effective) && !added_by_idle_rule(a, q)) continue;
      if (q.cfg.language_required && c.key.language != kNoLanguage && !a.speaks(c.key.language)) {
        continue;
      }
      const Points fixed =
          c.constant + fit_points(q, fit_levels(a, c.skills)) +
          (c.key.language != kNoLanguage && a.speaks(c.key.language) ? language_points(q) : 0) +
          idle_points(q, a) + load_points(q, a) + handled_points(q, a) + random_bound(q) +
          round_robin_points(q, a);
      const Member& head = *c.members.begin();
      push(Entry{fixed + wait_points(q, head.rank_from),
                 {head.rank_from, head.seq},
                 &q,
                 {},
                 &c,
                 c.members.begin(),
                 fixed});
      continue;
    }
    consider(*e.pos->it, q, *e.c);
    // The next member only matters if this one was not taken (it excluded this agent).
    if (auto next = std::next(e.pos); next != e.c->members.end()) {
      push(Entry{e.fixed + wait_points(q, next->rank_from),
                 {next->rank_from, next->seq},
                 &q,
                 {},
                 e.c,
                 next,
                 e.fixed});
    }
  }
  if (best.item) *out = best.points;
  return best.item;
}

}  // namespace router::engine
