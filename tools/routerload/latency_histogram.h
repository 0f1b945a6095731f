// A latency histogram in the style of HdrHistogram: values (nanoseconds, 0 .. kMaxValue) are
// counted in buckets whose width grows with the value, so every value is known to within a
// fixed relative error (1/128, below 0.8%) at a fixed memory cost (4,609 counters, 36 KiB),
// whatever the number of samples. Values below 128 ns are exact; min, max, count and the sum are
// exact. Percentiles report the upper bound of the bucket holding the ranked value (never below
// the true value), capped at the exact maximum.
// Not thread-safe: one histogram per thread, merged at the end (merge() is exact).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace router::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 8;  // relative error ≤ 2^-(kSubBucketBits - 1)
  static constexpr int kMaxBits = 42;
  static constexpr int64_t kMaxValue = int64_t{1} << kMaxBits;  // ~73 minutes in nanoseconds
  // bucket_of(kMaxValue) + 1: the powers of two below kMaxValue, kHalf buckets each above the
  // exact range, and one for kMaxValue itself.
  static constexpr size_t kBuckets =
      size_t(kMaxBits - kSubBucketBits + 2) * (size_t{1} << (kSubBucketBits - 1)) + 1;

  // Negative durations count as 0; above kMaxValue as kMaxValue (and in saturated()).
  void record(std::chrono::nanoseconds value);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t saturated() const { return saturated_; }
  std::chrono::nanoseconds min() const;  // 0 when empty
  std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_); }
  std::chrono::nanoseconds mean() const;  // 0 when empty
  // The value at percentile `p` (0..100; clamped): the smallest bucket bound that at least
  // ceil(p% of count) values (and at least one) do not exceed. 0 when empty; p = 100 is max().
  std::chrono::nanoseconds percentile(double p) const;

  // The bucket of a value, and a bucket's highest value (exposed for tests).
  static size_t bucket_of(int64_t value);
  static int64_t upper_bound(size_t bucket);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t saturated_ = 0;
  int64_t min_ = kMaxValue;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace router::load
