#include "gateway/upstream/circuit_breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tests/support/manual_clock.h"

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  void advance(std::chrono::milliseconds by) { clock_->set(clock_->now() + by); }
  void fail_times(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(breaker_.allow());
      breaker_.on_failure();
    }
  }

  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(TimePoint{} + 1000h);
  CircuitBreaker breaker_{"population", 3, 5000ms, clock_};
};

TEST_F(CircuitBreakerTest, OpensAfterThresholdConsecutiveFailures) {
  EXPECT_EQ(breaker_.state(), State::kClosed);
  fail_times(2);
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_TRUE(breaker_.allow());
  breaker_.on_failure();
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_FALSE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, SuccessResetsTheFailureRun) {
  fail_times(2);
  ASSERT_TRUE(breaker_.allow());
  breaker_.on_success();
  fail_times(2);
  EXPECT_EQ(breaker_.state(), State::kClosed);
  fail_times(1);
  EXPECT_EQ(breaker_.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, FailsFastUntilOpenForHasElapsed) {
  fail_times(3);
  advance(4999ms);
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_FALSE(breaker_.allow());
  advance(1ms);
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenLetsExactlyOneProbeThrough) {
  fail_times(3);
  advance(5s);
  EXPECT_TRUE(breaker_.allow());
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
  EXPECT_FALSE(breaker_.allow());
  advance(60s);  // however long the probe takes
  EXPECT_FALSE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, SuccessfulProbeCloses) {
  fail_times(3);
  advance(5s);
  ASSERT_TRUE(breaker_.allow());
  breaker_.on_success();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_TRUE(breaker_.allow());
  EXPECT_TRUE(breaker_.allow());
  // The failure run starts again from zero.
  breaker_.on_failure();
  breaker_.on_failure();
  EXPECT_EQ(breaker_.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, FailedProbeReopensForAnotherPeriod) {
  fail_times(3);
  advance(5s);
  ASSERT_TRUE(breaker_.allow());
  breaker_.on_failure();
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_FALSE(breaker_.allow());
  advance(4s);
  EXPECT_FALSE(breaker_.allow());
  advance(1s);
  EXPECT_TRUE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, LateOutcomesWhileOpenChangeNothing) {
  // Calls admitted before the breaker opened report while it is open.
  ASSERT_TRUE(breaker_.allow());
  ASSERT_TRUE(breaker_.allow());
  fail_times(3);
  breaker_.on_success();
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_FALSE(breaker_.allow());
  advance(3s);
  breaker_.on_failure();  // does not restart the open period
  advance(2s);
  EXPECT_TRUE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, StateNames) {
  EXPECT_STREQ(CircuitBreaker::name(State::kClosed), "closed");
  EXPECT_STREQ(CircuitBreaker::name(State::kOpen), "open");
  EXPECT_STREQ(CircuitBreaker::name(State::kHalfOpen), "half-open");
}

TEST_F(CircuitBreakerTest, ThresholdOfOneOpensOnTheFirstFailure) {
  CircuitBreaker one("x", 1, 1s, clock_);
  ASSERT_TRUE(one.allow());
  one.on_failure();
  EXPECT_EQ(one.state(), State::kOpen);
}

// Many threads racing for the probe: exactly one wins.
TEST_F(CircuitBreakerTest, OneProbeAmongConcurrentCallers) {
  fail_times(3);
  advance(5s);
  std::atomic<int> allowed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      for (int j = 0; j < 1000; ++j) allowed += breaker_.allow() ? 1 : 0;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1);
}

}  // namespace
}  // namespace lienthong::upstream
