// The simulated gateway and front ends of gateway.h.
#include "tools/routerdemo/gateway.h"

#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace router::demo {
namespace {

// Live interactions remembered for hang-ups and the waiting count; the oldest are forgotten.
constexpr size_t kMaxRemembered = 200'000;
// Message-IDs kept per customer for threading replies.
constexpr size_t kMaxThreadLength = 5;

const char* const kAnonymousAreaCodes[] = {"646", "305", "702", "971", "480"};
const char* const kBillingSubjects[] = {"Invoice question", "Refund request", "Payment failed",
                                        "Wrong charge on my bill", "Update my card"};
const char* const kSupportSubjects[] = {"Cannot log in", "Where is my order?", "Product question",
                                        "Something is broken", "Help needed"};

std::string make_run_id() {
  // Interaction ids must be new for every run: routerd replays a repeated id (idempotence).
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx%x",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::seconds>(now).count()),
                static_cast<unsigned>(::getpid() & 0xffff));
  return buf;
}

bool waiting_state(v1::InteractionState s) {
  return s == v1::RECEIVED || s == v1::QUEUED || s == v1::OFFERED;
}

bool final_state(v1::InteractionState s) {
  return s == v1::COMPLETED || s == v1::ABANDONED || s == v1::EXPIRED;
}

}  // namespace

Gateway::Gateway(const Scenario& scenario, const std::shared_ptr<grpc::Channel>& channel,
                 Scheduler& scheduler, Counters& counters, const TrafficProfile& profile,
                 uint64_t seed)
    : scenario_(scenario),
      stub_(v1::InteractionService::NewStub(channel)),
      scheduler_(scheduler),
      counters_(counters),
      profile_(profile),
      run_id_(make_run_id()),
      rng_(seed) {
  for (size_t i = 0; i < scenario_.customers.size(); ++i) {
    const auto& c = scenario_.customers[i];
    const bool web = !c.web_visitors.empty() || !c.web_accounts.empty();
    if (!c.phones.empty()) reachable_[channel_index(v1::PHONE)].push_back(i);
    if (!c.emails.empty()) reachable_[channel_index(v1::EMAIL)].push_back(i);
    if (web) reachable_[channel_index(v1::WEB_CHAT)].push_back(i);
    if (web && !c.phones.empty()) reachable_[channel_index(v1::WEB_CALLBACK)].push_back(i);
  }
  for (size_t c = 0; c < kChannels; ++c) {
    if (profile_.mix[c] > 0 && !scenario_.doors[c].empty()) channels_in_use_.push_back(c);
  }
}

Gateway::~Gateway() { stop(); }

void Gateway::start(Clock::time_point first_arrival) {
  started_ = first_arrival;
  stream_thread_ = std::thread([this] { run_stream(); });
  if (channels_in_use_.empty() || profile_.rate_per_s <= 0) return;
  Clock::time_point due;
  {
    std::lock_guard lock(mu_);
    due = next_arrival(first_arrival);
  }
  scheduler_.at(due, [this] { arrive(); });
}

Clock::time_point Gateway::next_arrival(Clock::time_point after) {
  // A Poisson process with rate r(t) = rate × (1 + wave × sin(2πt/period)), by thinning:
  // candidates at the peak rate, each kept with probability r(t) / peak.
  const double peak = profile_.rate_per_s * (1 + std::max(0.0, profile_.wave));
  Clock::time_point t = after;
  for (int tries = 0; tries < 10'000; ++tries) {
    t += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(exponential(1.0 / peak)));
    if (profile_.wave <= 0 || profile_.wave_period_s <= 0) return t;
    const double since_s = std::chrono::duration<double>(t - started_).count();
    const double rate =
        profile_.rate_per_s *
        (1 + profile_.wave * std::sin(2 * std::numbers::pi * since_s / profile_.wave_period_s));
    if (uniform(0, peak) < rate) return t;
  }
  return t;
}

void Gateway::arrive() {
  if (!arrivals_on_.load()) return;
  v1::SubmitInteractionRequest request;
  double patience_s = 0;
  {
    std::lock_guard lock(mu_);
    // The next arrival is scheduled before this one's RPC, so a slow answer does not thin the
    // arrival process.
    scheduler_.at(next_arrival(Clock::now()), [this] { arrive(); });
    std::vector<double> weights;
    for (size_t c : channels_in_use_) weights.push_back(profile_.mix[c]);
    const size_t c =
        channels_in_use_[std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng_)];
    request = make_request(channel_at(c), patience_s);
    remember(request.interaction_id(), request.channel());
  }
  submit(request, patience_s);
}

const Door* Gateway::pick_door(v1::Channel channel, const Caller& caller) {
  const auto& doors = scenario_.doors[channel_index(channel)];
  const bool strategic = caller.customer != nullptr && caller.customer->strategic;
  std::vector<const Door*> open;
  // A strategic customer calls the private line they were given, if there is one.
  if (strategic) {
    const Door* best = nullptr;
    for (const auto& d : doors) {
      if (d.priority > 0 && (best == nullptr || d.priority > best->priority)) best = &d;
    }
    if (best != nullptr) return best;
  }
  for (const auto& d : doors) {
    if (d.priority > 0) continue;                                        // private line
    if (!d.language.empty() && d.language != caller.language) continue;  // other language
    open.push_back(&d);
  }
  if (open.empty()) {
    for (const auto& d : doors) open.push_back(&d);
  }
  return open[pick(open.size())];
}

v1::SubmitInteractionRequest Gateway::make_request(v1::Channel channel, double& patience_s) {
  const size_t c = channel_index(channel);
  Caller caller;
  if (!reachable_[c].empty() && uniform(0, 1) < profile_.known_share) {
    caller.customer_index = reachable_[c][pick(reachable_[c].size())];
    caller.customer = &scenario_.customers[caller.customer_index];
    caller.language = caller.customer->language;
  } else {
    caller.language = uniform(0, 1) < profile_.zh_anonymous_share ? "zh" : "en";
  }
  const Door& door = *pick_door(channel, caller);
  const KnownCustomer* known = caller.customer;
  auto any_of = [this](const std::vector<std::string>& v) { return v[pick(v.size())]; };
  auto anonymous_number = [this] {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+1 (%s) 555-02%02zu", kAnonymousAreaCodes[pick(5)], pick(100));
    return std::string(buf);
  };

  v1::SubmitInteractionRequest r;
  const uint64_t seq = next_seq_++;
  r.set_interaction_id("demo-" + run_id_ + "-" + std::to_string(seq));
  r.set_channel(channel);
  (*r.mutable_attributes())["source"] = "routerdemo";
  switch (channel) {
    case v1::PHONE: {
      auto* p = r.mutable_phone();
      if (known != nullptr) {
        p->set_ani(any_of(known->phones));
      } else if (uniform(0, 1) >= profile_.withheld_caller_id_share) {
        p->set_ani(anonymous_number());
      } else {
        p->set_ani("anonymous");  // as SIP From: says it; routerd takes it for "no caller id"
      }
      p->set_dnis(door.address);
      if (!door.intents.empty() && uniform(0, 1) < profile_.intent_share) {
        r.set_intent(door.intents[pick(door.intents.size())]);
      }
      p->set_ivr_path(r.intent().empty() ? "main" : "main>" + r.intent());
      if (uniform(0, 1) < profile_.ivr_language_share) p->set_language(caller.language);
      if (known != nullptr && uniform(0, 1) < 0.5) {
        std::string digits;
        for (char ch : known->id) {
          if (ch >= '0' && ch <= '9') digits += ch;
        }
        p->set_ivr_digits(digits);
      }
      break;
    }
    case v1::EMAIL: {
      auto* e = r.mutable_email();
      char guest[48];
      std::snprintf(guest, sizeof guest, "guest%05zu@mail.example.org", pick(100'000));
      e->set_from(known != nullptr ? any_of(known->emails) : std::string(guest));
      e->set_to_mailbox(door.address.empty() ? "contact@example.com" : door.address);
      const bool billing = door.address.find("billing") != std::string::npos;
      e->set_subject(billing ? kBillingSubjects[pick(5)] : kSupportSubjects[pick(5)]);
      e->set_message_id(std::to_string(seq) + "." + run_id_ + "@mail.example.net");
      if (known != nullptr) {
        auto& thread = threads_[caller.customer_index];
        if (!thread.empty() && uniform(0, 1) < profile_.reply_share) {
          e->set_subject("Re: " + e->subject());
          e->set_in_reply_to(thread.back());
          for (const auto& id : thread) e->add_references(id);
        } else {
          thread.clear();
        }
        thread.push_back(e->message_id());
        if (thread.size() > kMaxThreadLength) thread.erase(thread.begin());
      }
      *e->mutable_received() = google::protobuf::util::TimeUtil::GetCurrentTime();
      break;
    }
    case v1::WEB_CHAT:
    case v1::WEB_CALLBACK: {
      auto* w = r.mutable_web();
      char visitor[32];
      std::snprintf(visitor, sizeof visitor, "v-anon-%08zx", pick(1u << 31));
      if (known != nullptr) {
        if (!known->web_visitors.empty()) w->set_visitor_id(any_of(known->web_visitors));
        if (!known->web_accounts.empty() && (w->visitor_id().empty() || uniform(0, 1) < 0.5)) {
          w->set_account_id(any_of(known->web_accounts));
        }
      }
      if (w->visitor_id().empty() && w->account_id().empty()) w->set_visitor_id(visitor);
      w->set_topic(door.address);
      w->set_page_url("https://www.example.com/" + (door.address.empty() ? "help" : door.address));
      if (channel == v1::WEB_CHAT) {
        w->set_kind(v1::WebDetails::CHAT);
      } else {
        w->set_kind(v1::WebDetails::CALLBACK);
        w->set_callback_number(known != nullptr ? any_of(known->phones) : anonymous_number());
      }
      break;
    }
    default: break;
  }

  patience_s = 0;
  const double mean_s = profile_.patience_mean_s[c];
  const bool may_leave =
      channel != v1::WEB_CALLBACK || uniform(0, 1) < profile_.callback_cancel_share;
  if (mean_s > 0 && may_leave) patience_s = profile_.patience_min_s + exponential(mean_s);
  return r;
}

void Gateway::remember(const std::string& id, v1::Channel channel) {
  live_[id] = Live{channel, v1::RECEIVED};
  submitted_order_.push_back(id);
  while (submitted_order_.size() > kMaxRemembered) {
    live_.erase(submitted_order_.front());
    submitted_order_.pop_front();
  }
}

grpc::Status Gateway::call(v1::GatewayRequest request, v1::GatewayAnswer* answer) {
  std::shared_ptr<Stream> stream;
  {
    std::lock_guard lock(mu_);
    stream = stream_;
  }
  if (stream == nullptr) return {grpc::StatusCode::UNAVAILABLE, "no gateway stream open"};
  grpc::Status s = stream->call(std::move(request), answer, kCallDeadline);
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE) counters_.reached();
  return s;
}

void Gateway::submit(const v1::SubmitInteractionRequest& request, double patience_s) {
  v1::GatewayRequest message;
  *message.mutable_submit() = request;
  v1::GatewayAnswer answer;
  const grpc::Status s = call(std::move(message), &answer);
  const std::string& id = request.interaction_id();
  if (!s.ok()) {
    // Turned away by its queue's rules (closed, full, nobody there): the caller hears so.
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
        s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      counters_.add(Count::kRefused);
    } else {
      counters_.error("SubmitInteraction", s);
    }
    std::lock_guard lock(mu_);
    live_.erase(id);
    return;
  }
  const v1::SubmitInteractionResponse& response = answer.submitted();
  counters_.submitted(request.channel());
  if (response.interaction().channel() != request.channel()) counters_.add(Count::kCallbacks);
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end()) return;
    // The watch may have seen a later state already.
    if (it->second.state == v1::RECEIVED) it->second.state = response.interaction().state();
    if (final_state(it->second.state)) {
      live_.erase(it);
      return;
    }
  }
  if (patience_s > 0) {
    scheduler_.after(std::chrono::duration<double>(patience_s), [this, id] { hang_up(id); });
  }
}

void Gateway::hang_up(const std::string& id) {
  v1::Channel channel;
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end() || !waiting_state(it->second.state)) return;  // answered or gone
    channel = it->second.channel;
  }
  cancel(id, channel, /*patience=*/true);
}

bool Gateway::cancel(const std::string& id, v1::Channel channel, bool patience) {
  v1::GatewayRequest message;
  auto& request = *message.mutable_cancel();
  request.set_interaction_id(id);
  request.set_reason(channel == v1::PHONE      ? "caller_hangup"
                     : channel == v1::WEB_CHAT ? "visitor_left"
                                               : "callback_cancelled");
  const grpc::Status s = call(std::move(message), nullptr);
  if (s.ok()) {
    if (patience) counters_.add(Count::kAbandoned);
    std::lock_guard lock(mu_);
    live_.erase(id);
    return true;
  }
  if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    // An agent took it just before the caller gave up.
    if (patience) counters_.add(Count::kAnsweredAtHangUp);
  } else if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
    counters_.error("CancelInteraction", s);
  }
  return false;
}

size_t Gateway::hang_up_waiting(std::chrono::milliseconds budget) {
  const auto deadline = Clock::now() + budget;
  std::vector<std::pair<std::string, v1::Channel>> waiting;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, live] : live_) {
      if (waiting_state(live.state) && live.channel != v1::EMAIL) {
        waiting.emplace_back(id, live.channel);
      }
    }
  }
  size_t cancelled = 0;
  for (const auto& [id, channel] : waiting) {
    if (Clock::now() >= deadline) break;
    if (cancel(id, channel, /*patience=*/false)) ++cancelled;
  }
  return cancelled;
}

void Gateway::on_event(const v1::InteractionEvent& event) {
  const auto& i = event.interaction();
  std::lock_guard lock(mu_);
  auto it = live_.find(i.interaction_id());
  if (it == live_.end()) return;  // another client with the same token, or forgotten
  if (i.state() == v1::EXPIRED) counters_.add(Count::kExpired);
  if (event.change() == "overflowed") counters_.add(Count::kOverflowed);
  if (final_state(i.state())) {
    live_.erase(it);
  } else {
    it->second.state = i.state();
  }
}

void Gateway::run_stream() {
  auto backoff = std::chrono::milliseconds(500);
  while (true) {
    auto context = std::make_unique<grpc::ClientContext>();
    prepare(*context, scenario_.gateway_token, std::chrono::hours(24 * 365));
    bool got_any = false;
    auto stream = std::make_shared<Stream>(
        std::move(context), [this](grpc::ClientContext* c) { return stub_->GatewayStream(c); },
        [](const v1::GatewayResponse& r) { return r.has_answer() ? &r.answer() : nullptr; },
        [this, &got_any](Stream& self, const v1::GatewayResponse& r) {
          got_any = true;
          counters_.reached();
          // Requests wait for room in routerd's window: one more would be refused.
          if (r.has_window()) self.set_window(r.window().max_in_flight());
          if (r.has_event()) on_event(r.event());
        },
        /*window=*/0);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stream_ = stream;
    }
    // The watch is the stream's first request: every change after its answer comes as an event.
    scheduler_.after(std::chrono::milliseconds(0), [this, stream] {
      v1::GatewayRequest watch;
      watch.mutable_watch();
      const grpc::Status s = stream->call(std::move(watch), nullptr, kCallDeadline);
      if (!s.ok() && s.error_code() != grpc::StatusCode::UNAVAILABLE) {
        counters_.error("GatewayStream watch", s);
      }
    });
    const grpc::Status s = stream->read_all();
    {
      std::lock_guard lock(mu_);
      stream_ = nullptr;
      if (stopping_) return;
    }
    counters_.add(Count::kStreamsLost);
    if (!s.ok() && s.error_code() != grpc::StatusCode::UNAVAILABLE) {
      counters_.error("GatewayStream", s);
    }
    if (got_any) backoff = std::chrono::milliseconds(500);
    std::unique_lock lock(mu_);
    if (stop_cv_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
}

void Gateway::stop() {
  arrivals_on_.store(false);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (stream_ != nullptr) stream_->cancel();
  }
  stop_cv_.notify_all();
  if (stream_thread_.joinable()) stream_thread_.join();
}

size_t Gateway::waiting() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, live] : live_) {
    if (live.state == v1::QUEUED || live.state == v1::OFFERED) ++n;
  }
  return n;
}

double Gateway::uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng_);
}

double Gateway::exponential(double mean) {
  return std::exponential_distribution<double>(1.0 / mean)(rng_);
}

size_t Gateway::pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

}  // namespace router::demo
