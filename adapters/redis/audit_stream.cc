// The audit trail's Redis stream; see audit_stream.h.
#include "adapters/redis/audit_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>
#include <vector>

#include "adapters/redis/keys.h"

namespace router::adapters::redis {

namespace {

// KEYS[1]: the stream. ARGV: from (stream id, "-" for the oldest), to ("+" for the newest),
// actor, action, target ("" matches any), limit, scan_max. Answers {entries, truncated} with
// each entry as XREVRANGE gives it ({id, {field, value, ...}}), newest first.
const Script kList(R"lua(
local hi, lo = ARGV[2], ARGV[1]
local actor, action, target = ARGV[3], ARGV[4], ARGV[5]
local limit, scan_max = tonumber(ARGV[6]), tonumber(ARGV[7])
local out, scanned = {}, 0
while true do
  local batch = redis.call('XREVRANGE', KEYS[1], hi, lo, 'COUNT', 1000)
  for _, e in ipairs(batch) do
    scanned = scanned + 1
    local f, m = e[2], {}
    for j = 1, #f, 2 do m[f[j]] = f[j + 1] end
    if (actor == '' or m.actor == actor) and (action == '' or m.action == action) and
       (target == '' or m.target == target) then
      out[#out + 1] = e
      if #out >= limit then return {out, 0} end
    end
    if scanned >= scan_max then return {out, 1} end
  end
  if #batch < 1000 then return {out, 0} end
  hi = '(' .. batch[#batch][1]
end
)lua");

constexpr const char* kFields[] = {"actor", "role",   "action", "target", "before",
                                   "after", "result", "detail", "peer"};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_field(v1::AuditEntry& e, const std::string& name, std::string value) {
  if (name == "at") {
    int64_t ms = 0;
    try {
      ms = std::stoll(value);
    } catch (...) {
      ms = 0;
    }
    e.mutable_at()->set_seconds(ms / 1000);
    e.mutable_at()->set_nanos(static_cast<int32_t>(ms % 1000) * 1'000'000);
  } else if (name == "actor") {
    e.set_actor(std::move(value));
  } else if (name == "role") {
    e.set_role(std::move(value));
  } else if (name == "action") {
    e.set_action(std::move(value));
  } else if (name == "target") {
    e.set_target(std::move(value));
  } else if (name == "before") {
    e.set_before(std::move(value));
  } else if (name == "after") {
    e.set_after(std::move(value));
  } else if (name == "result") {
    e.set_result(std::move(value));
  } else if (name == "detail") {
    e.set_detail(std::move(value));
  } else if (name == "peer") {
    e.set_peer(std::move(value));
  }
}

std::string field_value(const v1::AuditEntry& e, int i) {
  switch (i) {
    case 0: return e.actor();
    case 1: return e.role();
    case 2: return e.action();
    case 3: return e.target();
    case 4: return e.before();
    case 5: return e.after();
    case 6: return e.result();
    case 7: return e.detail();
    default: return e.peer();
  }
}

// A stream id bound for XREVRANGE: a millisecond time as "<ms>" (Redis completes the sequence:
// -0 for a lower bound, -max for an upper one).
std::string bound(int64_t ms, const char* open) {
  if (ms <= 0 || ms == INT64_MAX) return open;
  return std::to_string(ms);
}

}  // namespace

RedisAuditTrail::RedisAuditTrail(Client& client, AuditOptions options)
    : client_(client), options_(std::move(options)), key_(Keys(options_.key_prefix).audit()) {}

void RedisAuditTrail::record(v1::AuditEntry entry) {
  const int64_t cutoff = std::max<int64_t>(
      0,
      now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count());
  std::vector<std::string> argv{"XADD",
                                key_,
                                "MINID",
                                std::to_string(cutoff),
                                "*",
                                "at",
                                std::to_string(ports::audit_ms(entry))};
  for (int i = 0; i < static_cast<int>(std::size(kFields)); ++i) {
    argv.emplace_back(kFields[i]);
    argv.push_back(field_value(entry, i));
  }
  client_.command(
      std::move(argv), options_.timeout, [entry = std::move(entry)](absl::StatusOr<Reply> r) {
        if (r.ok() && !r->is_error()) return;
        spdlog::warn("event=audit_unstored why=\"{}\"", r.ok() ? r->str : r.status().ToString());
        ports::log_audit(entry, "audit_unstored");
      });
  if (records_.fetch_add(1, std::memory_order_relaxed) % 256 == 255) {
    client_.command({"XTRIM", key_, "MAXLEN", "~", std::to_string(options_.max_entries)},
                    options_.timeout, [](absl::StatusOr<Reply>) {});
  }
}

void RedisAuditTrail::list(const ports::AuditQuery& query,
                           std::function<void(absl::StatusOr<ports::AuditPage>)> done) const {
  client_.eval(kList, {key_},
               {bound(query.from_ms, "-"), bound(query.to_ms, "+"), query.actor, query.action,
                query.target, std::to_string(query.limit), std::to_string(options_.scan_max)},
               options_.timeout, [done = std::move(done)](absl::StatusOr<Reply> r) {
                 if (!r.ok()) return done(r.status());
                 if (r->is_error()) return done(absl::InternalError("redis: " + r->str));
                 if (r->elements.size() != 2) {
                   return done(absl::InternalError("redis: unexpected audit reply"));
                 }
                 ports::AuditPage page;
                 page.truncated = r->elements[1].integer != 0;
                 for (Reply& e : r->elements[0].elements) {
                   if (e.elements.size() != 2) continue;
                   v1::AuditEntry entry;
                   entry.set_id(std::move(e.elements[0].str));
                   auto& f = e.elements[1].elements;
                   for (size_t j = 0; j + 1 < f.size(); j += 2) {
                     set_field(entry, f[j].str, std::move(f[j + 1].str));
                   }
                   page.entries.push_back(std::move(entry));
                 }
                 done(std::move(page));
               });
}

}  // namespace router::adapters::redis
