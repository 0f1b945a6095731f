// What routerctl's command groups share: usage errors, word validators, help layout, the clock.
#include "tools/routerctl/commands.h"

#include "tools/routerctl/requests.h"

namespace router::ctl {
namespace {

CLI::Validator word_validator(std::function<std::string(const std::string&)> check,
                              std::string description) {
  return CLI::Validator([check = std::move(check)](std::string& word) { return check(word); },
                        std::move(description));
}

}  // namespace

[[noreturn]] void usage_error(const std::string& option, const std::string& message) {
  throw CLI::ValidationError(option, message);
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

}  // namespace router::ctl
