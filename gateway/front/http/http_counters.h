// What the HTTP front counts about HTTP itself (the pipeline counts lookups, cache, upstreams).
// Plain atomics: every increment is on the request path and the label sets are fixed.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace lienthong::front::http {

class HttpCounters {
 public:
  void connection_accepted() {
    add(accepted_);
    open_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_rejected() { add(rejected_); }  // over max_connections
  void handshake_failed() { add(handshake_failed_); }
  void lookup_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void lookup_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  void response(unsigned status);  // by class: 1xx … 5xx

  std::int64_t connections_open() const { return open_.load(std::memory_order_relaxed); }
  std::int64_t lookups_in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::uint64_t responses(unsigned status_class) const;  // 1 … 5
  std::uint64_t handshakes_failed() const { return handshake_failed_.load(); }
  std::uint64_t connections_rejected() const { return rejected_.load(); }

  // Prometheus text: lienthong_http_connections_open, lienthong_http_lookups_in_flight,
  // lienthong_http_connections_total{result}, lienthong_http_requests_total{code_class}.
  void render(std::string& out) const;

 private:
  static void add(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

  std::atomic<std::int64_t> open_{0};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> handshake_failed_{0};
  std::array<std::atomic<std::uint64_t>, 5> by_class_{};
};

}  // namespace lienthong::front::http
