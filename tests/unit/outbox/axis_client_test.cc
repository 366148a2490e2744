// AxisClient (adapters/documents/axis_client.h) against the axis SIMULATOR served by a real
// SimServer over mutual TLS with the dev PKI, through CurlHttpClient and bearer tokens.
#include "adapters/documents/axis_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "adapters/documents/axis_sim.h"
#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/outbox/backoff.h"
#include "gateway/upstream/curl_http_client.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::edxml {
namespace {

using lienthong::testing::pki_file;

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

class AxisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::AxisSimConfig ac;
    ac.clock = sim_clock_;
    ac.tokens->clock = sim_clock_;
    service_ = std::make_shared<sim::AxisService>(ac);
    lienthong::sim::SimServerConfig sc;
    sc.tls_cert = pki_file("ec", "sim-population.fullchain.pem").string();
    sc.tls_key = pki_file("ec", "sim-population.key").string();
    sc.client_cas = {pki_file("ec", "root-ca.crt").string(),
                     pki_file("ec", "intermediate-ca.crt").string()};
    sc.max_body_bytes = sim::kAxisMaxBodyBytes;
    auto server = lienthong::sim::SimServer::create(std::move(sc), service_);
    ASSERT_TRUE(server) << server.error().detail;
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });

    upstream::UpstreamConfig uc;
    uc.name = "axis";
    uc.base_url = "https://127.0.0.1:" + std::to_string(server_->port());
    uc.ca_file = pki_file("ec", "root-ca.crt").string();
    uc.client_certificate_file = pki_file("ec", "gateway-client.crt").string();
    uc.client_key_file = pki_file("ec", "gateway-client.key").string();
    uc.max_attempts = 1;  // the outbox retries, with its own backoff
    uc.breaker_failure_threshold = 100;
    auto http = upstream::CurlHttpClient::create(uc);
    ASSERT_TRUE(http) << http.error().detail;
    http_ = *http;
    upstream::TokenConfig tc;
    tc.token_url = "/token";
    tc.client_id = "lienthong-dev";
    tc.client_secret = "dev-secret-not-for-production";
    tokens_ = upstream::BearerTokenSource::create(http_, tc, SystemClock::instance());
    auto client = AxisClient::create(http_, tokens_);
    ASSERT_TRUE(client) << client.error().detail;
    client_ = *client;
  }
  void TearDown() override {
    client_.reset();
    tokens_.reset();
    http_.reset();
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // A /sim/* control call, as from the loopback.
  void control(const std::string& target) {
    lienthong::sim::HttpRequest r{boost::beast::http::verb::post, target, 11};
    r.prepare_payload();
    auto reply = service_->handle(r, true);
    ASSERT_EQ(reply.status, 200u) << reply.body;
  }

  std::shared_ptr<lienthong::testing::ManualClock> sim_clock_ =
      std::make_shared<lienthong::testing::ManualClock>(
          std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
  std::shared_ptr<sim::AxisService> service_;
  std::unique_ptr<lienthong::sim::SimServer> server_;
  std::thread thread_;
  std::shared_ptr<upstream::CurlHttpClient> http_;
  std::shared_ptr<upstream::BearerTokenSource> tokens_;
  std::shared_ptr<AxisClient> client_;
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
