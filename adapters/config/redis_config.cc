// The redis section of the routing configuration (RoutingConfig.redis): address or Sentinel,
// timeouts, the liveness probe, the lease and WAIT, checked and resolved. See redis_config.h.
#include "adapters/config/redis_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

namespace router::adapters::config {
namespace {

using engine::Error;

class RedisResolver {
 public:
  explicit RedisResolver(const std::string& source) : source_(source) {}

  // "host:port" with a port of 1..65535, into host and port.
  std::optional<Error> host_port(const std::string& field, const std::string& address,
                                 std::string& host, int& port) const {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
      return fail(field, "must be host:port, got '" + address + "'");
    }
    const std::string digits = address.substr(colon + 1);
    if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(digits) < 1 || std::stoi(digits) > 65535) {
      return fail(field, "port must be 1..65535, got '" + digits + "'");
    }
    host = address.substr(0, colon);
    port = std::stoi(digits);
    return std::nullopt;
  }

  std::optional<Error> redis(const v1::Redis& r, RedisSettings& out) const {
    if (r.sentinels().empty()) {
      if (r.address().empty()) return fail("redis.address", "required (host:port)");
      if (auto e = host_port("redis.address", r.address(), out.host, out.port)) return e;
    } else if (!r.address().empty()) {
      return fail("redis.address",
                  "set address or sentinels, not both (with sentinels the primary's address "
                  "comes from them)");
    }
    if (auto e = redis_sentinel(r, out)) return e;
    if (r.database() > 15) return fail("redis.database", "must be 0..15");
    out.database = static_cast<int>(r.database());
    if (!r.password().empty() && !r.password_env().empty()) {
      return fail("redis.password", "set password or password_env, not both");
    }
    out.password = r.password();
    if (!r.password_env().empty()) {
      const char* v = std::getenv(r.password_env().c_str());
      if (v == nullptr || *v == '\0') {
        return fail("redis.password_env",
                    "environment variable " + r.password_env() + " is not set");
      }
      out.password = v;
    }
    if (!r.key_prefix().empty()) out.key_prefix = r.key_prefix();
    if (out.key_prefix.size() > 64 ||
        out.key_prefix.find_first_of(" \t\r\n") != std::string::npos) {
      return fail("redis.key_prefix", "must be at most 64 characters without spaces");
    }
    struct Limit {
      double value;
      const char* field;
      double max;
      double scale;  // to milliseconds
      engine::Duration* out;
    };
    const Limit limits[] = {
        {r.connect_timeout_ms(), "redis.connect_timeout_ms", 60'000, 1, &out.connect_timeout},
        {r.lookup_timeout_ms(), "redis.lookup_timeout_ms", 60'000, 1, &out.lookup_timeout},
        {r.journal_timeout_ms(), "redis.journal_timeout_ms", 60'000, 1, &out.journal_timeout},
        {r.reconnect_min_ms(), "redis.reconnect_min_ms", 60'000, 1, &out.reconnect_min},
        {r.reconnect_max_ms(), "redis.reconnect_max_ms", 600'000, 1, &out.reconnect_max},
        {r.cache_ttl_s(), "redis.cache_ttl_s", 86'400, 1000, &out.cache_ttl},
        {r.finished_ttl_s(), "redis.finished_ttl_s", 30 * 86'400.0, 1000, &out.finished_ttl},
    };
    for (const Limit& l : limits) {
      if (!(l.value >= 0) || l.value > l.max) {
        return fail(l.field, "must be 0.." + std::to_string(static_cast<int64_t>(l.max)));
      }
      if (l.value > 0) {
        *l.out = engine::Duration(std::max<int64_t>(1, std::llround(l.value * l.scale)));
      }
    }
    if (out.reconnect_max < out.reconnect_min) {
      return fail("redis.reconnect_max_ms", "must be ≥ reconnect_min_ms");
    }
    if (r.cache_entries() > 100'000'000) return fail("redis.cache_entries", "must be ≤ 100000000");
    if (r.has_cache_entries()) out.cache_entries = r.cache_entries();
    if (r.history_max() > 100'000'000) return fail("redis.history_max", "must be ≤ 100000000");
    if (r.has_history_max()) out.history_max = r.history_max();
    if (r.audit_retention_days() != 0) {
      if (!(r.audit_retention_days() >= 1 && r.audit_retention_days() <= 3650)) {
        return fail("redis.audit_retention_days", "must be 1..3650 (days)");
      }
      out.audit_retention = engine::Duration(std::llround(r.audit_retention_days() * 86'400'000.0));
    }
    if (r.report_retention_days() != 0) {
      if (!(r.report_retention_days() >= 1 && r.report_retention_days() <= 3650)) {
        return fail("redis.report_retention_days", "must be 1..3650 (days)");
      }
      out.report_retention =
          engine::Duration(std::llround(r.report_retention_days() * 86'400'000.0));
    }
    if (r.has_audit_max_entries()) {
      if (r.audit_max_entries() < 1000 || r.audit_max_entries() > 100'000'000) {
        return fail("redis.audit_max_entries", "must be 1000..100000000");
      }
      out.audit_max_entries = r.audit_max_entries();
    }
    out.journal = !r.no_journal();
    if (auto e = redis_probe(r, out)) return e;
    if (auto e = redis_lease(r, out)) return e;
    if (out.wait_replicas > 0 && out.wait_timeout >= out.journal_timeout) {
      // Appends queue behind the WAIT in flight on the journal's connection.
      return fail("redis.wait_timeout_ms", "must be less than journal_timeout_ms (" +
                                               std::to_string(out.journal_timeout.count()) +
                                               ") with wait_replicas");
    }
    return std::nullopt;
  }

  // The active/standby lease (redis.lease): ttl 100..60000 ms, renew ≤ ttl / 3.
  std::optional<Error> redis_lease(const v1::Redis& r, RedisSettings& out) const {
    if (!r.has_lease()) return std::nullopt;
    const v1::Lease& l = r.lease();
    if (r.no_journal()) {
      return fail("redis.lease",
                  "needs the journal (redis.no_journal is set): a standby takes "
                  "over from the journal");
    }
    LeaseSettings lease;
    if (l.ttl_ms() != 0) {
      if (!(l.ttl_ms() >= 100 && l.ttl_ms() <= 60'000)) {
        return fail("redis.lease.ttl_ms", "must be 100..60000 (milliseconds)");
      }
      lease.ttl = engine::Duration(std::llround(l.ttl_ms()));
    }
    lease.renew = lease.ttl / 4;
    if (l.renew_ms() != 0) {
      if (!(l.renew_ms() >= 10)) return fail("redis.lease.renew_ms", "must be ≥ 10 (milliseconds)");
      if (l.renew_ms() * 3 > static_cast<double>(lease.ttl.count())) {
        return fail("redis.lease.renew_ms",
                    "must be ≤ ttl_ms / 3 (" + std::to_string(lease.ttl.count() / 3) + ")");
      }
      lease.renew = engine::Duration(std::llround(l.renew_ms()));
    }
    if (l.instance().size() > 128 || l.instance().find_first_of(" \t\r\n") != std::string::npos) {
      return fail("redis.lease.instance", "must be at most 128 characters without spaces");
    }
    lease.instance = l.instance();
    lease.cold_standby = l.cold_standby();
    out.lease = std::move(lease);
    return std::nullopt;
  }

  // Redis under Sentinel (redis.sentinel*) and the journal's WAIT (redis.wait_*).
  std::optional<Error> redis_sentinel(const v1::Redis& r, RedisSettings& out) const {
    constexpr int kMaxSentinels = 16;
    if (r.sentinels_size() > kMaxSentinels) {
      return fail("redis.sentinels", "at most " + std::to_string(kMaxSentinels) + " addresses");
    }
    for (int i = 0; i < r.sentinels_size(); ++i) {
      const std::string field = "redis.sentinels[" + std::to_string(i) + "]";
      std::string host;
      int port = 0;
      if (auto e = host_port(field, r.sentinels(i), host, port)) return e;
      out.sentinels.push_back(r.sentinels(i));
    }
    if (r.sentinels().empty()) {
      for (const auto& [value, field] :
           {std::pair{&r.sentinel_master(), "redis.sentinel_master"},
            std::pair{&r.sentinel_password(), "redis.sentinel_password"},
            std::pair{&r.sentinel_password_env(), "redis.sentinel_password_env"}}) {
        if (!value->empty()) return fail(field, "only with redis.sentinels");
      }
    } else {
      if (r.sentinel_master().empty()) {
        return fail("redis.sentinel_master", "required with redis.sentinels");
      }
      if (r.sentinel_master().size() > 128 ||
          r.sentinel_master().find_first_of(" \t\r\n") != std::string::npos) {
        return fail("redis.sentinel_master", "must be at most 128 characters without spaces");
      }
      out.sentinel_master = r.sentinel_master();
    }
    if (!r.sentinel_password().empty() && !r.sentinel_password_env().empty()) {
      return fail("redis.sentinel_password",
                  "set sentinel_password or sentinel_password_env, "
                  "not both");
    }
    out.sentinel_password = r.sentinel_password();
    if (!r.sentinel_password_env().empty()) {
      const char* v = std::getenv(r.sentinel_password_env().c_str());
      if (v == nullptr || *v == '\0') {
        return fail("redis.sentinel_password_env",
                    "environment variable " + r.sentinel_password_env() + " is not set");
      }
      out.sentinel_password = v;
    }
    if (r.wait_replicas() > 10) return fail("redis.wait_replicas", "must be 0..10");
    out.wait_replicas = static_cast<int>(r.wait_replicas());
    if (r.wait_timeout_ms() != 0 && !(r.wait_timeout_ms() >= 1 && r.wait_timeout_ms() <= 10'000)) {
      return fail("redis.wait_timeout_ms", "must be 1..10000 (milliseconds)");
    }
    if (r.wait_timeout_ms() > 0) {
      out.wait_timeout = engine::Duration(std::max<int64_t>(1, std::llround(r.wait_timeout_ms())));
    }
    if (out.wait_replicas > 0 && r.no_journal()) {
      return fail("redis.wait_replicas", "has nothing to wait for with redis.no_journal");
    }
    return std::nullopt;
  }

  // The liveness probe (redis.probe_*): 10 ms..10 s each, 1..10 misses in a row.
  std::optional<Error> redis_probe(const v1::Redis& r, RedisSettings& out) const {
    const std::pair<double, const char*> times[] = {
        {r.probe_interval_ms(), "redis.probe_interval_ms"},
        {r.probe_timeout_ms(), "redis.probe_timeout_ms"}};
    for (const auto& [value, field] : times) {
      if (value != 0 && !(value >= 10 && value <= 10'000)) {
        return fail(field, "must be 10..10000 (milliseconds)");
      }
    }
    if (r.probe_interval_ms() > 0) {
      out.probe_interval = engine::Duration(std::llround(r.probe_interval_ms()));
    }
    if (r.probe_timeout_ms() > 0) {
      out.probe_timeout = engine::Duration(std::llround(r.probe_timeout_ms()));
    }
    if (r.has_probe_failures()) {
      if (r.probe_failures() < 1 || r.probe_failures() > 10) {
        return fail("redis.probe_failures", "must be 1..10");
      }
      out.probe_failures = static_cast<int>(r.probe_failures());
    }
    return std::nullopt;
  }

 private:
  Error fail(const std::string& path, const std::string& what) const {
    return engine::invalid_argument(source_ + ": " + path + ": " + what);
  }
  const std::string& source_;
};

}  // namespace

std::optional<engine::Error> resolve_redis(const std::string& source, const v1::Redis& r,
                                           RedisSettings& out) {
  return RedisResolver(source).redis(r, out);
}

}  // namespace router::adapters::config
