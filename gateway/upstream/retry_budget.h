// The retry budget of one upstream (the scheme of Envoy's retry budgets and Finagle's
// RetryBudget): retries may add at most a fraction of the live traffic, with a small floor so
// a quiet upstream can still be retried. Without it, every failing call is sent max_attempts
// times, and an upstream that fails under load gets more load exactly when it can least take it.
//
// A retry is allowed while, counting it, the retries of the last second stay within
//   max(min_per_second, ratio x calls of the last second).
// Time comes from a Clock so the window is testable. Thread-safe.
#pragma once

#include <deque>
#include <mutex>

#include "gateway/core/clock.h"

namespace lienthong::upstream {

class RetryBudget {
 public:
  RetryBudget(double ratio, int min_per_second, Clock::Ptr clock);

  // A new call (its first attempt); retries are not calls.
  void on_request();
  // True when one more retry fits the budget; it is then counted as spent.
  bool try_acquire_retry();

  // Calls and retries in the current window (tests, metrics).
  size_t requests_in_window() const;
  size_t retries_in_window() const;

 private:
  void expire_locked(TimePoint now) const;

  const double ratio_;
  const int min_per_second_;
  const Clock::Ptr clock_;

  mutable std::mutex mutex_;
  // Instants of the calls and retries of the last second, oldest first. A deque of instants
  // rather than coarse buckets keeps the window exact; at the gateway's rates it stays small.
  mutable std::deque<TimePoint> requests_;
  mutable std::deque<TimePoint> retries_;
};

}  // namespace lienthong::upstream
