// routerd's Redis side: connections, journal, lease, follower; the journal's loads. See
// redis_parts.h.
#include "tools/routerd/redis_parts.h"

#include <spdlog/spdlog.h>

#include <future>
#include <thread>

#include "engine/log_text.h"

namespace router::routerd {

namespace config = adapters::config;
namespace ports = adapters::ports;
namespace redis = adapters::redis;

namespace {
// The change feed's length (about: XADD MAXLEN ~). The standby reads it every 250 ms, so this
// is the writes it may fall behind by (a pause, a reconnect) before it must reload: 10 s at
// 10,000 journal writes a second.
constexpr size_t kChangeFeedMax = 100'000;
}  // namespace

RedisParts::RedisParts(const config::RedisSettings& settings, asio::io_context& io,
                       const std::string& instance, size_t max_threads) {
  redis::ClientOptions o;
  o.host = settings.host;
  o.port = settings.port;
  o.database = settings.database;
  o.password = settings.password;
  o.connect_timeout = settings.connect_timeout;
  o.reconnect_min = settings.reconnect_min;
  o.reconnect_max = settings.reconnect_max;
  o.probe_interval = settings.probe_interval;
  o.probe_timeout = settings.probe_timeout;
  o.probe_failures = settings.probe_failures;
  o.sentinels = settings.sentinels;  // under Sentinel: every connection asks for the primary
  o.sentinel_master = settings.sentinel_master;
  o.sentinel_password = settings.sentinel_password;
  o.name = "customers";
  customers = std::make_unique<redis::Client>(io, o);
  if (settings.journal) {
    o.name = "journal";
    // A PING queued behind the WAIT in flight waits up to wait_timeout for its answer.
    if (settings.wait_replicas > 0) o.probe_timeout += settings.wait_timeout;
    journal_client = std::make_unique<redis::Client>(io, o);
    redis::JournalOptions j;
    j.key_prefix = settings.key_prefix;
    j.timeout = settings.journal_timeout;
    j.finished_ttl = settings.finished_ttl;
    j.history_max = settings.history_max;
    j.wait_replicas = settings.wait_replicas;
    j.wait_timeout = settings.wait_timeout;
    j.max_threads = max_threads;  // daemon.max_email_threads: the thread index's bound
    // A warm standby follows the feed; every process of a pair writes it while active.
    const bool warm = settings.lease && !settings.lease->cold_standby;
    if (warm) j.change_feed_max = kChangeFeedMax;
    journal = std::make_unique<redis::RedisJournal>(*journal_client, j);
    if (warm) {
      redis::FollowerOptions f;
      f.key_prefix = settings.key_prefix;
      follower = std::make_unique<redis::JournalFollower>(*journal_client, f);
    }
  }
  if (settings.lease && journal) {
    o.name = "lease";
    o.probe_timeout = settings.probe_timeout;  // not the journal's WAIT allowance
    // A renewal answered later than a quarter of the TTL is no use: the probe finds a silent
    // server sooner than the default would.
    o.probe_interval = std::min(o.probe_interval, settings.lease->renew);
    lease_loop = std::make_unique<EngineLoop>();
    lease_client = std::make_unique<redis::Client>(lease_loop->io(), o);
    redis::LeaseOptions l;
    l.key_prefix = settings.key_prefix;
    l.instance = instance;
    l.ttl = settings.lease->ttl;
    l.renew = settings.lease->renew;
    // A standby whose copy still loads (a process restarted just now) lets a warm one take the
    // lease first: it bids one TTL after the lease lapsed (docs/availability.md).
    if (follower) l.defer_unprepared = settings.lease->ttl;
    lease = std::make_unique<redis::RedisLease>(lease_loop->io(), *lease_client, l);
  }
}

void RedisParts::start() {
  customers->start();
  if (journal_client) journal_client->start();
  if (lease_loop) lease_loop->start();
  if (lease_client) lease_client->start();
}

void RedisParts::stop() {
  if (stopped) return;
  stopped = true;
  if (follower) follower->stop();
  customers->stop();
  if (journal_client) journal_client->stop();
  if (lease) {
    auto released = std::make_shared<std::promise<void>>();
    lease->release([released] { released->set_value(); });
    released->get_future().wait_for(std::chrono::seconds(1));
    lease_client->stop();
    lease_loop->stop();  // runs the client's stop, then joins
  }
}

namespace {

redis::CustomerStoreOptions customer_store_options(const config::RedisSettings& redis,
                                                   const engine::SegmentThresholds& segments) {
  redis::CustomerStoreOptions o;
  o.key_prefix = redis.key_prefix;
  o.lookup_timeout = redis.lookup_timeout;
  o.cache_entries = redis.cache_entries;
  o.cache_ttl = redis.cache_ttl;
  o.segments = segments;
  return o;
}

}  // namespace

std::unique_ptr<ports::CustomerLookup> redis_customers(const config::RoutingModel& m,
                                                       RedisParts& parts) {
  return std::make_unique<redis::RedisCustomerStore>(
      *parts.customers, customer_store_options(*m.redis, m.daemon.segments));
}

engine::Result<std::vector<v1::JournalEntry>> load_journal(redis::RedisJournal& journal,
                                                           const std::string& address,
                                                           std::chrono::milliseconds wait,
                                                           const std::atomic<bool>* abort) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::string last_error = "not connected";
  bool said = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (abort != nullptr && abort->load()) {
      last_error = "routerd is stopping";
      break;
    }
    if (!journal.available()) {
      if (!said) {
        spdlog::info("event=waiting_for_redis address={} purpose=journal wait_ms={}", address,
                     wait.count());
        said = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    auto promise = std::make_shared<std::promise<absl::StatusOr<std::vector<v1::JournalEntry>>>>();
    auto future = promise->get_future();
    journal.load([promise](absl::StatusOr<std::vector<v1::JournalEntry>> r) {
      promise->set_value(std::move(r));
    });
    auto r = future.get();
    if (r.ok()) return std::move(r).value();
    last_error = std::string(r.status().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(abort != nullptr ? 20 : 100));
  }
  return engine::failed_precondition("redis.address: cannot load the interaction journal from " +
                                     address + " within " + std::to_string(wait.count()) + " ms (" +
                                     last_error + ")");
}

ports::SessionJournal load_sessions(redis::RedisJournal& journal) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<ports::SessionJournal>>>();
  auto future = promise->get_future();
  journal.load_sessions(
      [promise](absl::StatusOr<ports::SessionJournal> r) { promise->set_value(std::move(r)); });
  auto r = future.get();
  if (r.ok()) return std::move(r).value();
  spdlog::error("event=journal_sessions_unreadable error={} effect=\"agents must log in again\"",
                engine::log_text(std::string(r.status().message())));
  return {};
}

engine::Result<TakeoverJournal> takeover_journal(RedisParts& parts, const std::string& address,
                                                 std::chrono::milliseconds wait,
                                                 const std::atomic<bool>* abort) {
  TakeoverJournal out;
  if (parts.follower) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<redis::WarmJournal>>>();
    auto future = promise->get_future();
    parts.follower->take(
        [promise](absl::StatusOr<redis::WarmJournal> r) { promise->set_value(std::move(r)); });
    auto r = future.get();
    if (r.ok()) {
      out.entries = std::move(r->entries);
      out.sessions = std::move(r->sessions);
      out.warm = true;
      out.changes = r->changes;
      return out;
    }
    out.cold_why = std::string(r.status().message());
  } else {
    out.cold_why = "redis.lease.cold_standby";
  }
  auto entries = load_journal(*parts.journal, address, wait, abort);
  if (!entries.ok()) return entries.error();
  out.entries = std::move(entries).value();
  out.sessions = load_sessions(*parts.journal);
  return out;
}

}  // namespace router::routerd
