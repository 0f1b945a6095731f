// A standby's warm copy of the journal (docs/availability.md, "A warm standby"): the live
// interactions, the agents' sessions and the email threads, loaded once and then kept current
// from the change feed (<p>changes, keys.h) that the active's journal writes append to. At a
// takeover, take() reads what is left of the feed (the fence has stopped the old active's
// writes by then) and hands over the copy, so the takeover does not wait for a full load.
//
// Each poll is one script call: it checks that no entry the follower has not read was trimmed
// from the feed (XINFO STREAM: entries-added − length ≤ entries read), then returns the entries
// after the last one read, with the current value of each key they name. A gap (the standby fell
// further behind than the feed's length) reloads the copy; a gap at take() fails it, and the
// caller loads the journal in full, as without a follower.
//
// Threading: start(), take() and stop() may be called from any thread; they post to the client's
// io_context, where everything else runs. take()'s `done` runs there. The client must outlive
// the follower; stop() (or take()) before the io_context's last run.
#pragma once

#include <absl/status/statusor.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/ports/interaction_journal.h"
#include "adapters/redis/client.h"
#include "engine/types.h"

namespace router::adapters::redis {

struct FollowerOptions {
  std::string key_prefix = "router:";
  engine::Duration poll = std::chrono::milliseconds(250);  // between reads of the feed
  size_t batch = 5'000;                                    // feed entries per read
  engine::Duration timeout = std::chrono::seconds(5);      // each read and load step
};

// What take() hands over: the journal as a full load would have read it.
struct WarmJournal {
  std::vector<v1::JournalEntry> entries;  // the live interactions, in submit order
  ports::SessionJournal sessions;
  uint64_t changes = 0;  // feed entries applied since the copy was loaded
  uint64_t reloads = 0;  // gaps that reloaded it
};

class JournalFollower {
 public:
  JournalFollower(Client& client, FollowerOptions options);
  ~JournalFollower();
  JournalFollower(const JournalFollower&) = delete;
  JournalFollower& operator=(const JournalFollower&) = delete;

  // Loads the copy (retrying every poll interval while Redis is away), then follows the feed.
  void start();
  // The copy brought up to the end of the feed, then the follower stops. Fails (UNAVAILABLE or
  // DATA_LOSS: the caller loads in full) when the copy is not loaded yet, a read fails, or the
  // feed has a gap.
  void take(std::function<void(absl::StatusOr<WarmJournal>)> done);
  void stop();

  bool warm() const;         // loaded and following (any thread)
  uint64_t changes() const;  // feed entries applied since the first load (any thread)
  uint64_t reloads() const;  // gaps that reloaded the copy (any thread)

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace router::adapters::redis
