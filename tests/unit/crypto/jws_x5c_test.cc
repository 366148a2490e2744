// x5c: the signer's certificate chain in the protected header, validated by the TrustStore
// (OpenSSL path validation) against the dev PKI at a given time. Valid, expired, revoked and
// untrusted members come from certs/dev-pki.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_crypto.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/jws_verifier.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::HasSubstr;

const std::string kPayload = R"({"iat":1767225600,"jti":"x5c-1"})";

class JwsX5cTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string kt() const { return GetParam(); }
  JwsAlg alg() const { return kt() == "rsa" ? JwsAlg::kPS256 : JwsAlg::kES256; }

  std::string sign_as(const std::string& who) const {
    auto signer = JwsSigner::from_identity(*testing::identity(kt(), who), "", true, alg());
    if (!signer) throw std::runtime_error(signer.error().detail);
    auto jws = (*signer)->sign(kPayload);
    if (!jws) throw std::runtime_error(jws.error().detail);
    return *jws;
  }

  std::shared_ptr<const OpenSslJwsVerifier> verifier(TrustStore::Ptr trust,
                                                     Clock::Ptr clock = SystemClock::instance(),
                                                     std::vector<Jwk> keys = {}) const {
    JwsVerifierConfig config;
    config.trust = std::move(trust);
    config.clock = std::move(clock);
    config.keys = std::move(keys);
    auto v = OpenSslJwsVerifier::create(std::move(config));
    if (!v) throw std::runtime_error(v.error().detail);
    return *v;
  }

  static ErrorCode code(const Result<VerifiedJws>& r) {
    return r ? ErrorCode::kInternal : r.error().code;
  }

  // A JWS whose x5c is `certs` but which `key` signed.
  std::string forged(const std::vector<const X509*>& certs, const Jwk& key) const {
    std::string header = std::string(R"({"alg":")") + jws_alg_name(alg()) + R"(","x5c":[)";
    for (size_t i = 0; i < certs.size(); ++i)
      header += (i ? ",\"" : "\"") + base64_encode(to_der(certs[i])) + "\"";
    const std::string prot = base64url_encode(header + "]}");
    const std::string input = prot + "." + base64url_encode(kPayload);
    auto sig = jws_sign(alg(), key, input);
    if (!sig) throw std::runtime_error(sig.error().detail);
    return input + "." + base64url_encode(*sig);
  }
};

TEST_P(JwsX5cTest, ChainToTheDevRootIsAccepted) {
  auto ok = verifier(testing::trust_store(kt()))->verify(sign_as("member-g22"));
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->payload, kPayload);
  const auto leaf = testing::certificate(kt(), "member-g22");
  EXPECT_EQ(ok->first().signer, subject_dn(leaf.get()));
  EXPECT_EQ(ok->first().signer_fingerprint, sha256_fingerprint(leaf.get()));
  ASSERT_EQ(ok->first().chain.size(), 3u);  // leaf, intermediate, root
  EXPECT_EQ(X509_cmp(ok->first().chain.back().get(), testing::certificate(kt(), "root-ca").get()),
            0);
}

TEST_P(JwsX5cTest, ExpiredRevokedAndUntrustedSignersAreRefused) {
  auto trust = testing::trust_store(kt());
  EXPECT_EQ(code(verifier(trust)->verify(sign_as("member-expired"))), ErrorCode::kCertExpired);
  EXPECT_EQ(code(verifier(trust)->verify(sign_as("member-revoked"))), ErrorCode::kCertRevoked);
  // A chain to the other hierarchy's root: no path to this trust store's anchor.
  auto other = testing::trust_store(kt() == "rsa" ? "ec" : "rsa");
  EXPECT_EQ(code(verifier(other)->verify(sign_as("member-g22"))), ErrorCode::kCertUntrusted);
}

TEST_P(JwsX5cTest, ValidityIsJudgedAtTheClocksTime) {
  const std::string jws = sign_as("member-g22");
  auto clock = std::make_shared<testing::ManualClock>(*parse_utc_time("2099-01-01 00:00:00"));
  EXPECT_EQ(code(verifier(testing::trust_store(kt()), clock)->verify(jws)),
            ErrorCode::kCertExpired);
}

TEST_P(JwsX5cTest, AGenuineCertificateDoesNotLendItsNameToAnotherKey) {
  const auto leaf = testing::certificate(kt(), "member-g22");
  const auto intermediate = testing::certificate(kt(), "intermediate-ca");
  auto attacker = Jwk::from_key(share(testing::identity(kt(), "member-h20")->key.get()));
  ASSERT_TRUE(attacker);
  // Even with the attacker's key configured: once x5c names a signer, only its key counts.
  std::vector<Jwk> keys;
  keys.push_back(attacker->clone());
  auto r = verifier(testing::trust_store(kt()), SystemClock::instance(), std::move(keys))
               ->verify(forged({leaf.get(), intermediate.get()}, *attacker));
  EXPECT_EQ(code(r), ErrorCode::kSignatureInvalid);
}

TEST_P(JwsX5cTest, WithoutTrustAnchorsX5cIsNotUsed) {
  const std::string jws = sign_as("member-g22");
  EXPECT_EQ(code(verifier(nullptr)->verify(jws)), ErrorCode::kCertUntrusted);
  // A configured key (pinned certificate) still verifies it; x5c is ignored.
  auto pinned = Jwk::from_certificate(testing::certificate(kt(), "member-g22"));
  ASSERT_TRUE(pinned);
  std::vector<Jwk> keys;
  keys.push_back(std::move(*pinned));
  auto ok = verifier(nullptr, SystemClock::instance(), std::move(keys))->verify(jws);
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->first().chain.size(), 1u);
}

TEST_P(JwsX5cTest, X5cMustBeProtectedAndWellFormed) {
  auto v = verifier(testing::trust_store(kt()));
  auto key = Jwk::from_key(share(testing::identity(kt(), "member-g22")->key.get()));
  ASSERT_TRUE(key);
  const std::string der = base64_encode(to_der(testing::certificate(kt(), "member-g22").get()));
  const std::string prot =
      base64url_encode(std::string(R"({"alg":")") + jws_alg_name(alg()) + "\"}");
  const std::string payload = base64url_encode(kPayload);
  const std::string sig = base64url_encode(*jws_sign(alg(), *key, prot + "." + payload));
  auto unprotected =
      v->verify("{\"protected\":\"" + prot + "\",\"header\":{\"x5c\":[\"" + der +
                "\"]},\"payload\":\"" + payload + "\",\"signature\":\"" + sig + "\"}");
  EXPECT_EQ(code(unprotected), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(unprotected.error().detail, HasSubstr("x5c"));

  for (const std::string& bad : {std::string("\"x5c\":\"") + der + "\"",  // not an array
                                 std::string("\"x5c\":[]"),
                                 std::string("\"x5c\":[\"") + der + "AAAA\"]",  // trailing bytes
                                 std::string("\"x5c\":[\"%%%%\"]"),
                                 std::string("\"x5c\":[\"") + der.substr(0, 40) + "\"]"}) {
    const std::string p =
        base64url_encode(std::string(R"({"alg":")") + jws_alg_name(alg()) + "\"," + bad + "}");
    const std::string s = base64url_encode(*jws_sign(alg(), *key, p + "." + payload));
    EXPECT_EQ(code(v->verify(p + "." + payload + "." + s)), ErrorCode::kSignatureInvalid) << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(DevPki, JwsX5cTest, ::testing::Values("rsa", "ec"));

}  // namespace
}  // namespace lienthong::crypto
