// Metrics for operators (Prometheus text exposition). Counters are declared as a list, here,
// so /metrics documents itself; increments are lock-free on the request path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lienthong {

// A counter family with a fixed set of label names; each label combination is created on
// first use (under a lock) and incremented lock-free after that.
class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // `label_values` in the order of the label names.
  void inc(const std::vector<std::string_view>& label_values, std::uint64_t by = 1);
  std::uint64_t value(const std::vector<std::string_view>& label_values) const;
  std::uint64_t total() const;
  void render(std::string& out) const;

 private:
  std::atomic<std::uint64_t>& cell(const std::vector<std::string_view>& label_values) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::atomic<std::uint64_t>, std::less<>> cells_;
};

// Latency histogram with fixed buckets in seconds.
class Histogram {
 public:
  Histogram(std::string name, std::string help);
  void observe_us(std::int64_t microseconds);
  void render(std::string& out) const;

 private:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                     5,      10};
  std::string name_;
  std::string help_;
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

// Every metric the gateway exposes.
class Metrics {
 public:
  Metrics();

  CounterFamily lookups;          // lienthong_lookups_total{front,outcome}
  CounterFamily cache_lookups;    // lienthong_cache_lookups_total{result=hit|miss|error}
  CounterFamily upstream_calls;   // lienthong_upstream_calls_total{adapter,outcome}
  CounterFamily single_flight_joined;  // lienthong_single_flight_joined_total{adapter}
  CounterFamily audit_entries;    // lienthong_audit_entries_total{result=written|failed}
  Histogram lookup_latency;       // lienthong_lookup_duration_seconds

  // Gauges computed when rendering: cache up, breaker states, reuse ratio.
  using GaugeSource = std::function<void(std::string& out)>;
  void add_gauges(GaugeSource source);

  // Share of successful lookups answered from the cache (the reform's reuse target is 80%).
  double reuse_ratio() const;

  std::string render() const;

 private:
  mutable std::mutex gauges_mutex_;
  std::vector<GaugeSource> gauges_;
};

}  // namespace lienthong
