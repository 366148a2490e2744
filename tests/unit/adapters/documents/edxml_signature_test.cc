#include "adapters/documents/edxml_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_write.h"
#include "tests/support/test_pki.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::edxml {
namespace {

using ::testing::HasSubstr;

// As the population adapter does: the strict policy, the dev PKI's trust store; the document
// limits are the envelope's.
crypto::XmlVerifier::Ptr verifier(const std::string& kt) {
  crypto::XmlVerifierConfig config;
  config.trust = lienthong::testing::trust_store(kt);
  config.limits = EdxmlLimits{}.xml();
  auto v = crypto::XmlDsigVerifier::create(std::move(config));
  if (!v) throw std::runtime_error(v.error().detail);
  return *v;
}

std::shared_ptr<const crypto::XmlDsigSigner> signer(const std::string& kt) {
  auto s = crypto::XmlDsigSigner::create(lienthong::testing::identity(kt, "gateway-sign"),
                                         EdxmlLimits{}.xml());
  if (!s) throw std::runtime_error(s.error().detail);
  return *s;
}

class EdxmlSignature : public ::testing::TestWithParam<std::string> {};

TEST_P(EdxmlSignature, SignThenVerifyGivesTheMessageAndTheSigner) {
  const auto original = parse_edxml(testing::sample_edxml());
  ASSERT_TRUE(original);
  auto signed_doc = sign_edxml(*signer(GetParam()), to_edxml(*original));
  ASSERT_TRUE(signed_doc) << signed_doc.error().detail;
  // The Signature sits in edXMLHeader, after TraceHeaderList, and covers the whole document.
  const size_t signature = signed_doc->find("<ds:Signature");
  ASSERT_NE(signature, std::string::npos);
  EXPECT_LT(signed_doc->find("</edXML:TraceHeaderList>"), signature);
  EXPECT_LT(signature, signed_doc->find("</edXML:edXMLHeader>"));
  EXPECT_THAT(*signed_doc, HasSubstr("<ds:Reference URI=\"\">"));

  auto verified = verify_edxml(*verifier(GetParam()), *signed_doc);
  ASSERT_TRUE(verified) << error_code_name(verified.error().code) << ": "
                        << verified.error().detail;
  EXPECT_EQ(verified->message, *original);
  EXPECT_EQ(verified->signer.common_name, "lienthong gateway signing");
  EXPECT_THAT(verified->signer.subject, HasSubstr("lienthong gateway signing"));
  EXPECT_EQ(verified->signer.fingerprint.size(), 64u);
  // An unsigned reader accepts the signed envelope too, and reads the same message.
  auto plain = parse_edxml(*signed_doc);
  ASSERT_TRUE(plain) << plain.error().detail;
  EXPECT_EQ(*plain, *original);
}

TEST_P(EdxmlSignature, ModifiedEnvelopeRefused) {
  auto signed_doc = sign_edxml(*signer(GetParam()), testing::sample_edxml());
  ASSERT_TRUE(signed_doc) << signed_doc.error().detail;
  ASSERT_TRUE(verify_edxml(*verifier(GetParam()), *signed_doc));

  // The Subject changed after signing.
  std::string subject = *signed_doc;
  const std::string from = "V/v kết nối";
  ASSERT_NE(subject.find(from), std::string::npos);
  subject.replace(subject.find(from), from.size(), "V/v hủy kết nối");
  auto r = verify_edxml(*verifier(GetParam()), subject);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureInvalid) << r.error().detail;

  // An attachment swapped after signing: the whole document is covered.
  std::string attachment = *signed_doc;
  const std::string bytes = "JVBERi0xLjQKAAEC//4=";
  ASSERT_NE(attachment.find(bytes), std::string::npos);
  attachment.replace(attachment.find(bytes), bytes.size(), "JVBERi0xLjQKAAEC//8=");
  r = verify_edxml(*verifier(GetParam()), attachment);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureInvalid) << r.error().detail;
}

INSTANTIATE_TEST_SUITE_P(DevPki, EdxmlSignature, ::testing::Values("rsa", "ec"));

TEST(EdxmlSignatureShape, UnsignedOrMisplacedOrUntrustedRefused) {
  auto r = verify_edxml(*verifier("ec"), testing::sample_edxml());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureMissing);

  // XmlSigner's own placement (the root) is not the edXML one.
  auto at_root = signer("ec")->sign(testing::sample_edxml(), {});
  ASSERT_TRUE(at_root);
  r = verify_edxml(*verifier("ec"), *at_root);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureWrapped);
  EXPECT_THAT(r.error().detail, HasSubstr("edXMLEnvelope/edXMLHeader"));

  // Signed by a key of the other PKI: no path to this trust store.
  auto other = sign_edxml(*signer("rsa"), testing::sample_edxml());
  ASSERT_TRUE(other);
  r = verify_edxml(*verifier("ec"), *other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCertUntrusted) << r.error().detail;

  // Signing twice is refused rather than stacking signatures.
  auto once = sign_edxml(*signer("ec"), testing::sample_edxml());
  ASSERT_TRUE(once);
  auto twice = sign_edxml(*signer("ec"), *once);
  ASSERT_FALSE(twice);
}

TEST(EdxmlSignatureShape, StatusSignThenVerify) {
  auto signed_doc = sign_edxml(*signer("rsa"), testing::sample_status("03"));
  ASSERT_TRUE(signed_doc) << signed_doc.error().detail;
  auto verified = verify_edxml_status(*verifier("rsa"), *signed_doc);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_EQ(verified->status.status_code, "03");
  EXPECT_EQ(verified->signer.common_name, "lienthong gateway signing");
  std::string tampered = *signed_doc;
  tampered.replace(tampered.find(">03<"), 4, ">06<");
  auto r = verify_edxml_status(*verifier("rsa"), tampered);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureInvalid);
}

}  // namespace
}  // namespace lienthong::edxml
