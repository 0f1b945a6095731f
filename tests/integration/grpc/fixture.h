// The harness for routerd's gRPC integration tests: a small contact center (five queues, four
// agents, entry points, a token per role and per agent, short timers) written with its customer
// file into a fresh temporary folder; a real routerd::Daemon on 127.0.0.1 with a port the
// kernel picks; clients that send each role's bearer token with a deadline; and readers that wait
// for stream events against a deadline (tests poll with a deadline, they never sleep and hope).
// Not thread-safe: one test thread drives a fixture; each EventStream reads on its own thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/free_port.h"
#include "tools/routerd/daemon.h"

namespace router::it {

namespace v1 = ::router::v1;
using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// The test center. Tokens are listed in the configuration in this order: gateway, supervisor,
// then one AGENT token per agent (ana, ben, cara, dev), so auth.tokens[2 + i] is agents[i]'s.
inline constexpr char kGatewayToken[] = "it-gateway-token-0001";
inline constexpr char kSupervisorToken[] = "it-supervisor-token-0001";
std::string agent_token(std::string_view agent);  // agents: ana, ben, cara, dev

// Entry-point addresses of the test center.
// → phone-support (offer timeout 1 s); with intent "sales" → phone-sales. A later rule for intent
// "vip" is never reached: the first matching rule wins.
inline constexpr char kSupportLine[] = "+18005550100";
inline constexpr char kSalesLine[] = "+18005550199";  // → phone-sales (offer timeout 5 s)
inline constexpr char kBillingMailbox[] = "billing@example.com";  // → email-billing
// WEB_CHAT → web-chat and WEB_CALLBACK → web-callback, whatever the topic.

// Timers and limits of the test center (daemon.* and limits.* in center_yaml()).
inline constexpr Millis kAgentGrace = 500ms;
inline constexpr Millis kHeartbeat = 200ms;
inline constexpr Millis kShutdownDeadline = 2s;
inline constexpr size_t kMaxMessageBytes = 8192;
inline constexpr size_t kMaxAttributes = 8;
inline constexpr size_t kMaxStringLength = 256;

// How long a unary call may take, and how long a test waits for an event it expects.
inline constexpr Millis kCallDeadline = 5s;
inline constexpr Millis kEventTimeout = 3s;

struct CenterOptions {
  bool dev_no_auth = false;
  std::string listen = {};   // daemon.listen; empty: not written
  size_t stream_buffer = 0;  // daemon.stream_buffer; 0: not written (routerd's default, 1,024)
  // "127.0.0.1:<port>": a redis section (customers from Redis, the journal on, short reconnect
  // backoff, lookup timeout kRedisLookupTimeout) instead of the customers file. Empty: none.
  std::string redis = {};
  bool redis_no_journal = false;  // redis.no_journal: customers from Redis, no journal
  // More auth.tokens entries (YAML list items, each "    - {...}\n"), after the agents' tokens.
  std::string extra_tokens = {};
  std::string metrics_listen = {};  // daemon.metrics_listen; empty: not written
  std::string extra_config = {};    // top-level YAML appended to the file (e.g. "codes: ...")
  std::function<std::string(std::string)> edit = {};  // applied to the finished YAML last
};
inline constexpr Millis kRedisLookupTimeout = 300ms;
// The test center with a redis section for Redis at `address`.
inline CenterOptions redis_center(std::string address, bool no_journal = false,
                                  std::string listen = "") {
  CenterOptions o;
  o.redis = std::move(address);
  o.redis_no_journal = no_journal;
  o.listen = std::move(listen);
  return o;
}
// The routing configuration (YAML) of the test center.
std::string center_yaml(const CenterOptions& options = {});
// Customers: C1 Ada (strategic; +1 415 555 0100, ada@example.com, v-1, acct-1) and C2 Bob
// (profitable; +1 415 555 0101, bob@example.com, v-2, acct-2).
extern const char* const kCustomersJsonl;

// `text` with the one occurrence of `from` replaced; fails the test when `from` is not there
// exactly once (so a test that edits the configuration cannot silently edit nothing).
std::string replace_once(std::string text, std::string_view from, std::string_view to);

// A fresh folder under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// A folder holding routerd.yaml and customers.jsonl.
class CenterFiles {
 public:
  explicit CenterFiles(const CenterOptions& options = {});
  std::string config_path() const { return config_path_.string(); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  void write_config(const std::string& yaml) const;
  std::string read_config() const;

 private:
  TempDir dir_;
  std::filesystem::path config_path_;
};

// ---------------------------------------------------------------------------------------------
// Calls.

// A client context carrying "authorization: Bearer <token>" (none when `token` is empty) and a
// deadline.
std::unique_ptr<grpc::ClientContext> context_for(const std::string& token,
                                                 Millis deadline = kCallDeadline);

template <class T>
struct Reply {
  grpc::Status status;
  T value;
  bool ok() const { return status.ok(); }
  grpc::StatusCode code() const { return status.error_code(); }
  std::string message() const { return status.error_message(); }
};

std::string describe(const grpc::Status& status);  // "INVALID_ARGUMENT: priority: ..."
std::string code_name(grpc::StatusCode code);

// Reads a server stream on its own thread into a list; the test thread waits for the event it
// expects with a deadline. Events are consumed in order: wait_for() skips those that do not
// match (heartbeats, say) and the next wait_for() starts after the one it returned.
template <class Event>
class EventStream {
 public:
  using Start = std::function<std::unique_ptr<grpc::ClientReader<Event>>(grpc::ClientContext*)>;

  EventStream(std::unique_ptr<grpc::ClientContext> context, const Start& start)
      : context_(std::move(context)), reader_(start(context_.get())) {
    thread_ = std::thread([this] { read_all(); });
  }
  ~EventStream() {
    context_->TryCancel();
    thread_.join();
  }
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // The next event after the last one returned that satisfies `match`, or nothing when the
  // stream ends or `timeout` passes first.
  std::optional<Event> wait_for(const std::function<bool(const Event&)>& match,
                                Millis timeout = kEventTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
      for (; cursor_ < events_.size(); ++cursor_) {
        if (match(events_[cursor_])) return events_[cursor_++];
      }
      if (ended_) return std::nullopt;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        for (; cursor_ < events_.size(); ++cursor_) {
          if (match(events_[cursor_])) return events_[cursor_++];
        }
        return std::nullopt;
      }
    }
  }
  std::optional<Event> next(Millis timeout = kEventTimeout) {
    return wait_for([](const Event&) { return true; }, timeout);
  }

  // The stream's final status once it has ended within `timeout`.
  std::optional<grpc::Status> wait_end(Millis timeout = kEventTimeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return ended_; })) return std::nullopt;
    return status_;
  }
  std::vector<Event> events() const {  // everything received so far, for diagnostics
    std::lock_guard lock(mu_);
    return events_;
  }
  // The client goes away (desktop closed, network lost): the call is cancelled.
  void cancel() { context_->TryCancel(); }

 private:
  void read_all() {
    Event event;
    while (reader_->Read(&event)) {
      std::lock_guard lock(mu_);
      events_.push_back(event);
      cv_.notify_all();
    }
    grpc::Status status = reader_->Finish();
    std::lock_guard lock(mu_);
    status_ = std::move(status);
    ended_ = true;
    cv_.notify_all();
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<Event>> reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  size_t cursor_ = 0;
  bool ended_ = false;
  grpc::Status status_;
  std::thread thread_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, Millis timeout = kEventTimeout);

// Stubs of the four services on one channel, and the calls tests make most, each with the
// token of the role that may make it.
class Clients {
 public:
  Clients() = default;
  explicit Clients(const std::string& address) { connect(address); }
  void connect(const std::string& address);
  // With `credentials` (TLS ones, say) instead of plaintext.
  void connect(const std::string& address,
               const std::shared_ptr<grpc::ChannelCredentials>& credentials);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  template <class Stub>
  Stub& stub() {
    if constexpr (std::is_same_v<Stub, v1::InteractionService::Stub>) {
      return *interactions_;
    } else if constexpr (std::is_same_v<Stub, v1::AgentService::Stub>) {
      return *agents_;
    } else if constexpr (std::is_same_v<Stub, v1::SupervisorService::Stub>) {
      return *supervisor_;
    } else {
      static_assert(std::is_same_v<Stub, v1::AdminService::Stub>);
      return *admin_;
    }
  }

  template <class Stub, class Request, class Response>
  Reply<Response> call(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                       const std::string& token, const Request& request,
                       Millis deadline = kCallDeadline) {
    Reply<Response> reply;
    auto context = context_for(token, deadline);
    reply.status = (stub<Stub>().*rpc)(context.get(), request, &reply.value);
    return reply;
  }

  // Opens a server stream without a deadline (`deadline` zero) or with one.
  template <class Stub, class Request, class Event>
  std::unique_ptr<EventStream<Event>> open(
      std::unique_ptr<grpc::ClientReader<Event>> (Stub::*rpc)(grpc::ClientContext*, const Request&),
      const std::string& token, const Request& request, Millis deadline = Millis(0)) {
    auto context = context_for(token, deadline);
    Stub* s = &stub<Stub>();
    return std::make_unique<EventStream<Event>>(
        std::move(context),
        [s, rpc, request](grpc::ClientContext* c) { return (s->*rpc)(c, request); });
  }

  // Gateway.
  Reply<v1::SubmitInteractionResponse> submit(const v1::SubmitInteractionRequest& request);
  Reply<v1::Interaction> get_interaction(const std::string& interaction_id);
  std::unique_ptr<EventStream<v1::InteractionEvent>> watch_interactions();
  // Supervisor.
  std::optional<v1::AgentStatus> agent_status(const std::string& agent);  // via ListAgents
  std::optional<v1::QueueStats> queue_stats(const std::string& queue);    // via GetQueueStats
  // grpc.health.v1.Health/Check for `service` ("" : the server): the status enum's value
  // (1 SERVING, 2 NOT_SERVING) or the call's error.
  Reply<int> health_check(const std::string& service = "", Millis deadline = kCallDeadline);
  // grpc.reflection.v1alpha.ServerReflection list_services.
  Reply<std::vector<std::string>> reflection_services();

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::InteractionService::Stub> interactions_;
  std::unique_ptr<v1::AgentService::Stub> agents_;
  std::unique_ptr<v1::SupervisorService::Stub> supervisor_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

// ---------------------------------------------------------------------------------------------
// The in-process server.

// The test center served by a real routerd::Daemon on 127.0.0.1:0, with connected
// clients. Fails the test when the server does not start.
class RouterFixture : public Clients {
 public:
  explicit RouterFixture(const CenterOptions& options = {});
  ~RouterFixture();

  routerd::Daemon& server() { return *server_; }
  // Server::shutdown, then a new Server on the same files (and Redis): what a restart does,
  // in process. The clients reconnect to the new port.
  void restart();
  const CenterFiles& files() const { return files_; }
  std::string config_path() const { return files_.config_path(); }

 private:
  void start();

  CenterFiles files_;
  std::unique_ptr<routerd::Daemon> server_;
};

// The real routerd binary on a center's files, its output in routerd.log beside the
// configuration. Killed (SIGKILL) if still running when the test ends.
class RouterdProcess {
 public:
  RouterdProcess(const CenterFiles& files, const std::string& listen,
                 const std::vector<std::string>& extra_args = {});
  RouterdProcess(const RouterdProcess&) = delete;
  RouterdProcess& operator=(const RouterdProcess&) = delete;

  void signal(int sig) const;
  // The exit status once the process has exited within `timeout` (128 + n when killed by
  // signal n, as a shell reports it).
  std::optional<int> wait_exit(Millis timeout);
  std::string log() const;
  pid_t pid() const { return process_.pid(); }

 private:
  std::string log_path_;
  ChildProcess process_;
};

// What a queue shows a supervisor (ListInteractions, up to 10,000), in its order: one line per
// waiting interaction, "<id>@<arrival seconds>.<nanos> <state>".
std::vector<std::string> waiting_in(Clients& clients, const std::string& queue);
// waiting_in() for every queue of the test center.
std::map<std::string, std::vector<std::string>> waiting_by_queue(Clients& clients);

// Waits until routerd at `clients` reports SERVING, or the process exits, or `timeout` passes.
bool wait_serving(Clients& clients, RouterdProcess& process, Millis timeout = 10s);

// A dev_no_auth center (every call accepted without a token).
class DevNoAuthFixture : public RouterFixture {
 public:
  DevNoAuthFixture()
      : RouterFixture(
            CenterOptions{.dev_no_auth = true, .listen = {}, .stream_buffer = 0, .redis = {}}) {}
};

// ---------------------------------------------------------------------------------------------
// Requests.

v1::SubmitInteractionRequest phone_call(const std::string& id, const std::string& ani,
                                        const std::string& dnis = kSupportLine);
v1::SubmitInteractionRequest email(const std::string& id, const std::string& from,
                                   const std::string& message_id = "",
                                   const std::string& in_reply_to = "",
                                   const std::string& mailbox = kBillingMailbox);
v1::SubmitInteractionRequest web_chat(const std::string& id, const std::string& visitor_id,
                                      const std::string& account_id = "");
v1::SubmitInteractionRequest web_callback(const std::string& id, const std::string& account_id,
                                          const std::string& number);

// Interaction `i` of a run: phone (two lines), email or web chat, each caller distinct.
v1::SubmitInteractionRequest nth(const std::string& prefix, int i);

// Submits nth(prefix, i) for i in [0, count) from `threads` threads; returns the status code of
// each, and in `replayed` (one byte each: a vector<bool> packs bits, and threads writing
// neighbouring bits would race) whether the answer was a replay.
std::vector<grpc::StatusCode> submit_all(Clients& clients, const std::string& prefix, int count,
                                         int threads, std::vector<char>* replayed = nullptr);

// ---------------------------------------------------------------------------------------------
// An agent desktop: logs its agent in NOT_READY, opens StreamWork and waits until the stream
// delivers (a heartbeat at the latest), so that nothing routed afterwards can miss it.
class AgentDesk {
 public:
  AgentDesk(Clients& clients, std::string agent);

  const std::string& agent() const { return agent_; }
  std::string token() const { return agent_token(agent_); }
  EventStream<v1::WorkEvent>& work() { return *work_; }

  Reply<v1::AgentStatus> set_ready();
  Reply<v1::AgentStatus> set_not_ready(const std::string& reason);
  // The next offer (of `interaction_id`, when given) on the work stream.
  std::optional<v1::Offer> wait_offer(const std::string& interaction_id = "",
                                      Millis timeout = kEventTimeout);
  Reply<v1::AgentStatus> accept(const std::string& interaction_id);
  Reply<v1::AgentStatus> reject(const std::string& interaction_id);
  Reply<v1::AgentStatus> complete(const std::string& interaction_id,
                                  const std::string& wrap_up_code = "resolved");
  Reply<v1::AgentStatus> end_wrap_up(const std::string& interaction_id,
                                     const std::string& wrap_up_code = "");

  void hang_up() { work_->cancel(); }  // the desktop goes away: StreamWork is cancelled
  void reconnect();                    // a new StreamWork, waited for like the first

 private:
  void open_work();

  Clients& clients_;
  std::string agent_;
  std::unique_ptr<EventStream<v1::WorkEvent>> work_;
};

}  // namespace router::it
