// base64url as JOSE uses it (gateway/core/encoding.h): unpadded, and strict on input.
#include <gtest/gtest.h>

#include <random>

#include "gateway/core/encoding.h"

namespace lienthong {
namespace {

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");  // the two URL-safe characters
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 7) {
    auto back = base64url_decode(base64url_encode(all.substr(0, n)));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, all.substr(0, n));
  }
}

TEST(Base64Url, DecodesRfc7515Header) {
  EXPECT_EQ(base64url_decode("eyJhbGciOiJFUzI1NiJ9"), R"({"alg":"ES256"})");
}

TEST(Base64Url, RefusesAnythingNotStrict) {
  EXPECT_FALSE(base64url_decode("Zg=="));      // padding
  EXPECT_FALSE(base64url_decode("Zm8="));      // padding
  EXPECT_FALSE(base64url_decode("+/+/"));      // the standard alphabet's characters
  EXPECT_FALSE(base64url_decode("Zm9v Yg"));   // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v\nYg"));  // line break
  EXPECT_FALSE(base64url_decode("Zm9vY"));     // length % 4 == 1 cannot be
  EXPECT_FALSE(base64url_decode("Zh"));        // "f" with non-zero unused bits (Zg is canonical)
  EXPECT_FALSE(base64url_decode("Zm9"));       // "fo" with non-zero unused bits (Zm8)
  EXPECT_FALSE(base64url_decode(std::string_view("Zg\0", 3)));
  EXPECT_TRUE(base64url_decode(""));
}

TEST(Base64Url, RoundTripsEveryLengthAndAgreesWithStandardBase64) {
  std::mt19937 random(20261122);
  for (size_t n = 0; n < 300; ++n) {
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    const std::string text = base64url_encode(bytes);
    // The standard alphabet, unpadded, with '+' '/' swapped: one independent reference.
    std::string standard = base64_encode(bytes);
    while (!standard.empty() && standard.back() == '=') standard.pop_back();
    for (char& c : standard) c = c == '+' ? '-' : c == '/' ? '_' : c;
    ASSERT_EQ(text, standard) << n;
    auto back = base64url_decode(text);
    ASSERT_TRUE(back) << n;
    ASSERT_EQ(*back, bytes) << n;
    if (!text.empty()) {
      std::string bad = text;
      bad[random() % bad.size()] = '=';
      EXPECT_FALSE(base64url_decode(bad)) << n;
    }
  }
}

}  // namespace
}  // namespace lienthong
