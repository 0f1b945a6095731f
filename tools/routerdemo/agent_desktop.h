// A simulated agent desktop: one AgentSession stream with the agent's own AGENT token carries
// its requests and its work events (read on a thread of its own); it logs in on it and answers
// like a person would — accepts an offer after a think time
// (sometimes rejects it, rarely lets it run out), handles the work for a random handle time,
// completes it with a wrap-up code and ends wrap-up (or leaves it to routerd's timer), takes an
// occasional break, and comes back READY after a missed offer. Handles several chats or e-mails
// at once when routerd offers them.
// Thread-safe: the stream thread and the scheduler's workers share the state under one mutex;
// no request is made while holding it (a worker waits for its answer, the stream thread never).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "router/v1/router.grpc.pb.h"
#include "tools/routerdemo/call_stream.h"
#include "tools/routerdemo/counters.h"
#include "tools/routerdemo/scenario.h"
#include "tools/routerdemo/scheduler.h"

namespace router::demo {

// How the simulated agents behave. Times "at speed 1" are a real center's; the demo divides
// them by `speed` so that a few minutes show a busy hour. Think and wrap-up times are not
// scaled: they are what routerd's offer and wrap-up timers are measured against.
struct AgentBehaviour {
  double speed = 10;
  // Mean handle time per channel at speed 1, seconds (exponential), in kChannels order:
  // phone, e-mail, chat, callback.
  std::array<double, kChannels> handle_mean_s{240, 300, 360, 200};
  double think_min_s = 0.5;  // offer shown → the agent answers, uniform
  double think_max_s = 3.0;
  double reject_share = 0.03;       // offers rejected
  double ignore_share = 0.01;       // offers left to time out
  double end_wrap_up_share = 0.85;  // wrap-ups the agent ends; the rest run to the timer
  double wrap_up_min_s = 1.0;       // when the agent ends it, uniform
  double wrap_up_max_s = 6.0;
  double break_share = 0.03;           // chance of a break after finishing, when nothing is held
  double break_mean_s = 600;           // at speed 1, exponential
  double back_after_missed_min_s = 5;  // NOT_READY("missed") → READY again, uniform
  double back_after_missed_max_s = 15;
};

class AgentDesktop {
 public:
  AgentDesktop(SimulatedAgent agent, const std::shared_ptr<grpc::Channel>& channel,
               Scheduler& scheduler, Counters& counters, const AgentBehaviour& behaviour,
               uint64_t seed);
  ~AgentDesktop();  // stop()
  AgentDesktop(const AgentDesktop&) = delete;
  AgentDesktop& operator=(const AgentDesktop&) = delete;

  // Starts the stream thread: open the AgentSession, log in NOT_READY on it, go READY; reopens
  // the session (and logs in again) with backoff when it ends while the demo runs.
  void start();

  // End of shift, for a clean shutdown: NOT_READY (withdraws a pending offer), completes what
  // the agent still holds, logs out. REQUIRES: the scheduler is stopped (no task in flight).
  void end_shift();

  // Cancels the stream and joins the thread. Idempotent.
  void stop();

  const std::string& name() const { return agent_.name; }
  v1::AgentState state() const { return state_.load(std::memory_order_relaxed); }

 private:
  enum class Stage { kOffered, kAnswering, kAssigned, kCompleting, kWrapUp };
  struct Held {
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    Stage stage = Stage::kOffered;
  };

  using Session = CallStream<v1::AgentRequest, v1::AgentSessionResponse, v1::AgentAnswer>;

  void run();
  void log_in(const std::shared_ptr<Session>& session);
  // One request on the current session (UNAVAILABLE while there is none); on OK the agent's
  // status in `status`. REQUIRES: mu_ not held.
  grpc::Status call(v1::AgentRequest request, v1::AgentStatus* status,
                    std::chrono::milliseconds deadline = kCallDeadline);
  void go_ready(const char* why);
  void on_event(const v1::WorkEvent& event);
  void on_offer(const v1::Offer& offer);
  void on_update(const v1::Interaction& interaction);
  void on_status(const v1::AgentStatus& status);
  void answer(const std::string& id, bool accept);
  void schedule_finish(const std::string& id, v1::Channel channel);  // REQUIRES: mu_ held
  void finish(const std::string& id);
  void end_wrap_up(const std::string& id);
  void work_done();  // REQUIRES: mu_ held
  void end_break();
  void set_state(const v1::AgentStatus& status);
  bool sleep_unless_stopping(std::chrono::milliseconds d);

  double uniform(double lo, double hi);  // REQUIRES: mu_ held
  double exponential(double mean);       // REQUIRES: mu_ held

  const SimulatedAgent agent_;
  const std::unique_ptr<v1::AgentService::Stub> stub_;
  Scheduler& scheduler_;
  Counters& counters_;
  const AgentBehaviour behaviour_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::mt19937_64 rng_;
  std::map<std::string, Held> work_;  // by interaction id
  bool on_break_ = false;
  bool coming_back_ = false;  // a READY after a missed offer is scheduled
  bool stopping_ = false;
  std::shared_ptr<Session> session_;  // while open
  std::atomic<v1::AgentState> state_{v1::LOGGED_OUT};
  std::thread thread_;
};

}  // namespace router::demo
