// routersip's streams to routerd. See router_link.h.
#include "tools/routersip/router_link.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"

namespace router::sip {
namespace {

constexpr int kUnavailable = 14;

// One bidirectional stream with correlation ids, a window and reconnection. `Req` and `Resp`
// are GatewayRequest/GatewayResponse or AgentRequest/AgentSessionResponse.
template <class Req, class Resp>
class Stream {
 public:
  using Rw = grpc::ClientReaderWriter<Req, Resp>;
  using Answered = std::function<void(int code, const std::string& message, const Resp& resp)>;
  struct Spec {
    std::string name;   // for logs: "gateway_stream", "agent_link"
    std::string token;  // bearer token
    std::function<std::unique_ptr<Rw>(grpc::ClientContext*, const std::shared_ptr<grpc::Channel>&)>
        open;
    std::function<const v1::RequestResult*(const Resp&)> answer_of;  // null: not an answer
    std::function<uint32_t(const Resp&)> window_of;                  // 0: not a window
    std::function<void(const Resp&)> on_event;                       // run via post
    std::function<void(bool up)> on_link;                            // run via post
    std::function<Req()> hello;  // the first request once open (may be null); up once answered
    uint32_t window = 64;        // until routerd says otherwise
  };

  Stream(Spec spec, std::vector<std::string> addresses,
         std::function<std::shared_ptr<grpc::Channel>(const std::string&)> channel_for, Post post)
      : spec_(std::move(spec)),
        addresses_(std::move(addresses)),
        channel_for_(std::move(channel_for)),
        post_(std::move(post)) {}

  void start() {
    reader_ = std::thread([this] { read_loop(); });
    writer_ = std::thread([this] { write_loop(); });
  }

  bool idle() {
    std::lock_guard lock(mu_);
    return pending_.empty();
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      if (context_) context_->TryCancel();
    }
    cv_.notify_all();
    if (reader_.joinable()) reader_.join();
    if (writer_.joinable()) writer_.join();
  }

  // From the event loop. `done` runs via post.
  void send(Req request, Answered done) { send_locked(std::move(request), std::move(done), false); }

 private:
  void send_locked(Req request, Answered done, bool hello) {
    std::unique_lock lock(mu_);
    if (!up_ && !(hello && open_)) {
      lock.unlock();
      post_([done = std::move(done)] { done(kUnavailable, "routerd is not reachable", Resp{}); });
      return;
    }
    const std::string id = std::to_string(++next_id_);
    request.set_correlation_id(id);
    pending_[id] = std::move(done);
    if (in_flight_ < window_) {
      ++in_flight_;
      outbox_.push_back(std::move(request));
    } else {
      backlog_.push_back(std::move(request));
    }
    cv_.notify_all();
  }

  void read_loop() {
    auto backoff = std::chrono::milliseconds(100);
    size_t first = 0;
    while (!stopping()) {
      const auto choice =
          client_channel::choose(addresses_, channel_for_, std::chrono::milliseconds(1000), first);
      first = choice.index;
      auto context = std::make_shared<grpc::ClientContext>();
      context->AddMetadata("authorization", "Bearer " + spec_.token);
      std::shared_ptr<Rw> rw;
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
        context_ = context;
        rw = spec_.open(context.get(), choice.channel);
        rw_ = rw;
        open_ = true;
        window_ = spec_.window;
        in_flight_ = 0;
      }
      if (spec_.hello) {
        send_locked(
            spec_.hello(),
            [this](int code, const std::string& message, const Resp&) {
              // OK: on_link(true) is posted by the reader below. UNAVAILABLE: routerd is away,
              // which the reconnection handles (and would log every 5 s).
              if (code == 0 || code == kUnavailable) return;
              spdlog::warn("event=link_refused link={} code={} error=\"{}\"", spec_.name, code,
                           message);
            },
            true);
      } else {
        set_up(true);
      }
      Resp resp;
      bool answered_any = false;
      while (rw->Read(&resp)) {
        if (const uint32_t w = spec_.window_of ? spec_.window_of(resp) : 0; w > 0) {
          std::lock_guard lock(mu_);
          window_ = w;
          pump_locked();
          continue;
        }
        if (const v1::RequestResult* r = spec_.answer_of(resp); r != nullptr) {
          Answered done;
          {
            std::lock_guard lock(mu_);
            auto at = pending_.find(r->correlation_id());
            if (at == pending_.end()) continue;  // an unsolicited ABORTED (a takeover)
            done = std::move(at->second);
            pending_.erase(at);
            if (in_flight_ > 0) --in_flight_;
            pump_locked();
          }
          if (spec_.hello && !answered_any && r->code() == 0) set_up(true);
          answered_any = true;
          post_([done = std::move(done), code = r->code(), message = r->message(), resp] {
            done(code, message, resp);
          });
          continue;
        }
        post_([this, resp] { spec_.on_event(resp); });
        backoff = std::chrono::milliseconds(100);
      }
      context->TryCancel();  // a Write still in flight on the writer thread fails at once
      const grpc::Status status = rw->Finish();
      std::map<std::string, Answered> failed;
      bool was_up = false;
      {
        std::lock_guard lock(mu_);
        open_ = false;
        was_up = up_;
        up_ = false;
        rw_.reset();
        context_.reset();
        failed.swap(pending_);
        outbox_.clear();
        backlog_.clear();
      }
      for (auto& [id, done] : failed) {
        post_([done = std::move(done)] { done(kUnavailable, "routerd stream broke", Resp{}); });
      }
      if (was_up) {
        spdlog::warn("event=link_down link={} address={} error=\"{}\"", spec_.name, choice.address,
                     status.error_message());
        post_([this] { spec_.on_link(false); });
      }
      if (addresses_.size() > 1) first = (first + 1) % addresses_.size();
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }

  void set_up(bool up) {
    {
      std::lock_guard lock(mu_);
      up_ = up;
    }
    spdlog::info("event=link_up link={}", spec_.name);
    post_([this, up] { spec_.on_link(up); });
  }

  // Moves held-back requests into the outbox while the window allows. REQUIRES: mu_ held.
  void pump_locked() {
    while (!backlog_.empty() && in_flight_ < window_) {
      ++in_flight_;
      outbox_.push_back(std::move(backlog_.front()));
      backlog_.pop_front();
    }
    cv_.notify_all();
  }

  void write_loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || (!outbox_.empty() && rw_); });
      if (stopping_) return;
      Req next = std::move(outbox_.front());
      outbox_.pop_front();
      std::shared_ptr<Rw> rw = rw_;
      lock.unlock();
      rw->Write(next);  // a failure shows in the reader, which fails what is in flight
      lock.lock();
    }
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  Spec spec_;
  std::vector<std::string> addresses_;
  std::function<std::shared_ptr<grpc::Channel>(const std::string&)> channel_for_;
  Post post_;
  std::thread reader_, writer_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool open_ = false;  // a stream exists (the hello may be sent)
  bool up_ = false;    // requests may be sent
  std::shared_ptr<grpc::ClientContext> context_;
  std::shared_ptr<Rw> rw_;
  uint64_t next_id_ = 0;
  uint32_t window_ = 64, in_flight_ = 0;
  std::map<std::string, Answered> pending_;
  std::deque<Req> outbox_, backlog_;
};

}  // namespace

struct RouterLinks::Streams {
  std::unique_ptr<Stream<v1::GatewayRequest, v1::GatewayResponse>> gateway;
  std::unique_ptr<Stream<v1::AgentRequest, v1::AgentSessionResponse>> agents;
};

engine::Result<std::unique_ptr<RouterLinks>> RouterLinks::create(const Config& config, Post post,
                                                                 LinkHooks hooks) {
  grpc::ChannelArguments args;
  std::string error;
  auto creds = client_tls::channel_credentials(config.routerd.tls, args, error);
  if (creds == nullptr) return engine::invalid_argument("routerd.tls: " + error);
  const std::string domain = config.routerd.domain;
  auto channel_for = [creds, args, domain](const std::string& address) {
    return client_channel::make_channel(address, creds, args, domain);
  };
  std::unique_ptr<RouterLinks> links(new RouterLinks());
  links->streams_ = std::make_unique<Streams>();

  Stream<v1::GatewayRequest, v1::GatewayResponse>::Spec g;
  g.name = "gateway_stream";
  g.token = config.routerd.token;
  g.open = [](grpc::ClientContext* c, const std::shared_ptr<grpc::Channel>& ch) {
    return v1::InteractionService::NewStub(ch)->GatewayStream(c);
  };
  g.answer_of = [](const v1::GatewayResponse& r) -> const v1::RequestResult* {
    return r.has_answer() ? &r.answer().result() : nullptr;
  };
  g.window_of = [](const v1::GatewayResponse& r) -> uint32_t {
    return r.has_window() ? std::max<uint32_t>(1, r.window().max_in_flight()) : 0;
  };
  g.on_event = [h = hooks.gateway_event](const v1::GatewayResponse& r) {
    if (r.has_event()) h(r.event());
  };
  g.on_link = hooks.gateway_link;
  g.hello = [] {
    v1::GatewayRequest r;
    r.mutable_watch();  // every interaction of this gateway
    return r;
  };
  g.window = 1;  // until the FlowWindow arrives (the first message)
  links->streams_->gateway = std::make_unique<Stream<v1::GatewayRequest, v1::GatewayResponse>>(
      std::move(g), config.routerd.addresses, channel_for, post);

  Stream<v1::AgentRequest, v1::AgentSessionResponse>::Spec a;
  a.name = "agent_link";
  a.token = config.agent_link_token;
  a.open = [](grpc::ClientContext* c, const std::shared_ptr<grpc::Channel>& ch) {
    return v1::AgentService::NewStub(ch)->AgentLink(c);
  };
  a.answer_of = [](const v1::AgentSessionResponse& r) -> const v1::RequestResult* {
    return r.has_answer() ? &r.answer().result() : nullptr;
  };
  a.on_event = [h = hooks.work](const v1::AgentSessionResponse& r) {
    if (r.has_work()) h(r.agent(), r.work());
  };
  a.on_link = hooks.agent_link;
  a.window = 64;  // routerd reads at most 64 unanswered requests ahead
  links->streams_->agents = std::make_unique<Stream<v1::AgentRequest, v1::AgentSessionResponse>>(
      std::move(a), config.routerd.addresses, channel_for, post);
  return links;
}

RouterLinks::~RouterLinks() { stop(std::chrono::milliseconds(0)); }

void RouterLinks::start() {
  streams_->gateway->start();
  streams_->agents->start();
}

void RouterLinks::stop(std::chrono::milliseconds timeout) {
  if (!streams_) return;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline &&
         !(streams_->gateway->idle() && streams_->agents->idle())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  streams_->gateway->stop();
  streams_->agents->stop();
  streams_.reset();
}

void RouterLinks::submit(const v1::SubmitInteractionRequest& request, Submitted done) {
  v1::GatewayRequest r;
  *r.mutable_submit() = request;
  streams_->gateway->send(std::move(r), [done = std::move(done)](int code, const std::string& m,
                                                                 const v1::GatewayResponse& resp) {
    done(code, m, resp.answer().submitted().interaction());
  });
}

void RouterLinks::cancel(const std::string& interaction_id, const std::string& reason, Done done) {
  v1::GatewayRequest r;
  r.mutable_cancel()->set_interaction_id(interaction_id);
  r.mutable_cancel()->set_reason(reason);
  streams_->gateway->send(std::move(r),
                          [done = std::move(done)](int code, const std::string& m,
                                                   const v1::GatewayResponse&) { done(code, m); });
}

void RouterLinks::agent(const v1::AgentRequest& request, Done done) {
  streams_->agents->send(
      request, [done = std::move(done)](int code, const std::string& m,
                                        const v1::AgentSessionResponse&) { done(code, m); });
}

}  // namespace router::sip
