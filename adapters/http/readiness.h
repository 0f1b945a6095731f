// The readiness listener: a small plain-HTTP server that load balancers (HAProxy's httpchk) ask
// whether this routerd should get traffic. GET /ready answers 200 "active" while routerd serves
// and 503 with a one-word reason otherwise; GET /live answers 200 while the process runs;
// anything else 404. It reveals nothing but that state. CivetWeb serves it on two threads of its
// own. Thread-safe: set_ready() from any thread; start and destruction from one control thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "engine/types.h"

struct mg_context;

namespace router::adapters::http {

class ReadinessListener {
 public:
  // Listens on `address` (host:port; port 0: the kernel picks, see port()), not ready with
  // reason "starting" until set_ready(). Error (INVALID_ARGUMENT): the address cannot be bound.
  static engine::Result<std::unique_ptr<ReadinessListener>> start(const std::string& address);
  ~ReadinessListener();  // stops listening; requests in progress finish first
  ReadinessListener(const ReadinessListener&) = delete;
  ReadinessListener& operator=(const ReadinessListener&) = delete;

  int port() const { return port_; }

  // ready: /ready answers 200 "active"; else 503 `reason` (one word: redis_down, shutting_down,
  // standby, ...).
  void set_ready(bool ready, std::string reason);

  // What /ready answers now: the status code and the body's word.
  std::pair<int, std::string> ready_answer() const;

 private:
  ReadinessListener() = default;
  mutable std::mutex mu_;
  bool ready_ = false;               // guarded by mu_
  std::string reason_ = "starting";  // guarded by mu_
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace router::adapters::http
