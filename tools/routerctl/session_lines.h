// `routerctl agent session`'s input language: one agent request per line, as a person or a
// script types them (login, ready, not-ready, accept, reject, complete, end-wrap-up, transfer,
// logout, quit), turned into the AgentRequest the session sends. Errors are sentences naming the
// word that is wrong. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "router/v1/router.pb.h"
#include "tools/routerctl/requests.h"

namespace router::ctl {

// A longer line is refused (a script gone wrong, not a request).
inline constexpr size_t kMaxSessionLineBytes = 4096;

// The lines `agent session` understands, for --help and for the error on an unknown word.
extern const char* const kSessionCommands;

struct SessionLine {
  enum class Kind {
    kNothing,  // blank, or a comment ('#' first)
    kRequest,  // send `request`
    kQuit,     // stop reading, as end of input does
  };
  Kind kind = Kind::kNothing;
  v1::AgentRequest request;  // kRequest: every inner request names `agent`; no correlation id
  std::string summary;       // kRequest: the line's words, normalized ("accept ph-1001")
};

// One input line for `agent`'s session. Words are separated by spaces or tabs; `not-ready`'s
// reason is the rest of the line, so it may hold spaces.
Parsed<SessionLine> parse_session_line(std::string_view line, const std::string& agent);

}  // namespace router::ctl
