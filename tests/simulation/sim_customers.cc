// The simulated customer store; see sim_customers.h.
#include "tests/simulation/sim_customers.h"

#include <algorithm>

namespace router::sim {

using adapters::ports::CustomerKeys;
using adapters::ports::CustomerRecord;
using adapters::ports::LookupResult;

std::shared_ptr<CustomerDirectory> CustomerDirectory::standard() {
  auto d = std::make_shared<CustomerDirectory>();
  auto known = [&](std::string id, std::string name, engine::Segment segment, double value,
                   std::string language, std::vector<std::string> phones,
                   std::vector<std::string> emails, std::vector<std::string> visitors,
                   std::vector<std::string> accounts) {
    Known k;
    k.record.customer_id = std::move(id);
    k.record.name = std::move(name);
    k.record.segment = segment;
    k.record.lifetime_value = value;
    k.record.language = std::move(language);
    k.phones = std::move(phones);
    k.emails = std::move(emails);
    k.visitors = std::move(visitors);
    k.accounts = std::move(accounts);
    d->customers.push_back(std::move(k));
  };
  known("C1", "Ada", engine::Segment::kStrategic, 91000, "en", {"+14155550100"},
        {"ada@example.com"}, {"v-1"}, {"acct-1"});
  known("C2", "Bo", engine::Segment::kProfitable, 12000, "en", {"+14155550101"}, {"bo@example.com"},
        {"v-2"}, {});
  known("C3", "Cy", engine::Segment::kRisk, 0, "", {}, {"cy@example.com"}, {"v-3"}, {"acct-3"});
  return d;
}

LookupResult CustomerDirectory::find(const CustomerKeys& keys) const {
  auto has = [](const std::vector<std::string>& list, const std::string& key) {
    return !key.empty() && std::find(list.begin(), list.end(), key) != list.end();
  };
  for (const auto& p : adapters::ports::kKeyPrecedence) {
    const std::string& key = keys.*(p.key);
    if (key.empty()) continue;
    for (const Known& k : customers) {
      bool match = false;
      if (p.matched_by == adapters::ports::kMatchedByCustomerId) {
        match = k.record.customer_id == key;
      } else if (p.matched_by == adapters::ports::kMatchedByWebAccount) {
        match = has(k.accounts, key);
      } else if (p.matched_by == adapters::ports::kMatchedByPhone) {
        match = has(k.phones, key);
      } else if (p.matched_by == adapters::ports::kMatchedByEmail) {
        match = has(k.emails, key);
      } else if (p.matched_by == adapters::ports::kMatchedByWebVisitor) {
        match = has(k.visitors, key);
      }
      if (match) {
        LookupResult r;
        r.customer = k.record;
        r.matched_by = std::string(p.matched_by);
        return r;
      }
    }
  }
  return {};
}

void SimCustomers::lookup(const CustomerKeys& keys, std::function<void(LookupResult)> done) {
  const CustomerFaults& f = directory_->faults;
  LookupResult result;
  if (world_.chance(f.degraded)) {
    result.degraded = true;
  } else {
    result = directory_->find(keys);
  }
  if (world_.chance(f.inline_answer)) return done(std::move(result));
  const engine::Duration delay =
      world_.chance(f.late) ? world_.duration_between(std::chrono::milliseconds(1), f.max_delay)
                            : engine::Duration(0);
  world_.schedule(
      delay, [done = std::move(done), result = std::move(result)]() mutable { done(result); },
      &owner_);
}

void SimCustomers::record_contact(const std::string& customer_id, const std::string& agent,
                                  int64_t unix_s) {
  for (auto& k : directory_->customers) {
    if (k.record.customer_id != customer_id) continue;
    k.record.last_agent = agent;
    k.record.last_contact_unix_s = unix_s;
    ++directory_->contacts_recorded;
  }
}

}  // namespace router::sim
