// daemon.server_limits against the real routerd binary: 2,000 server streams over 20 connections
// whose client never reads. The stream limits (per connection, per token, connections, in all)
// refuse with RESOURCE_EXHAUSTED naming the limit; the never-read WatchInteractions streams are cut
// with RESOURCE_EXHAUSTED within seconds; submits keep answering; routerd's RSS (from
// /proc/<pid>/status) stays under 256 MiB. The figures for the default limits are bench's
// (bench/stream_memory.md), not this test's.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

constexpr int kConnections = 20;
constexpr int kPerConnection = 100;  // max_streams_per_connection
constexpr int kPerToken = 1000;      // max_streams_per_token
constexpr int kTotal = 2000;         // max_streams_total
// routerd is built with the same flags as this test. Under AddressSanitizer (CI) its RSS also
// holds ASan's shadow memory and its 256 MiB quarantine of freed blocks (measured: 663 MiB at the
// peak, where the plain build peaks at 74-141 MiB), so the bound there is 1 GiB, which still fails
// the unbounded growth (1.4 GB in 30 s before the limits). The 256 MiB target is checked by this
// test in a plain build and measured by bench/stream_memory.sh.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssBoundKib = 1024 * 1024;
#else
constexpr long kRssBoundKib = 256 * 1024;
#endif

constexpr char kLimits[] = R"(  server_limits:
    max_connections: 20
    max_concurrent_streams: 150
    max_streams_per_connection: 100
    max_streams_per_token: 1000
    max_streams_total: 2000
    slow_reader_cut_s: 2
)";

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// One connection (its own channel and subchannel), HTTP/2 BDP probing off so its windows stay
// near their defaults (about 96 KiB per stream before routerd's writes stop, slow_reader_test.cc)
// instead of growing with the traffic.
std::shared_ptr<grpc::Channel> connection(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// A server stream the test reads once (its first message proves routerd admitted it), then
// never again until the end.
template <class Event>
struct HeldStream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<Event>> reader;

  // The first message, or the stream's status when it ended without one (refused).
  grpc::Status first() {
    Event event;
    if (reader->Read(&event)) return grpc::Status::OK;
    return reader->Finish();
  }
  // Reads whatever is buffered, then the status (the test cancels a stream still open).
  grpc::Status to_end() {
    Event event;
    while (reader->Read(&event)) {
    }
    return reader->Finish();
  }
};

HeldStream<v1::GetQueueStatsResponse> watch_queues(const std::shared_ptr<grpc::Channel>& channel) {
  HeldStream<v1::GetQueueStatsResponse> s;
  s.context = context_for(kSupervisorToken, Millis(0));
  v1::WatchQueuesRequest request;
  request.set_interval_s(0.2);
  s.reader = v1::SupervisorService::NewStub(channel)->WatchQueues(s.context.get(), request);
  return s;
}

HeldStream<v1::InteractionEvent> watch_interactions(const std::shared_ptr<grpc::Channel>& channel) {
  HeldStream<v1::InteractionEvent> s;
  s.context = context_for(kGatewayToken, Millis(0));
  s.reader = v1::InteractionService::NewStub(channel)->WatchInteractions(
      s.context.get(), v1::WatchInteractionsRequest());
  return s;
}

// A call carrying as much as the test center's limits allow (about 4 KB): its event fills a
// stalled watcher's window in a few dozen submits.
v1::SubmitInteractionRequest heavy_call(int n) {
  auto request = phone_call("limits-" + std::to_string(n), "+1 415 555 0199");
  auto& attributes = *request.mutable_attributes();
  for (size_t a = 0; a < kMaxAttributes; ++a) {
    std::string key = "attribute-" + std::to_string(a) + "-";
    key.resize(kMaxStringLength, 'k');
    attributes[key] = std::string(kMaxStringLength, static_cast<char>('a' + a));
  }
  return request;
}

void require_refused(grpc::Status status, const std::string& limit) {
  INFO("expected a refusal naming " << limit << ", got " << describe(status));
  CHECK(status.error_code() == grpc::RESOURCE_EXHAUSTED);
  CHECK_THAT(status.error_message(), Catch::Contains("daemon.server_limits." + limit));
}

TEST_CASE(
    "2,000 never-read streams over 20 connections: the stream limits refuse with "
    "RESOURCE_EXHAUSTED, the stalled streams are cut within seconds, submits answer and routerd "
    "stays under 256 MiB (1 GiB under ASan)",
    "[grpc][streams][limits]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CenterFiles files(
      CenterOptions{.dev_no_auth = false, .listen = address, .stream_buffer = 0, .redis = {}});
  files.write_config(files.read_config() + kLimits);
  RouterdProcess process(files, address);
  Clients clients(address);
  {
    const bool serving = wait_serving(clients, process);
    INFO("routerd log:\n" << process.log());
    REQUIRE(serving);
  }
  const long rss_start = rss_kib(process.pid());

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < kConnections; ++c) channels.push_back(connection(address));
  const auto extra = connection(address);  // a 21st connection

  // 1,000 WatchQueues (the supervisor token's share) on connections 0..9.
  std::vector<HeldStream<v1::GetQueueStatsResponse>> queues;
  for (int s = 0; s < kPerToken; ++s) queues.push_back(watch_queues(channels[s / kPerConnection]));
  for (auto& s : queues) REQUIRE(s.first().ok());

  // Connection 0 holds 100 streams: one more is refused, whoever asks.
  require_refused(watch_interactions(channels[0]).first(), "max_streams_per_connection");
  // The supervisor token holds 1,000: one more is refused, on whichever connection.
  require_refused(watch_queues(extra).first(), "max_streams_per_token");

  // 999 WatchInteractions (gateway) on connections 10..19: 20 connections hold streams.
  std::vector<HeldStream<v1::InteractionEvent>> watches;
  for (int s = 0; s < kPerToken - 1; ++s) {
    watches.push_back(watch_interactions(channels[kConnections / 2 + s / kPerConnection]));
  }
  for (auto& s : watches) REQUIRE(s.first().ok());
  require_refused(watch_interactions(extra).first(), "max_connections");
  // The 2,000th stream is taken; the 2,001st is refused.
  watches.push_back(watch_interactions(channels[kConnections - 1]));
  REQUIRE(watches.back().first().ok());
  require_refused(watch_interactions(channels[0]).first(), "max_streams_total");

  // Nobody reads now. Submits still answer, each one an event of ~4 KB on every one of the
  // 1,000 WatchInteractions streams, and routerd's memory stays bounded while their windows fill,
  // then their outboxes, until routerd cuts them.
  long rss_peak = rss_kib(process.pid());
  for (int n = 0; n < 40; ++n) {
    const auto reply = clients.submit(heavy_call(n));
    INFO("SubmitInteraction " << n << " with 2,000 streams open: " << describe(reply.status));
    REQUIRE(reply.ok());
    rss_peak = std::max(rss_peak, rss_kib(process.pid()));
    std::this_thread::sleep_for(100ms);  // spreading the submits over > slow_reader_cut_s
  }
  INFO("routerd VmRSS: " << rss_start << " KiB at start, " << rss_peak
                         << " KiB at most with 2,000 never-read streams");
  CHECK(rss_peak < kRssBoundKib);

  // Every stalled WatchInteractions stream was cut RESOURCE_EXHAUSTED (too many messages, too
  // old, or the shared budget): reading now gives what the client buffered, then that status. A
  // watchdog cancels any stream routerd left open (it then ends CANCELLED and fails the check).
  std::thread watchdog([&] {
    std::this_thread::sleep_for(10s);
    for (auto& s : watches) s.context->TryCancel();
  });
  int cut = 0;
  grpc::Status other;
  for (auto& s : watches) {
    const grpc::Status status = s.to_end();
    if (status.error_code() == grpc::RESOURCE_EXHAUSTED) {
      ++cut;
    } else {
      other = status;
    }
  }
  watchdog.join();
  INFO("WatchInteractions streams cut: " << cut << " of " << watches.size()
                                         << "; another end: " << describe(other));
  CHECK(cut == kPerToken);

  const auto after = clients.submit(phone_call("limits-after", "+1 415 555 0199"));
  INFO("SubmitInteraction after the cut: " << describe(after.status));
  CHECK(after.ok());
  CHECK(rss_kib(process.pid()) < kRssBoundKib);
  for (auto& s : queues) s.context->TryCancel();
}

}  // namespace
}  // namespace router::it
