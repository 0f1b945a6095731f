// routerwall: the live web wallboard for supervisors, a companion of routerd that uses only its
// public gRPC API (docs/wallboard.md). The composition root: parses the flags, reads its own
// supervisor token, opens the line to routerd, starts the Sampler (the one reader of routerd)
// and the HTTP server (the page, sign-in, the event streams, the JSON snapshot), and stops on
// SIGINT/SIGTERM.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"
#include "tools/routerwall/feed.h"
#include "tools/routerwall/routerd_link.h"
#include "tools/routerwall/sampler.h"
#include "tools/routerwall/viewer_auth.h"
#include "tools/routerwall/wall_server.h"

namespace {

using namespace router::wall;

constexpr int kExitOk = 0;
constexpr int kExitStart = 1;  // a bad flag value, an unreadable file, a refused token, a port
// A viewer's token verdict is remembered this long (one GetQueueStats per token per period).
constexpr auto kViewerTokenTtl = std::chrono::seconds(10);

int fail(const std::string& message) {
  spdlog::critical("event=start_failed error=\"{}\"", message);
  return kExitStart;
}

// The file's first line, without trailing blanks; empty with `error` set when unreadable.
std::string read_token(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "--token-file " + path + ": cannot read: " + std::strerror(errno);
    return "";
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.pop_back();
  }
  if (line.empty()) error = "--token-file " + path + ": the first line is empty";
  return line;
}

int run(int argc, char** argv) {
  CLI::App app{
      "routerwall: the live web wallboard for supervisors. Reads routerd's public API "
      "(SupervisorService GetQueueStats and ListAgents) every --interval-s with the supervisor "
      "token of --token-file, keeps each queue's service level for the last hour, and serves, "
      "on --listen, one page that updates itself over server-sent events: per queue waiting, "
      "longest wait, service level against its target, ASA, abandon rate, EWT and an hour's "
      "service-level sparkline; agents by state and not-ready reason. A viewer signs in with a "
      "SUPERVISOR token of routerd (the page's form, or a kiosk URL ending in #token=TOKEN); "
      "routerwall forwards it to routerd, which decides, and keeps it only in an HttpOnly cookie "
      "of the browser. GET /api/snapshot (with the cookie or 'Authorization: Bearer TOKEN') "
      "gives the same figures as JSON. docs/wallboard.md has the details.",
      "routerwall"};
  std::vector<std::string> target = {"127.0.0.1:50051"};
  std::string listen = "127.0.0.1:8090";
  std::string token_file;
  double interval_s = 1;
  size_t max_viewers = 64;
  double recheck_s = 30;
  std::string log_level = "info";
  std::string title = "Contact center";
  app.add_option("--target", target,
                 "routerd's gRPC address, host:port; a comma-separated list (or the flag "
                 "repeated): the first that answers SERVING is used, and the next SERVING one "
                 "when it stops answering (a standby taking over)")
      ->type_name("ADDR")
      ->envname("ROUTER_ADDR")
      ->capture_default_str();
  app.add_option("--listen", listen,
                 "HTTP address of the wallboard, host:port (port 0: any free one, logged). Plain "
                 "HTTP: keep it on loopback or the wall screens' own network, or put a TLS proxy "
                 "in front (docs/wallboard.md)")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  app.add_option("--token-file", token_file,
                 "file whose first line is a SUPERVISOR token of routerd: routerwall's own, for "
                 "reading routerd every interval even when nobody watches (the sparkline's "
                 "hour). Viewers still need their own token. Required; refused by routerd at "
                 "start: exit 1")
      ->type_name("FILE")
      ->required();
  app.add_option("--interval-s", interval_s,
                 "seconds between two reads of routerd, and between two updates of the page")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.2, 60.0))
      ->capture_default_str();
  app.add_option("--max-viewers", max_viewers,
                 "screens watching at once (event streams); one more is answered 503 and its "
                 "page tries again later")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->capture_default_str();
  app.add_option("--recheck-s", recheck_s,
                 "an open event stream asks routerd about its viewer's token again this often; "
                 "refused, the page is told and the stream ends (verdicts are remembered 10 s)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  app.add_option("--title", title, "the page's heading (a site's or a team's name)")
      ->type_name("TEXT")
      ->check([](const std::string& t) {
        return t.size() <= 80 ? std::string() : std::string("at most 80 characters");
      })
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  router::client_tls::Options tls;
  router::client_tls::add_flags(app, tls);
  router::client_channel::Options channel_options;
  router::client_channel::add_flags(app, channel_options);
  app.footer(
      "Exit status: 0 stopped by SIGINT/SIGTERM; 1 could not start (a flag's value, the token "
      "file, TLS files, routerd refusing the token, the listen address); other non-zero: bad "
      "command line.\n\nExample:\n  routerwall --target 127.0.0.1:50051 --token-file "
      "/etc/routerwall/token --listen 0.0.0.0:8090\n  then open http://HOST:8090/ and sign in, "
      "or http://HOST:8090/#token=TOKEN on a kiosk screen");
  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("routerwall");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  spdlog::set_level(spdlog::level::from_str(log_level));

  std::string error;
  const std::string token = read_token(token_file, error);
  if (token.empty()) return fail(error);
  struct stat info {};
  if (stat(token_file.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    spdlog::warn(
        "event=token_file_readable file={} detail=\"others may read the token; chmod "
        "600 it\"",
        token_file);
  }

  RouterdLink::Options link_options;
  link_options.addresses = router::client_channel::split_addresses(target);
  if (link_options.addresses.empty()) return fail("--target: no address given");
  link_options.credentials = router::client_tls::channel_credentials(tls, link_options.args, error);
  if (!link_options.credentials) return fail(error);
  link_options.domain = channel_options.domain;
  link_options.deadline = std::chrono::seconds(5);

  // Signals are taken by this thread only (sigwait); every thread started later inherits the
  // block: gRPC's, CivetWeb's, the sampler's.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  RouterdLink link(std::move(link_options));
  const auto interval = std::chrono::milliseconds(static_cast<int64_t>(interval_s * 1000));
  Feed feed;
  Sampler sampler(link, token, interval, feed, title);
  // The first read says whether routerd takes routerwall's token: a refusal is a configuration
  // error, reported now; routerd not answering is not (the board says so until it does).
  const grpc::Status first = sampler.sample();
  if (first.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      first.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return fail("routerd at " + link.address() + " refused the token of --token-file " +
                token_file + " (" + describe(first) + "); it needs a SUPERVISOR token");
  }
  if (!first.ok() && first.error_code() != grpc::StatusCode::UNAVAILABLE &&
      first.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    return fail("routerd at " + link.address() + " answered " + describe(first));
  }

  ViewerAuth auth(
      [&link](const std::string& viewer_token) {
        router::v1::GetQueueStatsResponse ignored;
        return link.queue_stats(viewer_token, &ignored);
      },
      kViewerTokenTtl);
  WallServerOptions server_options;
  server_options.listen = listen;
  server_options.max_viewers = max_viewers;
  server_options.recheck = std::chrono::milliseconds(static_cast<int64_t>(recheck_s * 1000));
  std::unique_ptr<WallServer> server;
  try {
    server = WallServer::start(server_options, feed, auth);
  } catch (const std::runtime_error& e) {
    return fail(e.what());
  }
  sampler.start();
  const std::string host = listen.substr(0, listen.rfind(':'));
  spdlog::info("event=serving url=http://{}:{}/ target={} interval_s={} max_viewers={}", host,
               server->port(), link.address(), interval_s, max_viewers);

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  spdlog::info("event=signal signal={} action=shutdown", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  feed.close();    // event streams end
  server.reset();  // CivetWeb's threads finish
  sampler.stop();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug or out of memory: say so rather than abort
    spdlog::critical("event=internal_error error=\"{}\"", e.what());
    return 3;
  }
}
