// A bounded, insertion-ordered map of Message-ID → thread: a list for the eviction order, a hash
// map into it for lookups. Both O(1) per operation.
#include "adapters/channels/email_threads.h"

#include <iterator>
#include <utility>

#include "adapters/channels/normalize.h"

namespace router::adapters::channels {

void EmailThreadIndex::remember(std::string_view message_id, ThreadInfo info) {
  std::string id = normalize_message_id(message_id);
  if (id.empty() || id.size() > kMaxMessageIdLength || max_entries_ == 0) return;
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    it->second->second = std::move(info);
    entries_.splice(entries_.end(), entries_, it->second);  // now the newest
    return;
  }
  while (by_id_.size() >= max_entries_) {
    by_id_.erase(entries_.front().first);
    entries_.pop_front();
  }
  entries_.emplace_back(id, std::move(info));
  by_id_.emplace(std::move(id), std::prev(entries_.end()));
}

bool EmailThreadIndex::set_agent(std::string_view message_id, std::string agent) {
  const std::string id = normalize_message_id(message_id);
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  it->second->second.agent = std::move(agent);
  return true;
}

const ThreadInfo* EmailThreadIndex::lookup(std::string_view raw_id) const {
  if (raw_id.size() > kMaxMessageIdLength + 64) return nullptr;  // room for spaces and brackets
  const std::string id = normalize_message_id(raw_id);
  if (id.empty()) return nullptr;
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second->second;
}

std::optional<ThreadInfo> EmailThreadIndex::find(std::string_view in_reply_to,
                                                 const std::vector<std::string>& references) const {
  if (const ThreadInfo* t = lookup(in_reply_to)) return *t;
  size_t examined = 0;
  for (auto it = references.rbegin(); it != references.rend() && examined < kMaxReferencesExamined;
       ++it, ++examined) {
    if (const ThreadInfo* t = lookup(*it)) return *t;
  }
  return std::nullopt;
}

}  // namespace router::adapters::channels
