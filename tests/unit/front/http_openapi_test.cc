// schemas/http/openapi.yaml keeps up with the code: every error code is in its enum, and every
// status a problem document can carry is in the Problem schema's status enum.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gateway/core/error.h"

namespace lienthong {
namespace {

std::string openapi() {
  std::ifstream in(LIENTHONG_OPENAPI);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HttpOpenApiTest, ListsEveryErrorCodeAndStatus) {
  const std::string spec = openapi();
  ASSERT_FALSE(spec.empty()) << LIENTHONG_OPENAPI;
  const auto enum_at = spec.find("    ErrorCode:\n");
  ASSERT_NE(enum_at, std::string::npos);
  const auto status_at = spec.find("enum: [400, 401, 403, 404, 405, 409, 413, 415, 429, 431");
  ASSERT_NE(status_at, std::string::npos);
  const std::string statuses = spec.substr(status_at, spec.find(']', status_at) - status_at);
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const std::string name(error_code_name(code));
    EXPECT_NE(spec.find("        - " + name + "\n", enum_at), std::string::npos) << name;
    EXPECT_NE(statuses.find(std::to_string(http_status(code))), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace lienthong
