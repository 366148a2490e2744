// The Thrift front's document methods end to end over real TLS (dev PKI), with a fake
// DocumentService behind them: mapping both ways, refusals as LookupError, and the size limits
// (a sendDocument call may be far larger than a lookup).
#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>
#include <string>

#include "gateway/core/metrics.h"
#include "gateway/front/thrift/thrift_front.h"
#include "tests/unit/front/fake_document_service.h"
#include "tests/unit/front_thrift/thrift_test_support.h"

namespace lienthong::testing {
namespace {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

std::string edxml(std::size_t size) {
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><edXMLEnvelope>";
  doc += std::string(size > doc.size() + 16 ? size - doc.size() - 16 : 0, 'A');
  return doc + "</edXMLEnvelope>";
}

// The binary-protocol bytes of one sendDocument call (no frame header).
std::string encode_send(const wire::SendDocumentRequest& request) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  wire::ExchangeClient client(std::make_shared<TBinaryProtocol>(buffer));
  client.send_sendDocument(request);
  return buffer->getBufferAsString();
}

class ThriftDocumentTest : public ::testing::Test {
 protected:
  void start(bool with_documents = true,
             const std::function<void(front::ThriftFrontConfig&)>& tweak = {}) {
    front::ThriftFrontConfig config = test_front_config();
    if (with_documents) config.documents = service_;
    if (tweak) tweak(config);
    front_ = std::make_unique<front::ThriftFront>(std::move(config), pipeline_,
                                                  std::make_shared<Metrics>());
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
  }
  void TearDown() override {
    if (front_) front_->stop();
  }

  // The refusal `call` ends in; fails the test when it returns normally.
  template <class Call>
  wire::LookupError refusal(Call call) {
    try {
      call();
    } catch (const wire::LookupError& e) {
      return e;
    }
    ADD_FAILURE() << "no LookupError";
    return {};
  }

  std::shared_ptr<FakePipeline> pipeline_ = std::make_shared<FakePipeline>();
  std::shared_ptr<FakeDocumentService> service_ = std::make_shared<FakeDocumentService>();
  std::unique_ptr<front::ThriftFront> front_;
  std::uint16_t port_ = 0;
};

TEST_F(ThriftDocumentTest, SendsADocumentOfOneMebibyte) {
  start();
  TlsClient client(port_, "member-g22");
  wire::SendDocumentRequest request;
  request.edxml = edxml(1 << 20);
  request.__set_clientRequestId("mof-2026-000123");
  wire::SendDocumentResponse response;
  client.exchange().sendDocument(response, request);

  EXPECT_EQ(response.documentId, kDocumentId);
  EXPECT_EQ(response.outboxId, "ob-0000000007");
  EXPECT_TRUE(response.duplicate);
  EXPECT_EQ(response.state, "delivering");
  const auto calls = service_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "send");
  EXPECT_EQ(calls[0].edxml, request.edxml);
  EXPECT_EQ(calls[0].caller.member.organ_code, "000.00.00.G22");
  EXPECT_EQ(calls[0].caller.request_id, response.requestId);
  EXPECT_EQ(calls[0].caller.client_request_id, "mof-2026-000123");
  EXPECT_EQ(calls[0].caller.front, "thrift");

  // The same connection then serves an ordinary call.
  wire::LookupResponse answer;
  client.exchange().lookup(answer, sample_wire_request());
  EXPECT_EQ(answer.record.subjectId, sample_wire_request().subjectId);
}

TEST_F(ThriftDocumentTest, TheMemberIsTheConnectionsCertificate) {
  start();
  TlsClient client(port_, "member-h20");
  wire::SentDocument sent;
  client.exchange().getSentDocument(sent, kDocumentId);
  EXPECT_EQ(service_->calls().at(0).caller.member.organ_code, "000.00.00.H20");
}

TEST_F(ThriftDocumentTest, LookupsKeepTheirLimitWhileDocumentsHaveTheirs) {
  start(true, [](front::ThriftFrontConfig& c) { c.max_document_bytes = 2 << 20; });
  {
    // A lookup call over max_message_bytes (1 MiB): the connection is closed unanswered.
    TlsClient client(port_, "member-g22");
    auto request = sample_wire_request();
    request.subjectId = std::string((1 << 20) + 10, '1');
    EXPECT_FALSE(client.raw_call(encode_call(request)));
  }
  {
    // A sendDocument call of 1.5 MiB passes.
    TlsClient client(port_, "member-g22");
    wire::SendDocumentRequest request;
    request.edxml = edxml(3 << 19);
    wire::SendDocumentResponse response;
    client.exchange().sendDocument(response, request);
    EXPECT_EQ(service_->calls().at(0).edxml.size(), request.edxml.size());
  }
  {
    // One over max_document_bytes: closed unread.
    TlsClient client(port_, "member-g22");
    wire::SendDocumentRequest request;
    request.edxml = edxml((2 << 20) + 1);
    EXPECT_FALSE(client.raw_call(encode_send(request)));
  }
  EXPECT_EQ(service_->calls().size(), 1u);
  TlsClient client(port_, "member-g22");
  wire::LookupResponse answer;
  EXPECT_NO_THROW(client.exchange().lookup(answer, sample_wire_request()));
}

TEST_F(ThriftDocumentTest, WithoutDocumentsALargeSendDocumentIsRefusedLikeAnyCall) {
  start(false);
  TlsClient client(port_, "member-g22");
  wire::SendDocumentRequest request;
  request.edxml = edxml((1 << 20) + 100);
  EXPECT_FALSE(client.raw_call(encode_send(request)));
}

TEST_F(ThriftDocumentTest, GetSentDocumentMapsTheDeliveryState) {
  start();
  TlsClient client(port_, "member-g22");
  wire::SentDocument sent;
  client.exchange().getSentDocument(sent, kDocumentId);
  EXPECT_EQ(sent.documentId, kDocumentId);
  EXPECT_EQ(sent.outboxId, "ob-0000000007");
  EXPECT_EQ(sent.state, "accepted");
  EXPECT_EQ(sent.attempts, 2);
  EXPECT_FALSE(sent.__isset.axisId);
  EXPECT_FALSE(sent.axisDuplicate);
  ASSERT_TRUE(sent.__isset.lastError);
  EXPECT_EQ(sent.lastError, "UPSTREAM_UNAVAILABLE: axis answered 503");
  EXPECT_EQ(sent.acceptedAt, "2026-11-22T08:15:30.123Z");
  ASSERT_TRUE(sent.__isset.nextAttemptAt);
  EXPECT_EQ(sent.nextAttemptAt, "2026-11-22T08:16:30.000Z");
  EXPECT_FALSE(sent.__isset.leaseUntil);
  EXPECT_FALSE(sent.__isset.finishedAt);
  EXPECT_EQ(service_->calls().at(0).document_id, kDocumentId);
}

TEST_F(ThriftDocumentTest, ListsAndGetsReceivedDocuments) {
  start();
  service_->set_received(
      {FakeDocumentService::sample_summary(4), FakeDocumentService::sample_summary(9)});
  TlsClient client(port_, "member-g22");
  std::vector<wire::ReceivedDocumentSummary> list;
  client.exchange().listReceivedDocuments(list, 3, 50);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].sequence, 4);
  EXPECT_EQ(list[1].sequence, 9);
  EXPECT_EQ(list[0].documentId, kDocumentId);
  EXPECT_EQ(list[0].axisId, "ax-4");
  EXPECT_EQ(list[0].fromOrgan, "000.00.00.H20");
  EXPECT_EQ(list[0].code, "7816/VPCP-TTDT");
  EXPECT_EQ(list[0].promulgationDate, "2026/11/23");
  EXPECT_EQ(list[0].subject, "Về việc triển khai liên thông văn bản");
  EXPECT_EQ(list[0].businessType, 0);
  EXPECT_EQ(list[0].receivedAt, "2026-11-22T08:15:30.005Z");
  EXPECT_EQ(service_->calls().at(0).after, 3u);
  EXPECT_EQ(service_->calls().at(0).limit, 50u);

  wire::ReceivedDocument document;
  client.exchange().getReceivedDocument(document, kDocumentId);
  EXPECT_EQ(document.documentId, kDocumentId);
  EXPECT_EQ(document.edxml, FakeDocumentService::received_edxml());  // binary-safe
  EXPECT_EQ(document.signerFingerprint, std::string(64, 'a'));
  EXPECT_EQ(service_->calls().at(1).method, "get");
}

TEST_F(ThriftDocumentTest, UpdatesAndReadsStatuses) {
  start();
  TlsClient client(port_, "member-g22");
  wire::DocumentStatusUpdate update;
  update.statusCode = "03";
  update.__set_description("Đã tiếp nhận");
  wire::DocumentStaff staff;
  staff.__set_name("Lê Văn Tâm");
  staff.__set_email("tam.lv@vpcp.gov.vn");
  update.__set_staff(staff);
  wire::DocumentStatus status;
  client.exchange().updateDocumentStatus(status, kDocumentId, update);
  EXPECT_EQ(status.documentId, kDocumentId);
  EXPECT_EQ(status.fromOrgan, "000.00.00.G22");
  EXPECT_EQ(status.statusCode, "03");
  EXPECT_EQ(status.description, "Đã tiếp nhận");
  EXPECT_EQ(status.timestamp, "2026/11/23 08:15:30");
  EXPECT_EQ(status.receivedAt, "2026/11/23 08:15:31");
  ASSERT_TRUE(status.__isset.duplicate);
  EXPECT_TRUE(status.duplicate);
  const auto call = service_->calls().at(0);
  EXPECT_EQ(call.update.status_code, "03");
  EXPECT_EQ(call.update.staff_name, "Lê Văn Tâm");
  EXPECT_EQ(call.update.staff_email, "tam.lv@vpcp.gov.vn");
  EXPECT_EQ(call.update.staff_department, "");

  std::vector<wire::DocumentStatus> history;
  client.exchange().getDocumentStatusHistory(history, kDocumentId);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].statusCode, "01");
  EXPECT_EQ(history[1].statusCode, "03");
  EXPECT_EQ(history[1].documentId, kDocumentId);
  EXPECT_FALSE(history[1].__isset.duplicate);
}

TEST_F(ThriftDocumentTest, ServiceErrorsAreLookupErrors) {
  start();
  TlsClient client(port_, "member-g22");
  service_->fail_with(Error{ErrorCode::kNotFound, "no such document sent by this organ"});
  const wire::LookupError e = refusal([&] {
    wire::SentDocument sent;
    client.exchange().getSentDocument(sent, kDocumentId);
  });
  EXPECT_EQ(e.code, wire::ErrorCode::NOT_FOUND);
  EXPECT_EQ(e.codeName, "NOT_FOUND");
  EXPECT_EQ(e.detail, "no such document sent by this organ");
  ASSERT_TRUE(e.__isset.requestId);
  EXPECT_EQ(e.requestId, service_->calls().at(0).caller.request_id);

  service_->fail_with(Error{ErrorCode::kUpstreamUnavailable, "axis down"});
  EXPECT_EQ(refusal([&] {
              wire::DocumentStatus status;
              wire::DocumentStatusUpdate update;
              update.statusCode = "03";
              client.exchange().updateDocumentStatus(status, kDocumentId, update);
            }).code,
            wire::ErrorCode::UPSTREAM_UNAVAILABLE);

  service_->fail_with(std::nullopt);
  service_->throw_next();
  const wire::LookupError internal = refusal([&] {
    std::vector<wire::DocumentStatus> history;
    client.exchange().getDocumentStatusHistory(history, kDocumentId);
  });
  EXPECT_EQ(internal.code, wire::ErrorCode::INTERNAL);
  EXPECT_EQ(internal.detail.find("secret"), std::string::npos);
}

TEST_F(ThriftDocumentTest, RefusesBadArgumentsBeforeTheService) {
  start();
  TlsClient client(port_, "member-g22");
  auto code = [&](auto call) { return refusal(call).code; };
  std::vector<wire::ReceivedDocumentSummary> list;
  EXPECT_EQ(code([&] { client.exchange().listReceivedDocuments(list, 0, 0); }),
            wire::ErrorCode::BAD_REQUEST);
  EXPECT_EQ(code([&] { client.exchange().listReceivedDocuments(list, 0, 1001); }),
            wire::ErrorCode::BAD_REQUEST);
  EXPECT_EQ(code([&] { client.exchange().listReceivedDocuments(list, -1, 10); }),
            wire::ErrorCode::BAD_REQUEST);
  wire::SentDocument sent;
  EXPECT_EQ(code([&] { client.exchange().getSentDocument(sent, ""); }),
            wire::ErrorCode::BAD_REQUEST);
  EXPECT_EQ(code([&] { client.exchange().getSentDocument(sent, std::string(257, 'a')); }),
            wire::ErrorCode::BAD_REQUEST);
  EXPECT_EQ(code([&] { client.exchange().getSentDocument(sent, "a\nb"); }),
            wire::ErrorCode::BAD_REQUEST);
  wire::SendDocumentRequest request;
  request.edxml = edxml(100);
  request.__set_clientRequestId(std::string(65, 'x'));
  wire::SendDocumentResponse response;
  EXPECT_EQ(code([&] { client.exchange().sendDocument(response, request); }),
            wire::ErrorCode::BAD_REQUEST);
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(ThriftDocumentTest, WithoutAServiceEveryDocumentMethodIsNotFound) {
  start(false);
  TlsClient client(port_, "member-g22");
  std::vector<std::function<void()>> calls = {
      [&] {
        wire::SendDocumentResponse r;
        wire::SendDocumentRequest q;
        q.edxml = edxml(100);
        client.exchange().sendDocument(r, q);
      },
      [&] {
        wire::SentDocument r;
        client.exchange().getSentDocument(r, kDocumentId);
      },
      [&] {
        std::vector<wire::ReceivedDocumentSummary> r;
        client.exchange().listReceivedDocuments(r, 0, 10);
      },
      [&] {
        wire::ReceivedDocument r;
        client.exchange().getReceivedDocument(r, kDocumentId);
      },
      [&] {
        wire::DocumentStatus r;
        client.exchange().updateDocumentStatus(r, kDocumentId, wire::DocumentStatusUpdate());
      },
      [&] {
        std::vector<wire::DocumentStatus> r;
        client.exchange().getDocumentStatusHistory(r, kDocumentId);
      },
  };
  for (const auto& call : calls) {
    const wire::LookupError e = refusal(call);
    EXPECT_EQ(e.code, wire::ErrorCode::NOT_FOUND);
    EXPECT_EQ(e.detail, "documents are not enabled on this gateway");
  }
  EXPECT_TRUE(service_->calls().empty());
}

}  // namespace
}  // namespace lienthong::testing
