// The interval reports in Redis; see interval_reports.h.
#include "adapters/redis/interval_reports.h"

#include <chrono>
#include <utility>

#include "adapters/redis/keys.h"

namespace router::adapters::redis {

namespace {

// KEYS[1]: the index; KEYS[2..]: one hash per interval. ARGV: retention ms, now ms, then per
// interval: start ms, length ms, the number of counters, and each counter's field and amount.
const Script kAdd(R"lua(
local retention, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local a = 3
for k = 2, #KEYS do
  local start, len, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  a = a + 3
  for j = 1, n do
    redis.call('HINCRBY', KEYS[k], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('ZADD', KEYS[1], start, start .. ':' .. len)
  redis.call('PEXPIREAT', KEYS[k], tonumber(start) + tonumber(len) + retention)
end
-- Intervals that ended a retention ago (the longest interval is a day) have expired.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - retention - 86400000))
return #KEYS - 1
)lua");

// KEYS[1]: the index. ARGV: from ms, to ms (exclusive), the hashes' key prefix
// ("<p>report:"), scope ("" for every field, else "q" or "a") and name, the most intervals.
// Answers {{"<start>:<length>", {field, value, ...}}, ...}, oldest first.
const Script kRead(R"lua(
local members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2],
                           'LIMIT', 0, tonumber(ARGV[6]))
local scope, name = ARGV[4], ARGV[5]
local out = {}
for _, m in ipairs(members) do
  local h = redis.call('HGETALL', ARGV[3] .. m)
  if scope ~= '' then
    local kept = {}
    local tail = '\31' .. name
    for j = 1, #h, 2 do
      local f = h[j]
      if string.sub(f, 1, 2) == scope .. '\31' and #f > #tail and
         string.sub(f, -#tail) == tail and string.find(f, '\31', 3, true) == #f - #tail + 1 then
        kept[#kept + 1] = f
        kept[#kept + 1] = h[j + 1]
      end
    end
    h = kept
  end
  if #h > 0 then out[#out + 1] = {m, h} end
end
return out
)lua");

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t parse_int(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace

RedisIntervalStore::RedisIntervalStore(Client& client, IntervalReportOptions options)
    : client_(client), options_(std::move(options)) {}

void RedisIntervalStore::add(std::vector<ports::IntervalCounters> deltas,
                             std::function<void(absl::Status)> done) {
  const Keys keys(options_.key_prefix);
  std::vector<std::string> k{keys.reports()};
  std::vector<std::string> args{
      std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count()),
      std::to_string(now_ms())};
  for (const auto& d : deltas) {
    k.push_back(keys.report(d.start_ms, d.length_ms));
    args.push_back(std::to_string(d.start_ms));
    args.push_back(std::to_string(d.length_ms));
    args.push_back(std::to_string(d.fields.size()));
    for (const auto& [field, n] : d.fields) {
      args.push_back(field);
      args.push_back(std::to_string(n));
    }
  }
  client_.eval(kAdd, std::move(k), std::move(args), options_.timeout,
               [done = std::move(done)](absl::StatusOr<Reply> r) {
                 if (!r.ok()) return done(r.status());
                 if (r->is_error()) return done(absl::UnavailableError("redis: " + r->str));
                 done(absl::OkStatus());
               });
}

void RedisIntervalStore::read(
    const ports::IntervalQuery& query,
    std::function<void(absl::StatusOr<std::vector<ports::IntervalCounters>>)> done) const {
  const Keys keys(options_.key_prefix);
  client_.eval(
      kRead, {keys.reports()},
      {std::to_string(query.from_ms), std::to_string(query.to_ms), options_.key_prefix + "report:",
       query.scope == 0 ? std::string() : std::string(1, query.scope), query.name, "10000"},
      options_.timeout, [done = std::move(done)](absl::StatusOr<Reply> r) {
        if (!r.ok()) return done(r.status());
        if (r->is_error()) return done(absl::UnavailableError("redis: " + r->str));
        std::vector<ports::IntervalCounters> out;
        for (Reply& e : r->elements) {
          if (e.elements.size() != 2) continue;
          const std::string& member = e.elements[0].str;
          const auto colon = member.find(':');
          if (colon == std::string::npos) continue;
          ports::IntervalCounters c{
              parse_int(member.substr(0, colon)), parse_int(member.substr(colon + 1)), {}};
          auto& f = e.elements[1].elements;
          for (size_t j = 0; j + 1 < f.size(); j += 2) {
            c.fields[std::move(f[j].str)] = parse_int(f[j + 1].str);
          }
          out.push_back(std::move(c));
        }
        done(std::move(out));
      });
}

}  // namespace router::adapters::redis
