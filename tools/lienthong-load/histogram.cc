#include "tools/lienthong-load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lienthong::load {

// Below 2*kSubBuckets a bucket holds one value. Above, a value v with its highest bit at b
// (b > kSubBucketBits) drops its lowest s = b - kSubBucketBits bits: the kept mantissa
// v >> s lies in [kSubBuckets, 2*kSubBuckets), and each shift s has its own kSubBuckets slots.
size_t Histogram::bucket_of(uint64_t ns) {
  if (ns < 2 * kSubBuckets) return static_cast<size_t>(ns);
  const int top = std::bit_width(ns) - 1;
  const int shift = top - kSubBucketBits;
  const size_t index =
      2 * kSubBuckets + size_t(shift - 1) * kSubBuckets + size_t((ns >> shift) - kSubBuckets);
  return std::min(index, kBuckets - 1);
}

uint64_t Histogram::bucket_low(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const size_t above = bucket - 2 * kSubBuckets;
  const int shift = static_cast<int>(above / kSubBuckets) + 1;
  const uint64_t mantissa = kSubBuckets + above % kSubBuckets;
  return mantissa << shift;
}

uint64_t Histogram::bucket_high(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const int shift = static_cast<int>((bucket - 2 * kSubBuckets) / kSubBuckets) + 1;
  return bucket_low(bucket) + (uint64_t{1} << shift) - 1;
}

void Histogram::record(Duration value) {
  const uint64_t ns = value.count() < 0 ? 0 : static_cast<uint64_t>(value.count());
  ++counts_[bucket_of(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += ns;
}

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

Histogram::Duration Histogram::mean() const {
  if (count_ == 0) return Duration(0);
  return Duration(static_cast<int64_t>(std::llround(sum_ / count_)));
}

Histogram::Duration Histogram::percentile(double percent) const {
  if (count_ == 0) return Duration(0);
  // The rank of the sample asked for, 1-based: p50 of 10 samples is the 5th.
  const double wanted = std::ceil(std::clamp(percent, 0.0, 100.0) / 100.0 * double(count_));
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(wanted));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t mid = bucket_low(i) + (bucket_high(i) - bucket_low(i)) / 2;
      // The true extremes are known exactly; a midpoint must not report beyond them.
      return Duration(static_cast<int64_t>(std::clamp(mid, min_, max_)));
    }
  }
  return Duration(static_cast<int64_t>(max_));
}

}  // namespace lienthong::load
