// Redis paused with SIGSTOP (it keeps its connections and answers nothing) while a gateway
// submits ~10/s, with the real routerd binary and a real redis-server (AOF on). Health must tell
// the truth within 2 s each way, and no submit answered with an error may come back after a
// restart (docs/redis.md, "Health and late writes"). The pause lasts ROUTER_FAULT_PAUSE_S
// seconds (default 30, as the issue that found this measured).
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::seconds pause_length() {
  const char* v = std::getenv("ROUTER_FAULT_PAUSE_S");
  const int s = v != nullptr ? std::atoi(v) : 0;
  return std::chrono::seconds(s > 0 ? s : 30);
}

struct Sample {
  Clock::time_point at;
  int health;  // kServing, kNotServing, or -1: the call failed
};

// The first sample at or after `from` with health `want`, if any.
std::optional<Clock::time_point> first(const std::vector<Sample>& samples, Clock::time_point from,
                                       int want) {
  for (const Sample& s : samples) {
    if (s.at >= from && s.health == want) return s.at;
  }
  return std::nullopt;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST_CASE(
    "Redis paused (SIGSTOP) while a gateway submits: health is NOT_SERVING within 2 s and SERVING "
    "within 2 s of SIGCONT, and after kill -9 and restart every OK submit is back and not one "
    "refused submit is",
    "[fault][journal][health]") {
  RedisServer redis;
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CenterFiles files(redis_center("127.0.0.1:" + std::to_string(redis.port()), false, address));
  Clients clients(address);
  auto start = [&] {
    auto process = std::make_unique<RouterdProcess>(
        files, address, std::vector<std::string>{"--log-level", "warn", "--redis-wait", "60"});
    const bool serving = wait_serving(clients, *process, 60s);
    INFO("routerd log:\n" << process->log());
    REQUIRE(serving);
    return process;
  };
  auto routerd = start();

  // The gateway: submit i is due at t0 + i × 100 ms; 8 threads so that submits waiting for the
  // journal's timeout do not hold the others back.
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::map<std::string, std::string> refused;  // id → status code name
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  const Clock::time_point t0 = Clock::now();
  std::vector<std::thread> gateway;
  for (int t = 0; t < 8; ++t) {
    gateway.emplace_back([&] {
      while (!stop) {
        const int i = next++;
        std::this_thread::sleep_until(t0 + i * 100ms);
        if (stop) break;
        const std::string id = "p-" + std::to_string(i);
        auto r = clients.submit(phone_call(id, "+1 212 555 " + std::to_string(1000 + i % 9000)));
        std::lock_guard lock(mu);
        if (r.ok()) {
          acknowledged.insert(id);
        } else {
          refused[id] = code_name(r.code());
        }
      }
    });
  }
  std::vector<Sample> samples;  // the sampler's own until it is joined
  std::thread sampler([&] {
    while (!stop) {
      auto h = clients.health_check("", 500ms);
      samples.push_back({Clock::now(), h.ok() ? h.value : -1});
      std::this_thread::sleep_for(200ms);
    }
  });
  auto acked = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };

  REQUIRE(eventually([&] { return acked() >= 20; }, 30s));
  const Clock::time_point paused_at = Clock::now();
  redis.pause();
  std::this_thread::sleep_for(pause_length());
  const Clock::time_point resumed_at = Clock::now();
  redis.resume();
  const size_t at_resume = acked();
  const bool recovered_submits = eventually([&] { return acked() >= at_resume + 20; }, 20s);
  stop = true;
  for (auto& t : gateway) t.join();
  sampler.join();

  const auto down = first(samples, paused_at, kNotServing);
  const auto up = first(samples, resumed_at, kServing);
  size_t serving_while_down = 0;  // samples from 2 s into the pause to its end saying SERVING
  for (const Sample& s : samples) {
    if (s.at >= paused_at + 2s && s.at < resumed_at && s.health == kServing) ++serving_while_down;
  }
  std::map<std::string, int> refused_by_code;
  for (const auto& [id, code] : refused) ++refused_by_code[code];
  for (const auto& [code, n] : refused_by_code) UNSCOPED_INFO("refused " << code << ": " << n);
  INFO("samples " << samples.size() << ", NOT_SERVING after "
                  << (down ? seconds(*down - paused_at) : -1.0) << " s, SERVING again after "
                  << (up ? seconds(*up - resumed_at) : -1.0) << " s; acknowledged "
                  << acknowledged.size() << ", refused " << refused.size());
  CHECK(down.has_value());
  CHECK((down && *down - paused_at <= 2s));
  CHECK(serving_while_down == 0);
  CHECK(up.has_value());
  CHECK((up && *up - resumed_at <= 2s));
  CHECK(recovered_submits);
  CHECK(refused.size() >= 10);  // the pause was felt by the gateway

  routerd->signal(SIGKILL);
  REQUIRE(routerd->wait_exit(10s) == 128 + SIGKILL);
  routerd = start();
  std::set<std::string> recovered;
  for (const auto& [queue, list] : waiting_by_queue(clients)) {
    for (const auto& line : list) recovered.insert(line.substr(0, line.find('@')));
  }
  std::vector<std::string> lost, ghosts;
  for (const auto& id : acknowledged) {
    if (!recovered.count(id)) lost.push_back(id);
  }
  for (const auto& [id, code] : refused) {
    if (recovered.count(id)) ghosts.push_back(id + " (" + code + ")");
  }
  INFO("recovered " << recovered.size() << "; lost: " << Catch::Detail::stringify(lost)
                    << "; ghosts: " << Catch::Detail::stringify(ghosts));
  CHECK(lost.empty());
  CHECK(ghosts.empty());
  CHECK(recovered.size() == acknowledged.size());
}

}  // namespace
}  // namespace router::it
