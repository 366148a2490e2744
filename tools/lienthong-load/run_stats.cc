#include "tools/lienthong-load/run_stats.h"

#include <algorithm>

namespace lienthong::load {
namespace {

template <class K>
uint64_t sum(const std::map<K, uint64_t>& counts) {
  uint64_t total = 0;
  for (const auto& [key, n] : counts) total += n;
  return total;
}

template <class K>
void add(std::map<K, uint64_t>& into, const std::map<K, uint64_t>& from) {
  for (const auto& [key, n] : from) into[key] += n;
}

}  // namespace

uint64_t RunStats::transport_errors() const { return sum(transport); }
uint64_t RunStats::connect_failure_count() const { return sum(connect_failures); }
uint64_t RunStats::errors() const { return refused + unsigned_answers + transport_errors(); }

void RunStats::merge(const RunStats& o) {
  sent += o.sent;
  ok += o.ok;
  refused += o.refused;
  add(by_status, o.by_status);
  add(by_code, o.by_code);
  add(transport, o.transport);
  unsigned_answers += o.unsigned_answers;
  latency.merge(o.latency);
  unsent += o.unsent;
  connections_open += o.connections_open;
  add(connect_failures, o.connect_failures);
  reconnects += o.reconnects;
  tls_resumed += o.tls_resumed;
  measure_start = std::max(measure_start, o.measure_start);
  last_completion = std::max(last_completion, o.last_completion);
  for (const auto& [kind, message] : o.first_error) first_error.try_emplace(kind, message);
}

}  // namespace lienthong::load
