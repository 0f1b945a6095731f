// The customer-lookup port: who is behind an arriving interaction, asked by the engine host
// before it submits; the last agent is written back when the work is done. Contract: lookup()
// answers exactly once and never fails (unknown: empty; no answer in time: degraded). Threads:
// any thread calls, so implementations are thread-safe; `done` may run on another thread.
// Implementations: adapters/channels (in memory, from a file), adapters/redis (with a cache).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types.h"

namespace router::adapters::ports {

// The keys an arrival carries, each already normalized with normalize.h (E.164, lower-cased
// email, trimmed web ids: adapters/channels/normalize.h); implementations compare them exactly. Any
// may be empty.
struct CustomerKeys {
  std::string phone_e164;   // PHONE: the caller (ANI); WEB_CALLBACK: the callback number
  std::string email;        // EMAIL: the sender
  std::string web_visitor;  // WEB_*: the anonymous visitor cookie id
  std::string web_account;  // WEB_*: the logged-in account
  // A customer already known by id (an email thread's customer, see EmailThreadIndex). Not one
  // of the four keys of the issue: an addition so a reply threads to its customer even when it
  // comes from another address. The host reports such a match as "email_thread".
  std::string customer_id;
};

struct CustomerRecord {
  std::string customer_id;
  std::string name;
  engine::Segment segment = engine::Segment::kOrdinary;
  double current_value = 0.0;
  double potential_value = 0.0;
  double lifetime_value = 0.0;      // ≥ 0; current + potential unless the source says otherwise
  std::string language;             // e.g. "zh"; empty: unknown
  std::string preferred_agent;      // agent name; empty: none
  std::string last_agent;           // agent name; empty: none
  int64_t last_contact_unix_s = 0;  // wall clock of the last record_contact; 0: unknown
  std::vector<std::string> tags;
};

// How a record was found (router.v1.Customer.matched_by).
inline constexpr std::string_view kMatchedByCustomerId = "customer_id";
inline constexpr std::string_view kMatchedByWebAccount = "web_account";
inline constexpr std::string_view kMatchedByPhone = "phone";
inline constexpr std::string_view kMatchedByEmail = "email";
inline constexpr std::string_view kMatchedByWebVisitor = "web_visitor";

struct LookupResult {
  std::optional<CustomerRecord> customer;  // nothing: anonymous
  std::string matched_by;                  // one of the kMatchedBy* values; empty when anonymous
  // The store could not answer in time (down, slow, overloaded): the customer is anonymous for
  // that reason rather than unknown. The interaction is routed anyway, never stalled.
  bool degraded = false;
};

// When keys match different customers, the first key in this order wins:
//   customer_id  — the host already knows the customer (an email thread);
//   web_account  — a logged-in account is authenticated, the strongest evidence there is;
//   phone        — caller id is hard to forge on the networks gateways sit on, but is shared by
//                  households and switchboards;
//   email        — a From address is trivially spoofed and shared mailboxes are common;
//   web_visitor  — a cookie: one browser, maybe a shared computer, cleared at will.
struct KeyPrecedence {
  std::string_view matched_by;
  std::string CustomerKeys::*key;
};
inline constexpr std::array<KeyPrecedence, 5> kKeyPrecedence{{
    {kMatchedByCustomerId, &CustomerKeys::customer_id},
    {kMatchedByWebAccount, &CustomerKeys::web_account},
    {kMatchedByPhone, &CustomerKeys::phone_e164},
    {kMatchedByEmail, &CustomerKeys::email},
    {kMatchedByWebVisitor, &CustomerKeys::web_visitor},
}};

class CustomerLookup {
 public:
  virtual ~CustomerLookup();

  // Calls `done` exactly once, inline or later from another thread (the caller posts back to
  // its own thread). Never fails: an unknown customer is an empty result, a store that cannot
  // answer a degraded one. Keys are tried in kKeyPrecedence order.
  virtual void lookup(const CustomerKeys& keys, std::function<void(LookupResult)> done) = 0;

  // Write-back after completion: last agent and last contact time (wall clock, unix seconds).
  // Best effort: an unknown customer id is ignored.
  virtual void record_contact(const std::string& customer_id, const std::string& agent,
                              int64_t unix_s) = 0;

  // One line for logs and the daemon's start banner ("memory: customers.csv, 1200 customers").
  virtual std::string describe() const = 0;
};

}  // namespace router::adapters::ports
