#include "gateway/core/metrics.h"

#include <fmt/format.h>

namespace lienthong {
namespace {

std::string join_key(const std::vector<std::string_view>& values) {
  std::string key;
  for (const auto& v : values) {
    key.append(v);
    key.push_back('\x1f');
  }
  return key;
}

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

std::atomic<std::uint64_t>& CounterFamily::cell(
    const std::vector<std::string_view>& label_values) const {
  const std::string key = join_key(label_values);
  std::lock_guard lock(mutex_);
  auto it = cells_.find(key);
  if (it == cells_.end()) it = cells_.try_emplace(key, 0).first;
  // std::map never moves its nodes, so the reference stays valid after the lock is released.
  return it->second;
}

void CounterFamily::inc(const std::vector<std::string_view>& label_values, std::uint64_t by) {
  cell(label_values).fetch_add(by, std::memory_order_relaxed);
}

std::uint64_t CounterFamily::value(const std::vector<std::string_view>& label_values) const {
  const std::string key = join_key(label_values);
  std::lock_guard lock(mutex_);
  auto it = cells_.find(key);
  return it == cells_.end() ? 0 : it->second.load(std::memory_order_relaxed);
}

std::uint64_t CounterFamily::total() const {
  std::lock_guard lock(mutex_);
  std::uint64_t sum = 0;
  for (const auto& [key, v] : cells_) sum += v.load(std::memory_order_relaxed);
  return sum;
}

void CounterFamily::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name_, help_, name_);
  std::lock_guard lock(mutex_);
  for (const auto& [key, v] : cells_) {
    out += name_;
    if (!label_names_.empty()) {
      out += '{';
      size_t start = 0;
      for (size_t i = 0; i < label_names_.size(); ++i) {
        const size_t end = key.find('\x1f', start);
        if (i) out += ',';
        out += fmt::format("{}=\"{}\"", label_names_[i],
                           escape_label(std::string_view(key).substr(start, end - start)));
        start = end + 1;
      }
      out += '}';
    }
    out += fmt::format(" {}\n", v.load(std::memory_order_relaxed));
  }
}

Histogram::Histogram(std::string name, std::string help)
    : name_(std::move(name)), help_(std::move(help)) {}

void Histogram::observe_us(std::int64_t microseconds) {
  const double seconds = static_cast<double>(microseconds) / 1e6;
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(microseconds < 0 ? 0 : microseconds),
                    std::memory_order_relaxed);
}

void Histogram::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_);
  std::uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name_, kBounds[i], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name_, cumulative);
  out += fmt::format("{}_sum {}\n", name_,
                     static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("{}_count {}\n", name_, count_.load(std::memory_order_relaxed));
}

Metrics::Metrics()
    : lookups("lienthong_lookups_total", "Lookups answered, by front end and outcome.",
              {"front", "outcome"}),
      cache_lookups("lienthong_cache_lookups_total",
                    "Record cache reads: hit, miss, or error (Redis unreachable).", {"result"}),
      upstream_calls("lienthong_upstream_calls_total", "Calls to national systems by outcome.",
                     {"adapter", "outcome"}),
      single_flight_joined("lienthong_single_flight_joined_total",
                           "Cache misses that joined an upstream call already in flight.",
                           {"adapter"}),
      audit_entries("lienthong_audit_entries_total", "Audit entries written or failed.",
                    {"result"}),
      lookup_latency("lienthong_lookup_duration_seconds",
                     "Time from decoded request to answer, audit included.") {}

void Metrics::add_gauges(GaugeSource source) {
  std::lock_guard lock(gauges_mutex_);
  gauges_.push_back(std::move(source));
}

double Metrics::reuse_ratio() const {
  const auto hits = cache_lookups.value({"hit"});
  const auto all = cache_lookups.total();
  return all == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(all);
}

std::string Metrics::render() const {
  std::string out;
  lookups.render(out);
  cache_lookups.render(out);
  upstream_calls.render(out);
  single_flight_joined.render(out);
  audit_entries.render(out);
  lookup_latency.render(out);
  out += "# HELP lienthong_record_reuse_ratio Share of record lookups answered from the cache.\n";
  out += "# TYPE lienthong_record_reuse_ratio gauge\n";
  out += fmt::format("lienthong_record_reuse_ratio {}\n", reuse_ratio());
  std::lock_guard lock(gauges_mutex_);
  for (const auto& g : gauges_) g(out);
  return out;
}

}  // namespace lienthong
