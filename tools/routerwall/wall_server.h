// routerwall's HTTP side on CivetWeb (Debian libcivetweb-dev; a thread per connection):
//   GET  /               the wallboard page (static; no figures in it, so no token needed)
//   POST /login          form field `token`: checked by routerd (ViewerAuth); accepted, it is set
//                        as the HttpOnly, SameSite=Strict cookie routerwall_token
//   POST /logout         clears that cookie
//   GET  /events         the board as server-sent events: one JSON snapshot per interval
//   HEAD /events         what GET would answer, without the stream (the page asks why it failed)
//   GET  /api/snapshot   the latest snapshot as JSON
// /events and /api/snapshot take the viewer's token from the cookie or "Authorization: Bearer";
// routerd's verdict decides (401, 403, 503, 429 otherwise, with a JSON {"error": ...}). Event
// streams are capped at max_viewers (one more: 503); each ends when the viewer goes away, its
// token is refused at a re-check, or the server stops. Tokens are never logged.
// Thread-safe: CivetWeb's threads serve; start and destruction from one control thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "tools/routerwall/feed.h"
#include "tools/routerwall/viewer_auth.h"

struct mg_connection;
struct mg_context;

namespace router::wall {

struct WallServerOptions {
  std::string listen = "127.0.0.1:8090";  // CivetWeb's listening_ports syntax; port 0: any
  size_t max_viewers = 64;                // concurrent event streams
  // An event stream's viewer token is checked again this often (routerd's verdict, cached by
  // ViewerAuth), so a token removed from routerd's configuration stops its screens.
  std::chrono::milliseconds recheck{30'000};
  // With no new snapshot for this long, a comment line keeps the stream (and proxies) alive.
  std::chrono::milliseconds keepalive{15'000};
};

class WallServer {
 public:
  static constexpr size_t kMaxBodyBytes = 4096;  // POST /login
  static constexpr char kCookie[] = "routerwall_token";

  // Listens and serves. Throws std::runtime_error naming the address when it cannot listen.
  static std::unique_ptr<WallServer> start(const WallServerOptions& options, const Feed& feed,
                                           ViewerAuth& auth);
  ~WallServer();  // stops: event streams end (close the Feed first), requests in progress finish
  WallServer(const WallServer&) = delete;
  WallServer& operator=(const WallServer&) = delete;

  int port() const { return port_; }
  size_t viewers() const { return viewers_.load(); }

  // CivetWeb's entry point (public for the C callback); every request comes here.
  int handle(mg_connection* connection);

 private:
  WallServer(const WallServerOptions& options, const Feed& feed, ViewerAuth& auth)
      : options_(options), feed_(feed), auth_(auth) {}

  void page(mg_connection* connection, bool head);
  void login(mg_connection* connection);
  void logout(mg_connection* connection);
  void snapshot(mg_connection* connection);
  void events(mg_connection* connection, bool head);
  // The viewer's token: "Authorization: Bearer X", else the cookie, else "".
  static std::string token_of(mg_connection* connection);

  const WallServerOptions options_;
  const Feed& feed_;
  ViewerAuth& auth_;
  std::atomic<size_t> viewers_{0};
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace router::wall
