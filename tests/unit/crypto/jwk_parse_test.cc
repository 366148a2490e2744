// JWKs into OpenSSL keys (gateway/crypto/jwk.h): what parses, what is refused, and which
// algorithm a key may serve.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/crypto/jwk.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::HasSubstr;

// RFC 7515 A.2 (RSA), A.3 (EC P-256), RFC 8037 A.2 (Ed25519), RFC 7515 A.1 (oct).
constexpr const char* kRsaN =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4"
    "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
    "bSf63kpaSHSXndS5z5rexMdbB"
    "YUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
    "DWN"
    "moudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const std::string kRsa = std::string(R"({"kty":"RSA","kid":"r","e":"AQAB","n":")") + kRsaN + "\"}";
constexpr const char* kEc =
    R"({"kty":"EC","crv":"P-256","kid":"e","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
constexpr const char* kEcPrivate =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",)"
    R"("d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
constexpr const char* kEd =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char* kEdPrivate =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",)"
    R"("d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"})";
constexpr const char* kOct =
    R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";

Jwk one(std::string_view text) {
  auto keys = parse_jwks(text);
  if (!keys) throw std::runtime_error(keys.error().detail);
  return std::move(keys->front());
}

std::string set_of(std::initializer_list<std::string> keys) {
  std::string out = R"({"keys":[)";
  for (const auto& k : keys) out += (out.back() == '[' ? "" : ",") + k;
  return out + "]}";
}

TEST(JwsAlgorithms, TableMatchesTheEnumAndNamesAreExact) {
  for (int a = 0; a <= static_cast<int>(JwsAlg::kEdDSA); ++a) {
    const auto alg = static_cast<JwsAlg>(a);
    EXPECT_EQ(jws_alg_spec(alg).alg, alg);
    EXPECT_EQ(jws_alg_from_name(jws_alg_name(alg)), alg);
  }
  for (const char* name : {"none", "NONE", "None", "es256", "Es256", "HS256 ", "RS1", "ES256K"})
    EXPECT_FALSE(jws_alg_from_name(name)) << name;
  EXPECT_TRUE(is_unsecured_alg_name("nOnE"));
  EXPECT_FALSE(is_unsecured_alg_name("non"));
  EXPECT_EQ(default_jws_algorithms().size(), 6u);
  for (JwsAlg alg : default_jws_algorithms()) EXPECT_FALSE(is_hmac(alg));
}

TEST(JwkParse, ReadsEveryKeyType) {
  const Jwk rsa = one(kRsa);
  EXPECT_EQ(rsa.family, JwsKeyFamily::kRsa);
  EXPECT_EQ(rsa.kid, "r");
  EXPECT_EQ(EVP_PKEY_get_bits(rsa.key.get()), 2048);
  EXPECT_FALSE(rsa.has_private);
  const Jwk ec = one(kEc);
  EXPECT_EQ(ec.family, JwsKeyFamily::kEc);
  EXPECT_EQ(ec.curve, "P-256");
  const Jwk ed = one(kEd);
  EXPECT_EQ(ed.family, JwsKeyFamily::kOkp);
  EXPECT_EQ(EVP_PKEY_get_base_id(ed.key.get()), EVP_PKEY_ED25519);
  const Jwk oct = one(kOct);
  EXPECT_EQ(oct.family, JwsKeyFamily::kOct);
  EXPECT_EQ(oct.secret.size(), 64u);
  EXPECT_TRUE(one(kEcPrivate).has_private);
  EXPECT_TRUE(one(kEdPrivate).has_private);
}

TEST(JwkParse, SetSkipsUnsupportedMembersButNotMalformedOnes) {
  const std::string x25519 =
      R"({"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"})";
  auto keys = parse_jwks(set_of({x25519, kEc, R"({"kty":"unknown"})"}));
  ASSERT_TRUE(keys) << keys.error().detail;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, "e");
  EXPECT_FALSE(parse_jwks(set_of({x25519})));  // nothing usable at all
  EXPECT_FALSE(parse_jwks(x25519));            // a single JWK must be usable
  auto broken = parse_jwks(set_of({kEc, R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})"}));
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().detail, HasSubstr("keys[1]"));
}

TEST(JwkParse, RefusesMalformedKeys) {
  // A coordinate shortened by one byte (RFC 7518 sec. 6.2.1.2 wants the full size).
  EXPECT_FALSE(
      parse_jwks(R"({"kty":"EC","crv":"P-256","x":"83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                 R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})"));
  // A point off the curve (y changed).
  EXPECT_FALSE(
      parse_jwks(R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                 R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"})"));
  // Padded base64url, missing members, wrong types, repeated names, not JSON.
  EXPECT_FALSE(parse_jwks(R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ=="})"));
  EXPECT_FALSE(parse_jwks(R"({"kty":"RSA","e":"AQAB"})"));
  EXPECT_FALSE(parse_jwks(R"({"kty":"oct","k":"AAAA","kid":7})"));
  EXPECT_FALSE(parse_jwks(R"({"kty":"oct","k":"AAAA","k":"BBBB"})"));
  EXPECT_FALSE(parse_jwks(R"({"kty":"oct","k":""})"));
  EXPECT_FALSE(parse_jwks("not json"));
  EXPECT_FALSE(parse_jwks(R"({"keys":{}})"));
  // Ed25519 private part that does not belong to x.
  EXPECT_FALSE(parse_jwks(
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",)"
      R"("d":"AWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"})"));
}

TEST(JwkRefusal, KeyTypeMustMatchAlg) {
  const Jwk rsa = one(kRsa), ec = one(kEc), ed = one(kEd), oct = one(kOct);
  EXPECT_EQ(rsa.refusal(JwsAlg::kRS256, true), "");
  EXPECT_EQ(rsa.refusal(JwsAlg::kPS256, true), "");
  EXPECT_EQ(ec.refusal(JwsAlg::kES256, true), "");
  EXPECT_EQ(ed.refusal(JwsAlg::kEdDSA, true), "");
  EXPECT_EQ(oct.refusal(JwsAlg::kHS256, true), "");
  EXPECT_THAT(rsa.refusal(JwsAlg::kHS256, true), HasSubstr("must match alg"));
  EXPECT_THAT(ec.refusal(JwsAlg::kRS256, true), HasSubstr("must match alg"));
  EXPECT_THAT(ec.refusal(JwsAlg::kES384, true), HasSubstr("P-384"));
  EXPECT_THAT(oct.refusal(JwsAlg::kES256, true), HasSubstr("must match alg"));
  EXPECT_THAT(ed.refusal(JwsAlg::kES256, true), HasSubstr("must match alg"));
  EXPECT_THAT(rsa.refusal(JwsAlg::kRS256, false), HasSubstr("no private part"));
}

TEST(JwkRefusal, KeyMembersAndStrength) {
  Jwk ec = one(kEc);
  ec.alg = "ES384";
  EXPECT_THAT(ec.refusal(JwsAlg::kES256, true), HasSubstr("restricted to alg"));
  ec.alg.clear();
  ec.use = "enc";
  EXPECT_THAT(ec.refusal(JwsAlg::kES256, true), HasSubstr("use 'enc'"));
  ec.use = "sig";
  ec.key_ops = {"sign"};
  EXPECT_THAT(ec.refusal(JwsAlg::kES256, true), HasSubstr("key_ops"));
  ec.key_ops = {"verify"};
  EXPECT_EQ(ec.refusal(JwsAlg::kES256, true), "");

  const Jwk short_secret = Jwk::from_secret(std::string(31, 'k'));
  EXPECT_THAT(short_secret.refusal(JwsAlg::kHS256, true), HasSubstr("shorter"));
  EXPECT_EQ(Jwk::from_secret(std::string(48, 'k')).refusal(JwsAlg::kHS384, true), "");
  EXPECT_THAT(Jwk::from_secret(std::string(48, 'k')).refusal(JwsAlg::kHS512, true),
              HasSubstr("shorter"));

  auto small = Jwk::from_key(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024})));
  ASSERT_TRUE(small);
  EXPECT_THAT(small->refusal(JwsAlg::kRS256, true), HasSubstr("RSA-1024"));
}

TEST(JwkFromPki, CertificateKeysAndPublicJwkRoundTrip) {
  for (const std::string kt : {"rsa", "ec"}) {
    auto jwk = Jwk::from_certificate(testing::certificate(kt, "member-g22"), "G22");
    ASSERT_TRUE(jwk) << jwk.error().detail;
    EXPECT_FALSE(jwk->has_private);
    EXPECT_EQ(jwk->fingerprint(), sha256_fingerprint(testing::certificate(kt, "member-g22").get()));
    auto text = public_jwk_json(*jwk);
    ASSERT_TRUE(text) << text.error().detail;
    const Jwk back = one(*text);
    EXPECT_EQ(back.kid, "G22");
    EXPECT_EQ(sha256_fingerprint(back.key.get()), sha256_fingerprint(jwk->key.get()));
  }
  auto ed = Jwk::from_key(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  ASSERT_TRUE(ed);
  EXPECT_TRUE(ed->has_private);
  const Jwk back = one(*public_jwk_json(*ed));
  EXPECT_EQ(sha256_fingerprint(back.key.get()), sha256_fingerprint(ed->key.get()));
  EXPECT_FALSE(public_jwk_json(one(kOct)));  // a secret has no public form
}

}  // namespace
}  // namespace lienthong::crypto
