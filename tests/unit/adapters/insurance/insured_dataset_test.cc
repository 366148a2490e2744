#include "adapters/insurance/insured_dataset.h"

#include <gtest/gtest.h>

#include <set>

namespace lienthong::insurance::sim {
namespace {

const InsuredDataset& dataset() {
  static const auto citizens = std::make_shared<const population::sim::CitizenDataset>();
  static const auto employers = std::make_shared<const business::sim::EnterpriseDataset>(citizens);
  static const InsuredDataset data(citizens, employers);
  return data;
}

const business::sim::EnterpriseDataset& employers() {
  static const business::sim::EnterpriseDataset data(
      std::make_shared<const population::sim::CitizenDataset>());
  return data;
}

TEST(InsuredDataset, EveryCitizenIsInsuredUnderADistinctCode) {
  EXPECT_GE(dataset().size(), 1'000'000u);
  std::set<std::string> seen;
  for (uint64_t i = 0; i < dataset().size(); i += 101) {
    const std::string code = dataset().code_at(i);
    ASSERT_EQ(code.size(), 10u);
    EXPECT_TRUE(seen.insert(code).second) << code;
    EXPECT_EQ(dataset().index_of_code(code), i);
  }
}

TEST(InsuredDataset, FoundByCodeOrByPersonalIdAlike) {
  for (uint64_t i : {0ull, 17ull, 999'999ull}) {
    const InsuredPerson p = dataset().at(i);
    EXPECT_EQ(dataset().index_of_personal_id(p.citizen.personal_id), i);
    EXPECT_EQ(dataset().index_of_code(p.insurance_code), i);
  }
  EXPECT_FALSE(dataset().index_of_code("0100000000x"));
  EXPECT_FALSE(dataset().index_of_code("123"));
  // A code with the right serial but another province prefix is not anyone's.
  std::string code = dataset().code_at(5);
  code[0] = code[0] == '9' ? '8' : '9';
  EXPECT_FALSE(dataset().index_of_code(code));
}

TEST(InsuredDataset, PeriodsAreOrderedWithRealEmployersAndSaneMonths) {
  int with_periods = 0, ongoing = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    const InsuredPerson p = dataset().at(i * 331);
    if (2026 - p.citizen.birth_year < 18) {
      EXPECT_TRUE(p.periods.empty()) << p.insurance_code;
    }
    std::string previous_end = "0000-00";
    for (size_t k = 0; k < p.periods.size(); ++k) {
      const auto& period = p.periods[k];
      EXPECT_GT(period.from_month, previous_end);
      if (period.to_month.empty()) {
        EXPECT_EQ(k + 1, p.periods.size());  // only the last can be ongoing
        ++ongoing;
      } else {
        EXPECT_GE(period.to_month, period.from_month);
        EXPECT_LE(period.to_month, "2026-11");
        previous_end = period.to_month;
      }
      EXPECT_GE(period.from_month, "1995-01");
      EXPECT_TRUE(employers().index_of(period.employer_code)) << period.employer_code;
      EXPECT_GT(period.salary, 0u);
      EXPECT_EQ(period.salary % 100'000, 0u);
    }
    with_periods += p.periods.empty() ? 0 : 1;
  }
  EXPECT_GT(with_periods, 1500);  // most adults contribute
  EXPECT_GT(ongoing, 100);
}

}  // namespace
}  // namespace lienthong::insurance::sim
