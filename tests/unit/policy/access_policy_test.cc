#include "gateway/policy/access_policy.h"

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

constexpr std::string_view kPolicy = R"(
[[member]]
organ = "000.00.00.G22"
name = "Văn phòng Chính phủ"

  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]

[[member]]
organ = "000.00.00.H20"
name = "UBND tỉnh Đồng Tháp"

  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten", "ngay_sinh", "thuong_tru.*"]

[[member]]
organ = "000.00.00.H20"
subsystem = "bhxh"

  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]
)";

const std::vector<std::string> kFields = {"ho_va_ten", "ngay_sinh", "so_dinh_danh",
                                          "thuong_tru.chi_tiet", "thuong_tru.ma_tinh"};

Member member(std::string organ, std::string subsystem = "") {
  Member m;
  m.organ_code = std::move(organ);
  m.subsystem = std::move(subsystem);
  return m;
}

TEST(AccessPolicy, FullGrantReceivesEveryField) {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(p) << p.error().detail;
  auto d = (*p)->authorize(member("000.00.00.G22"), "population", "CD01", {}, kFields);
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->fields, kFields);
  EXPECT_TRUE(d->all_fields);
}

TEST(AccessPolicy, PartialGrantIsReducedToItsFields) {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(p);
  auto d = (*p)->authorize(member("000.00.00.H20", "một cửa"), "population", "CD01", {}, kFields);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->fields, (std::vector<std::string>{"ho_va_ten", "ngay_sinh", "thuong_tru.chi_tiet",
                                                 "thuong_tru.ma_tinh"}));
  EXPECT_FALSE(d->all_fields);
}

TEST(AccessPolicy, SubsystemRuleWinsOverOrganRule) {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(p);
  auto d = (*p)->authorize(member("000.00.00.H20", "bhxh"), "population", "CD01", {}, kFields);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->fields, std::vector<std::string>{"ho_va_ten"});
}

TEST(AccessPolicy, RefusesUnknownMemberAdapterTypeAndField) {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)->authorize(member("001.00.10.H47"), "population", "CD01", {}, kFields)
                .error()
                .code,
            ErrorCode::kAccessDenied);
  EXPECT_EQ((*p)->authorize(member("000.00.00.G22"), "land", "CD01", {}, kFields).error().code,
            ErrorCode::kAccessDenied);
  EXPECT_EQ((*p)->authorize(member("000.00.00.G22"), "population", "XX99", {}, kFields)
                .error()
                .code,
            ErrorCode::kAccessDenied);
  // Asking for a field the grant does not cover is refused, not silently dropped.
  auto d = (*p)->authorize(member("000.00.00.H20"), "population", "CD01", {"so_dinh_danh"},
                           kFields);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(d.error().detail.find("so_dinh_danh"), std::string::npos);
  // A field the document type does not have is the caller's mistake.
  EXPECT_EQ((*p)->authorize(member("000.00.00.G22"), "population", "CD01", {"luong"}, kFields)
                .error()
                .code,
            ErrorCode::kBadRequest);
}

TEST(AccessPolicy, WantedFieldsNarrowTheAnswer) {
  auto p = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(p);
  auto d = (*p)->authorize(member("000.00.00.G22"), "population", "CD01",
                           {"ngay_sinh", "ho_va_ten"}, kFields);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->fields, (std::vector<std::string>{"ho_va_ten", "ngay_sinh"}));
  EXPECT_FALSE(d->all_fields);
}

TEST(AccessPolicy, EmptyPolicyRefusesEveryone) {
  auto p = AccessPolicy::parse("", "empty.toml");
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)->authorize(member("000.00.00.G22"), "population", "CD01", {}, kFields)
                .error()
                .code,
            ErrorCode::kAccessDenied);
}

TEST(AccessPolicy, BadFilesAreRefusedWithFileAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  for (const auto& c : {
           Case{"[[member]]\norgan = \"000.00.00.G22\"\ncolour = \"red\"\n",
                "policy.toml:3: unknown key 'colour'"},
           Case{"[[member]]\norgan = \"G22\"\n", "policy.toml:2:"},
           Case{"[[member]]\norgan = \"000.00.00.G22\"\n[[member]]\norgan = \"000.00.00.G22\"\n",
                "listed twice"},
           Case{"[[member]]\norgan = \"000.00.00.G22\"\n[[member.grant]]\nadapter = "
                "\"population\"\ndocument_types = []\nfields = [\"*\"]\n",
                "document_types"},
           Case{"[[member]\n", "policy.toml:1:"},
       }) {
    auto p = AccessPolicy::parse(c.text, "policy.toml");
    ASSERT_FALSE(p) << c.text;
    EXPECT_NE(p.error().detail.find(c.expect), std::string::npos) << p.error().detail;
  }
}

TEST(AccessPolicy, CheckAgainstCatalogueFindsUnknownNames) {
  AccessPolicy::Catalogue population{"population", "CD01", kFields};
  auto ok = AccessPolicy::parse(kPolicy, "policy.toml");
  ASSERT_TRUE(ok);
  EXPECT_TRUE((*ok)->check_against({population}));

  auto typo = AccessPolicy::parse(
      "[[member]]\norgan = \"000.00.00.G22\"\n[[member.grant]]\nadapter = \"population\"\n"
      "document_types = [\"CD01\"]\nfields = [\"ho_ten\"]\n",
      "policy.toml");
  ASSERT_TRUE(typo);
  auto checked = (*typo)->check_against({population});
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().detail.find("policy.toml:3: field pattern 'ho_ten'"),
            std::string::npos)
      << checked.error().detail;

  auto adapter = AccessPolicy::parse(
      "[[member]]\norgan = \"000.00.00.G22\"\n[[member.grant]]\nadapter = \"land\"\n"
      "document_types = [\"CD01\"]\nfields = [\"*\"]\n",
      "policy.toml");
  ASSERT_TRUE(adapter);
  EXPECT_NE((*adapter)->check_against({population}).error().detail.find("unknown adapter 'land'"),
            std::string::npos);
}

TEST(FieldMatches, Patterns) {
  EXPECT_TRUE(field_matches("*", "a.b"));
  EXPECT_TRUE(field_matches("thuong_tru.*", "thuong_tru.ma_tinh"));
  EXPECT_FALSE(field_matches("thuong_tru.*", "thuong_tru"));
  EXPECT_FALSE(field_matches("thuong_tru.*", "thuong_tru_cu.x"));
  EXPECT_TRUE(field_matches("ho_va_ten", "ho_va_ten"));
  EXPECT_FALSE(field_matches("ho_va_ten", "ho_va_ten.x"));
}

TEST(AccessPolicy, RequestSignatureIsOptionalUnlessRequired) {
  auto p = AccessPolicy::parse(R"(
[[member]]
organ = "000.00.00.G22"
request_signature = "required"
[[member]]
organ = "000.00.00.H20"
)",
                               "policy.toml");
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ((*p)->members()[0].request_signature, RequestSignature::kRequired);
  EXPECT_EQ((*p)->members()[1].request_signature, RequestSignature::kOptional);

  auto typo = AccessPolicy::parse("[[member]]\norgan = \"000.00.00.G22\"\n"
                                  "request_signature = \"always\"\n",
                                  "policy.toml");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().detail,
            "policy.toml:3: request_signature must be \"required\" or \"optional\"");
}

}  // namespace
}  // namespace lienthong::policy
