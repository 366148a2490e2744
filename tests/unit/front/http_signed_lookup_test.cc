// Signed JSON on the HTTP front, without sockets: a member's JWS request (application/jose)
// reaches the pipeline with its claims only when it verifies with the member's own certificate
// key, and every JSON answer carries the gateway's detached JWS in X-JWS-Signature.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway/crypto/openssl_types.h"
#include "gateway/front/http/router.h"
#include "tests/support/test_pki.h"
#include "tests/unit/front/http_fake_pipeline.h"

namespace lienthong::front::http {
namespace {

using nlohmann::json;
using ::testing::_;
using ::testing::StrictMock;

Member member_with(const std::string& name) {
  auto cert = lienthong::testing::certificate("ec", name);
  Member m;
  m.organ_code = "000.00.00.G22";
  m.certificate_der = crypto::to_der(cert.get());
  m.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  return m;
}

std::string signed_by(const std::string& name, const json& payload,
                      crypto::JwsSerialization serialization = crypto::JwsSerialization::kCompact) {
  auto signer =
      crypto::JwsSigner::from_identity(*lienthong::testing::identity("ec", name), "", false);
  EXPECT_TRUE(signer);
  crypto::JwsSignOptions options;
  options.serialization = serialization;
  auto jws = (*signer)->sign(payload.dump(), options);
  EXPECT_TRUE(jws);
  return *jws;
}

json lookup_claims(std::string jti = "3f1c9a-0001") {
  return {{"subjectId", "026092008262"},
          {"documentType", "CD01"},
          {"purpose", {{"dossierCode", "000.00.00.G22-261122-0001"}, {"procedureCode", "1.0"}}},
          {"officer", {{"personalId", "001092000001"}, {"account", "canbo"}}},
          {"iat", 1795000000},
          {"jti", std::move(jti)}};
}

Request post(std::string content_type, std::string body) {
  Request req{bhttp::verb::post, "/v1/lookup", 11};
  req.set(bhttp::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

class HttpSignedLookupTest : public ::testing::Test {
 protected:
  HttpSignedLookupTest() {
    auto gateway =
        crypto::JwsSigner::from_identity(*lienthong::testing::identity("ec", "gateway-sign"),
                                         "gateway", false);
    EXPECT_TRUE(gateway);
    exchange::SignedJsonConfig config;
    config.answer_signer = std::move(*gateway);
    signed_json_ = *exchange::SignedJson::create(std::move(config));
  }

  Response handle_now(Request req, const std::string& member = "member-g22") {
    auto res = router().handle(req, "req-1", member_with(member),
                               [this](Router::Deferred make) { deferred_.push_back(make); });
    if (res) return std::move(*res);
    EXPECT_EQ(deferred_.size(), 1u);
    return deferred_.at(0)();
  }

  Router& router() {
    if (!router_) router_.emplace(pipeline_, nullptr, nullptr, 64 << 10, signed_json_);
    return *router_;
  }

  // The answer's X-JWS-Signature verified over its body with the gateway's certificate.
  static Result<crypto::VerifiedJws> answer_signature(const Response& res) {
    crypto::JwsVerifierConfig vc;
    auto key = crypto::Jwk::from_certificate(
        lienthong::testing::certificate("ec", "gateway-sign"));
    vc.keys.push_back(std::move(*key));
    auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
    const std::string header(to_std(res[to_beast(exchange::kJwsSignatureHeader)]));
    if (header.empty()) return fail(ErrorCode::kSignatureMissing, "no X-JWS-Signature");
    return (*verifier)->verify(header, res.body());
  }

  std::shared_ptr<StrictMock<testing::MockPipeline>> pipeline_ =
      std::make_shared<StrictMock<testing::MockPipeline>>();
  exchange::SignedJson::Ptr signed_json_;
  std::optional<Router> router_;
  std::vector<Router::Deferred> deferred_;
};

TEST_F(HttpSignedLookupTest, ASignedRequestReachesThePipelineWithItsClaims) {
  for (auto serialization : {crypto::JwsSerialization::kCompact,
                             crypto::JwsSerialization::kFlattened}) {
    deferred_.clear();
    LookupRequest seen;
    EXPECT_CALL(*pipeline_, lookup(_, _)).WillOnce([&](LookupRequest r, exchange::LookupCallback d) {
      seen = r;
      d(testing::answer_for(r));
    });
    const bool compact = serialization == crypto::JwsSerialization::kCompact;
    Response res = handle_now(post(compact ? "application/jose" : "application/jose+json",
                                   signed_by("member-g22", lookup_claims(), serialization)));
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_EQ(seen.subject, "026092008262");
    ASSERT_TRUE(seen.signature);
    EXPECT_EQ(seen.signature->alg, "ES256");
    EXPECT_EQ(seen.signature->jti, "3f1c9a-0001");
    EXPECT_EQ(seen.signature->iat, 1795000000);
    auto verified = answer_signature(res);
    ASSERT_TRUE(verified) << verified.error().detail;
    EXPECT_TRUE(verified->detached);
    EXPECT_EQ(json::parse(res.body())["requestId"], "req-1");
  }
}

TEST_F(HttpSignedLookupTest, AnotherKeyATamperedBodyOrMissingClaimsNeverReachThePipeline) {
  // StrictMock: any pipeline call fails the test.
  Response other = handle_now(post("application/jose", signed_by("member-h20", lookup_claims())));
  EXPECT_EQ(json::parse(other.body())["code"], "SIGNATURE_INVALID");
  EXPECT_TRUE(answer_signature(other)) << "refusals of JSON lookups are signed too";

  std::string jws = signed_by("member-g22", lookup_claims());
  jws[jws.find('.') + 5] ^= 1;
  Response tampered = handle_now(post("application/jose", jws));
  EXPECT_NE(tampered.result_int(), 200u);

  json no_jti = lookup_claims();
  no_jti.erase("jti");
  Response missing = handle_now(post("application/jose", signed_by("member-g22", no_jti)));
  EXPECT_EQ(json::parse(missing.body())["code"], "BAD_REQUEST");
  EXPECT_THAT(json::parse(missing.body())["detail"].get<std::string>(),
              ::testing::HasSubstr("iat and jti"));

  // Claims in an unsigned request would look signed in the audit: refused.
  Response unsigned_claims = handle_now(post("application/json", lookup_claims().dump()));
  EXPECT_EQ(json::parse(unsigned_claims.body())["code"], "BAD_REQUEST");
}

TEST_F(HttpSignedLookupTest, WithoutSignedJsonConfiguredSignedRequestsAreRefused) {
  Router plain(pipeline_, nullptr, nullptr, 64 << 10);
  Request req = post("application/jose", signed_by("member-g22", lookup_claims()));
  auto res = plain.handle(req, "req-2", member_with("member-g22"), [](Router::Deferred) {});
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body())["code"], "SIGNATURE_POLICY");
  EXPECT_TRUE((*res)[to_beast(exchange::kJwsSignatureHeader)].empty());
}

}  // namespace
}  // namespace lienthong::front::http
