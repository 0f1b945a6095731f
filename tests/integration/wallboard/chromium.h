// Headless Chromium (Debian's `chromium`) driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands in on fd 3, answers out on fd 4, one JSON message per
// NUL-terminated frame). The wallboard's figures arrive by server-sent events after the page has
// loaded, so `--dump-dom` (which dumps at load, and hangs under --virtual-time-budget while the
// event stream is open) cannot see them; a test asks the live page instead, waiting on a
// condition with a deadline. A fresh profile per instance, so no cookie carries over.
// Not thread-safe: one test thread drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace router::it {

class HeadlessChromium {
 public:
  // The chromium binary: "chromium" on PATH, else /usr/bin/chromium; empty when neither exists.
  static std::string find_binary();

  // Starts the browser with a window of width × height pixels, its profile in `profile_dir`
  // and its output in profile_dir/chromium.log. Throws std::runtime_error (naming the binary
  // and the log) when it cannot be started or does not answer within 20 s.
  HeadlessChromium(const std::filesystem::path& profile_dir, int width = 1600, int height = 900);
  ~HeadlessChromium();  // Browser.close, then SIGKILL if it lingers
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // Opens `url` in a new tab and makes it the one evaluate() and screenshot_png() use.
  void open(const std::string& url);
  // The value of a JavaScript expression in the page (objects by value, as JSON). Throws
  // std::runtime_error with the page's exception when it throws.
  nlohmann::json evaluate(const std::string& expression);
  // Evaluates `expression` every 100 ms until it is true or `timeout` passes (an expression that
  // throws counts as false until then: the page may still be loading; at the deadline it throws).
  bool wait_for(const std::string& expression, std::chrono::milliseconds timeout);
  // A PNG of the tab's viewport.
  std::string screenshot_png();
  std::string log() const;

 private:
  nlohmann::json call(const std::string& method, nlohmann::json params, bool in_tab,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));

  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int to_browser_ = -1;    // our end of its fd 3
  int from_browser_ = -1;  // our end of its fd 4
  std::string buffer_;     // read past the last frame returned
  int next_id_ = 1;
  std::string session_;  // the attached tab's session
  int width_, height_;
};

}  // namespace router::it
