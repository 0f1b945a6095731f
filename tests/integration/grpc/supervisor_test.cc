// The supervisor's view and actions: queue statistics on WatchQueues, why an interaction goes
// where it goes (ExplainRouting), and the actions that steer it (priority, move, skills, state).
#include <algorithm>
#include <catch2/catch.hpp>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

using SS = v1::SupervisorService::Stub;

bool is_change(const v1::InteractionEvent& e, const std::string& id, const std::string& change) {
  return e.interaction().interaction_id() == id && e.change() == change;
}

TEST_CASE_METHOD(RouterFixture, "WatchQueues streams the queue's statistics as work arrives",
                 "[grpc][supervisor]") {
  v1::WatchQueuesRequest request;
  request.add_queues("email-billing");
  request.set_interval_s(0.2);
  auto watch = open(&SS::WatchQueues, kSupervisorToken, request);
  REQUIRE(submit(email("mail-1", "ada@example.com")).ok());
  REQUIRE(submit(email("mail-2", "bob@example.com")).ok());
  auto two_waiting = watch->wait_for([](const v1::GetQueueStatsResponse& r) {
    return r.queues_size() == 1 && r.queues(0).queue() == "email-billing" &&
           r.queues(0).waiting() == 2;
  });
  REQUIRE(two_waiting.has_value());
  CHECK(two_waiting->queues(0).arrived() == 2);
  CHECK(two_waiting->queues(0).longest_wait_s() >= 0);
}

TEST_CASE_METHOD(RouterFixture,
                 "ExplainRouting names the effective skills and why an agent is not eligible",
                 "[grpc][supervisor]") {
  AgentDesk cara(*this, "cara");  // billing and chat, no support
  REQUIRE(cara.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  v1::ExplainRoutingRequest request;
  request.set_interaction_id("call-1");
  auto explained = call(&SS::ExplainRouting, kSupervisorToken, request);
  INFO(describe(explained.status));
  REQUIRE(explained.ok());
  const auto& e = explained.value;
  CHECK(e.interaction_id() == "call-1");
  CHECK(e.state() == v1::QUEUED);
  CHECK(e.stage() == 0);
  REQUIRE(e.effective_skills_size() == 1);
  CHECK(e.effective_skills(0).skill() == "support");
  CHECK(e.effective_skills(0).min_level() == 3);
  CHECK(e.eligible_size() == 0);
  const auto it = std::find_if(e.ineligible().begin(), e.ineligible().end(),
                               [](const auto& i) { return i.agent() == "cara"; });
  REQUIRE(it != e.ineligible().end());
  CHECK(it->reason() == "missing_skill");
}

// Cara's emails cost 60 of her budget of 100 (docs/routing.md, "Blended capacity and headroom").
struct BudgetCenter : RouterFixture {
  BudgetCenter()
      : RouterFixture(CenterOptions{
            .extra_config = "blending: {cost: {email: 60}}\n", .edit = [](std::string yaml) {
              const std::string cara = "{skill: billing, level: 8}, {skill: chat, level: 6}]}";
              const auto at = yaml.find(cara);
              REQUIRE(at != std::string::npos);
              return yaml.replace(at, cara.size(),
                                  "{skill: billing, level: 8}, {skill: chat, level: 6}], "
                                  "capacity: {email: 5, budget: 100}}");
            }}) {}
};

TEST_CASE_METHOD(BudgetCenter,
                 "an agent's capacity budget holds back a second email, and ExplainRouting says "
                 "so",
                 "[grpc][supervisor][blending]") {
  AgentDesk cara(*this, "cara");
  REQUIRE(cara.set_ready().ok());
  REQUIRE(submit(email("mail-1", "ada@example.com")).ok());
  REQUIRE(cara.wait_offer("mail-1").has_value());
  REQUIRE(cara.accept("mail-1").ok());
  REQUIRE(submit(email("mail-2", "bob@example.com")).ok());
  CHECK_FALSE(cara.wait_offer("mail-2", 300ms).has_value());  // by count she could take 4 more
  v1::ExplainRoutingRequest request;
  request.set_interaction_id("mail-2");
  auto explained = call(&SS::ExplainRouting, kSupervisorToken, request);
  INFO(describe(explained.status));
  REQUIRE(explained.ok());
  const auto& e = explained.value;
  const auto it = std::find_if(e.ineligible().begin(), e.ineligible().end(),
                               [](const auto& i) { return i.agent() == "cara"; });
  REQUIRE(it != e.ineligible().end());
  CHECK(it->detail() == "over its capacity budget (holds 60 of 100; email costs 60)");
  // The first costs its 60 through wrap-up; done with it, she has room for the second.
  REQUIRE(cara.complete("mail-1").ok());
  CHECK_FALSE(cara.wait_offer("mail-2", 300ms).has_value());
  REQUIRE(cara.end_wrap_up("mail-1").ok());
  CHECK(cara.wait_offer("mail-2").has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "UpdateAgentSkills takes effect at the next decision: the agent is offered work "
                 "it could not take before",
                 "[grpc][supervisor]") {
  AgentDesk cara(*this, "cara");
  REQUIRE(cara.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100")).ok());
  CHECK_FALSE(cara.wait_offer("call-1", 300ms).has_value());

  v1::UpdateAgentSkillsRequest update;
  update.set_agent("cara");
  for (const auto& [skill, level] :
       {std::pair{"billing", 8}, std::pair{"chat", 6}, std::pair{"support", 9}}) {
    auto* s = update.add_skills();
    s->set_skill(skill);
    s->set_level(level);
  }
  auto updated = call(&SS::UpdateAgentSkills, kSupervisorToken, update);
  INFO(describe(updated.status));
  REQUIRE(updated.ok());
  CHECK(cara.wait_offer("call-1").has_value());
}

TEST_CASE_METHOD(RouterFixture,
                 "SetInteractionPriority and MoveInteraction change a queued interaction and keep "
                 "its arrival time",
                 "[grpc][supervisor]") {
  auto watch = watch_interactions();
  auto first = submit(phone_call("call-1", "+1 415 555 0100"));
  REQUIRE(first.ok());
  REQUIRE(submit(phone_call("call-2", "+1 415 555 0101")).ok());

  v1::SetInteractionPriorityRequest priority;
  priority.set_interaction_id("call-2");
  priority.set_priority(50);
  auto prioritized = call(&SS::SetInteractionPriority, kSupervisorToken, priority);
  INFO(describe(prioritized.status));
  REQUIRE(prioritized.ok());
  CHECK(prioritized.value.priority() == 50);
  CHECK(watch->wait_for([](const auto& e) { return is_change(e, "call-2", "priority_changed"); })
            .has_value());

  v1::MoveInteractionRequest move;
  move.set_interaction_id("call-1");
  move.set_queue("phone-sales");
  auto moved = call(&SS::MoveInteraction, kSupervisorToken, move);
  INFO(describe(moved.status));
  REQUIRE(moved.ok());
  CHECK(moved.value.queue() == "phone-sales");
  CHECK(moved.value.state() == v1::QUEUED);
  CHECK(moved.value.arrived().seconds() == first.value.interaction().arrived().seconds());
  CHECK(moved.value.arrived().nanos() == first.value.interaction().arrived().nanos());
  CHECK(watch->wait_for([](const auto& e) { return is_change(e, "call-1", "moved"); }).has_value());

  auto support = queue_stats("phone-support");
  auto sales = queue_stats("phone-sales");
  REQUIRE(support.has_value());
  REQUIRE(sales.has_value());
  CHECK(support->waiting() == 1);
  CHECK(sales->waiting() == 1);
}

TEST_CASE_METHOD(RouterFixture,
                 "a supervisor forcing an agent out requeues the agent's offered work",
                 "[grpc][supervisor]") {
  AgentDesk ana(*this, "ana");
  auto watch = watch_interactions();
  REQUIRE(ana.set_ready().ok());
  REQUIRE(submit(phone_call("call-1", "+1 415 555 0100", kSalesLine)).ok());
  REQUIRE(ana.wait_offer("call-1").has_value());
  v1::SetStateRequest force;
  force.set_agent("ana");
  force.set_state(v1::LOGGED_OUT);
  auto forced = call(&SS::ForceAgentState, kSupervisorToken, force);
  INFO(describe(forced.status));
  REQUIRE(forced.ok());
  CHECK(forced.value.state() == v1::LOGGED_OUT);
  auto requeued = watch->wait_for([](const auto& e) { return is_change(e, "call-1", "requeued"); });
  REQUIRE(requeued.has_value());
  CHECK(requeued->interaction().state() == v1::QUEUED);
}

}  // namespace
}  // namespace router::it
