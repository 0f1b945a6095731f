// The LMTP listener. See server.h.
#include "tools/routermail/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace router::mail {
namespace {

bool send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// "host:port" → a bound, listening socket, or the reason.
int listen_on(const std::string& address, std::string& error) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    error = "must be host:port, got '" + address + "'";
    return -1;
  }
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc =
          ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    error = "cannot resolve '" + address + "': " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      error = "cannot listen on '" + address + "': " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

engine::Result<std::unique_ptr<LmtpServer>> LmtpServer::start(
    const Config& config, Deliver deliver, TooBig too_big,
    std::function<void(int)> on_connections) {
  std::unique_ptr<LmtpServer> s(
      new LmtpServer(config, std::move(deliver), std::move(too_big), std::move(on_connections)));
  std::string error;
  s->listen_fd_ = listen_on(config.listen, error);
  if (s->listen_fd_ < 0) return engine::invalid_argument("lmtp.listen: " + error);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  s->port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  s->acceptor_ = std::thread([p = s.get()] { p->accept_loop(); });
  return s;
}

LmtpServer::~LmtpServer() { stop(); }

void LmtpServer::stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return open_ == 0; });
}

void LmtpServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      std::lock_guard lock(mu_);
      if (static_cast<size_t>(open_) >= config_.max_connections) {
        send_all(fd,
                 "421 4.3.2 " + config_.hostname + " too many connections, try again later\r\n");
        ::close(fd);
        continue;
      }
      ++open_;
      if (on_connections_) on_connections_(open_);
    }
    std::thread([this, fd] { serve(fd); }).detach();
  }
}

void LmtpServer::serve(int fd) {
  LmtpSession session(config_.limits, config_.hostname, deliver_, too_big_);
  bool ok = send_all(fd, session.greeting());
  std::string buffer;
  std::string line;
  char chunk[16384];
  const int idle_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.idle_timeout).count());
  auto waited = std::chrono::steady_clock::now();
  while (ok && !session.closed()) {
    // Every complete line in the buffer first (a pipelining client sends several at once).
    size_t eol;
    while (ok && !session.closed() && (eol = buffer.find('\n')) != std::string::npos) {
      line.assign(buffer, 0, eol);
      buffer.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string out = session.on_line(line);
      if (!out.empty()) ok = send_all(fd, out);
    }
    if (!ok || session.closed()) break;
    // A message line that never ends: more than the size limit is refused either way.
    if (session.in_data() && buffer.size() > config_.limits.max_message_bytes + 65536) {
      send_all(fd, "552 5.3.4 message larger than " +
                       std::to_string(config_.limits.max_message_bytes) + " bytes\r\n");
      break;
    }
    // A command line that never ends: the session would refuse it anyway.
    if (!session.in_data() && buffer.size() > config_.limits.max_line_bytes * 4) {
      send_all(fd, "500 5.5.2 line too long\r\n");
      break;
    }
    if (stopping_ && !session.in_data()) {
      send_all(fd, "421 4.3.2 " + config_.hostname + " shutting down\r\n");
      break;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 200);
    if (ready == 0) {
      if (std::chrono::steady_clock::now() - waited > std::chrono::milliseconds(idle_ms)) {
        send_all(fd, "421 4.4.2 " + config_.hostname + " idle too long, closing\r\n");
        break;
      }
      continue;
    }
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    waited = std::chrono::steady_clock::now();
    buffer.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  --open_;
  if (on_connections_) on_connections_(open_);
  idle_.notify_all();
}

}  // namespace router::mail
