// routerctl: the supervisor and admin command line over routerd's gRPC API — queue and agent
// views, explanations of routing decisions, supervisor actions, configuration reload, and test
// traffic as a gateway or an agent desktop would send it. The composition root: parses the
// command line (CLI11), makes one Connection, runs one command, prints, exits.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "tools/routerctl/connection.h"
#include "tools/routerctl/customers_import.h"
#include "tools/routerctl/format.h"
#include "tools/routerctl/requests.h"
#include "tools/routerctl/rpc_error.h"
#include "tools/routerctl/views.h"

namespace {

namespace v1 = router::v1;
using router::ctl::Connection;
using router::ctl::WallClock;

constexpr const char* kDefaultServer = "127.0.0.1:50051";
constexpr double kDefaultTimeoutS = 5;
constexpr double kMaxTimeoutS = 3600;
constexpr double kMinWatchIntervalS = 0.2;  // WatchQueuesRequest.interval_s minimum
constexpr double kMaxWatchIntervalS = 3600;
constexpr int kMaxListLimit = 10000;
// ANSI: cursor home, then clear the screen.
constexpr const char* kClearScreen = "\033[H\033[2J";

struct GlobalOptions {
  std::string server = kDefaultServer;
  std::string token;
  double timeout_s = kDefaultTimeoutS;
  bool json = false;
};

// What every command needs once the command line is parsed: the connection and how to print.
class Session {
 public:
  explicit Session(const GlobalOptions& options)
      : json_(options.json),
        connection_(options.server, options.token,
                    std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000))) {}

  Connection& connection() { return connection_; }
  bool json() const { return json_; }

  int fail(const grpc::Status& status) {
    const auto failure = connection_.describe(status);
    std::cout.flush();
    std::cerr << failure.message << '\n';
    return failure.exit_code;
  }

  // Prints the response as JSON (--json) or with `render`.
  template <class Response, class Render>
  int print(const Response& response, Render render, bool one_line_json = false) {
    if (json_) {
      auto text = router::ctl::to_json(response, !one_line_json);
      if (!text) {
        std::cerr << "routerctl: internal error: " << text.error() << '\n';
        return router::ctl::kExitInternal;
      }
      std::cout << *text;
    } else {
      std::cout << render(response);
    }
    std::cout.flush();
    return router::ctl::kExitOk;
  }

  // One unary call: `call(context, response)` returns the status.
  template <class Response, class Call, class Render>
  int unary(Call call, Render render) {
    grpc::ClientContext context;
    connection_.prepare_unary(context);
    Response response;
    const grpc::Status status = call(&context, &response);
    if (!status.ok()) return fail(status);
    return print(response, render);
  }

 private:
  bool json_;
  Connection connection_;
};

// A usage error found after CLI11's own checks (e.g. a skill named twice).
[[noreturn]] void usage_error(const std::string& option, const std::string& message) {
  throw CLI::ValidationError(option, message);
}

CLI::Validator word_validator(std::function<std::string(const std::string&)> check,
                              std::string description) {
  return CLI::Validator([check = std::move(check)](std::string& word) { return check(word); },
                        std::move(description));
}

const CLI::Validator kSkillLevelWord = word_validator(
    [](const std::string& word) {
      auto parsed = router::ctl::parse_skill_level(word);
      return parsed ? std::string() : parsed.error();
    },
    "SKILL=LEVEL");

const CLI::Validator kAttributeWord = word_validator(
    [](const std::string& word) {
      auto parsed = router::ctl::parse_attribute(word);
      return parsed ? std::string() : parsed.error();
    },
    "KEY=VALUE");

const CLI::Validator kAgentStateWord = word_validator(
    [](const std::string& word) {
      auto parsed = router::ctl::parse_agent_state(word);
      return parsed ? std::string() : parsed.error();
    },
    "ready|not-ready|logged-out");

std::string examples(std::initializer_list<const char*> lines) {
  std::string out = "Examples:\n";
  for (const char* line : lines) out += std::string("  ") + line + "\n";
  return out;
}

// A command's help: the one-line summary is its description (shown in the parent's list); the
// details and examples go in the footer.
void document(CLI::App* command, const std::string& details,
              std::initializer_list<const char*> example_lines) {
  command->footer(details + "\n\n" + examples(example_lines) +
                  "\nGlobal options (--server, --token, --timeout, --json) may come before or "
                  "after the command; see 'routerctl --help'.");
}

WallClock::time_point now() { return WallClock::now(); }

// -------------------------------------------------------------------------------------------
// Streams.

struct WatchOptions {
  std::vector<std::string> queues;
  double interval_s = 1;
  int count = 0;  // 0: until interrupted
};

int run_watch(Session& session, const WatchOptions& options) {
  auto& connection = session.connection();
  if (auto status = connection.await_connection(); !status.ok()) return session.fail(status);
  v1::WatchQueuesRequest request;
  for (const auto& q : options.queues) request.add_queues(q);
  request.set_interval_s(options.interval_s);
  grpc::ClientContext context;
  connection.prepare_stream(context);
  auto reader = connection.supervisor().WatchQueues(&context, request);

  const bool tty = isatty(STDOUT_FILENO) != 0;
  int snapshots = 0;
  bool stopped_by_count = false;
  v1::GetQueueStatsResponse snapshot;
  while (reader->Read(&snapshot)) {
    ++snapshots;
    if (session.json()) {
      if (int rc = session.print(
              snapshot, [](const auto&) { return std::string(); }, true);
          rc != 0) {
        return rc;
      }
    } else {
      // Agents by state over the whole center (a queue's counts overlap with other queues').
      grpc::ClientContext agents_context;
      connection.prepare_unary(agents_context);
      v1::ListAgentsResponse agents;
      const grpc::Status agents_status =
          connection.supervisor().ListAgents(&agents_context, v1::ListAgentsRequest(), &agents);
      const std::string totals =
          agents_status.ok()
              ? router::ctl::render_agent_totals(agents)
              : "agents: unavailable (" +
                    std::string(router::ctl::status_code_name(agents_status.error_code())) + ": " +
                    agents_status.error_message() + ")\n";
      const std::string header = "routerd " + connection.server() + " at " +
                                 router::ctl::format_clock(snapshot.at()) + ", snapshot " +
                                 std::to_string(snapshots);
      if (tty) {
        std::cout << kClearScreen << header << " (every "
                  << router::ctl::format_duration(options.interval_s) << "; Ctrl-C stops)\n\n";
      } else {
        std::cout << (snapshots > 1 ? "\n" : "") << "=== " << header << " ===\n";
      }
      std::cout << router::ctl::render_queue_stats(snapshot) << totals;
      std::cout.flush();
    }
    if (options.count > 0 && snapshots >= options.count) {
      stopped_by_count = true;
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (stopped_by_count) return router::ctl::kExitOk;
  if (!status.ok()) return session.fail(status);
  // A stream routerd closes cleanly means it is shutting down: not what the caller asked for.
  std::cerr << "routerctl: routerd ended the stream after " << snapshots
            << " snapshot(s); it may be shutting down\n";
  return router::ctl::kExitRpcError;
}

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

// -------------------------------------------------------------------------------------------
// The command line.

int run(int argc, char** argv) {
  CLI::App app{
      "routerctl: the supervisor and admin command line for routerd. Shows queues, agents and "
      "interactions, explains routing decisions, steers agents and interactions, reloads the "
      "configuration, and sends test traffic as a gateway or an agent desktop would. Also "
      "imports customer files into Redis ('customers import').",
      "routerctl"};
  // Errors name the command whose help to read: the deepest subcommand that was given.
  app.failure_message([](const CLI::App* root, const CLI::Error& e) {
    std::string command = "routerctl";
    for (const CLI::App* a = root; a != nullptr;) {
      const auto given = a->get_subcommands();
      a = given.empty() ? nullptr : given.front();
      if (a != nullptr) command += " " + a->get_name();
    }
    return "routerctl: " + std::string(e.what()) + "\nRun '" + command + " --help' for usage.\n";
  });

  GlobalOptions globals;
  app.add_option("--server", globals.server, "routerd's gRPC address, host:port")
      ->type_name("ADDR")
      ->envname("ROUTER_ADDR")
      ->capture_default_str();
  app.add_option("--token", globals.token,
                 "bearer token sent as 'authorization: Bearer TOKEN'; its role (gateway, agent, "
                 "supervisor) decides which commands routerd allows")
      ->type_name("TOKEN")
      ->envname("ROUTER_TOKEN");
  app.add_option("--timeout", globals.timeout_s,
                 "seconds to wait for each call, and for the connection before a stream")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.001, kMaxTimeoutS))
      ->capture_default_str();
  app.add_flag("--json", globals.json,
               "print the API's response messages as JSON (proto field names) instead of "
               "tables; streams print one JSON object per line");
  // Global options are accepted after the subcommand too ("routerctl queues --json").
  app.fallthrough();
  app.require_subcommand(1);

  // Set by the chosen (sub)command's callback; run once parsing is complete.
  std::function<int(Session&)> action;
  auto on = [&action](CLI::App* command, std::function<int(Session&)> run_command) {
    command->callback([&action, run_command = std::move(run_command)] { action = run_command; });
  };

  // --- Supervisor views. --------------------------------------------------------------------
  std::vector<std::string> queue_names;
  auto* queues = app.add_subcommand("queues", "queue statistics: waiting, EWT, SL, ASA, AHT");
  queues->add_option("QUEUE", queue_names, "queues to show (default: all)");
  document(
      queues,
      "One row per queue from GetQueueStats: interactions waiting, offered now, the longest "
      "wait, EWT for a new arrival, service level (SL, over routerd's stats window), ASA, AHT, "
      "abandon rate, answered and abandoned counts, and the agents who can serve the queue by "
      "state (READY, BUSY, WRAP, NOT_READY; agents reserved for an offer show as OFFERED). "
      "'-' means nothing measured yet.",
      {"routerctl queues", "routerctl queues sales-phone billing-phone",
       "routerctl --json queues vip | jq '.queues[0].waiting'"});
  on(queues, [&](Session& s) {
    v1::GetQueueStatsRequest request;
    for (const auto& q : queue_names) request.add_queues(q);
    return s.unary<v1::GetQueueStatsResponse>(
        [&](grpc::ClientContext* c, v1::GetQueueStatsResponse* r) {
          return s.connection().supervisor().GetQueueStats(c, request, r);
        },
        [](const v1::GetQueueStatsResponse& r) { return router::ctl::render_queue_stats(r); });
  });

  std::string team;
  auto* agents = app.add_subcommand("agents", "agents: state, reason, time in state, work");
  agents->add_option("--team", team, "only this team (default: all teams)");
  document(agents,
           "One row per agent from ListAgents: state, NOT_READY reason, time in state, "
           "interactions handled and the interactions held now (offered, assigned, in wrap-up).",
           {"routerctl agents", "routerctl agents --team sales"});
  on(agents, [&](Session& s) {
    v1::ListAgentsRequest request;
    request.set_team(team);
    return s.unary<v1::ListAgentsResponse>(
        [&](grpc::ClientContext* c, v1::ListAgentsResponse* r) {
          return s.connection().supervisor().ListAgents(c, request, r);
        },
        [](const v1::ListAgentsResponse& r) { return router::ctl::render_agents(r, now()); });
  });

  std::string list_queue;
  int list_limit = 0;
  auto* interactions = app.add_subcommand("interactions", "interactions in a queue, best first");
  interactions->add_option("QUEUE", list_queue, "the queue")->required();
  interactions->add_option("--limit", list_limit, "at most this many (routerd's default: 100)")
      ->check(CLI::Range(1, kMaxListLimit));
  document(interactions,
           "One row per interaction from ListInteractions, in routing order: position, channel, "
           "state, priority, time waited, EWT, customer, segment, language and agent.",
           {"routerctl interactions sales-phone", "routerctl interactions sales-phone --limit 10"});
  on(interactions, [&](Session& s) {
    v1::ListInteractionsRequest request;
    request.set_queue(list_queue);
    request.set_limit(list_limit);
    return s.unary<v1::ListInteractionsResponse>(
        [&](grpc::ClientContext* c, v1::ListInteractionsResponse* r) {
          return s.connection().supervisor().ListInteractions(c, request, r);
        },
        [](const v1::ListInteractionsResponse& r) {
          return router::ctl::render_interactions(r, now());
        });
  });

  WatchOptions watch_options;
  auto* watch = app.add_subcommand("watch", "queue statistics as they change (a wallboard)");
  watch->add_option("QUEUE", watch_options.queues, "queues to show (default: all)");
  watch->add_option("--interval", watch_options.interval_s, "seconds between snapshots")
      ->check(CLI::Range(kMinWatchIntervalS, kMaxWatchIntervalS))
      ->capture_default_str();
  watch->add_option("--count", watch_options.count, "stop after this many snapshots")
      ->check(CLI::PositiveNumber);
  document(watch,
           "The queues table from the WatchQueues stream, with a line of agents by state over "
           "the whole center (from ListAgents). On a terminal the table is redrawn in place; "
           "otherwise each snapshot follows a '=== ... ===' header line. Runs until Ctrl-C or "
           "--count snapshots. With --json: one GetQueueStatsResponse per line.",
           {"routerctl watch", "routerctl watch sales-phone sales-chat --interval 5",
            "routerctl watch --count 3 > snapshots.txt", "routerctl --json watch --count 1"});
  on(watch, [&](Session& s) { return run_watch(s, watch_options); });

  std::string interaction_id;
  auto* explain = app.add_subcommand("explain", "why an interaction goes to which agent");
  explain->add_option("ID", interaction_id, "interaction id")->required();
  document(explain,
           "From ExplainRouting: the skills required at the interaction's current expansion "
           "stage, the eligible agents best first with the points each term gives them, and the "
           "ineligible agents with the reason.",
           {"routerctl explain ph-1001", "routerctl --json explain ph-1001"});
  on(explain, [&](Session& s) {
    v1::ExplainRoutingRequest request;
    request.set_interaction_id(interaction_id);
    return s.unary<v1::ExplainRoutingResponse>(
        [&](grpc::ClientContext* c, v1::ExplainRoutingResponse* r) {
          return s.connection().supervisor().ExplainRouting(c, request, r);
        },
        [](const v1::ExplainRoutingResponse& r) { return router::ctl::render_explain(r); });
  });

  auto* get = app.add_subcommand("get", "one interaction with every field");
  get->add_option("ID", interaction_id, "interaction id")->required();
  document(get,
           "InteractionService.GetInteraction: state, queue, position, EWT, agent, matched "
           "customer, attributes and channel details.",
           {"routerctl get ph-1001"});
  on(get, [&](Session& s) {
    v1::GetInteractionRequest request;
    request.set_interaction_id(interaction_id);
    return s.unary<v1::Interaction>(
        [&](grpc::ClientContext* c, v1::Interaction* r) {
          return s.connection().interactions().GetInteraction(c, request, r);
        },
        [](const v1::Interaction& r) { return router::ctl::render_interaction(r, now()); });
  });

  // --- Supervisor actions. ------------------------------------------------------------------
  std::string agent_name;
  std::vector<std::string> skill_words;
  auto* skills = app.add_subcommand("skills", "replace an agent's skills");
  skills->add_option("AGENT", agent_name, "agent name")->required();
  skills->add_option("SKILL=LEVEL", skill_words, "skills with levels 1..10")
      ->required()
      ->check(kSkillLevelWord);
  document(skills,
           "UpdateAgentSkills: the listed skills replace the agent's skills (skills not listed "
           "are removed); the next routing decision uses them.",
           {"routerctl skills a07 sales=8 support=5 billing=3"});
  on(skills, [&](Session& s) {
    auto levels = router::ctl::parse_skill_levels(skill_words);
    if (!levels) usage_error("SKILL=LEVEL", levels.error());
    v1::UpdateAgentSkillsRequest request;
    request.set_agent(agent_name);
    for (const auto& level : *levels) *request.add_skills() = level;
    return s.unary<v1::AgentStatus>(
        [&](grpc::ClientContext* c, v1::AgentStatus* r) {
          return s.connection().supervisor().UpdateAgentSkills(c, request, r);
        },
        [&](const v1::AgentStatus& r) {
          std::string words;
          for (const auto& w : skill_words) words += (words.empty() ? "" : " ") + w;
          return "skills of " + agent_name + " set to " + words + "\n" +
                 router::ctl::render_agent_status(r, now());
        });
  });

  std::string state_word;
  std::string reason;
  auto* force_state = app.add_subcommand("force-state", "set an agent's state as a supervisor");
  force_state->add_option("AGENT", agent_name, "agent name")->required();
  force_state->add_option("STATE", state_word, "ready, not-ready or logged-out")
      ->required()
      ->check(kAgentStateWord);
  force_state->add_option("--reason", reason, "the NOT_READY reason, e.g. 'meeting'");
  document(force_state,
           "ForceAgentState: READY, NOT_READY (with a reason) or LOGGED_OUT, whatever the agent's "
           "desktop says.",
           {"routerctl force-state a07 not-ready --reason meeting",
            "routerctl force-state a07 logged-out"});
  on(force_state, [&](Session& s) {
    v1::SetStateRequest request;
    request.set_agent(agent_name);
    request.set_state(*router::ctl::parse_agent_state(state_word));
    request.set_reason(reason);
    return s.unary<v1::AgentStatus>(
        [&](grpc::ClientContext* c, v1::AgentStatus* r) {
          return s.connection().supervisor().ForceAgentState(c, request, r);
        },
        [](const v1::AgentStatus& r) { return router::ctl::render_agent_status(r, now()); });
  });

  int priority = 0;
  auto* set_priority = app.add_subcommand("priority", "change a waiting interaction's priority");
  set_priority->add_option("ID", interaction_id, "interaction id")->required();
  set_priority->add_option("N", priority, "new priority 0..100")
      ->required()
      ->check(CLI::Range(router::ctl::kMinPriority, router::ctl::kMaxPriority));
  document(set_priority, "SetInteractionPriority; prints the interaction afterwards.",
           {"routerctl priority ph-1001 80"});
  on(set_priority, [&](Session& s) {
    v1::SetInteractionPriorityRequest request;
    request.set_interaction_id(interaction_id);
    request.set_priority(priority);
    return s.unary<v1::Interaction>(
        [&](grpc::ClientContext* c, v1::Interaction* r) {
          return s.connection().supervisor().SetInteractionPriority(c, request, r);
        },
        [](const v1::Interaction& r) { return router::ctl::render_interaction(r, now()); });
  });

  std::string target_queue;
  auto* move = app.add_subcommand("move", "move a waiting interaction to another queue");
  move->add_option("ID", interaction_id, "interaction id")->required();
  move->add_option("QUEUE", target_queue, "the queue to move it to")->required();
  document(move,
           "MoveInteraction: the interaction keeps its original arrival time; prints it "
           "afterwards.",
           {"routerctl move ph-1001 support-t2"});
  on(move, [&](Session& s) {
    v1::MoveInteractionRequest request;
    request.set_interaction_id(interaction_id);
    request.set_queue(target_queue);
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

  // --- Gateway actions. ---------------------------------------------------------------------
  router::ctl::SubmitFlags submit_flags;
  auto* submit = app.add_subcommand("submit", "push a test interaction (phone, email, web)");
  submit->require_subcommand(1);
  document(submit,
           "SubmitInteraction, as a telephony gateway or an email/web front end would send it "
           "(needs a gateway token). Prints the queue, the matched customer, position, EWT, and "
           "whether the id was a replay of an earlier submit.",
           {"routerctl submit phone --ani +14155550123 --dnis +18005550100 --language en",
            "routerctl submit email --from ann@example.com --to billing@example.com",
            "routerctl submit web --visitor v-9 --topic pricing",
            "routerctl submit web --visitor v-9 --topic pricing --callback +14155550123",
            "routerctl submit phone --id call-1 --dnis +18005550100 --attr vip=yes --priority 20"});
  auto add_common_submit_options = [&submit_flags](CLI::App* command) {
    command
        ->add_option("--id", submit_flags.interaction_id,
                     "interaction id, 1..128 characters (default: a generated unique id); "
                     "submitting an id again is an idempotent replay")
        ->check([](const std::string& id) {
          return id.empty() || id.size() > 128 ? std::string("must be 1..128 characters")
                                               : std::string();
        });
    command->add_option("--priority", submit_flags.priority, "priority 0..100")
        ->check(CLI::Range(router::ctl::kMinPriority, router::ctl::kMaxPriority))
        ->capture_default_str();
    command->add_option("--intent", submit_flags.intent,
                        "intent, e.g. 'billing' (entry-point rules may match it)");
    command->add_option("--attr", submit_flags.attributes, "attribute KEY=VALUE (repeatable)")
        ->check(kAttributeWord)
        ->allow_extra_args(false);
  };
  auto* submit_phone = submit->add_subcommand("phone", "a phone call (channel PHONE)");
  add_common_submit_options(submit_phone);
  submit_phone->add_option("--ani", submit_flags.ani, "caller number, e.g. +14155550123");
  submit_phone->add_option("--dnis", submit_flags.dnis,
                           "dialled number (selects the entry point), e.g. +18005550100");
  submit_phone->add_option("--ivr-path", submit_flags.ivr_path,
                           "IVR path, e.g. 'main>billing>disputes'");
  submit_phone->add_option("--digits", submit_flags.digits, "digits collected by the IVR");
  submit_phone->add_option("--language", submit_flags.language,
                           "language chosen in the IVR (BCP 47), e.g. en");
  document(submit_phone, "The DNIS selects the entry point.",
           {"routerctl submit phone --ani +14155550123 --dnis +18005550100 --language en"});

  auto* submit_email = submit->add_subcommand("email", "an email (channel EMAIL)");
  add_common_submit_options(submit_email);
  submit_email->add_option("--from", submit_flags.from, "sender address");
  submit_email->add_option("--to", submit_flags.to, "receiving mailbox (selects the entry point)");
  submit_email->add_option("--subject", submit_flags.subject, "subject line");
  submit_email->add_option("--message-id", submit_flags.message_id,
                           "Message-ID header, without angle brackets");
  submit_email->add_option("--in-reply-to", submit_flags.in_reply_to,
                           "In-Reply-To header: threads to an earlier email");
  submit_email
      ->add_option("--references", submit_flags.references,
                   "a References header id, oldest first (repeatable)")
      ->allow_extra_args(false);
  document(submit_email,
           "The receiving mailbox selects the entry point; In-Reply-To and References thread the "
           "email to the customer and agent of an earlier one. The received time is now.",
           {"routerctl submit email --from ann@example.com --to billing@example.com "
            "--subject 'Invoice 42' --message-id m1@example.com",
            "routerctl submit email --from ann@example.com --to billing@example.com "
            "--in-reply-to m1@example.com --references m1@example.com"});

  auto* submit_web =
      submit->add_subcommand("web", "a web chat, or a callback request with --callback");
  add_common_submit_options(submit_web);
  submit_web->add_option("--visitor", submit_flags.visitor, "anonymous visitor cookie id");
  submit_web->add_option("--account", submit_flags.account, "logged-in account id");
  submit_web->add_option("--page", submit_flags.page, "page URL the request came from");
  submit_web->add_option("--topic", submit_flags.topic,
                         "topic picked in the widget (selects the entry point)");
  submit_web->add_option("--callback", submit_flags.callback,
                         "number to call back: makes it a WEB_CALLBACK request");
  document(submit_web,
           "Channel WEB_CHAT, or WEB_CALLBACK when --callback gives a number to call. The topic "
           "selects the entry point.",
           {"routerctl submit web --visitor v-9 --topic pricing",
            "routerctl submit web --account acct-42 --topic support --callback +14155550123"});

  auto run_submit = [&](Session& s, const char* channel) {
    submit_flags.channel = channel;
    if (submit_flags.interaction_id.empty()) {
      submit_flags.interaction_id = router::ctl::generate_interaction_id(channel);
    }
    if (submit_flags.channel == "email") submit_flags.received = router::ctl::to_timestamp(now());
    auto request = router::ctl::build_submit_request(submit_flags);
    if (!request) usage_error("submit " + std::string(channel), request.error());
    return s.unary<v1::SubmitInteractionResponse>(
        [&](grpc::ClientContext* c, v1::SubmitInteractionResponse* r) {
          return s.connection().interactions().SubmitInteraction(c, *request, r);
        },
        [](const v1::SubmitInteractionResponse& r) { return router::ctl::render_submit(r); });
  };
  on(submit_phone, [&](Session& s) { return run_submit(s, "phone"); });
  on(submit_email, [&](Session& s) { return run_submit(s, "email"); });
  on(submit_web, [&](Session& s) { return run_submit(s, "web"); });

  auto* cancel = app.add_subcommand("cancel", "cancel a waiting interaction (caller hung up)");
  cancel->add_option("ID", interaction_id, "interaction id")->required();
  std::string cancel_reason = "routerctl";
  cancel->add_option("--reason", cancel_reason, "reason, for routerd's logs")
      ->capture_default_str();
  document(cancel,
           "CancelInteraction, as a gateway sends it when the caller hangs up (needs a gateway "
           "token). FAILED_PRECONDITION once the interaction is assigned.",
           {"routerctl cancel ph-1001", "routerctl cancel ph-1001 --reason caller_hangup"});
  on(cancel, [&](Session& s) {
    v1::CancelInteractionRequest request;
    request.set_interaction_id(interaction_id);
    request.set_reason(cancel_reason);
    return s.unary<v1::CancelInteractionResponse>(
        [&](grpc::ClientContext* c, v1::CancelInteractionResponse* r) {
          return s.connection().interactions().CancelInteraction(c, request, r);
        },
        [](const v1::CancelInteractionResponse& r) {
          return router::ctl::render_interaction(r.interaction(), now());
        });
  });

  // --- Agent actions. -----------------------------------------------------------------------
  auto* agent = app.add_subcommand("agent", "act as an agent desktop (login, work, accept...)");
  agent->require_subcommand(1);
  document(agent,
           "AgentService calls, as an agent desktop makes them. Needs that agent's token (an "
           "agent token acts for its own agent only), or a daemon with auth.dev_no_auth.",
           {"ROUTER_TOKEN=$AGENT_A07_TOKEN routerctl agent login a07",
            "routerctl agent work a07 --count 5", "routerctl agent accept a07 ph-1001",
            "routerctl agent complete a07 ph-1001 --code resolved"});

  auto agent_status_call = [&](Session& s, auto method, const auto& request) {
    return s.unary<v1::AgentStatus>(
        [&](grpc::ClientContext* c, v1::AgentStatus* r) {
          return (s.connection().agents().*method)(c, request, r);
        },
        [](const v1::AgentStatus& r) { return router::ctl::render_agent_status(r, now()); });
  };
  auto add_agent_arg = [&agent_name](CLI::App* command) {
    command->add_option("AGENT", agent_name, "agent name")->required();
  };
  auto add_id_arg = [&interaction_id](CLI::App* command) {
    command->add_option("ID", interaction_id, "interaction id")->required();
  };

  bool login_not_ready = false;
  auto* login = agent->add_subcommand("login", "log in, READY unless --not-ready");
  add_agent_arg(login);
  login->add_flag("--not-ready", login_not_ready, "log in NOT_READY (reason 'login')");
  document(login, "Login; prints the agent's state.",
           {"routerctl agent login a07", "routerctl agent login a07 --not-ready"});
  on(login, [&](Session& s) {
    v1::LoginRequest request;
    request.set_agent(agent_name);
    request.set_ready(!login_not_ready);
    return agent_status_call(s, &v1::AgentService::Stub::Login, request);
  });

  auto* logout = agent->add_subcommand("logout", "log out");
  add_agent_arg(logout);
  document(logout, "Logout; prints the agent's state.", {"routerctl agent logout a07"});
  on(logout, [&](Session& s) {
    v1::LogoutRequest request;
    request.set_agent(agent_name);
    return agent_status_call(s, &v1::AgentService::Stub::Logout, request);
  });

  auto* ready = agent->add_subcommand("ready", "become READY for work");
  add_agent_arg(ready);
  document(ready, "SetState READY.", {"routerctl agent ready a07"});
  on(ready, [&](Session& s) {
    v1::SetStateRequest request;
    request.set_agent(agent_name);
    request.set_state(v1::READY);
    return agent_status_call(s, &v1::AgentService::Stub::SetState, request);
  });

  auto* not_ready = agent->add_subcommand("not-ready", "become NOT_READY");
  add_agent_arg(not_ready);
  not_ready->add_option("--reason", reason, "reason, e.g. 'break'");
  document(not_ready, "SetState NOT_READY with a reason.",
           {"routerctl agent not-ready a07 --reason break"});
  on(not_ready, [&](Session& s) {
    v1::SetStateRequest request;
    request.set_agent(agent_name);
    request.set_state(v1::NOT_READY);
    request.set_reason(reason);
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
      request.set_agent(agent_name);
      request.set_interaction_id(interaction_id);
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

  std::string wrap_up_code;
  auto* complete = agent->add_subcommand("complete", "complete an interaction, start wrap-up");
  add_agent_arg(complete);
  add_id_arg(complete);
  complete->add_option("--code", wrap_up_code, "wrap-up code (disposition), e.g. 'resolved'");
  document(complete, "CompleteInteraction with a wrap-up code; wrap-up starts.",
           {"routerctl agent complete a07 ph-1001 --code resolved"});
  on(complete, [&](Session& s) {
    v1::CompleteRequest request;
    request.set_agent(agent_name);
    request.set_interaction_id(interaction_id);
    request.set_wrap_up_code(wrap_up_code);
    return agent_status_call(s, &v1::AgentService::Stub::CompleteInteraction, request);
  });

  std::string transfer_queue;
  std::string transfer_agent;
  auto* transfer = agent->add_subcommand("transfer", "transfer to a queue or an agent");
  add_agent_arg(transfer);
  add_id_arg(transfer);
  auto* target = transfer->add_option_group("target", "where to (exactly one)");
  target->add_option("--queue", transfer_queue, "queue to transfer to");
  target->add_option("--to-agent", transfer_agent, "agent to transfer to");
  target->require_option(1);
  document(transfer,
           "TransferInteraction: a new request to --queue, or a wait for --to-agent (who must be "
           "logged in). Give exactly one of them.",
           {"routerctl agent transfer a07 ph-1001 --queue support-t2",
            "routerctl agent transfer a07 ph-1001 --to-agent a11"});
  on(transfer, [&](Session& s) {
    v1::TransferRequest request;
    request.set_agent(agent_name);
    request.set_interaction_id(interaction_id);
    if (!transfer_queue.empty()) {
      request.set_queue(transfer_queue);
    } else {
      request.set_to_agent(transfer_agent);
    }
    return agent_status_call(s, &v1::AgentService::Stub::TransferInteraction, request);
  });

  int work_count = 0;
  auto* work = agent->add_subcommand("work", "print offers and updates as they arrive");
  add_agent_arg(work);
  work->add_option("--count", work_count, "stop after this many events (heartbeats included)")
      ->check(CLI::PositiveNumber);
  document(work,
           "Opens the agent's StreamWork stream and prints offers (with the points breakdown), "
           "updates of the agent's interactions, state changes and heartbeats as they arrive, "
           "until Ctrl-C or --count events. When the stream ends routerd logs the agent out "
           "after its grace period. With --json: one WorkEvent per line.",
           {"routerctl agent work a07", "routerctl agent work a07 --count 3",
            "routerctl --json agent work a07 | jq -c 'select(.offer)'"});
  on(work, [&](Session& s) { return run_work(s, agent_name, work_count); });

  // --- Customer data (Redis, not routerd). --------------------------------------------------
  // Commands that never talk to routerd set this instead of `action`.
  std::function<int()> offline_action;
  auto* customers = app.add_subcommand("customers", "customer records in Redis (import)");
  customers->require_subcommand(1);
  customers->footer(
      "Customer records live in Redis (docs/redis.md) when routerd's config has a redis "
      "section; these commands write them directly, without routerd.\n\n" +
      examples({"routerctl customers import customers.jsonl",
                "routerctl customers import --config center.yaml customers.csv"}));

  router::ctl::CustomersImportFlags import_flags;
  auto* import_cmd = customers->add_subcommand("import", "load a customer file into Redis");
  import_cmd
      ->add_option("FILE", import_flags.file, "customer file: .jsonl/.json (JSON Lines) or .csv")
      ->required();
  auto* import_redis =
      import_cmd->add_option("--redis", import_flags.redis, "Redis address, HOST:PORT")
          ->type_name("HOST:PORT")
          ->capture_default_str();
  auto* import_db =
      import_cmd->add_option("--db", import_flags.db, "Redis database number (SELECT)")
          ->type_name("N")
          ->check(CLI::Range(0, 1 << 20))
          ->capture_default_str();
  import_cmd
      ->add_option("--password-env", import_flags.password_env,
                   "name of the environment variable holding the Redis password (AUTH); a "
                   "password is never taken on the command line")
      ->type_name("VAR");
  auto* import_prefix =
      import_cmd->add_option("--prefix", import_flags.prefix, "key prefix of every Redis key")
          ->type_name("PREFIX")
          ->capture_default_str();
  auto* import_region =
      import_cmd
          ->add_option("--region", import_flags.region,
                       "region (ISO 3166-1 alpha-2) of phone numbers written without a country "
                       "code")
          ->type_name("CC")
          ->capture_default_str();
  import_cmd
      ->add_option("--config", import_flags.config,
                   "routing config (routerd's YAML): take Redis address, db, password "
                   "(password_env), key prefix and daemon.default_region from it; flags given "
                   "as well override it")
      ->type_name("ROUTING.yaml")
      ->check(CLI::ExistingFile);
  import_cmd
      ->add_option("--batch", import_flags.batch, "upserts in flight per pipelined round trip")
      ->type_name("N")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  import_cmd->footer(
      "Reads the file record by record and writes each valid customer with one Lua upsert "
      "(pipelined): the hash <prefix>customer:<id> and one index key per phone (E.164), email "
      "(lower-cased), web visitor and web account, <prefix>idx:<kind>:<value> holding the id. "
      "A re-import of a customer removes the index keys it no longer has. A bad record is "
      "skipped, and so is a record with a key that already belongs to another customer; the "
      "rest is loaded. A segment left out of the file is left empty: routerd derives it from "
      "the values when it looks the customer up. A last_agent in the file replaces routerd's "
      "last agent (and clears last_contact); without one, routerd's are kept.\n"
      "Progress goes to stderr (redrawn in place on a terminal, else a line every 10%); the "
      "summary to stdout: 'loaded N, skipped M (reasons...), R records/s in Ts', listing at "
      "most 20 reasons, each as FILE:LINE: FIELD: WHAT.\n"
      "Exit status: 0 every record loaded; 1 some records skipped; 2 nothing could be done or "
      "the import stopped (Redis unreachable or lost, AUTH refused, file or config unreadable, "
      "a CSV file whose framing broke); 100-127 command-line errors.\n\n" +
      examples({"routerctl customers import customers.jsonl",
                "routerctl customers import customers.csv --redis 10.0.0.7:6379 --db 2 "
                "--password-env REDIS_PASSWORD",
                "routerctl customers import --config center.yaml customers.jsonl",
                "routerctl customers import --config center.yaml --prefix staging: c.csv"}));
  import_cmd->callback([&] {
    import_flags.redis_given = import_redis->count() > 0;
    import_flags.db_given = import_db->count() > 0;
    import_flags.prefix_given = import_prefix->count() > 0;
    import_flags.region_given = import_region->count() > 0;
    offline_action = [&import_flags] {
      return router::ctl::run_customers_import(import_flags, std::cout, std::cerr,
                                               isatty(STDERR_FILENO) != 0);
    };
  });

  app.footer(
      "Environment: ROUTER_ADDR (--server), ROUTER_TOKEN (--token).\n"
      "Exit status: 0 done; 1 routerd refused the call (the gRPC code is printed) or ended a "
      "stream itself; 2 routerd could not be reached; 3 internal error; 100-127 command-line "
      "errors (CLI11). 'customers import' has its own (see its --help).\n"
      "Tokens: supervisor for the views, supervisor actions and reload; gateway for submit, "
      "cancel and get; an agent's own token for 'agent ...'.\n\n" +
      examples({"routerctl queues", "routerctl watch --interval 2",
                "routerctl --token $SUPERVISOR_TOKEN explain ph-1001",
                "routerctl --server 10.0.0.5:50051 agents --team vip",
                "routerctl submit phone --dnis +18005550100 --ani +14155550123"}) +
      "Run 'routerctl COMMAND --help' for a command's options.");

  try {
    app.parse(argc, argv);
    if (offline_action) return offline_action();
    Session session(globals);
    return action ? action(session) : router::ctl::kExitOk;
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug or out of memory: say so rather than abort
    std::cerr << "routerctl: internal error: " << e.what() << '\n';
    return router::ctl::kExitInternal;
  }
}
