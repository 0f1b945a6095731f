// The raw HTTP client; see http_client.h.
#include "integration/wallboard/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace router::it {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int connect_to(int port, std::string& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& text) {
  for (size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads what is there within the deadline into `buffer`; false at end of stream or timeout.
bool read_some(int fd, std::string& buffer, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::string request_text(const std::string& method, const std::string& path,
                         const std::vector<std::string>& headers, const std::string& body,
                         bool keep_open) {
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!keep_open) text += "Connection: close\r\n";
  for (const auto& h : headers) text += h + "\r\n";
  if (!body.empty() || method == "POST") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return text + "\r\n" + body;
}

// Parses the head in `buffer` (through the blank line) into `answer`, leaving the rest.
bool parse_head(std::string& buffer, HttpAnswer& answer) {
  const auto end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  const std::string head = buffer.substr(0, end);
  buffer.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  const auto space = status_line.find(' ');
  answer.status = space == std::string::npos ? -1 : std::atoi(status_line.c_str() + space + 1);
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    auto& slot = answer.headers[lower(line.substr(0, colon))];
    slot = slot.empty() ? value : slot + "\n" + value;
  }
  return true;
}

}  // namespace

std::string HttpAnswer::header(const std::string& name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? "" : it->second;
}

bool accepts_connections(int port) {
  std::string ignored;
  const int fd = connect_to(port, ignored);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

HttpAnswer http_call(int port, const std::string& method, const std::string& path,
                     const std::vector<std::string>& headers, const std::string& body,
                     std::chrono::milliseconds timeout) {
  HttpAnswer answer;
  const int fd = connect_to(port, answer.body);
  if (fd < 0) return answer;
  const auto deadline = Clock::now() + timeout;
  std::string buffer;
  if (send_all(fd, request_text(method, path, headers, body, false))) {
    while (read_some(fd, buffer, deadline)) {
    }
  }
  ::close(fd);
  if (!parse_head(buffer, answer)) {
    answer = HttpAnswer{};
    answer.body = "no complete answer within the deadline: " + buffer;
    return answer;
  }
  answer.body = buffer;
  return answer;
}

EventStreamClient::EventStreamClient(int port, const std::string& path,
                                     const std::vector<std::string>& headers,
                                     std::chrono::milliseconds timeout) {
  fd_ = connect_to(port, head_.body);
  if (fd_ < 0) return;
  const auto deadline = Clock::now() + timeout;
  if (!send_all(fd_, request_text("GET", path, headers, "", true))) return;
  while (!parse_head(buffer_, head_)) {
    if (!read_some(fd_, buffer_, deadline)) {
      head_.status = 0;
      return;
    }
  }
  if (head_.status != 200) {  // a refusal: its body, to its end
    while (read_some(fd_, buffer_, deadline)) {
    }
    head_.body = buffer_;
  }
}

EventStreamClient::~EventStreamClient() { close(); }

void EventStreamClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool EventStreamClient::fill(Clock::time_point deadline) {
  return fd_ >= 0 && read_some(fd_, buffer_, deadline);
}

std::optional<ServerSentEvent> EventStreamClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // An event ends at a blank line; fields are "name: value" lines, comments start with ':'.
    for (size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
      const std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      ServerSentEvent event;
      event.event = "message";
      bool has_data = false;
      size_t start = 0;
      while (start <= block.size()) {
        size_t stop = block.find('\n', start);
        if (stop == std::string::npos) stop = block.size();
        const std::string line = block.substr(start, stop - start);
        start = stop + 1;
        if (line.empty() || line[0] == ':') continue;
        const auto colon = line.find(':');
        const std::string name = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (name == "data") {
          event.data += (has_data ? "\n" : "") + value;
          has_data = true;
        } else if (name == "event") {
          event.event = value;
        } else if (name == "id") {
          event.id = value;
        }
      }
      if (has_data) return event;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

}  // namespace router::it
