// ChildProcess: fork/exec with the exec error reported back on a close-on-exec pipe, waits by
// polling waitpid(WNOHANG), output read with poll(2).
#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;

namespace router::it {
namespace {

using Millis = std::chrono::milliseconds;
constexpr Millis kPollInterval{10};

[[noreturn]] void fail(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

int open_or_fail(const char* path, int flags) {
  const int fd = ::open(path, flags | O_CLOEXEC, 0644);
  if (fd < 0) fail(errno, std::string("open ") + path);
  return fd;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// In the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(pid_t parent, int in, int out, int err, int report, char** argv,
                             char** envp, bool search_path) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
  if (in >= 0) ::dup2(in, STDIN_FILENO);
  if (out >= 0) ::dup2(out, STDOUT_FILENO);
  if (err >= 0) ::dup2(err, STDERR_FILENO);
  ::signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (search_path) {
    ::execvpe(argv[0], argv, envp);
  } else {
    ::execve(argv[0], argv, envp);
  }
  const int e = errno;
  [[maybe_unused]] const ssize_t n = ::write(report, &e, sizeof e);
  ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> args, ChildOptions options) {
  if (args.empty()) throw std::invalid_argument("ChildProcess: no program");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (options.env) {
    for (auto& e : *options.env) envp.push_back(e.data());
    envp.push_back(nullptr);
  }

  // The child's ends are opened close-on-exec here (dup2 onto 0, 1 and 2 clears the flag there)
  // and closed here once it runs; our ends of the pipes are out_fd_ and err_fd_.
  std::vector<int> child_fds;
  auto close_child_fds = [&] {
    for (int& fd : child_fds) close_fd(fd);
    child_fds.clear();
  };
  int in = -1, out = -1, err = -1, log = -1, report[2] = {-1, -1};
  try {
    auto keep = [&](int fd) {
      child_fds.push_back(fd);
      return fd;
    };
    if (options.stdin_pipe) {
      // A socket rather than a pipe: send() with MSG_NOSIGNAL never raises SIGPIPE in the test.
      int fds[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) fail(errno, "socketpair");
      in_fd_ = fds[0];
      in = keep(fds[1]);
    } else if (options.stdin_null) {
      in = keep(open_or_fail("/dev/null", O_RDONLY));
    }
    auto sink = [&](ChildOutput kind, int& our_end) -> int {
      switch (kind) {
        case ChildOutput::kInherit: return -1;
        case ChildOutput::kNull: return keep(open_or_fail("/dev/null", O_WRONLY));
        case ChildOutput::kLog:
          if (log < 0) {
            log =
                keep(open_or_fail(options.log.c_str(),
                                  O_WRONLY | O_CREAT | (options.append_log ? O_APPEND : O_TRUNC)));
          }
          return log;
        case ChildOutput::kPipe: {
          int fds[2];
          if (::pipe2(fds, O_CLOEXEC) != 0) fail(errno, "pipe2");
          our_end = fds[0];
          return keep(fds[1]);
        }
      }
      return -1;
    };
    out = sink(options.out, out_fd_);
    err = sink(options.err, err_fd_);
    if (::pipe2(report, O_CLOEXEC) != 0) fail(errno, "pipe2");
    keep(report[1]);
  } catch (...) {
    close_child_fds();
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    throw;
  }

  const pid_t parent = ::getpid();
  const bool search_path = args[0].find('/') == std::string::npos;
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    close_child_fds();
    close_fd(report[0]);
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    fail(e, "fork");
  }
  if (pid == 0) {
    exec_child(parent, in, out, err, report[1], argv.data(), options.env ? envp.data() : environ,
               search_path);
  }
  pid_ = pid;
  close_child_fds();
  int exec_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close_fd(report[0]);
  if (n > 0) {  // exec failed: the child wrote its errno and exits 127
    wait();
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    fail(exec_errno, "exec " + args[0]);
  }
}

ChildProcess::~ChildProcess() {
  kill();
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

bool ChildProcess::signal(int sig) const { return pid_ > 0 && running() && ::kill(pid_, sig) == 0; }

std::optional<int> ChildProcess::wait_exit(Millis timeout) {
  if (exit_status_) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = exit_code_of(status);
      return exit_status_;
    }
    if (r < 0 && errno == ECHILD) {  // reaped elsewhere: its status is lost
      exit_status_ = -1;
      return exit_status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

int ChildProcess::wait() {
  if (exit_status_) return *exit_status_;
  int status = 0;
  pid_t r = 0;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  exit_status_ = r == pid_ ? exit_code_of(status) : -1;
  return *exit_status_;
}

int ChildProcess::terminate(Millis limit) {
  if (exit_status_) return *exit_status_;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);
  if (auto status = wait_exit(limit)) return *status;
  ::kill(pid_, SIGKILL);
  return wait();
}

void ChildProcess::kill() {
  if (pid_ <= 0 || exit_status_) return;
  ::kill(pid_, SIGKILL);
  wait();
}

bool ChildProcess::write_stdin(std::string_view text) {
  while (!text.empty()) {
    if (in_fd_ < 0) return false;
    const ssize_t n = ::send(in_fd_, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void ChildProcess::close_stdin() {
  if (in_fd_ >= 0) ::shutdown(in_fd_, SHUT_WR);
  close_fd(in_fd_);
}

std::optional<std::string> ChildProcess::read_line(Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto newline = out_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = out_buffer_.substr(0, newline);
      out_buffer_.erase(0, newline + 1);
      return line;
    }
    if (out_fd_ < 0) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{out_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
    if (n > 0) {
      out_buffer_.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return std::nullopt;  // end of file (the rest of a line without '\n' stays unread)
    }
  }
}

bool ChildProcess::read_to_end(std::string& out, std::string& err, Millis timeout) {
  out += out_buffer_;
  out_buffer_.clear();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int* owned[2] = {&out_fd_, &err_fd_};
  for (;;) {
    int open_fds = 0;
    for (int i = 0; i < 2; ++i) {
      fds[i].fd = *owned[i];
      if (fds[i].fd >= 0) ++open_fds;
    }
    if (open_fds == 0) return true;
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail(errno, "poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close_fd(*owned[i]);
      }
    }
  }
}

std::ostream& operator<<(std::ostream& os, const ProcessRun& run) {
  return os << "exit " << run.exit_code << (run.timed_out ? " (killed: timed out)" : "")
            << "\n--- stdout ---\n"
            << run.out << "--- stderr ---\n"
            << run.err;
}

ProcessRun run_captured(const std::vector<std::string>& args, Millis timeout,
                        std::optional<std::vector<std::string>> env) {
  ChildProcess child(args, ChildOptions{.out = ChildOutput::kPipe,
                                        .err = ChildOutput::kPipe,
                                        .log = {},
                                        .append_log = false,
                                        .stdin_null = true,
                                        .env = std::move(env)});
  ProcessRun run;
  if (!child.read_to_end(run.out, run.err, timeout)) {
    run.timed_out = true;
    child.kill();
  }
  run.exit_code = child.wait();
  return run;
}

int run_logged(const std::vector<std::string>& args, const std::filesystem::path& log) {
  ChildProcess child(args, ChildOptions{.out = ChildOutput::kLog,
                                        .err = ChildOutput::kLog,
                                        .log = log,
                                        .append_log = false,
                                        .stdin_null = false,
                                        .env = std::nullopt});
  return child.wait();
}

int run_inherited(const std::vector<std::string>& args) { return ChildProcess(args).wait(); }

std::vector<std::string> environment_without(std::initializer_list<std::string_view> names) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view word(*e);
    bool dropped = false;
    for (const auto name : names) {
      if (word.size() > name.size() && word.starts_with(name) && word[name.size()] == '=') {
        dropped = true;
        break;
      }
    }
    if (!dropped) env.emplace_back(word);
  }
  return env;
}

}  // namespace router::it
