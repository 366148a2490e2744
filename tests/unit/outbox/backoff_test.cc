#include "gateway/outbox/backoff.h"

#include <gtest/gtest.h>

namespace lienthong::outbox {
namespace {

using Ms = std::chrono::milliseconds;

TEST(BackoffTest, DoublesFromTheInitialDelayUpToTheCap) {
  BackoffPolicy p;
  p.initial = Ms(1000);
  p.max = Ms(10'000);
  p.multiplier = 2;
  p.jitter = 0;
  EXPECT_EQ(backoff_delay(p, 1, 0.7), Ms(1000));
  EXPECT_EQ(backoff_delay(p, 2, 0.7), Ms(2000));
  EXPECT_EQ(backoff_delay(p, 3, 0.7), Ms(4000));
  EXPECT_EQ(backoff_delay(p, 4, 0.7), Ms(8000));
  EXPECT_EQ(backoff_delay(p, 5, 0.7), Ms(10'000));
  EXPECT_EQ(backoff_delay(p, 400, 0.7), Ms(10'000));  // no overflow far out
}

TEST(BackoffTest, JitterOnlyShortensWithinItsShare) {
  BackoffPolicy p;
  p.initial = Ms(1000);
  p.jitter = 0.5;
  EXPECT_EQ(backoff_delay(p, 1, 0.0), Ms(1000));
  EXPECT_EQ(backoff_delay(p, 1, 0.5), Ms(750));
  EXPECT_EQ(backoff_delay(p, 1, 0.999), Ms(500));
}

TEST(BackoffTest, TransientFailuresAreRetriedRefusalsAreNot) {
  EXPECT_TRUE(is_retryable({ErrorCode::kUpstreamUnavailable, "HTTP 503"}));
  EXPECT_TRUE(is_retryable({ErrorCode::kUpstreamTimeout, "timeout"}));
  EXPECT_TRUE(is_retryable({ErrorCode::kRateLimited, "429"}));
  EXPECT_TRUE(is_retryable({ErrorCode::kInternal, "oops"}));
  EXPECT_FALSE(is_retryable({ErrorCode::kBadRequest, "axis 409 conflict"}));
  EXPECT_FALSE(is_retryable({ErrorCode::kXmlMalformed, "axis 400"}));
  EXPECT_FALSE(is_retryable({ErrorCode::kSignatureInvalid, "axis 400"}));
}

}  // namespace
}  // namespace lienthong::outbox
