#include "gateway/upstream/circuit_breaker.h"

#include <utility>

#include "gateway/core/log.h"

namespace lienthong::upstream {

CircuitBreaker::CircuitBreaker(std::string name, int failure_threshold,
                               std::chrono::milliseconds open_for, Clock::Ptr clock)
    : name_(std::move(name)),
      failure_threshold_(failure_threshold),
      open_for_(open_for),
      clock_(std::move(clock)) {}

bool CircuitBreaker::allow() {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now - opened_at_ < open_for_) return false;
      state_ = State::kHalfOpen;  // this caller carries the probe
      return true;
    case State::kHalfOpen:
      return false;  // the probe is out; everyone else still fails fast
  }
  return false;
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mutex_);
  if (state_ == State::kOpen) return;
  if (state_ == State::kHalfOpen) LT_LOG(info, "upstream '{}': circuit closed", name_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
}

void CircuitBreaker::on_failure() {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kOpen:
      return;
    case State::kClosed:
      if (++consecutive_failures_ < failure_threshold_) return;
      LT_LOG(warn, "upstream '{}': circuit open after {} consecutive failures", name_,
             consecutive_failures_);
      break;
    case State::kHalfOpen:
      LT_LOG(warn, "upstream '{}': probe failed, circuit open again", name_);
      break;
  }
  state_ = State::kOpen;
  opened_at_ = now;
  consecutive_failures_ = 0;
}

CircuitBreaker::State CircuitBreaker::state() const {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  return state_locked(now);
}

CircuitBreaker::State CircuitBreaker::state_locked(TimePoint now) const {
  if (state_ == State::kOpen && now - opened_at_ >= open_for_) return State::kHalfOpen;
  return state_;
}

const char* CircuitBreaker::name(State state) {
  switch (state) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

}  // namespace lienthong::upstream
