// Supervisor actions: skills, force-state, priority, move (SupervisorService) and reload
// (AdminService).
#include <string>
#include <vector>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/requests.h"
#include "tools/routerctl/views.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

class ActionCommands final : public CommandGroup {
 public:
  void add(CLI::App& app, const OnCommand& on) override {
    auto* skills = app.add_subcommand("skills", "replace an agent's skills");
    skills->add_option("AGENT", agent_name_, "agent name")->required();
    skills->add_option("SKILL=LEVEL", skill_words_, "skills with levels 1..10")
        ->required()
        ->check(kSkillLevelWord);
    document(skills,
             "UpdateAgentSkills: the listed skills replace the agent's skills (skills not listed "
             "are removed); the next routing decision uses them.",
             {"routerctl skills a07 sales=8 support=5 billing=3"});
    on(skills, [&](Session& s) {
      auto levels = router::ctl::parse_skill_levels(skill_words_);
      if (!levels) usage_error("SKILL=LEVEL", levels.error());
      v1::UpdateAgentSkillsRequest request;
      request.set_agent(agent_name_);
      for (const auto& level : *levels) *request.add_skills() = level;
      return s.unary<v1::AgentStatus>(
          [&](grpc::ClientContext* c, v1::AgentStatus* r) {
            return s.connection().supervisor().UpdateAgentSkills(c, request, r);
          },
          [&](const v1::AgentStatus& r) {
            std::string words;
            for (const auto& w : skill_words_) words += (words.empty() ? "" : " ") + w;
            return "skills of " + agent_name_ + " set to " + words + "\n" +
                   router::ctl::render_agent_status(r, now());
          });
    });

    auto* force_state = app.add_subcommand("force-state", "set an agent's state as a supervisor");
    force_state->add_option("AGENT", agent_name_, "agent name")->required();
    force_state->add_option("STATE", state_word_, "ready, not-ready or logged-out")
        ->required()
        ->check(kAgentStateWord);
    force_state->add_option("--reason", reason_, "the NOT_READY reason, e.g. 'meeting'");
    document(
        force_state,
        "ForceAgentState: READY, NOT_READY (with a reason) or LOGGED_OUT, whatever the agent's "
        "desktop says.",
        {"routerctl force-state a07 not-ready --reason meeting",
         "routerctl force-state a07 logged-out"});
    on(force_state, [&](Session& s) {
      v1::SetStateRequest request;
      request.set_agent(agent_name_);
      request.set_state(*router::ctl::parse_agent_state(state_word_));
      request.set_reason(reason_);
      return s.unary<v1::AgentStatus>(
          [&](grpc::ClientContext* c, v1::AgentStatus* r) {
            return s.connection().supervisor().ForceAgentState(c, request, r);
          },
          [](const v1::AgentStatus& r) { return router::ctl::render_agent_status(r, now()); });
    });

    auto* set_priority = app.add_subcommand("priority", "change a waiting interaction's priority");
    set_priority->add_option("ID", interaction_id_, "interaction id")->required();
    set_priority->add_option("N", priority_, "new priority 0..100")
        ->required()
        ->check(CLI::Range(router::ctl::kMinPriority, router::ctl::kMaxPriority));
    document(set_priority, "SetInteractionPriority; prints the interaction afterwards.",
             {"routerctl priority ph-1001 80"});
    on(set_priority, [&](Session& s) {
      v1::SetInteractionPriorityRequest request;
      request.set_interaction_id(interaction_id_);
      request.set_priority(priority_);
      return s.unary<v1::Interaction>(
          [&](grpc::ClientContext* c, v1::Interaction* r) {
            return s.connection().supervisor().SetInteractionPriority(c, request, r);
          },
          [](const v1::Interaction& r) { return router::ctl::render_interaction(r, now()); });
    });

    auto* move = app.add_subcommand("move", "move a waiting interaction to another queue");
    move->add_option("ID", interaction_id_, "interaction id")->required();
    move->add_option("QUEUE", target_queue_, "the queue to move it to")->required();
    document(move,
             "MoveInteraction: the interaction keeps its original arrival time; prints it "
             "afterwards.",
             {"routerctl move ph-1001 support-t2"});
    on(move, [&](Session& s) {
      v1::MoveInteractionRequest request;
      request.set_interaction_id(interaction_id_);
      request.set_queue(target_queue_);
      return s.unary<v1::Interaction>(
          [&](grpc::ClientContext* c, v1::Interaction* r) {
            return s.connection().supervisor().MoveInteraction(c, request, r);
          },
          [](const v1::Interaction& r) { return router::ctl::render_interaction(r, now()); });
    });

    auto* reload = app.add_subcommand("reload", "make routerd re-read its configuration");
    document(reload,
             "AdminService.ReloadConfig: routerd re-reads the file it was started with, keeping "
             "queued and assigned work, and answers with what changed and any warnings. A file "
             "that does not validate changes nothing (INVALID_ARGUMENT naming the field).",
             {"routerctl reload"});
    on(reload, [&](Session& s) {
      return s.unary<v1::ReloadConfigResponse>(
          [&](grpc::ClientContext* c, v1::ReloadConfigResponse* r) {
            return s.connection().admin().ReloadConfig(c, v1::ReloadConfigRequest(), r);
          },
          [](const v1::ReloadConfigResponse& r) { return router::ctl::render_reload(r); });
    });
  }

 private:
  std::string agent_name_;
  std::vector<std::string> skill_words_;
  std::string state_word_;
  std::string reason_;
  int priority_ = 0;
  std::string target_queue_;
  std::string interaction_id_;
};

}  // namespace

std::unique_ptr<CommandGroup> action_commands() { return std::make_unique<ActionCommands>(); }

}  // namespace router::ctl
