// Durability under faults, with the real routerd binary and a real redis-server (AOF on):
// routerd killed with SIGKILL holding 10,000 queued interactions, and Redis killed with SIGKILL
// and restarted while gateways keep submitting. The contract (docs/redis.md): every
// interaction that was answered OK is recovered, in its original order, exactly once.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

std::string redis_address(const RedisServer& redis) {
  return "127.0.0.1:" + std::to_string(redis.port());
}

struct Node {
  explicit Node(const std::string& redis)
      : address("127.0.0.1:" + std::to_string(free_port())),
        files(redis_center(redis, /*no_journal=*/false, address)) {}
  std::unique_ptr<RouterdProcess> start() {
    auto process = std::make_unique<RouterdProcess>(
        files, address, std::vector<std::string>{"--log-level", "warn", "--redis-wait", "60"});
    const bool serving = wait_serving(clients, *process, 120s);
    INFO("routerd log:\n" << process->log());
    REQUIRE(serving);
    return process;
  }
  std::string address;
  CenterFiles files;
  Clients clients{address};
};

TEST_CASE(
    "routerd killed with SIGKILL holding 10,000 queued interactions: the restarted routerd has "
    "all 10,000 back in their original order, no duplicates, and repeats replay the originals",
    "[fault][journal]") {
  RedisServer redis;
  Node node(redis_address(redis));
  auto routerd = node.start();

  constexpr int kCount = 10'000;
  const auto codes = submit_all(node.clients, "k-", kCount, 4);
  REQUIRE(std::count(codes.begin(), codes.end(), grpc::StatusCode::OK) == kCount);
  const auto before = waiting_by_queue(node.clients);

  routerd->signal(SIGKILL);
  REQUIRE(routerd->wait_exit(10s) == 128 + SIGKILL);
  routerd = node.start();

  const auto after = waiting_by_queue(node.clients);
  std::set<std::string> ids;
  size_t total = 0;
  for (const auto& [queue, list] : after) {
    INFO("queue " << queue);
    CHECK(list == before.at(queue));  // same interactions, same order, same arrival times
    for (const auto& line : list) ids.insert(line.substr(0, line.find('@')));
    total += list.size();
  }
  CHECK(total == kCount);
  CHECK(ids.size() == kCount);  // no duplicates

  std::vector<char> replayed;
  const auto again = submit_all(node.clients, "k-", kCount, 4, &replayed);
  CHECK(std::count(again.begin(), again.end(), grpc::StatusCode::OK) == kCount);
  CHECK(std::count(replayed.begin(), replayed.end(), 1) == kCount);
  CHECK(waiting_by_queue(node.clients) == before);
}

TEST_CASE(
    "Redis killed with SIGKILL and restarted (AOF) while gateways submit: not one interaction "
    "that was answered OK is lost, and the restarted routerd recovers every one",
    "[fault][journal]") {
  RedisServer redis;
  Node node(redis_address(redis));
  auto routerd = node.start();

  std::mutex mu;
  std::set<std::string> acknowledged;
  std::map<std::string, int> refused;  // status code name → count
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::vector<std::thread> gateways;
  for (int t = 0; t < 2; ++t) {
    gateways.emplace_back([&] {
      while (!stop) {
        const int i = next++;
        auto r = node.clients.submit(nth("a-", i));
        std::lock_guard lock(mu);
        if (r.ok()) {
          acknowledged.insert("a-" + std::to_string(i));
        } else {
          ++refused[code_name(r.code())];
        }
      }
    });
  }
  auto acked = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };
  REQUIRE(eventually([&] { return acked() >= 300; }, 60s));
  redis.kill();
  std::this_thread::sleep_for(300ms);  // gateways keep trying: refused, never OK
  redis.restart();
  const size_t at_restart = acked();
  REQUIRE(eventually([&] { return acked() >= at_restart + 300; }, 60s));
  stop = true;
  for (auto& t : gateways) t.join();
  {
    std::lock_guard lock(mu);
    INFO("refused while Redis was away: " << refused.size() << " kinds");
    CHECK(refused.count("UNAVAILABLE") == 1);  // the outage was seen
    CHECK(refused.size() == 1);                // and only as UNAVAILABLE
  }

  routerd->signal(SIGKILL);
  REQUIRE(routerd->wait_exit(10s) == 128 + SIGKILL);
  routerd = node.start();
  std::set<std::string> recovered;
  for (const auto& [queue, list] : waiting_by_queue(node.clients)) {
    for (const auto& line : list) recovered.insert(line.substr(0, line.find('@')));
  }
  std::vector<std::string> lost;
  for (const auto& id : acknowledged) {
    if (!recovered.count(id)) lost.push_back(id);
  }
  INFO("acknowledged " << acknowledged.size() << ", recovered " << recovered.size());
  CHECK(lost.empty());
  // Recovered but never acknowledged: an append Redis took whose answer was lost in the kill.
  // Allowed by the contract (a retry would have adopted it); expected to be rare.
  CHECK(recovered.size() - (acknowledged.size() - lost.size()) <= 2);
}

}  // namespace
}  // namespace router::it
