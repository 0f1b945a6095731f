// libFuzzer target: every router.v1 RPC's request, validated (adapters/grpc/validate.h) and, when
// valid, handed to the engine host (adapters/host), which translates it into engine commands, as
// routerd's services do. The RPCs are enumerated by protobuf reflection from router.proto's
// services; the input's first byte picks one (modulo their number), the rest is its serialized
// request. Each input gets a fresh host on the demo center (tools/routerd/demo/center.yaml) where
// agent a01 is logged in READY with a work stream, a02 NOT_READY, and interaction "fuzz-1" (a call
// to the sales line) has been offered to a01, so offers, transfers and moves have something to act
// on. Timers never fire (offer timeouts, wrap-up): time stands still.
// Beyond "no crash, no leak": a refused request's message names its field ("<field>: <what>").
#include <absl/status/status.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/config/routing_config.h"
#include "adapters/grpc/validate.h"
#include "adapters/host/routing_host.h"
#include "router/v1/router.pb.h"

namespace {

using router::adapters::host::RoutingHost;
namespace grpc_adapter = router::adapters::grpc;
namespace ports = router::adapters::ports;
namespace v1 = router::v1;

// The gateway every InteractionService call acts as (its own interactions by bare id).
const router::adapters::host::GatewayScope& fuzz_gateway() {
  static const router::adapters::host::GatewayScope scope{.gateway = "gw"};
  return scope;
}

// Runs posted work when drained, in order (the host's single thread).
class QueueExecutor final : public ports::Executor {
 public:
  void post(std::function<void()> fn) override { queue_.push_back(std::move(fn)); }
  void drain() {
    while (!queue_.empty()) {
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      fn();
    }
  }

 private:
  std::deque<std::function<void()>> queue_;
};

// Time stands still; timers are kept until cancelled or destroyed and never fire.
class StillClock final : public ports::Clock {
 public:
  router::engine::TimePoint now() const override {
    return router::engine::TimePoint(std::chrono::hours(1));
  }
  std::chrono::system_clock::time_point wall(router::engine::TimePoint t) const override {
    return kWallAtZero +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch());
  }
  router::engine::TimePoint from_wall(std::chrono::system_clock::time_point w) const override {
    return router::engine::TimePoint(
        std::chrono::duration_cast<router::engine::Duration>(w - kWallAtZero));
  }

  std::unique_ptr<ports::Timer> start_timer(router::engine::Duration,
                                            std::function<void()> fn) override {
    struct StillTimer final : ports::Timer {
      explicit StillTimer(std::function<void()> f) : fn(std::move(f)) {}
      void cancel() override { fn = nullptr; }
      std::function<void()> fn;
    };
    return std::make_unique<StillTimer>(std::move(fn));
  }

 private:
  // Friday 2024-10-04 08:00 UTC, so "now" is 11:00 in Berlin: the demo's sales-phone queue is open
  // (its opening hours would turn fuzz-1 into a scheduled callback at night or on a weekend).
  static constexpr std::chrono::system_clock::time_point kWallAtZero{
      std::chrono::hours(24 * 20000 + 8)};
};

// Every caller is anonymous.
class NoCustomers final : public ports::CustomerLookup {
 public:
  void lookup(const ports::CustomerKeys&, std::function<void(ports::LookupResult)> done) override {
    done(ports::LookupResult{});
  }
  void record_contact(const std::string&, const std::string&, int64_t) override {}
  std::string describe() const override { return "none"; }
};

// A stream whose reader keeps up, up to a bound.
template <class Message>
class SinkSubscriber final : public router::adapters::host::Subscriber<Message> {
 public:
  bool push(Message) override { return open_ && ++pushed_ <= 10'000; }
  void finish(absl::Status, bool) override { open_ = false; }
  bool open() const override { return open_; }

 private:
  bool open_ = true;
  size_t pushed_ = 0;
};

const router::adapters::config::RoutingModel& demo_model() {
  static const auto* model = [] {
    auto m = router::adapters::config::load_routing_config(ROUTER_FUZZ_DEMO_CONFIG);
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.error().message.c_str());
      std::abort();
    }
    return new router::adapters::config::RoutingModel(std::move(m).value());
  }();
  return *model;
}

void require_ok(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "fuzz set-up: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

// The host with its ports, in the state the file comment describes.
struct World {
  QueueExecutor executor;
  StillClock clock;
  std::unique_ptr<RoutingHost> host;

  World() {
    router::adapters::host::HostPorts ports;
    ports.executor = &executor;
    ports.clock = &clock;
    ports.customers = std::make_unique<NoCustomers>();
    auto created = RoutingHost::create(demo_model(), std::move(ports));
    require_ok(created.status(), "create");
    host = std::move(created).value();
    host->start();
    v1::AgentStatus status;
    v1::LoginRequest login;
    login.set_agent("a01");
    login.set_ready(true);
    require_ok(host->login(login, &status), "login a01");
    require_ok(host->stream_work("a01", std::make_shared<SinkSubscriber<v1::WorkEvent>>()),
               "stream_work a01");
    login.set_agent("a02");
    login.set_ready(false);
    require_ok(host->login(login, &status), "login a02");
    v1::SubmitInteractionRequest submit;
    submit.set_interaction_id("fuzz-1");
    submit.set_channel(v1::PHONE);
    submit.mutable_phone()->set_ani("+12125550137");
    submit.mutable_phone()->set_dnis("+18005550100");
    v1::SubmitInteractionResponse response;
    absl::Status answered = absl::UnknownError("no answer");
    host->submit("gw", submit, &response, [&answered](absl::Status s) { answered = s; });
    executor.drain();
    require_ok(answered, "submit fuzz-1");
    v1::Interaction offered;
    require_ok(host->get(fuzz_gateway(), "fuzz-1", &offered), "get fuzz-1");
    if (offered.state() != v1::OFFERED) {
      std::fprintf(stderr, "fuzz set-up: fuzz-1 is %s, not OFFERED\n",
                   v1::InteractionState_Name(offered.state()).c_str());
      std::abort();
    }
  }

  ~World() {
    executor.drain();
    host->drain();
    host->stop();
    executor.drain();
  }
};

void check_refusal(const ::grpc::Status& s) {
  if (s.ok()) return;
  if (grpc_adapter::field_of(s).empty()) {
    std::fprintf(stderr, "refusal names no field: \"%s\"\n", s.error_message().c_str());
    std::abort();
  }
}

// One RPC: parse, validate, then what the service does with a valid request.
using Call = std::function<void(World&, const uint8_t*, size_t)>;

template <class Request>
Call rpc(std::function<::grpc::Status(const Request&, const grpc_adapter::RequestLimits&)> check,
         std::function<void(World&, const Request&)> serve) {
  return [check = std::move(check), serve = std::move(serve)](World& w, const uint8_t* data,
                                                              size_t size) {
    Request request;
    if (!request.ParseFromArray(data, static_cast<int>(size))) return;
    const ::grpc::Status s = check(request, grpc_adapter::RequestLimits{});
    check_refusal(s);
    if (s.ok()) serve(w, request);
  };
}

template <class Request>
Call rpc(std::function<void(World&, const Request&)> serve) {
  return rpc<Request>(
      [](const Request& r, const grpc_adapter::RequestLimits& l) {
        return grpc_adapter::validate(r, l);
      },
      std::move(serve));
}

template <class Request, class Response>
Call unary(absl::Status (RoutingHost::*method)(const Request&, Response*)) {
  return rpc<Request>([method](World& w, const Request& r) {
    Response out;
    (void)((*w.host).*method)(r, &out);
  });
}

template <class Request, class Response>
Call unary(absl::Status (RoutingHost::*method)(const Request&, Response*) const) {
  return rpc<Request>([method](World& w, const Request& r) {
    Response out;
    (void)((*w.host).*method)(r, &out);
  });
}

// A call the host answers through `done` (ExplainRouting, GetReport): without a journal or a
// report store, as here, at once; the response is shared so that a later answer stays safe.
template <class Request, class Response>
Call async_unary(void (RoutingHost::*method)(const Request&, Response*,
                                             std::function<void(absl::Status)>)) {
  return rpc<Request>([method](World& w, const Request& r) {
    auto out = std::make_shared<Response>();
    ((*w.host).*method)(r, out.get(), [out](const absl::Status&) {});
  });
}

// Keyed by the method's full name ("router.v1.AgentService.Login"). Each entry mirrors
// adapters/grpc/services.cc.
std::map<std::string, std::pair<const google::protobuf::Descriptor*, Call>> calls() {
  std::map<std::string, std::pair<const google::protobuf::Descriptor*, Call>> c;
  const auto add = [&c](const char* name, const google::protobuf::Descriptor* type, Call call) {
    c[std::string("router.v1.") + name] = {type, std::move(call)};
  };
  add("InteractionService.SubmitInteraction", v1::SubmitInteractionRequest::descriptor(),
      rpc<v1::SubmitInteractionRequest>([](World& w, const v1::SubmitInteractionRequest& r) {
        v1::SubmitInteractionResponse response;
        w.host->submit("gw", r, &response, [](absl::Status) {});
        w.executor.drain();
      }));
  add("InteractionService.CancelInteraction", v1::CancelInteractionRequest::descriptor(),
      rpc<v1::CancelInteractionRequest>([](World& w, const v1::CancelInteractionRequest& r) {
        v1::Interaction out;
        (void)w.host->cancel(fuzz_gateway(), r, &out);
      }));
  add("InteractionService.GetInteraction", v1::GetInteractionRequest::descriptor(),
      rpc<v1::GetInteractionRequest>([](World& w, const v1::GetInteractionRequest& r) {
        v1::Interaction out;
        (void)w.host->get(fuzz_gateway(), r.interaction_id(), &out);
      }));
  add("InteractionService.WatchInteractions", v1::WatchInteractionsRequest::descriptor(),
      rpc<v1::WatchInteractionsRequest>([](World& w, const v1::WatchInteractionsRequest& r) {
        w.host->watch_interactions(fuzz_gateway(), r,
                                   std::make_shared<SinkSubscriber<v1::InteractionEvent>>());
      }));
  add("AgentService.Login", v1::LoginRequest::descriptor(), unary(&RoutingHost::login));
  add("AgentService.Logout", v1::LogoutRequest::descriptor(),
      rpc<v1::LogoutRequest>([](World& w, const v1::LogoutRequest& r) {
        v1::AgentStatus out;
        (void)w.host->logout(r.agent(), /*forced=*/false, &out);
      }));
  add("AgentService.SetState", v1::SetStateRequest::descriptor(), unary(&RoutingHost::set_state));
  add("AgentService.StreamWork", v1::StreamWorkRequest::descriptor(),
      rpc<v1::StreamWorkRequest>([](World& w, const v1::StreamWorkRequest& r) {
        (void)w.host->stream_work(r.agent(), std::make_shared<SinkSubscriber<v1::WorkEvent>>());
      }));
  add("AgentService.AcceptOffer", v1::OfferRequest::descriptor(), unary(&RoutingHost::accept));
  add("AgentService.RejectOffer", v1::OfferRequest::descriptor(), unary(&RoutingHost::reject));
  add("AgentService.CompleteInteraction", v1::CompleteRequest::descriptor(),
      unary(&RoutingHost::complete));
  add("AgentService.EndWrapUp", v1::OfferRequest::descriptor(), unary(&RoutingHost::end_wrap_up));
  add("AgentService.TransferInteraction", v1::TransferRequest::descriptor(),
      unary(&RoutingHost::transfer));
  add("SupervisorService.GetQueueStats", v1::GetQueueStatsRequest::descriptor(),
      unary(&RoutingHost::queue_stats));
  add("SupervisorService.ListAgents", v1::ListAgentsRequest::descriptor(),
      unary(&RoutingHost::list_agents));
  add("SupervisorService.ListInteractions", v1::ListInteractionsRequest::descriptor(),
      unary(&RoutingHost::list_interactions));
  add("SupervisorService.WatchQueues", v1::WatchQueuesRequest::descriptor(),
      rpc<v1::WatchQueuesRequest>([](World& w, const v1::WatchQueuesRequest& r) {
        (void)w.host->watch_queues(r,
                                   std::make_shared<SinkSubscriber<v1::GetQueueStatsResponse>>());
      }));
  add("SupervisorService.ExplainRouting", v1::ExplainRoutingRequest::descriptor(),
      async_unary(&RoutingHost::explain));
  add("SupervisorService.GetReport", v1::GetReportRequest::descriptor(),
      async_unary(&RoutingHost::report));
  // Served by the audit trail, not the host: only its validation is fuzzed here.
  add("SupervisorService.ListAudit", v1::ListAuditRequest::descriptor(),
      rpc<v1::ListAuditRequest>([](World&, const v1::ListAuditRequest&) {}));
  add("SupervisorService.UpdateAgentSkills", v1::UpdateAgentSkillsRequest::descriptor(),
      unary(&RoutingHost::update_skills));
  add("SupervisorService.ForceAgentState", v1::SetStateRequest::descriptor(),
      rpc<v1::SetStateRequest>(&grpc_adapter::validate_force_state,
                               [](World& w, const v1::SetStateRequest& r) {
                                 v1::AgentStatus out;
                                 (void)w.host->set_state(r, &out);
                               }));
  add("SupervisorService.SetInteractionPriority", v1::SetInteractionPriorityRequest::descriptor(),
      unary(&RoutingHost::set_priority));
  add("SupervisorService.MoveInteraction", v1::MoveInteractionRequest::descriptor(),
      unary(&RoutingHost::move));
  // The session streams: each message is its unary twin's request plus a correlation id
  // (adapters/grpc/gateway_stream.cc, agent_session.cc): the id's check, then the twin's call.
  const auto twin = [&c](const char* name) {
    return c.at(std::string("router.v1.") + name).second;
  };
  const auto via = [](const Call& call, const google::protobuf::Message& inner, World& w) {
    const std::string bytes = inner.SerializeAsString();
    call(w, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  };
  add("InteractionService.GatewayStream", v1::GatewayRequest::descriptor(),
      [via, submit = twin("InteractionService.SubmitInteraction"),
       cancel = twin("InteractionService.CancelInteraction"),
       watch = twin("InteractionService.WatchInteractions")](World& w, const uint8_t* data,
                                                             size_t size) {
        v1::GatewayRequest r;
        if (!r.ParseFromArray(data, static_cast<int>(size))) return;
        const ::grpc::Status s = grpc_adapter::check_correlation_id(r.correlation_id());
        check_refusal(s);
        if (!s.ok()) return;
        if (r.has_submit()) via(submit, r.submit(), w);
        if (r.has_cancel()) via(cancel, r.cancel(), w);
        if (r.has_watch()) via(watch, r.watch(), w);
      });
  const Call agent_request =
      [via, login = twin("AgentService.Login"), logout = twin("AgentService.Logout"),
       set_state = twin("AgentService.SetState"), accept = twin("AgentService.AcceptOffer"),
       reject = twin("AgentService.RejectOffer"),
       complete = twin("AgentService.CompleteInteraction"),
       end_wrap_up = twin("AgentService.EndWrapUp"),
       transfer = twin("AgentService.TransferInteraction")](World& w, const uint8_t* data,
                                                            size_t size) {
        v1::AgentRequest r;
        if (!r.ParseFromArray(data, static_cast<int>(size))) return;
        const ::grpc::Status s = grpc_adapter::check_correlation_id(r.correlation_id());
        check_refusal(s);
        if (!s.ok()) return;
        if (r.has_login()) via(login, r.login(), w);
        if (r.has_logout()) via(logout, r.logout(), w);
        if (r.has_set_state()) via(set_state, r.set_state(), w);
        if (r.has_accept()) via(accept, r.accept(), w);
        if (r.has_reject()) via(reject, r.reject(), w);
        if (r.has_complete()) via(complete, r.complete(), w);
        if (r.has_end_wrap_up()) via(end_wrap_up, r.end_wrap_up(), w);
        if (r.has_transfer()) via(transfer, r.transfer(), w);
      };
  add("AgentService.AgentSession", v1::AgentRequest::descriptor(), agent_request);
  add("AgentService.AgentLink", v1::AgentRequest::descriptor(), agent_request);
  add("AdminService.ReloadConfig", v1::ReloadConfigRequest::descriptor(),
      rpc<v1::ReloadConfigRequest>([](World& w, const v1::ReloadConfigRequest&) {
        (void)w.host->reload(demo_model());  // the file as it is: no change
      }));
  return c;
}

// The RPCs of router.proto's services in file order, each with its call. Aborts at start-up when
// an RPC has no entry in calls() or takes another request type: a new RPC must be added here.
std::vector<Call> enumerate_rpcs() {
  auto by_name = calls();
  std::vector<Call> rpcs;
  const google::protobuf::FileDescriptor* file = v1::SubmitInteractionRequest::descriptor()->file();
  for (int s = 0; s < file->service_count(); ++s) {
    const auto* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      const auto it = by_name.find(method->full_name());
      if (it == by_name.end() || it->second.first != method->input_type()) {
        std::fprintf(stderr, "request_fuzzer: no call for %s(%s)\n", method->full_name().c_str(),
                     method->input_type()->full_name().c_str());
        std::abort();
      }
      rpcs.push_back(std::move(it->second.second));
      by_name.erase(it);
    }
  }
  if (!by_name.empty()) {
    std::fprintf(stderr, "request_fuzzer: %s is no RPC of router.proto\n",
                 by_name.begin()->first.c_str());
    std::abort();
  }
  return rpcs;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf logs every string field it refuses as invalid UTF-8 (ParseFromArray then fails).
  google::protobuf::SetLogHandler(nullptr);
  // The host's log lines are formatted (the code under test) and dropped.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>()));
  spdlog::set_level(spdlog::level::debug);
  (void)demo_model();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Call> rpcs = enumerate_rpcs();
  if (size < 1) return 0;
  World world;
  rpcs[data[0] % rpcs.size()](world, data + 1, size - 1);
  return 0;
}
