// routerctl's commands, by the groups tools/routerctl/README.md lists: supervisor views,
// supervisor actions, gateway actions, agent actions and customer import. Each group adds its
// subcommands to the CLI11 app and, when one of them is the command given, leaves what to run
// once parsing is complete. A group holds the flags its options write into, so it must outlive
// the parse and the run. Not thread-safe: main's thread builds, parses and runs.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>

#include "tools/routerctl/connection.h"
#include "tools/routerctl/format.h"
#include "tools/routerctl/rpc_error.h"
#include "tools/routerctl/views.h"

namespace router::ctl {

inline constexpr const char* kDefaultServer = "127.0.0.1:50051";
inline constexpr double kDefaultTimeoutS = 5;
inline constexpr double kMaxTimeoutS = 3600;

struct GlobalOptions {
  std::string server = kDefaultServer;
  std::string token;
  double timeout_s = kDefaultTimeoutS;
  bool json = false;
  client_tls::Options tls;
  client_channel::Options channel;  // --domain
};

// What every command needs once the command line is parsed: the connection and how to print.
class Session {
 public:
  explicit Session(const GlobalOptions& options)
      : json_(options.json),
        connection_(options.server, options.token,
                    std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000)),
                    options.tls, options.channel.domain) {}

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
      auto text = to_json(response, !one_line_json);
      if (!text) {
        std::cerr << "routerctl: internal error: " << text.error() << '\n';
        return kExitInternal;
      }
      std::cout << *text;
    } else {
      std::cout << render(response);
    }
    std::cout.flush();
    return kExitOk;
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

// Makes `run` what `command` does when it is the command given.
using OnCommand = std::function<void(CLI::App* command, std::function<int(Session&)> run)>;

class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  virtual void add(CLI::App& app, const OnCommand& on) = 0;
};

// In --help order.
std::unique_ptr<CommandGroup> view_commands();  // queues, agents, interactions, watch, explain, get
std::unique_ptr<CommandGroup> action_commands();   // skills, force-state, priority, move, reload
std::unique_ptr<CommandGroup> gateway_commands();  // submit phone|email|web, cancel
std::unique_ptr<CommandGroup> agent_commands();    // agent session|login|logout|...|work
// `agent session AGENT` (commands_agent_session.cc): heartbeats printed unless `heartbeats` is
// false.
int run_agent_session(Session& session, const std::string& agent, bool heartbeats);
// customers import talks to Redis, not routerd: the command given sets `offline` (which must
// outlive the parse) instead of a Session command.
std::unique_ptr<CommandGroup> customer_commands(std::function<int()>& offline);

// Shared by the groups' help and checks.
// A usage error found after CLI11's own checks (e.g. a skill named twice).
[[noreturn]] void usage_error(const std::string& option, const std::string& message);

extern const CLI::Validator kSkillLevelWord;  // SKILL=LEVEL
extern const CLI::Validator kAttributeWord;   // KEY=VALUE
extern const CLI::Validator kAgentStateWord;  // ready|not-ready|logged-out
std::string examples(std::initializer_list<const char*> lines);
// A command's help: the one-line summary is its description (shown in the parent's list); the
// details and examples go in the footer.
void document(CLI::App* command, const std::string& details,
              std::initializer_list<const char*> example_lines);
WallClock::time_point now();

}  // namespace router::ctl
