// RedisRecordCache against a real redis-server that each test starts on 127.0.0.1 (an ephemeral
// port) and stops. CTest labels: unit, redis.
#include "gateway/cache/redis_record_cache.h"
#include "gateway/cache/replay_guard.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/support/manual_clock.h"
#include "tests/support/redis_test_server.h"
#include "tests/unit/cache/cache_test_util.h"

namespace lienthong::cache {
namespace {

using Ms = std::chrono::milliseconds;
using testing::expect_same;
using testing::make_record;

using ::lienthong::testing::ContextPtr;
using ::lienthong::testing::raw;
using ::lienthong::testing::RedisServer;
using ::lienthong::testing::ReplyPtr;

class RedisRecordCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "could not start " << LIENTHONG_REDIS_SERVER;
    key_ = std::make_shared<const SealingKey>(*SealingKey::from_bytes(std::string(32, 's')));
  }

  std::shared_ptr<RedisRecordCache> make_cache(std::size_t pool_size = 8) {
    RedisConfig config;
    config.port = server_.port();
    config.pool_size = pool_size;
    config.reconnect_interval = Ms(1000);
    auto cache = RedisRecordCache::create(config, key_, clock_);
    EXPECT_TRUE(cache) << cache.error().detail;
    return cache ? *cache : nullptr;
  }

  RedisServer server_;
  std::shared_ptr<const SealingKey> key_;
  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(
          std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
};

TEST_F(RedisRecordCacheTest, PutGetInvalidateWithTheTtl) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  const auto record = make_record();
  auto miss = cache->get(record.code);
  ASSERT_TRUE(miss) << miss.error().detail;
  EXPECT_FALSE(miss->has_value());

  ASSERT_TRUE(cache->put(record, std::chrono::seconds(600)));
  auto hit = cache->get(record.code);
  ASSERT_TRUE(hit) << hit.error().detail;
  ASSERT_TRUE(hit->has_value());
  expect_same(record, **hit);
  EXPECT_TRUE(cache->healthy());

  auto redis = server_.connect();
  auto ttl = raw(redis.get(), {"TTL", cache->redis_key(record.code)});
  ASSERT_TRUE(ttl);
  ASSERT_EQ(ttl->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(ttl->integer, 590);
  EXPECT_LE(ttl->integer, 600);

  // Another record of the same person is another key.
  EXPECT_FALSE(cache->get(record_code(record.subject, "CD02"))->has_value());
  ASSERT_TRUE(cache->invalidate(record.code));
  EXPECT_FALSE(cache->get(record.code)->has_value());
  // remove() (the admin API's invalidation) says whether Redis had the record.
  ASSERT_TRUE(cache->put(record, std::chrono::seconds(600)));
  EXPECT_EQ(cache->remove(record.code), true);
  EXPECT_EQ(cache->remove(record.code), false);
  EXPECT_FALSE(cache->get(record.code)->has_value());
  // A zero TTL stores nothing.
  ASSERT_TRUE(cache->put(record, std::chrono::seconds(0)));
  EXPECT_FALSE(cache->get(record.code)->has_value());
}

TEST_F(RedisRecordCacheTest, RedisSeesNoPersonalDataInKeysOrValues) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  const auto record = make_record();
  ASSERT_TRUE(cache->put(record, std::chrono::seconds(60)));

  auto redis = server_.connect();
  auto keys = raw(redis.get(), {"KEYS", "*"});
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(keys->elements, 1u);
  const std::string key(keys->element[0]->str, keys->element[0]->len);
  EXPECT_EQ(key, cache->redis_key(record.code));
  EXPECT_TRUE(key.starts_with("lt:rec:"));
  EXPECT_EQ(key.find(record.subject), std::string::npos);
  EXPECT_EQ(key.find(record.doc_type), std::string::npos);

  auto value = raw(redis.get(), {"GET", key});
  ASSERT_TRUE(value);
  ASSERT_EQ(value->type, REDIS_REPLY_STRING);
  const std::string bytes(value->str, value->len);
  EXPECT_EQ(bytes.find(record.subject), std::string::npos);
  EXPECT_EQ(bytes.find(record.evidence.signer), std::string::npos);
  EXPECT_EQ(bytes.find("CongDan"), std::string::npos);
  for (const auto& [name, field] : record.fields) {
    EXPECT_EQ(bytes.find(name), std::string::npos) << name;
    if (field.size() >= 6) {
      EXPECT_EQ(bytes.find(field), std::string::npos) << name;
    }
  }
}

TEST_F(RedisRecordCacheTest, UnusableValuesAreMissesAndAreDeleted) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  const auto a = make_record("001203004510");
  const auto b = make_record("001203004511");
  ASSERT_TRUE(cache->put(a, std::chrono::seconds(60)));
  auto redis = server_.connect();
  const std::string key_a = cache->redis_key(a.code), key_b = cache->redis_key(b.code);

  // A's sealed value copied under B's key does not open there.
  auto value = raw(redis.get(), {"GET", key_a});
  ASSERT_TRUE(value && value->type == REDIS_REPLY_STRING);
  ASSERT_TRUE(raw(redis.get(), {"SET", key_b, std::string(value->str, value->len)}));
  auto moved = cache->get(b.code);
  ASSERT_TRUE(moved) << moved.error().detail;
  EXPECT_FALSE(moved->has_value());
  EXPECT_EQ(raw(redis.get(), {"EXISTS", key_b})->integer, 0);

  // Garbage, and a value sealed under another key.
  ASSERT_TRUE(raw(redis.get(), {"SET", key_a, "garbage"}));
  EXPECT_FALSE(cache->get(a.code)->has_value());
  EXPECT_EQ(raw(redis.get(), {"EXISTS", key_a})->integer, 0);
  const auto other = *SealingKey::from_bytes(std::string(32, 'o'));
  ASSERT_TRUE(raw(redis.get(), {"SET", key_a, *other.seal("{}", key_a)}));
  EXPECT_FALSE(cache->get(a.code)->has_value());
  EXPECT_TRUE(cache->healthy());  // a bad value is not an outage
}

TEST_F(RedisRecordCacheTest, ConcurrentCallersShareTheSmallPool) {
  auto cache = make_cache(/*pool_size=*/3);
  ASSERT_TRUE(cache);
  constexpr int kThreads = 8, kRounds = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const auto record = make_record("0012030" + std::to_string(10000 + t * 100 + r));
        if (!cache->put(record, std::chrono::seconds(60))) ++failures;
        auto back = cache->get(record.code);
        if (!back || !back->has_value() || (*back)->fields != record.fields) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto redis = server_.connect();
  EXPECT_EQ(raw(redis.get(), {"DBSIZE"})->integer, kThreads * kRounds);
}

TEST_F(RedisRecordCacheTest, DeadRedisFailsFastThenRecoversAfterTheInterval) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  const auto record = make_record();
  ASSERT_TRUE(cache->put(record, std::chrono::seconds(60)));
  ASSERT_TRUE(cache->healthy());

  server_.kill();
  auto timed = [](auto&& call) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = call();
    return std::make_pair(std::move(r), std::chrono::steady_clock::now() - t0);
  };
  auto [got, got_took] = timed([&] { return cache->get(record.code); });
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_TRUE(got.error().detail.starts_with("record cache unavailable: ")) << got.error().detail;
  EXPECT_EQ(got.error().detail.find(record.subject), std::string::npos);
  EXPECT_LT(got_took, Ms(1000));
  EXPECT_FALSE(cache->healthy());

  auto [put, put_took] = timed([&] { return cache->put(record, std::chrono::seconds(60)); });
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_LT(put_took, Ms(1000));
  auto [del, del_took] = timed([&] { return cache->invalidate(record.code); });
  EXPECT_FALSE(del);
  EXPECT_LT(del_took, Ms(1000));

  // Redis is back, but the reconnect interval has not passed on the clock: still failing fast,
  // without trying.
  ASSERT_TRUE(server_.start(server_.port()));
  EXPECT_FALSE(cache->get(record.code));
  clock_->set(clock_->now() + Ms(999));
  EXPECT_FALSE(cache->get(record.code));
  EXPECT_FALSE(cache->healthy());

  clock_->set(clock_->now() + Ms(1));
  auto again = cache->get(record.code);
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_FALSE(again->has_value());  // the new server started empty
  EXPECT_TRUE(cache->healthy());
  ASSERT_TRUE(cache->put(record, std::chrono::seconds(60)));
  EXPECT_TRUE(cache->get(record.code)->has_value());
}

TEST_F(RedisRecordCacheTest, ReplayGuardRemembersEachJtiOncePerMemberForItsTtl) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  RedisReplayGuard guard(cache);
  ASSERT_TRUE(guard.claim("000.00.00.G22", "jti-1", std::chrono::seconds(600)));
  auto again = guard.claim("000.00.00.G22", "jti-1", std::chrono::seconds(600));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kReplayed);
  EXPECT_TRUE(guard.claim("000.00.00.H20", "jti-1", std::chrono::seconds(600)));

  // One key per (member, jti), hashed, with the TTL asked for.
  auto redis = server_.connect();
  auto keys = raw(redis.get(), {"KEYS", "lt:jti:*"});
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->elements, 2u);
  const std::string key(keys->element[0]->str, keys->element[0]->len);
  EXPECT_EQ(key.find("G22"), std::string::npos);
  auto ttl = raw(redis.get(), {"TTL", key});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->integer, 590);

  // Redis gone: a signed request is refused, never let through unchecked.
  server_.kill();
  auto down = guard.claim("000.00.00.G22", "jti-2", std::chrono::seconds(600));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kInternal);
}

TEST(MemoryReplayGuard, ForgetsAfterTheTtlAndRefusesWhenFull) {
  auto clock = std::make_shared<lienthong::testing::ManualClock>(
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
  MemoryReplayGuard guard(clock, 2);
  ASSERT_TRUE(guard.claim("G22", "a", std::chrono::seconds(10)));
  EXPECT_EQ(guard.claim("G22", "a", std::chrono::seconds(10)).error().code, ErrorCode::kReplayed);
  ASSERT_TRUE(guard.claim("G22", "b", std::chrono::seconds(10)));
  // Full, nothing expired: refused rather than forgetting an id that could still be replayed.
  EXPECT_EQ(guard.claim("G22", "c", std::chrono::seconds(10)).error().code, ErrorCode::kInternal);
  clock->set(clock->now() + std::chrono::seconds(10));
  EXPECT_TRUE(guard.claim("G22", "c", std::chrono::seconds(10)));
  EXPECT_TRUE(guard.claim("G22", "a", std::chrono::seconds(10)));
}

TEST_F(RedisRecordCacheTest, NothingListeningFailsFast) {
  const int port = server_.port();
  server_.stop();
  RedisConfig config;
  config.port = port;
  auto cache = *RedisRecordCache::create(config, key_, clock_);
  const auto t0 = std::chrono::steady_clock::now();
  auto got = cache->get("001203004510.CD01");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, Ms(1000));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_FALSE(cache->healthy());
}

TEST_F(RedisRecordCacheTest, SilentServerHitsTheCommandTimeout) {
  // A socket that completes the TCP handshake (the kernel does) but never answers.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  RedisConfig config;
  config.port = ntohs(addr.sin_port);
  config.command_timeout = Ms(100);
  auto cache = *RedisRecordCache::create(config, key_, clock_);
  const auto t0 = std::chrono::steady_clock::now();
  auto got = cache->get("001203004510.CD01");
  const auto took = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_GE(took, Ms(90));
  EXPECT_LT(took, Ms(1000));
  EXPECT_FALSE(cache->healthy());
}

TEST_F(RedisRecordCacheTest, CreateRefusesAnUnusableConfig) {
  RedisConfig no_pool;
  no_pool.pool_size = 0;
  EXPECT_FALSE(RedisRecordCache::create(no_pool, key_, clock_));
  RedisConfig bad_port;
  bad_port.port = 70000;
  EXPECT_FALSE(RedisRecordCache::create(bad_port, key_, clock_));
  EXPECT_FALSE(RedisRecordCache::create(RedisConfig{}, nullptr, clock_));
}

}  // namespace
}  // namespace lienthong::cache
