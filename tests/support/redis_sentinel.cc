// The Redis Sentinel test fixture: a config file in a temporary folder, a ChildProcess, readiness
// by PING, and the questions a test asks (how many sentinels and replicas it knows, which primary).
#include "tests/support/redis_sentinel.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/free_port.h"

namespace router::it {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::filesystem::path fresh_temp_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "routerd-sentinel-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  return pattern;
}

// One command to the sentinel on `port`; nullptr when it does not answer. Free with
// freeReplyObject.
redisReply* ask(int port, const std::vector<std::string>& argv) {
  const timeval limit{0, 500'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, limit);
  if (c == nullptr) return nullptr;
  redisReply* r = nullptr;
  if (c->err == 0) {
    redisSetTimeout(c, limit);
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  }
  redisFree(c);
  return r;
}

// The number of elements of an array reply to `argv`, or -1.
int count_of(int port, const std::vector<std::string>& argv) {
  redisReply* r = ask(port, argv);
  if (r == nullptr) return -1;
  const int n = r->type == REDIS_REPLY_ARRAY ? static_cast<int>(r->elements) : -1;
  freeReplyObject(r);
  return n;
}

}  // namespace

RedisSentinel::RedisSentinel(int primary_port, std::string master, int quorum,
                             SentinelTimings timings)
    : dir_(fresh_temp_dir()), master_(std::move(master)), port_(free_port()) {
  const std::filesystem::path conf = dir_ / "sentinel.conf";
  {
    std::ofstream out(conf);
    out << "port " << port_ << "\n"
        << "bind 127.0.0.1\n"
        << "daemonize no\n"
        << "protected-mode no\n"
        << "dir " << dir_.string() << "\n"
        << "logfile " << (dir_ / "sentinel.log").string() << "\n"
        << "sentinel monitor " << master_ << " 127.0.0.1 " << primary_port << " " << quorum << "\n"
        << "sentinel down-after-milliseconds " << master_ << " " << timings.down_after_ms << "\n"
        << "sentinel failover-timeout " << master_ << " " << timings.failover_timeout_ms << "\n"
        << "sentinel parallel-syncs " << master_ << " 1\n";
  }
  process_.emplace(std::vector<std::string>{"redis-server", conf.string(), "--sentinel"},
                   ChildOptions{.out = ChildOutput::kNull,
                                .err = ChildOutput::kNull,
                                .log = {},
                                .append_log = false,
                                .stdin_null = true,
                                .env = std::nullopt});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    redisReply* r = ask(port_, {"PING"});
    const bool pong = r != nullptr && r->type == REDIS_REPLY_STATUS;
    if (r != nullptr) freeReplyObject(r);
    if (pong) break;
    if (process_->wait_exit(std::chrono::milliseconds(0)) ||
        std::chrono::steady_clock::now() > deadline) {
      const std::string tail = log_tail();
      process_.reset();
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      throw std::runtime_error("redis sentinel did not start on port " + std::to_string(port_) +
                               ":\n" + tail);
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

RedisSentinel::~RedisSentinel() {
  process_.reset();  // SIGKILL
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisSentinel::wait_ready(int other_sentinels, int replicas,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_of(port_, {"SENTINEL", "sentinels", master_}) >= other_sentinels &&
        count_of(port_, {"SENTINEL", "replicas", master_}) >= replicas) {
      return true;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

std::optional<int> RedisSentinel::primary_port() const {
  redisReply* r = ask(port_, {"SENTINEL", "get-master-addr-by-name", master_});
  std::optional<int> port;
  if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
      r->element[1]->type == REDIS_REPLY_STRING) {
    port = std::atoi(r->element[1]->str);
  }
  if (r != nullptr) freeReplyObject(r);
  return port;
}

std::string RedisSentinel::log_tail() const {
  std::ifstream in(dir_ / "sentinel.log");
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  constexpr std::size_t kTail = 3000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace router::it
