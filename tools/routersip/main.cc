// routersip: the SIP gateway to routerd (docs/routersip.md). A trunk's INVITE becomes a PHONE
// interaction; routersip is also the desktop of its phone agents, rings the phone of the agent
// routerd offers the call to and bridges the two legs when that phone answers. The composition
// root: configuration, the SIP stack and its loop, the streams to routerd, metrics, readiness,
// signals.
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "adapters/http/readiness.h"
#include "tools/routersip/config.h"
#include "tools/routersip/router_link.h"
#include "tools/routersip/sip_stack.h"
#include "tools/routersip/switchboard.h"

namespace {

using router::sip::Config;

int fail(const std::string& message) {
  std::cerr << "routersip: error: " << message << '\n';
  return 2;
}

struct Metrics {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& calls =
      prometheus::BuildCounter()
          .Name("routersip_calls_total")
          .Help(
              "Calls from trunks by how they ended: bridged (to an agent's phone), abandoned "
              "(the caller hung up first), refused (routerd would not take it: 404/480/486), "
              "unavailable (503: routerd unreachable), over_capacity (503: sip.max_calls), "
              "expired (the queue's max_wait: 480), assigned_elsewhere (an agent on another "
              "desktop took it: 480), failed")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& legs =
      prometheus::BuildCounter()
          .Name("routersip_agent_legs_total")
          .Help(
              "Calls to agents' phones by outcome: answered, busy (486/600/603), no_answer (the "
              "offer timed out), withdrawn (routerd ended the offer), late (answered after the "
              "offer ended: hung up), failed (any other SIP failure)")
          .Register(*registry);
  prometheus::Gauge& active = prometheus::BuildGauge()
                                  .Name("routersip_calls")
                                  .Help("Calls in progress now (queued, ringing or bridged)")
                                  .Register(*registry)
                                  .Add({});
  prometheus::Family<prometheus::Gauge>& links =
      prometheus::BuildGauge()
          .Name("routersip_link_up")
          .Help("1 while the stream to routerd is up: gateway_stream, agent_link")
          .Register(*registry);
};

int run(int argc, char** argv) {
  CLI::App app{
      "routersip: a SIP gateway (back-to-back user agent) to routerd: trunk calls become PHONE "
      "interactions and are bridged to the phone of the agent routerd picks (docs/routersip.md)"};
  std::string config_path;
  bool check = false;
  app.add_option("--config", config_path, "configuration file (YAML; docs/routersip.md)")
      ->required();
  app.add_flag("--check", check, "check the configuration file and exit (0: valid)");
  CLI11_PARSE(app, argc, argv);

  auto loaded = router::sip::load_config(config_path);
  if (!loaded.ok()) return fail(loaded.error().message);
  const Config config = loaded.value();
  if (check) {
    std::cout << config_path << ": ok (sip " << config.listen << ", " << config.phones.size()
              << " phone agents, routerd " << config.routerd.addresses.front()
              << (config.routerd.tls.enabled() ? ", TLS" : ", plaintext") << ")\n";
    return 0;
  }

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
  std::unique_ptr<router::adapters::http::ReadinessListener> readiness;
  if (!config.readiness_listen.empty()) {
    auto started = router::adapters::http::ReadinessListener::start(config.readiness_listen);
    if (!started.ok()) return fail(config_path + ": readiness_listen: " + started.error().message);
    readiness = std::move(started).value();
    readiness->set_ready(false, "routerd_unavailable");
  }

  auto stack = router::sip::SipStack::create(config);
  if (!stack.ok()) return fail(config_path + ": " + stack.error().message);
  router::sip::SipStack& sip = *stack.value();

  router::sip::SwitchboardOptions options;
  options.agents = config.phones;
  options.max_calls = config.max_calls;
  options.ready_after_missed = config.ready_after_missed;
  options.gateway = config.gateway;
  router::sip::Outcomes outcomes;
  outcomes.call = [&metrics](const std::string& r) {
    metrics.calls.Add({{"result", r}}).Increment();
    spdlog::info("event=call_ended result={}", r);
  };
  outcomes.leg = [&metrics](const std::string& r) {
    metrics.legs.Add({{"result", r}}).Increment();
  };

  std::unique_ptr<router::sip::Switchboard> board;
  router::sip::LinkHooks hooks;
  auto link_state = [&](const char* name, bool up) {
    metrics.links.Add({{"link", name}}).Set(up ? 1 : 0);
    if (readiness) {
      const bool ready = board->gateway_up() && board->agents_up();
      readiness->set_ready(ready, ready ? "" : "routerd_unavailable");
    }
  };
  hooks.gateway_link = [&](bool up) {
    board->on_gateway_link(up);
    link_state("gateway_stream", up);
  };
  hooks.agent_link = [&](bool up) {
    board->on_agent_link(up);
    link_state("agent_link", up);
  };
  hooks.gateway_event = [&](const router::v1::InteractionEvent& e) { board->on_gateway_event(e); };
  hooks.work = [&](const std::string& agent, const router::v1::WorkEvent& e) {
    board->on_work(agent, e);
  };
  auto links = router::sip::RouterLinks::create(
      config, [&sip](std::function<void()> fn) { sip.post(std::move(fn)); }, hooks);
  if (!links.ok()) return fail(config_path + ": " + links.error().message);
  board = std::make_unique<router::sip::Switchboard>(sip, *links.value(), options, outcomes);
  sip.attach(board.get());

  bool stopping = false;
  std::chrono::steady_clock::time_point stop_by;
  sip.every(std::chrono::milliseconds(200), [&] {
    const auto now = std::chrono::steady_clock::now();
    board->tick(now);
    metrics.active.Set(static_cast<double>(board->calls()));
    // Stopping: once every call and leg has ended (or 3 s passed), the stack shuts down.
    if (stopping && ((board->calls() == 0 && board->legs() == 0) || now > stop_by)) sip.stop();
  });
  std::thread signal_thread([&] {
    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    spdlog::info("event=signal signal={} action=shutdown", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    sip.post([&] {
      stopping = true;
      stop_by = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      board->shut_down();
    });
  });
  links.value()->start();
  spdlog::info("event=started sip={} phones={} routerd={} tls={}", config.listen,
               config.phones.size(), config.routerd.addresses.front(),
               config.routerd.tls.enabled() ? "yes" : "no");
  sip.run();
  links.value()->stop(std::chrono::seconds(2));  // the logouts and completions go out first
  signal_thread.join();
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
