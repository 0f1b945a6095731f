// routersip's SIP side. See sip_stack.h.
#include "tools/routersip/sip_stack.h"

#include <netdb.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace router::sip {
namespace {

bool iequals(const char* a, const std::string& b) {
  return a != nullptr && strcasecmp(a, b.c_str()) == 0;
}

// A display name without its quotes, printable ASCII and UTF-8 kept.
std::string display_of(const char* display) {
  if (display == nullptr) return "";
  std::string d = display;
  if (d.size() >= 2 && d.front() == '"' && d.back() == '"') d = d.substr(1, d.size() - 2);
  return d;
}

// The value of the first header named `name` that Sofia's parser did not know.
std::string unknown_header(const sip_t* sip, const std::string& name) {
  for (const sip_unknown_t* u = sip->sip_unknown; u != nullptr; u = u->un_next) {
    if (iequals(u->un_name, name) && u->un_value != nullptr) return u->un_value;
  }
  return "";
}

// Why a UDP socket cannot be bound to host:port now ("Address already in use"), or nothing.
std::optional<std::string> udp_port_in_use(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int e = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); e != 0) {
    return std::string(::gai_strerror(e));
  }
  std::optional<std::string> why;
  const int fd = ::socket(found->ai_family, found->ai_socktype, 0);
  if (fd < 0 || ::bind(fd, found->ai_addr, found->ai_addrlen) != 0) why = std::strerror(errno);
  if (fd >= 0) ::close(fd);
  ::freeaddrinfo(found);
  return why;
}

}  // namespace

struct SipStack::Impl {
  SipStack* owner = nullptr;
  su_home_t home[1] = {};
  su_root_t* root = nullptr;
  nua_t* nua = nullptr;
  int wake_fd = -1;
  su_wait_t wait[1] = {};
  HeaderNames headers;
  std::string host;  // for the From of calls to agents' phones

  std::mutex mu;  // guards posted
  std::deque<std::function<void()>> posted;

  struct Timer {
    su_timer_t* timer;
    std::function<void()> fn;
  };
  std::vector<std::unique_ptr<Timer>> timers;

  LegId next_leg = 0;
  std::map<LegId, nua_handle_t*> handles;
  std::map<LegId, bool> caller_legs;  // incoming INVITE legs → answered (200 sent)
  bool shut = false;

  static LegId leg_of(nua_hmagic_t* hmagic) {
    return static_cast<LegId>(reinterpret_cast<uintptr_t>(hmagic));
  }
  static nua_hmagic_t* magic_of(LegId leg) {
    return reinterpret_cast<nua_hmagic_t*>(static_cast<uintptr_t>(leg));
  }
  nua_handle_t* handle(LegId leg) {
    auto it = handles.find(leg);
    return it == handles.end() ? nullptr : it->second;
  }

  static void on_event(nua_event_t event, int status, const char* phrase, nua_t*,
                       nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic, const sip_t* sip,
                       tagi_t tags[]) {
    static_cast<Impl*>(magic)->event(event, status, phrase, nh, hmagic, sip, tags);
  }
  static int on_wake(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
    static_cast<Impl*>(arg)->drain();
    return 0;
  }
  static void on_timer(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
    static_cast<Timer*>(arg)->fn();
  }

  void drain() {
    uint64_t n = 0;
    while (::read(wake_fd, &n, sizeof n) > 0) {
    }
    std::deque<std::function<void()>> now;
    {
      std::lock_guard lock(mu);
      now.swap(posted);
    }
    for (auto& fn : now) fn();
  }

  void incoming_invite(nua_handle_t* nh, const sip_t* sip) {
    const LegId leg = ++next_leg;
    nua_handle_bind(nh, magic_of(leg));
    handles[leg] = nh;
    caller_legs[leg] = false;
    if (sip->sip_max_forwards != nullptr && sip->sip_max_forwards->mf_count == 0) {
      nua_respond(nh, SIP_483_TOO_MANY_HOPS, TAG_END());  // a loop through this gateway
      return;
    }
    IncomingCall in;
    in.leg = leg;
    if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr) {
      in.call_id = sip->sip_call_id->i_id;
    }
    // The trunk's asserted identity when it sends one (From may then be anonymous), else From.
    const std::string pai = unknown_header(sip, "P-Asserted-Identity");
    if (!pai.empty()) {
      in.ani = uri_user(pai);
      in.display = uri_display(pai);
    }
    if (in.ani.empty() && sip->sip_from != nullptr && sip->sip_from->a_url->url_user != nullptr) {
      in.ani = sip->sip_from->a_url->url_user;
    }
    if (in.display.empty() && sip->sip_from != nullptr) {
      in.display = display_of(sip->sip_from->a_display);
    }
    if (sip->sip_request != nullptr && sip->sip_request->rq_url->url_user != nullptr) {
      in.dnis = sip->sip_request->rq_url->url_user;
    }
    in.language = unknown_header(sip, headers.language);
    in.ivr_path = unknown_header(sip, headers.ivr_path);
    in.ivr_digits = unknown_header(sip, headers.ivr_digits);
    in.intent = unknown_header(sip, headers.intent);
    if (sip->sip_payload != nullptr && sip->sip_payload->pl_data != nullptr) {
      in.sdp.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    }
    spdlog::info("event=invite leg={} call_id=\"{}\" ani=\"{}\" dnis=\"{}\"", leg, in.call_id,
                 in.ani, in.dnis);
    owner->switchboard_->on_invite(in);
  }

  void event(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
             nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
    Switchboard& sb = *owner->switchboard_;
    const LegId leg = leg_of(hmagic);
    switch (event) {
      case nua_i_invite:
        if (leg == 0 && sip != nullptr) return incoming_invite(nh, sip);
        return;  // a re-INVITE on a bridged leg: nua answers it
      case nua_i_cancel: return sb.on_caller_gone(leg);
      case nua_r_invite:
        if (status < 200 || !handles.count(leg)) return;
        if (status < 300) {
          std::string sdp;
          if (sip != nullptr && sip->sip_payload != nullptr) {
            sdp.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
          }
          return sb.on_leg_answered(leg, sdp);
        }
        spdlog::info("event=agent_leg_failed leg={} status={} phrase=\"{}\"", leg, status,
                     phrase != nullptr ? phrase : "");
        return sb.on_leg_failed(leg, status);
      case nua_i_bye: return sb.on_hangup(leg);
      case nua_i_state: {
        int state = nua_callstate_init;
        tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
        if (state == nua_callstate_ready) {
          if (auto c = caller_legs.find(leg); c != caller_legs.end()) c->second = true;
        }
        if (state != nua_callstate_terminated || leg == 0) return;
        if (auto c = caller_legs.find(leg); c != caller_legs.end()) {
          // Ended before it was answered (the caller's CANCEL, a timeout, our final failure):
          // the switchboard ignores a call it already let go.
          if (!c->second) sb.on_caller_gone(leg);
          caller_legs.erase(c);
        }
        handles.erase(leg);
        nua_handle_destroy(nh);
        return;
      }
      case nua_r_shutdown:
        if (status >= 200) su_root_break(root);
        return;
      case nua_i_options:
        // Answered 200 by nua (a trunk's or a load balancer's keep-alive); not a call.
        if (leg == 0 && nh != nullptr) nua_handle_destroy(nh);
        return;
      default: return;
    }
  }
};

engine::Result<std::unique_ptr<SipStack>> SipStack::create(const Config& config) {
  std::unique_ptr<SipStack> stack(new SipStack());
  stack->impl_ = std::make_unique<Impl>();
  Impl& s = *stack->impl_;
  s.owner = stack.get();
  s.headers = config.headers;
  su_init();
  su_home_init(s.home);
  // Sofia's own logs (transport errors, parser complaints) stay quiet unless something breaks.
  su_log_set_level(nullptr, 1);
  s.root = su_root_create(&s);
  if (s.root == nullptr) return engine::invalid_argument("sip.listen: cannot create the loop");
  const size_t colon = config.listen.rfind(':');
  s.host = config.listen.substr(0, colon);
  stack->port_ = std::stoi(config.listen.substr(colon + 1));
  // Sofia binds with SO_REUSEADDR, so a second routersip on a port in use would start, share the
  // port and take the phone agents over. A plain bind first says whether anyone holds it.
  if (auto busy = udp_port_in_use(s.host, stack->port_)) {
    return engine::invalid_argument("sip.listen: cannot listen on '" + config.listen +
                                    "': " + *busy);
  }
  const std::string url = "sip:" + config.listen;
  s.nua = nua_create(s.root, &Impl::on_event, &s, NUTAG_URL(url.c_str()), TAG_END());
  if (s.nua == nullptr) {
    return engine::invalid_argument("sip.listen: cannot listen on '" + config.listen + "'");
  }
  nua_set_params(s.nua, NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
                 NUTAG_AUTOACK(1), NUTAG_ENABLEINVITE(1),
                 NUTAG_USER_AGENT(config.user_agent.c_str()),
                 SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS"), TAG_END());
  s.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  su_wait_create(s.wait, s.wake_fd, SU_WAIT_IN);
  su_root_register(s.root, s.wait, &Impl::on_wake, &s, 0);
  return stack;
}

SipStack::~SipStack() {
  if (!impl_) return;
  Impl& s = *impl_;
  for (auto& t : s.timers) su_timer_destroy(t->timer);
  if (s.nua != nullptr) nua_destroy(s.nua);
  if (s.root != nullptr) {
    su_root_unregister(s.root, s.wait, &Impl::on_wake, &s);
    su_root_destroy(s.root);
  }
  if (s.wake_fd >= 0) ::close(s.wake_fd);
  su_home_deinit(s.home);
  su_deinit();
}

void SipStack::every(std::chrono::milliseconds period, std::function<void()> fn) {
  auto t = std::make_unique<Impl::Timer>();
  t->timer = su_timer_create(su_root_task(impl_->root), static_cast<su_duration_t>(period.count()));
  t->fn = std::move(fn);
  su_timer_set_for_ever(t->timer, &Impl::on_timer, t.get());
  impl_->timers.push_back(std::move(t));
}

void SipStack::post(std::function<void()> fn) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->posted.push_back(std::move(fn));
  }
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(impl_->wake_fd, &one, sizeof one);
}

void SipStack::run() { su_root_run(impl_->root); }

void SipStack::stop() {
  post([this] {
    if (impl_->shut) return;
    impl_->shut = true;
    nua_shutdown(impl_->nua);
  });
}

void SipStack::respond(LegId caller, int status, const std::string& phrase,
                       const std::string& sdp) {
  nua_handle_t* nh = impl_->handle(caller);
  if (nh == nullptr) return;
  // nua reads the phrase after this returns (unlike the tags, it is not copied): Sofia's own
  // static phrase for the status (`phrase` is the switchboard's, for its tests).
  (void)phrase;
  const char* text = sip_status_phrase(status);
  if (text == nullptr) text = "Unknown";
  if (sdp.empty()) {
    nua_respond(nh, status, text, TAG_END());
  } else {
    nua_respond(nh, status, text, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  }
}

LegId SipStack::invite(const std::string& uri, const IncomingCall& caller,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& s = *impl_;
  const LegId leg = ++s.next_leg;
  // The agent's phone shows the caller: display name and number, from this gateway.
  std::string display = caller.display;
  for (char& ch : display) {
    if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  }
  std::string user = caller.ani.empty() ? "anonymous" : caller.ani;
  for (char& ch : user) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '+' && ch != '-' && ch != '.') {
      ch = '_';
    }
  }
  const std::string from = (display.empty() ? "" : "\"" + display + "\" ") + "<sip:" + user + "@" +
                           s.host + ":" + std::to_string(port_) + ">";
  nua_handle_t* nh = nua_handle(s.nua, Impl::magic_of(leg), SIPTAG_TO_STR(uri.c_str()),
                                SIPTAG_FROM_STR(from.c_str()), TAG_END());
  if (nh == nullptr) return 0;
  s.handles[leg] = nh;
  spdlog::info("event=ring leg={} uri=\"{}\" for_leg={}", leg, uri, caller.leg);
  std::string extra;  // "Name: value\r\n"..., as SIPTAG_HEADER_STR takes them
  for (const auto& [name, value] : headers) extra += name + ": " + value + "\r\n";
  if (caller.sdp.empty()) {
    nua_invite(nh, NUTAG_URL(uri.c_str()), SIPTAG_HEADER_STR(extra.c_str()), TAG_END());
  } else {
    nua_invite(nh, NUTAG_URL(uri.c_str()), SIPTAG_HEADER_STR(extra.c_str()),
               SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(caller.sdp.c_str()),
               TAG_END());
  }
  return leg;
}

void SipStack::cancel(LegId leg) {
  if (nua_handle_t* nh = impl_->handle(leg)) nua_cancel(nh, TAG_END());
}

void SipStack::bye(LegId leg) {
  if (nua_handle_t* nh = impl_->handle(leg)) nua_bye(nh, TAG_END());
}

}  // namespace router::sip
