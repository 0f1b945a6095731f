// A server stream whose reader stops reading: HTTP/2 flow control stops routerd's writes, the
// stream's outbox fills to daemon.stream_buffer and the stream is cut with RESOURCE_EXHAUSTED;
// routerd's memory stays bounded and routing goes on for everyone else.
#include <catch2/catch.hpp>
#include <future>
#include <optional>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

constexpr size_t kStreamBuffer = 8;  // daemon.stream_buffer of this test's center
// Without BDP probing the client's transport takes about 96 KiB of a stalled stream before
// routerd's writes stop (23 events of 4.3 KB with gRPC 1.51: the default 64 KiB stream window
// and what the client announced while its first Read was pending); then the outbox fills and the
// next event cuts the stream, around the 33rd interaction. Twice that leaves a wide margin.
constexpr int kInteractions = 64;
constexpr char kCaller[] = "+1 415 555 0199";  // no customer: every event is the same size

std::string interaction_id(int n) { return "slow-" + std::to_string(n); }

// A support call carrying as much as the limits allow: kMaxAttributes attributes whose keys and
// values are kMaxStringLength long. Its InteractionEvent is about as large.
v1::SubmitInteractionRequest heavy_call(int n) {
  auto request = phone_call(interaction_id(n), kCaller);
  auto& attributes = *request.mutable_attributes();
  for (size_t a = 0; a < kMaxAttributes; ++a) {
    std::string key = "attribute-" + std::to_string(a) + "-";
    key.resize(kMaxStringLength, 'k');
    attributes[key] = std::string(kMaxStringLength, static_cast<char>('a' + a));
  }
  return request;
}

// A WatchInteractions call on a channel of its own whose client reads only when told to. BDP
// probing is off, so the client's HTTP/2 windows stay near their defaults instead of growing
// with the traffic (with it on, the client's transport took all 63 events, ~270 KB, without the
// application reading one, and the outbox never filled); the channel has its own connection
// (local subchannel pool), so the stalled stream cannot hold up the fixture's calls.
class StalledWatch {
 public:
  explicit StalledWatch(const std::string& address) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    stub_ = v1::InteractionService::NewStub(channel_);
    // A deadline only so that a broken server cannot hang the test.
    context_ = context_for(kGatewayToken, 30s);
    reader_ = stub_->WatchInteractions(context_.get(), v1::WatchInteractionsRequest());
  }
  ~StalledWatch() {
    context_->TryCancel();  // unblocks a Read still waiting
    if (first_.valid()) first_.wait();
  }
  StalledWatch(const StalledWatch&) = delete;
  StalledWatch& operator=(const StalledWatch&) = delete;

  // Reads one event on another thread (routerd registers the watcher asynchronously: the first
  // event proves the stream is registered); then the client stops reading.
  void read_first() {
    first_ = std::async(std::launch::async, [this]() -> std::optional<v1::InteractionEvent> {
      v1::InteractionEvent event;
      if (!reader_->Read(&event)) return std::nullopt;
      return event;
    });
  }
  bool first_arrived() { return first_.wait_for(0ms) == std::future_status::ready; }
  std::optional<v1::InteractionEvent> first() { return first_.get(); }

  // The client reads again: every event still buffered, then the stream's status. A stream that
  // has not ended within `timeout` is cancelled (the test then sees CANCELLED, not a hang).
  struct End {
    int events = 0;  // read after the first
    grpc::Status status;
  };
  End read_to_end(Millis timeout) {
    auto rest = std::async(std::launch::async, [this] {
      End end;
      v1::InteractionEvent event;
      while (reader_->Read(&event)) ++end.events;
      end.status = reader_->Finish();
      return end;
    });
    if (rest.wait_for(timeout) != std::future_status::ready) context_->TryCancel();
    return rest.get();
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::InteractionService::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::InteractionEvent>> reader_;
  std::future<std::optional<v1::InteractionEvent>> first_;
};

struct SmallStreamBufferFixture : RouterFixture {
  SmallStreamBufferFixture()
      : RouterFixture(CenterOptions{
            .dev_no_auth = false, .listen = {}, .stream_buffer = kStreamBuffer, .redis = {}}) {}
};

TEST_CASE_METHOD(SmallStreamBufferFixture,
                 "a stream whose reader stops reading is cut off with RESOURCE_EXHAUSTED instead "
                 "of buffering without bound, and routing goes on",
                 "[grpc][streams]") {
  REQUIRE(heavy_call(0).ByteSizeLong() < kMaxMessageBytes);
  StalledWatch watch(server().address());
  watch.read_first();

  // routerd's first message ("watching") says the watcher is registered; from then on the
  // client stops reading and every change is queued for it.
  const bool registered = eventually([&] { return watch.first_arrived(); });
  REQUIRE(registered);
  const auto first = watch.first();
  REQUIRE(first.has_value());
  CHECK(first->change() == "watching");

  int submitted = 0;
  while (submitted < kInteractions) {
    const auto reply = submit(heavy_call(submitted));
    INFO("SubmitInteraction " << submitted << ": " << describe(reply.status));
    REQUIRE(reply.ok());
    ++submitted;
  }

  const auto [received, status] = watch.read_to_end(kEventTimeout);
  const int published = submitted;  // one "queued" event per interaction after "watching"
  INFO("events read after the first: " << received << " of " << published
                                       << "; stream end: " << describe(status));
  CHECK(status.error_code() == grpc::RESOURCE_EXHAUSTED);
  CHECK_THAT(status.error_message(), Catch::Contains("stream buffer full (" +
                                                     std::to_string(kStreamBuffer) + " messages)"));
  // The events queued behind the full window were dropped with the stream, not delivered late.
  CHECK(received < published);

  // Routing goes on: a new submit is taken, nothing submitted was lost, an agent gets work.
  const auto after = submit(heavy_call(submitted));
  INFO("SubmitInteraction after the cut: " << describe(after.status));
  REQUIRE(after.ok());
  ++submitted;
  auto stats = queue_stats("phone-support");
  REQUIRE(stats.has_value());
  CHECK(stats->waiting() == submitted);
  for (int n : {0, kInteractions / 2, submitted - 1}) {
    const auto got = get_interaction(interaction_id(n));
    INFO("GetInteraction " << interaction_id(n) << ": " << describe(got.status));
    REQUIRE(got.ok());
    CHECK(got.value.state() == v1::QUEUED);
    CHECK(got.value.attributes_size() == static_cast<int>(kMaxAttributes));
  }
  AgentDesk ana(*this, "ana");
  REQUIRE(ana.set_ready().ok());
  const auto offer = ana.wait_offer();
  REQUIRE(offer.has_value());
  CHECK(offer->interaction().interaction_id().rfind("slow-", 0) == 0);
}

}  // namespace
}  // namespace router::it
