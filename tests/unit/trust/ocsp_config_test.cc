// The OCSP checker without a responder: configuration refused, unsuccessful responseStatus
// values (tryLater, internalError...) and bytes that are not an OCSP response.
#include <gtest/gtest.h>

#include "gateway/crypto/ocsp_checker.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/trust/ocsp_test_support.h"

namespace lienthong::crypto {
namespace {

using namespace std::chrono_literals;
using testing::CannedTransport;
using testing::certificate;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(OcspConfigTest, DefaultsAreValid) {
  OcspConfig config;
  EXPECT_TRUE(config.validate());
  EXPECT_EQ(config.freshness, 1h);
  EXPECT_EQ(config.clock_skew, 5min);
  EXPECT_TRUE(config.send_nonce);
  EXPECT_FALSE(config.accept_missing_nonce);
  EXPECT_EQ(config.default_policy.when_unavailable, OcspUnavailable::kFailClosed);
}

TEST(OcspConfigTest, BadSettingsAreRefusedByName) {
  auto refused = [](const OcspConfig& config, const std::string& name) {
    auto valid = config.validate();
    ASSERT_FALSE(valid) << name;
    EXPECT_EQ(valid.error().code, ErrorCode::kBadRequest);
    EXPECT_TRUE(contains(valid.error().detail, name)) << valid.error().detail;
  };
  OcspConfig c;
  c.freshness = 0s;
  refused(c, "ocsp.freshness");
  c = {};
  c.clock_skew = -1s;
  refused(c, "ocsp.clock_skew");
  c = {};
  c.default_policy.when_unavailable = OcspUnavailable::kGrace;
  refused(c, "ocsp.default.grace");
  c = {};
  c.default_policy.responder_url = "ldap://ca.example/ocsp";
  refused(c, "ocsp.default.responder_url");
  c = {};
  c.issuers["ABC"] = {};
  refused(c, "ocsp.issuers");

  auto made =
      OcspChecker::create(c, std::make_shared<CannedTransport>(""), SystemClock::instance());
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, ErrorCode::kBadRequest);
}

TEST(OcspConfigTest, PolicyIsChosenByTheIssuersFingerprint) {
  auto rsa = certificate("rsa", "intermediate-ca");
  auto ec = certificate("ec", "intermediate-ca");
  OcspConfig config;
  config.issuers[sha256_fingerprint(rsa.get())].responder_url = "http://rsa.example/";
  ASSERT_TRUE(config.validate());
  EXPECT_EQ(config.policy_for(rsa.get()).responder_url, "http://rsa.example/");
  EXPECT_EQ(config.policy_for(ec.get()).responder_url, "");
}

TEST(OcspNamesTest, StatusSourceAndReasonNames) {
  EXPECT_EQ(cert_status_name(CertStatus::kRevoked), "revoked");
  EXPECT_EQ(ocsp_source_name(OcspSource::kGrace), "grace");
  EXPECT_EQ(revocation_reason_name(OCSP_REVOKED_STATUS_KEYCOMPROMISE), "keyCompromise");
  EXPECT_EQ(revocation_reason_name(OCSP_REVOKED_STATUS_SUPERSEDED), "superseded");
}

std::string der_of_unsuccessful(int status) {
  OCSP_RESPONSE* response = OCSP_response_create(status, nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_RESPONSE(response, &der);
  std::string out(reinterpret_cast<char*>(der), len > 0 ? static_cast<size_t>(len) : 0);
  OPENSSL_free(der);
  OCSP_RESPONSE_free(response);
  return out;
}

Result<OcspStatus> check_with_answer(const std::string& answer) {
  auto member = certificate("rsa", "member-ocsp");
  auto issuer = certificate("rsa", "intermediate-ca");
  OcspConfig config;
  config.default_policy.responder_url = "http://127.0.0.1:9/ocsp";
  auto transport = std::make_shared<CannedTransport>(answer);
  auto checker = OcspChecker::create(config, transport, SystemClock::instance());
  if (!checker) return tl::unexpected(checker.error());
  return (*checker)->check(member.get(), issuer.get());
}

TEST(OcspResponseStatusTest, UnsuccessfulStatusesAreRefusedByName) {
  for (auto [code, name] : {std::pair{OCSP_RESPONSE_STATUS_TRYLATER, "trylater"},
                            std::pair{OCSP_RESPONSE_STATUS_INTERNALERROR, "internalerror"},
                            std::pair{OCSP_RESPONSE_STATUS_UNAUTHORIZED, "unauthorized"},
                            std::pair{OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "malformedrequest"}}) {
    auto status = check_with_answer(der_of_unsuccessful(code));
    ASSERT_FALSE(status) << name;
    EXPECT_EQ(status.error().code, ErrorCode::kCertUntrusted);
    EXPECT_TRUE(contains(status.error().detail, name)) << status.error().detail;
    EXPECT_TRUE(contains(status.error().detail, "fail_closed")) << status.error().detail;
  }
}

TEST(OcspResponseStatusTest, BytesThatAreNotAnOcspResponseAreRefused) {
  for (const std::string& garbage : {std::string(""), std::string("<html>busy</html>"),
                                     der_of_unsuccessful(OCSP_RESPONSE_STATUS_TRYLATER) + "x"}) {
    auto status = check_with_answer(garbage);
    ASSERT_FALSE(status);
    EXPECT_TRUE(contains(status.error().detail, "not a DER OCSP response"))
        << status.error().detail;
  }
}

TEST(OcspExchangeTest, RequestCarriesTheCertIdAndANonce) {
  auto member = certificate("rsa", "member-ocsp");
  auto issuer = certificate("rsa", "intermediate-ca");
  auto with_nonce = OcspExchange::create(member.get(), issuer.get(), true);
  auto again = OcspExchange::create(member.get(), issuer.get(), true);
  auto without = OcspExchange::create(member.get(), issuer.get(), false);
  ASSERT_TRUE(with_nonce && again && without);
  EXPECT_EQ(with_nonce->cert_id_key(), without->cert_id_key());
  EXPECT_NE(with_nonce->request_der(), again->request_der());  // fresh nonce each time
  EXPECT_LT(without->request_der().size(), with_nonce->request_der().size());
  // name hash (20 bytes SHA-1) : key hash : serial (16 bytes in the dev PKI)
  EXPECT_EQ(with_nonce->cert_id_key().size(), 40u + 1 + 40 + 1 + 32);
  auto other = certificate("rsa", "member-ocsp-revoked");
  EXPECT_NE(OcspExchange::create(other.get(), issuer.get(), false)->cert_id_key(),
            without->cert_id_key());
  EXPECT_FALSE(OcspExchange::create(member.get(), nullptr, true));
}

}  // namespace
}  // namespace lienthong::crypto
