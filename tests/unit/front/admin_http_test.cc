// The admin API's small pieces: query strings and path parameters, problem documents with
// extra members, shortened details, and the atomic replacement of the policy file.
#include "gateway/front/admin/admin_http.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "gateway/front/admin/admin_router.h"
#include "gateway/front/admin/atomic_file.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front::admin {
namespace {

TEST(AdminHttp, QueryStringsAreDecodedAndRepeatedKeysKept) {
  auto q = parse_query("member=000.00.00.H20&field=ho_va_ten&field=thuong_tru.%2A&x=a+b&&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(first(*q, "member"), "000.00.00.H20");
  EXPECT_EQ(q->at("field"), (std::vector<std::string>{"ho_va_ten", "thuong_tru.*"}));
  EXPECT_EQ(first(*q, "x"), "a b");
  EXPECT_EQ(first(*q, "flag"), "");
  EXPECT_EQ(first(*q, "absent"), "");
  EXPECT_FALSE(parse_query("a=%4"));
  EXPECT_FALSE(parse_query("a=%zz"));
}

TEST(AdminHttp, PathParametersKeepPlus) {
  EXPECT_EQ(percent_decode("a+b%2Fc", false), "a+b/c");
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
}

TEST(AdminHttp, ProblemsCarryExtraMembers) {
  auto res = problem(Error{ErrorCode::kBadRequest, "two problems"}, "rid", 422,
                     {{"problems", nlohmann::json::array({"a", "b"})}});
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  auto doc = nlohmann::json::parse(res.body());
  EXPECT_EQ(doc["status"], 422);
  EXPECT_EQ(doc["code"], "BAD_REQUEST");
  EXPECT_EQ(doc["requestId"], "rid");
  EXPECT_EQ(doc["problems"].size(), 2u);
}

TEST(AdminHttp, ShortenNeverCutsACharacterInHalf) {
  EXPECT_EQ(shorten("abc", 5), "abc");
  EXPECT_EQ(shorten("quản trị", 3), "qu…");  // "ả" is two bytes: not cut at byte 3
  EXPECT_EQ(media_type(" Application/TOML ; charset=utf-8"), "application/toml");
}

TEST(AtomicFile, ReplacesTheFileAndKeepsItsMode) {
  lienthong::testing::ScratchDir dir;
  const auto file = dir.path() / "policy.toml";
  std::ofstream(file) << "old";
  ::chmod(file.c_str(), 0640);
  ASSERT_TRUE(write_file_atomically(file, "new text\n"));
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "new text\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  // No temporary left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_FALSE(write_file_atomically(dir.path() / "missing" / "policy.toml", "x"));
}

}  // namespace
}  // namespace lienthong::front::admin

namespace lienthong::front::admin {
namespace {

// schemas/http/admin.yaml keeps up with the router: every route's path and method is there.
TEST(AdminOpenApi, NamesEveryRoute) {
  std::ifstream in(LIENTHONG_ADMIN_OPENAPI);
  std::stringstream text;
  text << in.rdbuf();
  const std::string spec = text.str();
  ASSERT_FALSE(spec.empty()) << LIENTHONG_ADMIN_OPENAPI;
  for (const std::string& route : admin_routes()) {
    const std::string method = route.substr(0, route.find(' '));
    std::string path = route.substr(route.find(' ') + 1);
    std::string lower;
    for (char c : method) lower.push_back(static_cast<char>(std::tolower(c)));
    // "/admin/v1/cache/{}" is "/admin/v1/cache/{code}" in the document.
    const bool with_param = path.size() > 2 && path.substr(path.size() - 2) == "{}";
    if (with_param) path.resize(path.size() - 2);
    std::size_t at = std::string::npos;
    for (std::size_t from = 0; (from = spec.find("\n  " + path, from)) != std::string::npos;
         ++from) {
      const std::size_t end = spec.find(":\n", from);
      const std::string key = spec.substr(from + 3, end - from - 3);
      if (with_param ? key.size() > path.size() && key[path.size()] == '{' : key == path) {
        at = end;
        break;
      }
    }
    ASSERT_NE(at, std::string::npos) << route;
    const std::size_t next_path = spec.find("\n  /", at);
    EXPECT_NE(spec.substr(at, next_path - at).find("\n    " + lower + ":"), std::string::npos)
        << route;
  }
}

}  // namespace
}  // namespace lienthong::front::admin
