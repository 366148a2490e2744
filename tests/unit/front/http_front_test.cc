// The HTTPS front end to end: a real TLS client with dev PKI certificates, a fake pipeline.
#include "gateway/front/http/http_front.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "gateway/core/metrics.h"
#include "tests/unit/front/http_fake_pipeline.h"
#include "tests/unit/front/http_test_client.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;
using testing::ClientIdentity;
using testing::FakePipeline;
using testing::HttpResponse;
using testing::HttpsClient;

constexpr const char* kJson = "application/json";
constexpr const char* kXml = "application/xml";

std::string json_body(const std::string& subject = "001203004510") {
  return json{
      {"subjectId", subject},
      {"documentType", "CD01"},
      {"purpose",
       {{"dossierCode", "000.00.00.G22-261122-0001"}, {"procedureCode", "1.001234.000.00.00.H20"}}},
      {"officer", {{"personalId", "079085000111"}, {"account", "tam.lv@motcua.gov.vn"}}},
      {"maxAgeSeconds", 3600},
      {"fields", {"ho_va_ten", "gioi_tinh"}},
      {"clientRequestId", "mc-42"}}
      .dump();
}

std::string xml_body(const std::string& subject = "001203004510") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<LookupRequest xmlns=\"urn:lienthong:exchange:1\">"
         "<SubjectId>" +
         subject +
         "</SubjectId><DocumentType>CD01</DocumentType>"
         "<Purpose><DossierCode>000.00.00.G22-261122-0001</DossierCode>"
         "<ProcedureCode>1.001234.000.00.00.H20</ProcedureCode></Purpose>"
         "<Officer><PersonalId>079085000111</PersonalId><Account>tam</Account></Officer>"
         "<MaxAgeSeconds>0</MaxAgeSeconds>"
         "<Fields><Field>ho_va_ten</Field></Fields>"
         "</LookupRequest>";
}

bool is_request_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class HttpFrontTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override {
    if (front_) front_->stop();
  }

  void start(const std::function<void(HttpFrontConfig&)>& tweak = {}) {
    HttpFrontConfig config;
    config.tls = testing::dev_server_tls("ec");
    config.threads = 2;
    if (tweak) tweak(config);
    metrics_ = std::make_shared<Metrics>();
    front_ = std::make_unique<HttpFront>(
        config, pipeline_, metrics_,
        std::make_shared<FixedClock>(TimePoint(std::chrono::seconds(1795334400))));
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
  }
  void restart(const std::function<void(HttpFrontConfig&)>& tweak) {
    front_->stop();
    front_.reset();
    start(tweak);
  }

  std::unique_ptr<HttpsClient> client(const std::string& name = "member-g22",
                                      const std::string& kt = "ec") {
    auto c = std::make_unique<HttpsClient>(port_, ClientIdentity::dev(name, kt));
    c->handshake();
    return c;
  }

  // The problem document of `res`, checked for its shape.
  static json problem(const HttpResponse& res, const std::string& code, int status) {
    EXPECT_EQ(res.result_int(), static_cast<unsigned>(status));
    EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
    json doc = json::parse(res.body());
    EXPECT_EQ(doc["type"], "urn:lienthong:error:" + code);
    EXPECT_EQ(doc["title"], code);
    EXPECT_EQ(doc["code"], code);
    EXPECT_EQ(doc["status"], status);
    EXPECT_TRUE(doc["detail"].is_string());
    EXPECT_EQ(doc["requestId"], std::string(res["X-Request-Id"]));
    return doc;
  }

  std::shared_ptr<FakePipeline> pipeline_ = std::make_shared<FakePipeline>();
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<HttpFront> front_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpFrontTest, JsonLookupAnswersWithTheRecord) {
  auto c = client();
  auto res = c->request(HttpsClient::post("/v1/lookup", kJson, json_body()));
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::date], "Sun, 22 Nov 2026 08:00:00 GMT");
  const std::string request_id(res["X-Request-Id"]);
  EXPECT_TRUE(is_request_id(request_id)) << request_id;

  const json body = json::parse(res.body());
  EXPECT_EQ(body["requestId"], request_id);
  EXPECT_EQ(body["fromCache"], true);
  EXPECT_EQ(body["signedEnvelope"],
            "<Envelope xmlns=\"urn:lienthong:envelope:1\"><Record Code=\"001203004510.CD01\"/>"
            "</Envelope>");
  const json& record = body["record"];
  EXPECT_EQ(record["code"], "001203004510.CD01");
  EXPECT_EQ(record["subjectId"], "001203004510");
  EXPECT_EQ(record["documentType"], "CD01");
  EXPECT_EQ(record["source"], "population");
  EXPECT_EQ(record["verifiedAt"], "2026-11-22T08:15:30Z");
  EXPECT_EQ(record["expiresAt"], "2026-11-23T08:15:30Z");
  EXPECT_EQ(record["fields"], (json{{"gioi_tinh", "2"},
                                    {"ho_va_ten", "Nguyễn Thị Minh Khai"},
                                    {"thuong_tru.ma_tinh", "01"}}));
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(record.size(), 7u);

  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  const LookupRequest& req = seen[0];
  EXPECT_EQ(req.request_id, request_id);
  EXPECT_EQ(req.front, "http-json");
  EXPECT_EQ(req.subject, "001203004510");
  EXPECT_EQ(req.document_type, "CD01");
  EXPECT_EQ(req.purpose.dossier_code, "000.00.00.G22-261122-0001");
  EXPECT_EQ(req.purpose.procedure_code, "1.001234.000.00.00.H20");
  EXPECT_EQ(req.officer.personal_id, "079085000111");
  EXPECT_EQ(req.officer.account, "tam.lv@motcua.gov.vn");
  EXPECT_EQ(req.max_age, std::chrono::seconds(3600));
  EXPECT_EQ(req.fields, (std::vector<std::string>{"ho_va_ten", "gioi_tinh"}));
  EXPECT_EQ(req.member.organ_code, "000.00.00.G22");
  EXPECT_EQ(req.member.subsystem, "một cửa");
  EXPECT_EQ(req.member.certificate_fingerprint,
            crypto::sha256_fingerprint(testing::certificate("ec", "member-g22").get()));
  EXPECT_EQ(req.member.chain_der.size(), 1u);
}

TEST_F(HttpFrontTest, XmlLookupAnswersWithTheSignedEnvelope) {
  auto c = client();
  auto res = c->request(
      HttpsClient::post("/v1/lookup", "application/xml; charset=UTF-8", xml_body("001203004599")));
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/xml; charset=utf-8");
  EXPECT_EQ(res.body(),
            "<Envelope xmlns=\"urn:lienthong:envelope:1\"><Record Code=\"001203004599.CD01\"/>"
            "</Envelope>");
  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].front, "http-xml");
  EXPECT_EQ(seen[0].subject, "001203004599");
  EXPECT_EQ(seen[0].officer.account, "tam");
  EXPECT_EQ(seen[0].max_age, std::chrono::seconds(0));
  EXPECT_EQ(seen[0].fields, std::vector<std::string>{"ho_va_ten"});
  EXPECT_EQ(seen[0].request_id, std::string(res["X-Request-Id"]));
}

TEST_F(HttpFrontTest, PipelineRefusalsBecomeProblemDocuments) {
  struct Case {
    ErrorCode code;
    std::string name;
    int status;
  };
  const std::vector<Case> cases = {{ErrorCode::kAccessDenied, "ACCESS_DENIED", 403},
                                   {ErrorCode::kPurposeRequired, "PURPOSE_REQUIRED", 400},
                                   {ErrorCode::kCertRevoked, "CERT_REVOKED", 401},
                                   {ErrorCode::kRateLimited, "RATE_LIMITED", 429},
                                   {ErrorCode::kUpstreamTimeout, "UPSTREAM_TIMEOUT", 504}};
  auto c = client();
  for (const auto& k : cases) {
    pipeline_->answer_with([&](const LookupRequest&) -> Result<LookupResponse> {
      return fail(k.code, "refused by the test");
    });
    for (const char* type : {kJson, kXml}) {
      auto res = c->request(HttpsClient::post(
          "/v1/lookup", type, std::string(type) == kJson ? json_body() : xml_body()));
      const json doc = problem(res, k.name, k.status);
      EXPECT_EQ(doc["detail"], "refused by the test");
    }
  }
}

TEST_F(HttpFrontTest, MissingPurposeAndOfficerReachThePipelineEmpty) {
  auto c = client();
  auto res = c->request(HttpsClient::post("/v1/lookup", kJson,
                                          R"({"subjectId":"001203004510","documentType":"CD01"})"));
  EXPECT_EQ(res.result_int(), 200u);
  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].purpose.dossier_code, "");
  EXPECT_EQ(seen[0].officer.personal_id, "");
  EXPECT_FALSE(seen[0].max_age.has_value());
}

TEST_F(HttpFrontTest, MalformedJsonIsBadRequest) {
  auto c = client();
  problem(c->request(HttpsClient::post("/v1/lookup", kJson, R"({"subjectId":)")), "BAD_REQUEST",
          400);
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpFrontTest, UnknownKeyIsBadRequest) {
  auto c = client();
  auto body = json::parse(json_body());
  body["organCode"] = "000.00.00.H20";
  const json doc =
      problem(c->request(HttpsClient::post("/v1/lookup", kJson, body.dump())), "BAD_REQUEST", 400);
  EXPECT_NE(doc["detail"].get<std::string>().find("organCode"), std::string::npos);
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpFrontTest, DoctypeInXmlIsRefused) {
  auto c = client();
  const std::string body =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"y\">]>"
      "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><SubjectId>&x;</SubjectId>"
      "</LookupRequest>";
  problem(c->request(HttpsClient::post("/v1/lookup", kXml, body)), "XML_DTD_REFUSED", 400);
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpFrontTest, MalformedXmlIsXmlMalformed) {
  auto c = client();
  problem(c->request(HttpsClient::post("/v1/lookup", kXml, "<LookupRequest><SubjectId>")),
          "XML_MALFORMED", 400);
}

TEST_F(HttpFrontTest, OversizeJsonBodyIs413AndTheConnectionCloses) {
  auto c = client();
  const std::string big = "{\"subjectId\":\"" + std::string(70 << 10, '1') + "\"}";
  const json doc =
      problem(c->request(HttpsClient::post("/v1/lookup", kJson, big)), "BAD_REQUEST", 413);
  EXPECT_NE(doc["detail"].get<std::string>().find("65536"), std::string::npos);
  EXPECT_TRUE(c->closed_by_server());
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpFrontTest, OversizeXmlBodyIsXmlLimitExceeded) {
  auto c = client();
  const std::string big = "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><SubjectId>" +
                          std::string(70 << 10, '1') + "</SubjectId></LookupRequest>";
  problem(c->request(HttpsClient::post("/v1/lookup", kXml, big)), "XML_LIMIT_EXCEEDED", 413);
}

TEST_F(HttpFrontTest, ChunkedOversizeBodyIsAlso413) {
  auto c = client();
  auto req = HttpsClient::post("/v1/lookup", kJson, std::string(70 << 10, ' '));
  req.chunked(true);
  problem(c->request(req), "BAD_REQUEST", 413);
}

TEST_F(HttpFrontTest, OversizeHeaderIs431) {
  auto c = client();
  auto req = HttpsClient::get("/healthz");
  req.set("X-Padding", std::string(9000, 'a'));
  problem(c->request(req), "BAD_REQUEST", 431);
}

TEST_F(HttpFrontTest, OtherContentTypesAre415) {
  auto c = client();
  problem(c->request(HttpsClient::post("/v1/lookup", "text/plain", json_body())), "BAD_REQUEST",
          415);
  problem(
      c->request(HttpsClient::post("/v1/lookup", "application/json; charset=latin1", json_body())),
      "BAD_REQUEST", 415);
}

TEST_F(HttpFrontTest, WrongMethodIs405AndUnknownPathIs404) {
  auto c = client();
  auto res = c->request(HttpsClient::get("/v1/lookup"));
  problem(res, "BAD_REQUEST", 405);
  EXPECT_EQ(res[bhttp::field::allow], "POST");
  res = c->request(HttpsClient::post("/healthz", kJson, "{}"));
  problem(res, "BAD_REQUEST", 405);
  EXPECT_EQ(res[bhttp::field::allow], "GET");
  problem(c->request(HttpsClient::get("/v2/lookup")), "NOT_FOUND", 404);
}

TEST_F(HttpFrontTest, HealthzSaysOk) {
  auto c = client();
  auto res = c->request(HttpsClient::get("/healthz"));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(json::parse(res.body()), (json{{"status", "ok"}}));
}

TEST_F(HttpFrontTest, ReadyzReportsReadyDegradedAndNotReady) {
  auto c = client();
  auto res = c->request(HttpsClient::get("/readyz"));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(json::parse(res.body())["status"], "ready");

  pipeline_->set_readiness({true, true, {"cache: redis unreachable"}});
  res = c->request(HttpsClient::get("/readyz"));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(json::parse(res.body()),
            (json{{"status", "degraded"}, {"notes", {"cache: redis unreachable"}}}));

  pipeline_->set_readiness({false, false, {"audit: segment not writable"}});
  res = c->request(HttpsClient::get("/readyz"));
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(json::parse(res.body()),
            (json{{"status", "not ready"}, {"notes", {"audit: segment not writable"}}}));
}

TEST_F(HttpFrontTest, MetricsHaveThePipelineCountersAndTheFrontsOwn) {
  metrics_->lookups.inc({"http-json", "ok"}, 3);
  auto c = client();
  c->request(HttpsClient::get("/healthz"));
  c->request(HttpsClient::get("/nowhere"));
  auto res = c->request(HttpsClient::get("/metrics"));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res.body();
  EXPECT_NE(text.find("lienthong_lookups_total{front=\"http-json\",outcome=\"ok\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lienthong_http_requests_total{code_class=\"2xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lienthong_http_requests_total{code_class=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lienthong_http_connections_open 1\n"), std::string::npos);
  EXPECT_NE(text.find("lienthong_http_connections_total{result=\"accepted\"} 1\n"),
            std::string::npos);
}

TEST_F(HttpFrontTest, MemberComesFromTheCertificateNeverFromTheRequest) {
  auto g22 = client("member-g22");
  auto req = HttpsClient::post("/v1/lookup", kJson, json_body());
  req.set("X-Organ-Code", "000.00.00.H20");
  req.set("X-Client-Certificate", "000.00.00.H20");
  EXPECT_EQ(g22->request(req).result_int(), 200u);

  auto body = json::parse(json_body());
  body["member"] = {{"organCode", "000.00.00.H20"}};
  problem(g22->request(HttpsClient::post("/v1/lookup", kJson, body.dump())), "BAD_REQUEST", 400);

  auto h20 = client("member-h20", "rsa");
  EXPECT_EQ(h20->request(HttpsClient::post("/v1/lookup", kXml, xml_body())).result_int(), 200u);

  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].member.organ_code, "000.00.00.G22");
  EXPECT_EQ(seen[1].member.organ_code, "000.00.00.H20");
}

TEST_F(HttpFrontTest, ExpiredMemberReachesThePipelineWhichRefusesIt) {
  pipeline_->answer_with([](const LookupRequest& r) -> Result<LookupResponse> {
    return fail(ErrorCode::kCertExpired, "'" + r.member.organ_code + "' expired");
  });
  auto c = client("member-expired");
  const json doc =
      problem(c->request(HttpsClient::post("/v1/lookup", kJson, json_body())), "CERT_EXPIRED", 401);
  EXPECT_EQ(doc["detail"], "'000.00.00.H30' expired");
}

TEST_F(HttpFrontTest, CertificateWithoutOrganCodeIsRefusedBeforeThePipeline) {
  auto c = client("gateway-client");
  problem(c->request(HttpsClient::post("/v1/lookup", kJson, json_body())), "CERT_UNTRUSTED", 401);
  EXPECT_TRUE(pipeline_->seen().empty());
  EXPECT_EQ(c->request(HttpsClient::get("/healthz")).result_int(), 200u);
}

TEST_F(HttpFrontTest, ClientWithoutCertificateIsRefused) {
  HttpsClient c(port_, std::nullopt);
  // TLS 1.3 lets the client finish its side before the server has judged it; the refusal
  // then arrives as an alert on the first read.
  bool refused = false;
  try {
    c.handshake();
    c.send(HttpsClient::get("/healthz"));
    c.read();
  } catch (const boost::system::system_error&) {
    refused = true;
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(pipeline_->seen().empty());
  auto ok = client();
  const std::string text = ok->request(HttpsClient::get("/metrics")).body();
  EXPECT_NE(text.find("lienthong_http_connections_total{result=\"handshake_failed\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(HttpFrontTest, SelfSignedClientIsRefused) {
  const testing::ScratchDir dir;
  auto stranger = testing::issue_cert({"000.00.00.G22", "", {"urn:lienthong:organ:000.00.00.G22"}});
  testing::write_pem(stranger, dir / "http-stranger.crt", dir / "http-stranger.key");
  HttpsClient c(port_, ClientIdentity{dir / "http-stranger.crt", dir / "http-stranger.key"});
  EXPECT_THROW(
      {
        c.handshake();
        c.request(HttpsClient::post("/v1/lookup", kJson, json_body()));
      },
      boost::system::system_error);
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(HttpFrontTest, PipelinedRequestsAreAnsweredInOrder) {
  pipeline_->hold(true);
  auto c = client();
  std::vector<testing::HttpRequest> batch;
  for (const char* subject : {"001203004511", "001203004512", "001203004513"})
    batch.push_back(HttpsClient::post("/v1/lookup", kJson, json_body(subject)));
  batch.push_back(HttpsClient::get("/healthz"));
  c->send_pipelined(batch);
  ASSERT_TRUE(pipeline_->wait_held(3));
  auto held = pipeline_->take_held();
  // Answered last to first, from another thread.
  std::thread answerer([&] {
    for (auto it = held.rbegin(); it != held.rend(); ++it)
      it->done(testing::answer_for(it->request));
  });
  answerer.join();
  for (const char* subject : {"001203004511", "001203004512", "001203004513"}) {
    auto res = c->read();
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(json::parse(res.body())["record"]["subjectId"], subject);
  }
  EXPECT_EQ(json::parse(c->read().body())["status"], "ok");
}

TEST_F(HttpFrontTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto c = client();
  for (int i = 0; i < 20; ++i) {
    auto res = c->request(HttpsClient::post("/v1/lookup", kJson, json_body()));
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(pipeline_->seen().size(), 20u);
}

TEST_F(HttpFrontTest, ConnectionCloseIsHonoured) {
  auto c = client();
  auto req = HttpsClient::get("/healthz");
  req.keep_alive(false);
  auto res = c->request(req);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c->closed_by_server());
}

TEST_F(HttpFrontTest, ExpectContinueGetsAHundredFirst) {
  auto c = client();
  auto req = HttpsClient::post("/v1/lookup", kJson, json_body());
  req.set(bhttp::field::expect, "100-continue");
  std::ostringstream os;
  os << req.base();
  c->send_raw(os.str());
  auto interim = c->read();
  EXPECT_EQ(interim.result_int(), 100u);
  c->send_raw(req.body());
  EXPECT_EQ(c->read().result_int(), 200u);
}

TEST_F(HttpFrontTest, PipelineThatNeverAnswersGets504AfterTheRequestTimeout) {
  restart([](HttpFrontConfig& c) { c.request_timeout = std::chrono::milliseconds(300); });
  pipeline_->hold(true);
  auto c = client();
  const json doc = problem(c->request(HttpsClient::post("/v1/lookup", kJson, json_body())),
                           "UPSTREAM_TIMEOUT", 504);
  // The late answer is dropped without harm, and the connection still works.
  for (auto& h : pipeline_->take_held()) h.done(testing::answer_for(h.request));
  EXPECT_EQ(c->request(HttpsClient::get("/healthz")).result_int(), 200u);
}

TEST_F(HttpFrontTest, IdleConnectionsAreClosed) {
  restart([](HttpFrontConfig& c) { c.idle_timeout = std::chrono::milliseconds(200); });
  auto c = client();
  EXPECT_EQ(c->request(HttpsClient::get("/healthz")).result_int(), 200u);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

TEST_F(HttpFrontTest, ConnectionsOverTheLimitAreClosed) {
  restart([](HttpFrontConfig& c) { c.max_connections = 1; });
  auto first = client();
  EXPECT_EQ(first->request(HttpsClient::get("/healthz")).result_int(), 200u);
  HttpsClient second(port_, ClientIdentity::dev("member-h20"));
  EXPECT_THROW(second.handshake(), boost::system::system_error);
  EXPECT_EQ(first->request(HttpsClient::get("/healthz")).result_int(), 200u);
}

TEST_F(HttpFrontTest, StopFinishesRequestsInFlightThenCloses) {
  pipeline_->hold(true);
  auto busy = client();
  auto idle = client();
  EXPECT_EQ(idle->request(HttpsClient::get("/healthz")).result_int(), 200u);
  busy->send(HttpsClient::post("/v1/lookup", kJson, json_body()));
  ASSERT_TRUE(pipeline_->wait_held(1));

  auto stopped = std::async(std::launch::async, [&] { front_->stop(); });
  EXPECT_TRUE(idle->closed_by_server());  // idle connections close at once
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  for (auto& h : pipeline_->take_held()) h.done(testing::answer_for(h.request));
  auto res = busy->read();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_THROW(HttpsClient(port_, ClientIdentity::dev("member-g22")).handshake(),
               boost::system::system_error);
}

TEST_F(HttpFrontTest, CurlIsAClientToo) {
  if (std::system("curl --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no curl";
  const testing::ScratchDir dir;
  const auto body_file = dir / "curl-lookup.json";
  const auto out_file = dir / "curl-lookup.out";
  std::ofstream(body_file) << json_body();
  const std::string command = "curl -sS --max-time 20 -o " + out_file.string() +
                              " -w '%{http_code}' --cert " +
                              testing::pki_file("rsa", "member-h47.fullchain.pem").string() +
                              " --key " + testing::pki_file("rsa", "member-h47.key").string() +
                              " --cacert " + testing::pki_file("ec", "root-ca.crt").string() +
                              " -H 'Content-Type: application/json' --data-binary @" +
                              body_file.string() + " https://localhost:" + std::to_string(port_) +
                              "/v1/lookup > " + (dir / "curl-lookup.status").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::string status;
  std::ifstream(dir / "curl-lookup.status") >> status;
  EXPECT_EQ(status, "200");
  std::ifstream out(out_file);
  const json body = json::parse(out);
  EXPECT_EQ(body["record"]["code"], "001203004510.CD01");
  ASSERT_EQ(pipeline_->seen().size(), 1u);
  EXPECT_EQ(pipeline_->seen()[0].member.organ_code, "001.00.10.H47");
}

TEST(HttpFrontConfigTest, BadTlsMaterialFailsStart) {
  HttpFrontConfig config;
  config.tls = testing::dev_server_tls("ec");
  config.tls.private_key_file = testing::pki_file("rsa", "gateway-tls.key").string();
  HttpFront front(config, std::make_shared<FakePipeline>(), std::make_shared<Metrics>(),
                  SystemClock::instance());
  auto port = front.start();
  ASSERT_FALSE(port);
  EXPECT_EQ(port.error().code, ErrorCode::kBadRequest);
}

TEST(HttpFrontConfigTest, BadAddressFailsStart) {
  HttpFrontConfig config;
  config.tls = testing::dev_server_tls("ec");
  config.address = "not an address";
  HttpFront front(config, std::make_shared<FakePipeline>(), nullptr, nullptr);
  EXPECT_FALSE(front.start());
}

}  // namespace
}  // namespace lienthong::front
