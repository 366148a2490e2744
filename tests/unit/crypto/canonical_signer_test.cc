#include "gateway/crypto/canonical_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "gateway/crypto/xml_verifier.h"
#include "tests/support/sample_record.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

class CanonicalSignerTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CanonicalSignerTest, Xmlsec1CommandLineAcceptsIt) {
  auto signer = CanonicalXmlSigner::create(testing::identity(GetParam(), "gateway-sign"));
  ASSERT_TRUE(signer) << signer.error().detail;
  auto out = (*signer)->sign(testing::sample_record(7));
  ASSERT_TRUE(out) << out.error().detail;
  EXPECT_THAT(*out, ::testing::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BanGhi "));
  EXPECT_THAT(*out, ::testing::EndsWith("</ds:Signature></BanGhi>"));
  const auto path = std::filesystem::temp_directory_path() /
                    ("lienthong-canonical-" + GetParam() + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << *out;
  const std::string cmd = "xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                          testing::pki_file(GetParam(), "root-ca.crt").string() + " " +
                          path.string() + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove(path);
}

TEST_P(CanonicalSignerTest, RefusesWhatIsNotAnElement) {
  auto signer = *CanonicalXmlSigner::create(testing::identity(GetParam(), "gateway-sign"));
  EXPECT_FALSE(signer->sign(""));
  EXPECT_FALSE(signer->sign("text"));
  EXPECT_FALSE(signer->sign("<a>unterminated"));
}

// An element signed by Id inside a document that declares other namespaces around it, as the
// simulator's SOAP answer is: the strict verifier and the xmlsec1 command line accept it.
TEST_P(CanonicalSignerTest, SignsOneElementByIdInsideALargerDocument) {
  auto signer = *CanonicalXmlSigner::create(testing::identity(GetParam(), "gateway-sign"));
  const std::string element =
      "<x:Rec xmlns:x=\"urn:test\" Id=\"rec-1\"><x:a>say \"1 &lt; 2\" &amp; go</x:a>"
      "<x:b></x:b></x:Rec>";
  auto signed_element = signer->sign_element(element, "rec-1");
  ASSERT_TRUE(signed_element) << signed_element.error().detail;
  const std::string doc = "<e:Env xmlns:e=\"urn:env\" xmlns:y=\"urn:unused\"><e:Body>" +
                          *signed_element + "</e:Body></e:Env>";

  XmlVerifierConfig config;
  config.trust = testing::trust_store(GetParam());
  config.policy = &SignaturePolicy::strict();
  auto verifier = *XmlDsigVerifier::create(std::move(config));
  auto verified = verifier->verify(doc);
  ASSERT_TRUE(verified) << verified.error().detail;
  ASSERT_EQ(verified->references.size(), 1u);
  EXPECT_EQ(verified->references[0].uri, "#rec-1");

  const auto path = std::filesystem::temp_directory_path() /
                    ("lienthong-canonical-el-" + GetParam() + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << doc;
  const std::string cmd = "xmlsec1 --verify --enabled-key-data x509 --id-attr:Id urn:test:Rec "
                          "--trusted-pem " +
                          testing::pki_file(GetParam(), "root-ca.crt").string() + " " +
                          path.string() + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove(path);

  // One changed character of the signed element breaks it.
  std::string tampered = doc;
  tampered.replace(tampered.find("go</x:a>"), 2, "GO");
  EXPECT_FALSE(verifier->verify(tampered));
}

TEST_P(CanonicalSignerTest, SignElementRefusesAMissingOrUnusableId) {
  auto signer = *CanonicalXmlSigner::create(testing::identity(GetParam(), "gateway-sign"));
  const std::string element = "<r Id=\"a-1\"><v>1</v></r>";
  EXPECT_TRUE(signer->sign_element(element, "a-1"));
  EXPECT_FALSE(signer->sign_element(element, "a-2"));       // not the element's Id
  EXPECT_FALSE(signer->sign_element(element, "a"));         // a prefix of it is not it either
  EXPECT_FALSE(signer->sign_element(element, ""));
  EXPECT_FALSE(signer->sign_element(element, "1abc"));      // not an NCName
  EXPECT_FALSE(signer->sign_element(element, "a\" x=\"1"));  // would break out of URI="..."
  EXPECT_FALSE(signer->sign_element("<r><v Id=\"a-1\">1</v></r>", "a-1"));  // Id on a child
}

INSTANTIATE_TEST_SUITE_P(DevPki, CanonicalSignerTest, ::testing::Values("rsa", "ec"));

}  // namespace
}  // namespace lienthong::crypto
