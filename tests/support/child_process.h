// A program a test runs as its child process: started with fork/exec (arguments, environment,
// where stdin, stdout and stderr go), signalled, waited for against a deadline, its piped output
// read against a deadline, and killed (SIGKILL) by the destructor if it is still running. The
// child also dies with the thread that started it (PR_SET_PDEATHSIG): a test that aborts leaves
// nothing running that holds ctest's pipes. Not thread-safe: the starting thread drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace router::it {

// Where one of the child's standard streams goes.
enum class ChildOutput {
  kInherit,  // the test's own
  kNull,     // /dev/null
  kLog,      // ChildOptions::log (stdout and stderr may share it)
  kPipe,     // a pipe the test reads: read_line(), read_to_end()
};

struct ChildOptions {
  ChildOutput out = ChildOutput::kInherit;
  ChildOutput err = ChildOutput::kInherit;
  std::filesystem::path log;  // for kLog
  bool append_log = false;    // kLog appends (a restarted program's log follows the first's)
  bool stdin_null = false;    // stdin from /dev/null rather than the test's
  // stdin from a socket the test writes (write_stdin(), close_stdin()); wins over stdin_null.
  bool stdin_pipe = false;
  // "KEY=VALUE" words; nothing: the test's own environment.
  std::optional<std::vector<std::string>> env;
};

class ChildProcess {
 public:
  // Starts args[0] (a path, or a name looked up in PATH) with `args` as its argv. SIGPIPE and the
  // signal mask start at their defaults. Throws std::system_error when the program cannot be
  // started (the log cannot be opened, fork fails, exec fails).
  explicit ChildProcess(std::vector<std::string> args, ChildOptions options = {});
  ~ChildProcess();  // SIGKILL and reap if still running; closes the pipes
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Not yet reaped by wait_exit() / terminate() / kill().
  bool running() const { return !exit_status_.has_value(); }
  // Sends `sig`; false when the child is gone (reaped) or kill(2) fails.
  bool signal(int sig) const;

  // The exit status once the child has exited within `timeout` (128 + n when killed by signal
  // n, as a shell reports it); a zero timeout only looks.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Waits for the exit however long it takes; the exit status.
  int wait();
  // SIGTERM (and SIGCONT, so that a stopped child handles it), then SIGKILL when it has not
  // exited within `limit`; the exit status.
  int terminate(std::chrono::milliseconds limit);
  // SIGKILL, and reaps it. No-op once reaped.
  void kill();

  // REQUIRES: stdin_pipe. Writes all of `text` to the child's stdin; false when the child has
  // closed it (or exited): never SIGPIPE.
  bool write_stdin(std::string_view text);
  // REQUIRES: stdin_pipe. The child reads end of file once it has read what was written.
  void close_stdin();

  // REQUIRES: out is kPipe. The next line of stdout without its '\n', or nothing at end of file
  // or when `timeout` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Appends what the piped streams (kPipe) carry to `out` and `err` until both reach end of file;
  // false when `timeout` passes first.
  bool read_to_end(std::string& out, std::string& err, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;         // our end of the stdout pipe, or -1
  int err_fd_ = -1;         // our end of the stderr pipe, or -1
  int in_fd_ = -1;          // our end of the stdin socket, or -1
  std::string out_buffer_;  // stdout read by read_line() beyond the line it returned
  std::optional<int> exit_status_;
};

// A program run to its end with its stdout and stderr captured.
struct ProcessRun {
  int exit_code = -1;  // 128 + n when killed by signal n, as a shell reports it
  std::string out;     // stdout
  std::string err;     // stderr
  bool timed_out = false;
};
std::ostream& operator<<(std::ostream& os, const ProcessRun& run);

// Runs `args` with stdin from /dev/null, reading its stdout and stderr until it exits; killed
// (SIGKILL, timed_out) when `timeout` passes first. `env` as in ChildOptions.
ProcessRun run_captured(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                        std::optional<std::vector<std::string>> env = std::nullopt);
// Runs `args` to its end with stdout and stderr in `log` (truncated); its exit status.
int run_logged(const std::vector<std::string>& args, const std::filesystem::path& log);
// Runs `args` to its end on the test's own streams; its exit status.
int run_inherited(const std::vector<std::string>& args);

// This process's environment as "KEY=VALUE" words, without the variables named in `names`.
std::vector<std::string> environment_without(std::initializer_list<std::string_view> names);

}  // namespace router::it
