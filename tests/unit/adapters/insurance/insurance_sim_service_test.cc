// The social-insurance simulator's HTTP side without sockets: bearer tokens, the officer named
// on every call, lookup by code or by personal ID, the detached signature header.
#include "adapters/insurance/sim_service.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway/core/encoding.h"

namespace lienthong::insurance::sim {
namespace {

namespace http = boost::beast::http;
using lienthong::sim::HttpRequest;
using lienthong::sim::SimReply;

std::shared_ptr<const InsuredDataset> insured() {
  static const auto data = [] {
    auto citizens = std::make_shared<const population::sim::CitizenDataset>();
    return std::make_shared<const InsuredDataset>(
        citizens, std::make_shared<const business::sim::EnterpriseDataset>(citizens));
  }();
  return data;
}

class InsuranceServiceTest : public ::testing::Test {
 protected:
  InsuranceServiceTest() {
    InsuranceSimConfig c;
    c.dataset = insured();
    c.sign_detached = [](std::string_view body) -> Result<std::string> {
      return "eyJhbGciOiJFUzI1NiJ9.." + sha256_hex(body);
    };
    service_ = std::make_unique<InsuranceService>(std::move(c));
    HttpRequest t{http::verb::post, "/token", 11};
    t.set(http::field::authorization,
          "Basic " + base64_encode("lienthong-dev:dev-secret-not-for-production"));
    t.body() = "grant_type=client_credentials";
    token_ = nlohmann::json::parse(service_->handle(t, false).body).value("access_token", "");
  }
  SimReply ask(const std::string& query, bool officer = true) {
    HttpRequest r{http::verb::get, std::string(kLookupPath) + "?" + query, 11};
    r.set(http::field::authorization, "Bearer " + token_);
    if (officer) {
      r.set("X-Officer-Id", "001085000123");
      r.set("X-Officer-Account", "canbo.h20");
    }
    return service_->handle(r, false);
  }
  std::unique_ptr<InsuranceService> service_;
  std::string token_;
};

TEST_F(InsuranceServiceTest, ByCodeOrByPersonalIdTheSameSignedAnswer) {
  ASSERT_FALSE(token_.empty());
  const InsuredPerson p = insured()->at(4242);
  const SimReply by_code = ask("maSoBHXH=" + p.insurance_code);
  const SimReply by_id = ask("soDinhDanh=" + p.citizen.personal_id);
  ASSERT_EQ(by_code.status, 200u) << by_code.body;
  EXPECT_EQ(by_code.body, by_id.body);
  EXPECT_EQ(nlohmann::json::parse(by_code.body)["data"]["maSoBHXH"], p.insurance_code);
  ASSERT_EQ(by_code.headers.size(), 1u);
  EXPECT_EQ(by_code.headers[0].second, "eyJhbGciOiJFUzI1NiJ9.." + sha256_hex(by_code.body));
}

TEST_F(InsuranceServiceTest, EveryCallNamesTheOfficerAndOneKey) {
  const InsuredPerson p = insured()->at(1);
  EXPECT_EQ(ask("maSoBHXH=" + p.insurance_code, /*officer=*/false).status, 400u);
  EXPECT_EQ(ask("maSoBHXH=123").status, 400u);
  EXPECT_EQ(ask("soDinhDanh=12345").status, 400u);
  EXPECT_EQ(ask("maSoBHXH=" + p.insurance_code + "&soDinhDanh=" + p.citizen.personal_id).status,
            400u);
  EXPECT_EQ(ask("").status, 400u);
  EXPECT_EQ(service_->lookups(), 0u);  // none of these reached the data set
}

TEST_F(InsuranceServiceTest, UnknownPeopleAreDataNullAndTokensAreChecked) {
  const SimReply none = ask("maSoBHXH=9900000000");
  ASSERT_EQ(none.status, 200u);
  EXPECT_TRUE(nlohmann::json::parse(none.body)["data"].is_null());
  token_ = "forged";
  EXPECT_EQ(ask("maSoBHXH=9900000000").status, 401u);
}

}  // namespace
}  // namespace lienthong::insurance::sim
