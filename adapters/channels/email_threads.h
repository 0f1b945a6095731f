// Email threading: which customer, interaction and agent an earlier email belonged to, by its
// Message-ID, so a reply (In-Reply-To / References) goes to the same customer and, through the
// affinity term, back to the agent who handled the thread.
// Invariants: at most max_entries ids are remembered; when full, the id remembered longest ago
// is forgotten first. Ids are kept normalized (normalize_message_id).
// Not thread-safe: owned by the engine thread, like the Router it serves.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace router::adapters::channels {

// Longest Message-ID remembered or looked up; longer ones are ignored (RFC 5322 lines are at
// most 998 characters, real ids well under 256).
inline constexpr size_t kMaxMessageIdLength = 512;
// References examined per find(), newest first: a long thread's oldest ids add nothing.
inline constexpr size_t kMaxReferencesExamined = 64;

struct ThreadInfo {
  std::string customer_id;     // empty: the sender was anonymous
  std::string interaction_id;  // the interaction the email was submitted as
  std::string agent;           // who accepted or handled it; empty until then
};

class EmailThreadIndex {
 public:
  // Remembers at most `max_entries` Message-IDs (0: none).
  explicit EmailThreadIndex(size_t max_entries) : max_entries_(max_entries) {}

  // Remembers (or replaces, making it the newest) what `message_id` belongs to. An empty or
  // over-long id is ignored.
  void remember(std::string_view message_id, ThreadInfo info);

  // Sets the agent of a remembered email (when it is accepted or handled). False if the id is
  // not remembered (never was, or evicted).
  bool set_agent(std::string_view message_id, std::string agent);

  // The thread a reply belongs to: In-Reply-To first, then References from the newest (last)
  // back, the first remembered id wins.
  std::optional<ThreadInfo> find(std::string_view in_reply_to,
                                 const std::vector<std::string>& references) const;

  size_t size() const { return by_id_.size(); }
  size_t max_entries() const { return max_entries_; }

 private:
  using Entries = std::list<std::pair<std::string, ThreadInfo>>;  // oldest first

  const ThreadInfo* lookup(std::string_view raw_id) const;

  size_t max_entries_;
  Entries entries_;
  std::unordered_map<std::string, Entries::iterator> by_id_;  // keys are entries_'s ids
};

}  // namespace router::adapters::channels
