// Headless Chromium over the DevTools pipe; see chromium.h.
#include "integration/wallboard/chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace router::it {

namespace {

using Clock = std::chrono::steady_clock;

std::string base64_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (const char c : text) {
    const auto at = kAlphabet.find(c);
    if (at == std::string::npos) continue;  // '=' padding, line breaks
    value = (value << 6) | static_cast<int>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string HeadlessChromium::find_binary() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "chromium";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return ::access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : "";
}

HeadlessChromium::HeadlessChromium(const std::filesystem::path& profile_dir, int width, int height)
    : log_path_(profile_dir / "chromium.log"), width_(width), height_(height) {
  const std::string binary = find_binary();
  if (binary.empty()) {
    throw std::runtime_error(
        "chromium not found (neither on PATH nor /usr/bin/chromium): install Debian's chromium "
        "package (tools/dev.sh installs it)");
  }
  std::vector<std::string> args = {
      binary,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--hide-scrollbars",
      "--remote-debugging-pipe",
      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
      "--user-data-dir=" + (profile_dir / "profile").string(),
      "about:blank"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int in[2], out[2];  // in: we write, the browser reads (its fd 3); out: the other way (fd 4)
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // The child, before exec: async-signal-safe calls only. The pipe ends go out of the way
    // first (above fd 10), then onto 3 and 4 (dup2 clears close-on-exec on the copies).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int read_end = ::fcntl(in[0], F_DUPFD, 10);
    const int write_end = ::fcntl(out[1], F_DUPFD, 10);
    ::dup2(read_end, 3);
    ::dup2(write_end, 4);
    ::close(read_end);
    ::close(write_end);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  if (log >= 0) ::close(log);
  if (null >= 0) ::close(null);
  to_browser_ = in[1];
  from_browser_ = out[0];
  try {
    call("Browser.getVersion", nlohmann::json::object(), false);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("chromium (") + binary + ") did not answer: " + e.what() +
                             "; its log: " + log_path_.string() + "\n" + this->log());
  }
}

HeadlessChromium::~HeadlessChromium() {
  if (pid_ > 0) {
    try {
      call("Browser.close", nlohmann::json::object(), false, std::chrono::seconds(2));
    } catch (const std::exception&) {
    }
    int status = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (to_browser_ >= 0) ::close(to_browser_);
  if (from_browser_ >= 0) ::close(from_browser_);
}

std::string HeadlessChromium::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json HeadlessChromium::call(const std::string& method, nlohmann::json params, bool in_tab,
                                      std::chrono::milliseconds timeout) {
  const int id = next_id_++;
  nlohmann::json message = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (in_tab) message["sessionId"] = session_;
  std::string frame = message.dump();
  frame.push_back('\0');
  for (size_t sent = 0; sent < frame.size();) {
    const ssize_t n = ::write(to_browser_, frame.data() + sent, frame.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(method + ": the browser's pipe is closed");
    sent += static_cast<size_t>(n);
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // Frames already read: events (no id) and other answers are passed over.
    for (size_t end; (end = buffer_.find('\0')) != std::string::npos;) {
      nlohmann::json answer = nlohmann::json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (answer.is_object() && answer.value("id", -1) == id) {
        if (answer.contains("error")) {
          throw std::runtime_error(method + ": " + answer["error"].dump());
        }
        return answer["result"];
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error(method + ": no answer within the deadline");
    pollfd p{from_browser_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(from_browser_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(method + ": the browser closed its pipe");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void HeadlessChromium::open(const std::string& url) {
  const auto target = call("Target.createTarget", {{"url", "about:blank"}}, false);
  const auto attached =
      call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}}, false);
  session_ = attached["sessionId"].get<std::string>();
  call("Emulation.setDeviceMetricsOverride",
       {{"width", width_}, {"height", height_}, {"deviceScaleFactor", 1}, {"mobile", false}}, true);
  call("Page.navigate", {{"url", url}}, true);
}

nlohmann::json HeadlessChromium::evaluate(const std::string& expression) {
  const auto result =
      call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, true);
  if (result.contains("exceptionDetails")) {
    throw std::runtime_error("the page threw evaluating " + expression + ": " +
                             result["exceptionDetails"].dump());
  }
  const auto& value = result["result"];
  return value.contains("value") ? value["value"] : nlohmann::json();
}

bool HeadlessChromium::wait_for(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // Until the page has loaded, its elements may not exist yet: a throw is "not yet".
    try {
      const auto value = evaluate(expression);
      if (value.is_boolean() && value.get<bool>()) return true;
    } catch (const std::runtime_error&) {
      if (Clock::now() >= deadline) throw;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string HeadlessChromium::screenshot_png() {
  const auto result = call("Page.captureScreenshot", {{"format", "png"}}, true);
  return base64_decode(result["data"].get<std::string>());
}

}  // namespace router::it
