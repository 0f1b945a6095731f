// routersip's call logic (docs/routersip.md): the back-to-back user agent's decisions, apart
// from the SIP stack and the streams to routerd, so that both sides can be faked in tests.
//
// A call from a trunk (the caller's leg) is submitted to routerd as a PHONE interaction and held
// with 180 Ringing while it queues. routersip is also the desktop of the phone agents it is
// configured with (over one AgentLink): an offer to one of them rings that agent's phone (a new
// leg, the caller's SDP offered); the phone answering is AcceptOffer, and once routerd confirms,
// the caller's INVITE is answered 200 with the agent's SDP, so the media flows between the two
// phones (no re-INVITE or REFER: the caller's leg was never answered before). A busy phone
// (486/600/603) is RejectOffer; any other failure is RejectOffer and the agent NOT_READY
// "phone_unreachable". An offer that routerd ends (timeout, another agent took it, the caller
// hung up) cancels the ringing leg. The caller's CANCEL is CancelInteraction; a hang-up on
// either leg once bridged hangs up the other and is CompleteInteraction.
//
// Single-threaded: every method runs on routersip's event loop, and the Router and Phones
// interfaces call back on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "router/v1/router.pb.h"

namespace router::sip {

namespace v1 = ::router::v1;
using Clock = std::chrono::steady_clock;

// A SIP dialog of the stack (one leg); 0 is none.
using LegId = uint64_t;

// What routersip read from an incoming INVITE.
struct IncomingCall {
  LegId leg = 0;
  std::string call_id;   // Call-ID header
  std::string ani;       // P-Asserted-Identity's user, else From's; "anonymous" when withheld
  std::string display;   // the caller's display name, if any
  std::string dnis;      // the Request-URI's user part
  std::string language;  // from the configured headers; empty when absent
  std::string ivr_path;
  std::string ivr_digits;
  std::string intent;
  std::string sdp;  // the caller's session description (the offer), may be empty
};

// The SIP side, as the switchboard drives it.
class Phones {
 public:
  virtual ~Phones() = default;
  // A response to the caller's INVITE: provisional (1xx) or final; 200 carries `sdp`.
  virtual void respond(LegId caller, int status, const std::string& phrase,
                       const std::string& sdp = "") = 0;
  // A new leg: INVITE to `uri` (an agent's phone) on behalf of `caller`, offering its SDP, with
  // `headers` (name, value; printable ASCII) for the phone or the desktop beside it.
  virtual LegId invite(const std::string& uri, const IncomingCall& caller,
                       const std::vector<std::pair<std::string, std::string>>& headers) = 0;
  virtual void cancel(LegId leg) = 0;  // CANCEL an INVITE not yet answered
  virtual void bye(LegId leg) = 0;     // hang up an answered leg
};

// routerd, as the switchboard uses it. `done` runs on the event loop with the request's gRPC
// status code (0 OK) and message; a request made while the stream is down fails at once with
// UNAVAILABLE (14).
class Router {
 public:
  using Done = std::function<void(int code, const std::string& message)>;
  using Submitted =
      std::function<void(int code, const std::string& message, const v1::Interaction& answer)>;
  virtual ~Router() = default;
  virtual void submit(const v1::SubmitInteractionRequest& request, Submitted done) = 0;
  virtual void cancel(const std::string& interaction_id, const std::string& reason, Done done) = 0;
  // One AgentLink request for `request`'s agent (login, accept, reject, complete, set_state).
  virtual void agent(const v1::AgentRequest& request, Done done) = 0;
};

// Counted by the metrics: what became of calls and of the legs to agents' phones.
struct Outcomes {
  std::function<void(const std::string& result)> call;  // bridged, abandoned, refused, ...
  std::function<void(const std::string& result)> leg;   // answered, busy, no_answer, failed...
};

struct SwitchboardOptions {
  std::map<std::string, std::string> agents;  // agent name → SIP URI of its phone
  size_t max_calls = 1000;                    // calls at once; more are answered 503
  // A phone agent NOT_READY "missed" (let an offer ring out) is made READY again after this
  // long; zero: never (a supervisor does it).
  std::chrono::seconds ready_after_missed{30};
  std::string gateway;  // our gateway name in routerd (offers of others' calls are refused)
};

class Switchboard {
 public:
  Switchboard(Phones& phones, Router& router, SwitchboardOptions options, Outcomes outcomes = {});

  // --- From the SIP stack.
  void on_invite(const IncomingCall& call);
  // The caller's INVITE ended before it was answered (CANCEL, or the transaction failed).
  void on_caller_gone(LegId caller);
  // A final answer from an agent's phone: 200 with its SDP, or a failure status.
  void on_leg_answered(LegId leg, const std::string& sdp);
  void on_leg_failed(LegId leg, int status);
  // BYE on an answered leg (either side).
  void on_hangup(LegId leg);

  // --- From routerd.
  void on_gateway_link(bool up);
  void on_agent_link(bool up);  // up: logs every phone agent in (READY)
  void on_gateway_event(const v1::InteractionEvent& event);
  void on_work(const std::string& agent, const v1::WorkEvent& event);

  // --- Time: makes missed agents READY again when due.
  void tick(Clock::time_point now);

  // Shutting down: queued callers are answered 503 and their interactions cancelled, bridged
  // calls hung up and completed, ringing legs cancelled. New calls are answered 503.
  void shut_down();

  size_t calls() const { return calls_.size(); }
  // One line per call in progress ("sip-c1 stage=queued pending=1 ringing=0 ..."), for tests'
  // failure messages and debugging.
  std::string describe() const;
  size_t legs() const { return legs_.size(); }
  bool gateway_up() const { return gateway_up_; }
  bool agents_up() const { return agents_up_; }

 private:
  enum class Stage { kSubmitting, kQueued, kConnecting, kBridged };
  struct Call {
    IncomingCall in;
    std::string interaction_id;
    Stage stage = Stage::kSubmitting;
    bool caller_gone = false;  // the caller hung up (or was answered a final failure)
    std::set<LegId> ringing;   // legs to agents' phones not yet answered
    LegId agent_leg = 0;       // the answered leg (kConnecting, kBridged)
    std::string agent;         // its agent
    bool ended = false;        // forgotten once every pending request has come back
    int pending = 0;           // routerd requests in flight about this call
  };
  struct Leg {
    std::string interaction_id;
    std::string agent;
    bool cancelled = false;  // we cancelled it (or will BYE it on answer)
  };

  Call* find_call(const std::string& interaction_id);
  void finish(Call& call, const std::string& result);  // counted once; forgotten when idle
  void forget_if_idle(const std::string& interaction_id);
  void submit(const std::string& interaction_id, const v1::SubmitInteractionRequest& request);
  void cancel_in_routerd(const std::string& interaction_id);  // CancelInteraction(caller_hangup)
  // Rings `agent`'s phone for the offered interaction `offered` (its id, queue and customer go
  // along as X-Router-* headers).
  void ring(Call& call, const std::string& agent, const v1::Interaction& offered);
  // Forgets `leg` (legs_, agent_leg_); what it was, or nothing for a leg not (or no longer) known.
  std::optional<Leg> take_leg(LegId leg);
  void drop_leg(LegId leg);  // cancel if ringing, bye if answered; forget it
  void cancel_ringing(Call& call, LegId except = 0);
  void accept_answered(const std::string& interaction_id, LegId leg, const std::string& sdp);
  void complete(const std::string& agent, const std::string& interaction_id,
                const std::string& code);
  void agent_request(v1::AgentRequest request, Router::Done done);
  void login_all();

  Phones& phones_;
  Router& router_;
  SwitchboardOptions options_;
  Outcomes outcomes_;
  bool gateway_up_ = false;
  bool agents_up_ = false;
  bool shutting_down_ = false;
  Clock::time_point now_;  // as of the last tick

  std::map<std::string, std::unique_ptr<Call>> calls_;  // by interaction id
  std::map<LegId, std::string> callers_;                // caller leg → interaction id
  std::map<LegId, Leg> legs_;                           // agent legs
  std::map<std::string, LegId> agent_leg_;              // agent → its current leg
  std::map<std::string, Clock::time_point> ready_at_;   // missed agents to make READY
  // Completions routerd has not confirmed (the link was down): sent again when it is back.
  std::vector<std::pair<std::string, std::string>> owed_completions_;
};

// The interaction id for a call: "sip-" + its Call-ID when that is printable ASCII without
// spaces and short enough, else "sip-" + a hash of it (routerd's ids: 1..128 such bytes).
std::string interaction_id_for(const std::string& call_id);

// The user part of a name-addr or addr-spec as SIP headers carry it ("Ann" <sip:+1415@gw;x=1>,
// sip:1000@host, <tel:+14155550100;ext=1>): "+1415", "1000", "+14155550100"; "" when none.
std::string uri_user(const std::string& header_value);
// The display name of a name-addr ("Ann Lee" <sip:...> or Ann <sip:...>: "Ann Lee", "Ann"),
// without quotes or escapes; "" when there is none.
std::string uri_display(const std::string& header_value);

}  // namespace router::sip
