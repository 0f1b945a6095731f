// The readiness listener on CivetWeb's C API; see readiness.h.
#include "adapters/http/readiness.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>

namespace router::adapters::http {

namespace {

// The status and `body` as text/plain; a HEAD request gets the headers only.
void answer(mg_connection* connection, int status, const std::string& body, bool head) {
  const std::string text = body + "\n";
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
            status,
            status == 200   ? "OK"
            : status == 503 ? "Service Unavailable"
                            : "Not Found",
            text.size(), head ? "" : text.c_str());
}

// Every request comes here ("/" matches every URI): /ready, /live, or 404.
int handle(mg_connection* connection, void* data) {
  const auto* self = static_cast<const ReadinessListener*>(data);
  const mg_request_info* request = mg_get_request_info(connection);
  const char* uri = request->local_uri != nullptr ? request->local_uri : "";
  const bool head = std::strcmp(request->request_method, "HEAD") == 0;
  if (!head && std::strcmp(request->request_method, "GET") != 0) {
    answer(connection, 404, "not_found", false);
  } else if (std::strcmp(uri, "/ready") == 0) {
    const auto [status, word] = self->ready_answer();
    answer(connection, status, word, head);
  } else if (std::strcmp(uri, "/live") == 0) {
    answer(connection, 200, "live", head);
  } else {
    answer(connection, 404, "not_found", head);
  }
  return 200;  // handled (CivetWeb logs the status; the connection closes)
}

int log_message(const mg_connection*, const char* message) {
  spdlog::warn("event=readiness_listener message=\"{}\"", message);
  return 1;  // logged here, not on stderr
}

}  // namespace

engine::Result<std::unique_ptr<ReadinessListener>> ReadinessListener::start(
    const std::string& address) {
  static const bool initialized = [] {
    mg_init_library(0);
    return true;
  }();
  (void)initialized;
  std::unique_ptr<ReadinessListener> listener(new ReadinessListener());
  const char* options[] = {"listening_ports",
                           address.c_str(),
                           "num_threads",
                           "2",
                           "request_timeout_ms",
                           "2000",
                           "enable_keep_alive",
                           "no",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = log_message;
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof error_text};
  mg_init_data init{&callbacks, listener.get(), options};
  listener->context_ = mg_start2(&init, &error);
  if (listener->context_ == nullptr) {
    return engine::invalid_argument("cannot listen on " + address + " (" + error_text + ")");
  }
  mg_set_request_handler(listener->context_, "/", handle, listener.get());
  mg_server_port ports[4] = {};
  const int n = mg_get_server_ports(listener->context_, 4, ports);
  if (n > 0) listener->port_ = ports[0].port;
  return listener;
}

ReadinessListener::~ReadinessListener() {
  if (context_ != nullptr) mg_stop(context_);
}

void ReadinessListener::set_ready(bool ready, std::string reason) {
  std::lock_guard lock(mu_);
  ready_ = ready;
  reason_ = ready ? std::string() : std::move(reason);
}

std::pair<int, std::string> ReadinessListener::ready_answer() const {
  std::lock_guard lock(mu_);
  if (ready_) return {200, "active"};
  return {503, reason_.empty() ? "not_serving" : reason_};
}

}  // namespace router::adapters::http
