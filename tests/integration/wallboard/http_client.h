// A raw HTTP/1.1 client over a loopback socket, for what a test must see byte for byte: status
// lines, headers (Set-Cookie's attributes), and a server-sent event stream read event by event
// as it arrives. Every read has a deadline. Not thread-safe: one test thread per object.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace router::it {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, timed out); `body` then says why
  std::map<std::string, std::string> headers;  // names lower-cased; repeated ones joined by "\n"
  std::string body;
  std::string header(const std::string& name) const;
};

// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool accepts_connections(int port);

// One request ("Connection: close"); `headers` are whole lines without CRLF.
HttpAnswer http_call(int port, const std::string& method, const std::string& path,
                     const std::vector<std::string>& headers = {}, const std::string& body = "",
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct ServerSentEvent {
  std::string event;  // "message" unless the stream named it
  std::string id;
  std::string data;  // data lines joined by "\n"
};

// GET `path` kept open: the answer's head first, then events as they come.
class EventStreamClient {
 public:
  EventStreamClient(int port, const std::string& path, const std::vector<std::string>& headers,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~EventStreamClient();
  EventStreamClient(const EventStreamClient&) = delete;
  EventStreamClient& operator=(const EventStreamClient&) = delete;

  // The status line's code and headers (body: what followed, for a refusal).
  const HttpAnswer& head() const { return head_; }
  // The next event (comments and the "retry" field skipped), or nothing at end of stream or when
  // `timeout` passes first.
  std::optional<ServerSentEvent> next(std::chrono::milliseconds timeout);
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // false: closed or timed out
  int fd_ = -1;
  std::string buffer_;
  HttpAnswer head_;
};

}  // namespace router::it
