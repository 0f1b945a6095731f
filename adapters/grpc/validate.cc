// Request shape checks (validate.h). Every check returns at its first problem, walking fields in
// field-number order; counts are checked before the entries they count, lengths before contents,
// so an oversized request is refused without being scanned.
#include "adapters/grpc/validate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "adapters/config/routing_config.h"

namespace router::adapters::grpc {
namespace {

constexpr int32_t kMinPriority = 0;
constexpr int32_t kMaxPriority = 100;
constexpr int32_t kMinSkillLevel = 1;
constexpr int32_t kMaxSkillLevel = 10;
constexpr double kMinWatchInterval_s = 0.2;
constexpr double kMaxWatchInterval_s = 3600;
// google.protobuf.Timestamp's documented range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62'135'596'800;
constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;
constexpr int32_t kMaxTimestampNanos = 999'999'999;

::grpc::Status fail(::grpc::StatusCode code, std::string_view field, std::string_view what) {
  std::string message;
  message.reserve(field.size() + 2 + what.size());
  message.append(field).append(": ").append(what);
  return ::grpc::Status(code, message);
}

::grpc::Status invalid(std::string_view field, std::string_view what) {
  return fail(::grpc::StatusCode::INVALID_ARGUMENT, field, what);
}

::grpc::Status exhausted(std::string_view field, std::string_view what) {
  return fail(::grpc::StatusCode::RESOURCE_EXHAUSTED, field, what);
}

std::string indexed(std::string_view field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

// Client text inside a message: quoted, with quotes, backslashes and non-printable bytes escaped,
// so a message stays one printable line whatever was sent.
std::string quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\'' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (byte < 0x20 || byte > 0x7e) {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('\'');
  return out;
}

std::string format_seconds(double seconds) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  if (error != std::errc()) return "?";
  return std::string(buffer, end);
}

std::string too_long(size_t length, size_t max) {
  return std::to_string(length) + " bytes, at most " + std::to_string(max);
}

std::string too_many(size_t count, size_t max) {
  return std::to_string(count) + " entries, at most " + std::to_string(max);
}

std::string name_of(v1::Channel channel) {
  return v1::Channel_IsValid(channel) ? v1::Channel_Name(channel)
                                      : std::to_string(static_cast<int>(channel));
}

std::string name_of(v1::AgentState state) {
  return v1::AgentState_IsValid(state) ? v1::AgentState_Name(state)
                                       : std::to_string(static_cast<int>(state));
}

std::string name_of(v1::WebDetails::Kind kind) {
  return v1::WebDetails::Kind_IsValid(kind) ? v1::WebDetails::Kind_Name(kind)
                                            : std::to_string(static_cast<int>(kind));
}

std::string_view name_of(v1::SubmitInteractionRequest::DetailsCase details) {
  switch (details) {
    case v1::SubmitInteractionRequest::kPhone: return "phone";
    case v1::SubmitInteractionRequest::kEmail: return "email";
    case v1::SubmitInteractionRequest::kWeb: return "web";
    case v1::SubmitInteractionRequest::kWorkItem: return "work_item";
    case v1::SubmitInteractionRequest::DETAILS_NOT_SET: break;
  }
  return "none";
}

// ---------------------------------------------------------------------------------------------
// Field checks.

::grpc::Status check_timestamp(const std::string& field, const google::protobuf::Timestamp& t) {
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > kMaxTimestampNanos) {
    return invalid(field, "not a valid timestamp (0001-01-01..9999-12-31, nanos 0..999999999)");
  }
  return ::grpc::Status::OK;
}

::grpc::Status check_length(std::string_view field, std::string_view value, size_t max) {
  if (value.size() > max) return exhausted(field, too_long(value.size(), max));
  return ::grpc::Status::OK;
}

::grpc::Status check_required(std::string_view field, std::string_view value, size_t max) {
  if (value.empty()) return invalid(field, "required");
  return check_length(field, value, max);
}

::grpc::Status check_count(std::string_view field, size_t count, size_t max) {
  if (count > max) return exhausted(field, too_many(count, max));
  return ::grpc::Status::OK;
}

// Interaction ids are chosen by clients and echoed in logs, events and Redis keys. A submit names
// the bare id; every other request may name the scoped form "<gateway>/<id>", longer by the
// gateway's name and the '/'.
::grpc::Status check_interaction_id(std::string_view field, std::string_view id,
                                    const RequestLimits& limits, bool may_be_scoped = true) {
  const size_t max =
      limits.max_id_length + (may_be_scoped ? 1 + config::kMaxGatewayLength : size_t{0});
  if (auto s = check_required(field, id, max); !s.ok()) return s;
  for (size_t i = 0; i < id.size(); ++i) {
    const auto byte = static_cast<unsigned char>(id[i]);
    if (byte <= 0x20 || byte > 0x7e) {
      return invalid(field, "must be printable ASCII without spaces (byte " + std::to_string(i) +
                                " is " + quoted(id.substr(i, 1)) + ")");
    }
  }
  return ::grpc::Status::OK;
}

::grpc::Status check_agent(std::string_view field, std::string_view agent,
                           const RequestLimits& limits) {
  return check_required(field, agent, limits.max_id_length);
}

::grpc::Status check_priority(int32_t priority) {
  if (priority < kMinPriority || priority > kMaxPriority) {
    return invalid("priority", "must be " + std::to_string(kMinPriority) + ".." +
                                   std::to_string(kMaxPriority) + ", got " +
                                   std::to_string(priority));
  }
  return ::grpc::Status::OK;
}

// A list of queue names where empty means all: each name listed must be one.
::grpc::Status check_queue_names(std::string_view field,
                                 const google::protobuf::RepeatedPtrField<std::string>& queues,
                                 const RequestLimits& limits) {
  for (int i = 0; i < queues.size(); ++i) {
    const std::string path = indexed(field, static_cast<size_t>(i));
    if (queues[i].empty()) return invalid(path, "must not be empty");
    if (auto s = check_length(path, queues[i], limits.max_string_length); !s.ok()) return s;
  }
  return ::grpc::Status::OK;
}

::grpc::Status check_state(const v1::SetStateRequest& request, const RequestLimits& limits,
                           bool allow_logged_out) {
  if (auto s = check_agent("agent", request.agent(), limits); !s.ok()) return s;
  const v1::AgentState state = request.state();
  const bool allowed =
      state == v1::READY || state == v1::NOT_READY || (allow_logged_out && state == v1::LOGGED_OUT);
  if (!allowed) {
    const std::string_view expected =
        allow_logged_out ? "must be READY, NOT_READY or LOGGED_OUT" : "must be READY or NOT_READY";
    return invalid("state", std::string(expected) + " (got " + name_of(state) + ")");
  }
  return check_length("reason", request.reason(), limits.max_string_length);
}

// ---------------------------------------------------------------------------------------------
// SubmitInteractionRequest's parts.

::grpc::Status check_attributes(const google::protobuf::Map<std::string, std::string>& attributes,
                                const RequestLimits& limits) {
  if (auto s = check_count("attributes", attributes.size(), limits.max_attributes); !s.ok()) {
    return s;
  }
  // Key order, so that which problem is reported does not depend on the map's hashing.
  std::vector<const google::protobuf::MapPair<std::string, std::string>*> entries;
  entries.reserve(attributes.size());
  for (const auto& entry : attributes) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : entries) {
    if (entry->first.empty()) return invalid("attributes", "keys must not be empty");
    if (entry->first.size() > limits.max_string_length) {
      return exhausted("attributes",
                       "a key of " + too_long(entry->first.size(), limits.max_string_length));
    }
    const std::string path = "attributes[" + quoted(entry->first) + "]";
    if (auto s = check_length(path, entry->second, limits.max_string_length); !s.ok()) return s;
  }
  return ::grpc::Status::OK;
}

::grpc::Status check_phone(const v1::PhoneDetails& phone, const RequestLimits& limits) {
  if (phone.ani().empty()) return invalid("phone.ani", "required for channel PHONE");
  const size_t max = limits.max_string_length;
  if (auto s = check_length("phone.ani", phone.ani(), max); !s.ok()) return s;
  if (auto s = check_length("phone.dnis", phone.dnis(), max); !s.ok()) return s;
  if (auto s = check_length("phone.ivr_path", phone.ivr_path(), max); !s.ok()) return s;
  if (auto s = check_length("phone.ivr_digits", phone.ivr_digits(), max); !s.ok()) return s;
  return check_length("phone.language", phone.language(), max);
}

::grpc::Status check_email(const v1::EmailDetails& email, const RequestLimits& limits) {
  if (email.from().empty()) return invalid("email.from", "required for channel EMAIL");
  const size_t max = limits.max_string_length;
  if (auto s = check_length("email.from", email.from(), max); !s.ok()) return s;
  if (auto s = check_length("email.to_mailbox", email.to_mailbox(), max); !s.ok()) return s;
  if (auto s = check_length("email.subject", email.subject(), max); !s.ok()) return s;
  if (auto s = check_length("email.message_id", email.message_id(), max); !s.ok()) return s;
  if (auto s = check_length("email.in_reply_to", email.in_reply_to(), max); !s.ok()) return s;
  const auto& references = email.references();
  if (auto s = check_count("email.references", static_cast<size_t>(references.size()),
                           limits.max_references);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < references.size(); ++i) {
    const std::string path = indexed("email.references", static_cast<size_t>(i));
    if (auto s = check_length(path, references[i], max); !s.ok()) return s;
  }
  if (email.has_received()) return check_timestamp("email.received", email.received());
  return ::grpc::Status::OK;
}

::grpc::Status check_web(const v1::WebDetails& web, v1::Channel channel,
                         const RequestLimits& limits) {
  if (web.visitor_id().empty() && web.account_id().empty()) {
    return invalid("web.visitor_id", "required when web.account_id is empty");
  }
  const size_t max = limits.max_string_length;
  if (auto s = check_length("web.visitor_id", web.visitor_id(), max); !s.ok()) return s;
  if (auto s = check_length("web.account_id", web.account_id(), max); !s.ok()) return s;
  if (auto s = check_length("web.page_url", web.page_url(), max); !s.ok()) return s;
  if (auto s = check_length("web.topic", web.topic(), max); !s.ok()) return s;
  const v1::WebDetails::Kind kind = web.kind();
  if (!v1::WebDetails::Kind_IsValid(kind)) {
    return invalid("web.kind", "unknown value " + name_of(kind));
  }
  const v1::WebDetails::Kind expected =
      channel == v1::WEB_CALLBACK ? v1::WebDetails::CALLBACK : v1::WebDetails::CHAT;
  if (kind != v1::WebDetails::KIND_UNSPECIFIED && kind != expected) {
    return invalid("web.kind", "must be " + name_of(expected) + " for channel " + name_of(channel) +
                                   " (got " + name_of(kind) + ")");
  }
  if (channel == v1::WEB_CALLBACK && web.callback_number().empty()) {
    return invalid("web.callback_number", "required for channel WEB_CALLBACK");
  }
  return check_length("web.callback_number", web.callback_number(), max);
}

// The times' distance from now and their order are the engine's to check (it names the field).
::grpc::Status check_work_item(const v1::WorkItemDetails& item, const RequestLimits& limits) {
  if (!v1::WorkItemDetails::Type_IsValid(item.type())) {
    return invalid("work_item.type", "unknown value " + std::to_string(item.type()));
  }
  if (item.type() == v1::WorkItemDetails::TYPE_UNSPECIFIED) {
    return invalid("work_item.type", "required (SERVICE_REQUEST, LEAD, ACTIVITY or CALLBACK)");
  }
  const size_t max = limits.max_string_length;
  if (auto s = check_length("work_item.customer_id", item.customer_id(), max); !s.ok()) return s;
  if (auto s = check_length("work_item.owner", item.owner(), max); !s.ok()) return s;
  if (auto s = check_length("work_item.subject", item.subject(), max); !s.ok()) return s;
  if (auto s = check_length("work_item.callback_number", item.callback_number(), max); !s.ok()) {
    return s;
  }
  if (item.type() == v1::WorkItemDetails::CALLBACK && item.callback_number().empty()) {
    return invalid("work_item.callback_number", "required for type CALLBACK");
  }
  if (item.has_due()) {
    if (auto s = check_timestamp("work_item.due", item.due()); !s.ok()) return s;
  }
  if (item.has_not_before()) {
    if (auto s = check_timestamp("work_item.not_before", item.not_before()); !s.ok()) return s;
  }
  return ::grpc::Status::OK;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// InteractionService.

::grpc::Status validate(const v1::SubmitInteractionRequest& request, const RequestLimits& limits) {
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits,
                                    /*may_be_scoped=*/false);
      !s.ok()) {
    return s;
  }
  const v1::Channel channel = request.channel();
  if (channel == v1::CHANNEL_UNSPECIFIED) {
    return invalid("channel", "required (PHONE, EMAIL, WEB_CHAT, WEB_CALLBACK or WORK_ITEM)");
  }
  if (!v1::Channel_IsValid(channel)) return invalid("channel", "unknown value " + name_of(channel));
  if (auto s = check_priority(request.priority()); !s.ok()) return s;
  if (auto s = check_length("intent", request.intent(), limits.max_string_length); !s.ok()) {
    return s;
  }
  if (auto s = check_attributes(request.attributes(), limits); !s.ok()) return s;

  using Request = v1::SubmitInteractionRequest;
  Request::DetailsCase expected = Request::kWeb;
  if (channel == v1::PHONE) expected = Request::kPhone;
  if (channel == v1::EMAIL) expected = Request::kEmail;
  if (channel == v1::WORK_ITEM) expected = Request::kWorkItem;
  const std::string want = std::string(name_of(expected)) + " for channel " + name_of(channel);
  if (request.details_case() == Request::DETAILS_NOT_SET) {
    return invalid("details", "required (" + want + ")");
  }
  if (request.details_case() != expected) {
    return invalid("details", "must be " + want + " (got " +
                                  std::string(name_of(request.details_case())) + ")");
  }
  switch (expected) {
    case Request::kPhone: return check_phone(request.phone(), limits);
    case Request::kEmail: return check_email(request.email(), limits);
    case Request::kWeb: return check_web(request.web(), channel, limits);
    case Request::kWorkItem: return check_work_item(request.work_item(), limits);
    case Request::DETAILS_NOT_SET: break;
  }
  return ::grpc::Status::OK;
}

::grpc::Status validate(const v1::CancelInteractionRequest& request, const RequestLimits& limits) {
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  return check_length("reason", request.reason(), limits.max_string_length);
}

::grpc::Status validate(const v1::GetInteractionRequest& request, const RequestLimits& limits) {
  return check_interaction_id("interaction_id", request.interaction_id(), limits);
}

::grpc::Status validate(const v1::WatchInteractionsRequest& request, const RequestLimits& limits) {
  const auto& ids = request.interaction_ids();
  if (auto s =
          check_count("interaction_ids", static_cast<size_t>(ids.size()), limits.max_watch_ids);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < ids.size(); ++i) {
    const std::string path = indexed("interaction_ids", static_cast<size_t>(i));
    if (auto s = check_interaction_id(path, ids[i], limits); !s.ok()) return s;
  }
  return ::grpc::Status::OK;
}

// ---------------------------------------------------------------------------------------------
// AgentService.

::grpc::Status validate(const v1::LoginRequest& request, const RequestLimits& limits) {
  return check_agent("agent", request.agent(), limits);
}

::grpc::Status validate(const v1::LogoutRequest& request, const RequestLimits& limits) {
  return check_agent("agent", request.agent(), limits);
}

::grpc::Status validate(const v1::SetStateRequest& request, const RequestLimits& limits) {
  return check_state(request, limits, /*allow_logged_out=*/false);
}

::grpc::Status validate(const v1::StreamWorkRequest& request, const RequestLimits& limits) {
  return check_agent("agent", request.agent(), limits);
}

::grpc::Status validate(const v1::OfferRequest& request, const RequestLimits& limits) {
  if (auto s = check_agent("agent", request.agent(), limits); !s.ok()) return s;
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  return check_length("wrap_up_code", request.wrap_up_code(), limits.max_string_length);
}

::grpc::Status validate(const v1::CompleteRequest& request, const RequestLimits& limits) {
  if (auto s = check_agent("agent", request.agent(), limits); !s.ok()) return s;
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  return check_length("wrap_up_code", request.wrap_up_code(), limits.max_string_length);
}

::grpc::Status validate(const v1::TransferRequest& request, const RequestLimits& limits) {
  if (auto s = check_agent("agent", request.agent(), limits); !s.ok()) return s;
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  switch (request.to_case()) {
    case v1::TransferRequest::kQueue:
      if (request.queue().empty()) return invalid("queue", "must not be empty");
      return check_length("queue", request.queue(), limits.max_string_length);
    case v1::TransferRequest::kToAgent:
      if (request.to_agent().empty()) return invalid("to_agent", "must not be empty");
      return check_length("to_agent", request.to_agent(), limits.max_id_length);
    case v1::TransferRequest::TO_NOT_SET: break;
  }
  return invalid("to", "required (queue or to_agent)");
}

// ---------------------------------------------------------------------------------------------
// SupervisorService.

::grpc::Status validate(const v1::GetQueueStatsRequest& request, const RequestLimits& limits) {
  return check_queue_names("queues", request.queues(), limits);
}

::grpc::Status validate(const v1::ListAgentsRequest& request, const RequestLimits& limits) {
  return check_length("team", request.team(), limits.max_string_length);
}

namespace {
// A list's `limit`: 0 takes the default, negative is invalid, above max_list_limit too much.
::grpc::Status check_list_limit(int32_t limit, const RequestLimits& limits) {
  if (limit < 0)
    return invalid("limit", "must be 0 (default) or more, got " + std::to_string(limit));
  if (static_cast<size_t>(limit) > limits.max_list_limit) {
    return exhausted("limit",
                     std::to_string(limit) + ", at most " + std::to_string(limits.max_list_limit));
  }
  return ::grpc::Status::OK;
}
}  // namespace

::grpc::Status validate(const v1::ListInteractionsRequest& request, const RequestLimits& limits) {
  if (auto s = check_required("queue", request.queue(), limits.max_string_length); !s.ok()) {
    return s;
  }
  return check_list_limit(request.limit(), limits);
}

::grpc::Status validate(const v1::ListAuditRequest& request, const RequestLimits& limits) {
  const std::pair<const char*, const google::protobuf::Timestamp*> times[] = {
      {"from", request.has_from() ? &request.from() : nullptr},
      {"to", request.has_to() ? &request.to() : nullptr}};
  for (const auto& [field, t] : times) {
    if (t != nullptr && (t->seconds() < 0 || t->seconds() > kMaxTimestampSeconds ||
                         t->nanos() < 0 || t->nanos() > kMaxTimestampNanos)) {
      return invalid(field, "must be a time after 1970-01-01T00:00:00Z");
    }
  }
  if (request.has_from() && request.has_to() &&
      (request.from().seconds() > request.to().seconds() ||
       (request.from().seconds() == request.to().seconds() &&
        request.from().nanos() > request.to().nanos()))) {
    return invalid("from", "must not be after to");
  }
  const std::pair<const char*, const std::string*> texts[] = {
      {"actor", &request.actor()}, {"action", &request.action()}, {"target", &request.target()}};
  for (const auto& [field, text] : texts) {
    if (auto s = check_length(field, *text, limits.max_string_length); !s.ok()) return s;
  }
  return check_list_limit(request.limit(), limits);
}

::grpc::Status validate(const v1::GetReportRequest& request, const RequestLimits& limits) {
  if (!request.has_from()) return invalid("from", "required (the first interval's time)");
  const std::pair<const char*, const google::protobuf::Timestamp*> times[] = {
      {"from", &request.from()}, {"to", request.has_to() ? &request.to() : nullptr}};
  for (const auto& [field, t] : times) {
    if (t != nullptr && (t->seconds() < 0 || t->seconds() > kMaxTimestampSeconds ||
                         t->nanos() < 0 || t->nanos() > kMaxTimestampNanos)) {
      return invalid(field, "must be a time after 1970-01-01T00:00:00Z");
    }
  }
  const std::pair<const char*, const std::string*> texts[] = {{"queue", &request.queue()},
                                                              {"agent", &request.agent()}};
  for (const auto& [field, text] : texts) {
    if (auto s = check_length(field, *text, limits.max_string_length); !s.ok()) return s;
  }
  return ::grpc::Status::OK;
}

::grpc::Status validate(const v1::WatchQueuesRequest& request, const RequestLimits& limits) {
  if (auto s = check_queue_names("queues", request.queues(), limits); !s.ok()) return s;
  const double interval_s = request.interval_s();
  if (interval_s == 0) return ::grpc::Status::OK;
  // Written so that NaN fails too.
  if (!(interval_s >= kMinWatchInterval_s && interval_s <= kMaxWatchInterval_s)) {
    return invalid("interval_s", "must be 0 (default) or " + format_seconds(kMinWatchInterval_s) +
                                     ".." + format_seconds(kMaxWatchInterval_s) + " seconds, got " +
                                     format_seconds(interval_s));
  }
  return ::grpc::Status::OK;
}

::grpc::Status validate(const v1::ExplainRoutingRequest& request, const RequestLimits& limits) {
  return check_interaction_id("interaction_id", request.interaction_id(), limits);
}

::grpc::Status validate(const v1::UpdateAgentSkillsRequest& request, const RequestLimits& limits) {
  if (auto s = check_agent("agent", request.agent(), limits); !s.ok()) return s;
  const auto& skills = request.skills();
  if (auto s = check_count("skills", static_cast<size_t>(skills.size()), limits.max_skills);
      !s.ok()) {
    return s;
  }
  std::unordered_map<std::string_view, size_t> first_index;
  first_index.reserve(static_cast<size_t>(skills.size()));
  for (int i = 0; i < skills.size(); ++i) {
    const v1::SkillLevel& skill = skills[i];
    const std::string path = indexed("skills", static_cast<size_t>(i));
    if (auto s = check_required(path + ".skill", skill.skill(), limits.max_string_length);
        !s.ok()) {
      return s;
    }
    const auto [seen, inserted] = first_index.emplace(skill.skill(), static_cast<size_t>(i));
    if (!inserted) {
      return invalid(path + ".skill", quoted(skill.skill()) + " is listed twice (first at " +
                                          indexed("skills", seen->second) + ")");
    }
    if (skill.level() < kMinSkillLevel || skill.level() > kMaxSkillLevel) {
      return invalid(path + ".level", "must be " + std::to_string(kMinSkillLevel) + ".." +
                                          std::to_string(kMaxSkillLevel) + ", got " +
                                          std::to_string(skill.level()));
    }
  }
  return ::grpc::Status::OK;
}

::grpc::Status validate_force_state(const v1::SetStateRequest& request,
                                    const RequestLimits& limits) {
  return check_state(request, limits, /*allow_logged_out=*/true);
}

::grpc::Status validate(const v1::SetInteractionPriorityRequest& request,
                        const RequestLimits& limits) {
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  return check_priority(request.priority());
}

::grpc::Status validate(const v1::MoveInteractionRequest& request, const RequestLimits& limits) {
  if (auto s = check_interaction_id("interaction_id", request.interaction_id(), limits); !s.ok()) {
    return s;
  }
  return check_required("queue", request.queue(), limits.max_string_length);
}

// ---------------------------------------------------------------------------------------------
// AdminService.

::grpc::Status validate(const v1::ReloadConfigRequest& /*request*/,
                        const RequestLimits& /*limits*/) {
  return ::grpc::Status::OK;
}

std::string field_of(const ::grpc::Status& status) {
  const std::string message = status.error_message();  // a copy: gRPC returns it by value
  // A map key in a path is quoted (attributes['a: b']) and may itself hold ": ".
  bool in_quotes = false;
  for (size_t i = 0; i + 1 < message.size(); ++i) {
    if (in_quotes) {
      if (message[i] == '\\') {
        ++i;
      } else if (message[i] == '\'') {
        in_quotes = false;
      }
    } else if (message[i] == '[' && message[i + 1] == '\'') {
      in_quotes = true;
      ++i;
    } else if (message[i] == ':' && message[i + 1] == ' ') {
      return message.substr(0, i);
    }
  }
  return {};
}

::grpc::Status check_correlation_id(const std::string& id) {
  if (id.empty()) {
    return {::grpc::StatusCode::INVALID_ARGUMENT,
            "correlation_id: required (1.." + std::to_string(kMaxCorrelationIdBytes) + " bytes)"};
  }
  if (id.size() > kMaxCorrelationIdBytes) {
    return {::grpc::StatusCode::RESOURCE_EXHAUSTED, "correlation_id: " + std::to_string(id.size()) +
                                                        " bytes, at most " +
                                                        std::to_string(kMaxCorrelationIdBytes)};
  }
  return ::grpc::Status::OK;
}

}  // namespace router::adapters::grpc
