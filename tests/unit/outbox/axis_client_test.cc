// AxisClient (adapters/documents/axis_client.h) against the axis SIMULATOR served by a real
// SimServer over mutual TLS with the dev PKI, through CurlHttpClient and bearer tokens: the
// outbox's send() and the receiver's pending/fetch/ack and Status calls.
#include "adapters/documents/axis_client.h"

#include <gtest/gtest.h>

#include "gateway/core/encoding.h"

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/outbox/backoff.h"
#include "tests/unit/adapters/documents/sample_envelope.h"
#include "tests/unit/documents/axis_sim_fixture.h"

namespace lienthong::edxml {
namespace {

std::string document_id(int n) {
  return "000.00.00.G22,2015/09/30," + std::to_string(n) + "/VPCP-TTĐT";
}

// The sample envelope as document `n`; `variant` changes its content but not its DocumentId.
outbox::OutboxEntry entry(int n, std::string_view variant = "") {
  auto m = parse_edxml(testing::sample_edxml());
  if (!m) throw std::runtime_error(m.error().detail);
  m->header.code.code_number = std::to_string(n);
  m->header.document_id = document_id(n);
  m->trace.bussiness->document_id = m->header.document_id;
  if (!variant.empty()) m->attachments[1].bytes = std::string(variant);
  outbox::OutboxEntry e;
  e.outbox_id = "ob-" + std::to_string(n);
  e.document_id = document_id(n);
  e.sender_organ = "000.00.00.G22";
  e.edxml = to_edxml(*m);
  e.attempt = 1;
  return e;
}

class AxisClientTest : public ::testing::Test, public testing::AxisSimFixture {
 protected:
  void SetUp() override { start_axis(); }
  void TearDown() override { stop_axis(); }
};

TEST_F(AxisClientTest, SendsOnceAndADuplicateIsASuccess) {
  auto first = client_->send(entry(1));
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->axis_id, "ax-00000001");
  EXPECT_FALSE(first->duplicate);
  auto again = client_->send(entry(1));
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(again->axis_id, "ax-00000001");
  EXPECT_TRUE(again->duplicate);
  auto counts = service_->document_counts();
  EXPECT_EQ(counts[document_id(1)].accepted, 1u);
  EXPECT_EQ(counts[document_id(1)].duplicates, 1u);
  EXPECT_EQ(tokens_->fetches(), 1u);
}

TEST_F(AxisClientTest, DownIsRetryableAndDeliversOnceUp) {
  control("/sim/down?seconds=60");
  auto down = client_->send(entry(2));
  ASSERT_FALSE(down);
  EXPECT_TRUE(outbox::is_retryable(down.error())) << down.error().detail;
  control("/sim/down?seconds=0");
  auto up = client_->send(entry(2));
  ASSERT_TRUE(up) << up.error().detail;
  EXPECT_FALSE(up->duplicate);
  EXPECT_EQ(service_->document_counts()[document_id(2)].accepted, 1u);
}

TEST_F(AxisClientTest, AConflictOrAnInvalidDocumentIsPermanent) {
  ASSERT_TRUE(client_->send(entry(3)));
  auto conflict = client_->send(entry(3, "other content"));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kBadRequest);
  EXPECT_FALSE(outbox::is_retryable(conflict.error()));
  EXPECT_NE(conflict.error().detail.find("409"), std::string::npos) << conflict.error().detail;

  auto invalid_entry = entry(4);
  invalid_entry.edxml = "<edXMLEnvelope/>";
  auto invalid = client_->send(invalid_entry);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(invalid.error().detail.find("400"), std::string::npos) << invalid.error().detail;
}

TEST_F(AxisClientTest, ARefusedTokenIsReplacedOnce) {
  ASSERT_TRUE(client_->send(entry(5)));
  EXPECT_EQ(tokens_->fetches(), 1u);
  // The axis's tokens lapse while the gateway still holds one it believes valid.
  sim_clock_->set(sim_clock_->now() + std::chrono::hours(3));
  auto sent = client_->send(entry(6));
  ASSERT_TRUE(sent) << sent.error().detail;
  EXPECT_EQ(tokens_->fetches(), 2u);
}

// The sample envelope as sent: addressed to 000.00.00.H20 and 001.00.10.H47, and the
// DocumentId that testing::sample_status answers for.
constexpr std::string_view kTo1 = "000.00.00.H20";
constexpr std::string_view kTo2 = "001.00.10.H47";

outbox::OutboxEntry sample_entry() {
  outbox::OutboxEntry e;
  e.outbox_id = "ob-sample";
  e.document_id = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT";
  e.sender_organ = "000.00.00.G22";
  e.edxml = testing::sample_edxml();
  return e;
}

TEST_F(AxisClientTest, PendingFetchAndAckPerRecipient) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent) << sent.error().detail;
  auto pending = client_->pending(kTo1);
  ASSERT_TRUE(pending) << pending.error().detail;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].axis_id, sent->axis_id);
  EXPECT_EQ((*pending)[0].document_id, sample_entry().document_id);
  EXPECT_EQ((*pending)[0].from_organ, "000.00.00.G22");

  auto bytes = client_->fetch(sent->axis_id);
  ASSERT_TRUE(bytes) << bytes.error().detail;
  EXPECT_EQ(*bytes, testing::sample_edxml());

  ASSERT_TRUE(client_->ack(sent->axis_id, kTo1));
  EXPECT_TRUE(client_->ack(sent->axis_id, kTo1));  // idempotent
  EXPECT_TRUE(client_->pending(kTo1)->empty());
  EXPECT_EQ(client_->pending(kTo2)->size(), 1u);  // the other recipient's is its own
  EXPECT_TRUE(client_->fetch(sent->axis_id));     // still readable after the ack
  EXPECT_TRUE(client_->pending("000.00.00.G90")->empty());
}

TEST_F(AxisClientTest, StatusPostedOnceAndListed) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent);
  auto posted = client_->post_status(sent->axis_id, testing::sample_status("03"));
  ASSERT_TRUE(posted) << posted.error().detail;
  EXPECT_EQ(posted->status_code, "03");
  EXPECT_FALSE(posted->duplicate);
  auto again = client_->post_status(sent->axis_id, testing::sample_status("03"));
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_TRUE(again->duplicate);

  auto history = client_->status_history(sent->axis_id);
  ASSERT_TRUE(history) << history.error().detail;
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].from_organ, kTo1);
  EXPECT_EQ((*history)[0].status_code, "03");
  EXPECT_EQ((*history)[0].description, "Đã đến");
  EXPECT_EQ((*history)[0].timestamp, "2015/09/30 17:02:00");
  EXPECT_FALSE((*history)[0].received_at.empty());
}

TEST_F(AxisClientTest, UnknownIsNotFoundAndAnotherOrgansIsAccessDenied) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent);
  EXPECT_EQ(client_->fetch("ax-09999999").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client_->ack("ax-09999999", kTo1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client_->status_history("ax-09999999").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client_->post_status("ax-09999999", testing::sample_status("03")).error().code,
            ErrorCode::kNotFound);

  auto not_recipient = client_->ack(sent->axis_id, "000.00.00.G90");
  ASSERT_FALSE(not_recipient);
  EXPECT_EQ(not_recipient.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(not_recipient.error().detail.find("403 not_a_recipient"), std::string::npos)
      << not_recipient.error().detail;

  std::string stranger = testing::sample_status("03");
  const std::string from = "<edXML:OrganId>000.00.00.H20</edXML:OrganId>";
  stranger.replace(stranger.find(from), from.size(),
                   "<edXML:OrganId>000.00.00.G90</edXML:OrganId>");
  EXPECT_EQ(client_->post_status(sent->axis_id, stranger).error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(client_->post_status(sent->axis_id, "<notAStatus/>").error().code,
            ErrorCode::kBadRequest);
}

TEST_F(AxisClientTest, IdsAndOrgansArePercentEncoded) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent);
  // A path or a second parameter smuggled into an id or an organ stays inside it.
  EXPECT_EQ(client_->fetch(sent->axis_id + "/../../agencies").error().code, ErrorCode::kNotFound);
  auto smuggled = client_->pending("000.00.00.G90&organ=000.00.00.H20");
  ASSERT_TRUE(smuggled) << smuggled.error().detail;
  EXPECT_TRUE(smuggled->empty());
  EXPECT_EQ(client_->fetch("ax 1").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(client_->fetch("").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(client_->pending("").error().code, ErrorCode::kBadRequest);
}

TEST_F(AxisClientTest, AxisDownIsUnavailableForEveryInboundCall) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent);
  control("/sim/down?seconds=60");
  for (const Error& e : {client_->pending(kTo1).error(), client_->fetch(sent->axis_id).error(),
                         client_->status_history(sent->axis_id).error()}) {
    EXPECT_EQ(e.code, ErrorCode::kUpstreamUnavailable) << e.detail;
    EXPECT_TRUE(outbox::is_retryable(e));
  }
  EXPECT_EQ(client_->ack(sent->axis_id, kTo1).error().code, ErrorCode::kUpstreamUnavailable);
  control("/sim/down?seconds=0");
  EXPECT_EQ(client_->pending(kTo1)->size(), 1u);  // the failed ack changed nothing
}

TEST_F(AxisClientTest, ADocumentOverTheLimitIsRefused) {
  auto sent = client_->send(sample_entry());
  ASSERT_TRUE(sent);
  AxisClientConfig small;
  small.max_document_bytes = 100;
  auto client = AxisClient::create(http_, tokens_, small);
  ASSERT_TRUE(client);
  auto too_big = (*client)->fetch(sent->axis_id);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kUpstreamUnavailable);
}

// Never called: create() does not touch the network.
class UnusedHttp final : public upstream::HttpClient {
 public:
  void send(upstream::HttpRequest, upstream::ResponseCallback done) override {
    done(fail(ErrorCode::kInternal, "unused"));
  }
  std::string breaker_state() const override { return "closed"; }
};

TEST(AxisClientConfigTest, RefusesUnusablePaths) {
  auto http = std::make_shared<UnusedHttp>();
  AxisClientConfig config;
  config.document_path = "/documents/";
  EXPECT_FALSE(AxisClient::create(http, nullptr, config));
  config = {};
  config.ack_path = "/documents/{id}/{id}";
  EXPECT_FALSE(AxisClient::create(http, nullptr, config));
  config = {};
  config.pending_path = "documents/pending";
  EXPECT_FALSE(AxisClient::create(http, nullptr, config));
  config = {};
  config.max_document_bytes = 0;
  EXPECT_FALSE(AxisClient::create(http, nullptr, config));
  EXPECT_FALSE(AxisClient::create(nullptr, nullptr, {}));
  EXPECT_TRUE(AxisClient::create(http, nullptr, {}));
}

TEST(AxisAnswersTest, PendingAndHistoryReadWithinLimits) {
  upstream::HttpResponse r;
  r.status = 200;
  r.body = R"({"organ":"X","documents":[{"id":"ax-1","document_id":"D1","from":"F",)"
           R"("received_at":"t"},{"id":"ax-2"}]})";
  auto pending = parse_pending(r, 1024, 10);
  ASSERT_TRUE(pending) << pending.error().detail;
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].axis_id, "ax-1");
  EXPECT_EQ((*pending)[0].document_id, "D1");
  EXPECT_EQ((*pending)[0].from_organ, "F");
  EXPECT_EQ((*pending)[1].document_id, "");
  // Limits: bytes, entries, nesting.
  EXPECT_EQ(parse_pending(r, 20, 10).error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_FALSE(parse_pending(r, 1024, 1));
  r.body = R"({"documents":[{"id":"ax-1","x":[[[[[[[[1]]]]]]]]}]})";
  EXPECT_FALSE(parse_pending(r, 1024, 10));
  // Shape: an id that is missing, not a string, or holds a space; not JSON at all.
  for (const char* body :
       {R"({"documents":[{"document_id":"D"}]})", R"({"documents":[{"id":7}]})",
        R"({"documents":[{"id":"ax 1"}]})", R"({"documents":{}})", "[]", "<html/>", ""}) {
    r.body = body;
    auto bad = parse_pending(r, 1024, 10);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().code, ErrorCode::kUpstreamUnavailable);
  }

  r.body = R"({"id":"ax-1","statuses":[{"from":"A","status_code":"03","description":"d",)"
           R"("timestamp":"2015/09/30 17:02:00","received_at":"r"}]})";
  auto history = parse_status_history(r, 1024, 10);
  ASSERT_TRUE(history) << history.error().detail;
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].from_organ, "A");
  EXPECT_EQ((*history)[0].description, "d");
  r.body = R"({"statuses":[{"from":"A"}]})";
  EXPECT_FALSE(parse_status_history(r, 1024, 10));
}

TEST(AxisAnswersTest, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(percent_encode("000.00.00.H20"), "000.00.00.H20");
  EXPECT_EQ(percent_encode("ax-1_~"), "ax-1_~");
  EXPECT_EQ(percent_encode("a/b?c&d=e f%"), "a%2Fb%3Fc%26d%3De%20f%25");
  EXPECT_EQ(percent_encode("Đ"), "%C4%90");
}

TEST(AxisReceiptTest, ReadsTheAnswerAndRefusesAnotherDocument) {
  upstream::HttpResponse r;
  r.status = 201;
  r.body = R"({"id":"ax-00000007","document_id":"D1","duplicate":false})";
  auto receipt = parse_axis_receipt(r, "D1", 1024);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->axis_id, "ax-00000007");
  EXPECT_FALSE(receipt->duplicate);
  EXPECT_FALSE(parse_axis_receipt(r, "D2", 1024));
  EXPECT_FALSE(parse_axis_receipt(r, "D1", 10));
  r.body = "{}";
  EXPECT_FALSE(parse_axis_receipt(r, "D1", 1024));
}

}  // namespace
}  // namespace lienthong::edxml
