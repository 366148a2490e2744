#include "gateway/upstream/retry_budget.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/manual_clock.h"

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;

class RetryBudgetTest : public ::testing::Test {
 protected:
  void advance(std::chrono::milliseconds by) { clock_->set(clock_->now() + by); }
  int retries_granted(int asked) {
    int granted = 0;
    for (int i = 0; i < asked; ++i) granted += budget_.try_acquire_retry() ? 1 : 0;
    return granted;
  }

  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(TimePoint{} + 1000h);
  RetryBudget budget_{0.1, 10, clock_};
};

TEST_F(RetryBudgetTest, FloorAllowsMinPerSecondWithoutTraffic) {
  EXPECT_EQ(retries_granted(25), 10);
  EXPECT_EQ(budget_.retries_in_window(), 10u);
}

TEST_F(RetryBudgetTest, RatioOfTrafficAboveTheFloor) {
  for (int i = 0; i < 300; ++i) budget_.on_request();
  EXPECT_EQ(budget_.requests_in_window(), 300u);
  EXPECT_EQ(retries_granted(100), 30);  // 0.1 x 300 > 10
}

TEST_F(RetryBudgetTest, FractionalAllowanceRoundsDown) {
  RetryBudget budget(0.1, 0, clock_);
  for (int i = 0; i < 25; ++i) budget.on_request();
  int granted = 0;
  for (int i = 0; i < 10; ++i) granted += budget.try_acquire_retry() ? 1 : 0;
  EXPECT_EQ(granted, 2);  // 2.5 allowed: the third retry would exceed it
}

TEST_F(RetryBudgetTest, ZeroBudgetNeverRetries) {
  RetryBudget none(0.0, 0, clock_);
  for (int i = 0; i < 100; ++i) none.on_request();
  EXPECT_FALSE(none.try_acquire_retry());
}

TEST_F(RetryBudgetTest, WindowSlidesAfterOneSecond) {
  EXPECT_EQ(retries_granted(10), 10);
  advance(999ms);
  EXPECT_FALSE(budget_.try_acquire_retry());
  advance(1ms);  // the first retries are a second old now
  EXPECT_EQ(budget_.retries_in_window(), 0u);
  EXPECT_EQ(retries_granted(20), 10);
}

TEST_F(RetryBudgetTest, OldRequestsStopCounting) {
  for (int i = 0; i < 300; ++i) budget_.on_request();
  advance(600ms);
  for (int i = 0; i < 100; ++i) budget_.on_request();
  EXPECT_EQ(retries_granted(5), 5);
  advance(400ms);  // the 300 expire; 100 calls left: 0.1 x 100 = 10 = the floor
  EXPECT_EQ(budget_.requests_in_window(), 100u);
  EXPECT_EQ(retries_granted(100), 5);  // 5 of the 10 already spent in this window
}

}  // namespace
}  // namespace lienthong::upstream
