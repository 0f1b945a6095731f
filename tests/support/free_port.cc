// free_port(): a loopback port below the kernel's ephemeral range that binds now.
#include "tests/support/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <system_error>

namespace router::it {

namespace {

// The first port of the kernel's ephemeral range (Linux's default 32768 when it cannot be read).
int ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  int high = 0;
  if (in >> low >> high && low > 11000 && low <= 65535) return low;
  return 32768;
}

// Whether 127.0.0.1:`port` can be bound now (no SO_REUSEADDR: a port with connections still in
// TIME_WAIT is passed over too). `port` 0: the kernel's choice; the port bound goes to *bound.
bool bindable(int port, int* bound) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "free_port: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (ok) *bound = ntohs(addr.sin_port);
  return ok;
}

}  // namespace

int free_port() {
  // Not from the ephemeral range, which the kernel also hands to outgoing connections: one of
  // those (a health check, a Redis client) could take the port before its server binds it, or
  // while a killed server restarts on it (seen: a routerd's metrics port taken at start). Ports
  // from 10000 up to the range's start, in a pseudo-random walk that differs per process.
  static std::atomic<uint64_t> state{
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (static_cast<uint64_t>(::getpid()) << 32)};
  const int first = 10000;
  const int count = ephemeral_low() - first;
  for (int tries = 0; tries < 2000; ++tries) {
    const uint64_t x = state.fetch_add(0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull;
    const int port = first + static_cast<int>((x >> 33) % static_cast<uint64_t>(count));
    int bound = 0;
    if (bindable(port, &bound)) return bound;
  }
  int bound = 0;  // nothing free below the range (never seen): the kernel's choice
  if (!bindable(0, &bound)) {
    throw std::system_error(errno, std::generic_category(), "free_port: bind/getsockname");
  }
  return bound;
}

}  // namespace router::it
