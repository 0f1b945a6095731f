// The simulated front ends: a telephony gateway, an e-mail front end and a web widget, all
// submitting with the configuration's GATEWAY token over one GatewayStream (InteractionService),
// within the flow window routerd gives it. Arrivals are a Poisson process whose rate swells and
// ebbs (a sine "wave") so queues form at the peaks; each arrival is a known customer (from the
// customers file) or an anonymous one, comes in by one of the entry-point doors (dialled number,
// mailbox, web topic) and, on the phone and in chat, hangs up (a cancel on the stream) if no
// agent has taken it when its patience runs out. The stream's watch tells the gateway what
// became of its interactions.
// Thread-safe: arrivals and hang-ups run on the scheduler's workers, the stream's reader on its
// own thread; the shared state is under one mutex, never held while waiting for an answer.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerdemo/call_stream.h"
#include "tools/routerdemo/counters.h"
#include "tools/routerdemo/scenario.h"
#include "tools/routerdemo/scheduler.h"

namespace router::demo {

struct TrafficProfile {
  double rate_per_s = 1.0;     // mean arrivals per second over a wave
  double wave = 0.35;          // the rate swings ±35% around the mean...
  double wave_period_s = 300;  // ...over this period (0 wave: steady)
  // Relative weight of each channel, kChannels order: phone, e-mail, chat, callback.
  std::array<double, kChannels> mix{55, 15, 20, 10};
  double known_share = 0.7;                // arrivals from customers in the customers file
  double zh_anonymous_share = 0.05;        // anonymous callers who choose Mandarin
  double ivr_language_share = 0.9;         // callers whose IVR language choice reaches routerd
  double intent_share = 0.3;               // callers who pick an IVR intent where the door has some
  double reply_share = 0.25;               // known customers' e-mails that reply to their last one
  double withheld_caller_id_share = 0.03;  // anonymous calls without caller id ("anonymous")
  // Patience per channel, seconds: a minimum plus an exponential with this mean; 0: never
  // hangs up (e-mail). Callbacks are cancelled by this share of requesters only.
  std::array<double, kChannels> patience_mean_s{60, 0, 120, 600};
  double patience_min_s = 5;
  double callback_cancel_share = 0.05;
};

class Gateway {
 public:
  Gateway(const Scenario& scenario, const std::shared_ptr<grpc::Channel>& channel,
          Scheduler& scheduler, Counters& counters, const TrafficProfile& profile, uint64_t seed);
  ~Gateway();  // stop()
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Opens the stream (and its watch) and schedules the first arrival at `first_arrival`.
  void start(Clock::time_point first_arrival);

  // No new arrivals (the scheduler may still hold the next one: it will do nothing).
  void stop_arrivals() { arrivals_on_.store(false); }

  // Shutdown: callers still waiting on the phone, in chat or for a callback hang up
  // (cancels on the stream); e-mails stay queued, as they would. Stops after `budget`. Returns how
  // many were cancelled. REQUIRES: the scheduler is stopped.
  size_t hang_up_waiting(std::chrono::milliseconds budget);

  void stop();  // ends the stream and joins its reader thread; idempotent

  size_t waiting() const;  // interactions last seen QUEUED or OFFERED

 private:
  using Stream = CallStream<v1::GatewayRequest, v1::GatewayResponse, v1::GatewayAnswer>;
  struct Live {
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    v1::InteractionState state = v1::RECEIVED;
  };
  struct Caller {
    const KnownCustomer* customer = nullptr;  // null: anonymous
    size_t customer_index = 0;
    std::string language;  // "zh", "en" or empty
  };

  void arrive();                                            // one arrival, then schedules the next
  Clock::time_point next_arrival(Clock::time_point after);  // REQUIRES: mu_ held
  v1::SubmitInteractionRequest make_request(v1::Channel channel, double& patience_s);
  const Door* pick_door(v1::Channel channel, const Caller& caller);  // REQUIRES: mu_ held
  void submit(const v1::SubmitInteractionRequest& request, double patience_s);
  void hang_up(const std::string& id);
  // True when routerd cancelled it. `patience`: the caller gave up (counted as abandoned), not
  // the demo shutting down.
  bool cancel(const std::string& id, v1::Channel channel, bool patience);
  void run_stream();  // the stream's reader thread: opens, reads, reopens with backoff
  void on_event(const v1::InteractionEvent& event);
  // One request on the current stream (UNAVAILABLE while there is none); the answer in `answer`.
  grpc::Status call(v1::GatewayRequest request, v1::GatewayAnswer* answer);
  void remember(const std::string& id, v1::Channel channel);  // REQUIRES: mu_ held

  double uniform(double lo, double hi);  // REQUIRES: mu_ held
  double exponential(double mean);       // REQUIRES: mu_ held
  size_t pick(size_t n);                 // REQUIRES: mu_ held, n > 0

  const Scenario& scenario_;
  const std::unique_ptr<v1::InteractionService::Stub> stub_;
  Scheduler& scheduler_;
  Counters& counters_;
  const TrafficProfile profile_;
  const std::string run_id_;  // makes interaction and message ids unique per run
  Clock::time_point started_;
  std::atomic<bool> arrivals_on_{true};

  // Known customers who can arrive on each channel (indexes into scenario_.customers).
  std::array<std::vector<size_t>, kChannels> reachable_;
  std::vector<size_t> channels_in_use_;  // channels with a door and a positive mix weight

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  uint64_t next_seq_ = 1;
  std::unordered_map<std::string, Live> live_;
  std::deque<std::string> submitted_order_;  // bounds live_ (oldest forgotten first)
  std::unordered_map<size_t, std::vector<std::string>> threads_;  // customer → Message-IDs
  bool stopping_ = false;
  std::condition_variable stop_cv_;
  std::shared_ptr<Stream> stream_;  // while open
  std::thread stream_thread_;
};

}  // namespace router::demo
