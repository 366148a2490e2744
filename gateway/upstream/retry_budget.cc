#include "gateway/upstream/retry_budget.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace lienthong::upstream {
namespace {
constexpr std::chrono::seconds kWindow{1};
}

RetryBudget::RetryBudget(double ratio, int min_per_second, Clock::Ptr clock)
    : ratio_(ratio), min_per_second_(min_per_second), clock_(std::move(clock)) {}

void RetryBudget::on_request() {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  requests_.push_back(now);
}

bool RetryBudget::try_acquire_retry() {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  const double limit = std::max(static_cast<double>(min_per_second_),
                                ratio_ * static_cast<double>(requests_.size()));
  if (static_cast<double>(retries_.size() + 1) > limit) return false;
  retries_.push_back(now);
  return true;
}

size_t RetryBudget::requests_in_window() const {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return requests_.size();
}

size_t RetryBudget::retries_in_window() const {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return retries_.size();
}

// Drops what happened a second or more ago. Instants are pushed in clock order, so the old
// ones are at the front (a clock stepped backwards only keeps some entries a little longer).
void RetryBudget::expire_locked(TimePoint now) const {
  for (auto* events : {&requests_, &retries_}) {
    while (!events->empty() && now - events->front() >= kWindow) events->pop_front();
  }
}

}  // namespace lienthong::upstream
