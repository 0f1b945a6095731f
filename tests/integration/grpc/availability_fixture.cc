// The availability tests' shared parts; see availability_fixture.h.
#include "integration/grpc/availability_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace router::it {

std::pair<int, std::string> http_get(int port, const std::string& path, Millis timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return {0, "socket failed"};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(std::max<long long>(
        0,
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count()));
  };
  std::string reply;
  bool failed = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    failed = true;
  } else {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof error;
    if (::poll(&p, 1, left_ms()) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      failed = true;
    }
  }
  if (!failed) {
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      failed = true;
    }
  }
  while (!failed) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left_ms()) != 1) {
      failed = true;
      break;
    }
    char buffer[1024];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) failed = true;
    if (n <= 0) break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (failed && reply.empty()) return {0, "no answer from 127.0.0.1:" + std::to_string(port)};
  // "HTTP/1.1 503 Service Unavailable\r\n...\r\n\r\nbody\n"
  int status = 0;
  if (reply.rfind("HTTP/1.", 0) == 0 && reply.size() > 12) status = std::atoi(reply.c_str() + 9);
  const auto body_at = reply.find("\r\n\r\n");
  std::string body = body_at == std::string::npos ? "" : reply.substr(body_at + 4);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return {status, body};
}

ReadyRouterd::ReadyRouterd(const std::string& domain)
    : files_(redis_center("127.0.0.1:" + std::to_string(redis_.port()))), ready_port_(free_port()) {
  std::string extra = "  ready_listen: \"127.0.0.1:" + std::to_string(ready_port_) + "\"\n";
  if (!domain.empty()) extra += "  domain: " + domain + "\n";
  files_.write_config(replace_once(files_.read_config(), "  max_message_bytes: 8192\n",
                                   "  max_message_bytes: 8192\n" + extra));
  routerd::DaemonOptions options;
  options.config_path = files_.config_path();
  options.listen = "127.0.0.1:0";
  auto started = routerd::Daemon::start(options);
  if (!started.ok()) FAIL("Daemon::start: " << started.error().message);
  daemon_ = std::move(started).value();
  REQUIRE(daemon_->ready_port() == ready_port_);
  clients_.connect(daemon_->address());
  REQUIRE(clients_.channel()->WaitForConnected(std::chrono::system_clock::now() + kCallDeadline));
}

ReadyRouterd::~ReadyRouterd() {
  if (daemon_) daemon_->shutdown(1s);
}

bool ReadyRouterd::wait_ready(int status, Millis timeout) const {
  return eventually([&] { return ready().first == status; }, timeout);
}

std::string haproxy_path() {
  if (std::filesystem::exists("/usr/sbin/haproxy")) return "/usr/sbin/haproxy";
  const ProcessRun which = run_captured({"sh", "-c", "command -v haproxy"}, 5s);
  if (which.exit_code == 0 && !which.out.empty()) return "haproxy";
  return "";
}

HaproxyProcess::HaproxyProcess(const std::string& config_text, std::filesystem::path log)
    : log_(log.empty() ? dir_.path() / "haproxy.log" : std::move(log)) {
  const std::string binary = haproxy_path();
  if (binary.empty()) {
    FAIL("haproxy is not installed (Debian package haproxy; tools/dev.sh deps installs it)");
  }
  const auto config = dir_.write("haproxy.cfg", config_text);
  const ProcessRun check = run_captured({binary, "-c", "-f", config.string()}, 10s);
  INFO(check << "\n" << config_text);
  REQUIRE(check.exit_code == 0);
  process_ =
      std::make_unique<ChildProcess>(std::vector<std::string>{binary, "-db", "-f", config.string()},
                                     ChildOptions{.out = ChildOutput::kLog,
                                                  .err = ChildOutput::kLog,
                                                  .log = log_,
                                                  .append_log = false,
                                                  .stdin_null = true,
                                                  .stdin_pipe = false,
                                                  .env = std::nullopt});
}

std::string HaproxyProcess::log_tail(size_t lines) const {
  const std::string text = log();
  size_t at = text.size();
  for (size_t n = 0; n <= lines && at > 0; ++n) {
    const size_t nl = text.rfind('\n', at - 1);
    if (nl == std::string::npos) return text;
    at = nl;
  }
  return "[... " + std::to_string(at) + " bytes before]\n" + text.substr(at + 1);
}

std::string HaproxyProcess::log() const {
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string haproxy_backend(const std::string& name, const std::vector<HaproxyServer>& servers) {
  std::string text = "backend " + name +
                     "\n"
                     "  option httpchk GET /ready\n"
                     "  http-check expect status 200\n"
                     "  default-server inter 200ms fastinter 200ms downinter 200ms fall 1 rise 1\n";
  for (const auto& s : servers) {
    text += "  server " + s.name + " 127.0.0.1:" + std::to_string(s.grpc_port) +
            " proto h2 check port " + std::to_string(s.ready_port) + " check-proto h1\n";
  }
  return text;
}

std::string haproxy_config(int frontend_port, const std::string& frontend_rules,
                           const std::string& backends, int stats_port) {
  // Every change of a check's result and every request that ends abnormally go to the log (its
  // stderr), so a test that fails shows what HAProxy saw; the statistics page when asked.
  const std::string stats = stats_port == 0 ? std::string()
                                            : "frontend stats\n"
                                              "  bind 127.0.0.1:" +
                                                  std::to_string(stats_port) +
                                                  "\n"
                                                  "  stats enable\n"
                                                  "  stats uri /stats\n";
  return "global\n"
         "  maxconn 4096\n"
         "  tune.h2.max-concurrent-streams 1000\n"
         "  log stderr format iso local0 info\n"
         "defaults\n"
         "  mode http\n"
         "  log global\n"
         "  option httplog\n"
         "  option log-health-checks\n"
         "  option dontlog-normal\n"
         "  timeout connect 1s\n"
         "  timeout check 1s\n"
         "  timeout client 1h\n"
         "  timeout server 1h\n"
         "  timeout tunnel 1h\n"
         "frontend grpc\n"
         "  bind 127.0.0.1:" +
         std::to_string(frontend_port) + " proto h2\n" + frontend_rules + backends + stats;
}

}  // namespace router::it
