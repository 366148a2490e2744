// The receiver end to end: documents signed with the dev PKI are sent to the axis SIMULATOR
// (over mutual TLS, by its HTTP API), received by a DocumentReceiver through the real
// AxisClient, verified by the real XML-DSig verifier, stored in a real redis-server and
// acknowledged; the axis's pending lists end empty. CTest labels: unit, redis.
#include <gtest/gtest.h>

#include "adapters/documents/edxml_signature.h"
#include "gateway/documents/document_receiver.h"
#include "tests/unit/documents/axis_sim_fixture.h"
#include "tests/unit/documents/inbox_test_util.h"

namespace lienthong::documents {
namespace {

using namespace testing;  // NOLINT: the test helpers

class ReceiverEndToEnd : public InboxTest, public edxml::testing::AxisSimFixture {
 protected:
  void SetUp() override {
    InboxTest::SetUp();
    start_axis();
    crypto::XmlVerifierConfig vc;
    vc.trust = lienthong::testing::trust_store("ec");
    vc.limits = edxml::EdxmlLimits{}.xml();
    auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
    ASSERT_TRUE(verifier) << verifier.error().detail;
    verifier_ = *verifier;
    auto signer = crypto::XmlDsigSigner::create(lienthong::testing::identity("ec", "gateway-sign"),
                                                edxml::EdxmlLimits{}.xml());
    ASSERT_TRUE(signer) << signer.error().detail;
    signer_ = *signer;
  }
  void TearDown() override { stop_axis(); }

  // Sends document `n` (signed unless told otherwise) to the axis as an outbox would.
  std::string send(int n, bool sign = true) {
    std::string bytes = edxml_bytes(n);
    if (sign) {
      auto signed_doc = edxml::sign_edxml(*signer_, bytes);
      EXPECT_TRUE(signed_doc) << signed_doc.error().detail;
      bytes = *signed_doc;
    }
    outbox::OutboxEntry e;
    e.outbox_id = "ob-" + std::to_string(n);
    e.document_id = document_id(n);
    e.sender_organ = "000.00.00.G22";
    e.edxml = bytes;
    auto receipt = client_->send(e);
    EXPECT_TRUE(receipt) << receipt.error().detail;
    return bytes;
  }

  crypto::XmlVerifier::Ptr verifier_;
  std::shared_ptr<const crypto::XmlDsigSigner> signer_;
};

TEST_F(ReceiverEndToEnd, SignedDocumentsAreStoredAndAcknowledged) {
  const std::string first = send(1);
  const std::string second = send(2);
  send(3, /*sign=*/false);  // the simulator takes it; the receiver must not
  ASSERT_EQ(client_->pending(kOrganA)->size(), 3u);

  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  auto audit = std::make_shared<RecordingAudit>();
  ReceiverConfig config;
  config.organs = {std::string(kOrganA), std::string(kOrganB)};
  auto verifier = verifier_;
  DocumentReceiver receiver(
      inbox, client_,
      [verifier](std::string_view bytes) {
        return edxml::verify_edxml(*verifier, bytes, edxml::EdxmlLimits{});
      },
      audit, clock_, config);

  auto report = receiver.run_once();
  EXPECT_EQ(report.stored, 4u) << report.last_error;  // two documents, two recipients each
  EXPECT_EQ(report.refused, 2u) << report.last_error;
  EXPECT_EQ(report.failed, 0u) << report.last_error;
  EXPECT_TRUE(client_->pending(kOrganA)->empty());
  EXPECT_TRUE(client_->pending(kOrganB)->empty());

  for (std::string_view organ : {kOrganA, kOrganB}) {
    auto listed = inbox->list(organ, 0, 10);
    ASSERT_TRUE(listed) << listed.error().detail;
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].document_id, document_id(1));
    EXPECT_EQ((*listed)[1].document_id, document_id(2));
    EXPECT_EQ((*listed)[0].subject, kSubject);
  }
  auto got = inbox->get(kOrganB, document_id(2));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->edxml, second);  // the bytes as sent, signature included
  EXPECT_NE(got->signer_subject.find("lienthong gateway signing"), std::string::npos);
  EXPECT_EQ(got->signer_fingerprint.size(), 64u);
  EXPECT_EQ(inbox->get(kOrganA, document_id(3)).error().code, ErrorCode::kNotFound);

  auto refused = inbox->refused(10);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->size(), 2u);
  EXPECT_EQ(refused->front().reason.rfind("SIGNATURE_MISSING", 0), 0u) << refused->front().reason;
  EXPECT_EQ(audit->entries().size(), 6u);

  // A second round finds nothing.
  auto idle = receiver.run_once();
  EXPECT_EQ(idle.stored + idle.duplicates + idle.refused + idle.failed, 0u);
}

TEST_F(ReceiverEndToEnd, AxisDownThenUpReceivesOnce) {
  send(1);
  auto inbox = make_inbox();
  ASSERT_TRUE(inbox);
  ReceiverConfig config;
  config.organs = {std::string(kOrganA)};
  auto verifier = verifier_;
  DocumentReceiver receiver(
      inbox, client_,
      [verifier](std::string_view bytes) { return edxml::verify_edxml(*verifier, bytes); }, nullptr,
      clock_, config);
  control("/sim/down?seconds=60");
  auto down = receiver.run_once();
  EXPECT_EQ(down.polls_failed, 1u);
  EXPECT_TRUE(inbox->list(kOrganA, 0, 10)->empty());
  control("/sim/down?seconds=0");
  auto up = receiver.run_once();
  EXPECT_EQ(up.stored, 1u) << up.last_error;
  EXPECT_TRUE(client_->pending(kOrganA)->empty());
  EXPECT_EQ(inbox->list(kOrganA, 0, 10)->size(), 1u);
}

}  // namespace
}  // namespace lienthong::documents
