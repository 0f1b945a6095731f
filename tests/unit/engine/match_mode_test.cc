// The indexed matcher and the naive scan choose the same agent and the same interaction: each
// scenario runs once per MatchMode and the offers (who, to whom, for how many points) compare.
#include <functional>
#include <tuple>

#include "engine/builders.h"

namespace router::engine::testing {

namespace {

using Offer = std::tuple<uint64_t, std::string, Points>;

std::vector<Offer> offers_in(MatchMode mode, const std::function<void(Center&)>& scenario) {
  Center c({}, mode);
  REQUIRE(c.router.mode() == mode);
  scenario(c);
  std::vector<Offer> out;
  for (const OfferedEvent& e : c.events<OfferedEvent>()) {
    out.emplace_back(e.interaction.value(), c.agent_state(e.agent).name, e.points.total());
  }
  c.audit();
  return out;
}

std::vector<Offer> same_in_both_modes(const std::function<void(Center&)>& scenario) {
  const std::vector<Offer> indexed = offers_in(MatchMode::kIndexed, scenario);
  const std::vector<Offer> naive = offers_in(MatchMode::kNaiveScan, scenario);
  REQUIRE_FALSE(indexed.empty());
  CHECK(indexed == naive);
  return indexed;
}

std::string agent_of(const std::vector<Offer>& offers, uint64_t id) {
  std::string who;
  for (const Offer& o : offers) {
    if (std::get<0>(o) == id) who = std::get<1>(o);
  }
  return who;
}

}  // namespace

TEST_CASE("both matchers give an arriving interaction the same agent", "[matcher]") {
  const auto offers = same_in_both_modes([](Center& c) {
    c.add(a_queue("billing").with_skill("billing", 4).offer_timeout(10min));
    const char* langs[] = {"en", "zh", "fr"};
    for (int i = 0; i < 12; ++i) {
      AgentId a = c.add(an_agent("a" + std::to_string(i))
                            .with_skill("billing", 1 + (i * 7) % 10)
                            .with_skill("spanish", 1 + (i * 3) % 10)
                            .speaks(langs[i % 3]));
      c.login(a);
      // Logged in 0.1–0.4 s apart: idle differences of at most 0.6 points, so fit decides.
      c.after(std::chrono::milliseconds(100 * (1 + i % 4)));
    }
    c.submit(a_call().to("billing").id(1));
    c.submit(a_call().to("billing").id(2).language("zh"));
    c.submit(a_call().to("billing").id(3).needs("spanish", 7));
    c.submit(a_call().to("billing").id(4).preferred_agent("a1"));
    c.submit(a_call().to("billing").id(5).last_agent("a2").language("fr"));
    c.submit(a_call().to("billing").id(6).segment(Segment::kStrategic).needs("billing", 9));
  });
  CHECK(offers.size() == 5);
  CHECK(agent_of(offers, 1) == "a7");  // level 10: the best fit
  CHECK(agent_of(offers, 4) == "a1");  // the preferred agent, who meets the minimum
  CHECK(agent_of(offers, 6).empty());  // needs level 9: a4 and a7 both hold offers
}

TEST_CASE("both matchers give a freed agent the same interaction", "[matcher]") {
  const auto offers = same_in_both_modes([](Center& c) {
    c.add(a_queue("billing").with_skill("billing", 3).wrap_up(0s));
    c.add(a_queue("sales").with_skill("sales", 3).priority(1).wrap_up(0s));
    c.add(a_queue("vip").with_skill("billing", 8).wrap_up(0s));
    AgentId alice = c.add(an_agent("alice").with_skill("billing", 9).with_skill("sales", 4));
    c.login(alice, /*ready=*/false);
    const Segment segs[] = {Segment::kOrdinary, Segment::kRisk, Segment::kProfitable,
                            Segment::kStrategic};
    const char* queues[] = {"billing", "sales", "vip"};
    for (int i = 0; i < 18; ++i) {
      c.submit(a_call()
                   .to(queues[i % 3])
                   .id(static_cast<uint64_t>(100 + i))
                   .segment(segs[i % 4])
                   .priority(i % 5 == 0 ? 2 : 0)
                   .lifetime_value(1000.0 * ((i * 37) % 120)));
      c.after(std::chrono::seconds(3 + i % 7));
    }
    c.ok(c.router.set_ready(alice, c.now));
    for (int served = 0; served < 18; ++served) {
      const auto work = c.agent_state(alice).work;
      if (work.empty()) break;
      c.accept(alice, work[0]);
      c.after(20s);
      c.complete(alice, work[0]);
    }
  });
  CHECK(offers.size() == 18);
}

TEST_CASE("both matchers agree under expansion, required languages and chats", "[matcher]") {
  const auto offers = same_in_both_modes([](Center& c) {
    c.add(a_queue("chat")
              .channels({Channel::kWebChat})
              .with_skill("billing", 8)
              .expand(20s, 3)
              .expand(40s, 0, /*optional=*/true)
              .language_required()
              .wrap_up(0s));
    for (int i = 0; i < 6; ++i) {
      AgentId a = c.add(an_agent("a" + std::to_string(i))
                            .with_skill("billing", 3 + i)
                            .speaks(i % 2 == 0 ? "en" : "de")
                            .capacity(Channel::kWebChat, 1 + i % 3));
      c.login(a);
    }
    for (int i = 0; i < 14; ++i) {
      InteractionId id = c.submit(a_chat()
                                      .to("chat")
                                      .id(static_cast<uint64_t>(200 + i))
                                      .language(i % 3 == 0 ? "de" : "en")
                                      .priority(i % 4));
      if (AgentId who = c.holder(id); who.valid()) c.accept(who, id);
      c.after(7s);
    }
    c.after(1min);
  });
  CHECK(offers.size() >= 6);
}

}  // namespace router::engine::testing
