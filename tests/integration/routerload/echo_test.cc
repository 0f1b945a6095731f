// routerecho answers like routerd: an in-process EchoServer on 127.0.0.1:0 driven by real
// router.v1 stubs over a loopback channel (the same calls routerload makes), and the real
// routerecho binary started, asked once and stopped with SIGTERM.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/model.h"
#include "router/v1/router.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tools/routerload/echo_service.h"

namespace router::load {
namespace {

namespace v1 = ::router::v1;
using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

constexpr Millis kCallDeadline = 5s;
constexpr Millis kEventTimeout = 3s;

std::unique_ptr<grpc::ClientContext> context() {
  auto c = std::make_unique<grpc::ClientContext>();
  // routerload sends its tokens; routerecho accepts any metadata.
  c->AddMetadata("authorization", "Bearer any-token");
  c->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return c;
}

// A WorkEvent as one word: "offer", "heartbeat", "status:BUSY", "update:ASSIGNED".
std::string kind(const v1::WorkEvent& e) {
  if (e.has_offer()) return "offer";
  if (e.has_heartbeat()) return "heartbeat";
  if (e.has_status()) return "status:" + v1::AgentState_Name(e.status().state());
  if (e.has_update()) return "update:" + v1::InteractionState_Name(e.update().state());
  return "empty";
}

// Reads one StreamWork on its own thread; the test thread waits for events with a deadline.
// Heartbeats are kept apart, so that the lifecycle's events can be compared in order.
class WorkStream {
 public:
  WorkStream(v1::AgentService::Stub& stub, const std::string& agent) {
    context_.AddMetadata("authorization", "Bearer any-token");
    v1::StreamWorkRequest request;
    request.set_agent(agent);
    reader_ = stub.StreamWork(&context_, request);
    thread_ = std::thread([this] { read_all(); });
  }
  ~WorkStream() {
    context_.TryCancel();
    thread_.join();
  }
  WorkStream(const WorkStream&) = delete;
  WorkStream& operator=(const WorkStream&) = delete;

  // The next event other than a heartbeat, or nothing when none comes within `timeout`.
  std::optional<v1::WorkEvent> next(Millis timeout = kEventTimeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return cursor_ < events_.size() || ended_; })) {
      return std::nullopt;
    }
    if (cursor_ == events_.size()) return std::nullopt;
    return events_[cursor_++];
  }
  // The kinds of the next `n` events other than heartbeats (fewer if they do not come in time).
  std::vector<std::string> next_kinds(size_t n) {
    std::vector<std::string> kinds;
    for (size_t i = 0; i < n; ++i) {
      auto e = next();
      if (!e) break;
      kinds.push_back(kind(*e));
    }
    return kinds;
  }
  // Whether another event other than a heartbeat comes within `quiet`.
  bool silent_for(Millis quiet) { return !next(quiet).has_value(); }
  size_t heartbeats() const {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }
  std::optional<grpc::Status> wait_end(Millis timeout = kEventTimeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return ended_; })) return std::nullopt;
    return status_;
  }

 private:
  void read_all() {
    v1::WorkEvent event;
    while (reader_->Read(&event)) {
      std::lock_guard lock(mu_);
      if (event.has_heartbeat()) {
        ++heartbeats_;
      } else {
        events_.push_back(event);
      }
      cv_.notify_all();
    }
    grpc::Status status = reader_->Finish();
    std::lock_guard lock(mu_);
    status_ = std::move(status);
    ended_ = true;
    cv_.notify_all();
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WorkEvent>> reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::WorkEvent> events_;
  size_t cursor_ = 0;
  size_t heartbeats_ = 0;
  bool ended_ = false;
  grpc::Status status_;
  std::thread thread_;
};

template <class T>
struct Reply {
  grpc::Status status;
  T value;
};

// Stubs of both services on one loopback channel to `port`.
class Clients {
 public:
  explicit Clients(int port)
      : channel_(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials())),
        interactions_(v1::InteractionService::NewStub(channel_)),
        agents_(v1::AgentService::NewStub(channel_)) {}

  v1::AgentService::Stub& agents() { return *agents_; }

  Reply<v1::SubmitInteractionResponse> submit(const v1::SubmitInteractionRequest& request) {
    Reply<v1::SubmitInteractionResponse> r;
    r.status = interactions_->SubmitInteraction(context().get(), request, &r.value);
    return r;
  }
  Reply<v1::CancelInteractionResponse> cancel(const std::string& id) {
    v1::CancelInteractionRequest request;
    request.set_interaction_id(id);
    request.set_reason("caller_hangup");
    Reply<v1::CancelInteractionResponse> r;
    r.status = interactions_->CancelInteraction(context().get(), request, &r.value);
    return r;
  }
  Reply<v1::AgentStatus> login(const std::string& agent, bool ready) {
    v1::LoginRequest request;
    request.set_agent(agent);
    request.set_ready(ready);
    Reply<v1::AgentStatus> r;
    r.status = agents_->Login(context().get(), request, &r.value);
    return r;
  }
  Reply<v1::AgentStatus> set_state(const std::string& agent, v1::AgentState state) {
    v1::SetStateRequest request;
    request.set_agent(agent);
    request.set_state(state);
    Reply<v1::AgentStatus> r;
    r.status = agents_->SetState(context().get(), request, &r.value);
    return r;
  }
  using OfferCall = grpc::Status (v1::AgentService::Stub::*)(grpc::ClientContext*,
                                                             const v1::OfferRequest&,
                                                             v1::AgentStatus*);
  Reply<v1::AgentStatus> on_offer(OfferCall call, const std::string& agent, const std::string& id) {
    v1::OfferRequest request;
    request.set_agent(agent);
    request.set_interaction_id(id);
    Reply<v1::AgentStatus> r;
    r.status = ((*agents_).*call)(context().get(), request, &r.value);
    return r;
  }
  Reply<v1::AgentStatus> accept(const std::string& agent, const std::string& id) {
    return on_offer(&v1::AgentService::Stub::AcceptOffer, agent, id);
  }
  Reply<v1::AgentStatus> reject(const std::string& agent, const std::string& id) {
    return on_offer(&v1::AgentService::Stub::RejectOffer, agent, id);
  }
  Reply<v1::AgentStatus> end_wrap_up(const std::string& agent, const std::string& id) {
    return on_offer(&v1::AgentService::Stub::EndWrapUp, agent, id);
  }
  Reply<v1::AgentStatus> complete(const std::string& agent, const std::string& id) {
    v1::CompleteRequest request;
    request.set_agent(agent);
    request.set_interaction_id(id);
    request.set_wrap_up_code("resolved");
    Reply<v1::AgentStatus> r;
    r.status = agents_->CompleteInteraction(context().get(), request, &r.value);
    return r;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::InteractionService::Stub> interactions_;
  std::unique_ptr<v1::AgentService::Stub> agents_;
};

v1::SubmitInteractionRequest phone_call(const std::string& id, const std::string& ani) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::PHONE);
  r.mutable_phone()->set_ani(ani);
  r.mutable_phone()->set_dnis("+18005550100");
  r.mutable_phone()->set_ivr_path("main>billing");
  return r;
}

std::string describe(const grpc::Status& s) {
  return std::to_string(static_cast<int>(s.error_code())) + ": " + s.error_message();
}

// An in-process routerecho with connected clients.
struct EchoFixture {
  explicit EchoFixture(EchoOptions options = {}) : server(EchoServer::start(options)) {
    REQUIRE(server->port() > 0);
    clients = std::make_unique<Clients>(server->port());
  }
  std::unique_ptr<EchoServer> server;
  std::unique_ptr<Clients> clients;
};

// An agent desktop as routerload runs one: logs in NOT_READY, opens StreamWork (its first event
// is the agent's status), goes READY. With work waiting, going READY is answered RESERVED: the
// offer follows at once and, as in routerd, statuses are rendered after the command.
std::unique_ptr<WorkStream> ready_desk(Clients& c, const std::string& agent,
                                       bool work_waiting = false) {
  auto login = c.login(agent, /*ready=*/false);
  INFO("Login: " << describe(login.status));
  REQUIRE(login.status.ok());
  CHECK(login.value.state() == v1::NOT_READY);
  CHECK(login.value.reason() == "login");
  auto work = std::make_unique<WorkStream>(c.agents(), agent);
  CHECK(work->next_kinds(1) == std::vector<std::string>{"status:NOT_READY"});
  auto ready = c.set_state(agent, v1::READY);
  INFO("SetState: " << describe(ready.status));
  REQUIRE(ready.status.ok());
  const v1::AgentState expected = work_waiting ? v1::RESERVED : v1::READY;
  CHECK(ready.value.state() == expected);
  CHECK(work->next_kinds(1) == std::vector<std::string>{"status:" + v1::AgentState_Name(expected)});
  return work;
}

TEST_CASE(
    "a submitted interaction is offered on the agent's stream and its whole lifecycle answers OK "
    "with the stream events routerd sends",
    "[routerecho]") {
  EchoFixture fx;
  Clients& c = *fx.clients;
  auto work = ready_desk(c, "ana");

  auto submitted = c.submit(phone_call("call-1", "+14155550100"));
  INFO("SubmitInteraction: " << describe(submitted.status));
  REQUIRE(submitted.status.ok());
  CHECK_FALSE(submitted.value.replayed());
  const v1::Interaction& answered = submitted.value.interaction();
  CHECK(answered.interaction_id() == "call-1");
  CHECK(answered.channel() == v1::PHONE);
  CHECK(answered.state() == v1::OFFERED);
  CHECK(answered.agent() == "ana");
  CHECK_FALSE(answered.queue().empty());
  CHECK(answered.has_arrived());
  CHECK(answered.phone().ani() == "+14155550100");
  // A customer filled like one matched in Redis.
  CHECK_FALSE(answered.customer().customer_id().empty());
  CHECK_FALSE(answered.customer().name().empty());
  CHECK(answered.customer().segment() != v1::SEGMENT_UNSPECIFIED);
  CHECK(answered.customer().lifetime_value() > 0);
  CHECK(answered.customer().matched_by() == "phone");

  auto offer = work->next();
  REQUIRE(offer.has_value());
  REQUIRE(offer->has_offer());
  CHECK(offer->has_at());
  CHECK(offer->offer().interaction().interaction_id() == "call-1");
  CHECK(offer->offer().interaction().state() == v1::OFFERED);
  CHECK(offer->offer().interaction().agent() == "ana");
  CHECK(offer->offer().interaction().customer().customer_id() == answered.customer().customer_id());
  CHECK(offer->offer().has_expires());
  // Every term of the engine, adding up to the total.
  REQUIRE(offer->offer().breakdown_size() == ::router::engine::kTermCount);
  double sum = 0;
  for (const auto& term : offer->offer().breakdown()) {
    CHECK_FALSE(term.term().empty());
    sum += term.points();
  }
  CHECK(sum == Approx(offer->offer().points()).margin(1e-9));
  CHECK(work->next_kinds(1) == std::vector<std::string>{"status:RESERVED"});

  auto accepted = c.accept("ana", "call-1");
  INFO("AcceptOffer: " << describe(accepted.status));
  REQUIRE(accepted.status.ok());
  CHECK(accepted.value.agent() == "ana");
  CHECK(accepted.value.state() == v1::BUSY);
  CHECK(std::vector<std::string>(accepted.value.work().begin(), accepted.value.work().end()) ==
        std::vector<std::string>{"call-1"});
  CHECK(work->next_kinds(2) == std::vector<std::string>{"update:ASSIGNED", "status:BUSY"});

  auto completed = c.complete("ana", "call-1");
  REQUIRE(completed.status.ok());
  CHECK(completed.value.state() == v1::AGENT_WRAP_UP);
  CHECK(work->next_kinds(2) == std::vector<std::string>{"update:WRAP_UP", "status:AGENT_WRAP_UP"});

  auto ended = c.end_wrap_up("ana", "call-1");
  REQUIRE(ended.status.ok());
  CHECK(ended.value.state() == v1::READY);
  CHECK(ended.value.handled() == 1);
  CHECK(ended.value.work_size() == 0);
  auto done = work->next();
  REQUIRE(done.has_value());
  REQUIRE(done->has_update());
  CHECK(done->update().state() == v1::COMPLETED);
  CHECK(done->update().agent() == "ana");
  CHECK(work->next_kinds(1) == std::vector<std::string>{"status:READY"});
  CHECK(work->silent_for(100ms));

  const EchoCounters counters = fx.server->counters();
  CHECK(counters.submitted == 1);
  CHECK(counters.offered == 1);
  CHECK(counters.accepted == 1);
  CHECK(counters.completed == 1);
  CHECK(counters.live == 0);
}

TEST_CASE(
    "with no free agent interactions wait and are offered oldest first when an agent ends wrap-up "
    "or comes READY",
    "[routerecho]") {
  EchoFixture fx;
  Clients& c = *fx.clients;
  auto ana = ready_desk(c, "ana");

  REQUIRE(c.submit(phone_call("a", "+14155550100")).status.ok());
  CHECK(ana->next_kinds(2) == std::vector<std::string>{"offer", "status:RESERVED"});
  auto b = c.submit(phone_call("b", "+14155550101"));
  auto d = c.submit(phone_call("d", "+14155550102"));
  REQUIRE(b.status.ok());
  REQUIRE(d.status.ok());
  CHECK(b.value.interaction().state() == v1::QUEUED);
  CHECK(b.value.interaction().position() == 1);
  CHECK(b.value.interaction().ewt_s() > 0);
  CHECK(b.value.interaction().agent().empty());
  CHECK(d.value.interaction().state() == v1::QUEUED);
  CHECK(d.value.interaction().position() == 2);
  CHECK(fx.server->counters().waiting == 2);

  REQUIRE(c.accept("ana", "a").status.ok());
  REQUIRE(c.complete("ana", "a").status.ok());
  CHECK(ana->next_kinds(4) == std::vector<std::string>{"update:ASSIGNED", "status:BUSY",
                                                       "update:WRAP_UP", "status:AGENT_WRAP_UP"});
  CHECK(ana->silent_for(100ms));  // busy: nothing more while in wrap-up

  // Ending wrap-up frees ana: the oldest waiting one ("b") is offered at once.
  auto ended = c.end_wrap_up("ana", "a");
  REQUIRE(ended.status.ok());
  CHECK(ended.value.state() == v1::RESERVED);
  CHECK(std::vector<std::string>(ended.value.work().begin(), ended.value.work().end()) ==
        std::vector<std::string>{"b"});
  CHECK(ana->next_kinds(2) == std::vector<std::string>{"update:COMPLETED", "status:RESERVED"});
  auto offer_b = ana->next();
  REQUIRE(offer_b.has_value());
  REQUIRE(offer_b->has_offer());
  CHECK(offer_b->offer().interaction().interaction_id() == "b");
  CHECK(ana->next_kinds(1) == std::vector<std::string>{"status:RESERVED"});

  // A second agent coming READY takes the next one ("d").
  auto ben = ready_desk(c, "ben", /*work_waiting=*/true);
  auto offer_d = ben->next();
  REQUIRE(offer_d.has_value());
  REQUIRE(offer_d->has_offer());
  CHECK(offer_d->offer().interaction().interaction_id() == "d");
  CHECK(offer_d->offer().interaction().agent() == "ben");
  CHECK(ben->next_kinds(1) == std::vector<std::string>{"status:RESERVED"});
  CHECK(fx.server->counters().waiting == 0);
}

TEST_CASE(
    "a repeated submit replays the same interaction and accepting one not offered to the agent is "
    "FAILED_PRECONDITION",
    "[routerecho]") {
  EchoFixture fx;
  Clients& c = *fx.clients;
  auto ana = ready_desk(c, "ana");
  auto ben = ready_desk(c, "ben");

  auto first = c.submit(phone_call("x", "+14155550100"));
  REQUIRE(first.status.ok());
  CHECK_FALSE(first.value.replayed());
  const std::string holder = first.value.interaction().agent();
  REQUIRE((holder == "ana" || holder == "ben"));
  const std::string other = holder == "ana" ? "ben" : "ana";

  auto again = c.submit(phone_call("x", "+14155550100"));
  REQUIRE(again.status.ok());
  CHECK(again.value.replayed());
  CHECK(again.value.interaction().interaction_id() == "x");
  CHECK(again.value.interaction().state() == v1::OFFERED);
  CHECK(again.value.interaction().agent() == holder);
  CHECK(again.value.interaction().customer().customer_id() ==
        first.value.interaction().customer().customer_id());
  CHECK(fx.server->counters().submitted == 1);
  CHECK(fx.server->counters().offered == 1);

  CHECK(c.accept(other, "x").status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(c.accept(holder, "nope").status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(c.complete(holder, "nope").status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(c.end_wrap_up(holder, "nope").status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(c.accept("nobody", "x").status.error_code() == grpc::StatusCode::NOT_FOUND);

  REQUIRE(c.accept(holder, "x").status.ok());
  // Accepted twice: it is not offered any more.
  CHECK(c.accept(holder, "x").status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(c.complete(holder, "x").status.ok());
  REQUIRE(c.end_wrap_up(holder, "x").status.ok());

  // A finished one is remembered: a repeat replays it as it ended, never a second interaction.
  auto late = c.submit(phone_call("x", "+14155550100"));
  REQUIRE(late.status.ok());
  CHECK(late.value.replayed());
  CHECK(late.value.interaction().state() == v1::COMPLETED);
  CHECK(late.value.interaction().agent() == holder);
  CHECK(c.end_wrap_up(holder, "x").status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(fx.server->counters().submitted == 1);
}

TEST_CASE("a rejected offer goes to another free agent and the rejecting agent sees it requeued",
          "[routerecho]") {
  EchoFixture fx;
  Clients& c = *fx.clients;
  auto ana = ready_desk(c, "ana");
  REQUIRE(c.submit(phone_call("r", "+14155550100")).status.ok());
  CHECK(ana->next_kinds(2) == std::vector<std::string>{"offer", "status:RESERVED"});
  auto ben = ready_desk(c, "ben");  // free now; "r" is ana's

  auto rejected = c.reject("ana", "r");
  REQUIRE(rejected.status.ok());
  CHECK(rejected.value.state() == v1::READY);
  // As routerd publishes it: the update shows the interaction as the command left it.
  auto update = ana->next();
  REQUIRE(update.has_value());
  REQUIRE(update->has_update());
  CHECK(update->update().interaction_id() == "r");
  CHECK(update->update().state() == v1::OFFERED);
  CHECK(update->update().agent() == "ben");
  CHECK(ana->next_kinds(1) == std::vector<std::string>{"status:READY"});
  CHECK(ben->next_kinds(2) == std::vector<std::string>{"offer", "status:RESERVED"});
}

TEST_CASE("a cancelled waiting interaction is abandoned and never offered", "[routerecho]") {
  EchoFixture fx;
  Clients& c = *fx.clients;
  REQUIRE(c.submit(phone_call("gone", "anonymous")).status.ok());
  auto cancelled = c.cancel("gone");
  REQUIRE(cancelled.status.ok());
  CHECK(cancelled.value.interaction().state() == v1::ABANDONED);
  CHECK(cancelled.value.interaction().customer().customer_id().empty());  // withheld caller id
  CHECK(c.cancel("gone").status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(c.cancel("never").status.error_code() == grpc::StatusCode::NOT_FOUND);

  auto ana = ready_desk(c, "ana");
  CHECK(ana->silent_for(100ms));
  CHECK(fx.server->counters().offered == 0);
  CHECK(fx.server->counters().cancelled == 1);
}

TEST_CASE("with agent capacity 2 an agent busy with one interaction is offered a second",
          "[routerecho]") {
  EchoOptions options;
  options.agent_capacity = 2;
  EchoFixture fx(options);
  Clients& c = *fx.clients;
  auto ana = ready_desk(c, "ana");
  REQUIRE(c.submit(phone_call("one", "+14155550100")).status.ok());
  REQUIRE(c.submit(phone_call("two", "+14155550101")).status.ok());
  CHECK(ana->next_kinds(2) == std::vector<std::string>{"offer", "status:RESERVED"});
  auto accepted = c.accept("ana", "one");
  REQUIRE(accepted.status.ok());
  CHECK(accepted.value.state() == v1::RESERVED);
  CHECK(ana->next_kinds(4) ==
        std::vector<std::string>{"update:ASSIGNED", "status:RESERVED", "offer", "status:RESERVED"});
}

TEST_CASE("every open work stream gets a heartbeat each heartbeat period and ends OK at shutdown",
          "[routerecho]") {
  EchoOptions options;
  options.heartbeat = 50ms;
  EchoFixture fx(options);
  auto ana = ready_desk(*fx.clients, "ana");
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (ana->heartbeats() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(ana->heartbeats() >= 3);
  fx.server->shutdown(1s);
  auto end = ana->wait_end();
  REQUIRE(end.has_value());
  CHECK(end->ok());
}

// ---------------------------------------------------------------------------------------------
// The binary, as routerload starts it.

// routerecho as a child process with its stdout on a pipe; SIGKILLed if still running at the end.
class EchoProcess {
 public:
  EchoProcess()
      : process_({ROUTERECHO_PATH, "--listen", "127.0.0.1:0", "--heartbeat-s", "1"},
                 it::ChildOptions{.out = it::ChildOutput::kPipe,
                                  .err = it::ChildOutput::kInherit,
                                  .log = {},
                                  .append_log = false,
                                  .stdin_null = false,
                                  .env = std::nullopt}) {}

  // The first line on its stdout, or nothing within `timeout`.
  std::optional<std::string> first_line(Millis timeout) { return process_.read_line(timeout); }
  void signal(int sig) const { process_.signal(sig); }
  // The exit status (128 + n when killed by signal n) once it has exited within `timeout`.
  std::optional<int> wait_exit(Millis timeout) { return process_.wait_exit(timeout); }

 private:
  it::ChildProcess process_;
};

TEST_CASE(
    "the routerecho binary prints its port, answers a submit and exits 0 within a second of "
    "SIGTERM",
    "[routerecho]") {
  EchoProcess echo;
  auto line = echo.first_line(10s);
  REQUIRE(line.has_value());
  const std::string prefix = "routerecho listening on 127.0.0.1:";
  REQUIRE(line->rfind(prefix, 0) == 0);
  const int port = std::stoi(line->substr(prefix.size()));
  REQUIRE(port > 0);

  Clients c(port);
  auto ana = ready_desk(c, "ana");
  auto submitted = c.submit(phone_call("bin-1", "+14155550100"));
  INFO("SubmitInteraction: " << describe(submitted.status));
  REQUIRE(submitted.status.ok());
  CHECK(submitted.value.interaction().agent() == "ana");
  CHECK(ana->next_kinds(2) == std::vector<std::string>{"offer", "status:RESERVED"});

  const auto asked = std::chrono::steady_clock::now();
  echo.signal(SIGTERM);
  auto status = echo.wait_exit(5s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(std::chrono::steady_clock::now() - asked < 1s);
  auto end = ana->wait_end();
  REQUIRE(end.has_value());
  CHECK(end->ok());
}

}  // namespace
}  // namespace router::load
