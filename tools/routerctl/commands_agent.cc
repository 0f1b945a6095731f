// Agent actions (AgentService), as an agent desktop makes the calls: `agent session` runs a whole
// desktop on one AgentSession stream (commands_agent_session.cc); login|logout|ready|not-ready|
// accept|reject|complete|end-wrap-up|transfer are one unary call each, and `work` reads
// StreamWork. The one-shot commands stay unary on purpose: a one-shot AgentSession would replace
// the desktop's running session (routerd ends it ABORTED) and its own end would start the
// agent's grace logout; a unary call leaves a running session alone, which sees what it caused.
#include <string>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/session_lines.h"
#include "tools/routerctl/views.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

int run_work(Session& session, const std::string& agent, int count) {
  auto& connection = session.connection();
  if (auto status = connection.await_connection(); !status.ok()) return session.fail(status);
  v1::StreamWorkRequest request;
  request.set_agent(agent);
  grpc::ClientContext context;
  connection.prepare_stream(context);
  auto reader = connection.agents().StreamWork(&context, request);
  int events = 0;
  bool stopped_by_count = false;
  v1::WorkEvent event;
  while (reader->Read(&event)) {
    ++events;
    const int rc = session.print(
        event, [](const v1::WorkEvent& e) { return router::ctl::render_work_event(e, now()); },
        true);
    if (rc != 0) return rc;
    if (count > 0 && events >= count) {
      stopped_by_count = true;
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (stopped_by_count) return router::ctl::kExitOk;
  if (!status.ok()) return session.fail(status);
  std::cerr << "routerctl: routerd ended the work stream after " << events
            << " event(s); it may be shutting down\n";
  return router::ctl::kExitRpcError;
}

class AgentCommands final : public CommandGroup {
 public:
  void add(CLI::App& app, const OnCommand& on) override {
    auto* agent = app.add_subcommand("agent", "act as an agent desktop (login, work, accept...)");
    agent->require_subcommand(1);
    document(agent,
             "AgentService calls, as an agent desktop makes them. Needs that agent's token (an "
             "agent token acts for its own agent only), or a daemon with auth.dev_no_auth.\n"
             "'agent session' is a whole desktop on one AgentSession stream: requests from "
             "stdin, answers and work events on stdout. The other commands make one unary call "
             "each (and 'work' reads StreamWork): they do not open a session, so they leave a "
             "desktop's running session alone (a second session or StreamWork would replace it, "
             "and its end would start the agent's grace logout).",
             {"ROUTER_TOKEN=$AGENT_A07_TOKEN routerctl agent session a07",
              "printf 'login\\nready\\n' | routerctl --json agent session a07",
              "ROUTER_TOKEN=$AGENT_A07_TOKEN routerctl agent login a07",
              "routerctl agent work a07 --count 5", "routerctl agent accept a07 ph-1001",
              "routerctl agent complete a07 ph-1001 --code resolved"});

    auto* session = agent->add_subcommand(
        "session", "run a desktop on one AgentSession stream: requests from stdin, one a line");
    session->add_option("AGENT", agent_name_, "agent name")->required();
    session->add_flag("--no-heartbeats", session_no_heartbeats_,
                      "do not print heartbeats (they are still received)");
    document(
        session,
        std::string("Opens one AgentSession for the agent and reads requests from stdin, one a "
                    "line:\n  ") +
            kSessionCommands +
            "\n"
            "Blank lines and lines starting with '#' are skipped. Each request is sent with "
            "its line number as correlation id (line 3 is answered by '#3'); 'not-ready' "
            "takes the rest of the line as its reason. Every answer and work event is "
            "printed as it arrives: answers as '#N REQUEST: OK' and the agent's state, or "
            "the error code and message; offers, updates, state changes and heartbeats as "
            "'agent work' prints them. With --json: each AgentSessionResponse as one JSON "
            "object per line. A line routerctl cannot parse is answered here, with its "
            "correlation id, INVALID_ARGUMENT and a message starting 'routerctl:', and is "
            "not sent.\n"
            "End of input or 'quit' half-closes the stream and waits (at most --timeout) "
            "for the answers still due, then closes the session: unless you sent 'logout', "
            "routerd logs the agent out after its grace period (daemon.agent_grace_s), as "
            "for a desktop that went away. Exit status 0 when every request was answered "
            "OK; 1 when one was refused, an answer did not come, or routerd ended the "
            "session.",
        {"routerctl agent session a07", "routerctl --json agent session a07 < shift.txt",
         "coproc routerctl --json agent session a07   # a script holds both ends"});
    on(session,
       [&](Session& s) { return run_agent_session(s, agent_name_, !session_no_heartbeats_); });

    auto add_agent_arg = [this](CLI::App* command) {
      command->add_option("AGENT", agent_name_, "agent name")->required();
    };
    auto add_id_arg = [this](CLI::App* command) {
      command->add_option("ID", interaction_id_, "interaction id")->required();
    };

    auto* login = agent->add_subcommand("login", "log in, READY unless --not-ready");
    add_agent_arg(login);
    login->add_flag("--not-ready", login_not_ready_, "log in NOT_READY (reason 'login')");
    document(login, "Login; prints the agent's state.",
             {"routerctl agent login a07", "routerctl agent login a07 --not-ready"});
    on(login, [&](Session& s) {
      v1::LoginRequest request;
      request.set_agent(agent_name_);
      request.set_ready(!login_not_ready_);
      return agent_status_call(s, &v1::AgentService::Stub::Login, request);
    });

    auto* logout = agent->add_subcommand("logout", "log out");
    add_agent_arg(logout);
    document(logout, "Logout; prints the agent's state.", {"routerctl agent logout a07"});
    on(logout, [&](Session& s) {
      v1::LogoutRequest request;
      request.set_agent(agent_name_);
      return agent_status_call(s, &v1::AgentService::Stub::Logout, request);
    });

    auto* ready = agent->add_subcommand("ready", "become READY for work");
    add_agent_arg(ready);
    document(ready, "SetState READY.", {"routerctl agent ready a07"});
    on(ready, [&](Session& s) {
      v1::SetStateRequest request;
      request.set_agent(agent_name_);
      request.set_state(v1::READY);
      return agent_status_call(s, &v1::AgentService::Stub::SetState, request);
    });

    auto* not_ready = agent->add_subcommand("not-ready", "become NOT_READY");
    add_agent_arg(not_ready);
    not_ready->add_option("--reason", reason_, "reason, e.g. 'break'");
    document(not_ready, "SetState NOT_READY with a reason.",
             {"routerctl agent not-ready a07 --reason break"});
    on(not_ready, [&](Session& s) {
      v1::SetStateRequest request;
      request.set_agent(agent_name_);
      request.set_state(v1::NOT_READY);
      request.set_reason(reason_);
      return agent_status_call(s, &v1::AgentService::Stub::SetState, request);
    });

    auto offer_command = [&](const char* name, const char* summary, const char* description,
                             auto method) {
      auto* command = agent->add_subcommand(name, summary);
      add_agent_arg(command);
      add_id_arg(command);
      document(command, description,
               {("routerctl agent " + std::string(name) + " a07 ph-1001").c_str()});
      on(command, [&, method](Session& s) {
        v1::OfferRequest request;
        request.set_agent(agent_name_);
        request.set_interaction_id(interaction_id_);
        return agent_status_call(s, method, request);
      });
      return command;
    };
    offer_command("accept", "accept an offer",
                  "AcceptOffer; FAILED_PRECONDITION once the offer has timed out.",
                  &v1::AgentService::Stub::AcceptOffer);
    offer_command("reject", "reject an offer",
                  "RejectOffer: the interaction goes back to its queue, keeping its arrival time, "
                  "and is not offered to this agent again.",
                  &v1::AgentService::Stub::RejectOffer);
    offer_command("end-wrap-up", "end wrap-up before its timer",
                  "EndWrapUp: the agent is free for the next interaction at once.",
                  &v1::AgentService::Stub::EndWrapUp);

    auto* complete = agent->add_subcommand("complete", "complete an interaction, start wrap-up");
    add_agent_arg(complete);
    add_id_arg(complete);
    complete->add_option("--code", wrap_up_code_, "wrap-up code (disposition), e.g. 'resolved'");
    document(complete, "CompleteInteraction with a wrap-up code; wrap-up starts.",
             {"routerctl agent complete a07 ph-1001 --code resolved"});
    on(complete, [&](Session& s) {
      v1::CompleteRequest request;
      request.set_agent(agent_name_);
      request.set_interaction_id(interaction_id_);
      request.set_wrap_up_code(wrap_up_code_);
      return agent_status_call(s, &v1::AgentService::Stub::CompleteInteraction, request);
    });

    auto* transfer = agent->add_subcommand("transfer", "transfer to a queue or an agent");
    add_agent_arg(transfer);
    add_id_arg(transfer);
    auto* target = transfer->add_option_group("target", "where to (exactly one)");
    target->add_option("--queue", transfer_queue_, "queue to transfer to");
    target->add_option("--to-agent", transfer_agent_, "agent to transfer to");
    target->require_option(1);
    document(transfer,
             "TransferInteraction: a new request to --queue, or a wait for --to-agent (who must be "
             "logged in). Give exactly one of them.",
             {"routerctl agent transfer a07 ph-1001 --queue support-t2",
              "routerctl agent transfer a07 ph-1001 --to-agent a11"});
    on(transfer, [&](Session& s) {
      v1::TransferRequest request;
      request.set_agent(agent_name_);
      request.set_interaction_id(interaction_id_);
      if (!transfer_queue_.empty()) {
        request.set_queue(transfer_queue_);
      } else {
        request.set_to_agent(transfer_agent_);
      }
      return agent_status_call(s, &v1::AgentService::Stub::TransferInteraction, request);
    });

    auto* work = agent->add_subcommand("work", "print offers and updates as they arrive");
    add_agent_arg(work);
    work->add_option("--count", work_count_, "stop after this many events (heartbeats included)")
        ->check(CLI::PositiveNumber);
    document(work,
             "Opens the agent's StreamWork stream and prints offers (with the points breakdown), "
             "updates of the agent's interactions, state changes and heartbeats as they arrive, "
             "until Ctrl-C or --count events. When the stream ends routerd logs the agent out "
             "after its grace period. With --json: one WorkEvent per line.",
             {"routerctl agent work a07", "routerctl agent work a07 --count 3",
              "routerctl --json agent work a07 | jq -c 'select(.offer)'"});
    on(work, [&](Session& s) { return run_work(s, agent_name_, work_count_); });
  }

 private:
  static int agent_status_call(Session& s, auto method, const auto& request) {
    return s.unary<v1::AgentStatus>(
        [&](grpc::ClientContext* c, v1::AgentStatus* r) {
          return (s.connection().agents().*method)(c, request, r);
        },
        [](const v1::AgentStatus& r) { return router::ctl::render_agent_status(r, now()); });
  }

  bool login_not_ready_ = false;
  bool session_no_heartbeats_ = false;
  std::string wrap_up_code_;
  std::string transfer_queue_;
  std::string transfer_agent_;
  int work_count_ = 0;
  std::string agent_name_;
  std::string interaction_id_;
  std::string reason_;
};

}  // namespace

std::unique_ptr<CommandGroup> agent_commands() { return std::make_unique<AgentCommands>(); }

}  // namespace router::ctl
