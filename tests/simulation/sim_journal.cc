// The simulated interaction journal; see sim_journal.h.
#include "tests/simulation/sim_journal.h"

#include <algorithm>

namespace router::sim {

engine::Duration SimJournal::answer_delay() {
  if (world_.chance(faults_.late)) {
    return world_.duration_between(std::chrono::milliseconds(1), faults_.max_delay);
  }
  return engine::Duration(0);
}

void SimJournal::deliver(engine::Duration after, std::function<void()> fn) {
  // Answers go to the process that asked: a crashed one never hears back.
  world_.schedule(after, std::move(fn), world_.current());
}

void SimJournal::outage(engine::Duration length) {
  set_available(false);
  const uint64_t generation = ++outage_generation_;
  world_.schedule(length, [this, generation] {
    if (generation == outage_generation_) set_available(true);
  });
}

void SimJournal::set_available(bool up) {
  if (up == up_) return;
  up_ = up;
  if (up) {
    // The client writes what it kept, as RedisJournal does on reconnect.
    auto kept = std::move(unsynced_);
    unsynced_.clear();
    for (auto& [id, w] : kept) apply(w);
  }
  if (listener_) {
    deliver(engine::Duration(0), [fn = listener_, up] { fn(up); });
  }
}

void SimJournal::process_crashed() {
  unsynced_.clear();
  listener_ = nullptr;
}

const SimJournal::Stored* SimJournal::find(const std::string& id) const {
  auto it = store_.find(id);
  return it == store_.end() ? nullptr : &it->second;
}

std::vector<std::string> SimJournal::live_ids() const {
  std::vector<std::pair<uint64_t, std::string>> live;
  for (const auto& [id, s] : store_) {
    if (s.live) live.emplace_back(s.sequence, id);
  }
  std::sort(live.begin(), live.end());
  std::vector<std::string> out;
  out.reserve(live.size());
  for (auto& [seq, id] : live) out.push_back(std::move(id));
  return out;
}

void SimJournal::append(const v1::JournalEntry& entry,
                        std::function<void(absl::StatusOr<adapters::ports::AppendResult>)> done) {
  const std::string id = entry.interaction().interaction_id();
  if (!up_) {
    return deliver(engine::Duration(0), [done = std::move(done)] {
      done(absl::UnavailableError("simulated journal: down"));
    });
  }
  const bool timed_out = world_.chance(faults_.timeout);
  if (timed_out && !world_.chance(faults_.timeout_stored)) {
    return deliver(faults_.timeout_after, [done = std::move(done)] {
      done(absl::DeadlineExceededError("simulated journal: no answer in time (not stored)"));
    });
  }
  // The store applies it now (writes for one id stay in call order); the answer may be late.
  adapters::ports::AppendResult result;
  if (auto it = store_.find(id); it != store_.end()) {
    result.existing = it->second.entry;
    result.existing_live = it->second.live;
  } else {
    store_.emplace(id, Stored{entry, true, next_sequence_++});
    result.appended = true;
  }
  if (timed_out) {
    return deliver(faults_.timeout_after, [done = std::move(done)] {
      done(absl::DeadlineExceededError("simulated journal: no answer in time (stored)"));
    });
  }
  deliver(answer_delay(), [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

void SimJournal::update(const v1::JournalEntry& entry) {
  write(Write{Op::kUpdate, entry, entry.interaction().interaction_id(), {}, {}});
}

void SimJournal::finish(const v1::JournalEntry& entry) {
  write(Write{Op::kFinish, entry, entry.interaction().interaction_id(), {}, {}});
}

void SimJournal::discard(const std::string& interaction_id) {
  write(Write{Op::kDiscard, {}, interaction_id, {}, {}});
}

void SimJournal::sync(std::function<void(absl::Status)> done) {
  absl::Status s;
  if (!up_) {
    s = absl::UnavailableError("simulated journal: down");
  } else if (!unsynced_.empty()) {
    s = absl::UnavailableError("simulated journal: a write is kept, not stored");
  }
  deliver(answer_delay(), [done = std::move(done), s] { done(s); });
}

void SimJournal::update_agent(const v1::AgentJournalEntry& entry) {
  Write w{Op::kAgent,
          {},
          "\x1f"
          "agent:" +
              entry.agent(),
          entry,
          {}};
  write(std::move(w));
}

void SimJournal::remember_thread(const v1::EmailThreadEntry& entry) {
  Write w{Op::kThread,
          {},
          "\x1f"
          "thread:" +
              entry.message_id(),
          {},
          entry};
  write(std::move(w));
}

void SimJournal::load_sessions(
    std::function<void(absl::StatusOr<adapters::ports::SessionJournal>)> done) {
  if (!up_) {
    return deliver(engine::Duration(0), [done = std::move(done)] {
      done(absl::UnavailableError("simulated journal: down"));
    });
  }
  adapters::ports::SessionJournal out;
  for (const auto& [name, a] : agents_) out.agents.push_back(a);
  out.threads = threads_;
  deliver(answer_delay(),
          [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
}

void SimJournal::write(Write w) {
  // A newer write supersedes a kept one for the same id (RedisJournal keeps the latest).
  if (!up_ || (world_.chance(faults_.timeout) && !world_.chance(faults_.timeout_stored))) {
    unsynced_.insert_or_assign(w.id, std::move(w));
    return;
  }
  unsynced_.erase(w.id);
  apply(w);
  // As RedisJournal: writes kept while the store stayed up are sent again behind a stored one.
  if (up_ && !unsynced_.empty()) {
    auto kept = std::move(unsynced_);
    unsynced_.clear();
    for (auto& [id, k] : kept) apply(k);
  }
}

void SimJournal::apply(const Write& w) {
  auto it = store_.find(w.id);
  switch (w.op) {
    case Op::kUpdate:
      // Only a live entry is rewritten: an update after the finish must not bring it back.
      if (it != store_.end() && it->second.live) it->second.entry = w.entry;
      break;
    case Op::kFinish:
      if (it != store_.end()) {
        it->second.entry = w.entry;
        it->second.live = false;
      }
      break;
    case Op::kDiscard:
      if (it != store_.end()) store_.erase(it);
      break;
    case Op::kAgent: agents_.insert_or_assign(w.agent.agent(), w.agent); break;
    case Op::kThread: threads_.push_back(w.thread); break;
  }
}

void SimJournal::load(std::function<void(absl::StatusOr<std::vector<v1::JournalEntry>>)> done) {
  if (!up_) {
    return deliver(engine::Duration(0), [done = std::move(done)] {
      done(absl::UnavailableError("simulated journal: down"));
    });
  }
  std::vector<v1::JournalEntry> entries;
  for (const std::string& id : live_ids()) entries.push_back(store_.at(id).entry);
  deliver(answer_delay(), [done = std::move(done), entries = std::move(entries)]() mutable {
    done(std::move(entries));
  });
}

}  // namespace router::sim
