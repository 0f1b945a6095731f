// The Redis customer store: cache first, then one EVALSHA per lookup; write-back by a script that
// never creates a record. Reply parsing is lenient: a bad field is read as absent, never fatal.
#include "adapters/redis/customer_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/redis/keys.h"
#include "engine/log_text.h"

namespace router::adapters::redis {
namespace {

using ports::CustomerRecord;
using ports::kKeyPrecedence;
using ports::LookupResult;

constexpr auto kRelaxed = std::memory_order_relaxed;

// The index kind (keys.h) of each kKeyPrecedence position; position 0, the customer id, names
// the customer hash itself.
constexpr size_t kIdKey = 0;
constexpr std::array<std::string_view, kKeyPrecedence.size()> kIndexKind{
    "", kIndexAccount, kIndexPhone, kIndexEmail, kIndexVisitor};
static_assert(kKeyPrecedence[kIdKey].key == &ports::CustomerKeys::customer_id);
static_assert(kKeyPrecedence[1].key == &ports::CustomerKeys::web_account);
static_assert(kKeyPrecedence[2].key == &ports::CustomerKeys::phone_e164);
static_assert(kKeyPrecedence[3].key == &ports::CustomerKeys::email);
static_assert(kKeyPrecedence[4].key == &ports::CustomerKeys::web_visitor);

// The hash fields a lookup reads, in the order the lookup script returns their values: the
// fields of the record (keys.h). The key lists and fields of a newer schema are left in Redis:
// they are not part of the record, and every value carried through Lua costs Redis time (see
// bench/redis_lookup.md: HMGET of these 11 fields runs about 1.5x faster in a script than
// HGETALL of the whole hash).
constexpr std::array<std::string_view, 11> kRecordFields{field::kId,
                                                         field::kName,
                                                         field::kSegment,
                                                         field::kCurrentValue,
                                                         field::kPotentialValue,
                                                         field::kLifetimeValue,
                                                         field::kLanguage,
                                                         field::kPreferredAgent,
                                                         field::kLastAgent,
                                                         field::kLastContact,
                                                         field::kTags};
constexpr size_t kIdField = 0;
static_assert(kRecordFields[kIdField] == field::kId);

// KEYS: the keys to try, in kKeyPrecedence order. ARGV[1]: the customer hash prefix
// ("<p>customer:"); ARGV[1 + i]: "id" when KEYS[i] is a customer hash, "index" when it is an
// index key holding a customer id. Returns {i, customer id, {value of each kRecordFields entry,
// nil when absent}} for the first key that leads to a non-empty hash, else nil. An index pointing
// nowhere, or a key of the wrong type, is skipped (redis.pcall), so a damaged key costs a match,
// not the lookup. A hash none of whose record fields is set still counts when it exists (EXISTS,
// asked only then). The hash keys are built here rather than declared in KEYS: standalone Redis
// only (as is the whole schema).
std::string lookup_lua() {
  std::string fields;
  for (const std::string_view f : kRecordFields) {
    fields += ", '";
    fields += f;
    fields += "'";
  }
  return R"lua(
for i, key in ipairs(KEYS) do
  local id, hash
  if ARGV[i + 1] == 'id' then
    id = string.sub(key, #ARGV[1] + 1)
    hash = key
  else
    local got = redis.pcall('GET', key)
    if type(got) == 'string' then
      id = got
      hash = ARGV[1] .. got
    end
  end
  if hash then
    local values = redis.pcall('HMGET', hash)lua" +
         fields + R"lua()
    if type(values) == 'table' and values.err == nil then
      local present = false
      for _, v in ipairs(values) do
        if v then
          present = true
          break
        end
      end
      if present or redis.call('EXISTS', hash) == 1 then
        return {i, id, values}
      end
    end
  end
end
return nil
)lua";
}

// KEYS[1]: a customer hash; ARGV: field, value, ... Writes only into a record that exists (an
// unknown id must not leave a half record behind). Returns 1 if written, 0 if no such record.
constexpr const char* kWriteBackLua = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
  return 1
end
return 0
)lua";

const Script& write_back_script() {
  static const Script script(kWriteBackLua);
  return script;
}

// Logs the first few occurrences of a kind of trouble, then every 1000th, so a bad import or a
// flapping server cannot flood the log. `count` is the occurrence just counted (from 1).
bool worth_logging(uint64_t count) { return count <= 10 || count % 1000 == 0; }

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<std::string>> parse_string_array(std::string_view s) {
  const auto json = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array()) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(json.size());
  for (const auto& v : json) {
    if (!v.is_string()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string format_ttl(engine::Duration ttl) {
  if (ttl.count() % 1000 == 0) return std::to_string(ttl.count() / 1000) + " s";
  return std::to_string(ttl.count()) + " ms";
}

}  // namespace

struct RedisCustomerStore::Shared {
  Shared(CustomerStoreOptions o, CustomerCache::Clock clock)
      : options(std::move(o)),
        keys(options.key_prefix),
        cache(options.cache_entries, options.cache_ttl, std::move(clock)) {}

  // A key a lookup tries: its kKeyPrecedence position and value.
  struct Tried {
    size_t kind;
    std::string value;
  };

  LookupResult answer(const absl::StatusOr<Reply>& reply, const std::vector<Tried>& tried,
                      uint64_t epoch);
  // `values`: one per kRecordFields entry, in that order (checked by answer()).
  CustomerRecord parse_record(const std::vector<Reply>& values, std::string_view fallback_id);
  void malformed(std::string_view customer_id, std::string_view field, std::string_view value);
  LookupResult degrade(std::string_view why);

  const CustomerStoreOptions options;
  const Keys keys;
  CustomerCache cache;

  std::atomic<uint64_t> lookups{0};
  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> redis_hits{0};
  std::atomic<uint64_t> not_found{0};
  std::atomic<uint64_t> degraded{0};
  std::atomic<uint64_t> lookup_errors{0};  // error or unexpected replies (a subset of degraded)
  std::atomic<uint64_t> write_backs{0};
  std::atomic<uint64_t> write_backs_unknown{0};
  std::atomic<uint64_t> write_back_failures{0};
  std::atomic<uint64_t> write_back_errors{0};  // error replies (a subset of the failures)
  std::atomic<uint64_t> malformed_fields{0};
};

LookupResult RedisCustomerStore::Shared::degrade(std::string_view why) {
  degraded.fetch_add(1, kRelaxed);
  if (!why.empty()) {
    // Timeouts and outages are the Client's to log (once per outage); these are not.
    const uint64_t n = lookup_errors.fetch_add(1, kRelaxed) + 1;
    if (worth_logging(n)) {
      spdlog::warn("event=redis_customer_lookup_failed error={} count={} action=anonymous",
                   engine::log_text(why), n);
    }
  }
  LookupResult result;
  result.degraded = true;
  return result;
}

void RedisCustomerStore::Shared::malformed(std::string_view customer_id, std::string_view field,
                                           std::string_view value) {
  const uint64_t n = malformed_fields.fetch_add(1, kRelaxed) + 1;
  if (worth_logging(n)) {
    spdlog::warn(
        "event=redis_customer_field_malformed customer={} field={} value={} count={} "
        "action=read_as_absent",
        engine::log_text(customer_id, 64), field, engine::log_text(value, 64), n);
  }
}

CustomerRecord RedisCustomerStore::Shared::parse_record(const std::vector<Reply>& values,
                                                        std::string_view fallback_id) {
  CustomerRecord r;
  std::string_view segment;
  // < 0: absent. A plain double: GCC 12 at -O2 misreads a std::optional<double> here as
  // maybe-uninitialized.
  double lifetime = -1;
  // The id first, so messages about the other fields can name the customer.
  r.customer_id = values[kIdField].str;
  if (r.customer_id.empty()) r.customer_id = std::string(fallback_id);

  for (size_t i = 0; i < kRecordFields.size(); ++i) {
    if (i == kIdField) continue;
    const std::string_view name = kRecordFields[i];
    const std::string& value = values[i].str;
    if (value.empty()) continue;  // absent (nil) or empty
    if (name == field::kName) {
      r.name = value;
    } else if (name == field::kSegment) {
      segment = value;
    } else if (name == field::kCurrentValue || name == field::kPotentialValue) {
      const auto v = parse_double(value);
      if (!v) {
        malformed(r.customer_id, name, value);
      } else {
        (name == field::kCurrentValue ? r.current_value : r.potential_value) = *v;
      }
    } else if (name == field::kLifetimeValue) {
      const auto v = parse_double(value);
      if (!v || *v < 0) {
        malformed(r.customer_id, name, value);
      } else {
        lifetime = *v;
      }
    } else if (name == field::kLanguage) {
      r.language = value;
    } else if (name == field::kPreferredAgent) {
      r.preferred_agent = value;
    } else if (name == field::kLastAgent) {
      r.last_agent = value;
    } else if (name == field::kLastContact) {
      const auto v = parse_int(value);
      if (!v || *v < 0) {
        malformed(r.customer_id, name, value);
      } else {
        r.last_contact_unix_s = *v;
      }
    } else if (name == field::kTags) {
      if (auto tags = parse_string_array(value)) {
        r.tags = std::move(*tags);
      } else {
        malformed(r.customer_id, name, value);
      }
    }
  }

  std::optional<engine::Segment> parsed;
  if (!segment.empty()) {
    parsed = engine::parse_segment(segment);
    if (!parsed) malformed(r.customer_id, field::kSegment, segment);
  }
  r.segment = parsed ? *parsed
                     : engine::derive_segment(r.current_value, r.potential_value, options.segments);
  r.lifetime_value = lifetime >= 0 ? lifetime : std::max(0.0, r.current_value + r.potential_value);
  return r;
}

LookupResult RedisCustomerStore::Shared::answer(const absl::StatusOr<Reply>& reply,
                                                const std::vector<Tried>& tried, uint64_t epoch) {
  // DEADLINE_EXCEEDED, UNAVAILABLE: Redis slow or away; the Client logs the outage.
  if (!reply.ok()) return degrade("");
  if (reply->is_nil()) {
    not_found.fetch_add(1, kRelaxed);
    return {};
  }
  // LOADING after a restart, OOM, BUSY (a stuck script), ...: not an answer either.
  if (reply->is_error()) return degrade(reply->str);
  const auto& e = reply->elements;
  if (reply->type != Reply::Type::kArray || e.size() != 3 || e[0].type != Reply::Type::kInteger ||
      e[0].integer < 1 || static_cast<uint64_t>(e[0].integer) > tried.size() ||
      e[1].type != Reply::Type::kString || e[2].type != Reply::Type::kArray ||
      e[2].elements.size() != kRecordFields.size()) {
    return degrade("unexpected reply from the lookup script");
  }
  const Tried& matched = tried[static_cast<size_t>(e[0].integer - 1)];
  LookupResult result;
  result.customer = parse_record(e[2].elements, e[1].str);
  result.matched_by = std::string(kKeyPrecedence[matched.kind].matched_by);
  // Without a cache, no copy of the record for it.
  if (cache.enabled()) {
    cache.insert(matched.kind, matched.value, CachedCustomer{*result.customer, result.matched_by},
                 epoch);
  }
  redis_hits.fetch_add(1, kRelaxed);
  return result;
}

// ---------------------------------------------------------------------------------------------

const Script& RedisCustomerStore::lookup_script() {
  static const Script script(lookup_lua());
  return script;
}

RedisCustomerStore::RedisCustomerStore(Client& client, CustomerStoreOptions options,
                                       CustomerCache::Clock cache_clock)
    : client_(client) {
  if (options.lookup_timeout <= engine::Duration::zero() ||
      options.write_back_timeout <= engine::Duration::zero()) {
    throw std::invalid_argument("redis customer store: timeouts must be positive");
  }
  shared_ = std::make_shared<Shared>(std::move(options), std::move(cache_clock));
  // Compute the scripts' SHA1s now: a failing OpenSSL is a startup failure, not a lookup's.
  // Loaded at connect, so a write-back is never overtaken by a later lookup on a NOSCRIPT retry.
  client.preload(lookup_script());
  client.preload(write_back_script());
}

RedisCustomerStore::~RedisCustomerStore() = default;

void RedisCustomerStore::lookup(const ports::CustomerKeys& keys,
                                std::function<void(LookupResult)> done) {
  Shared& s = *shared_;
  s.lookups.fetch_add(1, kRelaxed);
  std::vector<Shared::Tried> tried;
  tried.reserve(kKeyPrecedence.size());
  for (size_t k = 0; k < kKeyPrecedence.size(); ++k) {
    const std::string& value = keys.*kKeyPrecedence[k].key;
    if (!value.empty()) tried.push_back({k, value});
  }
  if (tried.empty()) {
    s.not_found.fetch_add(1, kRelaxed);
    done(LookupResult{});
    return;
  }
  // Only the first key can be answered from the cache: a miss on it may be a customer Redis has
  // (only found customers are cached), and it outranks every later key.
  if (auto hit = s.cache.find(tried.front().kind, tried.front().value)) {
    s.cache_hits.fetch_add(1, kRelaxed);
    LookupResult result;
    result.customer = hit->record;
    result.matched_by = hit->matched_by;
    done(std::move(result));
    return;
  }

  std::vector<std::string> redis_keys;
  std::vector<std::string> args;
  redis_keys.reserve(tried.size());
  args.reserve(tried.size() + 1);
  args.push_back(s.keys.customer(""));
  for (const auto& t : tried) {
    if (t.kind == kIdKey) {
      redis_keys.push_back(s.keys.customer(t.value));
      args.emplace_back("id");
    } else {
      redis_keys.push_back(s.keys.index(kIndexKind[t.kind], t.value));
      args.emplace_back("index");
    }
  }
  const uint64_t epoch = s.cache.epoch();
  client_.eval(lookup_script(), std::move(redis_keys), std::move(args), s.options.lookup_timeout,
               [shared = shared_, tried = std::move(tried), epoch, done = std::move(done)](
                   absl::StatusOr<Reply> reply) { done(shared->answer(reply, tried, epoch)); });
}

void RedisCustomerStore::record_contact(const std::string& customer_id, const std::string& agent,
                                        int64_t unix_s) {
  if (customer_id.empty()) return;
  Shared& s = *shared_;
  client_.eval(write_back_script(), {s.keys.customer(customer_id)},
               {std::string(field::kLastAgent), agent, std::string(field::kLastContact),
                std::to_string(unix_s)},
               s.options.write_back_timeout,
               [shared = shared_, customer_id](absl::StatusOr<Reply> reply) {
                 if (!reply.ok() || reply->is_error()) {
                   shared->write_back_failures.fetch_add(1, kRelaxed);
                   if (reply.ok()) {
                     const uint64_t n = shared->write_back_errors.fetch_add(1, kRelaxed) + 1;
                     if (worth_logging(n)) {
                       spdlog::warn(
                           "event=redis_customer_write_back_failed customer={} error={} count={} "
                           "action=dropped",
                           engine::log_text(customer_id, 64), engine::log_text(reply->str), n);
                     }
                   }
                 } else if (reply->type == Reply::Type::kInteger && reply->integer == 1) {
                   shared->write_backs.fetch_add(1, kRelaxed);
                 } else {
                   shared->write_backs_unknown.fetch_add(1, kRelaxed);
                 }
                 // Again once written: a lookup that read the record before the write and is
                 // answered after the first invalidation must not refill the cache with it
                 // (insert() refuses it).
                 shared->cache.invalidate(customer_id);
               });
  // After posting the write: a lookup that starts from here on is sent behind it on the same
  // connection, so Redis answers it with the new last agent.
  s.cache.invalidate(customer_id);
}

std::string RedisCustomerStore::describe() const {
  const ClientOptions& c = client_.options();
  const Shared& s = *shared_;
  std::string d = "redis " + c.server() + " db " + std::to_string(c.database) + " prefix " +
                  s.keys.prefix() + " (";
  if (s.cache.enabled()) {
    d += "cache " + std::to_string(s.cache.capacity()) + " entries, " +
         format_ttl(s.options.cache_ttl) + ")";
  } else {
    d += "no cache)";
  }
  return d;
}

CustomerStoreStats RedisCustomerStore::stats() const {
  const Shared& s = *shared_;
  CustomerStoreStats out;
  out.lookups = s.lookups.load(kRelaxed);
  out.cache_hits = s.cache_hits.load(kRelaxed);
  out.redis_hits = s.redis_hits.load(kRelaxed);
  out.not_found = s.not_found.load(kRelaxed);
  out.degraded = s.degraded.load(kRelaxed);
  out.write_backs = s.write_backs.load(kRelaxed);
  out.write_backs_unknown = s.write_backs_unknown.load(kRelaxed);
  out.write_back_failures = s.write_back_failures.load(kRelaxed);
  out.malformed_fields = s.malformed_fields.load(kRelaxed);
  out.cache = s.cache.stats();
  return out;
}

}  // namespace router::adapters::redis
