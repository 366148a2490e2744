// A circuit breaker per upstream: after a run of failed calls the gateway stops calling the
// upstream for a while and answers UPSTREAM_UNAVAILABLE at once, which spares both the
// upstream (no pile-up while it recovers) and the callers (no timeout wait per request).
//
//   closed    --N consecutive failures-->   open
//   open      --open_for elapsed, a call--> half-open (that one call is the probe)
//   half-open --the probe succeeds-->       closed
//   half-open --the probe fails-->          open (for another open_for)
//
// Time comes from a Clock so the state machine is testable. Thread-safe: send() asks from any
// thread, outcomes are reported from the client's thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "gateway/core/clock.h"

namespace lienthong::upstream {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // `name` only labels the log lines written on state changes.
  CircuitBreaker(std::string name, int failure_threshold, std::chrono::milliseconds open_for,
                 Clock::Ptr clock);

  // May a call go to the upstream now? Always while closed; never while open before
  // open_for has elapsed; after that exactly one call (the probe) until its outcome is known.
  // A caller that was allowed must report the outcome with on_success() or on_failure().
  bool allow();

  // The outcome of a call that was allowed. While open, outcomes change nothing: they belong
  // to calls admitted before the breaker opened. While half-open, the first outcome reported
  // decides (normally the probe's).
  void on_success();
  void on_failure();

  // kOpen turns into kHalfOpen here as soon as open_for has elapsed, so /readyz reports that
  // a probe is due even before a call comes along to make it.
  State state() const;
  static const char* name(State state);

 private:
  State state_locked(TimePoint now) const;

  const std::string name_;
  const int failure_threshold_;
  const std::chrono::milliseconds open_for_;
  const Clock::Ptr clock_;

  mutable std::mutex mutex_;
  State state_ = State::kClosed;  // as last stored; state_locked() gives the effective one
  int consecutive_failures_ = 0;
  TimePoint opened_at_{};
  // A stored kHalfOpen means the probe has been let through and its outcome is awaited.
};

}  // namespace lienthong::upstream
