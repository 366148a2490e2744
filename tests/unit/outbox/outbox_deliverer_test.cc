// OutboxDeliverer with a fake axis and a manual clock against a real redis-server: retries with
// backoff, dead letters, a crashed deliverer's lease, a Redis restart. CTest labels: unit, redis.
#include "gateway/outbox/outbox_deliverer.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/unit/outbox/outbox_test_util.h"

namespace lienthong::outbox {
namespace {

using namespace testing;  // NOLINT: the test helpers

class DelivererTest : public OutboxTest {
 protected:
  void SetUp() override {
    OutboxTest::SetUp();
    outbox_ = make_outbox();
    ASSERT_TRUE(outbox_);
  }

  DelivererConfig config(int max_attempts = 5) {
    DelivererConfig c;
    c.owner = "test";
    c.lease = Ms(30'000);
    c.max_attempts = max_attempts;
    c.backoff.initial = Ms(1000);
    c.backoff.multiplier = 2;
    c.backoff.max = Ms(60'000);
    c.backoff.jitter = 0;  // an exact schedule to check
    c.seed = 7;
    return c;
  }

  std::unique_ptr<OutboxDeliverer> make(DelivererConfig c) {
    return std::make_unique<OutboxDeliverer>(outbox_, axis_, clock_, std::move(c));
  }

  OutboxStatus status(int n) {
    auto s = outbox_->status(document_id(n));
    EXPECT_TRUE(s) << s.error().detail;
    return s ? *s : OutboxStatus{};
  }

  DocumentOutbox::Ptr outbox_;
  std::shared_ptr<FakeAxis> axis_ = std::make_shared<FakeAxis>();
};

Error down() { return Error{ErrorCode::kUpstreamUnavailable, "axis: HTTP 503"}; }

TEST_F(DelivererTest, RetriesOnTheBackoffScheduleThenDeliversOnce) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  axis_->then(document_id(1), tl::unexpected(down()));
  axis_->then(document_id(1), tl::unexpected(Error{ErrorCode::kUpstreamTimeout, "timeout"}));
  auto deliverer = make(config());
  const TimePoint t0 = clock_->now();

  auto round = deliverer->run_once();
  EXPECT_EQ(round.claimed, 1u);
  EXPECT_EQ(round.retried, 1u);
  auto s = status(1);
  EXPECT_EQ(s.state, OutboxState::kAccepted);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.last_error, "axis: HTTP 503");
  ASSERT_TRUE(s.next_attempt_at);
  EXPECT_EQ(*s.next_attempt_at, t0 + Ms(1000));

  advance(Ms(999));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);  // not due yet
  EXPECT_EQ(axis_->sends(document_id(1)), 1);
  advance(Ms(1));
  EXPECT_EQ(deliverer->run_once().retried, 1u);
  EXPECT_EQ(*status(1).next_attempt_at, t0 + Ms(1000) + Ms(2000));  // doubled

  advance(Ms(1999));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
  advance(Ms(1));
  EXPECT_EQ(deliverer->run_once().delivered, 1u);
  EXPECT_EQ(axis_->sends(document_id(1)), 3);
  EXPECT_EQ(axis_->last_body(document_id(1)), body(1));  // opened from its sealed copy

  s = status(1);
  EXPECT_EQ(s.state, OutboxState::kDelivered);
  EXPECT_EQ(s.axis_id, "ax-1");
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(s.finished_at, clock_->now());

  advance(Ms(3'600'000));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
  EXPECT_EQ(axis_->sends(document_id(1)), 3);
  // Delivered: the body (personal data) is no longer kept, the digest still answers a retry.
  auto redis = server_.connect();
  auto has_body = raw(redis.get(), {"HEXISTS", outbox_->document_key(document_id(1)), "body"});
  ASSERT_TRUE(has_body);
  EXPECT_EQ(has_body->integer, 0);
  auto again = outbox_->accept(document_id(1), kSender, body(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->state, OutboxState::kDelivered);
}

TEST_F(DelivererTest, ADuplicateAnswerIsADelivery) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  axis_->then(document_id(1), AxisReceipt{"ax-00000042", true});
  auto deliverer = make(config());
  EXPECT_EQ(deliverer->run_once().delivered, 1u);
  auto s = status(1);
  EXPECT_EQ(s.state, OutboxState::kDelivered);
  EXPECT_EQ(s.axis_id, "ax-00000042");
  EXPECT_TRUE(s.axis_duplicate);
}

TEST_F(DelivererTest, APermanentRefusalDeadLettersAtOnceAndRetryDeadRequeues) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  ASSERT_TRUE(outbox_->accept(document_id(2), kSender, body(2)));
  axis_->then(document_id(1), tl::unexpected(Error{ErrorCode::kBadRequest, "axis: 409 conflict"}));
  auto deliverer = make(config());
  auto round = deliverer->run_once();
  EXPECT_EQ(round.dead, 1u);
  EXPECT_EQ(round.delivered, 1u);
  auto s = status(1);
  EXPECT_EQ(s.state, OutboxState::kDead);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.last_error, "axis: 409 conflict");
  auto dead = outbox_->list(OutboxState::kDead, 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].document_id, document_id(1));
  auto delivered = outbox_->list(OutboxState::kDelivered, 10);
  ASSERT_TRUE(delivered);
  ASSERT_EQ(delivered->size(), 1u);
  EXPECT_EQ((*delivered)[0].document_id, document_id(2));
  auto counts = outbox_->counts();  // what /metrics shows
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->delivered, 1u);
  EXPECT_EQ(counts->dead, 1u);

  advance(Ms(3'600'000));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);  // a dead letter stays dead by itself

  ASSERT_TRUE(outbox_->retry_dead(document_id(1)));
  s = status(1);
  EXPECT_EQ(s.state, OutboxState::kAccepted);
  EXPECT_EQ(s.attempts, 0);
  EXPECT_EQ(deliverer->run_once().delivered, 1u);
  EXPECT_EQ(status(1).state, OutboxState::kDelivered);
  EXPECT_EQ(axis_->sends(document_id(1)), 2);

  auto not_dead = outbox_->retry_dead(document_id(1));
  ASSERT_FALSE(not_dead);
  EXPECT_EQ(not_dead.error().code, ErrorCode::kBadRequest);
  auto unknown = outbox_->retry_dead(document_id(99));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(outbox_->accept(document_id(3), kSender, body(3)));
  counts = outbox_->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->accepted, 1u);
  EXPECT_EQ(counts->delivering, 0u);
  EXPECT_EQ(counts->delivered, 2u);
  EXPECT_EQ(counts->dead, 0u);
}

TEST_F(DelivererTest, DeadLettersAfterTheLastAttempt) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  for (int i = 0; i < 5; ++i) axis_->then(document_id(1), tl::unexpected(down()));
  auto deliverer = make(config(3));
  for (int i = 0; i < 3; ++i) {
    deliverer->run_once();
    advance(Ms(60'000));
  }
  auto s = status(1);
  EXPECT_EQ(s.state, OutboxState::kDead);
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(axis_->sends(document_id(1)), 3);
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
}

TEST_F(DelivererTest, ACrashedDeliverersLeaseExpiresAndAnotherDelivers) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  // "Crashed": claimed (and perhaps sent) but never reported back.
  auto crashed = outbox_->claim("crashed", 10, Ms(30'000), 5);
  ASSERT_TRUE(crashed);
  ASSERT_EQ(crashed->size(), 1u);
  EXPECT_EQ(status(1).state, OutboxState::kDelivering);
  auto leased = outbox_->list(OutboxState::kDelivering, 10);
  ASSERT_TRUE(leased);
  EXPECT_EQ(leased->size(), 1u);

  auto deliverer = make(config());
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
  advance(Ms(29'999));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
  EXPECT_EQ(axis_->total(), 0);
  advance(Ms(1));
  EXPECT_EQ(deliverer->run_once().delivered, 1u);
  EXPECT_EQ(axis_->sends(document_id(1)), 1);
  EXPECT_EQ(axis_->attempt_seen(document_id(1)), 2);  // the crashed claim counted

  // The crashed deliverer wakes up and reports a failure with its old lease: nothing changes.
  auto late = outbox_->failed((*crashed)[0], "timeout", false, clock_->now(), 5);
  ASSERT_TRUE(late);
  EXPECT_EQ(status(1).state, OutboxState::kDelivered);
}

TEST_F(DelivererTest, ALeaseThatExpiresOnTheLastAttemptDeadLetters) {
  ASSERT_TRUE(outbox_->accept(document_id(1), kSender, body(1)));
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(outbox_->claim("crashing", 10, Ms(1000), 2)->size(), 1u);
    advance(Ms(1000));
  }
  auto deliverer = make(config(2));
  EXPECT_EQ(deliverer->run_once().claimed, 0u);
  auto s = status(1);
  EXPECT_EQ(s.state, OutboxState::kDead);
  EXPECT_NE(s.last_error.find("lease"), std::string::npos);
  EXPECT_EQ(axis_->total(), 0);
}

TEST_F(DelivererTest, NothingIsLostWhenRedisIsKilledBetweenAcceptAndDelivery) {
  constexpr int kDocuments = 50;
  for (int i = 0; i < kDocuments; ++i)
    ASSERT_TRUE(outbox_->accept(document_id(i), kSender, body(i)));
  // A few are mid-delivery when Redis dies: claimed, never reported.
  ASSERT_EQ(outbox_->claim("crashed", 5, Ms(30'000), 5)->size(), 5u);

  server_.kill();  // SIGKILL: only what the AOF has on disk comes back
  auto refused = outbox_->accept(document_id(1000), kSender, body(1000));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUpstreamUnavailable);
  auto deliverer = make(config());
  EXPECT_TRUE(deliverer->run_once().redis_failed);
  ASSERT_TRUE(server_.start());
  advance(Ms(1000));  // past the reconnect interval

  for (int round = 0; round < 10 && axis_->total() < kDocuments; ++round) {
    deliverer->run_once();
    advance(Ms(30'000));
  }
  for (int i = 0; i < kDocuments; ++i) {
    EXPECT_EQ(axis_->sends(document_id(i)), 1) << i;
    EXPECT_EQ(status(i).state, OutboxState::kDelivered) << i;
  }
  auto delivered = outbox_->list(OutboxState::kDelivered, 1000);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->size(), static_cast<size_t>(kDocuments));
  EXPECT_EQ(outbox_->status(document_id(1000)).error().code, ErrorCode::kNotFound);
}

TEST_F(DelivererTest, TheThreadDeliversWhatIsAccepted) {
  auto c = config();
  c.idle_poll = Ms(20);
  auto deliverer = make(c);
  deliverer->start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(outbox_->accept(document_id(i), kSender, body(i)));
  deliverer->wake();
  for (int i = 0; i < 100 && axis_->total() < 5; ++i) std::this_thread::sleep_for(Ms(20));
  deliverer->stop();
  EXPECT_EQ(axis_->total(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(status(i).state, OutboxState::kDelivered);
}

}  // namespace
}  // namespace lienthong::outbox
