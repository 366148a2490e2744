// DocumentOutbox against a real redis-server (AOF on, appendfsync always) that each test starts
// on 127.0.0.1 and kills. CTest labels: unit, redis.
#include "gateway/outbox/document_outbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/unit/outbox/outbox_test_util.h"

namespace lienthong::outbox {
namespace {

using namespace testing;  // NOLINT: the test helpers

TEST_F(OutboxTest, AcceptIsIdempotentByDocumentId) {
  auto outbox = make_outbox();
  ASSERT_TRUE(outbox);
  auto first = outbox->accept(document_id(1), kSender, body(1));
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->outbox_id, "ob-0000000001");
  EXPECT_EQ(first->state, OutboxState::kAccepted);

  auto again = outbox->accept(document_id(1), kSender, body(1));
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->outbox_id, first->outbox_id);

  auto other = outbox->accept(document_id(2), kSender, body(2));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->outbox_id, "ob-0000000002");

  auto status = outbox->status(document_id(1));
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->document_id, document_id(1));
  EXPECT_EQ(status->sender_organ, kSender);
  EXPECT_EQ(status->state, OutboxState::kAccepted);
  EXPECT_EQ(status->attempts, 0);
  EXPECT_EQ(status->accepted_at, clock_->now());
  auto listed = outbox->list(OutboxState::kAccepted, 10);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(OutboxTest, AnotherBodyOrSenderUnderTheSameDocumentIdIsAConflict) {
  auto outbox = make_outbox();
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->accept(document_id(1), kSender, body(1)));
  auto changed = outbox->accept(document_id(1), kSender, body(1, "<changed/>"));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(changed.error().detail.find("conflict"), std::string::npos);
  EXPECT_EQ(changed.error().detail.find(std::string(kSubject)), std::string::npos);
  auto other_sender = outbox->accept(document_id(1), "000.00.00.H20", body(1));
  ASSERT_FALSE(other_sender);
  EXPECT_EQ(other_sender.error().code, ErrorCode::kBadRequest);
  // Nothing was added by the refusals.
  auto listed = outbox->list(OutboxState::kAccepted, 10);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(OutboxTest, RefusesEmptyAndOversizedInput) {
  OutboxConfig config;
  config.max_document_bytes = 100;
  auto outbox = make_outbox(config);
  ASSERT_TRUE(outbox);
  EXPECT_EQ(outbox->accept("", kSender, body(1)).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(outbox->accept(document_id(1), "", body(1)).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(outbox->accept(document_id(1), kSender, "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(outbox->accept(document_id(1), kSender, std::string(101, 'x')).error().code,
            ErrorCode::kBadRequest);
  EXPECT_EQ(outbox->accept(std::string(257, 'd'), kSender, "x").error().code,
            ErrorCode::kBadRequest);
  EXPECT_TRUE(outbox->accept(document_id(1), kSender, std::string(100, 'x')));
}

TEST_F(OutboxTest, BodiesAreSealedAndKeysDoNotNameTheDocument) {
  auto outbox = make_outbox();
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->accept(document_id(7), kSender, body(7)));
  auto redis = server_.connect();
  ASSERT_TRUE(redis && redis->err == 0);
  auto keys = raw(redis.get(), {"KEYS", "*"});
  ASSERT_TRUE(keys && keys->type == REDIS_REPLY_ARRAY);
  ASSERT_GE(keys->elements, 3u);
  std::string everything;
  for (size_t i = 0; i < keys->elements; ++i) {
    const std::string k(keys->element[i]->str, keys->element[i]->len);
    EXPECT_EQ(k.find("UBND"), std::string::npos) << k;
    auto type = raw(redis.get(), {"TYPE", k});
    ASSERT_TRUE(type && type->type == REDIS_REPLY_STATUS);
    const std::string t(type->str, type->len);
    auto values = t == "hash"   ? raw(redis.get(), {"HGETALL", k})
                  : t == "zset" ? raw(redis.get(), {"ZRANGE", k, "0", "-1", "WITHSCORES"})
                                : raw(redis.get(), {"GET", k});
    ASSERT_TRUE(values) << k;
    if (values->type == REDIS_REPLY_STRING) everything.append(values->str, values->len);
    for (size_t j = 0; values->type == REDIS_REPLY_ARRAY && j < values->elements; ++j)
      everything.append(values->element[j]->str, values->element[j]->len).append("\n");
  }
  EXPECT_NE(everything.find("ob-0000000001"), std::string::npos);  // the scan saw the values
  // And what the AOF put on disk.
  for (const auto& f : std::filesystem::recursive_directory_iterator(server_.dir())) {
    if (!f.is_regular_file() || f.path().filename() == "redis.log") continue;
    std::ifstream in(f.path(), std::ios::binary);
    everything.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(everything.find(std::string(kSubject)), std::string::npos);
  EXPECT_EQ(everything.find("Bí Mật"), std::string::npos);
  EXPECT_EQ(everything.find("<edXMLEnvelope>"), std::string::npos);

  // The body under the key of another document does not open (associated data).
  auto sealed = raw(redis.get(), {"HGET", outbox->document_key(document_id(7)), "body"});
  ASSERT_TRUE(sealed && sealed->type == REDIS_REPLY_STRING);
  const std::string value(sealed->str, sealed->len);
  EXPECT_TRUE(key_->open(value, outbox->document_key(document_id(7))));
  EXPECT_FALSE(key_->open(value, outbox->document_key(document_id(8))));
}

TEST_F(OutboxTest, AnUnopenableBodyIsDeadLetteredAtClaim) {
  auto outbox = make_outbox();
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->accept(document_id(1), kSender, body(1)));
  auto redis = server_.connect();
  ASSERT_TRUE(raw(redis.get(), {"HSET", outbox->document_key(document_id(1)), "body", "junk"}));
  auto claimed = outbox->claim("d1", 10, Ms(1000), 5);
  ASSERT_TRUE(claimed) << claimed.error().detail;
  EXPECT_TRUE(claimed->empty());
  auto status = outbox->status(document_id(1));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, OutboxState::kDead);
  EXPECT_NE(status->last_error.find("does not open"), std::string::npos);
}

class PersistenceTest : public ::testing::Test {
 protected:
  Result<DocumentOutbox::Ptr> open(RedisServer& server) {
    OutboxConfig config;
    config.redis.port = server.port();
    return DocumentOutbox::create(config,
                                  std::make_shared<const cache::SealingKey>(
                                      *cache::SealingKey::from_bytes(std::string(32, 'k'))),
                                  std::make_shared<lienthong::testing::ManualClock>(TimePoint{}));
  }
};

TEST_F(PersistenceTest, RefusesToStartWithoutAof) {
  RedisServer server("no", "always");
  ASSERT_TRUE(server.start());
  auto outbox = open(server);
  ASSERT_FALSE(outbox);
  EXPECT_EQ(outbox.error().code, ErrorCode::kInternal);
  EXPECT_NE(outbox.error().detail.find("appendonly no"), std::string::npos);
}

TEST_F(PersistenceTest, RefusesAppendfsyncNo) {
  RedisServer server("yes", "no");
  ASSERT_TRUE(server.start());
  auto outbox = open(server);
  ASSERT_FALSE(outbox);
  EXPECT_NE(outbox.error().detail.find("appendfsync no"), std::string::npos);
}

TEST_F(PersistenceTest, AcceptsEverysecWithAWarningAndAlways) {
  RedisServer everysec("yes", "everysec");
  ASSERT_TRUE(everysec.start());
  auto a = open(everysec);
  ASSERT_TRUE(a) << a.error().detail;
  auto report = (*a)->persistence();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->appendonly);
  EXPECT_EQ(report->appendfsync, "everysec");
  EXPECT_FALSE(report->version.empty());

  RedisServer always("yes", "always");
  ASSERT_TRUE(always.start());
  EXPECT_TRUE(open(always));
}

TEST_F(PersistenceTest, RefusesToStartWhenRedisIsDown) {
  OutboxConfig config;
  config.redis.port = free_port();
  auto outbox =
      DocumentOutbox::create(config,
                             std::make_shared<const cache::SealingKey>(
                                 *cache::SealingKey::from_bytes(std::string(32, 'k'))),
                             std::make_shared<lienthong::testing::ManualClock>(TimePoint{}));
  ASSERT_FALSE(outbox);
  EXPECT_EQ(outbox.error().code, ErrorCode::kUpstreamUnavailable);
}

}  // namespace
}  // namespace lienthong::outbox
