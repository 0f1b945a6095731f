// routerload's synthetic center: what make_center writes, center_text prints and the config
// loader reads back is a center routerd would run, of the asked size, the same from one seed.
#include "tools/routerload/center.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"

namespace router::load {
namespace {

using adapters::config::RoutingModel;

RoutingModel parsed(const CenterSpec& spec) {
  auto model = adapters::config::parse_routing_config(center_text(make_center(spec)), "center");
  INFO((model.ok() ? std::string() : model.error().message));
  REQUIRE(model.ok());
  return std::move(model).value();
}

CenterSpec sized(size_t agents, size_t queues, size_t skills) {
  CenterSpec spec;
  spec.agents = agents;
  spec.queues = queues;
  spec.skills = skills;
  return spec;
}

// Agents that meet every required skill of the queue and take `channel`.
size_t eligible(const RoutingModel& m, const engine::QueueConfig& q, engine::Channel channel) {
  size_t n = 0;
  for (const engine::AgentProfile& a : m.agents) {
    if (a.capacity.max[static_cast<size_t>(channel)] <= 0) continue;
    bool meets = true;
    for (const engine::SkillRequirement& r : q.required_skills) {
      bool has = false;
      for (const engine::SkillLevel& s : a.skills) {
        has = has || (s.skill == r.skill && s.level >= r.min_level);
      }
      meets = meets && has;
    }
    if (meets) ++n;
  }
  return n;
}

constexpr engine::Channel kAll[] = {engine::Channel::kPhone, engine::Channel::kEmail,
                                    engine::Channel::kWebChat, engine::Channel::kWebCallback};

TEST_CASE("a generated center parses and has the asked agents, queues, skills and tokens",
          "[center]") {
  const RoutingModel m = parsed(sized(300, 12, 7));
  REQUIRE(m.agents.size() == 300);
  REQUIRE(m.queues.size() == 12);
  REQUIRE(m.skills.size() == 7);
  CHECK(m.agents.front().name == agent_name(0));
  CHECK(m.agents.front().name == "ag00001");
  CHECK(m.agents.back().name == agent_name(299));

  std::map<v1::Role, size_t> roles;
  std::map<std::string, std::string> token_of;
  for (const auto& t : m.auth.tokens) {
    ++roles[t.role];
    if (t.role == v1::AGENT) token_of[t.agent] = t.token;
    if (t.role == v1::GATEWAY) CHECK(t.token == kGatewayToken);
    if (t.role == v1::SUPERVISOR) CHECK(t.token == kSupervisorToken);
  }
  CHECK(roles[v1::GATEWAY] == 1);
  CHECK(roles[v1::SUPERVISOR] == 1);
  CHECK(roles[v1::AGENT] == 300);
  CHECK_FALSE(m.auth.dev_no_auth);
  for (const auto& a : m.agents) {
    INFO(a.name);
    REQUIRE(token_of.count(a.name) == 1);
    CHECK(token_of[a.name] == agent_token(a.name));
  }
  CHECK(m.daemon.listen == "127.0.0.1:50051");
}

TEST_CASE("every queue of a generated center has agents for each of its channels", "[center]") {
  struct Shape {
    size_t agents, queues, skills;
    size_t at_least;  // eligible agents per queue and channel
  };
  const Shape shape = GENERATE(Shape{1000, 20, 10, 100}, Shape{1, 1, 1, 1}, Shape{3, 20, 10, 1},
                               Shape{50, 7, 1, 50}, Shape{1000, 200, 100, 10});
  CAPTURE(shape.agents, shape.queues, shape.skills);
  const RoutingModel m = parsed(sized(shape.agents, shape.queues, shape.skills));
  for (const engine::QueueConfig& q : m.queues) {
    INFO(q.name);
    // The four channels routerload drives (it submits no work items).
    for (engine::Channel ch : kAll) CHECK(q.channels.test(static_cast<size_t>(ch)));
    CHECK(q.channels.count() == std::size(kAll));
    CHECK_FALSE(q.required_skills.empty());
    CHECK_FALSE(q.max_wait.has_value());
    CHECK_FALSE(q.overflow_after.has_value());
    CHECK(q.expansion.empty());
    for (engine::Channel ch : kAll) CHECK(eligible(m, q, ch) >= shape.at_least);
  }
}

TEST_CASE("the agents of a generated center are blended, one item per channel, and speak en",
          "[center]") {
  const RoutingModel m = parsed(sized(500, 5, 10));
  std::set<std::string> others;
  for (const engine::AgentProfile& a : m.agents) {
    INFO(a.name);
    for (engine::Channel ch : kAll) CHECK(a.capacity.max[static_cast<size_t>(ch)] == 1);
    REQUIRE_FALSE(a.languages.empty());
    CHECK(a.languages.front() == "en");
    for (size_t i = 1; i < a.languages.size(); ++i) others.insert(a.languages[i]);
  }
  CHECK(others == std::set<std::string>{"es", "zh"});
}

TEST_CASE("every queue of a generated center has a door with an address on each channel",
          "[center]") {
  const CenterSpec spec = sized(100, 1000, 10);
  const RoutingModel m = parsed(spec);
  REQUIRE(m.proto.entry_points_size() == 4000);
  std::map<std::pair<std::string, int>, std::string> door;  // (queue, channel) → address
  std::map<int, std::set<std::string>> addresses;
  for (const v1::EntryPoint& e : m.proto.entry_points()) {
    CHECK_FALSE(e.address().empty());
    CHECK(door.emplace(std::pair{e.queue(), static_cast<int>(e.channel())}, e.address()).second);
    CHECK(addresses[e.channel()].insert(e.address()).second);  // one queue per address
  }
  for (size_t q = 0; q < spec.queues; ++q) {
    for (v1::Channel ch : {v1::PHONE, v1::EMAIL, v1::WEB_CHAT, v1::WEB_CALLBACK}) {
      CHECK(door[{queue_name(q), ch}] == door_address(ch, q));
    }
  }
  CHECK(door_address(v1::PHONE, 0) == "+18005550100");
  CHECK(door_address(v1::PHONE, 999) == "+18005551099");
  CHECK(door_address(v1::EMAIL, 0) == "q0001@load.example.com");
  CHECK(door_address(v1::WEB_CHAT, 0) == "q0001");
  CHECK(door_address(v1::WEB_CALLBACK, 0) == "q0001");
  CHECK_THROWS_AS(door_address(v1::CHANNEL_UNSPECIFIED, 0), std::invalid_argument);
}

TEST_CASE("the same seed writes the same center and another seed a different one", "[center]") {
  CenterSpec spec = sized(400, 9, 6);
  spec.seed = 42;
  const std::string first = center_text(make_center(spec));
  CHECK(center_text(make_center(spec)) == first);
  spec.seed = 43;
  CHECK(center_text(make_center(spec)) != first);
}

TEST_CASE("a generated center can hold a hundred thousand waiting interactions in one queue",
          "[center]") {
  CenterSpec spec = sized(10, 2, 2);
  spec.offer_timeout_s = 12;
  spec.wrap_up_s = 0;
  const RoutingModel m = parsed(spec);
  CHECK(m.router.limits.max_interactions >= 2'000'000);
  CHECK(m.router.limits.max_waiting_per_queue >= 1'000'000);
  CHECK(m.daemon.stream_buffer >= 65'536);
  for (const engine::QueueConfig& q : m.queues) {
    CHECK(q.offer_timeout == std::chrono::seconds(12));
    CHECK(q.wrap_up == engine::Duration::zero());
  }
}

TEST_CASE("a spec out of range is refused naming the field", "[center]") {
  CenterSpec spec;
  std::string field;
  SECTION("no agents") { spec.agents = 0, field = "CenterSpec.agents"; }
  SECTION("too many agents") { spec.agents = kMaxCenterAgents + 1, field = "CenterSpec.agents"; }
  SECTION("no queues") { spec.queues = 0, field = "CenterSpec.queues"; }
  SECTION("too many queues") { spec.queues = kMaxCenterQueues + 1, field = "CenterSpec.queues"; }
  SECTION("no skills") { spec.skills = 0, field = "CenterSpec.skills"; }
  SECTION("no offer timeout") { spec.offer_timeout_s = 0, field = "CenterSpec.offer_timeout_s"; }
  SECTION("a negative wrap-up") { spec.wrap_up_s = -1, field = "CenterSpec.wrap_up_s"; }
  SECTION("a listen address without a port") {
    spec.listen = "localhost", field = "CenterSpec.listen";
  }
  SECTION("a redis address without a port") { spec.redis = "redis:", field = "CenterSpec.redis"; }
  SECTION("no room to wait") {
    spec.max_waiting_per_queue = 0, field = "CenterSpec.max_waiting_per_queue";
  }
  try {
    (void)make_center(spec);
    FAIL("no exception for " << field);
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::StartsWith(field + ":"));
  }
}

TEST_CASE("a generated center has a redis section only when asked for one", "[center]") {
  CenterSpec spec = sized(20, 3, 3);
  SECTION("without") {
    const std::string text = center_text(make_center(spec));
    CHECK(text.find("redis") == std::string::npos);
    CHECK_FALSE(parsed(spec).redis.has_value());
  }
  SECTION("with") {
    spec.redis = "127.0.0.1:6390";
    const RoutingModel m = parsed(spec);
    REQUIRE(m.redis.has_value());
    CHECK(m.redis->address() == "127.0.0.1:6390");
    CHECK(m.redis->journal);
  }
}

TEST_CASE("a center with links has AGENT_LINK tokens that split its agents between them",
          "[center]") {
  CenterSpec spec = sized(10, 2, 2);
  spec.links = 3;
  const v1::RoutingConfig c = make_center(spec);
  std::vector<const v1::Token*> links;
  for (const v1::Token& t : c.auth().tokens()) {
    if (t.role() == v1::AGENT_LINK) links.push_back(&t);
  }
  REQUIRE(links.size() == 3);
  CHECK(links[0]->token() == link_token(0));
  CHECK(link_token(0) == "routerload-agent-link-token-0001");
  CHECK(links[0]->agents_size() == 4);  // agents 0, 3, 6, 9
  CHECK(links[0]->agents(1) == agent_name(3));
  CHECK(links[1]->agents_size() == 3);
  CHECK(links[2]->agents_size() == 3);
  // What center_text writes reads back (the link tokens' agents lists included).
  const RoutingModel m = parsed(spec);
  size_t read_back = 0;
  for (const v1::Token& t : m.proto.auth().tokens()) {
    if (t.role() == v1::AGENT_LINK) read_back += static_cast<size_t>(t.agents_size());
  }
  CHECK(read_back == 10);
  spec.links = kMaxCenterLinks + 1;
  CHECK_THROWS_WITH(make_center(spec), Catch::Contains("links"));
}

}  // namespace
}  // namespace router::load
