#include "gateway/cache/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace lienthong::cache {
namespace {

TEST(SingleFlight, OneLeaderAmongConcurrentCallersAndEveryoneAnsweredOnce) {
  constexpr int kThreads = 16;
  SingleFlight<std::string, int> flights;
  std::atomic<int> leaders{0};
  std::vector<std::atomic<int>> calls(kThreads);
  std::vector<int> seen(kThreads, -1);
  std::latch start(kThreads), joined(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      if (flights.join("001203004510.CD01", [&, t](const int& v) {
            seen[t] = v;
            ++calls[t];
          }))
        ++leaders;
      joined.count_down();
    });
  joined.wait();
  EXPECT_EQ(leaders.load(), 1);
  EXPECT_EQ(flights.in_flight(), 1u);
  for (auto& c : calls) EXPECT_EQ(c.load(), 0);  // nobody answered before complete
  flights.complete("001203004510.CD01", 42);
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(calls[t].load(), 1) << t;
    EXPECT_EQ(seen[t], 42) << t;
  }
  EXPECT_EQ(flights.in_flight(), 0u);
  flights.complete("001203004510.CD01", 7);  // no flight: ignored
  for (auto& c : calls) EXPECT_EQ(c.load(), 1);
}

TEST(SingleFlight, KeysAreIndependentAndANewFlightStartsAfterCompletion) {
  SingleFlight<std::string, std::string> flights;
  std::vector<std::string> got;
  auto record = [&](const std::string& v) { got.push_back(v); };
  EXPECT_TRUE(flights.join("a", record));
  EXPECT_TRUE(flights.join("b", record));
  EXPECT_FALSE(flights.join("a", record));
  flights.complete("a", "A");
  EXPECT_EQ(got, (std::vector<std::string>{"A", "A"}));
  EXPECT_TRUE(flights.join("a", record));  // a new flight
  flights.complete("b", "B");
  flights.complete("a", "A2");
  EXPECT_EQ(got, (std::vector<std::string>{"A", "A", "B", "A2"}));
}

TEST(SingleFlight, WaitersRunOutsideTheLock) {
  SingleFlight<int, int> flights;
  int inner = 0;
  ASSERT_TRUE(flights.join(1, [&](const int&) {
    // Joining from a waiter would deadlock if waiters ran under the lock.
    EXPECT_TRUE(flights.join(1, [&](const int& v) { inner = v; }));
  }));
  flights.complete(1, 5);
  EXPECT_EQ(flights.in_flight(), 1u);
  flights.complete(1, 6);
  EXPECT_EQ(inner, 6);
}

TEST(SingleFlight, ManyKeysUnderContention) {
  constexpr int kThreads = 8, kRounds = 200, kKeys = 5;
  SingleFlight<int, int> flights;
  std::atomic<int> answered{0}, joins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const int key = (t + r) % kKeys;
        ++joins;
        if (flights.join(key, [&, key](const int& v) {
              EXPECT_EQ(v, key * 10);
              ++answered;
            }))
          flights.complete(key, key * 10);  // leaders complete right away
      }
    });
  for (auto& th : threads) th.join();
  // Every waiter joined before its leader completed, or led a later flight: all answered.
  EXPECT_EQ(answered.load(), joins.load());
  EXPECT_EQ(flights.in_flight(), 0u);
}

}  // namespace
}  // namespace lienthong::cache
