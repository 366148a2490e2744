#include "gateway/core/identifiers.h"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(PersonalId, WorkedExampleFromTheFormatsReference) {
  // 026092008262: Vĩnh Phúc (26), male, born 1992.
  auto id = parse_personal_id("026092008262");
  ASSERT_TRUE(id) << id.error().detail;
  EXPECT_FALSE(id->registered_abroad);
  EXPECT_EQ(id->birth_century, 19);
  EXPECT_TRUE(id->male);
  EXPECT_EQ(id->birth_year, 1992);
  EXPECT_TRUE(check_personal_id_consistency(*id, "19921122", "1"));
  EXPECT_TRUE(check_personal_id_consistency(*id, "1992-11-22", ""));
}

TEST(PersonalId, CenturyAndGenderDigit) {
  auto woman_2003 = parse_personal_id("001303004510");
  ASSERT_TRUE(woman_2003);
  EXPECT_EQ(woman_2003->birth_year, 2003);
  EXPECT_FALSE(woman_2003->male);
  auto man_1900s = parse_personal_id("079072001234");
  ASSERT_TRUE(man_1900s);
  EXPECT_EQ(man_1900s->birth_year, 1972);
  EXPECT_TRUE(man_1900s->male);
}

TEST(PersonalId, RefusesMalformed) {
  for (const char* bad : {"", "02609200826", "0260920082621", "02609200826a", "026 92008262",
                          "003092008262" /* 03 is not a province code */,
                          "026692008262" /* century digit 6: 2200s */, "026492008262" /* 2100s */}) {
    auto id = parse_personal_id(bad);
    ASSERT_FALSE(id) << bad;
    EXPECT_EQ(id.error().code, ErrorCode::kBadRequest);
  }
}

TEST(PersonalId, CountryPrefixForBirthsRegisteredAbroad) {
  auto id = parse_personal_id("704192001234");
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->registered_abroad);
  EXPECT_EQ(id->birth_year, 1992);
}

TEST(PersonalId, InconsistentWithRecordedBirthOrGender) {
  auto id = parse_personal_id("026092008262");  // male, 1992
  ASSERT_TRUE(id);
  EXPECT_EQ(check_personal_id_consistency(*id, "19931122", "1").error().code,
            ErrorCode::kBadRequest);
  EXPECT_EQ(check_personal_id_consistency(*id, "19921122", "2").error().code,
            ErrorCode::kBadRequest);
  // 2092 would need century digit 2/3, not 0.
  EXPECT_FALSE(check_personal_id_consistency(*id, "20921122", "1"));
}

TEST(OrganCode, Shape) {
  EXPECT_TRUE(parse_organ_code("000.00.00.G22"));
  EXPECT_TRUE(parse_organ_code("001.00.10.H47"));
  for (const char* bad : {"000.00.00.g22", "00.00.00.G22", "000.00.00.G2", "000-00-00-G22",
                          "000.00.00.G22 ", ""}) {
    EXPECT_FALSE(parse_organ_code(bad)) << bad;
  }
}

TEST(DossierCode, ShapeDateAndSequence) {
  auto d = parse_dossier_code("000.00.01.H22-250715-0001");
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->organ_code, "000.00.01.H22");
  EXPECT_EQ(d->sequence, 1);
  EXPECT_EQ(d->received, std::chrono::year_month_day(std::chrono::year(2025),
                                                     std::chrono::month(7), std::chrono::day(15)));
  for (const char* bad : {"000.00.01.H22-250230-0001" /* 30 Feb */,
                          "000.00.01.H22-251301-0001", "000.00.01.H22-250715-0000",
                          "000.00.01.H22-250715-001", "000.00.01.H22250715-0001",
                          "000.00.01.22-250715-0001", "000.00.01.H22-25071A-0001"}) {
    EXPECT_FALSE(parse_dossier_code(bad)) << bad;
  }
}

// Real codes from FORMATS.md §3, among them two whose remainder is 10 (check digit 0).
TEST(EnterpriseCode, AcceptsRealCodesAndBranches) {
  for (const char* code : {"0100109106", "0300588569", "0101248141", "0100112437", "0100684378",
                           "0100107370", "0302035520", "0306182043"}) {
    auto parsed = parse_enterprise_code(code);
    ASSERT_TRUE(parsed) << code << ": " << parsed.error().detail;
    EXPECT_EQ(parsed->base, code);
    EXPECT_TRUE(parsed->branch.empty());
  }
  auto branch = parse_enterprise_code("0306182043-001");
  ASSERT_TRUE(branch) << branch.error().detail;
  EXPECT_EQ(branch->base, "0306182043");
  EXPECT_EQ(branch->branch, "001");
  EXPECT_EQ(branch->text, "0306182043-001");
}

TEST(EnterpriseCode, EveryWrongCheckDigitIsRefused) {
  for (char d = '0'; d <= '9'; ++d) {
    std::string code = "030618204";
    code += d;
    EXPECT_EQ(parse_enterprise_code(code).has_value(), d == '3') << code;
  }
}

TEST(EnterpriseCode, RemainderZeroIsNeverIssued) {
  // 1·31 + 1·13 + 0… = 44 = 4·11: no tenth digit (10 − 0) exists, so none is accepted.
  const std::string nine = "100001000";
  for (char d = '0'; d <= '9'; ++d) EXPECT_FALSE(parse_enterprise_code(nine + d)) << nine + d;
}

TEST(EnterpriseCode, RefusesMalformed) {
  for (const char* bad : {"", "030618204", "03061820433", "0306182043-", "0306182043-01",
                          "0306182043-0001", "0306182043_001", "0306182043-00a", "030618204a",
                          " 0306182043", "0306182043-000"}) {
    auto parsed = parse_enterprise_code(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
    EXPECT_FALSE(parsed.error().detail.empty());
  }
}

}  // namespace
}  // namespace lienthong
