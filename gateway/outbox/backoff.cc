#include "gateway/outbox/backoff.h"

#include <algorithm>
#include <cmath>

namespace lienthong::outbox {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempts, double u) {
  const double initial = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(policy.max.count());
  // Computed in double and capped before converting: 2^60 ms must not overflow.
  const double raw = initial * std::pow(std::max(1.0, policy.multiplier),
                                        static_cast<double>(std::max(0, attempts - 1)));
  const double delay = std::min(cap, raw);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0) * std::clamp(u, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay * (1.0 - jitter)));
}

bool is_retryable(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUpstreamUnavailable:
    case ErrorCode::kUpstreamTimeout:
    case ErrorCode::kRateLimited:
    case ErrorCode::kInternal:
      return true;
    default:
      return false;
  }
}

}  // namespace lienthong::outbox
