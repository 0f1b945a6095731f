// InteractionService.GatewayStream over a real loopback routerd: the window first, submits and
// cancels answered by correlation id with their unary twins' meaning (validation, NOT_FOUND,
// idempotency across the stream and the unary call), auth at open, the in-flight bound (with
// submits held in flight by a paused Redis), the stream's watch scoped to its own gateway, a
// stream cut mid-flight, a client that stops reading, half-close and routerd's drain.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/grpc/fixture.h"
#include "tests/support/redis_server.h"

namespace router::it {
namespace {

// A gateway's stream: the test thread writes, a thread of its own reads every response into a
// list the test waits on (with a deadline), as EventStream does for server streams.
class GatewayLink {
 public:
  explicit GatewayLink(Clients& clients, const std::string& token = kGatewayToken)
      : context_(context_for(token, Millis(0))),
        stream_(clients.stub<v1::InteractionService::Stub>().GatewayStream(context_.get())) {
    thread_ = std::thread([this] { read_all(); });
  }
  ~GatewayLink() {
    context_->TryCancel();
    thread_.join();
  }
  GatewayLink(const GatewayLink&) = delete;
  GatewayLink& operator=(const GatewayLink&) = delete;

  bool send(const v1::GatewayRequest& request) { return stream_->Write(request); }
  bool submit(const std::string& id, const v1::SubmitInteractionRequest& submit) {
    v1::GatewayRequest r;
    r.set_correlation_id(id);
    *r.mutable_submit() = submit;
    return send(r);
  }
  bool cancel(const std::string& id, const std::string& interaction_id) {
    v1::GatewayRequest r;
    r.set_correlation_id(id);
    r.mutable_cancel()->set_interaction_id(interaction_id);
    r.mutable_cancel()->set_reason("caller_hangup");
    return send(r);
  }
  bool watch(const std::string& id) {
    v1::GatewayRequest r;
    r.set_correlation_id(id);
    r.mutable_watch();
    return send(r);
  }
  void writes_done() { stream_->WritesDone(); }
  void cut() { context_->TryCancel(); }  // the gateway goes away mid-flight

  // The next response after the last one returned that satisfies `match`.
  std::optional<v1::GatewayResponse> wait_for(
      const std::function<bool(const v1::GatewayResponse&)>& match,
      Millis timeout = kEventTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
      for (size_t i = 0; i < responses_.size(); ++i) {
        if (!taken_[i] && match(responses_[i])) {
          taken_[i] = true;
          return responses_[i];
        }
      }
      if (ended_) return std::nullopt;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && !ended_) {
        for (size_t i = 0; i < responses_.size(); ++i) {
          if (!taken_[i] && match(responses_[i])) {
            taken_[i] = true;
            return responses_[i];
          }
        }
        return std::nullopt;
      }
    }
  }
  // The answer carrying `correlation_id` (answers may come in any order).
  std::optional<v1::GatewayAnswer> answer(const std::string& correlation_id,
                                          Millis timeout = kEventTimeout) {
    auto r = wait_for(
        [&](const v1::GatewayResponse& m) {
          return m.has_answer() && m.answer().result().correlation_id() == correlation_id;
        },
        timeout);
    if (!r) return std::nullopt;
    return r->answer();
  }
  std::optional<v1::InteractionEvent> event(const std::string& interaction_id) {
    auto r = wait_for([&](const v1::GatewayResponse& m) {
      return m.has_event() && m.event().interaction().interaction_id() == interaction_id;
    });
    if (!r) return std::nullopt;
    return r->event();
  }
  std::optional<grpc::Status> wait_end(Millis timeout = kEventTimeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return ended_; })) return std::nullopt;
    return status_;
  }
  std::vector<v1::GatewayResponse> responses() const {
    std::lock_guard lock(mu_);
    return responses_;
  }
  size_t answers_with_code(int code) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& r : responses_) n += r.has_answer() && r.answer().result().code() == code;
    return n;
  }

 private:
  void read_all() {
    v1::GatewayResponse response;
    while (stream_->Read(&response)) {
      std::lock_guard lock(mu_);
      responses_.push_back(response);
      taken_.push_back(false);
      cv_.notify_all();
    }
    grpc::Status status = stream_->Finish();
    std::lock_guard lock(mu_);
    status_ = std::move(status);
    ended_ = true;
    cv_.notify_all();
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::GatewayRequest, v1::GatewayResponse>> stream_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::GatewayResponse> responses_;
  std::vector<bool> taken_;
  bool ended_ = false;
  grpc::Status status_;
  std::thread thread_;
};

std::string text(const std::optional<v1::GatewayAnswer>& a) {
  if (!a) return "(no answer)";
  return code_name(static_cast<grpc::StatusCode>(a->result().code())) + ": " +
         a->result().message();
}

uint32_t window_of(GatewayLink& link) {
  auto first = link.wait_for([](const v1::GatewayResponse&) { return true; });
  REQUIRE(first.has_value());
  REQUIRE(first->has_window());
  return first->window().max_in_flight();
}

constexpr int kOk = 0;
constexpr int kInvalid = static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT);
constexpr int kExhausted = static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED);
constexpr int kNotFound = static_cast<int>(grpc::StatusCode::NOT_FOUND);

TEST_CASE_METHOD(RouterFixture,
                 "a gateway stream answers submits and cancels by correlation id as the unary "
                 "calls would and stays up after a bad request",
                 "[grpc][gateway_stream]") {
  GatewayLink link(*this);
  CHECK(window_of(link) == 1024);

  // Submit: the unary call's answer (queue, position).
  REQUIRE(link.submit("c-1", phone_call("gs-1", "+1 415 555 0100")));
  auto a = link.answer("c-1");
  INFO(text(a));
  REQUIRE(a.has_value());
  REQUIRE(a->result().code() == kOk);
  REQUIRE(a->has_submitted());
  CHECK_FALSE(a->submitted().replayed());
  CHECK(a->submitted().interaction().interaction_id() == "gs-1");
  CHECK(a->submitted().interaction().queue() == "phone-support");
  CHECK(a->submitted().interaction().position() == 1);

  // Idempotent on the stream, from the stream to the unary call and back.
  REQUIRE(link.submit("c-2", phone_call("gs-1", "+1 415 555 0100")));
  a = link.answer("c-2");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  CHECK(a->submitted().replayed());
  CHECK(a->submitted().interaction().position() == 1);
  auto unary = submit(phone_call("gs-1", "+1 415 555 0100"));
  REQUIRE(unary.ok());
  CHECK(unary.value.replayed());
  REQUIRE(submit(phone_call("gs-2", "+1 415 555 0101")).ok());
  REQUIRE(link.submit("c-3", phone_call("gs-2", "+1 415 555 0101")));
  a = link.answer("c-3");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  CHECK(a->submitted().replayed());
  CHECK(a->submitted().interaction().position() == 2);

  // A bad request gets its error (naming the field) and the stream goes on.
  auto bad = phone_call("gs-3", "+1 415 555 0102");
  bad.set_priority(140);
  REQUIRE(link.submit("c-4", bad));
  a = link.answer("c-4");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kInvalid);
  CHECK(a->result().message().starts_with("priority:"));
  CHECK_FALSE(a->has_submitted());
  v1::GatewayRequest unset;
  unset.set_correlation_id("c-5");
  REQUIRE(link.send(unset));
  a = link.answer("c-5");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kInvalid);
  CHECK(a->result().message().starts_with("request: unset"));

  // Correlation ids: empty and over 128 bytes are answered with an empty id; 128 bytes is fine.
  REQUIRE(link.cancel("", "gs-1"));
  a = link.answer("");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kInvalid);
  CHECK(a->result().message().starts_with("correlation_id: required"));
  REQUIRE(link.cancel(std::string(129, 'x'), "gs-1"));
  a = link.answer("");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kExhausted);
  CHECK(a->result().message().starts_with("correlation_id: 129 bytes, at most 128"));

  // Cancel: NOT_FOUND for an unknown id, then the real one (ABANDONED).
  const std::string longest(128, 'k');
  REQUIRE(link.cancel(longest, "no-such-call"));
  a = link.answer(longest);
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kNotFound);
  REQUIRE(link.cancel("c-6", "gs-1"));
  a = link.answer("c-6");
  INFO(text(a));
  REQUIRE(a.has_value());
  REQUIRE(a->result().code() == kOk);
  REQUIRE(a->has_cancelled());
  CHECK(a->cancelled().interaction().state() == v1::ABANDONED);

  // A following good request succeeds; the ids answered may be used again.
  REQUIRE(link.submit("c-1", web_chat("gs-4", "v-9")));
  a = link.answer("c-1");
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  CHECK(a->submitted().interaction().queue() == "web-chat");

  // Half-close: the stream ends OK.
  link.writes_done();
  auto end = link.wait_end();
  REQUIRE(end.has_value());
  CHECK(end->ok());
}

TEST_CASE_METHOD(RouterFixture,
                 "a gateway stream needs a GATEWAY token: another role ends it PERMISSION_DENIED "
                 "and no token UNAUTHENTICATED",
                 "[grpc][gateway_stream][auth]") {
  GatewayLink agent(*this, agent_token("ana"));
  auto end = agent.wait_end();
  REQUIRE(end.has_value());
  CHECK(end->error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(agent.responses().empty());

  GatewayLink anonymous(*this, "");
  end = anonymous.wait_end();
  REQUIRE(end.has_value());
  CHECK(end->error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

constexpr char kOtherGateway[] =
    "    - {token: \"it-gateway-b-token-0001\", role: GATEWAY, name: ivr-b, gateway: gw-b}\n";

TEST_CASE_METHOD(RouterFixture,
                 "a watch on a gateway stream delivers its own gateway's events after its answer "
                 "and routerd's drain ends the stream OK",
                 "[grpc][gateway_stream][watch]") {
  // The fixture's gateway and another, on one center.
  std::string yaml = files().read_config();
  yaml = replace_once(yaml, "\ndaemon:\n", "\n" + std::string(kOtherGateway) + "daemon:\n");
  files().write_config(yaml);
  auto reloaded =
      call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  REQUIRE(reloaded.ok());

  GatewayLink link(*this);
  window_of(link);
  REQUIRE(link.watch("w-1"));
  auto a = link.answer("w-1");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  // A second watch replaces the first: events still come once each.
  REQUIRE(link.watch("w-2"));
  a = link.answer("w-2");
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);

  // The other gateway's submit first, then ours: events are delivered in order, so had the
  // other's reached this stream, it would be there before ours.
  auto other = call(&v1::InteractionService::Stub::SubmitInteraction,
                    std::string("it-gateway-b-token-0001"), phone_call("gw-1", "+1 212 555 0001"));
  REQUIRE(other.ok());
  REQUIRE(link.submit("s-1", phone_call("mine-1", "+1 212 555 0002")));
  a = link.answer("s-1");
  REQUIRE(a.has_value());
  REQUIRE(a->result().code() == kOk);
  auto ev = link.event("mine-1");
  REQUIRE(ev.has_value());
  CHECK(ev->change() == "queued");
  CHECK(ev->interaction().queue() == "phone-support");
  size_t mine = 0;
  for (const auto& r : link.responses()) {
    if (!r.has_event()) continue;
    CHECK(r.event().change() != "watching");  // swallowed: the answer says the same
    CHECK(r.event().interaction().interaction_id() != "gw-1");
    mine += r.event().interaction().interaction_id() == "mine-1";
  }
  CHECK(mine == 1);

  // Shutdown drains: the stream ends OK (not cancelled at the shutdown deadline).
  server().shutdown(kShutdownDeadline);
  auto end = link.wait_end();
  REQUIRE(end.has_value());
  CHECK(end->ok());
}

// A heavy support call (as slow_reader_test.cc's): its InteractionEvent is ~4 KB, so a client
// that stops reading fills the transport's window and then the outbox within ~40 events.
v1::SubmitInteractionRequest heavy_call(int n) {
  auto request = phone_call("heavy-" + std::to_string(n), "+1 415 555 0199");
  auto& attributes = *request.mutable_attributes();
  for (size_t a = 0; a < kMaxAttributes; ++a) {
    std::string key = "attribute-" + std::to_string(a) + "-";
    key.resize(kMaxStringLength, 'k');
    attributes[key] = std::string(kMaxStringLength, static_cast<char>('a' + a));
  }
  return request;
}

TEST_CASE_METHOD(RouterFixture,
                 "a gateway stream whose client stops reading is cut RESOURCE_EXHAUSTED with "
                 "requests in flight and routerd goes on",
                 "[grpc][gateway_stream][streams]") {
  // The stream buffer is read at open: make it small for the streams opened from now on.
  std::string yaml = files().read_config();
  yaml = replace_once(yaml, "  max_message_bytes: 8192\n",
                      "  max_message_bytes: 8192\n  stream_buffer: 8\n");
  files().write_config(yaml);
  REQUIRE(call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest())
              .ok());

  // Its own connection without BDP probing, so the stalled stream's windows stay small and it
  // cannot hold up the fixture's calls (see slow_reader_test.cc).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel =
      grpc::CreateCustomChannel(server().address(), grpc::InsecureChannelCredentials(), args);
  auto stub = v1::InteractionService::NewStub(channel);
  auto context = context_for(kGatewayToken, 30s);
  auto stream = stub->GatewayStream(context.get());
  v1::GatewayResponse response;
  REQUIRE(stream->Read(&response));
  REQUIRE(response.has_window());
  v1::GatewayRequest watch;
  watch.set_correlation_id("w");
  watch.mutable_watch();
  REQUIRE(stream->Write(watch));
  REQUIRE(stream->Read(&response));
  REQUIRE(response.answer().result().code() == kOk);

  // The client stops reading; its watch's events pile up, and a request stays in flight.
  for (int n = 0; n < 64; ++n) REQUIRE(submit(heavy_call(n)).ok());
  v1::GatewayRequest late;
  late.set_correlation_id("late");
  *late.mutable_submit() = heavy_call(100);
  stream->Write(late);  // may fail: the stream may be cut already

  int read = 0;
  while (stream->Read(&response)) ++read;
  const grpc::Status status = stream->Finish();
  INFO("read after the stall: " << read << "; " << describe(status));
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(status.error_message(), Catch::Contains("stream buffer full (8 messages)"));

  GatewayLink next(*this);
  window_of(next);
  REQUIRE(next.submit("n", phone_call("after-cut", "+1 415 555 0101")));
  auto a = next.answer("n");
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
}

TEST_CASE(
    "a gateway stream holds at most gateway_max_in_flight requests unanswered: one more is "
    "RESOURCE_EXHAUSTED and not acted on and a stream cut mid-flight leaves routerd healthy",
    "[grpc][gateway_stream][redis]") {
  RedisServer redis;
  RouterFixture f(redis_center("127.0.0.1:" + std::to_string(redis.port())));

  // The bound is read when a stream opens: a reload changes it for the streams opened after.
  GatewayLink before(f);
  CHECK(window_of(before) == 1024);
  std::string yaml = f.files().read_config();
  yaml =
      replace_once(yaml, "  max_message_bytes: 8192\n",
                   "  max_message_bytes: 8192\n  server_limits:\n    gateway_max_in_flight: 4\n");
  f.files().write_config(yaml);
  auto reloaded =
      f.call(&v1::AdminService::Stub::ReloadConfig, kSupervisorToken, v1::ReloadConfigRequest());
  INFO(describe(reloaded.status));
  REQUIRE(reloaded.ok());

  GatewayLink link(f);
  REQUIRE(window_of(link) == 4);
  // A submit answers after its customer lookup and its journal write: with Redis paused, four
  // stay in flight.
  redis.pause();
  for (int i = 1; i <= 4; ++i) {
    REQUIRE(link.submit(
        "f-" + std::to_string(i),
        phone_call("fc-" + std::to_string(i), "+1 212 555 01" + std::to_string(10 + i))));
  }
  REQUIRE(link.submit("f-5", phone_call("fc-5", "+1 212 555 0115")));
  auto a = link.answer("f-5");
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kExhausted);
  CHECK(a->result().message().find("daemon.server_limits.gateway_max_in_flight") !=
        std::string::npos);
  // A duplicate of an id in flight: INVALID_ARGUMENT, answered with an empty id.
  REQUIRE(link.submit("f-2", phone_call("fc-6", "+1 212 555 0116")));
  a = link.answer("");
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kInvalid);
  CHECK(a->result().message().starts_with("correlation_id:"));
  CHECK(link.answers_with_code(kOk) == 0);  // the four are still in flight
  redis.resume();

  for (int i = 1; i <= 4; ++i) {
    a = link.answer("f-" + std::to_string(i), 10s);
    INFO(text(a));
    REQUIRE(a.has_value());
    CHECK(a->result().code() == kOk);
  }
  // fc-5 was not acted on: a new submit of it is not a replay.
  REQUIRE(link.submit("f-5", phone_call("fc-5", "+1 212 555 0115")));
  a = link.answer("f-5");
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  CHECK_FALSE(a->submitted().replayed());

  // A stream cut with submits in flight: their answers come after it ended and are dropped.
  {
    GatewayLink cut(f);
    window_of(cut);
    redis.pause();
    for (int i = 1; i <= 4; ++i) {
      REQUIRE(cut.submit(
          "x-" + std::to_string(i),
          phone_call("cx-" + std::to_string(i), "+1 212 555 02" + std::to_string(10 + i))));
    }
    // The fifth's RESOURCE_EXHAUSTED says the four were read and are in flight.
    REQUIRE(cut.submit("x-5", phone_call("cx-5", "+1 212 555 0215")));
    a = cut.answer("x-5");
    REQUIRE(a.has_value());
    CHECK(a->result().code() == kExhausted);
    cut.cut();
    auto end = cut.wait_end();
    REQUIRE(end.has_value());
    CHECK(end->error_code() == grpc::StatusCode::CANCELLED);
    redis.resume();
  }
  // routerd is fine: the cut stream's submits were accepted (idempotent replays now), and a new
  // stream works.
  CHECK(eventually([&] { return f.health_check().value == kServing; }, 5s));
  GatewayLink next(f);
  window_of(next);
  REQUIRE(next.submit("n-1", phone_call("cx-1", "+1 212 555 0211")));
  a = next.answer("n-1", 10s);
  INFO(text(a));
  REQUIRE(a.has_value());
  CHECK(a->result().code() == kOk);
  CHECK(a->submitted().replayed());
}

}  // namespace
}  // namespace router::it
