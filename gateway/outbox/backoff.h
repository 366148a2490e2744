// When to try a failed delivery again, and which failures are worth trying again.
#pragma once

#include <chrono>

#include "gateway/core/error.h"

namespace lienthong::outbox {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{5 * 60 * 1000};
  double multiplier = 2.0;
  // Share of the delay that is random: the delay is d x (1 - jitter x u), u uniform in [0, 1).
  // Documents that failed together (the axis was down) then do not all come back at once.
  double jitter = 0.5;
};

// The pause after the `attempts`-th failed attempt (1-based): min(max, initial x
// multiplier^(attempts-1)), less the jitter share given by `u` in [0, 1).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempts, double u);

// True for failures that may pass by themselves (the axis is down or slow, the connection
// dropped, our own transient fault); false when the axis refused the document itself.
bool is_retryable(const Error& error);

}  // namespace lienthong::outbox
