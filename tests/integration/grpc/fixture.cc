// The integration-test harness: the test center's files, the in-process server, clients per
// role, the health and reflection calls made by hand (Debian ships neither health.proto nor
// reflection.proto generated, so their few fields are encoded here) and the agent desktop.
#include "integration/grpc/fixture.h"

#include <absl/status/status.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <sstream>

namespace router::it {

std::string agent_token(std::string_view agent) {
  return "it-agent-" + std::string(agent) + "-token-0001";
}

std::string center_yaml(const CenterOptions& options) {
  std::string yaml =
      R"(# routerd integration-test center: one queue per channel (two for phone), four agents.
skills: [support, sales, billing, chat]

default_weights:
  wait: 0.1

queues:
  - name: phone-support
    channels: [PHONE]
    skills: [{skill: support, min_level: 3}]
    offer_timeout_s: 1
    wrap_up_s: 30
  - name: phone-sales
    channels: [PHONE]
    skills: [{skill: sales, min_level: 3}]
    offer_timeout_s: 5
    wrap_up_s: 30
  - name: email-billing
    channels: [EMAIL]
    skills: [{skill: billing, min_level: 4}]
    offer_timeout_s: 5
    wrap_up_s: 30
  - name: web-chat
    channels: [WEB_CHAT]
    skills: [{skill: chat, min_level: 2}]
    offer_timeout_s: 5
    wrap_up_s: 30
  - name: web-callback
    channels: [WEB_CALLBACK]
    skills: [{skill: support, min_level: 2}]
    offer_timeout_s: 5
    wrap_up_s: 30

agents:
  - {name: ana, team: north, languages: [en], skills: [{skill: support, level: 7}, {skill: sales, level: 6}, {skill: chat, level: 5}]}
  - {name: ben, team: north, languages: [en], skills: [{skill: support, level: 5}, {skill: sales, level: 5}, {skill: billing, level: 7}]}
  - {name: cara, team: south, languages: [en], skills: [{skill: billing, level: 8}, {skill: chat, level: 6}]}
  - {name: dev, team: south, languages: [en], skills: [{skill: support, level: 4}, {skill: sales, level: 4}]}

entry_points:
  - {channel: PHONE, address: "+18005550100", intent: sales, queue: phone-sales}
  - {channel: PHONE, address: "+18005550100", queue: phone-support}
  - {channel: PHONE, address: "+18005550199", queue: phone-sales}
  - {channel: PHONE, address: "+18005550100", intent: vip, queue: phone-sales, priority: 50}
  - {channel: EMAIL, address: "billing@example.com", queue: email-billing}
  - {channel: WEB_CHAT, queue: web-chat}
  - {channel: WEB_CALLBACK, queue: web-callback}

limits:
  max_attributes: 8
  max_string_length: 256

auth:
  dev_no_auth: DEV_NO_AUTH
  tokens:
    - {token: "it-gateway-token-0001", role: GATEWAY, name: it-gateway}
    - {token: "it-supervisor-token-0001", role: SUPERVISOR, name: it-supervisor}
    - {token: "it-agent-ana-token-0001", role: AGENT, agent: ana}
    - {token: "it-agent-ben-token-0001", role: AGENT, agent: ben}
    - {token: "it-agent-cara-token-0001", role: AGENT, agent: cara}
    - {token: "it-agent-dev-token-0001", role: AGENT, agent: dev}
EXTRA_TOKENS
daemon:
  default_region: US
  customers_file: customers.jsonl
  agent_grace_s: 0.5
  heartbeat_s: 0.2
  shutdown_deadline_s: 2
  max_message_bytes: 8192
)";
  yaml = replace_once(yaml, "DEV_NO_AUTH", options.dev_no_auth ? "true" : "false");
  yaml = replace_once(yaml, "EXTRA_TOKENS", options.extra_tokens);
  if (!options.listen.empty()) yaml += "  listen: \"" + options.listen + "\"\n";
  if (!options.metrics_listen.empty()) {
    yaml += "  metrics_listen: \"" + options.metrics_listen + "\"\n";
  }
  if (options.stream_buffer > 0) {
    yaml += "  stream_buffer: " + std::to_string(options.stream_buffer) + "\n";
  }
  if (!options.redis.empty()) {
    yaml = replace_once(yaml, "  customers_file: customers.jsonl\n", "");
    yaml += "redis:\n  address: \"" + options.redis + "\"\n" +
            "  lookup_timeout_ms: " + std::to_string(kRedisLookupTimeout.count()) + "\n" +
            "  journal_timeout_ms: 3000\n  reconnect_min_ms: 20\n  reconnect_max_ms: 200\n";
    if (options.redis_no_journal) yaml += "  no_journal: true\n";
  }
  yaml += options.extra_config;
  if (options.edit) yaml = options.edit(std::move(yaml));
  return yaml;
}

const char* const kCustomersJsonl =
    R"({"id":"C1","name":"Ada","segment":"strategic","current_value":1000,"potential_value":90000,"language":"en","phones":["+1 415 555 0100"],"emails":["ada@example.com"],"web_visitors":["v-1"],"web_accounts":["acct-1"]}
{"id":"C2","name":"Bob","segment":"profitable","current_value":50000,"potential_value":1000,"language":"en","phones":["+1 415 555 0101"],"emails":["bob@example.com"],"web_visitors":["v-2"],"web_accounts":["acct-2"]}
)";

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  INFO("replacing '" << from << "'");
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

// ---------------------------------------------------------------------------------------------

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "routerd-it-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  const auto file = path_ / name;
  // Written beside and renamed over, so a reader never sees half a file.
  const auto partial = path_ / (name + ".partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text;
    REQUIRE(out.good());
  }
  std::filesystem::rename(partial, file);
  return file;
}

CenterFiles::CenterFiles(const CenterOptions& options) {
  dir_.write("customers.jsonl", kCustomersJsonl);
  config_path_ = dir_.write("routerd.yaml", center_yaml(options));
}

void CenterFiles::write_config(const std::string& yaml) const { dir_.write("routerd.yaml", yaml); }

std::string CenterFiles::read_config() const {
  std::ifstream in(config_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<grpc::ClientContext> context_for(const std::string& token, Millis deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  if (deadline.count() > 0) context->set_deadline(std::chrono::system_clock::now() + deadline);
  return context;
}

std::string code_name(grpc::StatusCode code) {
  // gRPC's codes are absl's (same names, same numbers).
  const std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN_STATUS_CODE" : name;
}

std::string describe(const grpc::Status& status) {
  return code_name(status.error_code()) + ": " + status.error_message();
}

bool eventually(const std::function<bool()>& condition, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// ---------------------------------------------------------------------------------------------

void Clients::connect(const std::string& address) {
  connect(address, grpc::InsecureChannelCredentials());
}

void Clients::connect(const std::string& address,
                      const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  channel_ = grpc::CreateChannel(address, credentials);
  interactions_ = v1::InteractionService::NewStub(channel_);
  agents_ = v1::AgentService::NewStub(channel_);
  supervisor_ = v1::SupervisorService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
}

Reply<v1::SubmitInteractionResponse> Clients::submit(const v1::SubmitInteractionRequest& request) {
  return call(&v1::InteractionService::Stub::SubmitInteraction, kGatewayToken, request);
}

Reply<v1::Interaction> Clients::get_interaction(const std::string& interaction_id) {
  v1::GetInteractionRequest request;
  request.set_interaction_id(interaction_id);
  return call(&v1::InteractionService::Stub::GetInteraction, kGatewayToken, request);
}

std::unique_ptr<EventStream<v1::InteractionEvent>> Clients::watch_interactions() {
  auto stream = open(&v1::InteractionService::Stub::WatchInteractions, kGatewayToken,
                     v1::WatchInteractionsRequest());
  // routerd's first message confirms the watch is registered; changes after it are on the stream.
  REQUIRE(stream->wait_for([](const v1::InteractionEvent& e) { return e.change() == "watching"; }));
  return stream;
}

std::optional<v1::AgentStatus> Clients::agent_status(const std::string& agent) {
  auto reply =
      call(&v1::SupervisorService::Stub::ListAgents, kSupervisorToken, v1::ListAgentsRequest());
  if (!reply.ok()) return std::nullopt;
  for (const auto& a : reply.value.agents()) {
    if (a.agent() == agent) return a;
  }
  return std::nullopt;
}

std::optional<v1::QueueStats> Clients::queue_stats(const std::string& queue) {
  v1::GetQueueStatsRequest request;
  request.add_queues(queue);
  auto reply = call(&v1::SupervisorService::Stub::GetQueueStats, kSupervisorToken, request);
  if (!reply.ok()) return std::nullopt;
  for (const auto& q : reply.value.queues()) {
    if (q.queue() == queue) return q;
  }
  return std::nullopt;
}

namespace {

// Protobuf wire format by hand, for the two messages of grpc.health.v1 and grpc.reflection.
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::string string_field(int number, const std::string& value) {
  std::string out;
  put_varint(out, (static_cast<uint64_t>(number) << 3) | 2);
  put_varint(out, value.size());
  return out + value;
}

grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string from_buffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

Reply<int> Clients::health_check(const std::string& service, Millis deadline) {
  grpc::GenericStub stub(channel_);
  auto context = context_for("", deadline);
  const grpc::ByteBuffer request =
      to_buffer(service.empty() ? std::string() : string_field(1, service));
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(context.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&done](grpc::Status s) { done.set_value(std::move(s)); });
  Reply<int> reply{done.get_future().get(), 0};
  if (!reply.ok()) return reply;
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(from_buffer(response))) {
    reply.status = grpc::Status(grpc::INTERNAL, "undecodable HealthCheckResponse");
    return reply;
  }
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& f = fields.field(i);
    if (f.number() == 1 && f.type() == google::protobuf::UnknownField::TYPE_VARINT) {
      reply.value = static_cast<int>(f.varint());
    }
  }
  return reply;
}

Reply<std::vector<std::string>> Clients::reflection_services() {
  Reply<std::vector<std::string>> reply;
  grpc::GenericStub stub(channel_);
  auto context = context_for("", kCallDeadline);
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t expected) {
    return cq.Next(&tag, &ok) && ok && reinterpret_cast<intptr_t>(tag) == expected;
  };
  auto call = stub.PrepareCall(
      context.get(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  bool fine = step(1);
  // ServerReflectionRequest { list_services (7): "*" }
  if (fine) {
    call->Write(to_buffer(string_field(7, "*")), reinterpret_cast<void*>(2));
    fine = step(2);
  }
  grpc::ByteBuffer response;
  if (fine) {
    call->Read(&response, reinterpret_cast<void*>(3));
    fine = step(3);
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  call->Finish(&reply.status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok)) {
    if (reinterpret_cast<intptr_t>(tag) == 5) break;
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!reply.ok()) return reply;
  if (!fine) {
    reply.status = grpc::Status(grpc::INTERNAL, "no ServerReflectionResponse");
    return reply;
  }
  // ServerReflectionResponse { list_services_response (6): { service (1): { name (1) } } }
  google::protobuf::UnknownFieldSet top;
  if (!top.ParseFromString(from_buffer(response))) {
    reply.status = grpc::Status(grpc::INTERNAL, "undecodable ServerReflectionResponse");
    return reply;
  }
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    google::protobuf::UnknownFieldSet list;
    if (!list.ParseFromString(top.field(i).length_delimited())) continue;
    for (int j = 0; j < list.field_count(); ++j) {
      if (list.field(j).number() != 1) continue;
      google::protobuf::UnknownFieldSet service;
      if (!service.ParseFromString(list.field(j).length_delimited())) continue;
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1)
          reply.value.push_back(service.field(k).length_delimited());
      }
    }
  }
  return reply;
}

// ---------------------------------------------------------------------------------------------

RouterFixture::RouterFixture(const CenterOptions& options) : files_(options) { start(); }

void RouterFixture::restart() {
  server_->shutdown(1s);
  server_.reset();
  start();
}

void RouterFixture::start() {
  routerd::DaemonOptions server_options;
  server_options.config_path = files_.config_path();
  server_options.listen = "127.0.0.1:0";
  auto started = routerd::Daemon::start(server_options);
  if (!started.ok()) FAIL("Server::start: " << started.error().message);
  server_ = std::move(started).value();
  REQUIRE(server_->port() > 0);
  connect(server_->address());
  REQUIRE(channel()->WaitForConnected(std::chrono::system_clock::now() + kCallDeadline));
}

RouterFixture::~RouterFixture() {
  if (server_) server_->shutdown(1s);
}

// ---------------------------------------------------------------------------------------------

v1::SubmitInteractionRequest phone_call(const std::string& id, const std::string& ani,
                                        const std::string& dnis) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::PHONE);
  r.mutable_phone()->set_ani(ani);
  r.mutable_phone()->set_dnis(dnis);
  return r;
}

v1::SubmitInteractionRequest email(const std::string& id, const std::string& from,
                                   const std::string& message_id, const std::string& in_reply_to,
                                   const std::string& mailbox) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::EMAIL);
  auto* e = r.mutable_email();
  e->set_from(from);
  e->set_to_mailbox(mailbox);
  e->set_subject("Invoice question");
  e->set_message_id(message_id);
  e->set_in_reply_to(in_reply_to);
  return r;
}

v1::SubmitInteractionRequest web_chat(const std::string& id, const std::string& visitor_id,
                                      const std::string& account_id) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::WEB_CHAT);
  auto* w = r.mutable_web();
  w->set_kind(v1::WebDetails::CHAT);
  w->set_visitor_id(visitor_id);
  w->set_account_id(account_id);
  w->set_topic("pricing");
  w->set_page_url("https://example.com/pricing");
  return r;
}

v1::SubmitInteractionRequest web_callback(const std::string& id, const std::string& account_id,
                                          const std::string& number) {
  v1::SubmitInteractionRequest r;
  r.set_interaction_id(id);
  r.set_channel(v1::WEB_CALLBACK);
  auto* w = r.mutable_web();
  w->set_kind(v1::WebDetails::CALLBACK);
  w->set_account_id(account_id);
  w->set_callback_number(number);
  w->set_topic("support");
  return r;
}

v1::SubmitInteractionRequest nth(const std::string& prefix, int i) {
  const std::string id = prefix + std::to_string(i);
  switch (i % 4) {
    case 0: return phone_call(id, "+1 212 555 " + std::to_string(1000 + i % 9000));
    case 1: return phone_call(id, "+1 212 556 " + std::to_string(1000 + i % 9000), kSalesLine);
    case 2: return email(id, "c" + std::to_string(i) + "@example.org");
    default: return web_chat(id, "visitor-" + std::to_string(i));
  }
}

std::vector<grpc::StatusCode> submit_all(Clients& clients, const std::string& prefix, int count,
                                         int threads, std::vector<char>* replayed) {
  std::vector<grpc::StatusCode> codes(count, grpc::StatusCode::UNKNOWN);
  if (replayed) replayed->assign(count, 0);
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto r = clients.submit(nth(prefix, i));
        codes[i] = r.code();
        if (replayed) (*replayed)[i] = r.ok() && r.value.replayed() ? 1 : 0;
      }
    });
  }
  for (auto& t : pool) t.join();
  return codes;
}

// ---------------------------------------------------------------------------------------------

AgentDesk::AgentDesk(Clients& clients, std::string agent)
    : clients_(clients), agent_(std::move(agent)) {
  v1::LoginRequest login;
  login.set_agent(agent_);
  login.set_ready(false);
  auto reply = clients_.call(&v1::AgentService::Stub::Login, token(), login);
  INFO("Login " << agent_ << ": " << describe(reply.status));
  REQUIRE(reply.ok());
  open_work();
}

void AgentDesk::open_work() {
  v1::StreamWorkRequest request;
  request.set_agent(agent_);
  work_ = clients_.open(&v1::AgentService::Stub::StreamWork, token(), request);
  // Heartbeats come every kHeartbeat: the first event proves the stream is registered.
  INFO("StreamWork " << agent_ << " delivers a first event");
  REQUIRE(work_->next(kEventTimeout).has_value());
}

void AgentDesk::reconnect() { open_work(); }

Reply<v1::AgentStatus> AgentDesk::set_ready() {
  v1::SetStateRequest r;
  r.set_agent(agent_);
  r.set_state(v1::READY);
  return clients_.call(&v1::AgentService::Stub::SetState, token(), r);
}

Reply<v1::AgentStatus> AgentDesk::set_not_ready(const std::string& reason) {
  v1::SetStateRequest r;
  r.set_agent(agent_);
  r.set_state(v1::NOT_READY);
  r.set_reason(reason);
  return clients_.call(&v1::AgentService::Stub::SetState, token(), r);
}

std::optional<v1::Offer> AgentDesk::wait_offer(const std::string& interaction_id, Millis timeout) {
  auto event = work_->wait_for(
      [&](const v1::WorkEvent& e) {
        return e.has_offer() && (interaction_id.empty() ||
                                 e.offer().interaction().interaction_id() == interaction_id);
      },
      timeout);
  if (!event) return std::nullopt;
  return event->offer();
}

namespace {
v1::OfferRequest offer_request(const std::string& agent, const std::string& interaction_id) {
  v1::OfferRequest r;
  r.set_agent(agent);
  r.set_interaction_id(interaction_id);
  return r;
}
}  // namespace

Reply<v1::AgentStatus> AgentDesk::accept(const std::string& interaction_id) {
  return clients_.call(&v1::AgentService::Stub::AcceptOffer, token(),
                       offer_request(agent_, interaction_id));
}

Reply<v1::AgentStatus> AgentDesk::reject(const std::string& interaction_id) {
  return clients_.call(&v1::AgentService::Stub::RejectOffer, token(),
                       offer_request(agent_, interaction_id));
}

Reply<v1::AgentStatus> AgentDesk::complete(const std::string& interaction_id,
                                           const std::string& wrap_up_code) {
  v1::CompleteRequest r;
  r.set_agent(agent_);
  r.set_interaction_id(interaction_id);
  r.set_wrap_up_code(wrap_up_code);
  return clients_.call(&v1::AgentService::Stub::CompleteInteraction, token(), r);
}

Reply<v1::AgentStatus> AgentDesk::end_wrap_up(const std::string& interaction_id,
                                              const std::string& wrap_up_code) {
  v1::OfferRequest r = offer_request(agent_, interaction_id);
  r.set_wrap_up_code(wrap_up_code);
  return clients_.call(&v1::AgentService::Stub::EndWrapUp, token(), r);
}

// ---------------------------------------------------------------------------------------------
// The routerd binary.

namespace {
std::vector<std::string> routerd_args(const CenterFiles& files, const std::string& listen,
                                      const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {ROUTERD_PATH, "--config", files.config_path(), "--listen",
                                   listen};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}
}  // namespace

// stdout and stderr append to routerd.log: a restarted routerd's log follows the first one's.
RouterdProcess::RouterdProcess(const CenterFiles& files, const std::string& listen,
                               const std::vector<std::string>& extra_args)
    : log_path_((files.dir() / "routerd.log").string()),
      process_(routerd_args(files, listen, extra_args), ChildOptions{.out = ChildOutput::kLog,
                                                                     .err = ChildOutput::kLog,
                                                                     .log = log_path_,
                                                                     .append_log = true,
                                                                     .stdin_null = false,
                                                                     .env = std::nullopt}) {}

void RouterdProcess::signal(int sig) const { REQUIRE(process_.signal(sig)); }

std::optional<int> RouterdProcess::wait_exit(Millis timeout) { return process_.wait_exit(timeout); }

std::string RouterdProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> waiting_in(Clients& clients, const std::string& queue) {
  v1::ListInteractionsRequest request;
  request.set_queue(queue);
  request.set_limit(10'000);
  auto r =
      clients.call(&v1::SupervisorService::Stub::ListInteractions, kSupervisorToken, request, 30s);
  INFO(describe(r.status));
  REQUIRE(r.ok());
  std::vector<std::string> out;
  for (const auto& i : r.value.interactions()) {
    out.push_back(i.interaction_id() + "@" + std::to_string(i.arrived().seconds()) + "." +
                  std::to_string(i.arrived().nanos()) + " " + v1::InteractionState_Name(i.state()));
  }
  return out;
}

std::map<std::string, std::vector<std::string>> waiting_by_queue(Clients& clients) {
  std::map<std::string, std::vector<std::string>> out;
  for (const char* q :
       {"phone-support", "phone-sales", "email-billing", "web-chat", "web-callback"}) {
    out[q] = waiting_in(clients, q);
  }
  return out;
}

bool wait_serving(Clients& clients, RouterdProcess& process, Millis timeout) {
  return eventually(
      [&] {
        if (process.wait_exit(0ms)) return false;
        auto h = clients.health_check("", 500ms);
        return h.ok() && h.value == kServing;
      },
      timeout);
}

}  // namespace router::it
