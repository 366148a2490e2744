// A log-linear latency histogram in the manner of HdrHistogram: exact below 128 ns, then 64
// linear sub-buckets per power of two, so a reported value (a bucket's midpoint) is within
// 0.8% of every sample in its bucket. Fixed size (about 17 KB), so one per thread is cheap and
// merging is adding arrays.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace lienthong::load {

class Histogram {
 public:
  using Duration = std::chrono::nanoseconds;

  void record(Duration value);
  void merge(const Histogram& other);

  uint64_t count() const { return count_; }
  Duration min() const { return Duration(count_ == 0 ? 0 : min_); }
  Duration max() const { return Duration(max_); }
  Duration mean() const;
  // The value at or below which `percent` (0..100) of the samples lie; 0 when empty.
  Duration percentile(double percent) const;

  // Bucket arithmetic, public for the tests.
  static constexpr int kSubBucketBits = 6;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 64
  // Values at or above 2^kRangeBits ns (about 4.6 minutes) land in the last bucket; max() is
  // still exact.
  static constexpr int kRangeBits = 38;
  static constexpr size_t kBuckets =
      2 * kSubBuckets + (kRangeBits - kSubBucketBits - 1) * kSubBuckets;
  static size_t bucket_of(uint64_t ns);
  static uint64_t bucket_low(size_t bucket);   // smallest value in the bucket
  static uint64_t bucket_high(size_t bucket);  // largest value in the bucket

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace lienthong::load
