// Supervisor views: queues, agents, interactions, watch, explain and get (SupervisorService and
// GetInteraction), as tables or JSON.
#include <unistd.h>

#include <string>
#include <vector>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/requests.h"
#include "tools/routerctl/views.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

constexpr double kMinWatchIntervalS = 0.2;  // WatchQueuesRequest.interval_s minimum
constexpr double kMaxWatchIntervalS = 3600;
constexpr int kMaxListLimit = 10000;
// ANSI: cursor home, then clear the screen.
constexpr const char* kClearScreen = "\033[H\033[2J";

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

class ViewCommands final : public CommandGroup {
 public:
  void add(CLI::App& app, const OnCommand& on) override {
    auto* queues = app.add_subcommand("queues", "queue statistics: waiting, EWT, SL, ASA, AHT");
    queues->add_option("QUEUE", queue_names_, "queues to show (default: all)");
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
      for (const auto& q : queue_names_) request.add_queues(q);
      return s.unary<v1::GetQueueStatsResponse>(
          [&](grpc::ClientContext* c, v1::GetQueueStatsResponse* r) {
            return s.connection().supervisor().GetQueueStats(c, request, r);
          },
          [](const v1::GetQueueStatsResponse& r) { return router::ctl::render_queue_stats(r); });
    });

    auto* agents = app.add_subcommand("agents", "agents: state, reason, time in state, work");
    agents->add_option("--team", team_, "only this team (default: all teams)");
    document(agents,
             "One row per agent from ListAgents: state, NOT_READY reason, time in state, "
             "interactions handled and the interactions held now (offered, assigned, in wrap-up).",
             {"routerctl agents", "routerctl agents --team sales"});
    on(agents, [&](Session& s) {
      v1::ListAgentsRequest request;
      request.set_team(team_);
      return s.unary<v1::ListAgentsResponse>(
          [&](grpc::ClientContext* c, v1::ListAgentsResponse* r) {
            return s.connection().supervisor().ListAgents(c, request, r);
          },
          [](const v1::ListAgentsResponse& r) { return router::ctl::render_agents(r, now()); });
    });

    auto* interactions = app.add_subcommand("interactions", "interactions in a queue, best first");
    interactions->add_option("QUEUE", list_queue_, "the queue")->required();
    interactions->add_option("--limit", list_limit_, "at most this many (routerd's default: 100)")
        ->check(CLI::Range(1, kMaxListLimit));
    document(
        interactions,
        "One row per interaction from ListInteractions, in routing order: position, channel, "
        "state, priority, time waited, EWT, customer, segment, language and agent.",
        {"routerctl interactions sales-phone", "routerctl interactions sales-phone --limit 10"});
    on(interactions, [&](Session& s) {
      v1::ListInteractionsRequest request;
      request.set_queue(list_queue_);
      request.set_limit(list_limit_);
      return s.unary<v1::ListInteractionsResponse>(
          [&](grpc::ClientContext* c, v1::ListInteractionsResponse* r) {
            return s.connection().supervisor().ListInteractions(c, request, r);
          },
          [](const v1::ListInteractionsResponse& r) {
            return router::ctl::render_interactions(r, now());
          });
    });

    auto* watch = app.add_subcommand("watch", "queue statistics as they change (a wallboard)");
    watch->add_option("QUEUE", watch_options_.queues, "queues to show (default: all)");
    watch->add_option("--interval", watch_options_.interval_s, "seconds between snapshots")
        ->check(CLI::Range(kMinWatchIntervalS, kMaxWatchIntervalS))
        ->capture_default_str();
    watch->add_option("--count", watch_options_.count, "stop after this many snapshots")
        ->check(CLI::PositiveNumber);
    document(watch,
             "The queues table from the WatchQueues stream, with a line of agents by state over "
             "the whole center (from ListAgents). On a terminal the table is redrawn in place; "
             "otherwise each snapshot follows a '=== ... ===' header line. Runs until Ctrl-C or "
             "--count snapshots. With --json: one GetQueueStatsResponse per line.",
             {"routerctl watch", "routerctl watch sales-phone sales-chat --interval 5",
              "routerctl watch --count 3 > snapshots.txt", "routerctl --json watch --count 1"});
    on(watch, [&](Session& s) { return run_watch(s, watch_options_); });

    auto* explain = app.add_subcommand("explain", "why an interaction goes to which agent");
    explain->add_option("ID", interaction_id_, "interaction id")->required();
    document(explain,
             "From ExplainRouting: the skills required at the interaction's current expansion "
             "stage, the eligible agents best first with the points each term gives them, and the "
             "ineligible agents with the reason.",
             {"routerctl explain ph-1001", "routerctl --json explain ph-1001"});
    on(explain, [&](Session& s) {
      v1::ExplainRoutingRequest request;
      request.set_interaction_id(interaction_id_);
      return s.unary<v1::ExplainRoutingResponse>(
          [&](grpc::ClientContext* c, v1::ExplainRoutingResponse* r) {
            return s.connection().supervisor().ExplainRouting(c, request, r);
          },
          [](const v1::ExplainRoutingResponse& r) { return router::ctl::render_explain(r); });
    });

    auto* get = app.add_subcommand("get", "one interaction with every field");
    get->add_option("ID", interaction_id_, "interaction id")->required();
    document(get,
             "InteractionService.GetInteraction: state, queue, position, EWT, agent, matched "
             "customer, attributes and channel details.",
             {"routerctl get ph-1001"});
    on(get, [&](Session& s) {
      v1::GetInteractionRequest request;
      request.set_interaction_id(interaction_id_);
      return s.unary<v1::Interaction>(
          [&](grpc::ClientContext* c, v1::Interaction* r) {
            return s.connection().interactions().GetInteraction(c, request, r);
          },
          [](const v1::Interaction& r) { return router::ctl::render_interaction(r, now()); });
    });

    auto* report = app.add_subcommand("report", "interval reports per queue and per agent");
    report->add_option("--from", report_.from, "intervals from this time (default: -1d)");
    report->add_option("--to", report_.to, "up to this time (default: now)");
    auto* report_queue = report->add_option("--queue", report_.queue, "only this queue's rows");
    report->add_option("--agent", report_.agent, "only this agent's rows")->excludes(report_queue);
    report->add_flag("--csv", report_.csv, "CSV (a header, then every field of every row)");
    document(
        report,
        "SupervisorService.GetReport: per interval (daemon.report_interval_s, 15 minutes by "
        "default) and per queue — offered, answered, abandoned, service level, ASA, AHT and "
        "wrap-up codes — and per agent — offers, answered, rejected, missed, handled, AHT, "
        "occupancy, ready and not-ready time by reason, codes. Everything counted up to "
        "the call is in it. Times as for audit: now, -15m, -2h, -1d, 2026-12-04 (local "
        "midnight), 2026-12-04T09:00 (local), 2026-12-04T09:00:00Z. --json gives every "
        "field; --csv a table for a spreadsheet.",
        {"routerctl report", "routerctl report --from 2026-12-04 --to 2026-12-05 --queue sales",
         "routerctl report --from -2h --agent a07 --csv > a07.csv",
         "routerctl --json report --from -15m"});
    on(report, [&](Session& s) {
      if (report_.csv && s.json()) usage_error("--csv", "give --csv or --json, not both");
      v1::GetReportRequest request;
      const auto at = now();
      auto from = parse_when("--from", report_.from.empty() ? "-1d" : report_.from, at);
      if (!from) usage_error("--from", from.error());
      *request.mutable_from() = *from;
      if (!report_.to.empty()) {
        auto to = parse_when("--to", report_.to, at);
        if (!to) usage_error("--to", to.error());
        *request.mutable_to() = *to;
      }
      request.set_queue(report_.queue);
      request.set_agent(report_.agent);
      const bool csv = report_.csv;
      return s.unary<v1::GetReportResponse>(
          [&](grpc::ClientContext* c, v1::GetReportResponse* r) {
            return s.connection().supervisor().GetReport(c, request, r);
          },
          [csv](const v1::GetReportResponse& r) {
            return csv ? router::ctl::render_report_csv(r) : router::ctl::render_report(r);
          });
    });

    auto* audit = app.add_subcommand("audit", "who changed what: supervisor actions, reloads");
    audit->add_option("--from", audit_.from, "from this time (default: the oldest kept)");
    audit->add_option("--to", audit_.to, "up to this time (default: now)");
    audit->add_option("--actor", audit_.actor, "only this token's name (or SIGHUP, '-')");
    audit->add_option("--action", audit_.action, "only this action")
        ->check(CLI::IsMember(
            {"skills", "force_state", "priority", "move", "reload", "token_refused"}));
    audit->add_option("--target", audit_.target, "only this agent, interaction or file");
    audit->add_option("--limit", audit_.limit, "at most this many (routerd's default: 100)")
        ->check(CLI::Range(1, kMaxListLimit));
    document(
        audit,
        "SupervisorService.ListAudit, newest first: every supervisor and admin action (skills, "
        "force_state, priority, move, reload) with its actor (the token's name, or SIGHUP), "
        "target, result and the state before -> after, and every call refused for its token "
        "(token_refused; at most 10 recorded per second). Times for --from/--to: now, -15m, -2h, "
        "-1d, 2026-12-04 (local midnight), 2026-12-04T09:00 (local), 2026-12-04T09:00:00Z.",
        {"routerctl audit", "routerctl audit --from -1h --action force_state",
         "routerctl audit --actor alice-supervisor --limit 20",
         "routerctl --json audit --target agent-7"});
    on(audit, [&](Session& s) {
      v1::ListAuditRequest request;
      const auto at = now();
      if (!audit_.from.empty()) {
        auto from = parse_when("--from", audit_.from, at);
        if (!from) usage_error("--from", from.error());
        *request.mutable_from() = *from;
      }
      if (!audit_.to.empty()) {
        auto to = parse_when("--to", audit_.to, at);
        if (!to) usage_error("--to", to.error());
        *request.mutable_to() = *to;
      }
      request.set_actor(audit_.actor);
      request.set_action(audit_.action);
      request.set_target(audit_.target);
      request.set_limit(audit_.limit);
      return s.unary<v1::ListAuditResponse>(
          [&](grpc::ClientContext* c, v1::ListAuditResponse* r) {
            return s.connection().supervisor().ListAudit(c, request, r);
          },
          [](const v1::ListAuditResponse& r) { return router::ctl::render_audit(r); });
    });
  }

 private:
  std::vector<std::string> queue_names_;
  std::string team_;
  std::string list_queue_;
  int list_limit_ = 0;
  WatchOptions watch_options_;
  std::string interaction_id_;
  struct {
    std::string from, to, actor, action, target;
    int limit = 0;
  } audit_;
  struct {
    std::string from, to, queue, agent;
    bool csv = false;
  } report_;
};

}  // namespace

std::unique_ptr<CommandGroup> view_commands() { return std::make_unique<ViewCommands>(); }

}  // namespace router::ctl
