// routermail: mail ingestion for routerd (docs/routermail.md). A mail server delivers over LMTP
// (RFC 2033); each message becomes an EMAIL SubmitInteraction per recipient, answered 250 only
// after routerd acknowledged it. The composition root: configuration, the delivery to routerd,
// the LMTP listener, metrics and readiness, signals.
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/http/readiness.h"
#include "tools/routermail/config.h"
#include "tools/routermail/delivery.h"
#include "tools/routermail/mail_message.h"
#include "tools/routermail/server.h"

namespace {

using router::mail::Config;

int fail(const std::string& message) {
  std::cerr << "routermail: error: " << message << '\n';
  return 2;
}

// routermail_deliveries_total{result}, routermail_connections.
struct Metrics {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& results =
      prometheus::BuildCounter()
          .Name("routermail_deliveries_total")
          .Help(
              "Recipients' copies by what became of them: delivered, duplicate (delivered "
              "before), deferred (451: routerd unavailable), rejected (550), too_big (552), "
              "unparsable (554)")
          .Register(*registry);
  prometheus::Gauge& connections = prometheus::BuildGauge()
                                       .Name("routermail_connections")
                                       .Help("LMTP connections open now")
                                       .Register(*registry)
                                       .Add({});
  void count(std::string_view result) {
    results.Add({{"result", std::string(result)}}).Increment();
  }
};

int run(int argc, char** argv) {
  CLI::App app{
      "routermail: takes mail from a mail server over LMTP and submits each message to routerd "
      "as an EMAIL interaction (docs/routermail.md)"};
  std::string config_path;
  bool check = false;
  app.add_option("--config", config_path, "configuration file (YAML; docs/routermail.md)")
      ->required();
  app.add_flag("--check", check, "check the configuration file and exit (0: valid)");
  CLI11_PARSE(app, argc, argv);

  auto loaded = router::mail::load_config(config_path);
  if (!loaded.ok()) return fail(loaded.error().message);
  const Config config = loaded.value();
  if (check) {
    std::cout << config_path << ": ok (lmtp " << config.listen << ", routerd "
              << config.routerd.addresses.front()
              << (config.routerd.tls.enabled() ? ", TLS" : ", plaintext") << ")\n";
    return 0;
  }
  router::mail::init_gmime();

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Metrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!config.metrics_listen.empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(config.metrics_listen);
    } catch (const std::exception& e) {
      return fail(config_path + ": metrics_listen: cannot listen on '" + config.metrics_listen +
                  "': " + e.what());
    }
    exposer->RegisterCollectable(metrics.registry);
  }
  auto delivery = router::mail::Delivery::create(
      config, [&metrics](std::string_view result) { metrics.count(result); });
  if (!delivery.ok()) return fail(config_path + ": " + delivery.error().message);
  router::mail::Delivery& to_routerd = *delivery.value();

  std::unique_ptr<router::adapters::http::ReadinessListener> readiness;
  if (!config.readiness_listen.empty()) {
    auto started = router::adapters::http::ReadinessListener::start(config.readiness_listen);
    if (!started.ok()) return fail(config_path + ": readiness_listen: " + started.error().message);
    readiness = std::move(started).value();
  }
  auto server = router::mail::LmtpServer::start(
      config,
      [&to_routerd](const router::mail::Envelope& e, const std::string& message) {
        auto replies = to_routerd.deliver(e, message);
        for (size_t i = 0; i < e.recipients.size() && i < replies.size(); ++i) {
          spdlog::info("event=delivery rcpt={} bytes={} reply=\"{}\"", e.recipients[i],
                       message.size(), replies[i]);
        }
        return replies;
      },
      [&metrics](size_t recipients) {
        for (size_t i = 0; i < recipients; ++i) metrics.count("too_big");
      },
      [&metrics](int open) { metrics.connections.Set(open); });
  if (!server.ok()) return fail(config_path + ": " + server.error().message);
  spdlog::info("event=started lmtp={}:{} routerd={} tls={} max_message_bytes={}",
               config.listen.substr(0, config.listen.rfind(':')), server.value()->port(),
               config.routerd.addresses.front(), config.routerd.tls.enabled() ? "yes" : "no",
               config.limits.max_message_bytes);

  // Readiness follows routerd's health: a mail server (or HAProxy) sends mail elsewhere while
  // routerd cannot take it.
  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread checker;
  if (readiness) {
    checker = std::thread([&] {
      std::unique_lock lock(mu);
      while (!stopping) {
        lock.unlock();
        const bool serving = to_routerd.routerd_serving();
        readiness->set_ready(serving, serving ? "" : "routerd_unavailable");
        lock.lock();
        wake.wait_for(lock, std::chrono::seconds(5), [&] { return stopping; });
      }
    });
  }

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  spdlog::info("event=signal signal={} action=shutdown", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  wake.notify_all();
  if (checker.joinable()) checker.join();
  server.value()->stop();  // current commands finish; messages being received are not lost
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    spdlog::critical("event=internal_error error=\"{}\"", e.what());
    return 3;
  }
}
