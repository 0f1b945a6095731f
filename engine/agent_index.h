// Index of available agents: for each channel, agents who could take one more interaction of
// that channel now, bucketed by (skill, level) and by language, each bucket ordered by
// (idle since, id) so the longest-idle agent of a bucket is its first element.
// An agent is in the index for a channel exactly when it is logged in, not NOT_READY, has no
// offer pending and has free capacity on that channel (the Router keeps this in sync).
// Not thread-safe: owned by the Router.
#pragma once

#include <array>
#include <set>
#include <utility>
#include <vector>

#include "engine/model.h"
#include "engine/types.h"

namespace router::engine {

class AgentIndex {
 public:
  using Key = std::pair<TimePoint, AgentId>;  // (idle since, id): longest idle first
  using Bucket = std::set<Key>;

  void ensure_skills(size_t skill_count);
  void ensure_languages(size_t language_count);

  // `skills` must be the agent's skill list, `languages` its interned language ids.
  void insert(Channel ch, const Key& key, const std::vector<SkillLevel>& skills,
              const std::vector<uint32_t>& languages);
  void erase(Channel ch, const Key& key, const std::vector<SkillLevel>& skills,
             const std::vector<uint32_t>& languages);

  const Bucket& by_skill(Channel ch, SkillId skill, int level) const {
    return by_skill_[idx(ch)][skill.value()][static_cast<size_t>(level - kMinSkillLevel)];
  }
  // Number of available agents with `skill` at `min_level` or above.
  size_t count_at_least(Channel ch, SkillId skill, int min_level) const;
  const Bucket& by_language(Channel ch, uint32_t language) const {
    return by_language_[idx(ch)][language];
  }
  const Bucket& any(Channel ch) const { return any_[idx(ch)]; }

 private:
  static size_t idx(Channel ch) { return static_cast<size_t>(ch); }
  using Levels = std::array<Bucket, kMaxSkillLevel - kMinSkillLevel + 1>;
  std::array<std::vector<Levels>, kChannelCount> by_skill_;
  std::array<std::vector<Bucket>, kChannelCount> by_language_;
  std::array<Bucket, kChannelCount> any_;
};

}  // namespace router::engine
