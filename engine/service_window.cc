// Ring of time buckets; a bucket is reset when its slot is reused for a newer epoch.
#include "engine/service_window.h"

#include <algorithm>

namespace router::engine {

ServiceWindow::ServiceWindow(Duration window, int buckets)
    : width_(std::max<Duration::rep>(1, window.count() / std::max(1, buckets))),
      ring_(static_cast<size_t>(std::max(1, buckets))) {}

int64_t ServiceWindow::epoch_of(TimePoint now) const {
  return now.time_since_epoch().count() / width_.count();
}

ServiceWindow::Bucket& ServiceWindow::bucket(TimePoint now) {
  const int64_t epoch = epoch_of(now);
  Bucket& b = ring_[static_cast<size_t>(epoch % static_cast<int64_t>(ring_.size()))];
  if (b.epoch != epoch) b = Bucket{epoch, {}};
  return b;
}

void ServiceWindow::record_answer(TimePoint now, Duration waited, bool within_target) {
  Totals& t = bucket(now).t;
  ++t.answered;
  if (within_target) ++t.answered_within_target;
  t.answer_wait_ms += waited.count();
}

void ServiceWindow::record_abandon(TimePoint now, bool short_abandon) {
  Totals& t = bucket(now).t;
  if (short_abandon) {
    ++t.short_abandoned;
  } else {
    ++t.abandoned;
  }
}

void ServiceWindow::record_handled(TimePoint now, Duration handle_time) {
  Totals& t = bucket(now).t;
  ++t.handled;
  t.handle_ms += handle_time.count();
}

ServiceWindow::Totals ServiceWindow::totals(TimePoint now) const {
  const int64_t newest = epoch_of(now);
  const int64_t oldest = newest - static_cast<int64_t>(ring_.size()) + 1;
  Totals sum;
  for (const Bucket& b : ring_) {
    if (b.epoch < oldest || b.epoch > newest) continue;
    sum.answered += b.t.answered;
    sum.answered_within_target += b.t.answered_within_target;
    sum.abandoned += b.t.abandoned;
    sum.short_abandoned += b.t.short_abandoned;
    sum.handled += b.t.handled;
    sum.answer_wait_ms += b.t.answer_wait_ms;
    sum.handle_ms += b.t.handle_ms;
  }
  return sum;
}

}  // namespace router::engine
