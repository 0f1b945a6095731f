// The latest snapshot shared between the sampler and the viewers; see feed.h.
#include "tools/routerwall/feed.h"

#include <stdexcept>
#include <utility>

namespace router::wall {

void Feed::publish(Published published) {
  {
    std::lock_guard lock(mu_);
    if (published.seq <= latest_.seq || !published.json || !published.light) {
      throw std::logic_error("Feed::publish: seq must increase, json and light be set");
    }
    latest_ = std::move(published);
  }
  changed_.notify_all();
}

Published Feed::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

Published Feed::wait_newer(uint64_t after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return closed_ || latest_.seq > after; });
  return latest_;
}

void Feed::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool Feed::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace router::wall
