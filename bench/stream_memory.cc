// stream_memory: what never-reading stream clients cost a running routerd. Opens `--streams`
// WatchQueues streams over `--connections` connections (each its own channel, HTTP/2 BDP probing
// off so the client's windows stay at their defaults), reads each stream's first snapshot (so
// every stream counted was admitted), then never reads again; meanwhile submits one phone call a
// second and samples routerd's VmRSS from /proc/<pid>/status. Then it cancels every stream and
// samples RSS again for `--after-s` seconds. bench/stream_memory.sh runs it; bench/stream_memory.md
// has the results. A timed program, not Google Benchmark: the figure is memory, not speed.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "router/v1/router.grpc.pb.h"

namespace {

namespace v1 = ::router::v1;
using Clock = std::chrono::steady_clock;

long rss_kib(int pid, const char* field = "VmRSS:") {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

std::unique_ptr<grpc::ClientContext> context(const std::string& token,
                                             std::chrono::milliseconds deadline) {
  auto c = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
  if (deadline.count() > 0) c->set_deadline(std::chrono::system_clock::now() + deadline);
  return c;
}

struct Stream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<v1::GetQueueStatsResponse>> reader;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"stream_memory: routerd's RSS under never-reading WatchQueues streams"};
  std::string address = "127.0.0.1:50051";
  int pid = 0;
  std::string supervisor_token, gateway_token;
  int streams = 2000, connections = 20, hold_s = 30, after_s = 10;
  double interval_s = 0.2;
  std::string dnis = "+18005550100";
  app.add_option("--address", address, "routerd's host:port");
  app.add_option("--pid", pid, "routerd's process id (RSS from /proc/<pid>/status)")->required();
  app.add_option("--supervisor-token", supervisor_token, "SUPERVISOR token for WatchQueues");
  app.add_option("--gateway-token", gateway_token, "GATEWAY token for the submits");
  app.add_option("--streams", streams, "never-read WatchQueues streams to open");
  app.add_option("--connections", connections, "connections to spread them over");
  app.add_option("--interval-s", interval_s, "WatchQueues interval_s");
  app.add_option("--hold-s", hold_s, "seconds to hold the streams open without reading");
  app.add_option("--after-s", after_s, "seconds to sample RSS after cancelling them");
  app.add_option("--dnis", dnis, "the entry point the submitted phone calls dial");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < connections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channels.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  auto submit_channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto gateway = v1::InteractionService::NewStub(submit_channel);

  const long rss_start = rss_kib(pid);
  std::printf("rss_before_kib=%ld\n", rss_start);
  std::vector<Stream> open;
  std::map<std::string, int> refused;
  v1::WatchQueuesRequest request;
  request.set_interval_s(interval_s);
  for (int s = 0; s < streams; ++s) {
    auto stub = v1::SupervisorService::NewStub(channels[s % connections]);
    Stream st;
    st.context = context(supervisor_token, std::chrono::milliseconds(0));
    st.reader = stub->WatchQueues(st.context.get(), request);
    open.push_back(std::move(st));
  }
  int admitted = 0;
  for (auto& st : open) {
    v1::GetQueueStatsResponse first;
    if (st.reader->Read(&first)) {
      ++admitted;
    } else {
      const grpc::Status status = st.reader->Finish();
      ++refused[status.error_message().substr(0, 60)];
      st.reader.reset();
    }
  }
  std::printf("streams_admitted=%d of %d over %d connections\n", admitted, streams, connections);
  for (const auto& [why, n] : refused) std::printf("refused %d: %s\n", n, why.c_str());

  long rss_peak = 0;
  int submits = 0, submit_ok = 0;
  double worst_ms = 0;
  const auto end = Clock::now() + std::chrono::seconds(hold_s);
  for (int n = 0; Clock::now() < end; ++n) {
    v1::SubmitInteractionRequest call;
    call.set_interaction_id("stream-memory-" + std::to_string(::getpid()) + "-" +
                            std::to_string(n));
    call.set_channel(v1::PHONE);
    call.mutable_phone()->set_ani("+14155550199");
    call.mutable_phone()->set_dnis(dnis);
    v1::SubmitInteractionResponse reply;
    auto ctx = context(gateway_token, std::chrono::seconds(5));
    const auto t0 = Clock::now();
    const grpc::Status s = gateway->SubmitInteraction(ctx.get(), call, &reply);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ++submits;
    if (s.ok())
      ++submit_ok;
    else
      std::printf("submit %d: %d %s\n", n, s.error_code(), s.error_message().c_str());
    worst_ms = std::max(worst_ms, ms);
    const long rss = rss_kib(pid);
    rss_peak = std::max(rss_peak, rss);
    std::printf("t=%ds rss_kib=%ld submit_ms=%.1f\n", n, rss, ms);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::printf("rss_peak_kib=%ld vm_hwm_kib=%ld submits_ok=%d of %d worst_submit_ms=%.1f\n",
              rss_peak, rss_kib(pid, "VmHWM:"), submit_ok, submits, worst_ms);

  // Now read what is left: how each stream ended (routerd cut it, or it was still open when the
  // watchdog cancelled it after `grace`).
  std::thread watchdog([&open] {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    for (auto& st : open) st.context->TryCancel();
  });
  std::map<std::string, int> ends;
  for (auto& st : open) {
    if (!st.reader) continue;
    v1::GetQueueStatsResponse m;
    while (st.reader->Read(&m)) {
    }
    const grpc::Status status = st.reader->Finish();
    ++ends[std::to_string(status.error_code()) + " " + status.error_message().substr(0, 70)];
  }
  watchdog.join();
  for (const auto& [why, n] : ends) std::printf("ended %d: %s\n", n, why.c_str());
  open.clear();
  channels.clear();
  for (int t = 1; t <= after_s; ++t) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::printf("after t=%ds rss_kib=%ld\n", t, rss_kib(pid));
  }
  std::printf("rss_after_kib=%ld\n", rss_kib(pid));
  return 0;
}
