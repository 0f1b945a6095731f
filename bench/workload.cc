// The benchmark's synthetic center: distributions are in this file only, so the benchmark and
// the memory program build exactly the same router from the same seed.
#include "bench/workload.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace router::bench {

using engine::AgentId;
using engine::AgentProfile;
using engine::Channel;
using engine::ChannelSet;
using engine::Duration;
using engine::InteractionId;
using engine::InteractionSpec;
using engine::InteractionState;
using engine::QueueConfig;
using engine::Segment;
using engine::SkillId;
using engine::TimePoint;

namespace {

constexpr size_t kProbes = 64;           // distinct decisions a benchmark cycles through
constexpr size_t kProbeAttempts = 2048;  // candidates tried before giving up
constexpr InteractionId::rep kProbeIdBase = 1'000'000'000'000;
constexpr Duration kHour = std::chrono::hours(1);
constexpr Duration kHalfHour = std::chrono::minutes(30);

int uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// Index into `weights` drawn with those relative weights.
size_t pick(std::mt19937_64& rng, std::initializer_list<double> weights) {
  return std::discrete_distribution<size_t>(weights)(rng);
}

ChannelSet channels_of(std::initializer_list<Channel> list) {
  ChannelSet s;
  for (Channel c : list) s.set(static_cast<size_t>(c));
  return s;
}

bool takes(const QueueConfig& q, Channel c) { return q.channels[static_cast<size_t>(c)]; }

std::string language(std::mt19937_64& rng) {
  switch (pick(rng, {85, 10, 5})) {
    case 0: return "en";
    case 1: return "es";
    default: return "zh";
  }
}

// Customer, priority and language as an entry point would set them; queue and channel are the
// caller's.
void fill_customer(std::mt19937_64& rng, InteractionSpec& spec, uint64_t customer) {
  static constexpr Segment kSegments[] = {Segment::kStrategic, Segment::kProfitable,
                                          Segment::kOrdinary, Segment::kRisk};
  spec.customer.segment = kSegments[pick(rng, {5, 15, 70, 10})];
  spec.customer.customer_id = "cust-" + std::to_string(customer);
  spec.customer.lifetime_value =
      pick(rng, {50, 50}) == 0 ? 0.0 : std::uniform_real_distribution<double>(0, 150000)(rng);
  spec.priority = static_cast<int>(pick(rng, {60, 30, 10}));
  spec.language = language(rng);
}

}  // namespace

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench: %s failed\n", what);
    std::abort();
  }
}

Center::Center(Scenario scenario, CenterSize size, engine::MatchMode mode, uint64_t seed)
    : scenario_(scenario),
      size_(size),
      router_(engine::Router::create(engine::RouterConfig{}, mode).value()) {
  std::mt19937_64 rng(seed);
  add_model(rng);
  add_waiting(rng);
  add_agents(rng);
  if (scenario_ == Scenario::kArrival) {
    pick_arrivals(rng);
  } else {
    pick_freed_agents(rng);
  }
  router_->clear_events();
}

void Center::add_model(std::mt19937_64& rng) {
  for (int s = 0; s < kSkillCount; ++s) {
    check(router_->add_skill("skill-" + std::to_string(s)).ok(), "add_skill");
  }
  const ChannelSet kinds[] = {
      channels_of({Channel::kPhone}),
      channels_of({Channel::kPhone, Channel::kWebCallback}),
      channels_of({Channel::kEmail}),
      channels_of({Channel::kWebChat}),
      channels_of({Channel::kWebChat, Channel::kEmail}),
      channels_of({Channel::kPhone, Channel::kWebChat, Channel::kEmail}),
  };
  for (int i = 0; i < kQueueCount; ++i) {
    QueueConfig q;
    q.name = "queue-" + std::to_string(i);
    q.channels = kinds[static_cast<size_t>(uniform(rng, 0, 5))];
    const int first = uniform(rng, 0, kSkillCount - 1);
    q.required_skills.push_back({SkillId(static_cast<uint32_t>(first)), uniform(rng, 1, 6)});
    if (pick(rng, {60, 40}) == 1) {
      const int second = (first + uniform(rng, 1, kSkillCount - 1)) % kSkillCount;
      q.required_skills.push_back({SkillId(static_cast<uint32_t>(second)), uniform(rng, 1, 6)});
    }
    q.language_required = pick(rng, {90, 10}) == 1;
    q.service_level.threshold = q.channels.count() == 1 && takes(q, Channel::kEmail)
                                    ? Duration(std::chrono::hours(4))
                                    : Duration(std::chrono::seconds(20));
    auto id = router_->add_queue(q);
    check(id.ok(), "add_queue");
    queues_.push_back(q);
    queue_ids_.push_back(*id);
  }
}

void Center::add_waiting(std::mt19937_64& rng) {
  // kArrival: the e-mail backlog arrived in the hour before the agents logged in (they log in
  // over the half hour before kNow). kAgentFreed: arrivals spread over the hour before kNow.
  const TimePoint submitted = scenario_ == Scenario::kArrival ? kNow - kHalfHour : kNow;
  std::vector<size_t> candidates;
  for (size_t q = 0; q < queues_.size(); ++q) {
    if (scenario_ == Scenario::kAgentFreed || takes(queues_[q], Channel::kEmail)) {
      candidates.push_back(q);
    }
  }
  std::uniform_int_distribution<size_t> which(0, candidates.size() - 1);
  std::uniform_int_distribution<int64_t> age_ms(1, kHour.count());
  for (size_t i = 0; i < size_.waiting; ++i) {
    const size_t q = candidates[which(rng)];
    InteractionSpec spec;
    spec.id = InteractionId(i + 1);
    spec.queue = queue_ids_[q];
    if (scenario_ == Scenario::kArrival) {
      spec.channel = Channel::kEmail;
    } else {
      std::vector<Channel> offered;
      for (int c = 0; c < engine::kChannelCount; ++c) {
        if (queues_[q].channels[static_cast<size_t>(c)]) offered.push_back(Channel(c));
      }
      spec.channel = offered[static_cast<size_t>(uniform(rng, 0, int(offered.size()) - 1))];
    }
    fill_customer(rng, spec, i);
    spec.arrival = submitted - Duration(age_ms(rng));
    auto r = router_->submit(spec, submitted);
    check(r.ok() && r->position > 0, "submit of a waiting interaction");
    router_->clear_events();
  }
}

void Center::add_agents(std::mt19937_64& rng) {
  std::vector<AgentId> ids;
  for (size_t i = 0; i < size_.agents; ++i) {
    AgentProfile p;
    p.name = "agent-" + std::to_string(i);
    p.team = "team-" + std::to_string(i / 25);
    std::vector<int> skills(kSkillCount);
    for (int s = 0; s < kSkillCount; ++s) skills[static_cast<size_t>(s)] = s;
    std::shuffle(skills.begin(), skills.end(), rng);
    const int n = uniform(rng, 3, 6);
    for (int s = 0; s < n; ++s) {
      p.skills.push_back(
          {SkillId(static_cast<uint32_t>(skills[static_cast<size_t>(s)])), uniform(rng, 1, 10)});
    }
    switch (pick(rng, {80, 8, 5, 5, 2})) {
      case 0: p.languages = {"en"}; break;
      case 1: p.languages = {"en", "es"}; break;
      case 2: p.languages = {"es"}; break;
      case 3: p.languages = {"en", "zh"}; break;
      default: p.languages = {"zh"}; break;
    }
    // Max per channel: phone, email, web chat, web callback.
    switch (pick(rng, {40, 30, 20, 10})) {
      case 0:  // voice
        p.capacity.max = {1, 0, 0, 1};
        break;
      case 1:  // blended
        p.capacity.max = {1, 5, 3, 1};
        break;
      case 2:  // digital
        p.capacity.max = {0, 5, 3, 0};
        break;
      default:  // e-mail
        p.capacity.max = {0, 5, 0, 0};
        break;
    }
    if (scenario_ == Scenario::kArrival) {
      // The e-mail team is away: nobody logged in takes e-mail, so the backlog stays put.
      p.capacity.max[static_cast<size_t>(Channel::kEmail)] = 0;
      if (p.capacity.max == std::array<int, engine::kChannelCount>{0, 0, 0, 0}) {
        p.capacity.max[static_cast<size_t>(Channel::kWebChat)] = 3;
      }
    }
    auto id = router_->add_agent(std::move(p));
    check(id.ok(), "add_agent");
    ids.push_back(*id);
  }
  if (scenario_ == Scenario::kArrival) {
    // Idle since distinct times: log in over the half hour before kNow, in random order.
    std::shuffle(ids.begin(), ids.end(), rng);
    for (size_t i = 0; i < ids.size(); ++i) {
      const TimePoint t =
          kNow - kHalfHour + kHalfHour * static_cast<int64_t>(i) / static_cast<int64_t>(ids.size());
      check(router_->login(ids[i], /*ready=*/true, t).ok(), "login");
      router_->clear_events();
    }
  } else {
    for (AgentId id : ids) {
      check(router_->login(id, /*ready=*/false, kNow).ok(), "login");
      router_->clear_events();
    }
  }
}

void Center::pick_arrivals(std::mt19937_64& rng) {
  std::vector<size_t> candidates;  // queues that take a channel the idle agents take
  for (size_t q = 0; q < queues_.size(); ++q) {
    if ((queues_[q].channels & ~channels_of({Channel::kEmail})).any()) candidates.push_back(q);
  }
  std::uniform_int_distribution<size_t> which(0, candidates.size() - 1);
  for (size_t k = 0; k < kProbeAttempts && arrivals_.size() < kProbes; ++k) {
    const size_t q = candidates[which(rng)];
    std::vector<Channel> offered;
    for (Channel c : {Channel::kPhone, Channel::kWebChat, Channel::kWebCallback}) {
      if (takes(queues_[q], c)) offered.push_back(c);
    }
    InteractionSpec spec;
    spec.id = InteractionId(kProbeIdBase + arrivals_.size());
    spec.queue = queue_ids_[q];
    spec.channel = offered[static_cast<size_t>(uniform(rng, 0, int(offered.size()) - 1))];
    fill_customer(rng, spec, size_.waiting + k);
    auto r = router_->submit(spec, kNow);
    check(r.ok(), "submit of an arrival");
    auto snap = router_->interaction(spec.id);
    check(snap.ok(), "interaction snapshot");
    const bool offered_now = snap->state == InteractionState::kOffered;
    check(router_->cancel(spec.id, kNow).ok(), "cancel of an arrival");
    router_->clear_events();
    if (offered_now) arrivals_.push_back(std::move(spec));
  }
  check(!arrivals_.empty(), "finding arrivals that are offered at once");
}

void Center::pick_freed_agents(std::mt19937_64& rng) {
  std::vector<AgentId> ids;
  for (size_t i = 0; i < size_.agents; ++i) ids.push_back(AgentId(static_cast<uint32_t>(i)));
  std::shuffle(ids.begin(), ids.end(), rng);
  for (size_t k = 0; k < std::min(kProbeAttempts, ids.size()) && freed_agents_.size() < kProbes;
       ++k) {
    check(router_->set_ready(ids[k], kNow).ok(), "set_ready");
    auto snap = router_->agent(ids[k], kNow);
    check(snap.ok(), "agent snapshot");
    const bool offered = snap->state == engine::AgentState::kReserved;
    check(router_->set_not_ready(ids[k], "break", kNow).ok(), "set_not_ready");
    router_->clear_events();
    if (offered) freed_agents_.push_back(ids[k]);
  }
  check(!freed_agents_.empty(), "finding agents who are offered work when READY");
}

}  // namespace router::bench
