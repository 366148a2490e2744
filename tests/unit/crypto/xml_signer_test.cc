#include "gateway/crypto/xml_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/sample_record.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using ::testing::HasSubstr;

// Debian's xmlsec1 command-line tool, an independent verifier of what we produce.
int xmlsec1_verify(const std::string& kt, const std::string& signed_doc, const std::string& tag) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("lienthong-xmlsec1-" + kt + "-" + tag + "-" + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << signed_doc;
  const std::string cmd =
      "xmlsec1 --verify --enabled-key-data x509 --id-attr:Id BanGhi --trusted-pem " +
      testing::pki_file(kt, "root-ca.crt").string() + " " + path.string() + " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove(path);
  return rc;
}

class SignerTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SignerTest, Xmlsec1CommandLineAcceptsWhatWeSign) {
  auto signer = XmlDsigSigner::create(testing::identity(GetParam(), "gateway-sign"));
  ASSERT_TRUE(signer) << signer.error().detail;
  auto whole = (*signer)->sign(testing::sample_record(), {});
  ASSERT_TRUE(whole) << whole.error().detail;
  EXPECT_EQ(xmlsec1_verify(GetParam(), *whole, "whole"), 0);
  auto by_id = (*signer)->sign("<E xmlns=\"urn:e\">" + testing::sample_record() + "</E>",
                               XmlSignOptions{"rec-001203004510"});
  ASSERT_TRUE(by_id) << by_id.error().detail;
  EXPECT_EQ(xmlsec1_verify(GetParam(), *by_id, "id"), 0);
  // And the tool is not a rubber stamp: a changed byte fails there too.
  std::string tampered = *whole;
  tampered.replace(tampered.find("Kinh"), 4, "Kinn");
  EXPECT_NE(xmlsec1_verify(GetParam(), tampered, "tampered"), 0);
}

TEST_P(SignerTest, SignatureCarriesTheChainAndTheExpectedAlgorithms) {
  auto signer = XmlDsigSigner::create(testing::identity(GetParam(), "gateway-sign"));
  ASSERT_TRUE(signer);
  auto out = (*signer)->sign("<a/>", {});
  ASSERT_TRUE(out);
  EXPECT_THAT(*out, HasSubstr("xml-exc-c14n#"));
  EXPECT_THAT(*out, HasSubstr("enveloped-signature"));
  EXPECT_THAT(*out, HasSubstr("xmlenc#sha256"));
  EXPECT_THAT(*out, HasSubstr(GetParam() == "rsa" ? "rsa-sha256" : "ecdsa-sha256"));
  size_t certs = 0;
  for (size_t at = out->find("X509Certificate>"); at != std::string::npos;
       at = out->find("X509Certificate>", at + 1))
    ++certs;
  EXPECT_EQ(certs, 4u);  // leaf and intermediate, each with an open and a close tag
}

INSTANTIATE_TEST_SUITE_P(DevPki, SignerTest, ::testing::Values("rsa", "ec"));

TEST(Signer, RefusesBadInput) {
  auto signer = *XmlDsigSigner::create(testing::identity("ec", "gateway-sign"));
  auto no_id = signer->sign("<a/>", XmlSignOptions{"missing"});
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, ErrorCode::kBadRequest);
  auto dtd = signer->sign("<!DOCTYPE a><a/>", {});
  ASSERT_FALSE(dtd);
  EXPECT_EQ(dtd.error().code, ErrorCode::kXmlDtdRefused);
  auto once = signer->sign("<a/>", {});
  ASSERT_TRUE(once);
  auto twice = signer->sign(*once, {});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kBadRequest);
}

TEST(SigningIdentity, KeyMustMatchCertificate) {
  auto mismatched = SigningIdentity::load(testing::pki_file("rsa", "member-g22.key"),
                                          testing::pki_file("rsa", "gateway-sign.crt"));
  ASSERT_FALSE(mismatched);
  EXPECT_THAT(mismatched.error().detail, HasSubstr("does not match"));
}

}  // namespace
}  // namespace lienthong::crypto
