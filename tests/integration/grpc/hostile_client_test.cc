// A hostile client against the real routerd binary: messages built at random from the schema
// (protobuf reflection over router.v1's services) sent to every RPC, over the whole auth
// matrix, thousands of calls; routerd must stay up and SERVING throughout, and answer each call
// with a status that says what was wrong. Never UNKNOWN or INTERNAL (routerd itself failed: an
// exception, a broken invariant), DEADLINE_EXCEEDED (it hung: calls have 5 s) or UNIMPLEMENTED
// (every method of the schema is served). The one exception is gRPC's own: a request whose bytes
// do not parse as the method's message (invalid UTF-8 in a proto3 string, sent on purpose) is
// refused by the gRPC library before routerd's handler runs — gRPC 1.51's callback server
// answers UNIMPLEMENTED with no message, others INTERNAL "failed to parse"; those calls are
// counted apart. Seeded: ROUTER_HOSTILE_SEED=<n> replays a run (the seed is printed).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_callback.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <random>

#include "integration/grpc/fixture.h"

namespace router::it {
namespace {

namespace pb = google::protobuf;

constexpr int kUnaryCalls = 5000;
constexpr int kStreamOpens = 200;
constexpr int kBatch = 250;  // health is checked after every batch

// Values that mean something to the test center, so some calls get past validation.
const std::vector<std::string> kKnown = {"ana",
                                         "ben",
                                         "cara",
                                         "dev",
                                         "zed",
                                         "call-1",
                                         "call-2",
                                         "phone-support",
                                         "phone-sales",
                                         "email-billing",
                                         "web-chat",
                                         "support",
                                         "sales",
                                         kSupportLine,
                                         kBillingMailbox,
                                         "+14155550100",
                                         "ada@example.com",
                                         "v-1",
                                         "C1",
                                         "en"};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // A random message of `type`; `invalid_utf8` is set when a string got bytes that are not
  // UTF-8 (the request then does not parse as a proto3 message).
  std::unique_ptr<pb::Message> message(const pb::Descriptor& type, bool& invalid_utf8) {
    std::unique_ptr<pb::Message> m(
        pb::MessageFactory::generated_factory()->GetPrototype(&type)->New());
    fill(*m, 0, invalid_utf8);
    return m;
  }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(0, 99) < percent; }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::string text(bool& invalid_utf8) {
    switch (uniform(0, 9)) {
      case 0: return "";
      case 1:
      case 2:
      case 3: return kKnown[static_cast<size_t>(uniform(0, static_cast<int>(kKnown.size()) - 1))];
      case 4: {  // huge
        return std::string(static_cast<size_t>(uniform(300, 12000)), 'a' + uniform(0, 25));
      }
      case 5: {  // control characters
        std::string s;
        for (int i = uniform(1, 20); i > 0; --i) s += static_cast<char>(uniform(0, 31));
        return s + "\n+1 415 555 0100 ada@example.com";
      }
      case 6: return "héllo ☎ 電話 🙂";
      case 7:
        if (chance(30)) {
          invalid_utf8 = true;
          return std::string("\xff\xfe\xc3(", 4);
        }
        [[fallthrough]];
      default: {
        std::string s;
        for (int i = uniform(1, 40); i > 0; --i) s += static_cast<char>(uniform(0x21, 0x7e));
        return s;
      }
    }
  }
  int64_t integer() {
    switch (uniform(0, 5)) {
      case 0: return 0;
      case 1: return std::numeric_limits<int32_t>::max();
      case 2: return std::numeric_limits<int32_t>::min();
      case 3: return -uniform(1, 1000);
      default: return uniform(0, 100);
    }
  }
  double real() {
    switch (uniform(0, 6)) {
      case 0: return std::numeric_limits<double>::quiet_NaN();
      case 1: return std::numeric_limits<double>::infinity();
      case 2: return -1e300;
      case 3: return 1e300;
      case 4: return -uniform(0, 100) / 10.0;
      default: return uniform(0, 1000) / 10.0;
    }
  }
  int enum_value(const pb::FieldDescriptor& f) {
    const pb::EnumDescriptor& e = *f.enum_type();
    if (chance(15)) return uniform(-5, 1000);  // unknown (proto3 enums are open)
    return e.value(uniform(0, e.value_count() - 1))->number();
  }

  void set_one(pb::Message& m, const pb::FieldDescriptor& f, int depth, bool& invalid_utf8) {
    const pb::Reflection& r = *m.GetReflection();
    const bool rep = f.is_repeated();
    switch (f.cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        const std::string v = text(invalid_utf8);
        rep ? r.AddString(&m, &f, v) : r.SetString(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        const auto v = static_cast<int32_t>(integer());
        rep ? r.AddInt32(&m, &f, v) : r.SetInt32(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = chance(10) ? std::numeric_limits<int64_t>::max() : integer();
        rep ? r.AddInt64(&m, &f, v) : r.SetInt64(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT32: {
        const auto v = static_cast<uint32_t>(integer());
        rep ? r.AddUInt32(&m, &f, v) : r.SetUInt32(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT64: {
        const auto v = static_cast<uint64_t>(integer());
        rep ? r.AddUInt64(&m, &f, v) : r.SetUInt64(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
        const double v = real();
        rep ? r.AddDouble(&m, &f, v) : r.SetDouble(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_FLOAT: {
        const auto v = static_cast<float>(real());
        rep ? r.AddFloat(&m, &f, v) : r.SetFloat(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        const bool v = chance(50);
        rep ? r.AddBool(&m, &f, v) : r.SetBool(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const int v = enum_value(f);
        rep ? r.AddEnumValue(&m, &f, v) : r.SetEnumValue(&m, &f, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
        pb::Message* child = rep ? r.AddMessage(&m, &f) : r.MutableMessage(&m, &f);
        if (depth < 4) fill(*child, depth + 1, invalid_utf8);
        break;
      }
    }
  }

  void fill(pb::Message& m, int depth, bool& invalid_utf8) {
    const pb::Descriptor& d = *m.GetDescriptor();
    for (int i = 0; i < d.field_count(); ++i) {
      const pb::FieldDescriptor& f = *d.field(i);
      if (!chance(f.containing_type()->options().map_entry() ? 100 : 60)) continue;
      if (!f.is_repeated()) {
        set_one(m, f, depth, invalid_utf8);
        continue;
      }
      const int n = chance(5) ? uniform(20, 200) : uniform(0, 3);
      for (int k = 0; k < n; ++k) set_one(m, f, depth, invalid_utf8);
    }
  }

  std::mt19937_64 rng_;
};

grpc::ByteBuffer to_buffer(const pb::Message& m) {
  std::string bytes;
  {
    pb::LogSilencer quiet;  // invalid UTF-8 is on purpose: no "invalid UTF-8" error per call
    m.SerializePartialToString(&bytes);
  }
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// A server-streaming RPC opened as a generic call: the first (only) request, then either the
// first response or a short wait, then the client goes away.
class StreamProbe : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamProbe(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& method,
              grpc::ByteBuffer request)
      : context_(context), request_(std::move(request)) {
    stub.PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  grpc::Status finish(Millis wait) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return read_ || done_; });
    if (!done_) context_.TryCancel();
    cv_.wait(lock, [this] { return done_; });
    return status_;
  }
  void OnReadDone(bool) override {
    std::lock_guard lock(mu_);
    read_ = true;
    cv_.notify_all();
  }
  void OnDone(const grpc::Status& s) override {
    std::lock_guard lock(mu_);
    status_ = s;
    done_ = true;
    cv_.notify_all();
  }

 private:
  grpc::ClientContext& context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool read_ = false;
  bool done_ = false;
  grpc::Status status_;
};

uint64_t seed_from_env() {
  if (const char* s = std::getenv("ROUTER_HOSTILE_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device()();
}

}  // namespace

TEST_CASE(
    "routerd stays up and SERVING under thousands of random schema-built calls over the whole "
    "auth matrix, and never answers UNKNOWN or INTERNAL",
    "[grpc][hostile]") {
  const uint64_t seed = seed_from_env();
  std::cout << "hostile client: seed=" << seed << " (ROUTER_HOSTILE_SEED=" << seed << " replays it)"
            << std::endl;
  INFO("seed=" << seed);
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CenterFiles files(
      CenterOptions{.dev_no_auth = false, .listen = address, .stream_buffer = 0, .redis = {}});
  RouterdProcess process(files, address);
  Clients clients(address);
  REQUIRE(wait_serving(clients, process));

  // Every method of every service in router.v1 (all of them are in router.proto).
  struct Method {
    std::string path;  // "/router.v1.InteractionService/SubmitInteraction"
    const pb::MethodDescriptor* descriptor;
  };
  std::vector<Method> unary;
  std::vector<Method> streaming;
  const pb::FileDescriptor& file = *v1::SubmitInteractionRequest::descriptor()->file();
  for (int s = 0; s < file.service_count(); ++s) {
    const pb::ServiceDescriptor& service = *file.service(s);
    for (int i = 0; i < service.method_count(); ++i) {
      const pb::MethodDescriptor* m = service.method(i);
      // The session streams (bidirectional) are probed as the server streams: one message.
      (m->server_streaming() || m->client_streaming() ? streaming : unary)
          .push_back({"/" + service.full_name() + "/" + m->name(), m});
    }
  }
  REQUIRE(unary.size() >= 20);
  REQUIRE(streaming.size() >= 3);

  // The auth matrix: none, a wrong token, each role's, and agents acting for others (the
  // messages name any of the four agents whatever the token).
  const std::vector<std::string> tokens = {"",
                                           "not-a-token",
                                           kGatewayToken,
                                           kSupervisorToken,
                                           agent_token("ana"),
                                           agent_token("ben"),
                                           agent_token("cara"),
                                           agent_token("dev")};

  Generator gen(seed);
  // Half the calls carry the token of the role the service serves, so they reach validation
  // and the host; the other half any token of the matrix.
  auto pick_token = [&](const std::string& path) -> std::string {
    if (gen.chance(50)) return tokens[static_cast<size_t>(gen.uniform(0, 7))];
    if (path.find("InteractionService") != std::string::npos) return kGatewayToken;
    if (path.find("AgentService") != std::string::npos) {
      return tokens[static_cast<size_t>(gen.uniform(4, 7))];
    }
    return kSupervisorToken;
  };
  grpc::GenericStub stub(clients.channel());
  std::map<std::string, int> codes;   // code → count, for the report
  std::vector<std::string> failures;  // UNKNOWN/INTERNAL from routerd
  int unparsable = 0;
  int calls = 0;
  auto record = [&](const std::string& method, const grpc::Status& status, bool invalid_utf8) {
    ++calls;
    ++codes[code_name(status.error_code())];
    const auto code = status.error_code();
    if (invalid_utf8 && (code == grpc::UNIMPLEMENTED || code == grpc::INTERNAL)) {
      ++unparsable;  // gRPC's deserializer refused it before routerd saw it
      return;
    }
    const bool bad = code == grpc::UNKNOWN || code == grpc::INTERNAL ||
                     code == grpc::DEADLINE_EXCEEDED || code == grpc::UNIMPLEMENTED;
    if (!bad) return;
    if (failures.size() < 20)
      failures.push_back(method + ": " + describe(status));
    else
      failures.back() = "... and more";
  };

  for (int batch = 0; batch * kBatch < kUnaryCalls; ++batch) {
    for (int i = 0; i < kBatch; ++i) {
      const Method& m =
          unary[static_cast<size_t>(gen.uniform(0, static_cast<int>(unary.size()) - 1))];
      bool invalid_utf8 = false;
      const auto request = gen.message(*m.descriptor->input_type(), invalid_utf8);
      auto context = context_for(pick_token(m.path));
      const grpc::ByteBuffer body = to_buffer(*request);
      grpc::ByteBuffer response;
      std::promise<grpc::Status> done;
      stub.UnaryCall(context.get(), m.path, grpc::StubOptions(), &body, &response,
                     [&done](grpc::Status s) { done.set_value(std::move(s)); });
      record(m.path, done.get_future().get(), invalid_utf8);
    }
    // Streams: open with a random first message, read one event at most, go away.
    for (int i = 0; i < kStreamOpens * kBatch / kUnaryCalls; ++i) {
      const Method& m =
          streaming[static_cast<size_t>(gen.uniform(0, static_cast<int>(streaming.size()) - 1))];
      bool invalid_utf8 = false;
      const auto request = gen.message(*m.descriptor->input_type(), invalid_utf8);
      auto context = context_for(pick_token(m.path));
      StreamProbe probe(stub, *context, m.path, to_buffer(*request));
      grpc::Status status = probe.finish(30ms);
      if (status.error_code() != grpc::CANCELLED)
        record(m.path, status, invalid_utf8);
      else
        ++calls, ++codes["CANCELLED (by the client)"];
    }
    INFO("after batch " << batch << ", " << calls << " calls");
    REQUIRE_FALSE(process.wait_exit(0ms).has_value());
    auto health = clients.health_check();
    INFO(describe(health.status));
    REQUIRE(health.ok());
    REQUIRE(health.value == kServing);
  }

  std::ostringstream report;
  report << "hostile client: seed=" << seed << " calls=" << calls
         << " unparsable(refused by gRPC before routerd)=" << unparsable << " codes:";
  for (const auto& [code, n] : codes) report << " " << code << "=" << n;
  std::cout << report.str() << std::endl;
  INFO(report.str());
  INFO("routerd log tail:\n"
       << process.log().substr(process.log().size() > 4000 ? process.log().size() - 4000 : 0));
  CHECK(calls >= kUnaryCalls);
  for (const auto& f : failures) INFO(f);
  CHECK(failures.empty());
  for (const auto& f : failures) std::cout << "  " << f << std::endl;
}

}  // namespace router::it
