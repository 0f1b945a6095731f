// The Redis key schema (docs/redis.md is its reference; change both together). Every key starts
// with the configured prefix (RoutingConfig.redis.key_prefix, default "router:"):
//
//   <p>customer:<id>               hash: one customer record (fields below)
//   <p>idx:phone:<E.164>           string: customer id  (index keys, one per key value)
//   <p>idx:email:<lower-cased>     string: customer id
//   <p>idx:visitor:<web visitor>   string: customer id
//   <p>idx:account:<web account>   string: customer id
//   <p>ix:<gateway>/<client id>    hash: one journaled interaction (journal.h); the id is the
//                                  entry's interaction_id, scoped by its gateway by the host
//                                  (docs/redis.md, "Gateway scopes")
//   <p>live                        sorted set: scoped ids of live interactions, score = journal
//                                  sequence (submit order)
//   <p>seq                         string: the last journal sequence number (INCR)
//   <p>history                     stream: finished interactions, capped (XADD MAXLEN ~)
//   <p>lease                       string: "<instance> <token>" of the active routerd, PX ttl
//                                  (lease.h; docs/availability.md, "Active and standby")
//   <p>fence                       string: the fencing token, INCR at every takeover; every
//                                  journal write checks it (journal.cc)
//   <p>agents                      hash: agent name -> its session (v1::AgentJournalEntry)
//   <p>threads                     sorted set: Message-IDs of finished emails, score = unix ms
//   <p>thread                      hash: Message-ID -> its thread (v1::EmailThreadEntry)
//   <p>changes                     stream: the change feed a standby follows, capped (XADD
//                                  MAXLEN ~): one entry per journal write, x|a|t -> the
//                                  interaction's hash key, the agent or the Message-ID
//                                  (journal_follower.h)
//   <p>audit                       stream: the audit trail (audit_stream.h): one entry per
//                                  supervisor or admin action and refused token; trimmed by
//                                  age (MINID ~) and count (MAXLEN ~)
//   <p>reports                     sorted set: the stored report intervals, "<start ms>:<length
//                                  ms>", score = start ms (interval_reports.h)
//   <p>report:<start>:<length>     hash: one interval's counters, "<q|a>\x1f<metric>\x1f<name>"
//                                  -> integer; expires report_retention_days after the interval
//
// Values are UTF-8 text; numbers are decimal text, as Redis itself keeps them.
// Thread-safe: plain functions and a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace router::adapters::redis {

// Fields of a <p>customer:<id> hash. Absent fields are empty; `segment` absent or empty means
// "derive from current and potential value" (RoutingConfig.daemon.segments). `tags` and the
// four key lists are JSON arrays of strings; the key lists say which index keys point at this
// record, so a re-import can remove the ones it no longer has.
namespace field {
inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kSegment = "segment";  // strategic|profitable|ordinary|risk
inline constexpr std::string_view kCurrentValue = "current_value";
inline constexpr std::string_view kPotentialValue = "potential_value";
inline constexpr std::string_view kLifetimeValue = "lifetime_value";
inline constexpr std::string_view kLanguage = "language";
inline constexpr std::string_view kPreferredAgent = "preferred_agent";
inline constexpr std::string_view kLastAgent = "last_agent";
inline constexpr std::string_view kLastContact = "last_contact";  // unix seconds
inline constexpr std::string_view kTags = "tags";
inline constexpr std::string_view kPhones = "phones";
inline constexpr std::string_view kEmails = "emails";
inline constexpr std::string_view kWebVisitors = "web_visitors";
inline constexpr std::string_view kWebAccounts = "web_accounts";
}  // namespace field

// Index kinds, as they appear in index keys.
inline constexpr std::string_view kIndexPhone = "phone";
inline constexpr std::string_view kIndexEmail = "email";
inline constexpr std::string_view kIndexVisitor = "visitor";
inline constexpr std::string_view kIndexAccount = "account";

class Keys {
 public:
  explicit Keys(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string customer(std::string_view id) const { return join("customer:", id); }
  // kind: one of kIndex*.
  std::string index(std::string_view kind, std::string_view value) const {
    std::string k = prefix_;
    k.append("idx:").append(kind).append(":").append(value);
    return k;
  }
  std::string interaction(std::string_view client_id) const { return join("ix:", client_id); }
  std::string live() const { return prefix_ + "live"; }
  std::string seq() const { return prefix_ + "seq"; }
  std::string history() const { return prefix_ + "history"; }
  std::string lease() const { return prefix_ + "lease"; }
  std::string fence() const { return prefix_ + "fence"; }
  std::string agents() const { return prefix_ + "agents"; }
  std::string threads() const { return prefix_ + "threads"; }
  std::string thread() const { return prefix_ + "thread"; }
  std::string changes() const { return prefix_ + "changes"; }
  std::string audit() const { return prefix_ + "audit"; }
  std::string reports() const { return prefix_ + "reports"; }
  std::string report(int64_t start_ms, int64_t length_ms) const {
    return prefix_ + "report:" + std::to_string(start_ms) + ":" + std::to_string(length_ms);
  }

 private:
  std::string join(std::string_view kind, std::string_view value) const {
    std::string k = prefix_;
    k.append(kind).append(value);
    return k;
  }
  std::string prefix_;
};

}  // namespace router::adapters::redis
