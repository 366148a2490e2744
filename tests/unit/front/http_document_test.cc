// The HTTPS front's document routes end to end: a real TLS client with dev PKI certificates, a
// fake DocumentService run on a worker executor; and the routes' pieces (id encoding, times).
#include "gateway/front/http/document_routes.h"

#include <gtest/gtest.h>

#include "gateway/core/encoding.h"
#include <nlohmann/json.hpp>

#include <string>
#include <thread>
#include <vector>

#include "gateway/core/metrics.h"
#include "gateway/front/http/http_front.h"
#include "gateway/front/http/router.h"
#include "tests/unit/front/fake_document_service.h"
#include "tests/unit/front/http_fake_pipeline.h"
#include "tests/unit/front/http_test_client.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;
using testing::ClientIdentity;
using testing::FakeDocumentService;
using testing::FakePipeline;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpsClient;
using testing::kDocumentId;
using testing::kEncodedDocumentId;
using testing::WorkerExecutor;

constexpr const char* kXml = "application/xml";
constexpr const char* kJson = "application/json";

std::string edxml(std::size_t size = 0) {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><edXMLEnvelope><edXMLHeader/><edXMLBody>";
  if (doc.size() < size) doc += std::string(size - doc.size() - 30, 'A');
  return doc + "</edXMLBody></edXMLEnvelope>";
}

class HttpDocumentTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override {
    if (front_) front_->stop();
  }

  void start(const std::function<void(HttpFrontConfig&)>& tweak = {}) {
    HttpFrontConfig config;
    config.tls = testing::dev_server_tls("ec");
    config.threads = 2;
    config.documents = service_;
    config.document_executor = executor_;
    if (tweak) tweak(config);
    front_ = std::make_unique<HttpFront>(config, pipeline_, std::make_shared<Metrics>(), nullptr);
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
  }
  void restart(const std::function<void(HttpFrontConfig&)>& tweak) {
    front_->stop();
    front_.reset();
    start(tweak);
  }

  std::unique_ptr<HttpsClient> client(const std::string& name = "member-g22") {
    auto c = std::make_unique<HttpsClient>(port_, ClientIdentity::dev(name));
    c->handshake();
    return c;
  }
  HttpResponse get(const std::string& target) {
    return client()->request(HttpsClient::get(target));
  }
  HttpResponse post(const std::string& target, const std::string& type, std::string body) {
    return client()->request(HttpsClient::post(target, type, std::move(body)));
  }

  static json problem(const HttpResponse& res, const std::string& code, int status) {
    EXPECT_EQ(res.result_int(), static_cast<unsigned>(status)) << res.body();
    EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
    json doc = json::parse(res.body());
    EXPECT_EQ(doc["code"], code);
    EXPECT_EQ(doc["status"], status);
    EXPECT_EQ(doc["requestId"], std::string(res["X-Request-Id"]));
    return doc;
  }

  FakeDocumentService::Call only_call() {
    const auto calls = service_->calls();
    EXPECT_EQ(calls.size(), 1u);
    return calls.empty() ? FakeDocumentService::Call{} : calls.front();
  }

  std::shared_ptr<FakePipeline> pipeline_ = std::make_shared<FakePipeline>();
  std::shared_ptr<FakeDocumentService> service_ = std::make_shared<FakeDocumentService>();
  std::shared_ptr<WorkerExecutor> executor_ = std::make_shared<WorkerExecutor>();
  std::unique_ptr<HttpFront> front_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpDocumentTest, SendAnswers202WithTheReceiptAndWhereToFollowIt) {
  auto req = HttpsClient::post("/v1/documents", "application/xml; charset=UTF-8", edxml());
  req.set("X-Client-Request-Id", "motcua-2026-42");
  const HttpResponse res = client()->request(req);
  ASSERT_EQ(res.result_int(), 202u) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::location], std::string("/v1/documents/sent/") + kEncodedDocumentId);
  const std::string request_id(res["X-Request-Id"]);
  EXPECT_EQ(json::parse(res.body()), (json{{"requestId", request_id},
                                           {"documentId", kDocumentId},
                                           {"outboxId", "ob-0000000007"},
                                           {"duplicate", true},
                                           {"state", "delivering"}}));

  const auto call = only_call();
  EXPECT_EQ(call.method, "send");
  EXPECT_EQ(call.edxml, edxml());
  // The member is the TLS peer's (member-g22's certificate), the ids the gateway's and caller's.
  EXPECT_EQ(call.caller.member.organ_code, "000.00.00.G22");
  EXPECT_FALSE(call.caller.member.certificate_fingerprint.empty());
  EXPECT_EQ(call.caller.request_id, request_id);
  EXPECT_EQ(call.caller.client_request_id, "motcua-2026-42");
  EXPECT_EQ(call.caller.front, "http");
  // On the executor, never on the connection's strand.
  EXPECT_EQ(call.thread, executor_->thread_id());
}

TEST_F(HttpDocumentTest, TheMemberIsAlwaysTheCertificatesOrgan) {
  auto req = HttpsClient::post("/v1/documents", kXml, edxml());
  req.set("X-Member", "000.00.00.G22");  // no header names a member
  ASSERT_EQ(client("member-h20")->request(req).result_int(), 202u);
  EXPECT_EQ(only_call().caller.member.organ_code, "000.00.00.H20");
}

TEST_F(HttpDocumentTest, SendTakesXmlInUtf8Only) {
  problem(post("/v1/documents", kJson, "{}"), "BAD_REQUEST", 415);
  problem(post("/v1/documents", "application/xml; charset=ISO-8859-1", edxml()), "BAD_REQUEST",
          415);
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, SendRefusesABadClientRequestId) {
  auto req = HttpsClient::post("/v1/documents", kXml, edxml());
  req.set("X-Client-Request-Id", std::string(65, 'x'));
  problem(client()->request(req), "BAD_REQUEST", 400);
  req.set("X-Client-Request-Id", "has space");
  problem(client()->request(req), "BAD_REQUEST", 400);
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, DocumentsHaveTheirOwnBodyLimitAndLookupsKeep64KiB) {
  restart([](HttpFrontConfig& c) { c.max_document_bytes = 256 << 10; });
  // Over 64 KiB and within the document limit: accepted.
  ASSERT_EQ(post("/v1/documents", kXml, edxml(200 << 10)).result_int(), 202u);
  EXPECT_EQ(only_call().edxml.size(), edxml(200 << 10).size());

  // Over the document limit: 413 before the service sees it (the connection then closes).
  auto c = client();
  const HttpResponse big = c->request(HttpsClient::post("/v1/documents", kXml, edxml(300 << 10)));
  const json doc = problem(big, "XML_LIMIT_EXCEEDED", 413);
  EXPECT_NE(doc["detail"].get<std::string>().find(std::to_string(256 << 10)), std::string::npos);
  EXPECT_EQ(service_->calls().size(), 1u);

  // /v1/lookup and the status route keep max_body_bytes (64 KiB).
  problem(post("/v1/lookup", kJson, std::string(100 << 10, ' ')), "BAD_REQUEST", 413);
  problem(post(std::string("/v1/documents/") + kEncodedDocumentId + "/status", kJson,
               std::string(100 << 10, ' ')),
          "BAD_REQUEST", 413);
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpDocumentTest, AChunkedDocumentOverTheLimitGets413) {
  restart([](HttpFrontConfig& c) { c.max_document_bytes = 128 << 10; });
  auto c = client();
  HttpRequest req{bhttp::verb::post, "/v1/documents", 11};
  req.set(bhttp::field::host, "localhost");
  req.set(bhttp::field::content_type, kXml);
  req.body() = edxml(200 << 10);
  req.chunked(true);
  problem(c->request(req), "XML_LIMIT_EXCEEDED", 413);
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, ADocumentOfAFewMegabytesPassesWithTheDefaultLimit) {
  ASSERT_EQ(post("/v1/documents", kXml, edxml(3 << 20)).result_int(), 202u);
  EXPECT_EQ(only_call().edxml.size(), edxml(3 << 20).size());
}

TEST_F(HttpDocumentTest, SentAnswersTheDeliveryState) {
  const HttpResponse res = get(std::string("/v1/documents/sent/") + kEncodedDocumentId);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(json::parse(res.body()), (json{{"documentId", kDocumentId},
                                           {"outboxId", "ob-0000000007"},
                                           {"state", "accepted"},
                                           {"attempts", 2},
                                           {"axisId", nullptr},
                                           {"axisDuplicate", false},
                                           {"lastError", "UPSTREAM_UNAVAILABLE: axis answered 503"},
                                           {"acceptedAt", "2026-11-22T08:15:30.123Z"},
                                           {"nextAttemptAt", "2026-11-22T08:16:30.000Z"},
                                           {"leaseUntil", nullptr},
                                           {"finishedAt", nullptr}}));
  const auto call = only_call();
  EXPECT_EQ(call.method, "sent");
  EXPECT_EQ(call.document_id, kDocumentId);  // decoded
  EXPECT_EQ(call.caller.member.organ_code, "000.00.00.G22");
}

TEST_F(HttpDocumentTest, ReceivedListsWithDefaultsAndPages) {
  service_->set_received(
      {FakeDocumentService::sample_summary(4), FakeDocumentService::sample_summary(9)});
  HttpResponse res = get("/v1/documents/received");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const json body = json::parse(res.body());
  EXPECT_EQ(body["next"], 9);
  ASSERT_EQ(body["documents"].size(), 2u);
  EXPECT_EQ(body["documents"][0], (json{{"sequence", 4},
                                        {"documentId", kDocumentId},
                                        {"axisId", "ax-4"},
                                        {"from", "000.00.00.H20"},
                                        {"code", "7816/VPCP-TTDT"},
                                        {"promulgationDate", "2026/11/23"},
                                        {"subject", "Về việc triển khai liên thông văn bản"},
                                        {"businessType", 0},
                                        {"receivedAt", "2026-11-22T08:15:30.005Z"}}));
  auto calls = service_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].after, 0u);
  EXPECT_EQ(calls[0].limit, 100u);

  service_->set_received({});
  res = get("/v1/documents/received?after=41&limit=1000");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(json::parse(res.body()), (json{{"documents", json::array()}, {"next", 41}}));
  calls = service_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].after, 41u);
  EXPECT_EQ(calls[1].limit, 1000u);
}

TEST_F(HttpDocumentTest, ReceivedRefusesBadNumbers) {
  for (const char* query :
       {"after=abc", "after=-1", "after=", "after=+3", "after=99999999999999999999", "limit=0",
        "limit=1001", "limit=10x", "after=1&after=2", "page=2", "limit"}) {
    SCOPED_TRACE(query);
    problem(get(std::string("/v1/documents/received?") + query), "BAD_REQUEST", 400);
  }
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, GetReceivedAnswersTheBytesAsReceived) {
  const HttpResponse res = get(std::string("/v1/documents/received/") + kEncodedDocumentId);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/xml");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res.body(), FakeDocumentService::received_edxml());
  EXPECT_EQ(res["X-Document-Id"], kEncodedDocumentId);
  EXPECT_EQ(res["X-Signer-Fingerprint"], std::string(64, 'a'));
  EXPECT_EQ(only_call().document_id, kDocumentId);
}

TEST_F(HttpDocumentTest, StatusUpdateAnswers201) {
  const std::string body = json{
      {"statusCode", "03"},
      {"description", "Đã tiếp nhận"},
      {"staff",
       {{"department", "Văn thư"},
        {"name", "Lê Văn Tâm"},
        {"email", "tam.lv@vpcp.gov.vn"},
        {"mobile",
         "0912345678"}}}}.dump();
  const HttpResponse res =
      post(std::string("/v1/documents/") + kEncodedDocumentId + "/status", kJson, body);
  ASSERT_EQ(res.result_int(), 201u) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(json::parse(res.body()), (json{{"documentId", kDocumentId},
                                           {"from", "000.00.00.G22"},
                                           {"statusCode", "03"},
                                           {"description", "Đã tiếp nhận"},
                                           {"timestamp", "2026/11/23 08:15:30"},
                                           {"receivedAt", "2026/11/23 08:15:31"},
                                           {"duplicate", true}}));
  const auto call = only_call();
  EXPECT_EQ(call.method, "update_status");
  EXPECT_EQ(call.document_id, kDocumentId);
  EXPECT_EQ(call.update.status_code, "03");
  EXPECT_EQ(call.update.description, "Đã tiếp nhận");
  EXPECT_EQ(call.update.staff_department, "Văn thư");
  EXPECT_EQ(call.update.staff_name, "Lê Văn Tâm");
  EXPECT_EQ(call.update.staff_email, "tam.lv@vpcp.gov.vn");
  EXPECT_EQ(call.update.staff_mobile, "0912345678");
}

TEST_F(HttpDocumentTest, StatusUpdateDecodesStrictly) {
  const std::string target = std::string("/v1/documents/") + kEncodedDocumentId + "/status";
  for (const char* body :
       {R"({"statusCode":"03","extra":1})", R"({"description":"x"})", R"({"statusCode":3})",
        R"({"statusCode":"03","staff":{"phone":"1"}})", R"({"statusCode":"03","staff":"x"})",
        R"({"statusCode":"03")", R"({"statusCode":"03","statusCode":"04"})", R"(["03"])"}) {
    SCOPED_TRACE(body);
    problem(post(target, kJson, body), "BAD_REQUEST", 400);
  }
  problem(post(target, kXml, R"({"statusCode":"03"})"), "BAD_REQUEST", 415);
  EXPECT_TRUE(service_->calls().empty());
  // Only statusCode is required; null is absent.
  EXPECT_EQ(
      post(target, kJson, R"({"statusCode":"05","description":null,"staff":null})").result_int(),
      201u);
}

TEST_F(HttpDocumentTest, StatusHistoryListsOldestFirst) {
  const HttpResponse res = get(std::string("/v1/documents/") + kEncodedDocumentId + "/status");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const json body = json::parse(res.body());
  EXPECT_EQ(body["documentId"], kDocumentId);
  ASSERT_EQ(body["statuses"].size(), 2u);
  EXPECT_EQ(body["statuses"][0], (json{{"from", "000.00.00.G22"},
                                       {"statusCode", "01"},
                                       {"description", "Đã tiếp nhận"},
                                       {"timestamp", "2026/11/23 08:15:30"},
                                       {"receivedAt", "2026/11/23 08:15:31"}}));
  EXPECT_EQ(body["statuses"][1]["statusCode"], "03");
  EXPECT_EQ(only_call().method, "status_history");
}

TEST_F(HttpDocumentTest, ServiceErrorsAreProblemDocuments) {
  const std::string sent = std::string("/v1/documents/sent/") + kEncodedDocumentId;
  service_->fail_with(Error{ErrorCode::kNotFound, "no such document sent by this organ"});
  const json doc = problem(get(sent), "NOT_FOUND", 404);
  EXPECT_EQ(doc["detail"], "no such document sent by this organ");
  service_->fail_with(Error{ErrorCode::kAccessDenied, "no receive grant"});
  problem(get("/v1/documents/received"), "ACCESS_DENIED", 403);
  service_->fail_with(Error{ErrorCode::kUpstreamUnavailable, "outbox not confirmed"});
  problem(post("/v1/documents", kXml, edxml()), "UPSTREAM_UNAVAILABLE", 502);
  service_->fail_with(Error{ErrorCode::kBadRequest, "another document under this DocumentId"});
  problem(post("/v1/documents", kXml, edxml()), "BAD_REQUEST", 400);
  service_->fail_with(std::nullopt);
  service_->throw_next();
  const json internal = problem(get(sent), "INTERNAL", 500);
  EXPECT_EQ(internal["detail"].get<std::string>().find("secret"), std::string::npos);
}

TEST_F(HttpDocumentTest, DocumentIdsAreDecodedStrictly) {
  for (const std::string& segment :
       std::vector<std::string>{"", "%", "%2", "%zz", "abc%2", "%00", "a%0Ab",
                                std::string(257, 'a'), "%C4%90" + std::string(255, 'a')}) {
    SCOPED_TRACE(segment);
    problem(get("/v1/documents/sent/" + segment), "BAD_REQUEST", 400);
  }
  EXPECT_TRUE(service_->calls().empty());
  // 256 bytes is the largest id; raw ',' and a non-ASCII escape are fine.
  EXPECT_EQ(get("/v1/documents/sent/" + std::string(256, 'a')).result_int(), 200u);
  EXPECT_EQ(get("/v1/documents/sent/7816,QĐ").result_int(), 400u);  // raw non-ASCII
  EXPECT_EQ(get("/v1/documents/sent/a,b%2Fc%C4%90").result_int(), 200u);
  EXPECT_EQ(service_->calls().back().document_id, "a,b/c\xc4\x90");
}

TEST_F(HttpDocumentTest, WrongMethodsGet405WithAllow) {
  HttpResponse res = get("/v1/documents");
  problem(res, "BAD_REQUEST", 405);
  EXPECT_EQ(res[bhttp::field::allow], "POST");
  res = post(std::string("/v1/documents/sent/") + kEncodedDocumentId, kJson, "{}");
  problem(res, "BAD_REQUEST", 405);
  EXPECT_EQ(res[bhttp::field::allow], "GET");
  res = post("/v1/documents/received", kJson, "{}");
  EXPECT_EQ(res[bhttp::field::allow], "GET");
  HttpRequest del{bhttp::verb::delete_,
                  std::string("/v1/documents/") + kEncodedDocumentId + "/status", 11};
  del.set(bhttp::field::host, "localhost");
  res = client()->request(del);
  problem(res, "BAD_REQUEST", 405);
  EXPECT_EQ(res[bhttp::field::allow], "GET, POST");
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, UnknownDocumentPathsAre404) {
  for (const char* target : {"/v1/documents/", "/v1/documents/sent", "/v1/documents/x/y/z",
                             "/v1/documents/x/history", "/v1/documentsx"}) {
    SCOPED_TRACE(target);
    problem(get(target), "NOT_FOUND", 404);
  }
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(HttpDocumentTest, WithoutAServiceTheRoutesAreNotEnabled) {
  restart([](HttpFrontConfig& c) {
    c.documents = nullptr;
    c.document_executor = nullptr;
  });
  for (const std::string& target :
       {std::string("/v1/documents/sent/") + kEncodedDocumentId, std::string("/v1/documents"),
        std::string("/v1/documents/received")}) {
    SCOPED_TRACE(target);
    const json doc = problem(get(target), "NOT_FOUND", 404);
    EXPECT_EQ(doc["detail"], "documents are not enabled on this gateway");
  }
  // And the body limit stays max_body_bytes for every route.
  problem(post("/v1/documents", kXml, edxml(100 << 10)), "XML_LIMIT_EXCEEDED", 413);
}

TEST_F(HttpDocumentTest, DocumentsNeedAnExecutor) {
  HttpFrontConfig config;
  config.tls = testing::dev_server_tls("ec");
  config.documents = service_;
  HttpFront front(config, pipeline_, nullptr, nullptr);
  auto started = front.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kBadRequest);
}

// The router alone: a connection whose certificate named no member is refused before the
// service is called.
TEST(DocumentRoutesTest, ACallerWithoutAMemberIsRefused) {
  auto service = std::make_shared<FakeDocumentService>();
  http::Router router(
      std::make_shared<FakePipeline>(), nullptr, nullptr, 64 << 10, nullptr,
      std::make_shared<const http::DocumentRoutes>(service, std::make_shared<InlineExecutor>()));
  http::Request request{bhttp::verb::get, "/v1/documents/received", 11};
  bool responded = false;
  auto res = router.handle(request, "rid", fail(ErrorCode::kCertUntrusted, "no organ"),
                           [&](http::Handler::Deferred) { responded = true; });
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 401u);
  EXPECT_FALSE(responded);
  EXPECT_TRUE(service->calls().empty());
}

TEST(DocumentRoutesTest, IdsEncodeAsOneSegmentAndDecodeBack) {
  EXPECT_EQ(lienthong::percent_encode(kDocumentId), kEncodedDocumentId);
  EXPECT_EQ(lienthong::percent_encode("7816/QĐ-UBND"), "7816%2FQ%C4%90-UBND");
  EXPECT_EQ(lienthong::percent_encode("a b~_.-"), "a%20b~_.-");
  EXPECT_EQ(*http::decode_document_id(kEncodedDocumentId), kDocumentId);
  EXPECT_EQ(*http::decode_document_id("7816%2fQ%c4%90-UBND"), "7816/QĐ-UBND");
  EXPECT_FALSE(http::decode_document_id("%2G"));
  EXPECT_FALSE(http::decode_document_id("%7F"));
}

TEST(DocumentRoutesTest, TimesAreRfc3339WithMilliseconds) {
  EXPECT_EQ(format_utc_time_ms(testing::at_ms(1795335330123)), "2026-11-22T08:15:30.123Z");
  EXPECT_EQ(format_utc_time_ms(testing::at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_time_ms(TimePoint(std::chrono::microseconds(1999))),
            "1970-01-01T00:00:00.001Z");
}

}  // namespace
}  // namespace lienthong::front
