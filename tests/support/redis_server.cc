// The redis-server test fixture: fork/exec, readiness by PING, signals, cleanup.
#include "tests/integration/redis/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace router::it {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

// A port the kernel considers free right now. Another process could take it before
// redis-server binds; start() then fails loudly with the server's log rather than flaking.
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "bind/getsockname");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path fresh_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "routerd-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  return pattern;
}

}  // namespace

RedisServer::RedisServer(std::chrono::milliseconds startup_limit, std::string password)
    : startup_limit_(startup_limit),
      password_(std::move(password)),
      dir_(fresh_temp_dir()),
      port_(free_loopback_port()) {
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
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // A test process that aborts (a failed REQUIRE in a destructor, a sanitizer report) must not
    // leave the server behind, nor leave it holding the test's stdout open: ctest would wait
    // for that pipe forever. The server logs to its --logfile.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  const auto deadline = std::chrono::steady_clock::now() + startup_limit_;
  while (!answers_ping()) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
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

void RedisServer::reap(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(kPollInterval / 4);
  }
}

void RedisServer::stop(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused server handles SIGTERM only once continued
  reap(limit);
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(std::chrono::seconds(10));
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisServer::restart() {
  if (pid_ > 0) throw std::logic_error("RedisServer::restart: still running");
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
