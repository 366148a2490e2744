// DocumentInbox against a real redis-server (AOF on, appendfsync always) that each test starts
// on 127.0.0.1 and kills. CTest labels: unit, redis.
#include "gateway/documents/document_inbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/unit/documents/inbox_test_util.h"

namespace lienthong::documents {
namespace {

using namespace testing;  // NOLINT: the test helpers

TEST_F(InboxTest, StoresListsAndGets) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  auto first = inbox->store(incoming(1), kOrganA);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_FALSE(first->duplicate);
  const TimePoint stored_at = clock_->now();
  clock_->set(stored_at + std::chrono::seconds(5));
  auto second = inbox->store(incoming(2), kOrganA);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->sequence, 2u);

  auto all = inbox->list(kOrganA, 0, 10);
  ASSERT_TRUE(all) << all.error().detail;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].sequence, 1u);
  EXPECT_EQ((*all)[0].document_id, document_id(1));
  EXPECT_EQ((*all)[0].axis_id, "ax-1");
  EXPECT_EQ((*all)[0].from_organ, "000.00.00.G22");
  EXPECT_EQ((*all)[0].code, "1/VPCP-TTĐT");
  EXPECT_EQ((*all)[0].promulgation_date, "2015/09/30");
  EXPECT_EQ((*all)[0].subject, kSubject);
  EXPECT_EQ((*all)[0].received_at, stored_at);
  EXPECT_EQ((*all)[1].document_id, document_id(2));
  EXPECT_EQ((*all)[1].received_at, stored_at + std::chrono::seconds(5));

  auto after = inbox->list(kOrganA, 1, 10);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].sequence, 2u);
  auto limited = inbox->list(kOrganA, 0, 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 1u);
  EXPECT_TRUE(inbox->list(kOrganA, 0, 0)->empty());

  auto got = inbox->get(kOrganA, document_id(1));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->edxml, edxml_bytes(1));
  EXPECT_EQ(got->signer_subject, "CN=sender signing");
  EXPECT_EQ(got->signer_fingerprint, std::string(64, 'f'));
  EXPECT_EQ(got->summary.sequence, 1u);
  EXPECT_EQ(got->summary.subject, kSubject);
}

TEST_F(InboxTest, StoreIsIdempotentPerRecipient) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ASSERT_TRUE(inbox->store(incoming(1), kOrganA));
  ASSERT_TRUE(inbox->store(incoming(2), kOrganA));
  clock_->set(clock_->now() + std::chrono::minutes(1));
  auto again = inbox->store(incoming(1), kOrganA);
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->sequence, 1u);
  EXPECT_EQ(inbox->list(kOrganA, 0, 10)->size(), 2u);

  // The same document for the other recipient is that recipient's first.
  auto other = inbox->store(incoming(1), kOrganB);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->duplicate);
  EXPECT_EQ(other->sequence, 1u);
  EXPECT_EQ(inbox->list(kOrganB, 0, 10)->size(), 1u);
}

TEST_F(InboxTest, AnotherOrganGetsNotFound) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ASSERT_TRUE(inbox->store(incoming(1), kOrganA));
  auto other = inbox->get(kOrganB, document_id(1));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(inbox->list(kOrganB, 0, 10)->empty());
  EXPECT_EQ(inbox->get(kOrganA, document_id(9)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(inbox->get(kOrganA, "").error().code, ErrorCode::kNotFound);
}

TEST_F(InboxTest, AnotherBodyUnderAStoredDocumentIdIsAConflict) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ASSERT_TRUE(inbox->store(incoming(1), kOrganA));
  auto changed = inbox->store(incoming(1, "other content"), kOrganB);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(changed.error().detail.find("conflict"), std::string::npos);
  EXPECT_EQ(inbox->get(kOrganB, document_id(1)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(inbox->get(kOrganA, document_id(1))->edxml, edxml_bytes(1));
}

TEST_F(InboxTest, RefusesEmptyAndOversizedInput) {
  InboxConfig config;
  config.max_document_bytes = 100;
  auto inbox = make_inbox(config);
  ASSERT_TRUE(inbox);
  auto small = incoming(1);
  small.edxml = std::string(100, 'x');
  EXPECT_TRUE(inbox->store(small, kOrganA));
  small.edxml = std::string(101, 'x');
  EXPECT_EQ(inbox->store(small, kOrganA).error().code, ErrorCode::kBadRequest);
  small.edxml = "";
  EXPECT_EQ(inbox->store(small, kOrganA).error().code, ErrorCode::kBadRequest);
  auto no_id = incoming(2);
  no_id.summary.document_id = "";
  EXPECT_EQ(inbox->store(no_id, kOrganA).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(inbox->store(incoming(3), "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(inbox->store(incoming(3), std::string(65, 'o')).error().code, ErrorCode::kBadRequest);
}

TEST_F(InboxTest, RefusedNewestFirstAndCapped) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  for (int i = 0; i < 1005; ++i)
    ASSERT_TRUE(inbox->refuse({"ax-" + std::to_string(i), std::string(kOrganA),
                               "SIGNATURE_INVALID: digest mismatch", clock_->now()}));
  auto refused = inbox->refused(2000);
  ASSERT_TRUE(refused) << refused.error().detail;
  ASSERT_EQ(refused->size(), 1000u);
  EXPECT_EQ(refused->front().axis_id, "ax-1004");
  EXPECT_EQ(refused->front().recipient_organ, kOrganA);
  EXPECT_EQ(refused->front().reason, "SIGNATURE_INVALID: digest mismatch");
  EXPECT_EQ(refused->front().at, clock_->now());
  EXPECT_EQ(refused->back().axis_id, "ax-5");
  EXPECT_EQ(inbox->refused(3)->size(), 3u);
}

TEST_F(InboxTest, NothingInClearInRedisNorInTheAof) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ASSERT_TRUE(inbox->store(incoming(7), kOrganA));
  ASSERT_TRUE(inbox->store(incoming(7), kOrganB));
  ASSERT_TRUE(inbox->refuse({"ax-9", std::string(kOrganA), "BAD_REQUEST: x", clock_->now()}));
  auto redis = server_.connect();
  ASSERT_TRUE(redis && redis->err == 0);
  auto keys = raw(redis.get(), {"KEYS", "*"});
  ASSERT_TRUE(keys && keys->type == REDIS_REPLY_ARRAY);
  ASSERT_GE(keys->elements, 8u);  // doc, 2 x (recv, seq, mark), refused
  std::string everything;
  for (size_t i = 0; i < keys->elements; ++i) {
    const std::string k(keys->element[i]->str, keys->element[i]->len);
    everything.append(k).append("\n");
    auto type = raw(redis.get(), {"TYPE", k});
    ASSERT_TRUE(type && type->type == REDIS_REPLY_STATUS);
    const std::string t(type->str, type->len);
    auto values = t == "hash"   ? raw(redis.get(), {"HGETALL", k})
                  : t == "zset" ? raw(redis.get(), {"ZRANGE", k, "0", "-1", "WITHSCORES"})
                  : t == "list" ? raw(redis.get(), {"LRANGE", k, "0", "-1"})
                                : raw(redis.get(), {"GET", k});
    ASSERT_TRUE(values) << k;
    if (values->type == REDIS_REPLY_STRING) everything.append(values->str, values->len);
    for (size_t j = 0; values->type == REDIS_REPLY_ARRAY && j < values->elements; ++j)
      everything.append(values->element[j]->str, values->element[j]->len).append("\n");
  }
  EXPECT_NE(everything.find("lt:{inbox}:doc:"), std::string::npos);  // the scan saw the keys
  // And what the AOF put on disk.
  for (const auto& f : std::filesystem::recursive_directory_iterator(server_.dir())) {
    if (!f.is_regular_file() || f.path().filename() == "redis.log") continue;
    std::ifstream in(f.path(), std::ios::binary);
    everything.append(std::istreambuf_iterator<char>(in), {});
  }
  const std::string id = document_id(7);  // lives through the loop (a temporary would not)
  for (std::string_view secret :
       {std::string_view(id), kOrganA, kOrganB, std::string_view("000.00.00.G22"),
        std::string_view("7/VPCP"), kSubject, std::string_view("Bí Mật"),
        std::string_view("edXMLEnvelope"), std::string_view("ax-9"), std::string_view("CN=sender")})
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
}

TEST_F(InboxTest, SurvivesRedisSigkillAndRestart) {
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ASSERT_TRUE(inbox->store(incoming(1), kOrganA));
  ASSERT_TRUE(inbox->store(incoming(2), kOrganA));
  ASSERT_TRUE(inbox->refuse({"ax-3", std::string(kOrganA), "BAD_REQUEST: x", clock_->now()}));
  server_.kill();  // SIGKILL: no shutdown, no final fsync
  auto down = inbox->store(incoming(3), kOrganA);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUpstreamUnavailable);
  ASSERT_TRUE(server_.start());

  // A fresh gateway on the restarted Redis reads everything that was answered.
  auto after = make_inbox();
  ASSERT_TRUE(after);
  auto listed = after->list(kOrganA, 0, 10);
  ASSERT_TRUE(listed) << listed.error().detail;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(after->get(kOrganA, document_id(2))->edxml, edxml_bytes(2));
  EXPECT_EQ(after->refused(10)->size(), 1u);
  // The sequence goes on from where it was.
  auto third = after->store(incoming(3), kOrganA);
  ASSERT_TRUE(third) << third.error().detail;
  EXPECT_EQ(third->sequence, 3u);
  // The first inbox's link reconnects by itself.
  auto again = inbox->get(kOrganA, document_id(3));
  if (!again) again = inbox->get(kOrganA, document_id(3));  // the first call meets the old socket
  ASSERT_TRUE(again) << again.error().detail;
}

TEST_F(InboxTest, RefusesRedisWithoutAof) {
  RedisServer no_aof("no", "always");
  ASSERT_TRUE(no_aof.start());
  InboxConfig config;
  config.redis.port = no_aof.port();
  auto inbox = DocumentInbox::create(config, key_, clock_);
  ASSERT_FALSE(inbox);
  EXPECT_EQ(inbox.error().code, ErrorCode::kInternal);
  EXPECT_NE(inbox.error().detail.find("appendonly no"), std::string::npos);
  EXPECT_NE(inbox.error().detail.find("inbox"), std::string::npos);

  RedisServer fsync_no("yes", "no");
  ASSERT_TRUE(fsync_no.start());
  config.redis.port = fsync_no.port();
  inbox = DocumentInbox::create(config, key_, clock_);
  ASSERT_FALSE(inbox);
  EXPECT_NE(inbox.error().detail.find("appendfsync no"), std::string::npos);

  // kSkip is for a Redis whose CONFIG is disabled: the operator checked.
  config.redis.port = no_aof.port();
  config.persistence = outbox::PersistenceCheck::kSkip;
  EXPECT_TRUE(DocumentInbox::create(config, key_, clock_));
}

TEST_F(InboxTest, RefusesToStartWhenRedisIsDownOrTheConfigIsWrong) {
  InboxConfig config;
  config.redis.port = free_port();
  auto inbox = DocumentInbox::create(config, key_, clock_);
  ASSERT_FALSE(inbox);
  EXPECT_EQ(inbox.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_FALSE(DocumentInbox::create(InboxConfig{}, nullptr, clock_));
  InboxConfig no_prefix;
  no_prefix.key_prefix = "";
  EXPECT_FALSE(DocumentInbox::create(no_prefix, key_, clock_));
}

}  // namespace
}  // namespace lienthong::documents
