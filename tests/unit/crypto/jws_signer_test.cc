// JwsSigner -> OpenSslJwsVerifier round trips: every algorithm, every serialization, detached
// and unencoded payloads, with dev-PKI keys (RSA-2048, P-256) and generated ones (P-384, P-521,
// Ed25519, HMAC secrets).
#include "gateway/crypto/jws_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_verifier.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

Jwk generated(const char* type, const char* curve = nullptr) {
  EVP_PKEY* raw = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  auto jwk = Jwk::from_key(EvpPkeyPtr(raw));
  if (!jwk) throw std::runtime_error(jwk.error().detail);
  return std::move(*jwk);
}

Jwk dev_pki(const std::string& kt) {
  auto jwk = Jwk::from_key(share(testing::identity(kt, "gateway-sign")->key.get()));
  if (!jwk) throw std::runtime_error(jwk.error().detail);
  return std::move(*jwk);
}

// The public half, as a verifier would be configured with it.
Jwk public_of(const Jwk& key) {
  if (key.family == JwsKeyFamily::kOct) return key.clone();
  auto text = public_jwk_json(key);
  if (!text) throw std::runtime_error(text.error().detail);
  auto keys = parse_jwks(*text);
  if (!keys) throw std::runtime_error(keys.error().detail);
  return std::move(keys->front());
}

std::shared_ptr<const OpenSslJwsVerifier> verifier(const Jwk& key, JwsAlg alg) {
  JwsVerifierConfig config;
  config.algorithms = {alg};
  config.keys.push_back(public_of(key));
  auto v = OpenSslJwsVerifier::create(std::move(config));
  if (!v) throw std::runtime_error(v.error().detail);
  return *v;
}

class RoundTrip : public ::testing::TestWithParam<JwsAlg> {};

Jwk key_for(JwsAlg alg) {
  switch (jws_alg_spec(alg).family) {
    case JwsKeyFamily::kOct:
      return Jwk::from_secret(std::string(jws_alg_spec(alg).size, '\x5a'));
    case JwsKeyFamily::kRsa:
      return dev_pki("rsa");
    case JwsKeyFamily::kOkp:
      return generated("ED25519");
    case JwsKeyFamily::kEc:
      if (alg == JwsAlg::kES256) return dev_pki("ec");
      return generated("EC", alg == JwsAlg::kES384 ? "P-384" : "P-521");
  }
  throw std::logic_error("alg");
}

TEST_P(RoundTrip, EverySerializationAndPayloadForm) {
  const JwsAlg alg = GetParam();
  const Jwk key = key_for(alg);
  JwsSignerConfig config;
  config.alg = alg;
  config.kid = "k-1";
  auto signer = JwsSigner::create(key.clone(), std::move(config));
  ASSERT_TRUE(signer) << signer.error().detail;
  const auto v = verifier(key, alg);
  const std::string payload = R"({"iat":1767225600,"jti":"a.b","ten":"Trần Văn Ấn"})";
  for (auto ser :
       {JwsSerialization::kCompact, JwsSerialization::kFlattened, JwsSerialization::kGeneral}) {
    for (bool detached : {false, true}) {
      for (bool b64 : {true, false}) {
        SCOPED_TRACE(std::string(jws_serialization_name(ser)) + (detached ? " detached" : "") +
                     (b64 ? "" : " b64=false"));
        JwsSignOptions options{ser, detached, b64, "JWT"};
        auto jws = (*signer)->sign(payload, options);
        if (!b64 && !detached && ser == JwsSerialization::kCompact) {
          ASSERT_FALSE(jws);  // the payload has a '.': RFC 7797 sec. 5.2
          continue;
        }
        ASSERT_TRUE(jws) << jws.error().detail;
        auto verified = detached ? v->verify(*jws, payload) : v->verify(*jws);
        ASSERT_TRUE(verified) << verified.error().detail;
        EXPECT_EQ(verified->payload, payload);
        EXPECT_EQ(verified->serialization, ser);
        EXPECT_EQ(verified->detached, detached);
        EXPECT_EQ(verified->b64, b64);
        EXPECT_EQ(verified->first().alg, jws_alg_name(alg));
        EXPECT_EQ(verified->first().kid, "k-1");
        EXPECT_THAT(verified->first().protected_header, HasSubstr("\"typ\":\"JWT\""));
        // One changed payload byte breaks it.
        const std::string other = R"({"iat":1767225601,"jti":"a.b","ten":"Trần Văn Ấn"})";
        if (detached) {
          EXPECT_FALSE(v->verify(*jws, other));
          continue;
        }
        const std::string part = b64 ? base64url_encode(other) : other;
        std::string forged;
        if (ser == JwsSerialization::kCompact) {
          const size_t dot1 = jws->find('.'), dot2 = jws->rfind('.');
          forged = jws->substr(0, dot1 + 1) + part + jws->substr(dot2);
        } else {
          json doc = json::parse(*jws);
          doc["payload"] = part;
          forged = doc.dump();
        }
        auto refused = v->verify(forged);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::kSignatureInvalid);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryAlg, RoundTrip,
                         ::testing::Values(JwsAlg::kHS256, JwsAlg::kHS384, JwsAlg::kHS512,
                                           JwsAlg::kRS256, JwsAlg::kRS384, JwsAlg::kRS512,
                                           JwsAlg::kPS256, JwsAlg::kPS384, JwsAlg::kPS512,
                                           JwsAlg::kES256, JwsAlg::kES384, JwsAlg::kES512,
                                           JwsAlg::kEdDSA),
                         [](const auto& info) { return std::string(jws_alg_name(info.param)); });

TEST(JwsSigner, EcdsaSignaturesAreRawAndExactLength) {
  for (auto [alg, curve, size] :
       {std::tuple{JwsAlg::kES256, "P-256", 64}, std::tuple{JwsAlg::kES384, "P-384", 96},
        std::tuple{JwsAlg::kES512, "P-521", 132}}) {
    auto signer = JwsSigner::create(generated("EC", curve));
    ASSERT_TRUE(signer);
    EXPECT_EQ((*signer)->alg(), alg);  // the default follows the curve
    for (int i = 0; i < 16; ++i) {     // r or s with leading zeros must still be full length
      auto jws = (*signer)->sign("x");
      ASSERT_TRUE(jws);
      auto sig = base64url_decode(jws->substr(jws->rfind('.') + 1));
      ASSERT_TRUE(sig);
      EXPECT_EQ(sig->size(), static_cast<size_t>(size));
    }
  }
}

TEST(JwsSigner, DefaultsAndRefusals) {
  EXPECT_EQ((*JwsSigner::create(dev_pki("rsa")))->alg(), JwsAlg::kPS256);
  EXPECT_EQ((*JwsSigner::create(dev_pki("ec")))->alg(), JwsAlg::kES256);
  EXPECT_EQ((*JwsSigner::create(generated("ED25519")))->alg(), JwsAlg::kEdDSA);
  EXPECT_EQ((*JwsSigner::create(Jwk::from_secret(std::string(32, 's'))))->alg(), JwsAlg::kHS256);

  JwsSignerConfig wrong_type;
  wrong_type.alg = JwsAlg::kRS256;
  auto refused = JwsSigner::create(dev_pki("ec"), std::move(wrong_type));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSignaturePolicy);

  auto public_only = Jwk::from_certificate(testing::certificate("ec", "gateway-sign"));
  ASSERT_TRUE(public_only);
  EXPECT_FALSE(JwsSigner::create(std::move(*public_only)));

  JwsSignerConfig other_cert;
  other_cert.x5c.push_back(testing::certificate("ec", "member-g22"));
  auto mismatch = JwsSigner::create(dev_pki("ec"), std::move(other_cert));
  ASSERT_FALSE(mismatch);
  EXPECT_THAT(mismatch.error().detail, HasSubstr("does not match"));
}

TEST(JwsSigner, FromIdentityPutsTheChainInX5c) {
  auto signer = JwsSigner::from_identity(*testing::identity("ec", "gateway-sign"), "gw", true);
  ASSERT_TRUE(signer) << signer.error().detail;
  auto jws = (*signer)->sign("{}");
  ASSERT_TRUE(jws);
  const auto header = json::parse(*base64url_decode(jws->substr(0, jws->find('.'))));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], "gw");
  ASSERT_EQ(header["x5c"].size(), 2u);  // leaf and intermediate, not the root
  EXPECT_EQ(header["x5c"][0],
            base64_encode(to_der(testing::certificate("ec", "gateway-sign").get())));
}

}  // namespace
}  // namespace lienthong::crypto
