#include "gateway/core/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace lienthong {
namespace {

TEST(RequestId, ThirtyTwoHexDigitsAndUniqueAcrossThreads) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 1000; ++i) ids.push_back(new_request_id());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread) {
    for (const auto& id : ids) {
      ASSERT_EQ(id.size(), 32u);
      ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), 4000u);
}

}  // namespace
}  // namespace lienthong
