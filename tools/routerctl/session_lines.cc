// routerctl's parsing of `agent session` input lines into AgentRequests.
#include "tools/routerctl/session_lines.h"

#include <vector>

namespace router::ctl {
namespace {

using Result = Parsed<SessionLine>;

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r", at);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r", start);
    if (end == std::string_view::npos) end = line.size();
    words.emplace_back(line.substr(start, end - start));
    at = end;
  }
  return words;
}

std::string trimmed(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(start, end - start + 1));
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

Result request_line(v1::AgentRequest request, const std::vector<std::string>& words) {
  SessionLine out;
  out.kind = SessionLine::Kind::kRequest;
  out.request = std::move(request);
  out.summary = join(words);
  return out;
}

// "accept ID": exactly one interaction id after the command word.
Result needs_id_only(const std::vector<std::string>& words) {
  const std::string& command = words[0];
  if (words.size() < 2) return Result::failure(command + ": the interaction ID is missing");
  return Result::failure(command + ": unexpected '" + words[2] + "' after the interaction ID");
}

}  // namespace

const char* const kSessionCommands =
    "login [--not-ready] | ready | not-ready [REASON] | accept ID | reject ID | "
    "complete ID [--code C] | end-wrap-up ID | transfer ID --queue Q | transfer ID --to-agent A | "
    "logout | quit";

Parsed<SessionLine> parse_session_line(std::string_view line, const std::string& agent) {
  if (line.size() > kMaxSessionLineBytes) {
    return Result::failure("the line is longer than " + std::to_string(kMaxSessionLineBytes) +
                           " bytes");
  }
  const std::vector<std::string> words = split_words(line);
  if (words.empty() || words[0][0] == '#') return SessionLine{};
  const std::string& command = words[0];
  v1::AgentRequest request;

  if (command == "quit" || command == "exit") {
    if (words.size() > 1) return Result::failure(command + " takes no arguments");
    SessionLine out;
    out.kind = SessionLine::Kind::kQuit;
    return out;
  }
  if (command == "login") {
    bool ready = true;
    for (size_t i = 1; i < words.size(); ++i) {
      if (words[i] != "--not-ready") {
        return Result::failure("login: unexpected '" + words[i] + "' (only --not-ready)");
      }
      ready = false;
    }
    auto& login = *request.mutable_login();
    login.set_agent(agent);
    login.set_ready(ready);
    return request_line(std::move(request), words);
  }
  if (command == "logout" || command == "ready") {
    if (words.size() > 1) return Result::failure(command + " takes no arguments");
    if (command == "logout") {
      request.mutable_logout()->set_agent(agent);
    } else {
      auto& state = *request.mutable_set_state();
      state.set_agent(agent);
      state.set_state(v1::READY);
    }
    return request_line(std::move(request), words);
  }
  if (command == "not-ready") {
    auto& state = *request.mutable_set_state();
    state.set_agent(agent);
    state.set_state(v1::NOT_READY);
    const size_t after = line.find("not-ready") + std::string_view("not-ready").size();
    state.set_reason(trimmed(line.substr(after)));
    return request_line(std::move(request), words);
  }
  if (command == "accept" || command == "reject" || command == "end-wrap-up") {
    if (words.size() != 2) return needs_id_only(words);
    v1::OfferRequest* offer = command == "accept"   ? request.mutable_accept()
                              : command == "reject" ? request.mutable_reject()
                                                    : request.mutable_end_wrap_up();
    offer->set_agent(agent);
    offer->set_interaction_id(words[1]);
    return request_line(std::move(request), words);
  }
  if (command == "complete") {
    if (words.size() < 2 || words[1].rfind("--", 0) == 0) {
      return Result::failure("complete: the interaction ID is missing");
    }
    auto& complete = *request.mutable_complete();
    complete.set_agent(agent);
    complete.set_interaction_id(words[1]);
    for (size_t i = 2; i < words.size(); ++i) {
      if (words[i] != "--code" || i + 1 >= words.size()) {
        return Result::failure(words[i] == "--code"
                                   ? "complete: --code needs a value"
                                   : "complete: unexpected '" + words[i] + "' (only --code C)");
      }
      complete.set_wrap_up_code(words[++i]);
    }
    return request_line(std::move(request), words);
  }
  if (command == "transfer") {
    if (words.size() < 2 || words[1].rfind("--", 0) == 0) {
      return Result::failure("transfer: the interaction ID is missing");
    }
    auto& transfer = *request.mutable_transfer();
    transfer.set_agent(agent);
    transfer.set_interaction_id(words[1]);
    if (words.size() != 4 || (words[2] != "--queue" && words[2] != "--to-agent")) {
      return Result::failure("transfer: give exactly one of --queue Q or --to-agent A");
    }
    if (words[2] == "--queue") {
      transfer.set_queue(words[3]);
    } else {
      transfer.set_to_agent(words[3]);
    }
    return request_line(std::move(request), words);
  }
  return Result::failure("unknown request '" + command + "'; one of: " + kSessionCommands);
}

}  // namespace router::ctl
