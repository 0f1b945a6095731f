// routerwall's HTTP side on CivetWeb; see wall_server.h.
#include "tools/routerwall/wall_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "tools/routerwall/page.h"

namespace router::wall {

namespace {

constexpr char kCommonHeaders[] =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\nConnection: close\r\n";

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// A whole response; `extra` holds more header lines, each ending in \r\n.
void respond(mg_connection* connection, int status, std::string_view content_type,
             std::string_view body, const std::string& extra = "", bool head = false) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                     "\r\nContent-Type: " + std::string(content_type) +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                     kCommonHeaders + extra + "\r\n";
  if (!head) text.append(body);
  mg_write(connection, text.data(), text.size());
}

void respond_json(mg_connection* connection, int status, const nlohmann::json& body,
                  const std::string& extra = "", bool head = false) {
  respond(connection, status, "application/json; charset=utf-8",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", extra, head);
}

// The refusal of a viewer whose token routerd did not accept (or could not be asked about).
void refuse(mg_connection* connection, const Check& check, bool head = false) {
  const int status = http_status(check.verdict);
  std::string extra;
  if (status == 401) extra = "WWW-Authenticate: Bearer realm=\"routerwall\"\r\n";
  if (status == 503 || status == 429) extra += "Retry-After: 5\r\n";
  respond_json(connection, status,
               {{"error", check.message}, {"verdict", verdict_name(check.verdict)}}, extra, head);
}

// False when the viewer is gone or has not taken the bytes within CivetWeb's request timeout
// (mg_write then returns an error or fewer bytes).
bool write_all(mg_connection* connection, const std::string& text) {
  return mg_write(connection, text.data(), text.size()) == static_cast<int>(text.size());
}

const char* peer(mg_connection* connection) { return mg_get_request_info(connection)->remote_addr; }

int handle_request(mg_connection* connection, void* data) {
  return static_cast<WallServer*>(data)->handle(connection);
}

int log_message(const mg_connection*, const char* message) {
  spdlog::warn("event=http_server message=\"{}\"", message);
  return 1;  // logged here, not on stderr
}

}  // namespace

std::unique_ptr<WallServer> WallServer::start(const WallServerOptions& options, const Feed& feed,
                                              ViewerAuth& auth) {
  static const bool initialized = [] {
    mg_init_library(0);
    return true;
  }();
  (void)initialized;
  std::unique_ptr<WallServer> server(new WallServer(options, feed, auth));
  // A thread per connection: every viewer's stream holds one, and a few more serve the page,
  // sign-ins and snapshots while the cap is reached.
  const std::string threads = std::to_string(options.max_viewers + 8);
  const char* civet_options[] = {"listening_ports", options.listen.c_str(), "num_threads",
                                 threads.c_str(),
                                 // Reading a request, and each write: a viewer that stops
                                 // reading is dropped after this, freeing its thread.
                                 "request_timeout_ms", "10000", "enable_keep_alive", "no", nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = log_message;
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof error_text};
  mg_init_data init{&callbacks, server.get(), civet_options};
  server->context_ = mg_start2(&init, &error);
  if (server->context_ == nullptr) {
    throw std::runtime_error("--listen: cannot listen on " + options.listen + " (" + error_text +
                             ")");
  }
  mg_set_request_handler(server->context_, "/", handle_request, server.get());
  mg_server_port ports[4] = {};
  if (mg_get_server_ports(server->context_, 4, ports) > 0) server->port_ = ports[0].port;
  return server;
}

WallServer::~WallServer() {
  if (context_ != nullptr) mg_stop(context_);
}

int WallServer::handle(mg_connection* connection) {
  const mg_request_info* request = mg_get_request_info(connection);
  const std::string_view method = request->request_method;
  const std::string_view uri = request->local_uri != nullptr ? request->local_uri : "";
  const bool get = method == "GET", head = method == "HEAD", post = method == "POST";
  auto only = [&](bool allowed, const char* allow) {
    if (!allowed) {
      respond_json(connection, 405, {{"error", std::string("use ") + allow}},
                   std::string("Allow: ") + allow + "\r\n", head);
    }
    return allowed;
  };
  if (uri == "/") {
    if (only(get || head, "GET, HEAD")) page(connection, head);
  } else if (uri == "/login") {
    if (only(post, "POST")) login(connection);
  } else if (uri == "/logout") {
    if (only(post, "POST")) logout(connection);
  } else if (uri == "/events") {
    if (only(get || head, "GET, HEAD")) events(connection, head);
  } else if (uri == "/api/snapshot") {
    if (only(get || head, "GET, HEAD")) snapshot(connection);
  } else {
    respond_json(connection, 404, {{"error", "not found"}}, "", head);
  }
  return 200;  // handled; the connection closes
}

std::string WallServer::token_of(mg_connection* connection) {
  if (const char* authorization = mg_get_header(connection, "Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view value = authorization;
    // Anything but a bearer token is not one (and not printable ASCII, so ViewerAuth refuses it).
    return value.substr(0, kBearer.size()) == kBearer ? std::string(value.substr(kBearer.size()))
                                                      : std::string("\x01");
  }
  const char* cookies = mg_get_header(connection, "Cookie");
  if (cookies == nullptr) return "";
  char encoded[3 * ViewerAuth::kMaxTokenLength + 1];
  const int n = mg_get_cookie(cookies, kCookie, encoded, sizeof encoded);
  if (n == -1) return "";
  if (n < 0) return std::string("\x01");  // too long to be a token
  char decoded[sizeof encoded];
  const int m = mg_url_decode(encoded, n, decoded, sizeof decoded, 0);
  return m < 0 ? std::string("\x01") : std::string(decoded, static_cast<size_t>(m));
}

void WallServer::page(mg_connection* connection, bool head) {
  static const std::string html = page_html();
  static const std::string policy =
      "Content-Security-Policy: default-src 'none'; script-src '" + page_script_hash() +
      "'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'self'; "
      "base-uri 'none'; frame-ancestors 'none'\r\n";
  respond(connection, 200, "text/html; charset=utf-8", html, policy, head);
}

void WallServer::login(mg_connection* connection) {
  // A sign-in posted from another site's page is refused (the browser says where it came from).
  if (const char* site = mg_get_header(connection, "Sec-Fetch-Site");
      site != nullptr && std::strcmp(site, "cross-site") == 0) {
    respond_json(connection, 403, {{"error", "sign in from routerwall's own page"}});
    return;
  }
  const long long length = mg_get_request_info(connection)->content_length;
  if (length > static_cast<long long>(kMaxBodyBytes)) {
    respond_json(connection, 413, {{"error", "form larger than 4096 bytes"}});
    return;
  }
  std::vector<char> body(kMaxBodyBytes + 1);
  size_t read = 0;
  for (int n; read < body.size() &&
              (n = mg_read(connection, body.data() + read, body.size() - read)) > 0;) {
    read += static_cast<size_t>(n);
  }
  if (read > kMaxBodyBytes) {
    respond_json(connection, 413, {{"error", "form larger than 4096 bytes"}});
    return;
  }
  char token[ViewerAuth::kMaxTokenLength + 2];
  const int n = mg_get_var(body.data(), read, "token", token, sizeof token);
  if (n == -1) {
    respond_json(connection, 400, {{"error", "form field 'token' missing"}});
    return;
  }
  // -2: longer than any token; ViewerAuth refuses the marker without asking routerd.
  const std::string given =
      n < 0 ? std::string("\x01") : std::string(token, static_cast<size_t>(n));
  const Check check = auth_.check(given);
  spdlog::info("event=sign_in peer={} verdict={}", peer(connection), verdict_name(check.verdict));
  if (check.verdict != Verdict::kAccepted) {
    refuse(connection, check);
    return;
  }
  std::string encoded(3 * given.size() + 1, '\0');
  const int m = mg_url_encode(given.c_str(), encoded.data(), encoded.size());
  encoded.resize(m < 0 ? 0 : static_cast<size_t>(m));
  const bool tls = mg_get_request_info(connection)->is_ssl != 0;
  respond_json(connection, 200, {{"ok", true}},
               std::string("Set-Cookie: ") + kCookie + "=" + encoded +
                   "; Path=/; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "") + "\r\n");
}

void WallServer::logout(mg_connection* connection) {
  respond_json(connection, 200, {{"ok", true}},
               std::string("Set-Cookie: ") + kCookie +
                   "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0\r\n");
}

void WallServer::snapshot(mg_connection* connection) {
  const bool head = std::strcmp(mg_get_request_info(connection)->request_method, "HEAD") == 0;
  const Check check = auth_.check(token_of(connection));
  if (check.verdict != Verdict::kAccepted) {
    spdlog::info("event=viewer_refused what=snapshot peer={} verdict={}", peer(connection),
                 verdict_name(check.verdict));
    refuse(connection, check, head);
    return;
  }
  const Published latest = feed_.latest();
  if (!latest.json) {
    respond_json(connection, 503, {{"error", "no snapshot yet"}}, "Retry-After: 1\r\n", head);
    return;
  }
  respond(connection, 200, "application/json; charset=utf-8", *latest.json + "\n", "", head);
}

void WallServer::events(mg_connection* connection, bool head) {
  const std::string token = token_of(connection);
  Check check = auth_.check(token);
  if (check.verdict != Verdict::kAccepted) {
    if (!head) {
      spdlog::info("event=viewer_refused what=events peer={} verdict={}", peer(connection),
                   verdict_name(check.verdict));
    }
    refuse(connection, check, head);
    return;
  }
  const std::string full = "too many viewers: at most " + std::to_string(options_.max_viewers) +
                           " event streams at once";
  if (head) {
    if (viewers_.load() >= options_.max_viewers) {
      respond_json(connection, 503, {{"error", full}}, "Retry-After: 10\r\n", true);
    } else {
      respond(connection, 200, "text/event-stream", "", "", true);
    }
    return;
  }
  if (viewers_.fetch_add(1) >= options_.max_viewers) {
    viewers_.fetch_sub(1);
    spdlog::warn("event=viewer_refused what=events peer={} verdict=too_many_viewers max={}",
                 peer(connection), options_.max_viewers);
    respond_json(connection, 503, {{"error", full}}, "Retry-After: 10\r\n");
    return;
  }
  struct Slot {
    std::atomic<size_t>& viewers;
    ~Slot() { viewers.fetch_sub(1); }
  } slot{viewers_};
  const auto opened = std::chrono::steady_clock::now();
  spdlog::info("event=viewer_open peer={} viewers={}", peer(connection), viewers_.load());

  // No Content-Length: the stream lasts until one side closes. "retry" tells EventSource how
  // long to wait before reconnecting after a drop.
  std::string text = std::string("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n") +
                     kCommonHeaders + "X-Accel-Buffering: no\r\n\r\nretry: 3000\n\n";
  bool open = write_all(connection, text);
  const char* why = "viewer_gone";
  uint64_t sent = 0;
  std::optional<uint64_t> history_sent;  // the history version this viewer has the points of
  auto checked = std::chrono::steady_clock::now();
  while (open) {
    const Published latest = feed_.wait_newer(sent, options_.keepalive);
    if (feed_.closed()) {
      why = "shutdown";
      break;
    }
    if (std::chrono::steady_clock::now() - checked >= options_.recheck) {
      check = auth_.check(token);
      checked = std::chrono::steady_clock::now();
      if (check.verdict != Verdict::kAccepted) {
        // Tell the page why before closing, so it asks for a token instead of reconnecting.
        const nlohmann::json reason = {{"error", check.message},
                                       {"verdict", verdict_name(check.verdict)}};
        text = "event: refused\ndata: " +
               reason.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
        mg_write(connection, text.data(), text.size());
        why = "token_refused";
        break;
      }
    }
    if (latest.seq > sent) {
      // The hour's points only when they changed (every history step), else the light form.
      const bool whole = history_sent != latest.history_version;
      text = "id: " + std::to_string(latest.seq) +
             "\ndata: " + (whole ? *latest.json : *latest.light) + "\n\n";
      sent = latest.seq;
      history_sent = latest.history_version;
    } else {
      text = ": keepalive\n\n";
    }
    open = write_all(connection, text);
  }
  spdlog::info("event=viewer_closed peer={} reason={} after_s={:.0f}", peer(connection), why,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count());
}

}  // namespace router::wall
