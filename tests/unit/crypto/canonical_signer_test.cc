#include "gateway/crypto/canonical_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

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

INSTANTIATE_TEST_SUITE_P(DevPki, CanonicalSignerTest, ::testing::Values("rsa", "ec"));

}  // namespace
}  // namespace lienthong::crypto
