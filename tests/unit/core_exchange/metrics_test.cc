#include "gateway/core/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace lienthong {
namespace {

TEST(Metrics, CountersRenderAsPrometheusText) {
  Metrics m;
  m.lookups.inc({"http-json", "OK"});
  m.lookups.inc({"http-json", "OK"});
  m.lookups.inc({"thrift", "ACCESS_DENIED"});
  m.cache_lookups.inc({"hit"}, 3);
  m.cache_lookups.inc({"miss"});
  m.lookup_latency.observe_us(1500);
  const std::string text = m.render();
  EXPECT_NE(text.find("lienthong_lookups_total{front=\"http-json\",outcome=\"OK\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lienthong_lookups_total{front=\"thrift\",outcome=\"ACCESS_DENIED\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_cache_lookups_total{result=\"hit\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lienthong_record_reuse_ratio 0.75\n"), std::string::npos);
  EXPECT_NE(text.find("lienthong_lookup_duration_seconds_bucket{le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_lookup_duration_seconds_bucket{le=\"0.001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_lookup_duration_seconds_count 1\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  CounterFamily f("x_total", "help", {"l"});
  f.inc({"a\"b"});
  std::string out;
  f.render(out);
  EXPECT_NE(out.find("x_total{l=\"a\\\"b\"} 1"), std::string::npos) << out;
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) m.cache_lookups.inc({i % 2 ? "hit" : "miss"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.cache_lookups.total(), 40000u);
  EXPECT_EQ(m.cache_lookups.value({"hit"}), 20000u);
}

}  // namespace
}  // namespace lienthong
