// routersip's call logic (tools/routersip/switchboard.h) against a fake SIP stack, which records
// what the switchboard asks of it, and a fake routerd, whose answers the test gives when it
// chooses (so every race between the two streams and the SIP side can be played in order).
#include "tools/routersip/switchboard.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <deque>
#include <random>

namespace router::sip {
namespace {

constexpr int kOk = 0;

struct FakePhones : Phones {
  std::vector<std::string> log;  // "respond 1 180", "invite 2 sip:ana@h", "cancel 2", "bye 2"
  std::string last_sdp;
  LegId next = 100;
  void respond(LegId caller, int status, const std::string&, const std::string& sdp) override {
    log.push_back("respond " + std::to_string(caller) + " " + std::to_string(status));
    last_sdp = sdp;
  }
  std::vector<std::pair<std::string, std::string>> last_headers;
  LegId invite(const std::string& uri, const IncomingCall& caller,
               const std::vector<std::pair<std::string, std::string>>& headers) override {
    ++next;
    log.push_back("invite " + std::to_string(next) + " " + uri);
    last_sdp = caller.sdp;
    last_headers = headers;
    return next;
  }
  void cancel(LegId leg) override { log.push_back("cancel " + std::to_string(leg)); }
  void bye(LegId leg) override { log.push_back("bye " + std::to_string(leg)); }
  std::string take() {
    std::string all;
    for (const auto& l : log) all += (all.empty() ? "" : "; ") + l;
    log.clear();
    return all;
  }
};

struct FakeRouter : Router {
  struct Pending {
    std::string what;  // "submit sip-c1", "cancel sip-c1", "accept ana sip-c1", ...
    Submitted submitted;
    Done done;
    v1::SubmitInteractionRequest submit;
  };
  std::deque<Pending> pending;
  void submit(const v1::SubmitInteractionRequest& r, Submitted done) override {
    pending.push_back({"submit " + r.interaction_id(), std::move(done), nullptr, r});
  }
  void cancel(const std::string& id, const std::string& reason, Done done) override {
    pending.push_back({"cancel " + id + " " + reason, nullptr, std::move(done), {}});
  }
  void agent(const v1::AgentRequest& r, Done done) override {
    std::string w;
    if (r.has_login()) w = "login " + r.login().agent();
    if (r.has_logout()) w = "logout " + r.logout().agent();
    if (r.has_accept()) w = "accept " + r.accept().agent() + " " + r.accept().interaction_id();
    if (r.has_reject()) w = "reject " + r.reject().agent() + " " + r.reject().interaction_id();
    if (r.has_complete()) {
      w = "complete " + r.complete().agent() + " " + r.complete().interaction_id() +
          (r.complete().wrap_up_code().empty() ? "" : " " + r.complete().wrap_up_code());
    }
    if (r.has_set_state()) {
      w = "set_state " + r.set_state().agent() + " " + v1::AgentState_Name(r.set_state().state()) +
          (r.set_state().reason().empty() ? "" : " " + r.set_state().reason());
    }
    pending.push_back({w, nullptr, std::move(done), {}});
  }
  // The requests made since the last call, oldest first.
  std::string requests() {
    std::string all;
    for (const auto& p : pending) all += (all.empty() ? "" : "; ") + p.what;
    return all;
  }
  // Answers the oldest request with `code` (a submit: QUEUED in phone-support).
  void answer(int code = kOk, v1::InteractionState state = v1::QUEUED,
              const std::string& message = "refused") {
    REQUIRE_FALSE(pending.empty());
    Pending p = std::move(pending.front());
    pending.pop_front();
    if (p.submitted) {
      v1::Interaction i;
      i.set_interaction_id(p.submit.interaction_id());
      i.set_state(state);
      p.submitted(code, code == kOk ? "" : message, i);
    } else if (p.done) {
      p.done(code, code == kOk ? "" : message);
    }
  }
  void answer_all() {
    while (!pending.empty()) answer();
  }
};

v1::WorkEvent offer(const std::string& id, const std::string& gateway = "gw") {
  v1::WorkEvent e;
  e.mutable_offer()->mutable_interaction()->set_interaction_id(id);
  e.mutable_offer()->mutable_interaction()->set_gateway(gateway);
  return e;
}

v1::WorkEvent taken_away(const std::string& id, const std::string& reason) {
  v1::WorkEvent e;
  e.mutable_update()->set_interaction_id(id);
  e.set_reason(reason);
  return e;
}

struct Bench {
  FakePhones phones;
  FakeRouter router;
  std::map<std::string, int> calls, legs;
  Switchboard board;
  explicit Bench(SwitchboardOptions o = defaults())
      : board(phones, router, std::move(o),
              Outcomes{[this](const std::string& r) { ++calls[r]; },
                       [this](const std::string& r) { ++legs[r]; }}) {
    board.on_gateway_link(true);
    board.on_agent_link(true);
    router.answer_all();  // the logins
  }
  static SwitchboardOptions defaults() {
    SwitchboardOptions o;
    o.agents = {{"ana", "sip:ana@h"}, {"ben", "sip:ben@h"}};
    o.gateway = "gw";
    o.ready_after_missed = std::chrono::seconds(30);
    return o;
  }
  // A caller's INVITE on leg `leg` with Call-ID c<leg>; its submit not answered yet.
  void ring_in(LegId leg, const std::string& ani = "+14155550100") {
    IncomingCall in;
    in.leg = leg;
    in.call_id = "c" + std::to_string(leg);
    in.ani = ani;
    in.dnis = "18005550100";
    in.sdp = "v=0 caller";
    board.on_invite(in);
  }
  // The same, queued (its submit answered), the SIP side's log cleared.
  void queued(LegId leg) {
    ring_in(leg);
    router.answer();
    phones.log.clear();
  }
};

}  // namespace

TEST_CASE("switchboard: ids and caller numbers", "[routersip][switchboard]") {
  CHECK(interaction_id_for("a84b4c76e66710@pc33.example.com") ==
        "sip-a84b4c76e66710@pc33.example.com");
  const std::string odd = interaction_id_for("has space");
  CHECK(odd.size() == 36);
  CHECK(odd == interaction_id_for("has space"));  // stable
  CHECK(odd != interaction_id_for("has  space"));
  CHECK(interaction_id_for(std::string(200, 'x')).size() == 36);
  CHECK(uri_user("\"Ann\" <sip:+14155550100@gw.example.com;user=phone>") == "+14155550100");
  CHECK(uri_user("sip:1000@pbx") == "1000");
  CHECK(uri_user("<sip:4155550100;npdi@gw>") == "4155550100");
  CHECK(uri_user("<tel:+14155550100;ext=12>") == "+14155550100");
  CHECK(uri_user("<sip:gw.example.com>") == "");
  CHECK(uri_user("mailto:a@b") == "");
  CHECK(uri_display("\"Ann Lee\" <sip:+1415@gw>") == "Ann Lee");
  CHECK(uri_display("Ann <sip:+1415@gw>") == "Ann");
  CHECK(uri_display("\"A \\\"B\\\" C\" <sip:1@gw>") == "A \"B\" C");
  CHECK(uri_display("<sip:+1415@gw>") == "");
  CHECK(uri_display("sip:+1415@gw") == "");
}

TEST_CASE("switchboard: a call is submitted, rung, accepted, bridged and completed",
          "[routersip][switchboard]") {
  Bench b;
  IncomingCall in;
  in.leg = 1;
  in.call_id = "c1";
  in.ani = "+14155550100";
  in.display = "Ann";
  in.dnis = "18005550100";
  in.language = "de";
  in.ivr_path = "main>billing";
  in.ivr_digits = "42";
  in.intent = "vip";
  in.sdp = "v=0 caller";
  b.board.on_invite(in);
  CHECK(b.phones.take() == "respond 1 180");
  REQUIRE(b.router.requests() == "submit sip-c1");
  const auto& r = b.router.pending.front().submit;
  CHECK(r.channel() == v1::PHONE);
  CHECK(r.phone().ani() == "+14155550100");
  CHECK(r.phone().dnis() == "18005550100");
  CHECK(r.phone().language() == "de");
  CHECK(r.phone().ivr_path() == "main>billing");
  CHECK(r.phone().ivr_digits() == "42");
  CHECK(r.intent() == "vip");
  CHECK(r.attributes().at("caller_name") == "Ann");
  b.router.answer();

  v1::WorkEvent o = offer("sip-c1");
  o.mutable_offer()->mutable_interaction()->set_queue("phone-support");
  o.mutable_offer()->mutable_interaction()->mutable_customer()->set_customer_id("C1\n\xc3\xa9");
  b.board.on_work("ana", o);
  CHECK(b.phones.take() == "invite 101 sip:ana@h");
  CHECK(b.phones.last_sdp == "v=0 caller");  // the caller's offer goes to the phone
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(b.phones.last_headers == Headers{{"X-Router-Interaction", "sip-c1"},
                                         {"X-Router-Queue", "phone-support"},
                                         {"X-Router-Customer", "C1"}});  // printable ASCII only
  b.board.on_leg_answered(101, "v=0 agent");
  CHECK(b.router.requests() == "accept ana sip-c1");
  CHECK(b.phones.take().empty());  // the caller waits for routerd's yes
  b.router.answer();
  CHECK(b.phones.take() == "respond 1 200");
  CHECK(b.phones.last_sdp == "v=0 agent");
  CHECK(b.legs["answered"] == 1);

  b.board.on_hangup(101);  // the agent hangs up
  CHECK(b.phones.take() == "bye 1");
  CHECK(b.router.requests() == "complete ana sip-c1");
  b.router.answer();
  CHECK(b.calls["bridged"] == 1);
  CHECK(b.board.calls() == 0);
  CHECK(b.board.legs() == 0);
}

TEST_CASE("switchboard: the caller hangs up a bridged call", "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  b.board.on_work("ana", offer("sip-c1"));
  b.board.on_leg_answered(101, "v=0 agent");
  b.router.answer();
  b.phones.take();
  b.board.on_hangup(1);
  CHECK(b.phones.take() == "bye 101");
  CHECK(b.router.requests() == "complete ana sip-c1");
  b.router.answer();
  CHECK(b.board.calls() == 0);
}

TEST_CASE("switchboard: an offer that comes before the submit's answer rings",
          "[routersip][switchboard]") {
  Bench b;
  b.ring_in(1);
  b.phones.take();
  b.board.on_work("ana", offer("sip-c1"));  // the AgentLink was faster than the GatewayStream
  CHECK(b.phones.take() == "invite 101 sip:ana@h");
  b.router.answer();  // the submit's answer
  b.board.on_leg_answered(101, "v=0 agent");
  CHECK(b.router.requests() == "accept ana sip-c1");
}

TEST_CASE("switchboard: busy and failing phones", "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  SECTION("busy: a reject, the agent stays ready") {
    b.board.on_work("ana", offer("sip-c1"));
    b.board.on_leg_failed(101, 486);
    CHECK(b.router.requests() == "reject ana sip-c1");
    CHECK(b.legs["busy"] == 1);
  }
  SECTION("unreachable: a reject and NOT_READY phone_unreachable, ready again later") {
    b.board.on_work("ana", offer("sip-c1"));
    b.board.on_leg_failed(101, 404);
    CHECK(b.router.requests() == "reject ana sip-c1; set_state ana NOT_READY phone_unreachable");
    b.router.answer_all();
    v1::WorkEvent status;
    status.mutable_status()->set_state(v1::NOT_READY);
    status.mutable_status()->set_reason("phone_unreachable");
    const auto t0 = Clock::now();
    b.board.tick(t0);
    b.board.on_work("ana", status);
    b.board.tick(t0 + std::chrono::seconds(29));
    CHECK(b.router.pending.empty());
    b.board.tick(t0 + std::chrono::seconds(31));
    CHECK(b.router.requests() == "set_state ana READY");
  }
  // Either way the next offer rings the next phone.
  b.router.answer_all();
  b.board.on_work("ben", offer("sip-c1"));
  CHECK(b.phones.take() == "invite 101 sip:ana@h; invite 102 sip:ben@h");
}

TEST_CASE("switchboard: routerd ending an offer cancels the ringing phone",
          "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  b.board.on_work("ana", offer("sip-c1"));
  b.phones.take();
  b.board.on_work("ana", offer("sip-c1"));  // re-sent (a reconnect): still the same ring
  CHECK(b.phones.take().empty());
  b.board.on_work("ana", taken_away("sip-c1", "offer_timeout"));
  CHECK(b.phones.take() == "cancel 101");
  CHECK(b.legs["no_answer"] == 1);
  b.board.on_leg_failed(101, 487);  // the phone confirms the CANCEL: nothing more
  CHECK(b.router.pending.empty());
  // The phone's 200 crossing the CANCEL is hung up at once.
  b.board.on_leg_answered(101, "v=0 late");
  CHECK(b.phones.take() == "bye 101");
  CHECK(b.router.pending.empty());
  CHECK(b.board.calls() == 1);  // still queued for the next agent
}

TEST_CASE("switchboard: a caller hangs up while queued, ringing or connecting",
          "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  SECTION("queued") {
    b.board.on_caller_gone(1);
    CHECK(b.router.requests() == "cancel sip-c1 caller_hangup");
    b.router.answer();
  }
  SECTION("ringing") {
    b.board.on_work("ana", offer("sip-c1"));
    b.phones.take();
    b.board.on_caller_gone(1);
    CHECK(b.phones.take() == "cancel 101");
    CHECK(b.router.requests() == "cancel sip-c1 caller_hangup");
    b.router.answer();
  }
  SECTION("connecting, routerd accepts: the agent's leg is hung up and the call completed") {
    b.board.on_work("ana", offer("sip-c1"));
    b.board.on_leg_answered(101, "v=0 agent");
    b.phones.take();
    b.board.on_caller_gone(1);
    CHECK(b.router.requests() == "accept ana sip-c1");
    b.router.answer();
    CHECK(b.phones.take() == "bye 101");
    CHECK(b.router.requests() == "complete ana sip-c1 caller_hangup");
    b.router.answer();
  }
  SECTION("connecting, the offer had ended: hung up and cancelled") {
    b.board.on_work("ana", offer("sip-c1"));
    b.board.on_leg_answered(101, "v=0 agent");
    b.phones.take();
    b.board.on_caller_gone(1);
    b.router.answer(9);  // FAILED_PRECONDITION: the offer timed out
    CHECK(b.phones.take() == "bye 101");
    CHECK(b.router.requests() == "cancel sip-c1 caller_hangup");
    b.router.answer();
  }
  CHECK(b.calls["abandoned"] == 1);
  CHECK(b.board.calls() == 0);
  CHECK(b.board.legs() == 0);
}

TEST_CASE("switchboard: a caller who hangs up before the submit's answer",
          "[routersip][switchboard]") {
  Bench b;
  b.ring_in(1);
  b.board.on_caller_gone(1);
  CHECK(b.router.requests() == "submit sip-c1");
  b.router.answer();
  CHECK(b.router.requests() == "cancel sip-c1 caller_hangup");
  b.router.answer();
  CHECK(b.calls["abandoned"] == 1);
  CHECK(b.board.calls() == 0);
}

TEST_CASE("switchboard: what a refused submit tells the caller", "[routersip][switchboard]") {
  const std::pair<int, std::string> cases[] = {{3, "respond 1 404"},  {5, "respond 1 404"},
                                               {8, "respond 1 486"},  {9, "respond 1 480"},
                                               {14, "respond 1 503"}, {16, "respond 1 503"}};
  for (const auto& [code, sip] : cases) {
    Bench b;
    b.ring_in(1);
    b.phones.take();
    b.router.answer(code);
    INFO("code " << code);
    CHECK(b.phones.take() == sip);
    CHECK(b.board.calls() == 0);
  }
}

TEST_CASE("switchboard: a caller id routerd cannot read is routed as anonymous",
          "[routersip][switchboard]") {
  Bench b;
  b.ring_in(1, "not-a-number");
  b.phones.take();
  b.router.answer(3, v1::QUEUED, "phone.ani: not a phone number");
  REQUIRE(b.router.requests() == "submit sip-c1");  // again, the same id
  const auto& again = b.router.pending.front().submit;
  CHECK(again.phone().ani() == "anonymous");
  CHECK(again.attributes().at("caller_id_as_sent") == "not-a-number");
  b.router.answer();
  CHECK(b.phones.take().empty());  // no error to the caller: it waits, queued
  CHECK(b.board.calls() == 1);
  // Any other refusal still reaches the caller.
  b.ring_in(2);
  b.phones.take();
  b.router.answer(3, v1::QUEUED, "phone.dnis: no entry point matches channel PHONE");
  CHECK(b.phones.take() == "respond 2 404");
}

TEST_CASE("switchboard: offers it cannot ring are rejected", "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  b.board.on_work("ana", offer("sip-c1", "other-gw"));  // another gateway's call
  CHECK(b.router.requests() == "reject ana other-gw/sip-c1");
  b.router.answer();
  b.board.on_work("ana", offer("sip-unknown"));  // a call it does not have
  CHECK(b.router.requests() == "reject ana sip-unknown");
  b.router.answer();
  b.board.on_work("ana", offer("sip-c1"));
  b.queued(2);
  b.board.on_work("ana", offer("sip-c2"));  // ana's phone already rings for c1
  CHECK(b.router.requests() == "reject ana sip-c2");
  CHECK(b.phones.take().empty());
}

TEST_CASE("switchboard: limits, links and routerd giving up", "[routersip][switchboard]") {
  SECTION("sip.max_calls") {
    SwitchboardOptions o = Bench::defaults();
    o.max_calls = 1;
    Bench b(o);
    b.queued(1);
    b.ring_in(2);
    CHECK(b.phones.take() == "respond 2 503");
    CHECK(b.calls["over_capacity"] == 1);
  }
  SECTION("no gateway stream: 503 at once") {
    Bench b;
    b.board.on_gateway_link(false);
    b.ring_in(1);
    CHECK(b.phones.take() == "respond 1 503");
    CHECK(b.router.pending.empty());
  }
  SECTION("the agent link breaks: ringing phones stop, completions are sent again") {
    Bench b;
    b.queued(1);
    b.queued(2);
    b.board.on_work("ana", offer("sip-c1"));
    b.board.on_leg_answered(101, "v=0 agent");
    b.router.answer();
    b.board.on_work("ben", offer("sip-c2"));
    b.phones.take();
    b.board.on_hangup(1);
    b.phones.take();
    b.router.answer(14);  // the completion is lost with the stream
    b.board.on_agent_link(false);
    CHECK(b.phones.take() == "cancel 102");
    b.board.on_agent_link(true);
    CHECK(b.router.requests() == "login ana; login ben; complete ana sip-c1");
  }
  SECTION("the queue's max_wait: 480") {
    Bench b;
    b.queued(1);
    v1::InteractionEvent e;
    e.mutable_interaction()->set_interaction_id("sip-c1");
    e.mutable_interaction()->set_state(v1::EXPIRED);
    b.board.on_gateway_event(e);
    CHECK(b.phones.take() == "respond 1 480");
    CHECK(b.calls["expired"] == 1);
    CHECK(b.board.calls() == 0);
  }
}

TEST_CASE("switchboard: a call another desktop accepted cannot be bridged",
          "[routersip][switchboard]") {
  Bench b;
  b.queued(1);
  b.queued(2);
  v1::InteractionEvent e;
  e.mutable_interaction()->set_interaction_id("sip-c1");
  e.mutable_interaction()->set_state(v1::ASSIGNED);
  e.mutable_interaction()->set_agent("zoe");  // not one of routersip's phone agents
  b.board.on_gateway_event(e);
  CHECK(b.phones.take() == "respond 1 480");
  CHECK(b.calls["assigned_elsewhere"] == 1);
  // Its own accept's ASSIGNED (the watch may be faster than the accept's answer) changes nothing.
  b.board.on_work("ana", offer("sip-c2"));
  b.board.on_leg_answered(101, "v=0 agent");
  b.phones.take();
  e.mutable_interaction()->set_interaction_id("sip-c2");
  e.mutable_interaction()->set_agent("ana");
  b.board.on_gateway_event(e);
  CHECK(b.phones.take().empty());
  b.router.answer();
  CHECK(b.phones.take() == "respond 2 200");
}

TEST_CASE("switchboard: shutting down", "[routersip][switchboard]") {
  Bench b;
  b.queued(1);  // waiting
  b.queued(2);  // bridged to ana
  b.board.on_work("ana", offer("sip-c2"));
  b.board.on_leg_answered(101, "v=0 agent");
  b.router.answer();
  b.phones.take();
  b.board.shut_down();
  CHECK(b.phones.take() == "respond 1 503; bye 2; bye 101");
  CHECK(b.router.requests() ==
        "cancel sip-c1 caller_hangup; complete ana sip-c2; logout ana; logout ben");
  b.router.answer_all();
  CHECK(b.board.calls() == 0);
  b.ring_in(3);
  CHECK(b.phones.take() == "respond 3 503");
}

}  // namespace router::sip

namespace router::sip {

// Random sequences of everything that can happen, in any order (including SIP events for legs
// that already ended and answers long after the fact): nothing crashes (the sanitizers watch),
// and once every caller and phone has hung up and routerd has answered everything, no call and
// no leg is left.
TEST_CASE("switchboard: random event sequences leave nothing behind", "[routersip][switchboard]") {
  const char* env = std::getenv("ROUTER_SEEDS");
  const int seeds = env != nullptr ? std::atoi(env) : 2000;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    Bench b;
    std::vector<LegId> callers;
    LegId next_caller = 1;
    const std::vector<std::string> agents = {"ana", "ben"};
    const std::vector<std::string> reasons = {"offer_timeout", "taken_by_other_agent", "abandoned",
                                              "offer_withdrawn"};
    const int codes[] = {0, 0, 0, 9, 14};
    auto phone_legs = [&] { return b.phones.next > 100 ? b.phones.next - 100 : 0; };
    auto any_phone_leg = [&]() -> LegId { return 101 + pick(std::max<LegId>(phone_legs(), 1)); };
    auto any_call = [&]() -> std::string {
      return callers.empty() ? "sip-none" : "sip-c" + std::to_string(callers[pick(callers.size())]);
    };
    for (int step = 0; step < 80; ++step) {
      switch (pick(14)) {
        case 0: {
          IncomingCall in;
          in.leg = next_caller++;
          in.call_id = "c" + std::to_string(in.leg);
          callers.push_back(in.leg);
          b.board.on_invite(in);
          break;
        }
        case 1:
          if (!callers.empty()) b.board.on_caller_gone(callers[pick(callers.size())]);
          break;
        case 2:
          if (!callers.empty()) b.board.on_hangup(callers[pick(callers.size())]);
          break;
        case 3:
        case 4:
          if (!b.router.pending.empty()) b.router.answer(codes[pick(5)]);
          break;
        case 5: b.board.on_work(agents[pick(2)], offer(any_call())); break;
        case 6: b.board.on_work(agents[pick(2)], taken_away(any_call(), reasons[pick(4)])); break;
        case 7: b.board.on_leg_answered(any_phone_leg(), "v=0 agent"); break;
        case 8: b.board.on_leg_failed(any_phone_leg(), pick(2) ? 486 : 487); break;
        case 9: b.board.on_hangup(any_phone_leg()); break;
        case 10: b.board.on_agent_link(pick(3) != 0); break;
        case 11: b.board.on_gateway_link(pick(3) != 0); break;
        case 12: {
          v1::InteractionEvent e;
          e.mutable_interaction()->set_interaction_id(any_call());
          const v1::InteractionState states[] = {v1::EXPIRED, v1::ABANDONED, v1::ASSIGNED};
          e.mutable_interaction()->set_state(states[pick(3)]);
          b.board.on_gateway_event(e);
          break;
        }
        default: {
          v1::WorkEvent status;
          status.mutable_status()->set_state(pick(2) ? v1::NOT_READY : v1::READY);
          status.mutable_status()->set_reason("missed");
          b.board.on_work(agents[pick(2)], status);
          b.board.tick(Clock::now() + std::chrono::seconds(pick(60)));
          break;
        }
      }
    }
    // Everyone hangs up; routerd answers everything (OK) until nothing is asked any more.
    b.board.on_gateway_link(true);
    b.board.on_agent_link(true);
    for (int round = 0; round < 10; ++round) {
      for (LegId c : callers) {
        b.board.on_caller_gone(c);
        b.board.on_hangup(c);
      }
      for (LegId leg = 101; leg <= b.phones.next; ++leg) {
        b.board.on_hangup(leg);
        b.board.on_leg_failed(leg, 487);
      }
      while (!b.router.pending.empty()) b.router.answer();
    }
    INFO("seed " << seed << "\n" << b.board.describe());
    REQUIRE(b.board.calls() == 0);
    REQUIRE(b.board.legs() == 0);
  }
}

}  // namespace router::sip
