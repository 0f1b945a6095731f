// StreamOutbox's corking (adapters/grpc/stream_outbox.h): pushed messages wait for flush() or a
// drained finish(), then leave one write at a time. A fake OutboxSink records what the outbox
// asks of the reactor; no gRPC call is made.
#include "adapters/grpc/stream_outbox.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "router/v1/router.pb.h"

namespace {

using router::adapters::grpc::OutboxLimits;
using router::adapters::grpc::OutboxSink;
using router::adapters::grpc::StreamOutbox;
using router::v1::WorkEvent;

struct FakeSink final : OutboxSink<WorkEvent> {
  std::vector<std::string> writes;  // the reason of each message written, in order
  std::vector<::grpc::StatusCode> finishes;
  void start_write(const WorkEvent* m) override { writes.push_back(m->reason()); }
  void finish_stream(::grpc::Status status) override { finishes.push_back(status.error_code()); }
};

WorkEvent event(const std::string& reason) {
  WorkEvent e;
  e.set_reason(reason);
  return e;
}

}  // namespace

TEST_CASE("a corked outbox writes nothing before flush and then one message at a time",
          "[grpc][outbox]") {
  FakeSink sink;
  StreamOutbox<WorkEvent> outbox(OutboxLimits{});
  outbox.attach(&sink);
  CHECK(outbox.push(event("a")));
  CHECK(outbox.push(event("b")));
  CHECK(sink.writes.empty());
  CHECK(outbox.held() == 2);
  outbox.flush();
  CHECK(sink.writes == std::vector<std::string>{"a"});
  CHECK(outbox.push(event("c")));  // the next command's: held behind the flushed ones
  outbox.on_write_done(true);
  CHECK(sink.writes == std::vector<std::string>{"a", "b"});
  outbox.on_write_done(true);
  CHECK(sink.writes.size() == 2);  // "c" waits for its own flush
  CHECK(outbox.held() == 1);
  outbox.flush();
  CHECK(sink.writes == std::vector<std::string>{"a", "b", "c"});
  outbox.on_write_done(true);
  CHECK(outbox.queued() == 0);
  outbox.detach();
}

TEST_CASE("a drained finish delivers what was held and then ends", "[grpc][outbox]") {
  FakeSink sink;
  StreamOutbox<WorkEvent> outbox(OutboxLimits{});
  outbox.attach(&sink);
  CHECK(outbox.push(event("a")));
  outbox.finish(::grpc::Status::OK);
  CHECK(sink.writes == std::vector<std::string>{"a"});
  CHECK(sink.finishes.empty());
  outbox.on_write_done(true);
  CHECK(sink.finishes == std::vector<::grpc::StatusCode>{::grpc::StatusCode::OK});
  outbox.detach();
}

TEST_CASE("an uncorked outbox writes at push", "[grpc][outbox]") {
  FakeSink sink;
  OutboxLimits limits;
  limits.corked = false;
  StreamOutbox<WorkEvent> outbox(limits);
  outbox.attach(&sink);
  CHECK(outbox.push(event("a")));
  CHECK(outbox.push(event("b")));
  CHECK(sink.writes == std::vector<std::string>{"a"});
  outbox.on_write_done(true);
  CHECK(sink.writes == std::vector<std::string>{"a", "b"});
  outbox.detach();
}
