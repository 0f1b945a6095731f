// The configuration file at start and on reload: errors name the file and the field path and
// change nothing; a good reload keeps every queued interaction where it was.
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using Catch::Matchers::Contains;

engine::Result<std::unique_ptr<routerd::Daemon>> start_on(const CenterFiles& files) {
  routerd::DaemonOptions options;
  options.config_path = files.config_path();
  options.listen = "127.0.0.1:0";
  return routerd::Daemon::start(options);
}

TEST_CASE("a server does not start on a configuration with an error, and says where it is",
          "[grpc][config]") {
  struct Broken {
    std::string what, from, to, field;
  };
  const Broken broken =
      GENERATE(Broken{"an entry point to an unknown queue", "queue: web-callback}",
                      "queue: no-such-queue}", "entry_points[6].queue"},
               Broken{"an agent token for an unknown agent", "role: AGENT, agent: dev}",
                      "role: AGENT, agent: nobody}", "auth.tokens[5].agent"},
               Broken{"a skill level out of range", "{skill: support, level: 7}",
                      "{skill: support, level: 11}", "agents[0].skills[0].level"},
               Broken{"an entry point without a channel", "{channel: WEB_CHAT, queue: web-chat}",
                      "{queue: web-chat}", "entry_points[5].channel"});
  CenterFiles files;
  files.write_config(replace_once(center_yaml(), broken.from, broken.to));
  auto started = start_on(files);
  INFO(broken.what);
  REQUIRE_FALSE(started.ok());
  INFO(started.error().message);
  CHECK_THAT(started.error().message, Contains(files.config_path()));
  CHECK_THAT(started.error().message, Contains(broken.field));
}

TEST_CASE("a server does not start without entry points or without tokens", "[grpc][config]") {
  CenterFiles files;
  SECTION("no entry points") {
    std::string yaml = center_yaml();
    const auto from = yaml.find("entry_points:");
    const auto to = yaml.find("limits:");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    yaml.erase(from, to - from);
    files.write_config(yaml);
    auto started = start_on(files);
    REQUIRE_FALSE(started.ok());
    INFO(started.error().message);
    CHECK_THAT(started.error().message, Contains("entry_points"));
  }
  SECTION("no tokens and no dev_no_auth") {
    std::string yaml = center_yaml();
    const auto from = yaml.find("  tokens:");
    const auto to = yaml.find("daemon:");
    yaml.erase(from, to - from);
    files.write_config(yaml);
    auto started = start_on(files);
    REQUIRE_FALSE(started.ok());
    INFO(started.error().message);
    CHECK_THAT(started.error().message, Contains("auth"));
  }
  SECTION("a missing file") {
    routerd::DaemonOptions options;
    options.config_path = (files.dir() / "absent.yaml").string();
    options.listen = "127.0.0.1:0";
    auto started = routerd::Daemon::start(options);
    REQUIRE_FALSE(started.ok());
    CHECK_THAT(started.error().message, Contains("absent.yaml"));
  }
}

// The five interactions queued before a reload, as they were.
std::vector<v1::Interaction> queue_five(RouterFixture& fx) {
  std::vector<v1::Interaction> queued;
  for (int i = 1; i <= 5; ++i) {
    auto r = fx.submit(phone_call("call-" + std::to_string(i), "+1 415 555 0100"));
    INFO(describe(r.status));
    REQUIRE(r.ok());
    REQUIRE(r.value.interaction().state() == v1::QUEUED);
    queued.push_back(r.value.interaction());
  }
  return queued;
}

void check_unchanged(RouterFixture& fx, const std::vector<v1::Interaction>& before) {
  for (const auto& b : before) {
    auto now = fx.get_interaction(b.interaction_id());
    INFO(b.interaction_id() << ": " << describe(now.status));
    REQUIRE(now.ok());
    CHECK(now.value.state() == v1::QUEUED);
    CHECK(now.value.queue() == b.queue());
    CHECK(now.value.position() == b.position());
    CHECK(now.value.arrived().seconds() == b.arrived().seconds());
    CHECK(now.value.arrived().nanos() == b.arrived().nanos());
  }
  auto stats = fx.queue_stats("phone-support");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == static_cast<int>(before.size()));
}

const char kNewAgent[] =
    "  - {name: zed, team: east, languages: [en], skills: [{skill: support, level: 9}]}\n";

TEST_CASE_METHOD(RouterFixture,
                 "ReloadConfig applies a changed file and keeps every queued interaction with "
                 "its arrival time",
                 "[grpc][config]") {
  const auto before = queue_five(*this);
  std::string yaml = files().read_config();
  yaml = replace_once(yaml, "\nentry_points:", std::string(kNewAgent) + "\nentry_points:");
  yaml = replace_once(yaml, "  wait: 0.1\n", "  wait: 0.3\n");
  files().write_config(yaml);

  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  REQUIRE(reloaded.ok());
  CHECK(reloaded.value.file() == config_path());
  CHECK(reloaded.value.queues() == 5);
  CHECK(reloaded.value.agents() == 5);
  CHECK_FALSE(reloaded.value.changes().empty());
  check_unchanged(*this, before);

  auto zed = agent_status("zed");
  REQUIRE(zed.has_value());
  CHECK(zed->state() == v1::LOGGED_OUT);

  // The agents of before still route, oldest first.
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  auto offer = ana.wait_offer();
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().interaction_id() == "call-1");
}

TEST_CASE_METHOD(RouterFixture, "Server::reload re-reads the file like ReloadConfig",
                 "[grpc][config]") {
  const auto before = queue_five(*this);
  files().write_config(replace_once(files().read_config(),
                                    "\nentry_points:", std::string(kNewAgent) + "\nentry_points:"));
  auto report = server().reload();
  REQUIRE(report.ok());
  CHECK(report.value().changes == std::vector<std::string>{"agent zed added"});
  CHECK(agent_status("zed").has_value());
  auto again = server().reload();  // the same file again: nothing to report
  REQUIRE(again.ok());
  CHECK(again.value().changes.empty());
  check_unchanged(*this, before);
}

TEST_CASE_METHOD(RouterFixture,
                 "a reload of a file with an error is INVALID_ARGUMENT naming it and the field, "
                 "and the old configuration keeps routing",
                 "[grpc][config]") {
  const auto before = queue_five(*this);
  files().write_config(replace_once(files().read_config(), "{skill: support, level: 7}",
                                    "{skill: support, level: 11}"));

  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  CHECK(reloaded.code() == grpc::INVALID_ARGUMENT);
  CHECK_THAT(reloaded.message(), Contains(config_path()));
  CHECK_THAT(reloaded.message(), Contains("agents[0].skills[0].level"));

  auto direct = server().reload();
  REQUIRE_FALSE(direct.ok());
  CHECK_THAT(direct.error().message, Contains("agents[0].skills[0].level"));

  check_unchanged(*this, before);
  // Still the old configuration: ana (support 7) serves phone-support and gets the oldest.
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  auto offer = ana.wait_offer();
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().interaction_id() == "call-1");
  REQUIRE(ana.accept("call-1").ok());
  // And new work is still accepted and queued by the old entry points.
  auto more = submit(email("mail-1", "ada@example.com"));
  INFO(describe(more.status));
  REQUIRE(more.ok());
  CHECK(more.value.interaction().queue() == "email-billing");
}

TEST_CASE_METHOD(RouterFixture, "a reload that removes a queue holding work does not lose the work",
                 "[grpc][config]") {
  REQUIRE(submit(web_chat("chat-1", "v-1")).ok());
  std::string yaml = files().read_config();
  yaml = replace_once(yaml,
                      "  - name: web-chat\n    channels: [WEB_CHAT]\n    skills: [{skill: chat, "
                      "min_level: 2}]\n    offer_timeout_s: 5\n    wrap_up_s: 30\n",
                      "");
  yaml = replace_once(yaml, "  - {channel: WEB_CHAT, queue: web-chat}\n", "");
  files().write_config(yaml);
  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO("ReloadConfig: " << describe(reloaded.status));
  // Refusing the reload or keeping the queue until it drains are both fine; losing the chat is
  // not.
  auto chat = get_interaction("chat-1");
  INFO("GetInteraction: " << describe(chat.status));
  REQUIRE(chat.ok());
  CHECK(chat.value.state() == v1::QUEUED);
  CHECK(chat.value.queue() == "web-chat");
}

}  // namespace
}  // namespace router::it
