// routerctl's views: responses rendered as tables, field blocks, event lines and JSON.
#include "tools/routerctl/views.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace router::ctl {

namespace {

const WallClock::time_point kNow(std::chrono::seconds(1'700'000'000));

google::protobuf::Timestamp seconds_before_now(int seconds) {
  google::protobuf::Timestamp at;
  at.set_seconds(1'700'000'000 - seconds);
  return at;
}

}  // namespace

TEST_CASE("the queues view has one aligned row per queue with rates, times and agents by state",
          "[routerctl][views]") {
  v1::GetQueueStatsResponse response;
  auto& billing = *response.add_queues();
  billing.set_queue("billing");
  billing.set_waiting(3);
  billing.set_offered_now(1);
  billing.set_longest_wait_s(187);
  billing.set_ewt_new_s(45);
  billing.set_service_level(0.8234);
  billing.set_asa_s(12.4);
  billing.set_aht_s(305);
  billing.set_abandon_rate(0.05);
  billing.set_answered(120);
  billing.set_abandoned(6);
  billing.set_completed(110);
  (*billing.mutable_agents_by_state())["READY"] = 2;
  (*billing.mutable_agents_by_state())["BUSY"] = 5;
  (*billing.mutable_agents_by_state())["AGENT_WRAP_UP"] = 1;
  (*billing.mutable_agents_by_state())["NOT_READY"] = 3;
  auto& sales = *response.add_queues();
  sales.set_queue("sales_emea");
  (*sales.mutable_agents_by_state())["ready"] = 4;  // routerd may spell states in lower case

  REQUIRE(render_queue_stats(response) ==
          "QUEUE       WAITING  OFFERED  LONGEST  EWT     SL  ASA    AHT  ABANDON  ANSWERED  "
          "ABANDONED  READY  BUSY  WRAP  NOT_READY\n"
          "billing           3        1    3m07s  45s  82.3%  12s  5m05s     5.0%       120  "
          "        6      2     5     1          3\n"
          "sales_emea        0        0        -   0s      -    -      -        -         0  "
          "        0      4     0     0          0\n");
}

TEST_CASE("the queues view says so when there are no queues", "[routerctl][views]") {
  REQUIRE(render_queue_stats(v1::GetQueueStatsResponse()) == "no queues\n");
}

TEST_CASE("the agents view shows state, reason, time in state, handled and work",
          "[routerctl][views]") {
  v1::ListAgentsResponse response;
  auto& a51 = *response.add_agents();
  a51.set_agent("a51");
  a51.set_state(v1::NOT_READY);
  a51.set_reason("break");
  *a51.mutable_since() = seconds_before_now(187);
  a51.set_handled(12);
  auto& a7 = *response.add_agents();
  a7.set_agent("a7");
  a7.set_state(v1::BUSY);
  *a7.mutable_since() = seconds_before_now(2 * 3600 + 5 * 60);
  a7.add_work("ph-1");
  a7.add_work("ch-2");
  a7.set_handled(3);
  REQUIRE(render_agents(response, kNow) ==
          "AGENT  STATE      REASON  IN STATE  HANDLED  WORK\n"
          "a51    NOT_READY  break      3m07s       12  -\n"
          "a7     BUSY       -          2h05m        3  ph-1,ch-2\n");
  REQUIRE(render_agent_totals(response) == "agents: 1 BUSY, 1 NOT_READY (2 in all)\n");
  REQUIRE(render_agent_totals(v1::ListAgentsResponse()) == "agents: none\n");
}

TEST_CASE("the interactions view shows position, waited and EWT only while queued",
          "[routerctl][views]") {
  v1::ListInteractionsResponse response;
  auto& queued = *response.add_interactions();
  queued.set_interaction_id("ph-1");
  queued.set_channel(v1::PHONE);
  queued.set_state(v1::QUEUED);
  queued.set_priority(10);
  queued.set_position(1);
  queued.set_ewt_s(30);
  *queued.mutable_arrived() = seconds_before_now(75);
  queued.mutable_customer()->set_customer_id("c-1001");
  queued.mutable_customer()->set_segment(v1::STRATEGIC);
  queued.set_language("en");
  auto& offered = *response.add_interactions();
  offered.set_interaction_id("ch-2");
  offered.set_channel(v1::WEB_CHAT);
  offered.set_state(v1::OFFERED);
  *offered.mutable_arrived() = seconds_before_now(5);
  offered.set_agent("a7");
  REQUIRE(render_interactions(response, kNow) ==
          "POS  INTERACTION  CHANNEL   STATE    PRIORITY  WAITED  EWT  CUSTOMER   SEGMENT    "
          "LANGUAGE  AGENT\n"
          "  1  ph-1         PHONE     QUEUED         10   1m15s  30s  c-1001     STRATEGIC  "
          "en        -\n"
          "  -  ch-2         WEB_CHAT  OFFERED         0      5s    -  anonymous  -          "
          "-         a7\n");
}

TEST_CASE("the submit view names the queue, customer, position, EWT and replay",
          "[routerctl][views]") {
  v1::SubmitInteractionResponse response;
  auto& i = *response.mutable_interaction();
  i.set_interaction_id("call-1");
  i.set_channel(v1::PHONE);
  i.set_state(v1::QUEUED);
  i.set_queue("billing");
  i.set_position(2);
  i.set_ewt_s(45);
  auto& c = *i.mutable_customer();
  c.set_customer_id("c-1001");
  c.set_name("Ann Lee");
  c.set_segment(v1::STRATEGIC);
  c.set_lifetime_value(12000);
  c.set_matched_by("phone");
  REQUIRE(render_submit(response) ==
          "interaction  call-1\n"
          "channel      PHONE\n"
          "state        QUEUED\n"
          "queue        billing\n"
          "position     2\n"
          "EWT          45s\n"
          "customer     c-1001 Ann Lee (STRATEGIC, LTV 12000, matched by phone)\n"
          "replayed     no\n");
  SECTION("the wait's range follows the mean when routerd gave one") {
    i.set_ewt_low_s(5);
    i.set_ewt_high_s(104);
    REQUIRE_THAT(render_submit(response), Catch::Contains("EWT          45s (5s–1m44s)\n"));
  }
  SECTION("a replayed submit says nothing new was queued") {
    response.set_replayed(true);
    REQUIRE_THAT(render_submit(response),
                 Catch::Contains("replayed     yes (this id was submitted before"));
  }
  SECTION("an anonymous customer says so") {
    i.clear_customer();
    REQUIRE_THAT(render_submit(response), Catch::Contains("customer     anonymous\n"));
  }
}

TEST_CASE("the interaction view shows channel details and sorted attributes",
          "[routerctl][views]") {
  v1::Interaction i;
  i.set_interaction_id("mail-1");
  i.set_channel(v1::EMAIL);
  i.set_state(v1::ASSIGNED);
  i.set_queue("billing");
  i.set_agent("a51");
  (*i.mutable_attributes())["vip"] = "yes";
  (*i.mutable_attributes())["account"] = "42";
  i.mutable_email()->set_from("ann@example.com");
  i.mutable_email()->set_subject("Invoice 42");
  const std::string text = render_interaction(i, kNow);
  REQUIRE_THAT(text, Catch::Contains("state        ASSIGNED\n"));
  REQUIRE_THAT(text, Catch::Contains("agent        a51\n"));
  REQUIRE_THAT(text, Catch::Contains("attributes   account=42, vip=yes\n"));
  REQUIRE_THAT(text,
               Catch::Contains("details      from ann@example.com, subject \"Invoice 42\"\n"));
  REQUIRE_THAT(text, !Catch::Contains("EWT"));  // only while queued
}

TEST_CASE("the interaction view lists the agents a multi-offer rings", "[routerctl][views]") {
  v1::Interaction i;
  i.set_interaction_id("ring-1");
  i.set_channel(v1::PHONE);
  i.set_state(v1::OFFERED);
  i.set_queue("vip");
  i.set_agent("ana");
  for (const char* a : {"ana", "ben", "dev"}) i.add_offered_to(a);
  const std::string text = render_interaction(i, kNow);
  REQUIRE_THAT(text,
               Catch::Contains("ringing      ana, ben, dev (the first to accept takes it)\n"));
  i.clear_offered_to();
  i.add_offered_to("ana");  // one offer: the agent line says it all
  REQUIRE_THAT(render_interaction(i, kNow), !Catch::Contains("ringing"));
}

TEST_CASE("the explain view has a column per term that gave points and why agents are ineligible",
          "[routerctl][views]") {
  v1::ExplainRoutingResponse response;
  response.set_interaction_id("ph-1");
  response.set_state(v1::QUEUED);
  response.set_stage(1);
  auto& skill = *response.add_effective_skills();
  skill.set_skill("billing");
  skill.set_min_level(4);
  auto add_ranked = [&](const char* agent, double points,
                        std::initializer_list<std::pair<const char*, double>> terms) {
    auto& r = *response.add_eligible();
    r.set_agent(agent);
    r.set_points(points);
    for (const auto& [term, p] : terms) {
      auto& t = *r.add_breakdown();
      t.set_term(term);
      t.set_points(p);
    }
  };
  add_ranked("a7", 46.5, {{"skill_fit", 6}, {"wait", 0.5}, {"priority", 0}, {"affinity", 40}});
  add_ranked("a51", 8.5, {{"skill_fit", 8}, {"wait", 0.5}, {"priority", 0}});
  auto& ineligible = *response.add_ineligible();
  ineligible.set_agent("a9");
  ineligible.set_reason("skill_below_level");
  ineligible.set_detail("skill billing at 3 below level 4");
  REQUIRE(render_explain(response) ==
          "interaction   ph-1\n"
          "state         QUEUED\n"
          "stage         1 expansion step(s) applied\n"
          "required now  billing>=4\n"
          "\n"
          "eligible agents, best first:\n"
          "RANK  AGENT  POINTS  skill_fit  wait  affinity\n"
          "   1  a7       46.5        6.0   0.5      40.0\n"
          "   2  a51       8.5        8.0   0.5         -\n"
          "0 for every agent: priority\n"
          "\n"
          "ineligible agents:\n"
          "AGENT  REASON             DETAIL\n"
          "a9     skill_below_level  skill billing at 3 below level 4\n");
}

TEST_CASE("the explain view says none when no agent is eligible or ineligible",
          "[routerctl][views]") {
  v1::ExplainRoutingResponse response;
  response.set_interaction_id("ph-1");
  const std::string text = render_explain(response);
  REQUIRE_THAT(text, Catch::Contains("required now  none\n"));
  REQUIRE_THAT(text, Catch::Contains("eligible agents, best first:\n  none\n"));
  REQUIRE_THAT(text, Catch::Contains("ineligible agents:\n  none\n"));
}

TEST_CASE("an agent's status fits on one line", "[routerctl][views]") {
  v1::AgentStatus status;
  status.set_agent("a51");
  status.set_state(v1::NOT_READY);
  status.set_reason("break");
  *status.mutable_since() = seconds_before_now(187);
  status.set_handled(12);
  REQUIRE(render_agent_status(status, kNow) ==
          "a51  NOT_READY (break)  for 3m07s  work: -  handled: 12\n");
}

TEST_CASE("the reload view lists changes and warnings", "[routerctl][views]") {
  v1::ReloadConfigResponse response;
  response.set_file("center.yaml");
  response.set_queues(4);
  response.set_agents(12);
  REQUIRE(render_reload(response) == "reloaded center.yaml: 4 queues, 12 agents\nno changes\n");
  response.add_changes("queue billing updated");
  response.add_warnings("daemon.listen changes need a restart");
  REQUIRE(render_reload(response) ==
          "reloaded center.yaml: 4 queues, 12 agents\n"
          "changes:\n"
          "  queue billing updated\n"
          "warnings:\n"
          "  daemon.listen changes need a restart\n");
}

TEST_CASE("a work stream offer prints the interaction, the deadline and the terms that gave points",
          "[routerctl][views]") {
  v1::WorkEvent event;
  auto& offer = *event.mutable_offer();
  auto& i = *offer.mutable_interaction();
  i.set_interaction_id("ph-1");
  i.set_channel(v1::PHONE);
  i.set_queue("billing");
  offer.set_points(46.5);
  auto& t = *offer.add_breakdown();
  t.set_term("skill_fit");
  t.set_points(6);
  auto& w = *offer.add_breakdown();
  w.set_term("wait");
  w.set_points(40.5);
  auto& zero = *offer.add_breakdown();
  zero.set_term("random");
  zero.set_points(0);
  offer.mutable_expires()->set_seconds(1'700'000'020);
  const std::string text = render_work_event(event, kNow);
  REQUIRE_THAT(text,
               Catch::Contains("offer      ph-1 PHONE from queue billing, customer anonymous; "
                               "accept within 20s\n"));
  REQUIRE_THAT(text, Catch::EndsWith("points 46.5 = skill_fit 6.0, wait 40.5\n"));

  SECTION("heartbeats and updates take one line each") {
    v1::WorkEvent heartbeat;
    heartbeat.mutable_heartbeat();
    REQUIRE_THAT(render_work_event(heartbeat, kNow), Catch::EndsWith("  heartbeat\n"));
    v1::WorkEvent update;
    update.mutable_update()->set_interaction_id("ph-1");
    update.mutable_update()->set_state(v1::ASSIGNED);
    update.mutable_update()->set_agent("a51");
    REQUIRE_THAT(render_work_event(update, kNow),
                 Catch::EndsWith("  update     ph-1 ASSIGNED agent a51\n"));
  }
}

TEST_CASE("JSON output uses the proto field names and shows zero values", "[routerctl][views]") {
  v1::QueueStats stats;
  stats.set_queue("billing");
  stats.set_longest_wait_s(12.5);
  auto one_line = to_json(stats, false);
  REQUIRE(one_line.ok());
  REQUIRE_THAT(*one_line, Catch::Contains("\"queue\":\"billing\""));
  REQUIRE_THAT(*one_line, Catch::Contains("\"longest_wait_s\":12.5"));
  REQUIRE_THAT(*one_line, Catch::Contains("\"waiting\":0"));
  REQUIRE(one_line->find('\n') == one_line->size() - 1);  // one line, newline-terminated
  auto pretty = to_json(stats, true);
  REQUIRE(pretty.ok());
  REQUIRE_THAT(*pretty, Catch::Contains("\n \"queue\": \"billing\""));
}

}  // namespace router::ctl
