// Shape checks for every router.v1 request, run before a call reaches the engine: required fields,
// ranges, enum values and the size caps of RequestLimits. A check is pure (no I/O, no engine
// state), so it says nothing about whether a name exists; unknown agents, queues and interactions
// are the engine's NOT_FOUND.
// Thread-safe: free functions over const arguments.
#pragma once

#include <grpcpp/support/status.h>

#include <cstddef>
#include <string>

#include "router/v1/router.pb.h"

namespace router::adapters::grpc {

// Caps on what one request may carry. Past a cap is RESOURCE_EXHAUSTED naming the field; a value
// that is missing or malformed is INVALID_ARGUMENT. Lengths are counted in bytes of UTF-8, as the
// engine counts them (engine::Limits::max_string_length), so what passes here is not refused
// there for its length.
struct RequestLimits {
  size_t max_string_length = 256;  // any string field (ids have their own cap)
  size_t max_id_length = 128;      // interaction_id and agent names
  size_t max_attributes = 32;      // SubmitInteractionRequest.attributes entries
  size_t max_references = 64;      // EmailDetails.references entries
  size_t max_skills = 64;          // UpdateAgentSkillsRequest.skills entries
  size_t max_list_limit = 10000;   // ListInteractionsRequest.limit, ListAuditRequest.limit
  size_t max_watch_ids = 1000;     // WatchInteractionsRequest.interaction_ids entries
};

// Each returns OK or the first problem in field-number order, as "<field path>: <what is wrong>":
//   "interaction_id: required", "phone.ani: required for channel PHONE",
//   "skills[2].level: must be 1..10, got 0", "attributes: 40 entries, at most 32".
// Map entries (attributes) are checked in key order, so the answer does not depend on the map's
// iteration order. An interaction id is 1..max_id_length bytes of printable ASCII without spaces
// in a submit; elsewhere it may be the scoped form "<gateway>/<id>", up to 65 bytes longer (a
// gateway is at most config::kMaxGatewayLength bytes). An agent name is 1..max_id_length bytes.

// InteractionService.
// Submit: channel set; details set and matching it (PHONE: phone, EMAIL: email, WEB_CHAT and
// WEB_CALLBACK: web, whose kind, when set, agrees; WORK_ITEM: work_item); phone.ani, email.from,
// web.visitor_id or web.account_id, work_item.type, and for WEB_CALLBACK web.callback_number
// (work_item.callback_number for type CALLBACK) required; priority 0..100; attribute
// keys non-empty. Values are not normalized here (E.164, lower-casing happen after).
// Session streams (GatewayStream, AgentSession, AgentLink): a request's client-chosen
// correlation_id is 1..kMaxCorrelationIdBytes bytes. OK, or the error such a request is answered
// with: INVALID_ARGUMENT when empty, RESOURCE_EXHAUSTED when longer, each naming correlation_id.
inline constexpr size_t kMaxCorrelationIdBytes = 128;
::grpc::Status check_correlation_id(const std::string& id);

::grpc::Status validate(const v1::SubmitInteractionRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::CancelInteractionRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::GetInteractionRequest& request, const RequestLimits& limits);
// Empty interaction_ids is valid (every interaction of the caller).
::grpc::Status validate(const v1::WatchInteractionsRequest& request, const RequestLimits& limits);

// AgentService.
::grpc::Status validate(const v1::LoginRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::LogoutRequest& request, const RequestLimits& limits);
// An agent sets itself READY or NOT_READY only.
::grpc::Status validate(const v1::SetStateRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::StreamWorkRequest& request, const RequestLimits& limits);
// AcceptOffer, RejectOffer and EndWrapUp.
::grpc::Status validate(const v1::OfferRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::CompleteRequest& request, const RequestLimits& limits);
// Exactly one non-empty target: queue or to_agent.
::grpc::Status validate(const v1::TransferRequest& request, const RequestLimits& limits);

// SupervisorService.
// Queue names listed must be non-empty; an empty list means all queues.
::grpc::Status validate(const v1::GetQueueStatsRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::ListAgentsRequest& request, const RequestLimits& limits);
// queue required; limit 0 takes the default, negative is invalid, above max_list_limit is
// RESOURCE_EXHAUSTED.
::grpc::Status validate(const v1::ListInteractionsRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::ListAuditRequest& request, const RequestLimits& limits);
// from required; times after 1970; queue and agent within the string limit.
::grpc::Status validate(const v1::GetReportRequest& request, const RequestLimits& limits);
// interval_s 0 takes the default; otherwise 0.2..3600 seconds.
::grpc::Status validate(const v1::WatchQueuesRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::ExplainRoutingRequest& request, const RequestLimits& limits);
// Each skill named, at level 1..10, at most once; an empty list (no skills) is valid.
::grpc::Status validate(const v1::UpdateAgentSkillsRequest& request, const RequestLimits& limits);
::grpc::Status validate(const v1::SetInteractionPriorityRequest& request,
                        const RequestLimits& limits);
::grpc::Status validate(const v1::MoveInteractionRequest& request, const RequestLimits& limits);
// ForceAgentState takes a SetStateRequest and may also log the agent out (LOGGED_OUT).
::grpc::Status validate_force_state(const v1::SetStateRequest& request,
                                    const RequestLimits& limits);

// AdminService. Always OK: the request has no fields.
::grpc::Status validate(const v1::ReloadConfigRequest& request, const RequestLimits& limits);

// The field path of a status built above: the part of its message before the first ": " (a
// quoted map key in the path may itself hold ": "); empty when the message has none (OK, or a
// status from elsewhere). A copy, not a view: grpc::Status::error_message() returns by value.
std::string field_of(const ::grpc::Status& status);

}  // namespace router::adapters::grpc
