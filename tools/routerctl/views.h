// routerctl's views: each API response rendered as the text a supervisor reads (tables for
// lists, "field  value" blocks for one object, one line per stream event), or as JSON for
// scripts. `now` is the local wall clock, passed in so that "time in state" and "waited" are
// testable. Pure functions; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <string>

#include "router/v1/router.pb.h"
#include "tools/routerctl/format.h"
#include "tools/routerctl/requests.h"

namespace router::ctl {

// GetQueueStats / WatchQueues: one row per queue — waiting, offered now, longest wait, EWT for
// a new arrival, service level, ASA, AHT, abandon rate, answered, abandoned and the agents who
// can serve it by state. Rates with nothing to measure yet show "-".
std::string render_queue_stats(const v1::GetQueueStatsResponse& response);

// "agents: 3 READY, 5 BUSY, 2 NOT_READY (10 in all)" over every agent listed.
std::string render_agent_totals(const v1::ListAgentsResponse& response);

// ListAgents: agent, state, reason, time in state, work held, handled.
std::string render_agents(const v1::ListAgentsResponse& response, WallClock::time_point now);

// ListInteractions: position, id, channel, state, priority, waited, EWT, customer, agent.
std::string render_interactions(const v1::ListInteractionsResponse& response,
                                WallClock::time_point now);

// GetInteraction: every field, one per line, channel details included.
std::string render_interaction(const v1::Interaction& interaction, WallClock::time_point now);

// SubmitInteraction: queue, customer, position, EWT and whether the id was a replay.
std::string render_submit(const v1::SubmitInteractionResponse& response);

// ExplainRouting: the skills required now, eligible agents best first with a column per points
// term (terms that give every agent 0 are named under the table instead), ineligible agents
// with the reason.
std::string render_explain(const v1::ExplainRoutingResponse& response);

// An agent's state on one line: "a51  NOT_READY (break)  for 3m07s  work: -  handled: 12".
std::string render_agent_status(const v1::AgentStatus& status, WallClock::time_point now);

// ReloadConfig: the file, counts, then each change and warning on its own line.
std::string render_reload(const v1::ReloadConfigResponse& response);

// The audit trail, newest first: local date and time, actor (role), action, target, result,
// before → after, detail; a last line when the search stopped at its scan bound.
std::string render_audit(const v1::ListAuditResponse& response);

// GetReport: a table per scope, one row per interval and queue (offered, answered, abandoned,
// SL, ASA, AHT, codes) or agent (offers, answered, rejected, missed, handled, AHT, occupancy,
// ready and not-ready time with its reasons, codes); intervals in local time.
std::string render_report(const v1::GetReportResponse& response);
// GetReport as CSV (RFC 4180): a header, then every field of every row; times in UTC (RFC 3339),
// durations in seconds, the maps as "key=value;key=value".
std::string render_report_csv(const v1::GetReportResponse& response);

// StreamWork: one event (an offer takes two lines: the interaction, then the points).
std::string render_work_event(const v1::WorkEvent& event, WallClock::time_point now);

// AgentSession: a work event as render_work_event shows it, or the answer to a request: its
// correlation id, `summary` (the request as the session sent it, empty when unknown), then "OK"
// and the agent's state, or the error code and message:
// "14:03:27  answer     #3 accept ph-1001: OK  a07  BUSY  for 0s  work: ph-1001  handled: 0".
// Answers carry no time of their own: `now` is when it arrived.
std::string render_session_response(const v1::AgentSessionResponse& response,
                                    const std::string& summary, WallClock::time_point now);

// "billing>=5, spanish>=3", or "none".
std::string render_skill_requirements(
    const google::protobuf::RepeatedPtrField<v1::SkillRequirement>& skills);

// "skill_fit 10.0, wait 2.3" in the server's order; terms worth 0.0 are left out ("every term
// 0" when none is left).
std::string render_breakdown(const google::protobuf::RepeatedPtrField<v1::PointsTerm>& terms);

// The message as JSON with the proto field names (snake_case) and zero values shown, so a
// script sees every field. `multiline`: indented; otherwise one line (JSON Lines for streams).
Parsed<std::string> to_json(const google::protobuf::Message& message, bool multiline);

}  // namespace router::ctl
