// The redis-server test fixture: a ChildProcess, readiness by PING, signals, cleanup.
#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
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

constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::filesystem::path fresh_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "routerd-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  return pattern;
}

}  // namespace

RedisServer::RedisServer(std::chrono::milliseconds startup_limit, std::string password,
                         int replica_of)
    : startup_limit_(startup_limit),
      password_(std::move(password)),
      replica_of_(replica_of),
      dir_(fresh_temp_dir()),
      port_(free_port()) {
  // hiredis writes with write(2): a client writing to a dead server must get EPIPE, not die.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    start();
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::start() {
  const std::string port = std::to_string(port_);
  const std::string dir = dir_.string();
  const std::string log = (dir_ / "redis.log").string();
  std::vector<std::string> args = {"redis-server",
                                   "--bind",
                                   "127.0.0.1",
                                   "--port",
                                   port,
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "yes",
                                   "--dir",
                                   dir,
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   log,
                                   "--protected-mode",
                                   "no"};
  if (!password_.empty()) {
    args.emplace_back("--requirepass");
    args.push_back(password_);
  }
  if (replica_of_ != 0) {
    args.insert(args.end(), {"--replicaof", "127.0.0.1", std::to_string(replica_of_)});
  }
  // The server logs to its --logfile; a test that aborts takes it down (ChildProcess).
  server_.emplace(std::move(args), ChildOptions{.out = ChildOutput::kNull,
                                                .err = ChildOutput::kNull,
                                                .log = {},
                                                .append_log = false,
                                                .stdin_null = true,
                                                .env = std::nullopt});

  const auto deadline = std::chrono::steady_clock::now() + startup_limit_;
  while (!answers_ping()) {
    if (server_->wait_exit(std::chrono::milliseconds(0))) {
      server_.reset();
      throw std::runtime_error("redis-server exited during startup on port " + port + ":\n" +
                               log_tail());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill();
      throw std::runtime_error("redis-server did not answer PING on port " + port + ":\n" +
                               log_tail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool RedisServer::answers_ping() const {
  const timeval limit{0, 200'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, limit);
  if (c == nullptr) return false;
  bool pong = false;
  bool authenticated = password_.empty();
  if (c->err == 0 && !authenticated) {
    if (auto* reply = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password_.c_str()))) {
      authenticated = reply->type == REDIS_REPLY_STATUS;
      freeReplyObject(reply);
    }
  }
  if (c->err == 0 && authenticated) {
    if (auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"))) {
      pong = reply->type == REDIS_REPLY_STATUS && std::string(reply->str, reply->len) == "PONG";
      freeReplyObject(reply);
    }
  }
  redisFree(c);
  return pong;
}

void RedisServer::stop(std::chrono::milliseconds limit) {
  if (!running()) return;
  server_->terminate(limit);  // SIGCONT too: a paused server handles SIGTERM only once continued
  server_.reset();
}

void RedisServer::kill() {
  if (!running()) return;
  server_->kill();
  server_.reset();
}

void RedisServer::pause() {
  if (running()) server_->signal(SIGSTOP);
}

void RedisServer::resume() {
  if (running()) server_->signal(SIGCONT);
}

void RedisServer::restart() {
  if (running()) throw std::logic_error("RedisServer::restart: still running");
  start();
}

std::string RedisServer::log_tail() const {
  std::ifstream in(dir_ / "redis.log");
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  constexpr std::size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace router::it
