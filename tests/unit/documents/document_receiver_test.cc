// DocumentReceiver with a fake axis (which checks every ack against the inbox), a stand-in
// verifier and a recording audit, on a real redis-server. CTest labels: unit, redis.
#include "gateway/documents/document_receiver.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/unit/documents/inbox_test_util.h"

namespace lienthong::documents {
namespace {

using namespace testing;  // NOLINT: the test helpers

// Reads the envelope without a signature check; bytes holding "FORGED" fail as a bad
// signature would, "OCSP-DOWN" as a verifier that could not decide.
Result<edxml::VerifiedEdxml> fake_verify(std::string_view bytes) {
  if (bytes.find("FORGED") != std::string_view::npos)
    return fail(ErrorCode::kSignatureInvalid, "digest of the reference does not match");
  if (bytes.find("OCSP-DOWN") != std::string_view::npos)
    return fail(ErrorCode::kUpstreamUnavailable, "revocation source unreachable");
  auto m = edxml::parse_edxml(bytes);
  if (!m) return tl::unexpected(m.error());
  return edxml::VerifiedEdxml{std::move(*m), {"CN=sender signing", "sender signing", "ab12"}};
}

class ReceiverTest : public InboxTest {
 protected:
  void SetUp() override {
    InboxTest::SetUp();
    inbox_ = make_inbox();
    ASSERT_TRUE(inbox_);
    axis_ = std::make_shared<FakeAxis>(inbox_);
  }
  std::unique_ptr<DocumentReceiver> receiver(ReceiverConfig config = {}) {
    if (config.organs.empty()) config.organs = {std::string(kOrganA), std::string(kOrganB)};
    config.owner = "gw1";
    return std::make_unique<DocumentReceiver>(inbox_, axis_, fake_verify, audit_, clock_, config);
  }
  // `marker` goes into MessageHeader/Content, where fake_verify sees it.
  void put(int n, std::vector<std::string> to = {std::string(kOrganA)},
           std::string_view marker = "") {
    auto m = message(n);
    if (!marker.empty()) m.header.content = std::string(marker);
    axis_->put("ax-" + std::to_string(n), document_id(n), edxml::to_edxml(m), std::move(to));
  }

  DocumentInbox::Ptr inbox_;
  std::shared_ptr<FakeAxis> axis_;
  std::shared_ptr<RecordingAudit> audit_ = std::make_shared<RecordingAudit>();
};

TEST_F(ReceiverTest, StoresAuditsThenAcknowledges) {
  put(1);
  put(2, {std::string(kOrganA), std::string(kOrganB)});
  auto report = receiver()->run_once();
  EXPECT_EQ(report.stored, 3u);
  EXPECT_EQ(report.failed + report.refused + report.duplicates, 0u) << report.last_error;
  EXPECT_EQ(axis_->acks(), 3);
  EXPECT_EQ(axis_->violations(), 0);
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);
  EXPECT_EQ(axis_->pending_count(kOrganB), 0u);

  auto listed = inbox_->list(kOrganA, 0, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].document_id, document_id(1));
  EXPECT_EQ((*listed)[0].axis_id, "ax-1");
  EXPECT_EQ((*listed)[0].subject, kSubject);
  EXPECT_EQ((*listed)[0].code, "1/VPCP-TTĐT");
  auto got = inbox_->get(kOrganB, document_id(2));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->edxml, edxml_bytes(2));
  EXPECT_EQ(got->signer_subject, "CN=sender signing");
  EXPECT_EQ(got->signer_fingerprint, "ab12");

  const auto entries = audit_->entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].front, "axis");
  EXPECT_EQ(entries[0].member, kOrganA);
  EXPECT_EQ(entries[0].adapter, "documents");
  EXPECT_EQ(entries[0].document_type, "receive");
  EXPECT_EQ(entries[0].subject, document_id(1));
  EXPECT_EQ(entries[0].outcome, "OK");
  EXPECT_EQ(entries[0].request_id, "gw1:ax-1");

  // Nothing left: the next round does nothing.
  auto idle = receiver()->run_once();
  EXPECT_EQ(idle.stored + idle.duplicates + idle.refused + idle.failed, 0u);
}

TEST_F(ReceiverTest, RedisDownMeansNoAckAndTheNextRoundStoresIt) {
  put(1);
  put(2);
  server_.kill();
  auto r = receiver();
  auto down = r->run_once();
  EXPECT_EQ(down.stored, 0u);
  EXPECT_GE(down.failed, 1u);
  EXPECT_NE(down.last_error.find("UPSTREAM_UNAVAILABLE"), std::string::npos) << down.last_error;
  EXPECT_EQ(axis_->acks(), 0);
  EXPECT_EQ(axis_->pending_count(kOrganA), 2u);
  EXPECT_TRUE(audit_->entries().empty());

  ASSERT_TRUE(server_.start());
  auto up = r->run_once();
  EXPECT_EQ(up.stored, 2u) << up.last_error;
  EXPECT_EQ(axis_->acks(), 2);
  EXPECT_EQ(axis_->violations(), 0);
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);
}

TEST_F(ReceiverTest, ABadSignatureIsRefusedThenAcknowledged) {
  put(1, {std::string(kOrganA)}, "FORGED");
  put(2);
  auto report = receiver()->run_once();
  EXPECT_EQ(report.refused, 1u);
  EXPECT_EQ(report.stored, 1u);
  EXPECT_EQ(axis_->acks(), 2);
  EXPECT_EQ(axis_->violations(), 0);
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);
  EXPECT_EQ(inbox_->get(kOrganA, document_id(1)).error().code, ErrorCode::kNotFound);
  auto refused = inbox_->refused(10);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->size(), 1u);
  EXPECT_EQ(refused->front().axis_id, "ax-1");
  EXPECT_EQ(refused->front().recipient_organ, kOrganA);
  EXPECT_EQ(refused->front().reason.rfind("SIGNATURE_INVALID: ", 0), 0u) << refused->front().reason;
  EXPECT_EQ(refused->front().reason.find(std::string(kSubject)), std::string::npos);
  const auto entries = audit_->entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].outcome, "SIGNATURE_INVALID");
  EXPECT_EQ(entries[0].subject, document_id(1));  // as the axis listed it
}

TEST_F(ReceiverTest, InvalidOrMisaddressedDocumentsAreRefused) {
  // Not addressed to the organ the axis listed it for.
  axis_->put("ax-1", document_id(1), edxml_bytes(1), {std::string(kOtherOrgan)});
  // Invalid edXML: a Subject beyond 500 characters.
  auto long_subject = message(2);
  long_subject.header.subject = std::string(501, 'x');
  axis_->put("ax-2", document_id(2), edxml::to_edxml(long_subject), {std::string(kOrganA)});
  // Not XML at all.
  axis_->put("ax-3", document_id(3), "not xml", {std::string(kOrganA)});
  ReceiverConfig config;
  config.organs = {std::string(kOrganA), std::string(kOtherOrgan)};
  auto report = receiver(config)->run_once();
  EXPECT_EQ(report.refused, 3u) << report.last_error;
  EXPECT_EQ(axis_->acks(), 3);
  EXPECT_EQ(axis_->violations(), 0);
  auto refused = inbox_->refused(10);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->size(), 3u);
  std::string reasons;
  for (const auto& r : *refused) reasons += r.reason + "\n";
  EXPECT_NE(reasons.find("ACCESS_DENIED"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("BAD_REQUEST"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("XML_MALFORMED"), std::string::npos) << reasons;
}

TEST_F(ReceiverTest, ALostAckMeansOneEntryAndAnAckNextRound) {
  put(1);
  axis_->fail_next("ack", Error{ErrorCode::kUpstreamUnavailable, "axis answered HTTP 503"});
  auto r = receiver();
  auto first = r->run_once();
  EXPECT_EQ(first.failed, 1u);
  EXPECT_EQ(axis_->pending_count(kOrganA), 1u);
  auto second = r->run_once();
  EXPECT_EQ(second.duplicates, 1u) << second.last_error;
  EXPECT_EQ(second.stored, 0u);
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);
  EXPECT_EQ(axis_->fetches(), 2);
  EXPECT_EQ(inbox_->list(kOrganA, 0, 10)->size(), 1u);
  EXPECT_EQ(axis_->violations(), 0);
}

TEST_F(ReceiverTest, AxisOrAuditOrVerifierTroubleLeavesThePendingDocument) {
  put(1);
  put(2);
  auto r = receiver();
  // The axis is down while fetching: the organ's round stops at the first document.
  axis_->fail_next("fetch", Error{ErrorCode::kUpstreamUnavailable, "axis answered HTTP 503"});
  auto down = r->run_once();
  EXPECT_EQ(down.failed, 1u);
  EXPECT_EQ(down.stored, 0u);
  EXPECT_EQ(axis_->acks(), 0);
  // The pending list does not read.
  axis_->fail_next("pending", Error{ErrorCode::kUpstreamTimeout, "timeout"}, 2);
  auto unpolled = r->run_once();
  EXPECT_EQ(unpolled.polls_failed, 2u);
  // The audit is not durable: stored, but not acknowledged.
  audit_->fail_next(1);
  auto no_audit = r->run_once();
  EXPECT_EQ(no_audit.failed, 1u);
  EXPECT_EQ(no_audit.stored, 1u);
  EXPECT_EQ(axis_->acks(), 1);
  auto rest = r->run_once();
  EXPECT_EQ(rest.duplicates, 1u) << rest.last_error;
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);

  // A verifier that could not decide: not refused, left pending.
  put(3, {std::string(kOrganA)}, "OCSP-DOWN");
  auto undecided = r->run_once();
  EXPECT_EQ(undecided.failed, 1u);
  EXPECT_EQ(undecided.refused, 0u);
  EXPECT_EQ(axis_->pending_count(kOrganA), 1u);
  EXPECT_TRUE(inbox_->refused(10)->empty());
  EXPECT_EQ(axis_->violations(), 0);
}

TEST_F(ReceiverTest, AtMostMaxPerRoundPerOrgan) {
  for (int n = 1; n <= 5; ++n) put(n);
  ReceiverConfig config;
  config.max_per_round = 2;
  auto r = receiver(config);
  auto first = r->run_once();
  EXPECT_EQ(first.stored, 2u);
  EXPECT_TRUE(first.busy);
  r->run_once();
  auto last = r->run_once();
  EXPECT_EQ(last.stored, 1u);
  EXPECT_FALSE(last.busy);
  auto listed = inbox_->list(kOrganA, 0, 10);
  ASSERT_EQ(listed->size(), 5u);
  EXPECT_EQ((*listed)[4].document_id, document_id(5));
}

TEST_F(ReceiverTest, TheThreadReceivesUntilStopped) {
  ReceiverConfig config;
  config.poll_interval = std::chrono::milliseconds(20);
  auto r = receiver(config);
  r->start();
  put(1);
  r->wake();
  for (int i = 0; i < 250 && axis_->pending_count(kOrganA) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r->stop();
  EXPECT_EQ(axis_->pending_count(kOrganA), 0u);
  EXPECT_EQ(inbox_->list(kOrganA, 0, 10)->size(), 1u);
  EXPECT_EQ(axis_->violations(), 0);
}

TEST(ReceiverConfigTest, RefusesMissingDependencies) {
  auto clock = std::make_shared<lienthong::testing::ManualClock>(TimePoint{});
  EXPECT_THROW(DocumentReceiver(nullptr, nullptr, fake_verify, nullptr, clock, {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace lienthong::documents
