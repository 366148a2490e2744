#include "gateway/policy/policy_lint.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace lienthong::policy {
namespace {

std::vector<std::string> texts(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.problem.text());
  return out;
}

constexpr std::string_view kGood = R"([[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten", "thuong_tru.*"]
)";

const AccessPolicy::Catalogue kPopulation{
    "population", "CD01", {"ho_va_ten", "so_dinh_danh", "thuong_tru.ma_tinh"}};

TEST(PolicyLint, GoodPolicyHasNoFindings) {
  LintInputs inputs;
  inputs.catalogue = std::vector{kPopulation};
  EXPECT_TRUE(lint(kGood, "policy.toml", inputs).empty());
}

TEST(PolicyLint, ReportsEveryProblemWithItsLine) {
  constexpr std::string_view kBad = R"([[member]]
organ = "000.00.00.G22"
colour = "red"
[[member]]
organ = "G22"
  [[member.grant]]
  adapter = "population"
  document_types = []
  fields = ["*"]
[[member]]
organ = "000.00.00.G22"
request_signature = "always"
)";
  const auto found = texts(lint(kBad, "policy.toml", {}));
  EXPECT_EQ(found, (std::vector<std::string>{
                       "policy.toml:3: unknown key 'colour'",
                       "policy.toml:5: organ code must have the form NNN.NN.NN.ANN",
                       "policy.toml:8: 'document_types' must be a non-empty list of strings",
                       "policy.toml:10: member 000.00.00.G22 (subsystem '') is listed twice "
                       "(first at line 1)",
                       "policy.toml:12: request_signature must be \"required\" or \"optional\"",
                   }))
      << ::testing::PrintToString(found);
}

TEST(PolicyLint, ParseStillRefusesOnTheFirstProblem) {
  auto p = AccessPolicy::parse("[[member]]\norgan = \"000.00.00.G22\"\nx = 1\ny = 2\n", "p.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().detail, "p.toml:3: unknown key 'x'");
}

TEST(PolicyLint, SyntaxErrorIsOneProblem) {
  const auto found = lint("[[member]]\norgan = \n", "policy.toml", {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].problem.line, 2);
  EXPECT_FALSE(found[0].warning);
}

TEST(PolicyLint, CatalogueProblemsAreAllReported) {
  constexpr std::string_view kText = R"([[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "land"
  document_types = ["TD01"]
  fields = ["*"]
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01", "CD02"]
  fields = ["ho_ten", "thuong_tru.*", "que_quan.*"]
)";
  LintInputs inputs;
  inputs.catalogue = std::vector{kPopulation};
  EXPECT_EQ(texts(lint(kText, "policy.toml", inputs)),
            (std::vector<std::string>{
                "policy.toml:3: unknown adapter 'land'",
                "policy.toml:7: field pattern 'ho_ten' matches no field of CD01",
                "policy.toml:7: field pattern 'que_quan.*' matches no field of CD01",
                "policy.toml:7: adapter 'population' has no document type 'CD02'",
            }));
}

TEST(PolicyLint, MembersNoCertificateNamesAreWarnings) {
  constexpr std::string_view kText = R"([[member]]
organ = "000.00.00.G22"
[[member]]
organ = "000.00.00.H20"
[[member]]
organ = "000.00.00.G22"
subsystem = "hộ tịch"
)";
  LintInputs inputs;
  inputs.certified = std::vector<CertifiedMember>{{"000.00.00.G22", "", "members/g22.pem"}};
  inputs.trust_name = "trust";
  const auto found = lint(kText, "policy.toml", inputs);
  ASSERT_EQ(found.size(), 2u) << ::testing::PrintToString(texts(found));
  EXPECT_TRUE(found[0].warning);
  EXPECT_EQ(found[0].problem.text(),
            "policy.toml:3: warning: no certificate in trust names member 000.00.00.H20");
  EXPECT_EQ(found[1].problem.line, 5);
  EXPECT_NE(found[1].problem.what.find("subsystem 'hộ tịch'"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::policy
