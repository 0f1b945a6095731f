// enginedemo: the routing engine on its own, driven in simulated time by a seeded script of
// calls, emails and chats, and a small team of agents who answer, talk and wrap up. Prints the
// router's events as they happen, one explanation of a decision, and the queue statistics.
// A stand-in until routerd exists: no network, no Redis, the same engine routerd will run.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "engine/router.h"

namespace {

using namespace router::engine;
using namespace std::chrono_literals;

struct Demo {
  std::unique_ptr<Router> owned_router = Router::create().value();  // default config: valid
  Router& router = *owned_router;
  std::mt19937_64 rng{42};
  TimePoint now{std::chrono::hours(8)};  // 08:00 on the simulated day
  std::map<std::string, SkillId> skills;
  std::vector<AgentId> agents;
  std::vector<QueueId> queues;
  std::map<uint64_t, TimePoint> talk_ends;  // assigned interaction -> when the agent completes
  std::map<uint64_t, TimePoint> gives_up;   // waiting call -> when the caller hangs up
  uint64_t next_id = 1;
  bool verbose = true;

  SkillId skill(const std::string& name) {
    if (!skills.count(name)) skills[name] = router.add_skill(name).value();
    return skills[name];
  }

  void build() {
    auto queue = [&](std::string name, Channel ch, std::vector<SkillRequirement> req) {
      QueueConfig q;
      q.name = std::move(name);
      q.channels.reset();
      q.channels.set(static_cast<size_t>(ch));
      q.required_skills = std::move(req);
      q.wrap_up = 15s;
      q.offer_timeout = 15s;
      q.expansion.push_back({60s, 2, false});  // after a minute, accept less skilled agents
      if (ch == Channel::kEmail) q.service_level = {std::chrono::hours(4), 0.9};
      queues.push_back(router.add_queue(q).value());
    };
    queue("sales", Channel::kPhone, {{skill("sales"), 5}});
    queue("support", Channel::kPhone, {{skill("support"), 6}});
    queue("billing-email", Channel::kEmail, {{skill("billing"), 4}});
    queue("web-chat", Channel::kWebChat, {{skill("support"), 3}});
    const char* names[] = {"ana", "ben", "chen", "dora", "eli", "fay", "gus", "hana"};
    for (int i = 0; i < 8; ++i) {
      AgentProfile p;
      p.name = names[i];
      p.languages = {"en"};
      if (i % 4 == 2) p.languages.push_back("zh");
      for (const char* s : {"sales", "support", "billing"}) {
        if (std::bernoulli_distribution(0.7)(rng)) {
          p.skills.push_back({skill(s), std::uniform_int_distribution<int>(3, 10)(rng)});
        }
      }
      agents.push_back(router.add_agent(p).value());
      (void)router.login(agents.back(), /*ready=*/true, now);
    }
  }

  void print_events() {
    for (const Event& e : router.events()) {
      if (auto* o = std::get_if<AssignedEvent>(&e.body)) {
        const auto talk = std::chrono::seconds(std::uniform_int_distribution<int>(30, 240)(rng));
        talk_ends[o->interaction.value()] = e.at + talk;
      }
      if (verbose) std::printf("  %s\n", describe(e).c_str());
    }
    router.clear_events();
  }

  void arrive() {
    InteractionSpec s;
    s.id = InteractionId(next_id++);
    const int q = std::uniform_int_distribution<int>(0, 3)(rng);
    s.queue = queues[static_cast<size_t>(q)];
    s.channel = q == 2 ? Channel::kEmail : q == 3 ? Channel::kWebChat : Channel::kPhone;
    s.customer.segment = static_cast<Segment>(std::discrete_distribution<int>({1, 2, 6, 1})(rng));
    s.customer.lifetime_value = std::uniform_real_distribution<double>(0, 150000)(rng);
    s.language = "en";
    if (!router.submit(s, now).ok()) std::printf("  submit refused\n");
    if (s.channel == Channel::kPhone) {  // callers give up after two minutes on average
      const double patience_s = std::exponential_distribution<double>(1.0 / 120.0)(rng);
      gives_up[s.id.value()] =
          now + std::chrono::milliseconds(static_cast<int64_t>(patience_s * 1000));
    }
  }

  void callers_hang_up() {
    for (auto it = gives_up.begin(); it != gives_up.end();) {
      auto snap = router.interaction(InteractionId(it->first));
      if (!snap.ok() || snap->state == InteractionState::kAssigned) {
        it = gives_up.erase(it);  // answered (or gone): patience no longer matters
      } else if (it->second <= now) {
        (void)router.cancel(InteractionId(it->first), now);
        it = gives_up.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Agents answer their offers after a few seconds (about 1 in 100 rings out), complete
  // when the talk time is over, and come back from "missed" after a short pause.
  void agents_act() {
    for (AgentId a : agents) {
      const AgentSnapshot snap = router.agent(a, now).value();
      if (snap.state == AgentState::kNotReady && snap.time_in_state > 20s) {
        (void)router.set_ready(a, now);
      }
      for (InteractionId id : snap.work) {
        const InteractionSnapshot it = router.interaction(id).value();
        if (it.state == InteractionState::kOffered) {
          // About 4 s to answer; now and then an offer rings out and the agent is "missed".
          if (std::bernoulli_distribution(0.27)(rng)) (void)router.accept(a, id, now);
        } else if (it.state == InteractionState::kAssigned && talk_ends[id.value()] <= now) {
          (void)router.complete(a, id, "resolved", now);
          talk_ends.erase(id.value());
        }
      }
    }
  }

  void run(int minutes) {
    std::exponential_distribution<double> gap(1.0 / 25.0);  // one arrival every ~25 s
    TimePoint next_arrival = now;
    const TimePoint end = now + std::chrono::minutes(minutes);
    bool explained = false;
    while (now < end) {
      now += 1s;
      router.advance(now);
      while (next_arrival <= now) {
        arrive();
        next_arrival += std::chrono::milliseconds(static_cast<int64_t>(gap(rng) * 1000));
      }
      callers_hang_up();
      agents_act();
      if (!router.events().empty() && verbose) {
        const long long t =
            std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
        std::printf("%02lld:%02lld:%02lld\n", t / 3600 % 24, t / 60 % 60, t % 60);
      }
      print_events();
      if (!explained && router.live_count() > 3) explained = explain_one();
    }
  }

  bool explain_one() {
    for (InteractionId id : router.live_interactions()) {
      auto ex = router.explain(id, now);
      if (!ex.ok() || ex->state != InteractionState::kOffered || ex->eligible.size() < 2 ||
          ex->ineligible.empty()) {
        continue;
      }
      std::printf("\n  explain %llu (%s, stage %d):\n", static_cast<unsigned long long>(id.value()),
                  std::string(to_string(ex->state)).c_str(), ex->stage);
      for (const RankedAgent& r : ex->eligible) {
        std::printf("    %-5s %7.1f points:", router.agent(r.agent, now)->name.c_str(),
                    to_double(r.points.total()));
        for (int t = 0; t < kTermCount; ++t) {
          if (r.points.term[static_cast<size_t>(t)] != 0) {
            std::printf(" %s %.1f", std::string(to_string(static_cast<Term>(t))).c_str(),
                        to_double(r.points.term[static_cast<size_t>(t)]));
          }
        }
        std::printf("\n");
      }
      for (const IneligibleAgent& r : ex->ineligible) {
        std::printf("    %-5s not eligible: %s\n", router.agent(r.agent, now)->name.c_str(),
                    r.detail.c_str());
      }
      std::printf("\n");
      return true;
    }
    return false;
  }

  void print_stats() {
    std::printf("\n%-14s %7s %8s %7s %8s %8s %6s %6s %9s\n", "queue", "arrived", "answered",
                "waiting", "SL", "ASA", "AHT", "aband", "completed");
    for (QueueId q : queues) {
      const QueueStats s = router.queue_stats(q, now).value();
      std::printf("%-14s %7llu %8llu %7d %7.1f%% %7.1fs %5.0fs %6llu %9llu\n", s.name.c_str(),
                  static_cast<unsigned long long>(s.arrived),
                  static_cast<unsigned long long>(s.answered), s.waiting, 100.0 * s.service_level,
                  seconds(s.asa), seconds(s.aht), static_cast<unsigned long long>(s.abandoned),
                  static_cast<unsigned long long>(s.completed));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  int minutes = 30;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: enginedemo [--minutes N] [--quiet]\n"
          "Runs the routing engine alone in simulated time (default 30 minutes of a small\n"
          "center: 4 queues, 8 agents), printing each event, one routing explanation and the\n"
          "queue statistics. --quiet prints only the explanation and the statistics.\n");
      return 0;
    }
    if (arg == "--minutes" && i + 1 < argc) {
      minutes = std::atoi(argv[++i]);
      if (minutes <= 0) {
        std::fprintf(stderr, "enginedemo: --minutes must be a positive number\n");
        return 2;
      }
    } else if (arg == "--quiet") {
      quiet = true;
    } else {
      std::fprintf(stderr, "enginedemo: unknown argument '%s' (try --help)\n", arg.c_str());
      return 2;
    }
  }
  try {
    Demo demo;
    demo.verbose = !quiet;
    demo.build();
    demo.print_events();
    demo.run(minutes);
    demo.print_stats();
  } catch (const std::exception& e) {  // a startup failure: the demo's own config is broken
    std::fprintf(stderr, "enginedemo: %s\n", e.what());
    return 1;
  }
  return 0;
}
