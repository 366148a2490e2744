// OpenSslJwsVerifier: every refusal rule of DESIGN.md §3 / issue 4, each with a JWS whose
// signature is correct, so that only the rule can refuse it; kid selection; the general
// serialization; b64=false; limits.
#include "gateway/crypto/jws_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_crypto.h"
#include "gateway/crypto/key_material.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::HasSubstr;

Jwk generated(const char* type, const char* curve = nullptr, std::string kid = {}) {
  EVP_PKEY* raw = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  auto jwk = Jwk::from_key(EvpPkeyPtr(raw), std::move(kid));
  if (!jwk) throw std::runtime_error(jwk.error().detail);
  return std::move(*jwk);
}

std::string sig_b64(JwsAlg alg, const Jwk& key, const std::string& input) {
  auto sig = jws_sign(alg, key, input);
  if (!sig) throw std::runtime_error(sig.error().detail);
  return base64url_encode(*sig);
}

// A compact JWS over exactly these header bytes, correctly signed.
std::string compact(const std::string& header, const std::string& payload_part, const Jwk& key,
                    JwsAlg alg) {
  const std::string prot = base64url_encode(header);
  return prot + "." + payload_part + "." + sig_b64(alg, key, prot + "." + payload_part);
}

// A flattened JWS with these protected and unprotected headers ("" for none).
std::string flattened(const std::string& prot_header, const std::string& unprotected,
                      const std::string& payload_part, const Jwk& key, JwsAlg alg) {
  const std::string prot = prot_header.empty() ? "" : base64url_encode(prot_header);
  std::string out = "{";
  if (!prot.empty()) out += "\"protected\":\"" + prot + "\",";
  if (!unprotected.empty()) out += "\"header\":" + unprotected + ",";
  return out + "\"payload\":\"" + payload_part + "\",\"signature\":\"" +
         sig_b64(alg, key, prot + "." + payload_part) + "\"}";
}

const std::string kPayload = base64url_encode(R"({"iat":1767225600,"jti":"r-1"})");

class JwsVerifierTest : public ::testing::Test {
 protected:
  Jwk ec = generated("EC", "P-256", "ec-1");
  Jwk ec2 = generated("EC", "P-256", "ec-2");
  Jwk p384 = generated("EC", "P-384", "p384");
  Jwk ed = generated("ED25519", nullptr, "ed-1");
  Jwk secret = Jwk::from_secret(std::string(32, '\x42'), "mac-1");

  std::shared_ptr<const OpenSslJwsVerifier> make(std::vector<const Jwk*> keys,
                                                 std::set<JwsAlg> algs = default_jws_algorithms(),
                                                 JwsLimits limits = {}) {
    JwsVerifierConfig config;
    config.algorithms = std::move(algs);
    for (const Jwk* k : keys) {
      Jwk pub = k->clone();
      pub.has_private = false;
      config.keys.push_back(std::move(pub));
    }
    config.limits = limits;
    auto v = OpenSslJwsVerifier::create(std::move(config));
    if (!v) throw std::runtime_error(v.error().detail);
    return *v;
  }

  static ErrorCode code(const Result<VerifiedJws>& r) {
    return r ? ErrorCode::kInternal : r.error().code;
  }
};

TEST_F(JwsVerifierTest, AcceptsAWellFormedJws) {
  auto v = make({&ec});
  auto ok = v->verify(compact(R"({"alg":"ES256","kid":"ec-1"})", kPayload, ec, JwsAlg::kES256));
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->payload, R"({"iat":1767225600,"jti":"r-1"})");
  EXPECT_EQ(ok->first().alg, "ES256");
  EXPECT_EQ(ok->first().kid, "ec-1");
  EXPECT_EQ(ok->first().signer_fingerprint, sha256_fingerprint(ec.key.get()));
}

TEST_F(JwsVerifierTest, RefusesAlgNoneInAnyCase) {
  // Even with HMAC allowed and the secret configured, and even with a correct MAC attached.
  auto v = make({&secret}, {JwsAlg::kHS256});
  for (const char* none : {"none", "NONE", "None", "nOnE"}) {
    const std::string header = std::string(R"({"alg":")") + none + "\"}";
    const std::string prot = base64url_encode(header);
    auto empty_sig = v->verify(prot + "." + kPayload + ".");
    EXPECT_EQ(code(empty_sig), ErrorCode::kSignaturePolicy) << none;
    auto with_mac = v->verify(prot + "." + kPayload + "." +
                              sig_b64(JwsAlg::kHS256, secret, prot + "." + kPayload));
    EXPECT_EQ(code(with_mac), ErrorCode::kSignaturePolicy) << none;
  }
}

TEST_F(JwsVerifierTest, RefusesHmacUnlessAllowedExplicitly) {
  const std::string jws = compact(R"({"alg":"HS256"})", kPayload, secret, JwsAlg::kHS256);
  auto by_default = make({&secret})->verify(jws);
  EXPECT_EQ(code(by_default), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(by_default.error().detail, HasSubstr("not allowed"));
  EXPECT_TRUE(make({&secret}, {JwsAlg::kHS256})->verify(jws));
}

TEST_F(JwsVerifierTest, RefusesAlgOutsideTheAllowListAndUnknownAlgs) {
  auto v = make({&ec}, {JwsAlg::kES384});
  EXPECT_EQ(code(v->verify(compact(R"({"alg":"ES256"})", kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kSignaturePolicy);
  auto unknown =
      make({&ec})->verify(base64url_encode(R"({"alg":"ES256K"})") + "." + kPayload + ".AAAA");
  EXPECT_EQ(code(unknown), ErrorCode::kSignaturePolicy);
  auto lowercase = make({&ec})->verify(compact(R"({"alg":"es256"})", kPayload, ec, JwsAlg::kES256));
  EXPECT_EQ(code(lowercase), ErrorCode::kSignaturePolicy);
}

TEST_F(JwsVerifierTest, HmacKeyConfusionWithAnAsymmetricKeyIsRefused) {
  // CVE-2015-9235 class: the verifier's public key bytes used as an HMAC secret.
  auto rsa = Jwk::from_key(share(testing::identity("rsa", "gateway-sign")->key.get()));
  ASSERT_TRUE(rsa);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, rsa->key.get());
  char* pem = nullptr;
  const long len = BIO_get_mem_data(bio, &pem);
  const Jwk fake_secret = Jwk::from_secret(std::string(pem, static_cast<size_t>(len)));
  BIO_free(bio);
  auto v = make({&*rsa}, {JwsAlg::kRS256, JwsAlg::kHS256});
  auto r = v->verify(compact(R"({"alg":"HS256"})", kPayload, fake_secret, JwsAlg::kHS256));
  EXPECT_EQ(code(r), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(r.error().detail, HasSubstr("must match alg"));
}

TEST_F(JwsVerifierTest, KeyTypeMustMatchAlg) {
  // An Ed25519 signature labelled ES256, with the Ed25519 key configured: refused by type.
  auto v = make({&ed});
  auto r = v->verify(compact(R"({"alg":"ES256"})", kPayload, ed, JwsAlg::kEdDSA));
  EXPECT_EQ(code(r), ErrorCode::kSignaturePolicy);
  // A P-384 key does not serve ES256, even when the signature is a real P-384 ECDSA one.
  auto curve = make({&p384}, {JwsAlg::kES256, JwsAlg::kES384})
                   ->verify(compact(R"({"alg":"ES256"})", kPayload, p384, JwsAlg::kES384));
  EXPECT_EQ(code(curve), ErrorCode::kSignaturePolicy);
}

TEST_F(JwsVerifierTest, RefusesKeysEmbeddedInTheHeader) {
  // Signed by the configured key, so only the rule refuses it.
  const std::string jwk_member =
      R"("jwk":{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
      R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
  auto v = make({&ec});
  for (const std::string& member :
       {jwk_member, std::string(R"("jku":"https://attacker.example/jwks")"),
        std::string(R"("x5u":"https://attacker.example/cert.pem")")}) {
    auto r = v->verify(compact(R"({"alg":"ES256",)" + member + "}", kPayload, ec, JwsAlg::kES256));
    EXPECT_EQ(code(r), ErrorCode::kSignaturePolicy) << member;
    auto unprotected = v->verify(
        flattened(R"({"alg":"ES256"})", "{" + member + "}", kPayload, ec, JwsAlg::kES256));
    EXPECT_EQ(code(unprotected), ErrorCode::kSignaturePolicy) << member;
  }
}

TEST_F(JwsVerifierTest, CritMayNameOnlyAProtectedB64) {
  auto v = make({&ec});
  auto sign = [&](const std::string& header) {
    return v->verify(compact(header, kPayload, ec, JwsAlg::kES256));
  };
  EXPECT_EQ(code(sign(R"({"alg":"ES256","crit":["exp"],"exp":1363284000})")),
            ErrorCode::kSignaturePolicy);
  EXPECT_EQ(code(sign(R"({"alg":"ES256","crit":["b64"]})")), ErrorCode::kSignaturePolicy);
  EXPECT_EQ(code(sign(R"({"alg":"ES256","crit":[]})")), ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(sign(R"({"alg":"ES256","crit":"b64","b64":true})")), ErrorCode::kSignatureInvalid);
  EXPECT_TRUE(sign(R"({"alg":"ES256","crit":["b64"],"b64":true})"));
  // crit in the unprotected header.
  auto unprotected = v->verify(flattened(R"({"alg":"ES256","b64":true})", R"({"crit":["b64"]})",
                                         kPayload, ec, JwsAlg::kES256));
  EXPECT_EQ(code(unprotected), ErrorCode::kSignaturePolicy);
}

TEST_F(JwsVerifierTest, B64NeedsCritAndProtection) {
  auto v = make({&ec});
  const std::string raw = "$.02";
  // b64=false without crit: a verifier ignoring b64 would read "$.02" as base64url garbage.
  auto no_crit =
      v->verify(flattened(R"({"alg":"ES256","b64":false})", "", raw, ec, JwsAlg::kES256));
  EXPECT_EQ(code(no_crit), ErrorCode::kSignaturePolicy);
  auto unprotected = v->verify(
      flattened(R"({"alg":"ES256","crit":["b64"]})", R"({"b64":false})", raw, ec, JwsAlg::kES256));
  EXPECT_EQ(code(unprotected), ErrorCode::kSignaturePolicy);
  auto not_bool = v->verify(
      flattened(R"({"alg":"ES256","b64":"false","crit":["b64"]})", "", raw, ec, JwsAlg::kES256));
  EXPECT_EQ(code(not_bool), ErrorCode::kSignatureInvalid);
  auto ok = v->verify(
      flattened(R"({"alg":"ES256","b64":false,"crit":["b64"]})", "", raw, ec, JwsAlg::kES256));
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->payload, raw);
  EXPECT_FALSE(ok->b64);
}

TEST_F(JwsVerifierTest, B64FalseDetachedCompact) {
  const std::string header = R"({"alg":"ES256","b64":false,"crit":["b64"]})";
  const std::string prot = base64url_encode(header);
  const std::string raw = "$.02 \xe1\xba\xa5";
  const std::string jws = prot + ".." + sig_b64(JwsAlg::kES256, ec, prot + "." + raw);
  auto v = make({&ec});
  auto ok = v->verify(jws, raw);
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->payload, raw);
  EXPECT_TRUE(ok->detached);
  EXPECT_EQ(code(v->verify(jws, "$.03")), ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(v->verify(jws)), ErrorCode::kSignatureInvalid);  // empty payload then
  // A verifier treating it as b64=true would sign over BASE64URL(raw): that must not pass.
  const std::string as_b64 =
      prot + ".." + sig_b64(JwsAlg::kES256, ec, prot + "." + base64url_encode(raw));
  EXPECT_EQ(code(v->verify(as_b64, raw)), ErrorCode::kSignatureInvalid);
}

TEST_F(JwsVerifierTest, PayloadBothInsideAndDetachedIsRefused) {
  auto v = make({&ec});
  const std::string jws = compact(R"({"alg":"ES256"})", kPayload, ec, JwsAlg::kES256);
  EXPECT_EQ(code(v->verify(jws, "other")), ErrorCode::kBadRequest);
}

TEST_F(JwsVerifierTest, ParameterInBothHeadersIsRefused) {
  auto v = make({&ec});
  auto r = v->verify(flattened(R"({"alg":"ES256","kid":"ec-1"})", R"({"kid":"ec-2"})", kPayload, ec,
                               JwsAlg::kES256));
  EXPECT_EQ(code(r), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(r.error().detail, HasSubstr("both protected and unprotected"));
  auto alg_twice = v->verify(
      flattened(R"({"alg":"ES256"})", R"({"alg":"ES256"})", kPayload, ec, JwsAlg::kES256));
  EXPECT_EQ(code(alg_twice), ErrorCode::kSignaturePolicy);
}

TEST_F(JwsVerifierTest, RepeatedMemberNamesAreRefused) {
  auto v = make({&ec, &ec2});
  // ec-2 signed these bytes: a last-wins parser would read kid ec-2 and accept.
  auto header = v->verify(
      compact(R"({"alg":"ES256","kid":"ec-1","kid":"ec-2"})", kPayload, ec2, JwsAlg::kES256));
  EXPECT_EQ(code(header), ErrorCode::kSignatureInvalid);
  EXPECT_THAT(header.error().detail, HasSubstr("repeated"));
  const std::string good = flattened(R"({"alg":"ES256"})", "", kPayload, ec, JwsAlg::kES256);
  const std::string doubled = "{\"payload\":\"e30\"," + good.substr(1);
  EXPECT_EQ(code(v->verify(doubled)), ErrorCode::kBadRequest);
  auto unprotected = v->verify(flattened(R"({"alg":"ES256"})", R"({"kid":"ec-1","kid":"ec-2"})",
                                         kPayload, ec, JwsAlg::kES256));
  EXPECT_EQ(code(unprotected), ErrorCode::kBadRequest);
}

TEST_F(JwsVerifierTest, EcdsaSignatureMustBeRawOfExactLength) {
  auto v = make({&ec});
  const std::string prot = base64url_encode(R"({"alg":"ES256"})");
  const std::string input = prot + "." + kPayload;
  // DER, as OpenSSL produces it natively.
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  ASSERT_EQ(
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, ec.key.get(), nullptr),
      1);
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string der(len, '\0');
  ASSERT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  der.resize(len);
  auto r = v->verify(input + "." + base64url_encode(der));
  EXPECT_EQ(code(r), ErrorCode::kSignatureInvalid);
  EXPECT_THAT(r.error().detail, HasSubstr("raw R||S"));
  auto raw = jws_sign(JwsAlg::kES256, ec, input);
  ASSERT_TRUE(raw);
  EXPECT_EQ(code(v->verify(input + "." + base64url_encode(*raw + std::string(1, '\0')))),
            ErrorCode::kSignatureInvalid);
  EXPECT_TRUE(v->verify(input + "." + base64url_encode(*raw)));
}

TEST_F(JwsVerifierTest, KidSelectsAmongConfiguredKeys) {
  auto v = make({&ec, &ec2});
  auto by_kid =
      v->verify(compact(R"({"alg":"ES256","kid":"ec-2"})", kPayload, ec2, JwsAlg::kES256));
  ASSERT_TRUE(by_kid) << by_kid.error().detail;
  EXPECT_EQ(by_kid->first().signer_fingerprint, sha256_fingerprint(ec2.key.get()));
  // kid names ec-1 but ec-2 signed: ec-2 must not be tried.
  auto wrong = v->verify(compact(R"({"alg":"ES256","kid":"ec-1"})", kPayload, ec2, JwsAlg::kES256));
  EXPECT_EQ(code(wrong), ErrorCode::kSignatureInvalid);
  auto unknown =
      v->verify(compact(R"({"alg":"ES256","kid":"ec-9"})", kPayload, ec, JwsAlg::kES256));
  EXPECT_EQ(code(unknown), ErrorCode::kCertUntrusted);
  // No kid: every configured key of the right type is a candidate.
  auto any = v->verify(compact(R"({"alg":"ES256"})", kPayload, ec2, JwsAlg::kES256));
  ASSERT_TRUE(any);
  EXPECT_EQ(any->first().signer_fingerprint, sha256_fingerprint(ec2.key.get()));
  EXPECT_EQ(code(v->verify(compact(R"({"alg":"ES256","kid":7})", kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kSignatureInvalid);
}

TEST_F(JwsVerifierTest, GeneralSerializationNeedsEverySignature) {
  auto v = make({&ec, &ed});
  const std::string p1 = base64url_encode(R"({"alg":"ES256","kid":"ec-1"})");
  const std::string p2 = base64url_encode(R"({"alg":"EdDSA","kid":"ed-1"})");
  const std::string s1 = sig_b64(JwsAlg::kES256, ec, p1 + "." + kPayload);
  const std::string s2 = sig_b64(JwsAlg::kEdDSA, ed, p2 + "." + kPayload);
  auto general = [&](const std::string& sig2) {
    return "{\"payload\":\"" + kPayload + "\",\"signatures\":[{\"protected\":\"" + p1 +
           "\",\"signature\":\"" + s1 + "\"},{\"protected\":\"" + p2 + "\",\"signature\":\"" +
           sig2 + "\"}]}";
  };
  auto ok = v->verify(general(s2));
  ASSERT_TRUE(ok) << ok.error().detail;
  ASSERT_EQ(ok->signatures.size(), 2u);
  EXPECT_EQ(ok->signatures[1].alg, "EdDSA");
  std::string bad = s2;
  bad[5] = bad[5] == 'A' ? 'B' : 'A';
  auto one_bad = v->verify(general(bad));
  EXPECT_EQ(code(one_bad), ErrorCode::kSignatureInvalid);
  EXPECT_THAT(one_bad.error().detail, HasSubstr("signatures[1]"));
  // A policy failure in any one signature refuses the whole JWS too.
  const std::string p3 = base64url_encode(R"({"alg":"none"})");
  auto with_none = v->verify("{\"payload\":\"" + kPayload + "\",\"signatures\":[{\"protected\":\"" +
                             p1 + "\",\"signature\":\"" + s1 + "\"},{\"protected\":\"" + p3 +
                             "\",\"signature\":\"\"}]}");
  EXPECT_EQ(code(with_none), ErrorCode::kSignaturePolicy);
}

TEST_F(JwsVerifierTest, StructureAndEncodingAreStrict) {
  auto v = make({&ec});
  const std::string jws = compact(R"({"alg":"ES256"})", kPayload, ec, JwsAlg::kES256);
  EXPECT_TRUE(v->verify(jws + "\n"));  // a file's trailing newline is not part of it
  EXPECT_EQ(code(v->verify(jws + ".x")), ErrorCode::kBadRequest);
  EXPECT_EQ(code(v->verify("not a jws")), ErrorCode::kBadRequest);
  EXPECT_EQ(code(v->verify("")), ErrorCode::kBadRequest);
  EXPECT_EQ(code(v->verify("{\"payload\":")), ErrorCode::kBadRequest);
  EXPECT_EQ(code(v->verify(jws + "=")), ErrorCode::kSignatureInvalid);  // padded
  std::string plus = jws;
  plus[plus.find('.') + 1] = '+';
  EXPECT_EQ(code(v->verify(plus)), ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(v->verify(compact("[1]", kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(v->verify(compact(R"({"kid":"x"})", kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kSignatureInvalid);  // no alg
  EXPECT_EQ(code(v->verify("." + kPayload + ".AAAA")), ErrorCode::kSignatureInvalid);
}

TEST_F(JwsVerifierTest, LimitsAreEnforced) {
  JwsLimits limits;
  limits.max_bytes = 4096;
  limits.max_header_bytes = 256;
  limits.max_depth = 4;
  auto v = make({&ec}, default_jws_algorithms(), limits);
  const std::string big = base64url_encode(std::string(4000, 'x'));
  EXPECT_EQ(code(v->verify(compact(R"({"alg":"ES256"})", big, ec, JwsAlg::kES256))),
            ErrorCode::kBadRequest);
  const std::string long_header = R"({"alg":"ES256","x":")" + std::string(300, 'a') + "\"}";
  EXPECT_EQ(code(v->verify(compact(long_header, kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kBadRequest);
  const std::string deep = R"({"alg":"ES256","x":[[[[[1]]]]]})";
  EXPECT_EQ(code(v->verify(compact(deep, kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(v->verify("{\"payload\":" + std::string(50, '[') + std::string(50, ']') + "}")),
            ErrorCode::kBadRequest);
}

TEST_F(JwsVerifierTest, DetailsNeverQuoteThePayload) {
  auto v = make({&ec, &ec2});
  const std::string secret_text = "0123456789-citizen-secret";
  const std::string prot = base64url_encode(R"({"alg":"ES256"})");
  const std::string other = base64url_encode(secret_text);
  const std::string sig = sig_b64(JwsAlg::kES256, ec, prot + "." + kPayload);
  for (const std::string& jws :
       {prot + "." + other + "." + sig, "{\"payload\":\"" + secret_text + "\"}",
        flattened(R"({"alg":"ES256","b64":false,"crit":["b64"]})", "", secret_text, ec,
                  JwsAlg::kES256) +
            "x"}) {
    auto r = v->verify(jws);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().detail, ::testing::Not(HasSubstr("citizen")));
  }
}

TEST_F(JwsVerifierTest, EmptySignatureAndNothingTrusted) {
  const std::string prot = base64url_encode(R"({"alg":"ES256"})");
  EXPECT_EQ(code(make({&ec})->verify(prot + "." + kPayload + ".")), ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code(make({})->verify(compact(R"({"alg":"ES256"})", kPayload, ec, JwsAlg::kES256))),
            ErrorCode::kCertUntrusted);
}

TEST_F(JwsVerifierTest, WeakRsaKeysAreRefused) {
  auto small = Jwk::from_key(share(testing::identity("rsa", "gateway-sign")->key.get()));
  ASSERT_TRUE(small);
  auto weak = Jwk::from_key(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024})));
  ASSERT_TRUE(weak);
  auto r = make({&*weak})->verify(compact(R"({"alg":"RS256"})", kPayload, *weak, JwsAlg::kRS256));
  EXPECT_EQ(code(r), ErrorCode::kSignaturePolicy);
  EXPECT_TRUE(
      make({&*small})->verify(compact(R"({"alg":"RS256"})", kPayload, *small, JwsAlg::kRS256)));
}

TEST_F(JwsVerifierTest, PinnedCertificateValidityIsChecked) {
  for (const std::string kt : {"rsa", "ec"}) {
    auto identity = crypto::SigningIdentity::load(testing::pki_file(kt, "member-expired.key"),
                                                  testing::pki_file(kt, "member-expired.crt"));
    ASSERT_TRUE(identity) << identity.error().detail;
    auto signing = Jwk::from_key(share((*identity)->key.get()));
    auto pinned = Jwk::from_certificate(share((*identity)->certificate.get()));
    ASSERT_TRUE(signing && pinned);
    const JwsAlg alg = kt == "rsa" ? JwsAlg::kPS256 : JwsAlg::kES256;
    const std::string jws =
        compact(std::string(R"({"alg":")") + jws_alg_name(alg) + "\"}", kPayload, *signing, alg);
    auto now = make({&*pinned})->verify(jws);
    EXPECT_EQ(code(now), ErrorCode::kCertExpired);
    JwsVerifierConfig config;
    config.keys.push_back(pinned->clone());
    config.clock = std::make_shared<FixedClock>(*parse_utc_time("2024-06-01 00:00:00"));
    auto then = (*OpenSslJwsVerifier::create(std::move(config)))->verify(jws);
    ASSERT_TRUE(then) << then.error().detail;
    ASSERT_EQ(then->first().chain.size(), 1u);
  }
}

}  // namespace
}  // namespace lienthong::crypto
