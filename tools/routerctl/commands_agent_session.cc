// `routerctl agent session AGENT`: a desktop on one AgentSession stream. Requests are read one a
// line from stdin (session_lines.h), each sent with its line number as correlation id; every
// answer and work event is printed as it arrives, so a person or a script can drive it.
// Two threads: this one reads stdin and writes requests, a reader thread reads the stream and
// prints; what they share (the unanswered requests, the stream's end) is under one mutex.
#include <poll.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/session_lines.h"
#include "tools/routerctl/views.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

// Lines from stdin without blocking for good: next() gives up when `stop` says so (checked
// every 100 ms), so that a session routerd ended does not wait for a person's next line.
class StdinLines {
 public:
  enum class Got { kLine, kEnd, kStopped };

  Got next(std::string& line, const std::function<bool()>& stop) {
    for (;;) {
      const auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (skipping_) {  // the rest of an over-long line
          skipping_ = false;
          continue;
        }
        return Got::kLine;
      }
      if (buffer_.size() > kMaxSessionLineBytes && !skipping_) {
        // Too long: hand it on (it will be refused) and drop the rest of it.
        line = buffer_;
        buffer_.clear();
        skipping_ = true;
        return Got::kLine;
      }
      if (skipping_) buffer_.clear();
      if (eof_) {
        if (buffer_.empty()) return Got::kEnd;
        line.swap(buffer_);  // a last line without '\n'
        buffer_.clear();
        return Got::kLine;
      }
      if (stop()) return Got::kStopped;
      pollfd p{STDIN_FILENO, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready <= 0) continue;  // timeout or EINTR: look at stop() again
      char chunk[4096];
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        eof_ = true;
      }
    }
  }

 private:
  std::string buffer_;
  bool eof_ = false;
  bool skipping_ = false;
};

class AgentSessionRun {
 public:
  AgentSessionRun(Session& session, std::string agent, bool heartbeats)
      : session_(session), agent_(std::move(agent)), heartbeats_(heartbeats) {}

  int run() {
    auto& connection = session_.connection();
    if (auto status = connection.await_connection(); !status.ok()) return session_.fail(status);
    grpc::ClientContext context;
    connection.prepare_stream(context);
    stream_ = connection.agents().AgentSession(&context);
    if (::isatty(STDIN_FILENO)) {
      std::cerr << "routerctl: session for " << agent_
                << " open; one request a line: " << kSessionCommands << "\n";
    }
    std::thread reader([this] { read_all(); });
    write_requests();
    stream_->WritesDone();  // half-close: no more requests; answers still come

    // Wait for the answers still due, at most --timeout.
    bool ended = false;
    size_t unanswered = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, connection.timeout(), [this] { return ended_ || pending_.empty(); });
      ended = ended_;
      unanswered = pending_.size();
    }
    if (!ended) context.TryCancel();  // we are done with it: the stream's end starts the grace
    reader.join();
    const grpc::Status status = stream_->Finish();

    if (ended && status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      std::cout.flush();
      std::cerr << "routerctl: UNIMPLEMENTED: routerd at " << connection.server()
                << " does not serve AgentSession (it predates the session streams); the one-shot "
                   "'agent' commands and 'agent work' still work\n";
      return kExitRpcError;
    }
    if (ended && !status.ok()) return session_.fail(status);
    if (unanswered > 0) {
      std::cout.flush();
      std::cerr << "routerctl: " << unanswered << " request(s) not answered"
                << (ended ? " before routerd ended the session"
                          : " within --timeout after the end of input")
                << "\n";
      return kExitRpcError;
    }
    if (ended && !half_closed_before_end_) {
      std::cout.flush();
      std::cerr << "routerctl: routerd ended the session; it may be shutting down\n";
      return kExitRpcError;
    }
    return refused_ ? kExitRpcError : kExitOk;
  }

 private:
  void write_requests() {
    StdinLines lines;
    int line_number = 0;
    std::string line;
    auto stop = [this] {
      std::lock_guard lock(mu_);
      return ended_;
    };
    while (lines.next(line, stop) == StdinLines::Got::kLine) {
      const std::string id = std::to_string(++line_number);
      auto parsed = parse_session_line(line, agent_);
      if (!parsed) {
        // Answered here as routerd answers a bad request, so a script waiting for this id
        // gets its answer too.
        v1::AgentSessionResponse answer;
        answer.set_agent(agent_);
        auto& result = *answer.mutable_answer()->mutable_result();
        result.set_correlation_id(id);
        result.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
        result.set_message("routerctl: line " + id + ": " + parsed.error());
        std::lock_guard lock(mu_);
        refused_ = true;
        print_locked(answer, "");
        continue;
      }
      if (parsed->kind == SessionLine::Kind::kNothing) continue;
      if (parsed->kind == SessionLine::Kind::kQuit) break;
      v1::AgentRequest request = parsed->request;
      request.set_correlation_id(id);
      {
        std::lock_guard lock(mu_);
        if (ended_) break;
        pending_[id] = parsed->summary;
      }
      if (!stream_->Write(request)) {  // the stream has ended; the reader learns why
        std::lock_guard lock(mu_);
        pending_.erase(id);
        return;
      }
    }
    std::lock_guard lock(mu_);
    if (!ended_) half_closed_before_end_ = true;
  }

  void read_all() {
    v1::AgentSessionResponse response;
    while (stream_->Read(&response)) {
      std::lock_guard lock(mu_);
      std::string summary;
      if (response.has_answer()) {
        const auto& result = response.answer().result();
        if (auto it = pending_.find(result.correlation_id()); it != pending_.end()) {
          summary = it->second;
          pending_.erase(it);
        }
        if (result.code() != 0) refused_ = true;
        cv_.notify_all();
      } else if (!heartbeats_ && response.has_work() && response.work().has_heartbeat()) {
        continue;
      }
      print_locked(response, summary);
    }
    std::lock_guard lock(mu_);
    ended_ = true;
    cv_.notify_all();
  }

  // REQUIRES: mu_ held (both threads print).
  void print_locked(const v1::AgentSessionResponse& response, const std::string& summary) {
    session_.print(
        response,
        [&summary](const v1::AgentSessionResponse& r) {
          return render_session_response(r, summary, now());
        },
        /*one_line_json=*/true);
  }

  Session& session_;
  const std::string agent_;
  const bool heartbeats_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentRequest, v1::AgentSessionResponse>> stream_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> pending_;  // correlation id → the request's summary
  bool ended_ = false;                          // the stream has ended (Read returned false)
  bool half_closed_before_end_ = false;
  bool refused_ = false;  // some request was answered with an error
};

}  // namespace

int run_agent_session(Session& session, const std::string& agent, bool heartbeats) {
  return AgentSessionRun(session, agent, heartbeats).run();
}

}  // namespace router::ctl
