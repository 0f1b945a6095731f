// redis_lookup: throughput and latency of the Redis customer-lookup path (RedisCustomerStore on a
// redis::Client, as routerd builds them) against a live redis-server holding imported customers.
// Keeps K lookups in flight for D seconds, keys drawn uniformly (seeded) from a customer file,
// and reports lookups/s, found / not found / degraded counts, p50/p99 latency, and the CPU
// this process and redis-server used per lookup. bench/redis_lookup.sh runs it; see
// bench/redis_lookup.md. Not a Google Benchmark program: it measures a server, not a function.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"
#include "adapters/redis/client.h"
#include "adapters/redis/customer_store.h"

namespace {

namespace channels = router::adapters::channels;
namespace ports = router::adapters::ports;
namespace redis = router::adapters::redis;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxInflight = 100'000;
constexpr size_t kMaxLatencySamples = 50'000'000;

struct Flags {
  std::string address = "127.0.0.1:6379";
  std::string prefix = "router:";
  std::string customers;
  std::string key = "phone";
  std::string region = "US";
  size_t inflight = 64;
  double seconds = 10;
  double warmup_s = 2;
  uint64_t seed = 1;
  size_t cache_entries = 0;
  int64_t lookup_timeout_ms = 50;
};

// One lookup to issue: the keys and the customer they must find.
struct Probe {
  ports::CustomerKeys keys;
  std::string customer_id;
};

// The probes: for each customer of the file, its first key of the asked kind (customers without
// one are left out).
std::optional<std::vector<Probe>> read_probes(const Flags& flags) {
  auto phones = channels::PhoneNormalizer::make(flags.region);
  if (!phones.ok()) {
    std::fprintf(stderr, "redis_lookup: --region: %s\n", phones.error().message.c_str());
    return std::nullopt;
  }
  auto reader = channels::CustomerFileReader::open(flags.customers, *phones);
  if (!reader.ok()) {
    std::fprintf(stderr, "redis_lookup: %s\n", reader.error().message.c_str());
    return std::nullopt;
  }
  std::vector<Probe> probes;
  channels::CustomerEntry entry;
  router::engine::Error error;
  for (;;) {
    const auto step = (*reader)->next(entry, error);
    if (step == channels::CustomerFileReader::Step::kEnd) break;
    if (step == channels::CustomerFileReader::Step::kFatal) {
      std::fprintf(stderr, "redis_lookup: %s\n", error.message.c_str());
      return std::nullopt;
    }
    if (step == channels::CustomerFileReader::Step::kRejected) continue;
    Probe p;
    p.customer_id = entry.record.customer_id;
    const auto first = [](const std::vector<std::string>& v) {
      return v.empty() ? std::string() : v.front();
    };
    if (flags.key == "phone") {
      p.keys.phone_e164 = first(entry.phones);
    } else if (flags.key == "email") {
      p.keys.email = first(entry.emails);
    } else if (flags.key == "visitor") {
      p.keys.web_visitor = first(entry.web_visitors);
    } else if (flags.key == "account") {
      p.keys.web_account = first(entry.web_accounts);
    } else {
      p.keys.customer_id = entry.record.customer_id;
    }
    const bool has_key = !p.keys.phone_e164.empty() || !p.keys.email.empty() ||
                         !p.keys.web_visitor.empty() || !p.keys.web_account.empty() ||
                         !p.keys.customer_id.empty();
    if (has_key) probes.push_back(std::move(p));
  }
  return probes;
}

// redis-server's own CPU seconds (user + sys), from INFO cpu; negative when unavailable.
double server_cpu_s(redis::Client& client) {
  std::promise<double> answer;
  client.command({"INFO", "cpu"}, std::chrono::seconds(2),
                 [&answer](absl::StatusOr<redis::Reply> reply) {
                   double total = -1;
                   if (reply.ok() && reply->type == redis::Reply::Type::kString) {
                     total = 0;
                     for (const std::string_view name : {"used_cpu_user:", "used_cpu_sys:"}) {
                       const size_t at = reply->str.find(name);
                       if (at == std::string::npos) {
                         total = -1;
                         break;
                       }
                       total += std::strtod(reply->str.c_str() + at + name.size(), nullptr);
                     }
                   }
                   answer.set_value(total);
                 });
  return answer.get_future().get();
}

double own_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Keeps `inflight` lookups going on the io thread: each answer issues the next lookup. Counts
// and latencies are recorded only while `measuring` is set.
class Driver {
 public:
  Driver(asio::io_context& io, redis::RedisCustomerStore& store, const std::vector<Probe>& probes,
         uint64_t seed)
      : io_(io), store_(store), probes_(probes), rng_(seed), pick_(0, probes.size() - 1) {}

  // Io thread only.
  void launch(size_t inflight) {
    for (size_t i = 0; i < inflight; ++i) issue();
  }

  std::atomic<bool> running{true};
  std::atomic<bool> measuring{false};
  std::atomic<uint64_t> outstanding{0};
  // Io thread only while running; read by main after it has drained.
  uint64_t completed = 0;
  uint64_t found = 0;
  uint64_t wrong_customer = 0;
  uint64_t not_found = 0;
  uint64_t degraded = 0;
  std::vector<uint32_t> latency_ns;

 private:
  void issue() {
    if (!running.load(std::memory_order_relaxed)) return;
    const Probe& probe = probes_[pick_(rng_)];
    outstanding.fetch_add(1, std::memory_order_relaxed);
    const Clock::time_point start = Clock::now();
    issuing_ = true;
    store_.lookup(probe.keys, [this, &probe, start](ports::LookupResult result) {
      done(probe, start, result);
    });
    issuing_ = false;
  }

  void done(const Probe& probe, Clock::time_point start, const ports::LookupResult& result) {
    if (measuring.load(std::memory_order_relaxed)) {
      ++completed;
      if (result.degraded) {
        ++degraded;
      } else if (!result.customer) {
        ++not_found;
      } else if (result.customer->customer_id != probe.customer_id) {
        ++wrong_customer;
      } else {
        ++found;
      }
      if (latency_ns.size() < kMaxLatencySamples) {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
        latency_ns.push_back(static_cast<uint32_t>(std::min<int64_t>(ns.count(), UINT32_MAX)));
      }
    }
    outstanding.fetch_sub(1, std::memory_order_relaxed);
    // A cache hit answers inside lookup(): post rather than recurse without bound.
    if (issuing_) {
      asio::post(io_, [this] { issue(); });
    } else {
      issue();
    }
  }

  asio::io_context& io_;
  redis::RedisCustomerStore& store_;
  const std::vector<Probe>& probes_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<size_t> pick_;
  bool issuing_ = false;
};

double percentile_us(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  const size_t at = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
  return static_cast<double>(v[at]) / 1000.0;
}

int run(const Flags& flags) {
  const size_t colon = flags.address.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "redis_lookup: --redis: must be host:port\n");
    return 2;
  }
  auto probes = read_probes(flags);
  if (!probes) return 2;
  if (probes->empty()) {
    std::fprintf(stderr, "redis_lookup: no customer in %s has a %s key\n", flags.customers.c_str(),
                 flags.key.c_str());
    return 2;
  }

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  redis::ClientOptions client_options;
  client_options.name = "customers";
  client_options.host = flags.address.substr(0, colon);
  client_options.port = std::stoi(flags.address.substr(colon + 1));
  redis::Client client(io, client_options);
  redis::CustomerStoreOptions store_options;
  store_options.key_prefix = flags.prefix;
  store_options.cache_entries = flags.cache_entries;
  store_options.lookup_timeout = std::chrono::milliseconds(flags.lookup_timeout_ms);
  redis::RedisCustomerStore store(client, store_options);
  std::promise<void> up;
  bool said_up = false;
  client.on_state([&up, &said_up](bool connected) {
    if (connected && !said_up) {
      said_up = true;
      up.set_value();
    }
  });
  client.start();
  std::thread io_thread([&io] { io.run(); });
  if (up.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    std::fprintf(stderr, "redis_lookup: no connection to %s\n", flags.address.c_str());
    client.stop();
    work.reset();
    io.stop();
    io_thread.join();
    return 2;
  }

  Driver driver(io, store, *probes, flags.seed);
  driver.latency_ns.reserve(std::min<size_t>(
      kMaxLatencySamples, static_cast<size_t>(flags.seconds * 1'000'000)));  // ~1M lookups/s
  asio::post(io, [&driver, k = flags.inflight] { driver.launch(k); });
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.warmup_s));

  const redis::CustomerStoreStats stats_before = store.stats();
  const double server_before = server_cpu_s(client);
  const double own_before = own_cpu_s();
  const Clock::time_point t0 = Clock::now();
  driver.measuring.store(true);
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.seconds));
  driver.measuring.store(false);
  const Clock::time_point t1 = Clock::now();
  const double own_after = own_cpu_s();
  const double server_after = server_cpu_s(client);
  const redis::CustomerStoreStats stats_after = store.stats();

  driver.running.store(false);
  const Clock::time_point drain_deadline = Clock::now() + std::chrono::seconds(5);
  while (driver.outstanding.load() != 0 && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  client.stop();
  {
    std::promise<void> flushed;
    asio::post(io, [&flushed] { flushed.set_value(); });
    flushed.get_future().wait_for(std::chrono::seconds(2));
  }
  work.reset();
  io.stop();
  io_thread.join();

  const double elapsed = std::chrono::duration<double>(t1 - t0).count();
  const double n = static_cast<double>(driver.completed);
  const double rate = n / elapsed;
  const double own_us = n > 0 ? (own_after - own_before) / n * 1e6 : 0;
  const double server_us =
      n > 0 && server_before >= 0 ? (server_after - server_before) / n * 1e6 : -1;
  const double server_util = server_before >= 0 ? (server_after - server_before) / elapsed : -1;
  const double p50 = percentile_us(driver.latency_ns, 0.50);
  const double p99 = percentile_us(driver.latency_ns, 0.99);
  const uint64_t cache_hits = stats_after.cache_hits - stats_before.cache_hits;
  const bool ok = driver.degraded == 0 && driver.not_found == 0 && driver.wrong_customer == 0 &&
                  driver.completed > 0;

  std::printf(
      "key=%s inflight=%zu cache_entries=%zu seconds=%.2f lookups=%llu lookups_per_s=%.0f "
      "found=%llu not_found=%llu degraded=%llu wrong_customer=%llu cache_hits=%llu "
      "p50_us=%.1f p99_us=%.1f client_cpu_us_per_lookup=%.2f server_cpu_us_per_lookup=%.2f "
      "server_cpu_util=%.2f probes=%zu result=%s\n",
      flags.key.c_str(), flags.inflight, flags.cache_entries, elapsed,
      static_cast<unsigned long long>(driver.completed), rate,
      static_cast<unsigned long long>(driver.found),
      static_cast<unsigned long long>(driver.not_found),
      static_cast<unsigned long long>(driver.degraded),
      static_cast<unsigned long long>(driver.wrong_customer),
      static_cast<unsigned long long>(cache_hits), p50, p99, own_us, server_us, server_util,
      probes->size(), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "redis_lookup: RedisCustomerStore lookups against a live Redis, K in flight for D seconds"};
  Flags flags;
  app.add_option("--redis", flags.address, "Redis HOST:PORT")->capture_default_str();
  app.add_option("--prefix", flags.prefix, "key prefix of the import")->capture_default_str();
  app.add_option("--customers", flags.customers,
                 "the customer file that was imported (.jsonl or .csv); keys are drawn from it");
  bool print_script = false;
  app.add_flag("--print-lookup-script", print_script,
               "print the store's lookup script (for SCRIPT LOAD and redis-benchmark) and exit");
  app.add_option("--key", flags.key, "key each lookup carries")
      ->check(CLI::IsMember({"phone", "email", "visitor", "account", "id"}))
      ->capture_default_str();
  app.add_option("--region", flags.region, "default phone region of the import")
      ->capture_default_str();
  app.add_option("--inflight", flags.inflight, "lookups kept in flight (K)")
      ->check(CLI::Range(size_t{1}, kMaxInflight))
      ->capture_default_str();
  app.add_option("--seconds", flags.seconds, "measured duration (D)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", flags.warmup_s, "seconds run before measuring")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--seed", flags.seed, "seed of the key draw")->capture_default_str();
  app.add_option("--cache-entries", flags.cache_entries,
                 "the store's cache (0: every lookup goes to Redis; routerd's default 100000)")
      ->capture_default_str();
  app.add_option("--lookup-timeout-ms", flags.lookup_timeout_ms,
                 "lookup_timeout: slower lookups are degraded (a failure here)")
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (print_script) {
    std::fputs(redis::RedisCustomerStore::lookup_script().source().c_str(), stdout);
    return 0;
  }
  if (flags.customers.empty()) {
    std::fprintf(stderr, "redis_lookup: --customers is required\n");
    return 2;
  }
  return run(flags);
}
