// The session streams of the echo baseline and routerload's stream API: an in-process EchoServer
// on 127.0.0.1:0 driven over GatewayStream and AgentSession by real router.v1 stubs (the answers
// by correlation_id after the events their command caused, errors that keep the stream up), and
// the real routerload binary with --api stream, with and without --agent-link, against the real
// routerecho binary.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tools/routerload/echo_service.h"

namespace router::load {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::router::v1;
using namespace std::chrono_literals;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An AgentSessionResponse as one word: "answer:<correlation_id>:<code>", "offer",
// "status:BUSY", "update:ASSIGNED"; heartbeats are skipped by the reader.
std::string kind(const v1::AgentSessionResponse& r) {
  if (r.has_answer()) {
    return "answer:" + r.answer().result().correlation_id() + ":" +
           std::to_string(r.answer().result().code());
  }
  const v1::WorkEvent& e = r.work();
  if (e.has_offer()) return "offer";
  if (e.has_status()) return "status:" + v1::AgentState_Name(e.status().state());
  if (e.has_update()) return "update:" + v1::InteractionState_Name(e.update().state());
  return "other";
}

class Echo {
 public:
  Echo() {
    EchoOptions options;
    options.gateway_max_in_flight = 7;
    server_ = EchoServer::start(options);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  EchoServer& server() { return *server_; }

 private:
  std::unique_ptr<EchoServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

v1::GatewayRequest submit(const std::string& correlation_id, const std::string& id) {
  v1::GatewayRequest r;
  r.set_correlation_id(correlation_id);
  auto* s = r.mutable_submit();
  s->set_interaction_id(id);
  s->set_channel(v1::PHONE);
  s->mutable_phone()->set_ani("+12125550100");
  s->mutable_phone()->set_dnis("+18005550001");
  return r;
}

v1::AgentRequest agent_request(const std::string& correlation_id) {
  v1::AgentRequest r;
  r.set_correlation_id(correlation_id);
  return r;
}

// The next message other than a heartbeat.
bool read_next(grpc::ClientReaderWriter<v1::AgentRequest, v1::AgentSessionResponse>& stream,
               v1::AgentSessionResponse& out) {
  while (stream.Read(&out)) {
    if (!(out.has_work() && out.work().has_heartbeat())) return true;
  }
  return false;
}

TEST_CASE("routerecho's GatewayStream sends its window first and answers each request by its id",
          "[routerecho][stream]") {
  Echo echo;
  auto stub = v1::InteractionService::NewStub(echo.channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  auto stream = stub->GatewayStream(&context);
  v1::GatewayResponse r;
  REQUIRE(stream->Read(&r));
  REQUIRE(r.has_window());
  CHECK(r.window().max_in_flight() == 7);

  REQUIRE(stream->Write(submit("a", "ix-1")));
  REQUIRE(stream->Read(&r));
  REQUIRE(r.has_answer());
  CHECK(r.answer().result().correlation_id() == "a");
  CHECK(r.answer().result().code() == 0);
  CHECK(r.answer().submitted().interaction().interaction_id() == "ix-1");
  CHECK(r.answer().submitted().interaction().state() == v1::QUEUED);

  // Errors are answered and the stream stays up: an empty id, a bad submit, an unknown cancel.
  REQUIRE(stream->Write(submit("", "ix-2")));
  REQUIRE(stream->Read(&r));
  CHECK(r.answer().result().correlation_id().empty());
  CHECK(r.answer().result().code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(r.answer().result().message(), Catch::Contains("correlation_id"));
  v1::GatewayRequest bad = submit("b", "ix-3");
  bad.mutable_submit()->clear_details();
  REQUIRE(stream->Write(bad));
  REQUIRE(stream->Read(&r));
  CHECK(r.answer().result().correlation_id() == "b");
  CHECK(r.answer().result().code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_FALSE(r.answer().has_submitted());
  v1::GatewayRequest cancel;
  cancel.set_correlation_id("c");
  cancel.mutable_cancel()->set_interaction_id("nope");
  REQUIRE(stream->Write(cancel));
  REQUIRE(stream->Read(&r));
  CHECK(r.answer().result().correlation_id() == "c");
  CHECK(r.answer().result().code() == grpc::StatusCode::NOT_FOUND);

  // The same id again replays; a cancel of a waiting one answers ABANDONED.
  REQUIRE(stream->Write(submit("d", "ix-1")));
  REQUIRE(stream->Read(&r));
  CHECK(r.answer().submitted().replayed());
  cancel.set_correlation_id("e");
  cancel.mutable_cancel()->set_interaction_id("ix-1");
  REQUIRE(stream->Write(cancel));
  REQUIRE(stream->Read(&r));
  CHECK(r.answer().result().correlation_id() == "e");
  CHECK(r.answer().cancelled().interaction().state() == v1::ABANDONED);
  stream->WritesDone();
  while (stream->Read(&r)) {
  }
  CHECK(stream->Finish().ok());
}

TEST_CASE("routerecho's AgentSession binds its agent and answers after the events a request caused",
          "[routerecho][stream]") {
  Echo echo;
  auto gateway = v1::InteractionService::NewStub(echo.channel());
  auto agents = v1::AgentService::NewStub(echo.channel());
  {  // one interaction waits
    grpc::ClientContext c;
    v1::SubmitInteractionResponse out;
    REQUIRE(gateway->SubmitInteraction(&c, submit("", "ix-9").submit(), &out).ok());
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  auto stream = agents->AgentSession(&context);
  v1::AgentSessionResponse r;

  // The first request must name the agent.
  v1::AgentRequest login = agent_request("1");
  login.mutable_login()->set_ready(true);
  REQUIRE(stream->Write(login));
  REQUIRE(read_next(*stream, r));
  CHECK(kind(r) == "answer:1:" + std::to_string(grpc::StatusCode::INVALID_ARGUMENT));

  // Login READY: the stream's first status, the status change and the offer of the waiting one
  // with its status, then the answer; every message names the agent. As in routerd, events are
  // rendered after the command, so the READY change already reads RESERVED.
  login.set_correlation_id("2");
  login.mutable_login()->set_agent("ag1");
  REQUIRE(stream->Write(login));
  std::vector<std::string> kinds;
  std::string offered;
  while (read_next(*stream, r)) {
    CHECK(r.agent() == "ag1");
    kinds.push_back(kind(r));
    if (r.has_work() && r.work().has_offer()) {
      offered = r.work().offer().interaction().interaction_id();
    }
    if (r.has_answer()) break;
  }
  CHECK(kinds == std::vector<std::string>{"status:LOGGED_OUT", "status:RESERVED", "offer",
                                          "status:RESERVED", "answer:2:0"});
  CHECK(r.answer().status().state() == v1::RESERVED);
  CHECK(offered == "ix-9");

  // Another agent's request is refused; the stream stays up.
  v1::AgentRequest other = agent_request("3");
  other.mutable_accept()->set_agent("ag2");
  other.mutable_accept()->set_interaction_id("ix-9");
  REQUIRE(stream->Write(other));
  REQUIRE(read_next(*stream, r));
  CHECK(kind(r) == "answer:3:" + std::to_string(grpc::StatusCode::PERMISSION_DENIED));

  // Accept with the agent left out (the session's): update ASSIGNED, status BUSY, the answer.
  v1::AgentRequest accept = agent_request("4");
  accept.mutable_accept()->set_interaction_id("ix-9");
  REQUIRE(stream->Write(accept));
  kinds.clear();
  while (read_next(*stream, r)) {
    kinds.push_back(kind(r));
    if (r.has_answer()) break;
  }
  CHECK(kinds == std::vector<std::string>{"update:ASSIGNED", "status:BUSY", "answer:4:0"});
  CHECK(r.answer().status().state() == v1::BUSY);

  // The stream's end logs the agent out (routerecho has no grace period): the assigned
  // interaction goes back to the queue.
  context.TryCancel();
  while (stream->Read(&r)) {
  }
  (void)stream->Finish();
  bool requeued = false;
  for (int i = 0; i < 200 && !requeued; ++i) {
    requeued = echo.server().counters().waiting == 1;
    if (!requeued) std::this_thread::sleep_for(10ms);
  }
  CHECK(requeued);
}

// routerload against its own routerecho (--echo), in a temporary folder.
class LoadRun {
 public:
  LoadRun() : dir_(fs::temp_directory_path() / ("routerload-stream-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~LoadRun() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path path(const std::string& name) const { return dir_ / name; }

  int run(const std::vector<std::string>& args, const std::string& log) {
    return router::it::run_logged(args, path(log));
  }

  nlohmann::json load(const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {ROUTERLOAD_PATH,
                                     "run",
                                     "--config",
                                     path("center.yaml").string(),
                                     "--echo",
                                     "--echo-path",
                                     ROUTERECHO_PATH,
                                     "--warmup",
                                     "0",
                                     "--quiet",
                                     "--json",
                                     path(name + ".json").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const int status = run(args, name + ".log");
    INFO("routerload output:\n" << slurp(path(name + ".log")));
    REQUIRE(status == 0);
    return nlohmann::json::parse(slurp(path(name + ".json")));
  }

 private:
  fs::path dir_;
};

void check_complete(const nlohmann::json& report, uint64_t submitted) {
  INFO(report.dump(2));
  const auto& counts = report["counts"];
  CHECK(counts["submitted_total"].get<uint64_t>() == submitted);
  CHECK(counts["completed_total"].get<uint64_t>() == submitted);
  CHECK(counts["cancelled_at_end"].get<uint64_t>() == 0);
  CHECK(counts["unfinished"].get<uint64_t>() == 0);
  CHECK(report["errors"].empty());
  CHECK(report["latency_ms"]["submit_to_offer"]["count"].get<uint64_t>() == submitted);
  CHECK(report["latency_ms"]["submit_ack"]["count"].get<uint64_t>() == submitted);
  CHECK(report["latency_ms"]["accept_ack"]["count"].get<uint64_t>() == submitted);
}

TEST_CASE("routerload --api stream against routerecho completes every lifecycle without an error",
          "[routerload][stream]") {
  LoadRun run;
  REQUIRE(run.run({ROUTERLOAD_PATH, "center", "--agents", "40", "--queues", "4", "--out",
                   run.path("center.yaml").string()},
                  "center.log") == 0);
  const auto report =
      run.load("stream", {"--api", "stream", "--count", "600", "--concurrency", "80", "--gateways",
                          "3", "--threads", "2", "--think-ms", "0:3"});
  check_complete(report, 600);
  CHECK(report["api"].get<std::string>() == "stream");
}

TEST_CASE("routerload --api stream --agent-link serves every agent over a few AgentLink streams",
          "[routerload][stream]") {
  LoadRun run;
  REQUIRE(run.run({ROUTERLOAD_PATH, "center", "--agents", "30", "--queues", "3", "--links", "3",
                   "--out", run.path("center.yaml").string()},
                  "center.log") == 0);
  const std::string config = slurp(run.path("center.yaml"));
  CHECK_THAT(config, Catch::Contains("AGENT_LINK"));
  const auto report = run.load("link", {"--api", "stream", "--agent-link", "3", "--count", "400",
                                        "--concurrency", "60", "--threads", "2"});
  check_complete(report, 400);
  CHECK(report["api"].get<std::string>() == "stream, 3 agent links");
  // Without the tokens a link run cannot start, and says why.
  REQUIRE(run.run({ROUTERLOAD_PATH, "center", "--agents", "5", "--queues", "1", "--out",
                   run.path("center.yaml").string()},
                  "center2.log") == 0);
  CHECK(run.run({ROUTERLOAD_PATH, "run", "--config", run.path("center.yaml").string(), "--echo",
                 "--echo-path", ROUTERECHO_PATH, "--api", "stream", "--agent-link", "2", "--quiet",
                 "--count", "10"},
                "nolinks.log") == 2);
  CHECK_THAT(slurp(run.path("nolinks.log")), Catch::Contains("AGENT_LINK"));
}

}  // namespace
}  // namespace router::load
