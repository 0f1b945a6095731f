// Active and standby with the real routerd binary: two routerd on one configuration file and one
// redis-server (lease ttl 300 ms, renewed every 75 ms). Exactly one serves; kill -9 of the active
// hands over to the standby with every waiting interaction and a fencing token one higher; an
// active stopped (SIGSTOP) past its lease serves nothing and writes nothing when it wakes, and
// comes back as a standby (docs/availability.md, "Active and standby").
#include <hiredis/hiredis.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

// Whether every thread of process `pid` is stopped (state T in /proc/<pid>/task/*/stat). kill()
// returns before a SIGSTOP has stopped anything: on a loaded machine the process runs on until
// one of its threads is scheduled to take the signal and stop the others.
bool all_threads_stopped(pid_t pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  size_t seen = 0;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');  // the name may hold spaces and parentheses
    if (close == std::string::npos || close + 2 >= stat.size()) return false;
    const char state = stat[close + 2];
    if (state != 'T' && state != 't') return false;
    ++seen;
  }
  return !ec && seen > 0;
}

using Clock = std::chrono::steady_clock;

constexpr char kLease[] = "  lease: {ttl_ms: 300, renew_ms: 75}\n";

// One synchronous command on a fresh hiredis connection (the test's own look at Redis).
struct RedisLook {
  explicit RedisLook(int port) : port(port) {}
  redisReply* run(const char* format, const std::string& arg) const {
    redisContext* c = redisConnect("127.0.0.1", port);
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
    auto* r = static_cast<redisReply*>(redisCommand(c, format, arg.c_str()));
    redisFree(c);
    REQUIRE(r != nullptr);
    return r;
  }
  std::string get(const std::string& key) const {
    redisReply* r = run("GET %s", key);
    std::string out = r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    return out;
  }
  std::vector<std::string> keys(const std::string& pattern) const {
    redisReply* r = run("KEYS %s", pattern);
    std::vector<std::string> out;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
      out.emplace_back(r->element[i]->str, r->element[i]->len);
    }
    freeReplyObject(r);
    return out;
  }
  // The journal as Redis holds it: every interaction hash, the live set and the sequence.
  std::map<std::string, std::string> journal() const {
    std::map<std::string, std::string> out;
    auto flat = [](redisReply* r) {
      std::string text;
      for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        text.append(r->element[i]->str, r->element[i]->len).push_back('\n');
      }
      freeReplyObject(r);
      return text;
    };
    for (const auto& key : keys("router:ix:*")) out[key] = flat(run("HGETALL %s", key));
    out["router:live"] = flat(run("ZRANGE %s 0 -1 WITHSCORES", "router:live"));
    out["router:seq"] = get("router:seq");
    return out;
  }
  int port;
};

// A pair of routerd on one configuration: east-1 and east-2, each on its own port.
struct Pair {
  explicit Pair(const RedisServer& redis, const std::string& lease = kLease)
      : files(redis_center("127.0.0.1:" + std::to_string(redis.port()))), look(redis.port()) {
    files.write_config(files.read_config() + lease);
  }
  std::unique_ptr<RouterdProcess> start(const std::string& instance, const std::string& address) {
    return std::make_unique<RouterdProcess>(
        files, address,
        std::vector<std::string>{"--instance", instance, "--log-level", "info", "--redis-wait",
                                 "30"});
  }
  // Health as one word: SERVING, NOT_SERVING, or the call's error.
  static std::string health(Clients& clients) {
    auto h = clients.health_check("", 300ms);
    if (!h.ok()) return code_name(h.code());
    return h.value == kServing ? "SERVING" : h.value == kNotServing ? "NOT_SERVING" : "?";
  }
  static bool health_is(Clients& clients, const std::string& want, Millis timeout) {
    return eventually([&] { return health(clients) == want; }, timeout);
  }
  std::string log_of(const RouterdProcess& p) const { return p.log(); }

  CenterFiles files;
  RedisLook look;
  const std::string address_1 = "127.0.0.1:" + std::to_string(free_port());
  const std::string address_2 = "127.0.0.1:" + std::to_string(free_port());
  Clients clients_1{address_1};
  Clients clients_2{address_2};
};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST_CASE(
    "two routerd on one configuration: one serves and the other answers UNAVAILABLE and kill -9 "
    "of the active hands every waiting interaction to the standby within 2 s",
    "[fault][lease]") {
  // Warm (the default): the standby follows the change feed; cold: it loads the journal.
  const bool cold = GENERATE(false, true);
  INFO((cold ? "cold_standby" : "warm standby"));
  RedisServer redis;
  Pair pair(redis, cold ? "  lease: {ttl_ms: 300, renew_ms: 75, cold_standby: true}\n" : kLease);
  auto one = pair.start("east-1", pair.address_1);
  INFO("routerd log:\n" << one->log());
  REQUIRE(wait_serving(pair.clients_1, *one, 30s));
  auto two = pair.start("east-2", pair.address_2);
  REQUIRE(Pair::health_is(pair.clients_2, "NOT_SERVING", 30s));
  CHECK(Pair::health(pair.clients_1) == "SERVING");
  CHECK(pair.look.get("router:lease") == "east-1 1");
  CHECK(pair.look.get("router:fence") == "1");

  // The standby answers every call UNAVAILABLE, naming the active.
  auto refused = pair.clients_2.submit(phone_call("to-standby", "+1 212 555 0001"));
  CHECK(refused.code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THAT(refused.message(), Catch::Contains("standby: the active routerd is east-1"));
  CHECK(pair.clients_2.queue_stats("phone-support") == std::nullopt);

  constexpr int kWaiting = 60;
  for (int i = 0; i < kWaiting; ++i) {
    auto r = pair.clients_1.submit(
        phone_call("w-" + std::to_string(i), "+1 212 555 " + std::to_string(1000 + i)));
    REQUIRE(r.ok());
  }
  const auto before = waiting_by_queue(pair.clients_1);

  one->signal(SIGKILL);
  const auto killed = Clock::now();
  REQUIRE(one->wait_exit(10s) == 128 + SIGKILL);
  REQUIRE(Pair::health_is(pair.clients_2, "SERVING", 5s));
  const double took_ms = ms(Clock::now() - killed);
  std::printf("failover: kill -9 of the active to the standby SERVING: %.0f ms\n", took_ms);
  std::fflush(stdout);
  CHECK(took_ms < 2000);

  CHECK(waiting_by_queue(pair.clients_2) == before);  // same ids, order and arrival times
  CHECK(pair.look.get("router:fence") == "2");        // the token grew at the takeover
  CHECK(pair.look.get("router:lease") == "east-2 2");
  auto after = pair.clients_2.submit(phone_call("after", "+1 212 555 0002"));
  CHECK(after.ok());
  const std::string log = two->log();
  INFO(log);
  CHECK(count_of(log, "event=takeover instance=east-2 token=2") == 1);
  const size_t at = log.find("event=takeover instance=east-2 token=2");
  REQUIRE(at != std::string::npos);
  const std::string takeover = log.substr(at, log.find('\n', at) - at);
  INFO(takeover);
  if (cold) {
    CHECK_THAT(takeover, Catch::Contains("recovered=60 warm=false changes=0 "
                                         "cold_why=redis.lease.cold_standby"));
    CHECK(pair.look.keys("router:changes").empty());  // no feed written
  } else {
    // The 60 submits reached the standby's copy through the feed (it loaded before them, or
    // while they came): no load at the takeover.
    CHECK_THAT(takeover, Catch::Contains("recovered=60 warm=true changes="));
    CHECK_THAT(takeover, !Catch::Contains("changes=0"));
  }
}

TEST_CASE(
    "a takeover whose recovery holds the engine's loop longer than the lease's validity keeps "
    "the lease: renewals run on a thread of their own",
    "[fault][lease]") {
  RedisServer redis;
  // Valid 80 ms after a renewal (ttl − ttl / 5); recovering 20,000 interactions takes
  // more than twice that in a Release build (214 ms measured; more under ASan).
  Pair pair(redis, "  lease: {ttl_ms: 100, renew_ms: 25}\n");
  auto one = pair.start("east-1", pair.address_1);
  REQUIRE(wait_serving(pair.clients_1, *one, 30s));
  auto two = pair.start("east-2", pair.address_2);
  REQUIRE(Pair::health_is(pair.clients_2, "NOT_SERVING", 30s));
  constexpr int kCount = 20'000;
  const auto codes = submit_all(pair.clients_1, "r-", kCount, 4);
  REQUIRE(std::count(codes.begin(), codes.end(), grpc::StatusCode::OK) == kCount);

  one->signal(SIGKILL);
  REQUIRE(one->wait_exit(10s) == 128 + SIGKILL);
  REQUIRE(Pair::health_is(pair.clients_2, "SERVING", 20s));
  std::this_thread::sleep_for(1s);  // many renewals later
  const std::string log = two->log();
  const size_t at = log.find("event=takeover instance=east-2 token=2");
  INFO(log.substr(0, 4000));
  REQUIRE(at != std::string::npos);
  const std::string takeover = log.substr(at, log.find('\n', at) - at);
  std::printf("failover: %s\n", takeover.c_str());
  std::fflush(stdout);
  const int took_ms = std::stoi(takeover.substr(takeover.find("took_ms=") + 8));
  CHECK(took_ms > 80);  // the recovery did outlast the validity: the case this test is about
  CHECK_THAT(takeover, Catch::Contains("recovered=20000"));
  CHECK(count_of(log, "event=lease_lost") == 0);
  CHECK(count_of(log, "event=deposed") == 0);
  CHECK(pair.look.get("router:fence") == "2");  // no takeover after it
  CHECK(pair.look.get("router:lease") == "east-2 2");
  CHECK(Pair::health(pair.clients_2) == "SERVING");
  size_t waiting = 0;
  for (const auto& [queue, list] : waiting_by_queue(pair.clients_2)) waiting += list.size();
  CHECK(waiting == kCount);
}

TEST_CASE(
    "an active stopped with SIGSTOP past its lease serves nothing and writes nothing when it "
    "wakes and comes back as a standby that takes over again when the new active dies",
    "[fault][lease]") {
  RedisServer redis;
  Pair pair(redis);
  auto one = pair.start("east-1", pair.address_1);
  INFO("routerd log:\n" << one->log());
  REQUIRE(wait_serving(pair.clients_1, *one, 30s));
  auto two = pair.start("east-2", pair.address_2);
  REQUIRE(Pair::health_is(pair.clients_2, "NOT_SERVING", 30s));

  // An offer pending on the active (phone-support's offer timeout is 1 s): when the stopped
  // process wakes, its overdue timer requeues it, a journal write the fence must refuse.
  AgentDesk ana(pair.clients_1, "ana");
  REQUIRE(ana.set_ready().ok());
  REQUIRE(pair.clients_1.submit(phone_call("offered", "+1 212 555 0100")).ok());
  REQUIRE(ana.wait_offer("offered").has_value());

  one->signal(SIGSTOP);
  REQUIRE(eventually([&] { return all_threads_stopped(one->pid()); }, 5s));
  const auto stopped = Clock::now();
  // A gateway call that reaches the stopped process: it is read only when the process wakes.
  auto stale = std::async(std::launch::async, [&] {
    Clients gateway(pair.address_1);
    return gateway.submit(phone_call("stale", "+1 212 555 0101"));
  });
  REQUIRE(Pair::health_is(pair.clients_2, "SERVING", 5s));
  std::printf("failover: SIGSTOP of the active to the standby SERVING: %.0f ms\n",
              ms(Clock::now() - stopped));
  std::fflush(stdout);
  CHECK(pair.clients_2.get_interaction("offered").ok());           // taken over with the rest
  std::this_thread::sleep_for(1500ms - (Clock::now() - stopped));  // past the offer timeout
  const std::string fence = pair.look.get("router:fence");
  CHECK(fence == "2");
  const auto journal_before = pair.look.journal();  // the new active is idle: it stays so

  one->signal(SIGCONT);
  // The woken process refuses what it reads, ends its streams UNAVAILABLE and writes nothing.
  // Refused by the gate (UNAVAILABLE) when routerd reads it before the deposition shuts the gRPC
  // server down; read after that, gRPC itself cancels it (CANCELLED). Never OK.
  const auto refused = stale.get();
  INFO("the stale submit: " << describe(refused.status));
  CHECK((refused.code() == grpc::StatusCode::UNAVAILABLE ||
         refused.code() == grpc::StatusCode::CANCELLED));
  auto end = ana.work().wait_end(5s);
  REQUIRE(end.has_value());
  CHECK(end->error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(pair.look.keys("router:ix:*stale").empty());
  CHECK(pair.clients_2.get_interaction("stale").code() == grpc::StatusCode::NOT_FOUND);

  // Back as a standby (re-executed, same port): NOT_SERVING, calls refused naming the active.
  REQUIRE(
      eventually([&] { return count_of(one->log(), "event=standby instance=east-1") == 2; }, 10s));
  REQUIRE(Pair::health_is(pair.clients_1, "NOT_SERVING", 10s));
  // The re-executed standby names the active once its first try at the lease has seen who holds
  // it (until then it says it has seen none); every answer meanwhile is UNAVAILABLE.
  auto again = pair.clients_1.submit(phone_call("to-old", "+1 212 555 0102"));
  CHECK(eventually(
      [&] {
        again = pair.clients_1.submit(phone_call("to-old", "+1 212 555 0102"));
        return again.code() != grpc::StatusCode::UNAVAILABLE ||
               again.message().find("the active routerd is east-2") != std::string::npos;
      },
      5s));
  CHECK(again.code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THAT(again.message(), Catch::Contains("standby: the active routerd is east-2"));
  CHECK(Pair::health(pair.clients_2) == "SERVING");
  CHECK(pair.look.get("router:fence") == fence);  // the old one took nothing back
  CHECK(pair.look.journal() == journal_before);   // and wrote nothing
  const std::string log = one->log();
  CHECK(count_of(log, "event=deposed instance=east-1") == 1);
  // Whether the woken process had a write to make (its overdue offer timeout) depends on what
  // the host journals for a requeue; when it did, the fence refused it.
  std::printf("failover: writes refused by the fence after SIGCONT: %zu\n",
              count_of(log, "event=journal_fenced"));

  // The old active is a working standby: it takes over when the new active dies.
  two->signal(SIGKILL);
  REQUIRE(two->wait_exit(10s) == 128 + SIGKILL);
  REQUIRE(Pair::health_is(pair.clients_1, "SERVING", 2s));
  CHECK(pair.clients_1.get_interaction("offered").ok());
  CHECK(pair.look.get("router:fence") == "3");
}

TEST_CASE(
    "SIGTERM on the active gives the lease up so the standby takes over at its next try rather "
    "than after the ttl",
    "[fault][lease]") {
  RedisServer redis;
  Pair pair(redis, "  lease: {ttl_ms: 5000, renew_ms: 100}\n");  // a lapse would take 5 s
  auto one = pair.start("east-1", pair.address_1);
  INFO("routerd log:\n" << one->log());
  REQUIRE(wait_serving(pair.clients_1, *one, 30s));
  auto two = pair.start("east-2", pair.address_2);
  REQUIRE(Pair::health_is(pair.clients_2, "NOT_SERVING", 30s));
  REQUIRE(pair.clients_1.submit(phone_call("kept", "+1 212 555 0200")).ok());

  one->signal(SIGTERM);
  const auto asked = Clock::now();
  REQUIRE(one->wait_exit(10s) == 0);
  REQUIRE(Pair::health_is(pair.clients_2, "SERVING", 3s));
  const double took_ms = ms(Clock::now() - asked);
  std::printf("failover: SIGTERM of the active to the standby SERVING: %.0f ms\n", took_ms);
  std::fflush(stdout);
  CHECK(took_ms < 3000);  // the lease was released: no 5 s lapse
  CHECK(count_of(one->log(), "event=lease_released instance=east-1 token=1 released=yes") == 1);
  CHECK(pair.clients_2.get_interaction("kept").ok());
  CHECK(pair.look.get("router:fence") == "2");
}

}  // namespace
}  // namespace router::it
