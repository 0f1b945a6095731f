// Log-bucketed latency histogram. See latency_histogram.h.
#include "tools/routerload/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace router::load {
namespace {

constexpr int kHalfBits = LatencyHistogram::kSubBucketBits - 1;
constexpr int64_t kHalf = int64_t{1} << kHalfBits;  // values below this have exact buckets

}  // namespace

// Below kHalf a value is its own bucket. From kHalf up, with k the top bit of the value and
// s = k - kHalfBits, the value's top kSubBucketBits bits m (kHalf ≤ m < 2·kHalf) and s give the
// bucket s·kHalf + m: contiguous, each power of two split into kHalf buckets 2^s wide.
size_t LatencyHistogram::bucket_of(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  if (value < kHalf) return static_cast<size_t>(value);
  const int k = std::bit_width(static_cast<uint64_t>(value)) - 1;
  const int s = k - kHalfBits;
  const int64_t m = value >> s;
  return static_cast<size_t>(s) * static_cast<size_t>(kHalf) + static_cast<size_t>(m);
}

int64_t LatencyHistogram::upper_bound(size_t bucket) {
  if (bucket < static_cast<size_t>(kHalf)) return static_cast<int64_t>(bucket);
  // Invert bucket = s·kHalf + m with kHalf ≤ m < 2·kHalf.
  const auto b = static_cast<int64_t>(bucket);
  const int64_t s = b / kHalf - 1;
  const int64_t m = b - s * kHalf;
  return ((m + 1) << s) - 1;
}

void LatencyHistogram::record(std::chrono::nanoseconds value) {
  int64_t v = std::max<int64_t>(0, value.count());
  if (v > kMaxValue) {
    v = kMaxValue;
    ++saturated_;
  }
  ++counts_[bucket_of(v)];
  ++count_;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += static_cast<long double>(v);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  saturated_ += other.saturated_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::chrono::nanoseconds LatencyHistogram::min() const {
  return std::chrono::nanoseconds(count_ == 0 ? 0 : min_);
}

std::chrono::nanoseconds LatencyHistogram::mean() const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(
      static_cast<int64_t>(std::llround(sum_ / static_cast<long double>(count_))));
}

std::chrono::nanoseconds LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  p = std::clamp(p, 0.0, 100.0);
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::chrono::nanoseconds(std::min(upper_bound(i), max_));
  }
  return max();
}

}  // namespace router::load
