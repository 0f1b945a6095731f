// routerctl: the supervisor and admin command line over routerd's gRPC API — queue and agent
// views, explanations of routing decisions, supervisor actions, configuration reload, and test
// traffic as a gateway or an agent desktop would send it. The composition root: parses the
// command line (CLI11), makes one Connection, runs one command, prints, exits.
// The commands are in commands_*.cc by group (commands.h).
#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "tools/routerctl/commands.h"

namespace {

using router::ctl::CommandGroup;
using router::ctl::examples;
using router::ctl::GlobalOptions;
using router::ctl::kMaxTimeoutS;
using router::ctl::OnCommand;
using router::ctl::Session;

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
  app.add_option("--server", globals.server,
                 "routerd's gRPC address, host:port; a comma-separated list: the first that "
                 "answers SERVING (grpc.health.v1, within --timeout each) is used, passing over "
                 "one that refuses the connection or is not serving (a standby)")
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
  router::client_tls::add_flags(app, globals.tls);
  router::client_channel::add_flags(app, globals.channel);
  // Global options are accepted after the subcommand too ("routerctl queues --json").
  app.fallthrough();
  app.require_subcommand(1);

  // Set by the chosen (sub)command's callback; run once parsing is complete.
  std::function<int(Session&)> action;
  const OnCommand on = [&action](CLI::App* command, std::function<int(Session&)> run_command) {
    command->callback([&action, run_command = std::move(run_command)] { action = run_command; });
  };
  // Commands that never talk to routerd (customers import) set this instead of `action`.
  std::function<int()> offline_action;
  // In --help order. They hold the flags their options write into until the command has run.
  const std::unique_ptr<CommandGroup> groups[] = {
      router::ctl::view_commands(), router::ctl::action_commands(), router::ctl::gateway_commands(),
      router::ctl::agent_commands(), router::ctl::customer_commands(offline_action)};
  for (const auto& group : groups) group->add(app, on);

  app.footer(
      "Environment: ROUTER_ADDR (--server), ROUTER_TOKEN (--token), ROUTER_DOMAIN (--domain).\n"
      "Exit status: 0 done; 1 routerd refused the call (the gRPC code is printed) or ended a "
      "stream itself; 2 routerd could not be reached (or a TLS file could not be read); 3 internal "
      "error; 100-127 command-line "
      "errors (CLI11). 'customers import' has its own (see its --help).\n"
      "Tokens: supervisor for the views, supervisor actions and reload; gateway for submit, "
      "cancel and get; an agent's own token for 'agent ...'.\n\n" +
      examples({"routerctl queues", "routerctl watch --interval 2",
                "routerctl --token $SUPERVISOR_TOKEN explain ph-1001",
                "routerctl --server 10.0.0.5:50051 agents --team vip",
                "routerctl --server routerd.example.com:50051 --ca ca.crt queues",
                "routerctl submit phone --dnis +18005550100 --ani +14155550123"}) +
      "Run 'routerctl COMMAND --help' for a command's options.");

  try {
    app.parse(argc, argv);
    if (offline_action) return offline_action();
    grpc::ChannelArguments ignored;
    std::string tls_error;
    if (!router::client_tls::channel_credentials(globals.tls, ignored, tls_error)) {
      std::cerr << "routerctl: " << tls_error << "\n";
      return router::ctl::kExitUnreachable;
    }
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
