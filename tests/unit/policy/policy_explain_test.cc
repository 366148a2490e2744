#include "gateway/policy/policy_explain.h"

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

// Line numbers matter: the explanation names them.
constexpr std::string_view kPolicy = R"([[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten", "thuong_tru.*"]
[[member]]
organ = "000.00.00.H20"
  [[member.grant]]
  adapter = "business"
  document_types = ["DN01"]
  fields = ["*"]
)";

const std::vector<std::string> kFields = {"ho_va_ten", "so_dinh_danh", "thuong_tru.ma_tinh"};

Member member(std::string organ) {
  Member m;
  m.organ_code = std::move(organ);
  return m;
}

AccessPolicy::Ptr policy() {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  if (!p) throw std::runtime_error(p.error().detail);
  return *p;
}

TEST(PolicyExplain, AllowedNamesTheGrantAndTheFields) {
  auto e = explain(*policy(), member("000.00.00.G22"), "population", "CD01", {}, kFields);
  ASSERT_TRUE(e.decision) << e.decision.error().detail;
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.rule, "policy.toml:3: grant population CD01 fields ho_va_ten, thuong_tru.*");
  EXPECT_EQ(e.decision->fields, (std::vector<std::string>{"ho_va_ten", "thuong_tru.ma_tinh"}));
}

TEST(PolicyExplain, UnknownMember) {
  auto e = explain(*policy(), member("000.00.00.X99"), "population", "CD01", {}, kFields);
  ASSERT_FALSE(e.decision);
  EXPECT_EQ(e.decision.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(e.rule, "no member 000.00.00.X99 in policy.toml");
  EXPECT_EQ(e.line, 0);
}

TEST(PolicyExplain, NoGrantForAdapterOrDocumentType) {
  auto land = explain(*policy(), member("000.00.00.G22"), "land", "TD01", {}, kFields);
  ASSERT_FALSE(land.decision);
  EXPECT_EQ(land.rule, "member at line 1 has no grant for adapter land");
  EXPECT_EQ(land.line, 1);
  auto type = explain(*policy(), member("000.00.00.H20"), "business", "DN02", {}, kFields);
  ASSERT_FALSE(type.decision);
  EXPECT_EQ(type.rule, "member at line 7 has no grant for business document type DN02");
}

TEST(PolicyExplain, FieldNotGrantedIsDecidedByTheGrant) {
  auto e =
      explain(*policy(), member("000.00.00.G22"), "population", "CD01", {"so_dinh_danh"}, kFields);
  ASSERT_FALSE(e.decision);
  EXPECT_EQ(e.decision.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(e.decision.error().detail.find("so_dinh_danh"), std::string::npos);
  EXPECT_EQ(e.line, 3);
}

TEST(PolicyExplain, SameAnswerAsAuthorize) {
  const auto p = policy();
  for (const auto* organ : {"000.00.00.G22", "000.00.00.H20", "000.00.00.X99"}) {
    for (const auto* adapter : {"population", "business"}) {
      auto a = p->authorize(member(organ), adapter, "CD01", {}, kFields);
      auto e = explain(*p, member(organ), adapter, "CD01", {}, kFields);
      ASSERT_EQ(a.has_value(), e.decision.has_value()) << organ << " " << adapter;
      if (a) {
        EXPECT_EQ(a->fields, e.decision->fields);
      } else {
        EXPECT_EQ(a.error().detail, e.decision.error().detail);
      }
    }
  }
}

}  // namespace
}  // namespace lienthong::policy
