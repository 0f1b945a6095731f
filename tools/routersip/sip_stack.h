// routersip's SIP side on Sofia-SIP's user agent library (nua, Debian libsofia-sip-ua-dev): the
// event loop (su_root) that everything runs on, the listener (UDP and TCP on sip.listen), the
// translation of nua's events into Switchboard calls and of Phones calls into nua requests.
// Media is not touched (NUTAG_MEDIA_ENABLE(0)): session descriptions pass through as they are.
// Malformed requests are answered by Sofia's parser (400) before they reach routersip.
// Thread-affine: every method but post() and stop() runs on the thread that called run().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/types.h"
#include "tools/routersip/config.h"
#include "tools/routersip/switchboard.h"

namespace router::sip {

class SipStack : public Phones {
 public:
  // Binds sip.listen (no thread yet). Error: the address cannot be bound.
  static engine::Result<std::unique_ptr<SipStack>> create(const Config& config);
  ~SipStack() override;

  void attach(Switchboard* switchboard) { switchboard_ = switchboard; }
  // `fn` every `period` on the loop (the first after one period).
  void every(std::chrono::milliseconds period, std::function<void()> fn);
  // Runs `fn` on the loop soon. Thread-safe.
  void post(std::function<void()> fn);
  // Runs the loop until stop() has shut the stack down.
  void run();
  // Shuts the SIP stack down (open transactions end) and ends run(). Thread-safe.
  void stop();

  int port() const { return port_; }

  void respond(LegId caller, int status, const std::string& phrase,
               const std::string& sdp) override;
  LegId invite(const std::string& uri, const IncomingCall& caller,
               const std::vector<std::pair<std::string, std::string>>& headers) override;
  void cancel(LegId leg) override;
  void bye(LegId leg) override;

  struct Impl;  // Sofia's types stay in sip_stack.cc

 private:
  SipStack() = default;
  std::unique_ptr<Impl> impl_;
  Switchboard* switchboard_ = nullptr;
  int port_ = 0;
};

}  // namespace router::sip
