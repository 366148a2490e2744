#include "gateway/crypto/xml_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway/crypto/canonical_signer.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_signer.h"
#include "tests/support/manual_clock.h"
#include "tests/support/mocks.h"
#include "tests/support/sample_record.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using testing::identity;
using testing::trust_store;

std::shared_ptr<const XmlDsigVerifier> verifier_for(
    TrustStore::Ptr trust, const SignaturePolicy& policy = SignaturePolicy::strict(),
    Clock::Ptr clock = SystemClock::instance()) {
  XmlVerifierConfig config;
  config.trust = std::move(trust);
  config.policy = &policy;
  config.clock = std::move(clock);
  auto v = XmlDsigVerifier::create(std::move(config));
  if (!v) throw std::runtime_error(v.error().detail);
  return *v;
}

std::string sign_with(const std::string& kt, const std::string& who, const std::string& doc,
                      const std::string& id = "") {
  auto signer = XmlDsigSigner::create(identity(kt, who));
  if (!signer) throw std::runtime_error(signer.error().detail);
  auto out = (*signer)->sign(doc, XmlSignOptions{id});
  if (!out) throw std::runtime_error(out.error().detail);
  return *out;
}

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("pattern not found: " + std::string(from));
  return s.replace(at, from.size(), to);
}

ErrorCode code_of(const Result<VerifiedXml>& r) {
  return r ? ErrorCode::kInternal : r.error().code;
}

class VerifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string kt() const { return GetParam(); }
};

TEST_P(VerifierTest, RoundTripWholeDocument) {
  const std::string record = testing::sample_record();
  const std::string signed_doc = sign_with(kt(), "gateway-sign", record);
  auto result = verifier_for(trust_store(kt()))->verify(signed_doc);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_THAT(result->signer, HasSubstr("lienthong gateway signing"));
  ASSERT_EQ(result->references.size(), 1u);
  EXPECT_EQ(result->references[0].uri, "");
  EXPECT_EQ(result->references[0].node, xmlDocGetRootElement(result->document.get()));
  EXPECT_EQ(result->signed_xml(), record);  // exactly the bytes written, without the signature
  EXPECT_EQ(result->chain.size(), 3u);
  EXPECT_THAT(result->signature_method, HasSubstr(kt() == "rsa" ? "rsa-sha256" : "ecdsa-sha256"));
}

TEST_P(VerifierTest, RoundTripSignedElementById) {
  const std::string doc = "<Envelope xmlns=\"urn:e\"><Header>unsigned</Header>" +
                          testing::sample_record() + "</Envelope>";
  const std::string signed_doc = sign_with(kt(), "gateway-sign", doc, "rec-001203004510");
  auto result = verifier_for(trust_store(kt()))->verify(signed_doc);
  ASSERT_TRUE(result) << result.error().detail;
  ASSERT_EQ(result->references.size(), 1u);
  EXPECT_EQ(xml::name(result->references[0].node), "BanGhi");
  EXPECT_THAT(result->signed_xml(),
              ::testing::StartsWith("<BanGhi xmlns=\"urn:lienthong:record:1\""));
  EXPECT_THAT(result->signed_xml(), ::testing::Not(HasSubstr("unsigned")));
}

TEST_P(VerifierTest, TamperedContentIsSignatureInvalid) {
  const std::string signed_doc = sign_with(kt(), "gateway-sign", testing::sample_record());
  auto result =
      verifier_for(trust_store(kt()))
          ->verify(replace_once(signed_doc, "Nguyễn Thị Minh Khai", "Nguyễn Thị Minh Khải"));
  EXPECT_EQ(code_of(result), ErrorCode::kSignatureInvalid);
  EXPECT_THAT(result.error().detail, HasSubstr("digest"));
}

TEST_P(VerifierTest, TamperedSignatureValueIsSignatureInvalid) {
  std::string signed_doc = sign_with(kt(), "gateway-sign", testing::sample_record());
  const size_t at = signed_doc.find("<ds:SignatureValue>") + 25;
  signed_doc[at] = signed_doc[at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(code_of(verifier_for(trust_store(kt()))->verify(signed_doc)),
            ErrorCode::kSignatureInvalid);
}

TEST_P(VerifierTest, SignerCertificateStatusDecides) {
  const std::string record = testing::sample_record();
  auto v = verifier_for(trust_store(kt()));
  EXPECT_EQ(code_of(v->verify(sign_with(kt(), "member-revoked", record))), ErrorCode::kCertRevoked);
  EXPECT_EQ(code_of(v->verify(sign_with(kt(), "member-expired", record))), ErrorCode::kCertExpired);
  EXPECT_TRUE(v->verify(sign_with(kt(), "member-g22", record)));
  const std::string other = kt() == "rsa" ? "ec" : "rsa";
  EXPECT_EQ(
      code_of(verifier_for(trust_store(other))->verify(sign_with(kt(), "member-g22", record))),
      ErrorCode::kCertUntrusted);
}

TEST_P(VerifierTest, PinnedKeyIsTheOnlyKeyAccepted) {
  const std::string signed_doc = sign_with(kt(), "gateway-sign", testing::sample_record());
  auto pin = [&](const std::string& who) {
    XmlVerifierConfig config;
    auto pinned = std::make_shared<PinnedKey>();
    pinned->certificate = testing::certificate(kt(), who);
    pinned->key = EvpPkeyPtr(X509_get_pubkey(pinned->certificate.get()));
    config.pinned = std::move(pinned);
    return *XmlDsigVerifier::create(std::move(config));
  };
  auto ok = pin("gateway-sign")->verify(signed_doc);
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->chain.size(), 1u);
  EXPECT_EQ(code_of(pin("member-g22")->verify(signed_doc)), ErrorCode::kSignatureInvalid);
}

// XSW2 shape built from our own signature: the signed element is moved beside a forged one
// that now carries the Signature.
TEST_P(VerifierTest, DetachedWrappingIsRefusedByStrictAndHarmlessUnderInterop) {
  const std::string genuine = testing::sample_record();
  const std::string signed_doc = sign_with(kt(), "gateway-sign", genuine, "rec-001203004510");
  const size_t sig_begin = signed_doc.find("<ds:Signature");
  const size_t sig_end = signed_doc.find("</ds:Signature>") + 15;
  const std::string signature = signed_doc.substr(sig_begin, sig_end - sig_begin);
  const std::string forged =
      replace_once(replace_once(genuine, "Nguyễn Thị Minh Khai", "Kẻ Giả Mạo"),
                   "Id=\"rec-001203004510\"", "Id=\"forged\"");
  const std::string wrapped = "<Wrapper>" +
                              replace_once(forged, "</BanGhi>", signature + "</BanGhi>") + genuine +
                              "</Wrapper>";

  auto strict = verifier_for(trust_store(kt()))->verify(wrapped);
  EXPECT_EQ(code_of(strict), ErrorCode::kSignatureWrapped);

  auto interop = verifier_for(trust_store(kt()), SignaturePolicy::interop())->verify(wrapped);
  ASSERT_TRUE(interop) << interop.error().detail;
  EXPECT_THAT(interop->signed_xml(), HasSubstr("Nguyễn Thị Minh Khai"));
  EXPECT_THAT(interop->signed_xml(), ::testing::Not(HasSubstr("Kẻ Giả Mạo")));
  EXPECT_EQ(xml::attribute(interop->references[0].node, "Id"), std::string("rec-001203004510"));
}

TEST_P(VerifierTest, ForgedElementWithTheSameIdIsDuplicateId) {
  const std::string genuine = testing::sample_record();
  const std::string signed_doc = sign_with(kt(), "gateway-sign", genuine, "rec-001203004510");
  const std::string root = signed_doc.substr(signed_doc.find("<BanGhi"));
  const std::string forged = replace_once(genuine, "Nguyễn Thị Minh Khai", "Kẻ Giả Mạo");
  EXPECT_EQ(code_of(verifier_for(trust_store(kt()))->verify("<W>" + forged + root + "</W>")),
            ErrorCode::kDuplicateId);
  EXPECT_EQ(code_of(verifier_for(trust_store(kt()))->verify("<W>" + root + forged + "</W>")),
            ErrorCode::kDuplicateId);
}

TEST_P(VerifierTest, InjectedCommentDoesNotChangeWhatWasSigned) {
  const std::string record = testing::sample_record();
  const std::string signed_doc = sign_with(kt(), "gateway-sign", record);
  auto result = verifier_for(trust_store(kt()))
                    ->verify(replace_once(signed_doc, "Minh Khai", "Minh<!-- injected --> Khai"));
  ASSERT_TRUE(result) << result.error().detail;  // exc-c14n drops comments: the digest holds
  EXPECT_EQ(result->signed_xml(), record);       // and the consumer reads the whole value
}

TEST_P(VerifierTest, ExactlyOneSignature) {
  const std::string record = testing::sample_record();
  EXPECT_EQ(code_of(verifier_for(trust_store(kt()))->verify(record)), ErrorCode::kSignatureMissing);
  const std::string once =
      sign_with(kt(), "gateway-sign", "<E><A Id=\"a\">x</A><B Id=\"b\">y</B></E>", "a");
  const std::string twice = sign_with(kt(), "gateway-sign", once, "b");
  EXPECT_EQ(code_of(verifier_for(trust_store(kt()))->verify(twice)), ErrorCode::kSignaturePolicy);
}

INSTANTIATE_TEST_SUITE_P(DevPki, VerifierTest, ::testing::Values("rsa", "ec"));

TEST(Verifier, CachedSignerStillRespectsTheClock) {
  auto clock = std::make_shared<testing::ManualClock>(std::chrono::system_clock::now());
  auto v = verifier_for(trust_store("ec"), SignaturePolicy::strict(), clock);
  const std::string signed_doc = sign_with("ec", "member-g22", testing::sample_record());
  ASSERT_TRUE(v->verify(signed_doc));
  ASSERT_TRUE(v->verify(signed_doc));  // from the cache
  clock->set(*parse_utc_time("2099-01-01 00:00:00"));
  EXPECT_EQ(code_of(v->verify(signed_doc)), ErrorCode::kCertExpired);
}

TEST(Verifier, PathValidationIsCachedPerSignerAndErrorsAreNot) {
  auto store = std::make_shared<::testing::StrictMock<testing::MockTrustStore>>();
  ValidatedPath path;
  path.chain.push_back(testing::certificate("rsa", "gateway-sign"));
  path.valid_from = TimePoint::min();
  path.valid_until = TimePoint::max();
  EXPECT_CALL(*store, validate(_)).WillOnce([&](const PathCheck& check) -> Result<ValidatedPath> {
    EXPECT_EQ(check.security_level, 2);
    EXPECT_NE(check.leaf, nullptr);
    ValidatedPath copy;
    copy.chain.push_back(share(path.chain.front().get()));
    copy.valid_from = path.valid_from;
    copy.valid_until = path.valid_until;
    return copy;
  });
  auto v = verifier_for(store);
  const std::string signed_doc = sign_with("rsa", "gateway-sign", testing::sample_record());
  EXPECT_TRUE(v->verify(signed_doc));
  EXPECT_TRUE(v->verify(signed_doc));
  ::testing::Mock::VerifyAndClearExpectations(store.get());

  EXPECT_CALL(*store, validate(_))
      .Times(2)
      .WillRepeatedly([](const PathCheck&) -> Result<ValidatedPath> {
        return fail(ErrorCode::kCertRevoked, "revoked in the mock");
      });
  auto v2 = verifier_for(store);
  EXPECT_EQ(code_of(v2->verify(signed_doc)), ErrorCode::kCertRevoked);
  EXPECT_EQ(code_of(v2->verify(signed_doc)), ErrorCode::kCertRevoked);
}

// One verifier serves every request thread: its signer cache, the lent xmlsec key and the
// per-thread parser must hold under concurrency (run under ASan in CI).
TEST(Verifier, ConcurrentVerificationsAgree) {
  auto v = verifier_for(trust_store("rsa"));
  const std::string good = sign_with("rsa", "gateway-sign", testing::sample_record());
  const std::string other = sign_with("rsa", "member-h20", testing::sample_record(1));
  const std::string bad = replace_once(good, "Kinh", "Kinn");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 60; ++i) {
        if (!v->verify(good) || !v->verify(other)) ++wrong;
        auto r = v->verify(bad);
        if (r || r.error().code != ErrorCode::kSignatureInvalid) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Verifier, StrictRefusesSha1AndSmallKeysThatInteropAccepts) {
  const auto dir = testing::conformance_dir() / "xmldsig";
  auto doc = read_file(dir / "aleksey-xmldsig-01/enveloping-sha1-rsa-sha1.xml");
  auto anchors = load_certificates(dir / "keys/cacert.pem");
  ASSERT_TRUE(doc && anchors);
  TrustMaterial material;
  material.anchors.push_back(std::move(anchors->front()));
  auto store = *X509TrustStore::create(std::move(material));
  auto strict = verifier_for(store)->verify(*doc);
  EXPECT_EQ(code_of(strict), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(strict.error().detail, HasSubstr("interop"));
  EXPECT_TRUE(verifier_for(store, SignaturePolicy::interop())->verify(*doc));
}

TEST(Verifier, KeyValueIsNeverTrusted) {
  auto doc = read_file(testing::conformance_dir() / "xsw/attacker-resigned-keyvalue.xml");
  ASSERT_TRUE(doc);
  auto result = verifier_for(trust_store("rsa"))->verify(*doc);
  EXPECT_EQ(code_of(result), ErrorCode::kSignaturePolicy);
  EXPECT_THAT(result.error().detail, HasSubstr("KeyValue"));
}

TEST(Verifier, CanonicalSignerOutputVerifiesToTheSameBytes) {
  for (const std::string kt : {"rsa", "ec"}) {
    auto signer = CanonicalXmlSigner::create(identity(kt, "gateway-sign"));
    ASSERT_TRUE(signer);
    const std::string record = testing::sample_record(3);
    auto signed_doc = (*signer)->sign(record);
    ASSERT_TRUE(signed_doc);
    auto result = verifier_for(trust_store(kt))->verify(*signed_doc);
    ASSERT_TRUE(result) << kt << ": " << result.error().detail;
    EXPECT_EQ(result->signed_xml(), record);
  }
}

}  // namespace
}  // namespace lienthong::crypto
