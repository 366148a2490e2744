// The enterprise-registry simulator's HTTP side, driven without sockets: token flow, bearer
// checks, enterprise-code validation before any lookup, the detached signature header, faults.
#include "adapters/business/sim_service.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway/core/encoding.h"
#include "gateway/core/identifiers.h"
#include "tests/support/manual_clock.h"

namespace lienthong::business::sim {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using lienthong::sim::HttpRequest;
using lienthong::sim::SimReply;

std::shared_ptr<const EnterpriseDataset> enterprises() {
  static const auto data = std::make_shared<const EnterpriseDataset>(
      std::make_shared<const population::sim::CitizenDataset>());
  return data;
}

class BusinessServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<BusinessService> service(lienthong::sim::Knobs knobs = {}) {
    BusinessSimConfig c;
    c.dataset = enterprises();
    // Stands in for the JWS signer (tested on its own): names the bytes it was given.
    c.sign_detached = [](std::string_view body) -> Result<std::string> {
      return "eyJhbGciOiJFUzI1NiJ9.." + sha256_hex(body);
    };
    c.knobs = knobs;
    c.tokens.clock = clock_;
    c.tokens.lifetime = 3600s;
    return std::make_unique<BusinessService>(std::move(c));
  }
  static HttpRequest request(http::verb verb, std::string target, std::string authorization = {},
                             std::string body = {}) {
    HttpRequest r{verb, target, 11};
    if (!authorization.empty()) r.set(http::field::authorization, authorization);
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
  }
  std::string token_from(BusinessService& s) {
    auto reply = s.handle(request(http::verb::post, "/token",
                                  "Basic " + base64_encode("lienthong-dev:dev-secret-not-for-production"),
                                  "grant_type=client_credentials"),
                          false);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return nlohmann::json::parse(reply.body).value("access_token", "");
  }
  static std::string header(const SimReply& r, std::string_view name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return {};
  }
  std::shared_ptr<testing::ManualClock> clock_ =
      std::make_shared<testing::ManualClock>(TimePoint{} + 500'000h);
};

TEST_F(BusinessServiceTest, TokenThenSignedLookup) {
  auto s = service();
  const std::string token = token_from(*s);
  ASSERT_FALSE(token.empty());
  const std::string code = enterprises()->code_at(7);
  auto reply = s->handle(request(http::verb::get, std::string(kLookupPath) + "?msdn=" + code,
                                 "Bearer " + token),
                         false);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto answer = nlohmann::json::parse(reply.body);
  EXPECT_EQ(answer["Data"]["MainInformation"]["ENTERPRISE_GDT_CODE"], code);
  EXPECT_EQ(header(reply, kSignatureHeader), "eyJhbGciOiJFUzI1NiJ9.." + sha256_hex(reply.body));
  EXPECT_EQ(s->stats().found, 1u);
}

TEST_F(BusinessServiceTest, BranchesAnswerUnderTheirOwnCodeAndUnknownOnesAreDataNull) {
  auto s = service();
  const std::string token = token_from(*s);
  // Enterprise i has i % 3 branches: index 5 has two (001, 002), index 6 none.
  const std::string with_branches = enterprises()->code_at(5);
  auto ask = [&](const std::string& msdn) {
    auto reply = s->handle(request(http::verb::get, std::string(kLookupPath) + "?msdn=" + msdn,
                                   "Bearer " + token),
                           false);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return nlohmann::json::parse(reply.body)["Data"];
  };
  const auto branch = ask(with_branches + "-002");
  ASSERT_FALSE(branch.is_null());
  EXPECT_EQ(branch["MainInformation"]["ENTERPRISE_GDT_CODE"], with_branches + "-002");
  EXPECT_TRUE(branch["MainInformation"]["NAME"].get<std::string>().starts_with("CHI NHÁNH 002 - "));
  EXPECT_TRUE(ask(with_branches + "-003").is_null());
  EXPECT_TRUE(ask(enterprises()->code_at(6) + "-001").is_null());
}

TEST_F(BusinessServiceTest, WrongClientOrGrantGetsNoToken) {
  auto s = service();
  auto wrong = s->handle(request(http::verb::post, "/token",
                                 "Basic " + base64_encode("lienthong-dev:guess"),
                                 "grant_type=client_credentials"),
                         false);
  EXPECT_EQ(wrong.status, 401u);
  auto grant = s->handle(request(http::verb::post, "/token",
                                 "Basic " + base64_encode("lienthong-dev:dev-secret-not-for-production"),
                                 "grant_type=password"),
                         false);
  EXPECT_EQ(grant.status, 400u);
  EXPECT_EQ(s->stats().tokens_issued, 0u);
}

TEST_F(BusinessServiceTest, MissingUnknownOrExpiredTokensAre401WithAChallenge) {
  auto s = service();
  const std::string target = std::string(kLookupPath) + "?msdn=" + enterprises()->code_at(1);
  auto none = s->handle(request(http::verb::get, target), false);
  EXPECT_EQ(none.status, 401u);
  EXPECT_NE(header(none, "WWW-Authenticate").find("invalid_token"), std::string::npos);
  EXPECT_EQ(s->handle(request(http::verb::get, target, "Bearer not-issued"), false).status, 401u);

  const std::string token = token_from(*s);
  EXPECT_EQ(s->handle(request(http::verb::get, target, "Bearer " + token), false).status, 200u);
  clock_->set(clock_->now() + 3601s);
  EXPECT_EQ(s->handle(request(http::verb::get, target, "Bearer " + token), false).status, 401u);

  const std::string fresh = token_from(*s);
  EXPECT_EQ(s->handle(request(http::verb::post, "/sim/expire-tokens"), true).status, 200u);
  EXPECT_EQ(s->handle(request(http::verb::get, target, "Bearer " + fresh), false).status, 401u);
  EXPECT_EQ(s->handle(request(http::verb::post, "/sim/expire-tokens"), false).status, 403u);
}

TEST_F(BusinessServiceTest, AWrongCheckDigitIsRefusedBeforeAnyLookup) {
  auto s = service();
  const std::string token = token_from(*s);
  std::string code = enterprises()->code_at(3);
  code[9] = code[9] == '9' ? '0' : static_cast<char>(code[9] + 1);
  auto reply = s->handle(request(http::verb::get, std::string(kLookupPath) + "?msdn=" + code,
                                 "Bearer " + token),
                         false);
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(s->stats().lookups, 0u);
}

TEST_F(BusinessServiceTest, AValidCodeOutsideTheSetIsDataNull) {
  auto s = service();
  const std::string token = token_from(*s);
  std::string outside;
  for (uint64_t n = 0; outside.empty(); ++n) {
    // "05…": no simulated tax province starts so; find nine digits a check digit can follow.
    std::string nine = "05" + std::to_string(1'000'000 + n).substr(0, 7);
    int sum = 0;
    static constexpr int kWeights[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
    for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * kWeights[i];
    if (sum % 11 != 0) outside = nine + static_cast<char>('0' + (10 - sum % 11) % 10);
  }
  ASSERT_TRUE(parse_enterprise_code(outside));
  auto reply = s->handle(request(http::verb::get, std::string(kLookupPath) + "?msdn=" + outside,
                                 "Bearer " + token),
                         false);
  ASSERT_EQ(reply.status, 200u);
  EXPECT_TRUE(nlohmann::json::parse(reply.body)["Data"].is_null());
  EXPECT_FALSE(header(reply, kSignatureHeader).empty());  // not found is signed too
  EXPECT_EQ(s->stats().not_found, 1u);
}

TEST_F(BusinessServiceTest, BadSignatureKnobChangesTheBytesAfterSigning) {
  lienthong::sim::Knobs knobs;
  knobs.bad_signature_rate = 1;
  auto s = service(knobs);
  const std::string token = token_from(*s);
  auto reply = s->handle(request(http::verb::get,
                                 std::string(kLookupPath) + "?msdn=" + enterprises()->code_at(9),
                                 "Bearer " + token),
                         false);
  ASSERT_EQ(reply.status, 200u);
  EXPECT_TRUE(nlohmann::json::accept(reply.body));  // still JSON
  EXPECT_NE(header(reply, kSignatureHeader), "eyJhbGciOiJFUzI1NiJ9.." + sha256_hex(reply.body));
  EXPECT_EQ(s->stats().bad_signatures, 1u);
}

}  // namespace
}  // namespace lienthong::business::sim
