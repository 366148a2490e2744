// GatewayDocuments (gateway/documents/gateway_documents.h): the document calls of both fronts,
// against a real redis-server (outbox and inbox), the dev PKI (members, the gateway's signing
// key) and a fake axis that records what it is sent.
#include "gateway/documents/gateway_documents.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/key_material.h"
#include "tests/support/manual_clock.h"
#include "tests/support/redis_test_server.h"
#include "tests/support/test_pki.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::documents {
namespace {

using ::lienthong::testing::RedisServer;

constexpr std::string_view kPolicy = R"(
[[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "documents"
  document_types = ["send", "receive"]
  fields = ["*"]

[[member]]
organ = "000.00.00.H20"
  [[member.grant]]
  adapter = "documents"
  document_types = ["receive"]
  fields = ["*"]

[[member]]
organ = "001.00.10.H47"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]
)";

// The sample envelope (G22 → H20, H47) under another number.
std::string sample(int number) {
  std::string s = edxml::testing::sample_edxml();
  const std::string from = "7816", to = std::to_string(number);
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}
std::string sample_id(int number) {
  return "000.00.00.G22,2015/09/30," + std::to_string(number) + "/VPCP-TTĐT";
}

DocumentCaller caller(const std::string& name) {
  auto cert = lienthong::testing::certificate("ec", name);
  auto inter = lienthong::testing::certificate("ec", "intermediate-ca");
  DocumentCaller c;
  c.member.certificate_der = crypto::to_der(cert.get());
  c.member.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  c.member.chain_der = {crypto::to_der(inter.get())};
  c.member.organ_code = name == "member-g22"   ? "000.00.00.G22"
                        : name == "member-h20" ? "000.00.00.H20"
                                               : "001.00.10.H47";
  c.request_id = "req-1";
  c.front = "http";
  return c;
}

class RecordingAudit final : public audit::AuditSink {
 public:
  void append(audit::AuditEntry entry, audit::DurableCallback durable) override {
    {
      std::lock_guard lock(mutex_);
      entries_.push_back(std::move(entry));
    }
    durable({});
  }
  std::vector<audit::AuditEntry> entries() {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  std::mutex mutex_;
  std::vector<audit::AuditEntry> entries_;
};

// Records the Status messages it is sent; answers the history it was given.
class FakeAxis final : public AxisInbound {
 public:
  Result<std::vector<PendingDocument>> pending(std::string_view) override { return {}; }
  Result<std::string> fetch(std::string_view) override {
    return fail(ErrorCode::kNotFound, "no such document");
  }
  Result<void> ack(std::string_view, std::string_view) override { return {}; }
  Result<StatusRecord> post_status(std::string_view axis_id,
                                   const std::string& signed_status) override {
    std::lock_guard lock(mutex_);
    posted.emplace_back(std::string(axis_id), signed_status);
    if (down) return fail(ErrorCode::kUpstreamUnavailable, "axis: 503");
    return StatusRecord{"", "", "", "", "2026-11-23T08:00:00Z", false};
  }
  Result<std::vector<StatusRecord>> status_history(std::string_view axis_id) override {
    std::lock_guard lock(mutex_);
    asked.emplace_back(axis_id);
    return history;
  }

  std::mutex mutex_;
  bool down = false;
  std::vector<std::pair<std::string, std::string>> posted;
  std::vector<std::string> asked;
  std::vector<StatusRecord> history;
};

class GatewayDocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.start());
    // Now: the dev PKI of the run is generated minutes before the tests.
    clock_ = std::make_shared<lienthong::testing::ManualClock>(SystemClock().now());
    auto key = std::make_shared<const cache::SealingKey>(
        *cache::SealingKey::from_bytes(std::string(32, 'k')));
    outbox::OutboxConfig oc;
    oc.redis.port = redis_.port();
    auto outbox = outbox::DocumentOutbox::create(oc, key, clock_);
    ASSERT_TRUE(outbox) << outbox.error().detail;
    outbox_ = *outbox;
    InboxConfig ic;
    ic.redis.port = redis_.port();
    auto inbox = DocumentInbox::create(ic, key, clock_);
    ASSERT_TRUE(inbox) << inbox.error().detail;
    inbox_ = *inbox;
    auto policy = policy::AccessPolicy::parse(kPolicy, "policy.toml");
    ASSERT_TRUE(policy) << policy.error().detail;
    policy_ = *policy;
    auto signer = crypto::XmlDsigSigner::create(lienthong::testing::identity("ec", "gateway-sign"),
                                                edxml::EdxmlLimits().xml());
    ASSERT_TRUE(signer) << signer.error().detail;
    signer_ = *signer;

    GatewayDocumentsParts parts;
    parts.authenticator = std::make_shared<exchange::MemberAuthenticator>(
        lienthong::testing::trust_store("ec"), clock_);
    parts.policy = [this] { return policy_; };
    parts.outbox = outbox_;
    parts.inbox = inbox_;
    parts.axis = axis_;
    parts.signer = signer_;
    parts.audit = audit_;
    parts.clock = clock_;
    parts.accepted = [this] { ++wakes_; };
    auto service = GatewayDocuments::create(std::move(parts));
    ASSERT_TRUE(service) << service.error().detail;
    service_ = *service;
  }

  // What the outbox will hand the deliverer for a DocumentId.
  std::string stored_body(const std::string& document_id) {
    auto claimed = outbox_->claim("test", 100, std::chrono::seconds(30), 10);
    EXPECT_TRUE(claimed);
    for (const auto& e : *claimed)
      if (e.document_id == document_id) return e.edxml;
    return "";
  }

  // A document received for H20 (and H47), as the receiver stores it.
  void receive(int number, const std::string& axis_id) {
    IncomingDocument in;
    in.summary.document_id = sample_id(number);
    in.summary.axis_id = axis_id;
    in.summary.from_organ = "000.00.00.G22";
    in.summary.subject = "V/v kết nối";
    in.edxml = sample(number);
    in.signer_subject = "CN=gateway";
    in.signer_fingerprint = "ab";
    ASSERT_TRUE(inbox_->store(in, "000.00.00.H20"));
  }

  RedisServer redis_{"yes", "always"};
  std::shared_ptr<lienthong::testing::ManualClock> clock_;
  outbox::DocumentOutbox::Ptr outbox_;
  DocumentInbox::Ptr inbox_;
  policy::AccessPolicy::Ptr policy_;
  crypto::XmlSigner::Ptr signer_;
  std::shared_ptr<FakeAxis> axis_ = std::make_shared<FakeAxis>();
  std::shared_ptr<RecordingAudit> audit_ = std::make_shared<RecordingAudit>();
  std::shared_ptr<GatewayDocuments> service_;
  int wakes_ = 0;
};

TEST_F(GatewayDocumentsTest, SendStoresTheMembersBytesOnceAndWakesTheDeliverer) {
  const auto g22 = caller("member-g22");
  auto first = service_->send(g22, sample(1));
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->document_id, sample_id(1));
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(wakes_, 1);
  auto again = service_->send(g22, sample(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->outbox_id, first->outbox_id);
  EXPECT_EQ(wakes_, 1);  // nothing new to deliver
  // Other bytes under the same DocumentId.
  std::string other = sample(1);
  const std::string place = "Hà Nội";
  other.replace(other.find(place), place.size(), "Huế");
  auto conflict = service_->send(g22, other);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kBadRequest);
  // Stored as sent: unsigned (SigningAxisSender signs on the way out).
  EXPECT_EQ(stored_body(sample_id(1)), sample(1));
}

TEST_F(GatewayDocumentsTest, RefusalsStoreNothingAndAreAudited) {
  struct Case {
    std::string name;
    DocumentCaller who;
    std::string body;
    ErrorCode code;
  };
  std::string signed_body = sample(3);
  signed_body.replace(signed_body.find("</edXML:edXMLHeader>"), 0,
                      "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>");
  std::string long_subject = sample(5);
  long_subject.replace(long_subject.find("V/v kết nối"), 0, std::string(600, 'x'));
  const std::vector<Case> cases = {
      {"not the sender", caller("member-h20"), sample(2), ErrorCode::kAccessDenied},
      {"no grant", caller("member-h47"), sample(2), ErrorCode::kAccessDenied},
      {"signed", caller("member-g22"), signed_body, ErrorCode::kBadRequest},
      {"malformed", caller("member-g22"), sample(4).substr(0, 500), ErrorCode::kXmlMalformed},
      {"subject too long", caller("member-g22"), long_subject, ErrorCode::kBadRequest},
      {"DTD", caller("member-g22"),
       "<?xml version=\"1.0\"?><!DOCTYPE edXML [<!ENTITY a \"b\">]><edXML/>",
       ErrorCode::kXmlDtdRefused},
  };
  for (const auto& c : cases) {
    auto r = service_->send(c.who, c.body);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().detail;
  }
  for (int n : {2, 3, 4, 5}) {
    auto status = outbox_->status(sample_id(n));
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kNotFound) << n;
  }
  const auto entries = audit_->entries();
  ASSERT_EQ(entries.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(entries[i].adapter, "documents");
    EXPECT_EQ(entries[i].document_type, "send");
    EXPECT_EQ(entries[i].outcome, error_code_name(cases[i].code)) << cases[i].name;
    EXPECT_EQ(entries[i].member, cases[i].who.member.organ_code);
  }
  EXPECT_EQ(wakes_, 0);
}

TEST_F(GatewayDocumentsTest, ARecallNamesOnlyTheSendersOwnDocument) {
  const auto g22 = caller("member-g22");
  ASSERT_TRUE(service_->send(g22, sample(10)));
  auto recall_of = [&](int number, const std::string& target) {
    std::string s = sample(number);
    const std::string from = "<edXML:BussinessDocType>0</edXML:BussinessDocType>";
    s.replace(s.find(from), from.size(), "<edXML:BussinessDocType>1</edXML:BussinessDocType>");
    const std::string id_tag = "<edXML:Bussiness>\n          <edXML:DocumentId>";
    const size_t at = s.find(id_tag) + id_tag.size();
    s.replace(at, s.find('<', at) - at, target);
    return s;
  };
  auto ok = service_->send(g22, recall_of(11, sample_id(10)));
  ASSERT_TRUE(ok) << ok.error().detail;
  auto foreign = service_->send(g22, recall_of(12, "000.00.00.H20,2015/09/30,1/UBND"));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(foreign.error().detail.find("Bussiness"), std::string::npos);
}

TEST_F(GatewayDocumentsTest, MembersSeeOnlyTheirOwnDocuments) {
  const auto g22 = caller("member-g22"), h20 = caller("member-h20");
  ASSERT_TRUE(service_->send(g22, sample(20)));
  auto mine = service_->sent(g22, sample_id(20));
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->state, outbox::OutboxState::kAccepted);
  // H20 has no send grant; G22 has, but for another organ's document it is absent.
  EXPECT_EQ(service_->sent(h20, sample_id(20)).error().code, ErrorCode::kAccessDenied);
  receive(21, "ax-00000021");
  auto got = service_->get(h20, sample_id(21));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->edxml, sample(21));
  EXPECT_EQ(service_->get(g22, sample_id(21)).error().code, ErrorCode::kNotFound);
  auto listed = service_->received(h20, 0, 100);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().document_id, sample_id(21));
  EXPECT_TRUE(service_->received(g22, 0, 100)->empty());
  EXPECT_EQ(service_->received(h20, 0, 0).error().code, ErrorCode::kBadRequest);
}

TEST_F(GatewayDocumentsTest, AStatusIsSignedByTheGatewayForTheCallersOrgan) {
  const auto h20 = caller("member-h20");
  receive(30, "ax-00000030");
  StatusUpdate update;
  update.status_code = "03";
  update.description = "Đã tiếp nhận";
  update.staff_name = "Lê Văn C";
  auto r = service_->update_status(h20, sample_id(30), update);
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(axis_->posted.size(), 1u);
  EXPECT_EQ(axis_->posted[0].first, "ax-00000030");
  crypto::XmlVerifierConfig vc;
  vc.trust = lienthong::testing::trust_store("ec");
  vc.clock = clock_;
  auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier);
  auto status = edxml::verify_edxml_status(**verifier, axis_->posted[0].second);
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status.from.organ_id, "000.00.00.H20");
  EXPECT_EQ(status->status.status_code, "03");
  EXPECT_EQ(status->status.response_for.document_id, sample_id(30));
  EXPECT_EQ(status->status.response_for.organ_id, "000.00.00.G22");
  EXPECT_EQ(status->status.response_for.code, "30/VPCP-TTĐT");
  EXPECT_EQ(status->status.timestamp, edxml_timestamp(clock_->now()));  // Vietnam time
  EXPECT_EQ(status->status.staff_info.staff, "Lê Văn C");

  update.status_code = "99";
  EXPECT_EQ(service_->update_status(h20, sample_id(30), update).error().code,
            ErrorCode::kBadRequest);
  update.status_code = "03";
  axis_->down = true;
  EXPECT_EQ(service_->update_status(h20, sample_id(30), update).error().code,
            ErrorCode::kUpstreamUnavailable);
  // A document the caller neither sent nor received.
  EXPECT_EQ(service_->update_status(h20, sample_id(31), update).error().code, ErrorCode::kNotFound);
}

TEST_F(GatewayDocumentsTest, TheSenderWaitsForDeliveryBeforeStatusesAndHistory) {
  const auto g22 = caller("member-g22");
  ASSERT_TRUE(service_->send(g22, sample(40)));
  StatusUpdate update;
  update.status_code = "13";
  EXPECT_EQ(service_->update_status(g22, sample_id(40), update).error().code,
            ErrorCode::kUpstreamUnavailable);
  auto claimed = outbox_->claim("test", 10, std::chrono::seconds(30), 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(outbox_->delivered(claimed->front(), outbox::AxisReceipt{"ax-00000040", false}));
  axis_->history = {{"000.00.00.H20", "03", "Đã tiếp nhận", "2026/11/23 08:00:00", "t", false}};
  auto history = service_->status_history(g22, sample_id(40));
  ASSERT_TRUE(history) << history.error().detail;
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(axis_->asked, std::vector<std::string>{"ax-00000040"});
  EXPECT_TRUE(service_->update_status(g22, sample_id(40), update));
}

TEST_F(GatewayDocumentsTest, TheDeliverersSenderSignsWhatTheAxisGets) {
  class Capture final : public outbox::AxisSender {
   public:
    Result<outbox::AxisReceipt> send(const outbox::OutboxEntry& e) override {
      body = e.edxml;
      return outbox::AxisReceipt{"ax-1", false};
    }
    std::string body;
  };
  auto capture = std::make_shared<Capture>();
  SigningAxisSender sender(capture, signer_);
  outbox::OutboxEntry entry;
  entry.document_id = sample_id(50);
  entry.edxml = sample(50);
  ASSERT_TRUE(sender.send(entry));
  crypto::XmlVerifierConfig vc;
  vc.trust = lienthong::testing::trust_store("ec");
  vc.clock = clock_;
  vc.limits = edxml::EdxmlLimits().xml();
  auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier);
  auto verified = edxml::verify_edxml(**verifier, capture->body);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_EQ(verified->message.header.document_id, sample_id(50));
  EXPECT_NE(verified->signer.common_name.find("sign"), std::string::npos)
      << verified->signer.common_name;
}

TEST(DocumentIdTest, ResponseForAndTimestamps) {
  auto r = response_for_document("000.00.00.G22,2026/11/23,7816/VPCP-TTĐT");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->organ_id, "000.00.00.G22");
  EXPECT_EQ(r->promulgation_date, "2026/11/23");
  EXPECT_EQ(r->code, "7816/VPCP-TTĐT");
  for (std::string_view bad :
       {"", "a,b", "000.00.00.G22,2026/13/01,1/A", "x,2026/11/23,7816", ",2026/11/23,1/A"})
    EXPECT_FALSE(response_for_document(bad)) << bad;
  EXPECT_EQ(edxml_timestamp(*parse_utc_time("2026-11-23T17:30:05Z")), "2026/11/24 00:30:05");
}

}  // namespace
}  // namespace lienthong::documents
