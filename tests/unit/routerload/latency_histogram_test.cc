// routerload's latency histogram against exact percentiles of the same samples.
#include "tools/routerload/latency_histogram.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

namespace router::load {
namespace {

using std::chrono::nanoseconds;

// The exact value at percentile p of sorted samples, by the histogram's rank rule.
int64_t exact(const std::vector<int64_t>& sorted, double p) {
  const auto rank = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST_CASE("buckets are contiguous and every value lies within its bucket", "[routerload]") {
  size_t previous = 0;
  for (int64_t v = 0; v < 50'000'000; v += 1 + v / 512) {  // steps below a bucket's width
    const size_t b = LatencyHistogram::bucket_of(v);
    CHECK(b >= previous);
    CHECK(b <= previous + 1);  // no bucket skipped
    CHECK(LatencyHistogram::upper_bound(b) >= v);
    if (b > 0) CHECK(LatencyHistogram::upper_bound(b - 1) < v);
    previous = b;
  }
  CHECK(LatencyHistogram::bucket_of(LatencyHistogram::kMaxValue) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("values below 128 ns are exact, and an empty histogram reports zeros", "[routerload]") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(99) == nanoseconds(0));
  CHECK(h.min() == nanoseconds(0));
  CHECK(h.mean() == nanoseconds(0));
  for (int v = 1; v <= 100; ++v) h.record(nanoseconds(v));
  CHECK(h.count() == 100);
  CHECK(h.percentile(50) == nanoseconds(50));
  CHECK(h.percentile(90) == nanoseconds(90));
  CHECK(h.percentile(99.9) == nanoseconds(100));
  CHECK(h.percentile(0) == nanoseconds(1));
  CHECK(h.min() == nanoseconds(1));
  CHECK(h.max() == nanoseconds(100));
  CHECK(h.mean() == nanoseconds(51));  // 50.5 rounded
}

TEST_CASE(
    "percentiles of a million lognormal latencies are never below the exact value and at most "
    "1/128 above it",
    "[routerload]") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(200'000.0), 1.2);  // ~200 µs median
  std::vector<int64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 1'000'000; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    samples.push_back(v);
    h.record(nanoseconds(v));
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    INFO("p" << p);
    const int64_t truth = exact(samples, p);
    const int64_t reported = h.percentile(p).count();
    CHECK(reported >= truth);
    CHECK(static_cast<double>(reported) <= static_cast<double>(truth) * (1.0 + 1.0 / 128) + 1);
  }
  CHECK(h.percentile(100).count() == samples.back());
  CHECK(h.max().count() == samples.back());
  CHECK(h.min().count() == samples.front());
}

TEST_CASE("merging histograms gives the histogram of all their samples", "[routerload]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> latency(0, 50'000'000);
  LatencyHistogram all, a, b;
  for (int i = 0; i < 20'000; ++i) {
    const nanoseconds v(latency(rng));
    all.record(v);
    (i % 3 == 0 ? a : b).record(v);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.min() == all.min());
  CHECK(a.max() == all.max());
  CHECK(a.mean() == all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) CHECK(a.percentile(p) == all.percentile(p));
}

TEST_CASE("negative values count as zero and values past the range are capped and counted",
          "[routerload]") {
  LatencyHistogram h;
  h.record(nanoseconds(-5));
  h.record(nanoseconds(LatencyHistogram::kMaxValue + 1'000));
  CHECK(h.count() == 2);
  CHECK(h.saturated() == 1);
  CHECK(h.min() == nanoseconds(0));
  CHECK(h.max() == nanoseconds(LatencyHistogram::kMaxValue));
}

}  // namespace
}  // namespace router::load
