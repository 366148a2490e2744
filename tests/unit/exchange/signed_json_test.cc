// Signed JSON requests: a member's JWS verifies only with the key of the certificate it
// connected with; the gateway's answers verify with the gateway's signing certificate.
#include "gateway/exchange/signed_json.h"

#include <gtest/gtest.h>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_crypto.h"
#include "gateway/crypto/openssl_types.h"
#include "tests/support/test_pki.h"

namespace lienthong::exchange {
namespace {

Member member_with(const std::string& name) {
  auto cert = testing::certificate("ec", name);
  Member m;
  m.organ_code = "000.00.00.G22";
  m.certificate_der = crypto::to_der(cert.get());
  m.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  return m;
}

std::unique_ptr<const crypto::JwsSigner> signer_of(const std::string& name, bool x5c = false) {
  auto signer = crypto::JwsSigner::from_identity(*testing::identity("ec", name), "", x5c);
  EXPECT_TRUE(signer) << signer.error().detail;
  return std::move(*signer);
}

SignedJson::Ptr make(std::shared_ptr<const crypto::JwsSigner> answers = nullptr) {
  SignedJsonConfig config;
  config.answer_signer = std::move(answers);
  auto created = SignedJson::create(std::move(config));
  EXPECT_TRUE(created) << created.error().detail;
  return *created;
}

constexpr std::string_view kPayload = R"({"subjectId":"026092008262","iat":1,"jti":"a"})";

TEST(SignedJson, OpensARequestSignedWithTheConnectionsOwnKey) {
  auto jws = signer_of("member-g22")->sign(kPayload);
  ASSERT_TRUE(jws);
  auto opened = make()->open_request(member_with("member-g22"), *jws);
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(opened->payload, kPayload);
  EXPECT_EQ(opened->alg, "ES256");

  // The JSON serializations are accepted too.
  crypto::JwsSignOptions flattened;
  flattened.serialization = crypto::JwsSerialization::kFlattened;
  auto json = signer_of("member-g22")->sign(kPayload, flattened);
  ASSERT_TRUE(json);
  EXPECT_TRUE(make()->open_request(member_with("member-g22"), *json));
}

TEST(SignedJson, RefusesAnotherMembersKeyEvenWithAValidX5c) {
  // member-h20's certificate chains to the same CA and travels in x5c: still not the key of
  // the certificate this connection presented.
  auto jws = signer_of("member-h20", /*x5c=*/true)->sign(kPayload);
  ASSERT_TRUE(jws);
  auto opened = make()->open_request(member_with("member-g22"), *jws);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kSignatureInvalid) << opened.error().detail;
}

TEST(SignedJson, RefusesATamperedPayloadADetachedOneAndHmac) {
  auto jws = signer_of("member-g22")->sign(kPayload);
  ASSERT_TRUE(jws);
  std::string tampered = *jws;
  const size_t dot = tampered.find('.');
  tampered[dot + 3] = tampered[dot + 3] == 'A' ? 'B' : 'A';
  auto opened = make()->open_request(member_with("member-g22"), tampered);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kSignatureInvalid);

  crypto::JwsSignOptions detached;
  detached.detached = true;
  auto header_only = signer_of("member-g22")->sign(kPayload, detached);
  ASSERT_TRUE(header_only);
  auto refused = make()->open_request(member_with("member-g22"), *header_only);
  ASSERT_FALSE(refused);

  SignedJsonConfig hmac;
  hmac.request_algorithms = {crypto::JwsAlg::kHS256};
  EXPECT_FALSE(SignedJson::create(hmac));
}

TEST(SignedJson, RefusesAnAlgorithmOutsideTheProtectedHeader) {
  // A flattened JWS with no protected header and "alg" unprotected: valid for RFC 7515 (the
  // signing input is "." + payload), refused from a member because nothing protects its alg.
  auto signer = signer_of("member-g22");
  const std::string payload_b64 = base64url_encode(kPayload);
  auto raw = crypto::jws_sign(crypto::JwsAlg::kES256, signer->key(), "." + payload_b64);
  ASSERT_TRUE(raw) << raw.error().detail;
  const std::string unprotected = R"({"payload":")" + payload_b64 +
                                  R"(","header":{"alg":"ES256"},"signature":")" +
                                  base64url_encode(*raw) + R"("})";
  auto opened = make()->open_request(member_with("member-g22"), unprotected);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kSignaturePolicy) << opened.error().detail;
  EXPECT_NE(opened.error().detail.find("protected header"), std::string::npos)
      << opened.error().detail;
}

TEST(SignedJson, RefusesWithoutACertificateAndWhenTooLarge) {
  auto jws = signer_of("member-g22")->sign(kPayload);
  ASSERT_TRUE(jws);
  EXPECT_EQ(make()->open_request(Member{}, *jws).error().code, ErrorCode::kCertUntrusted);
  SignedJsonConfig small;
  small.max_request_bytes = 16;
  auto tiny = SignedJson::create(small);
  ASSERT_TRUE(tiny);
  EXPECT_EQ((*tiny)->open_request(member_with("member-g22"), *jws).error().code,
            ErrorCode::kBadRequest);
}

TEST(SignedJson, AnswersVerifyWithTheGatewaysCertificate) {
  std::shared_ptr<const crypto::JwsSigner> gateway = signer_of("gateway-sign");
  auto signed_json = make(gateway);
  const std::string body = R"({"requestId":"r1"})";
  auto detached = signed_json->sign_detached(body);
  ASSERT_TRUE(detached);
  EXPECT_NE(detached->find(".."), std::string::npos);
  auto attached = signed_json->sign_attached(body);
  ASSERT_TRUE(attached);

  crypto::JwsVerifierConfig vc;
  auto key = crypto::Jwk::from_certificate(testing::certificate("ec", "gateway-sign"));
  ASSERT_TRUE(key);
  vc.keys.push_back(std::move(*key));
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier);
  auto a = (*verifier)->verify(*detached, body);
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_TRUE(a->detached);
  auto b = (*verifier)->verify(*attached);
  ASSERT_TRUE(b) << b.error().detail;
  EXPECT_EQ(b->payload, body);
  EXPECT_FALSE((*verifier)->verify(*detached, R"({"requestId":"r2"})"));

  // Without an answer signer nothing is signed (and nothing fails).
  EXPECT_EQ(*make()->sign_detached(body), "");
}

TEST(SignedJson, JtiIsPrintableAndBounded) {
  EXPECT_TRUE(check_jti("3f1c-0001"));
  EXPECT_FALSE(check_jti(""));
  EXPECT_FALSE(check_jti("has space"));
  EXPECT_FALSE(check_jti(std::string(129, 'a')));
  EXPECT_TRUE(check_jti(std::string(128, 'a')));
}

}  // namespace
}  // namespace lienthong::exchange
