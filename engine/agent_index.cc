// Available-agent buckets; every operation is O(skills of the agent × log n).
#include "engine/agent_index.h"

#include "engine/check.h"

namespace router::engine {

void AgentIndex::ensure_skills(size_t skill_count) {
  for (auto& per_channel : by_skill_) {
    if (per_channel.size() < skill_count) per_channel.resize(skill_count);
  }
}

void AgentIndex::ensure_languages(size_t language_count) {
  for (auto& per_channel : by_language_) {
    if (per_channel.size() < language_count) per_channel.resize(language_count);
  }
}

void AgentIndex::insert(Channel ch, const Key& key, const std::vector<SkillLevel>& skills,
                        const std::vector<uint32_t>& languages) {
  for (const SkillLevel& s : skills) {
    const bool inserted =
        by_skill_[idx(ch)][s.skill.value()][static_cast<size_t>(s.level - kMinSkillLevel)]
            .insert(key)
            .second;
    ROUTER_CHECK(inserted);
  }
  for (uint32_t lang : languages) by_language_[idx(ch)][lang].insert(key);
  any_[idx(ch)].insert(key);
}

void AgentIndex::erase(Channel ch, const Key& key, const std::vector<SkillLevel>& skills,
                       const std::vector<uint32_t>& languages) {
  for (const SkillLevel& s : skills) {
    const size_t erased =
        by_skill_[idx(ch)][s.skill.value()][static_cast<size_t>(s.level - kMinSkillLevel)].erase(
            key);
    ROUTER_CHECK(erased == 1);
  }
  for (uint32_t lang : languages) by_language_[idx(ch)][lang].erase(key);
  any_[idx(ch)].erase(key);
}

size_t AgentIndex::count_at_least(Channel ch, SkillId skill, int min_level) const {
  size_t n = 0;
  const Levels& levels = by_skill_[idx(ch)][skill.value()];
  for (int l = min_level; l <= kMaxSkillLevel; ++l) {
    n += levels[static_cast<size_t>(l - kMinSkillLevel)].size();
  }
  return n;
}

}  // namespace router::engine
