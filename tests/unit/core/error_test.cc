#include "gateway/core/error.h"

#include <gtest/gtest.h>

#include <set>

namespace lienthong {
namespace {

TEST(ErrorCode, NamesAreUniqueUpperSnakeCase) {
  std::set<std::string_view> seen;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto name = error_code_name(static_cast<ErrorCode>(i));
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << name;
  }
  EXPECT_EQ(error_code_name(ErrorCode::kSignatureInvalid), "SIGNATURE_INVALID");
  EXPECT_EQ(error_code_name(ErrorCode::kCertRevoked), "CERT_REVOKED");
}

TEST(ErrorCode, HttpStatusesMatchTheProblemClass) {
  EXPECT_EQ(http_status(ErrorCode::kBadRequest), 400);
  EXPECT_EQ(http_status(ErrorCode::kAccessDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kXmlLimitExceeded), 413);
  EXPECT_EQ(http_status(ErrorCode::kUpstreamTimeout), 504);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(Result, FailCarriesCodeAndDetail) {
  auto f = []() -> Result<int> { return fail(ErrorCode::kNotFound, "no such record"); };
  auto r = f();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().detail, "no such record");
}

}  // namespace
}  // namespace lienthong
