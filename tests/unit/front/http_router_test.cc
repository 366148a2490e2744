// The router without sockets: which handler answers, what reaches the pipeline, and that a
// lookup's answer comes back through `respond` (never synchronously from handle()).
#include "gateway/front/http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/front/http_fake_pipeline.h"

namespace lienthong::front::http {
namespace {

using nlohmann::json;
using ::testing::_;
using ::testing::Return;
using ::testing::StrictMock;

Member g22() {
  Member m;
  m.organ_code = "000.00.00.G22";
  m.subsystem = "một cửa";
  m.certificate_fingerprint = "ab";
  return m;
}

Request post(std::string target, std::string content_type, std::string body) {
  Request req{bhttp::verb::post, target, 11};
  req.set(bhttp::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

class HttpRouterTest : public ::testing::Test {
 protected:
  std::optional<Response> handle(Request req, const Result<Member>& member = g22()) {
    return router_.handle(req, "0123456789abcdef0123456789abcdef", member,
                          [this](Router::Deferred make) { deferred_.push_back(std::move(make)); });
  }

  std::shared_ptr<StrictMock<testing::MockPipeline>> pipeline_ =
      std::make_shared<StrictMock<testing::MockPipeline>>();
  std::shared_ptr<HttpCounters> counters_ = std::make_shared<HttpCounters>();
  Router router_{pipeline_, nullptr, counters_, 64 << 10};
  std::vector<Router::Deferred> deferred_;
};

TEST_F(HttpRouterTest, LookupGoesToThePipelineAndAnswersThroughRespond) {
  LookupRequest seen;
  exchange::LookupCallback done;
  EXPECT_CALL(*pipeline_, lookup(_, _)).WillOnce([&](LookupRequest r, exchange::LookupCallback d) {
    seen = std::move(r);
    done = std::move(d);
  });
  auto now = handle(post("/v1/lookup?trace=1", "Application/JSON; charset=\"UTF-8\"",
                         R"({"subjectId":"001203004510","documentType":"CD01"})"));
  EXPECT_FALSE(now);
  EXPECT_EQ(seen.request_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(seen.front, "http-json");
  EXPECT_EQ(seen.member.organ_code, "000.00.00.G22");
  EXPECT_EQ(counters_->lookups_in_flight(), 1);
  EXPECT_TRUE(deferred_.empty());

  done(testing::answer_for(seen));
  EXPECT_EQ(counters_->lookups_in_flight(), 0);
  ASSERT_EQ(deferred_.size(), 1u);
  Response res = deferred_[0]();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(json::parse(res.body())["requestId"], "0123456789abcdef0123456789abcdef");
}

TEST_F(HttpRouterTest, XmlLookupIsMarkedHttpXml) {
  EXPECT_CALL(*pipeline_, lookup(_, _)).WillOnce([](LookupRequest r, exchange::LookupCallback d) {
    EXPECT_EQ(r.front, "http-xml");
    d(testing::answer_for(r));
  });
  EXPECT_FALSE(handle(post("/v1/lookup", "application/xml",
                           "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><SubjectId>1"
                           "</SubjectId><DocumentType>CD01</DocumentType></LookupRequest>")));
  ASSERT_EQ(deferred_.size(), 1u);
  Response res = deferred_[0]();
  EXPECT_EQ(res[bhttp::field::content_type], "application/xml; charset=utf-8");
  LookupRequest asked;
  asked.subject = "1";
  asked.document_type = "CD01";
  EXPECT_EQ(res.body(), testing::answer_for(asked).envelope);
}

TEST_F(HttpRouterTest, MemberWithoutOrganIsRefusedWithoutThePipeline) {
  auto res = handle(post("/v1/lookup", "application/json", R"({"subjectId":"1"})"),
                    fail(ErrorCode::kCertUntrusted, "certificate names no organ code"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 401u);
  EXPECT_EQ(json::parse(res->body())["code"], "CERT_UNTRUSTED");
}

TEST_F(HttpRouterTest, DecodingErrorsNeverReachThePipeline) {
  auto res = handle(post("/v1/lookup", "application/json", R"({"subjectId":"1","x":1})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_EQ((*res)[bhttp::field::content_type], "application/problem+json");
}

TEST_F(HttpRouterTest, ReadinessComesFromThePipeline) {
  EXPECT_CALL(*pipeline_, readiness())
      .WillOnce(Return(exchange::Readiness{false, true, {"no adapter"}}));
  Request req{bhttp::verb::get, "/readyz", 11};
  auto res = handle(req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 503u);
  EXPECT_EQ(json::parse(res->body()), (json{{"status", "not ready"}, {"notes", {"no adapter"}}}));
}

TEST_F(HttpRouterTest, MetricsWithoutARegistryStillShowTheFrontsCounters) {
  counters_->response(204);
  Request req{bhttp::verb::get, "/metrics", 11};
  auto res = handle(req);
  ASSERT_TRUE(res);
  EXPECT_NE(res->body().find("lienthong_http_requests_total{code_class=\"2xx\"} 1"),
            std::string::npos);
}

TEST_F(HttpRouterTest, HeadAndOtherMethodsAreNotAllowed) {
  for (auto verb : {bhttp::verb::head, bhttp::verb::put, bhttp::verb::delete_}) {
    Request req{verb, "/healthz", 11};
    auto res = handle(req);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 405u);
  }
}

}  // namespace
}  // namespace lienthong::front::http
