#include "gateway/upstream/bearer_token.h"

#include <gtest/gtest.h>

#include <deque>

#include "gateway/core/encoding.h"
#include "tests/support/manual_clock.h"

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;

// Holds every request until the test answers it, as a slow token endpoint would.
class HeldHttpClient final : public HttpClient {
 public:
  void send(HttpRequest request, ResponseCallback done) override {
    requests.push_back(std::move(request));
    pending.push_back(std::move(done));
  }
  std::string breaker_state() const override { return "closed"; }
  void answer(long status, std::string body) {
    ASSERT_FALSE(pending.empty());
    auto done = std::move(pending.front());
    pending.pop_front();
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    done(std::move(r));
  }
  void fail_next(ErrorCode code) {
    auto done = std::move(pending.front());
    pending.pop_front();
    done(tl::unexpected(Error{code, "connect timed out"}));
  }
  std::vector<HttpRequest> requests;
  std::deque<ResponseCallback> pending;
};

class BearerTokenTest : public ::testing::Test {
 protected:
  std::shared_ptr<BearerTokenSource> source() {
    TokenConfig config;
    config.token_url = "/token";
    config.client_id = "lienthong-gw";
    config.client_secret = "s3cret-not-logged";
    config.refresh_margin = 60s;
    return BearerTokenSource::create(http_, config, clock_);
  }
  // Collects what get() hands back.
  BearerTokenSource::TokenCallback into(std::vector<Result<std::string>>& out) {
    return [&out](Result<std::string> r) { out.push_back(std::move(r)); };
  }

  std::shared_ptr<HeldHttpClient> http_ = std::make_shared<HeldHttpClient>();
  std::shared_ptr<testing::ManualClock> clock_ =
      std::make_shared<testing::ManualClock>(TimePoint{} + 1000h);
};

constexpr const char* kAnswer =
    R"({"access_token":"tok-1","scope":"am_application_scope default","token_type":"Bearer","expires_in":3600})";

TEST_F(BearerTokenTest, ClientCredentialsRequestAsTheApiManagerExpects) {
  auto tokens = source();
  std::vector<Result<std::string>> got;
  tokens->get(into(got));
  ASSERT_EQ(http_->requests.size(), 1u);
  const HttpRequest& r = http_->requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "/token");
  EXPECT_EQ(r.body, "grant_type=client_credentials");
  bool basic = false;
  for (const auto& [name, value] : r.headers)
    if (name == "Authorization") basic = value == "Basic " + base64_encode("lienthong-gw:s3cret-not-logged");
  EXPECT_TRUE(basic);
  http_->answer(200, kAnswer);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0]);
  EXPECT_EQ(*got[0], "tok-1");
}

TEST_F(BearerTokenTest, ConcurrentCallersShareOneFetchAndTheTokenIsReusedUntilTheMargin) {
  auto tokens = source();
  std::vector<Result<std::string>> got;
  for (int i = 0; i < 5; ++i) tokens->get(into(got));
  EXPECT_EQ(http_->requests.size(), 1u);  // one fetch for five callers
  http_->answer(200, kAnswer);
  ASSERT_EQ(got.size(), 5u);
  for (const auto& r : got) EXPECT_EQ(r.value_or(""), "tok-1");

  clock_->set(clock_->now() + 3600s - 61s);  // still outside the margin
  tokens->get(into(got));
  EXPECT_EQ(got.size(), 6u);
  EXPECT_EQ(http_->requests.size(), 1u);

  clock_->set(clock_->now() + 2s);  // inside the last minute: fetched anew before it lapses
  tokens->get(into(got));
  EXPECT_EQ(http_->requests.size(), 2u);
  http_->answer(200, R"({"access_token":"tok-2","token_type":"bearer","expires_in":3600})");
  EXPECT_EQ(got.back().value_or(""), "tok-2");
  EXPECT_EQ(tokens->fetches(), 2u);
}

TEST_F(BearerTokenTest, InvalidateDropsOnlyTheRefusedToken) {
  auto tokens = source();
  std::vector<Result<std::string>> got;
  tokens->get(into(got));
  http_->answer(200, kAnswer);
  tokens->invalidate("tok-0");  // an older token: the held one stays
  tokens->get(into(got));
  EXPECT_EQ(http_->requests.size(), 1u);
  tokens->invalidate("tok-1");  // the upstream answered 401 to it
  tokens->get(into(got));
  EXPECT_EQ(http_->requests.size(), 2u);
}

TEST_F(BearerTokenTest, UnusableAnswersFailEveryWaiterAndTheNextCallTriesAgain) {
  auto tokens = source();
  for (const char* body : {R"({"token_type":"Bearer","expires_in":3600})",
                           R"({"access_token":"tok","token_type":"MAC","expires_in":3600})",
                           R"({"access_token":"tok","expires_in":0})",
                           R"({"access_token":"to k\r\nX-Injected: 1","expires_in":60})",
                           "not json"}) {
    SCOPED_TRACE(body);
    std::vector<Result<std::string>> got;
    tokens->get(into(got));
    tokens->get(into(got));
    http_->answer(200, body);
    ASSERT_EQ(got.size(), 2u);
    for (const auto& r : got) {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::kUpstreamUnavailable);
      EXPECT_EQ(r.error().detail.find("s3cret"), std::string::npos);
    }
  }
  std::vector<Result<std::string>> got;
  tokens->get(into(got));
  http_->answer(401, R"({"error":"invalid_client"})");
  ASSERT_FALSE(got[0]);
  EXPECT_NE(got[0].error().detail.find("HTTP 401"), std::string::npos);

  tokens->get(into(got));
  http_->fail_next(ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(got.back().error().code, ErrorCode::kUpstreamTimeout);
  tokens->get(into(got));
  http_->answer(200, kAnswer);
  EXPECT_EQ(got.back().value_or(""), "tok-1");
}

}  // namespace
}  // namespace lienthong::upstream
