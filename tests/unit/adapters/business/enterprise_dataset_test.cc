#include "adapters/business/enterprise_dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "gateway/core/identifiers.h"

namespace lienthong::business::sim {
namespace {

std::shared_ptr<const population::sim::CitizenDataset> citizens() {
  static const auto data = std::make_shared<const population::sim::CitizenDataset>();
  return data;
}

const EnterpriseDataset& dataset() {
  static const EnterpriseDataset data(citizens());
  return data;
}

TEST(EnterpriseDataset, AtLeast200000EnterprisesWithValidDistinctCodes) {
  EXPECT_GE(dataset().size(), 200'000u);
  std::set<std::string> seen;
  for (uint64_t i = 0; i < dataset().size(); i += 97) {
    const std::string code = dataset().code_at(i);
    auto parsed = parse_enterprise_code(code);
    ASSERT_TRUE(parsed) << code << ": " << parsed.error().detail;
    EXPECT_TRUE(seen.insert(code).second) << "duplicate " << code;
    EXPECT_EQ(dataset().index_of(code), i) << code;
  }
}

TEST(EnterpriseDataset, EveryIndexRoundTripsThroughItsCode) {
  // The whole set, cheaply: code_at and index_of only.
  for (uint64_t i = 0; i < dataset().size(); ++i) {
    const auto back = dataset().index_of(dataset().code_at(i));
    ASSERT_TRUE(back.has_value()) << i;
    ASSERT_EQ(*back, i);
  }
}

TEST(EnterpriseDataset, CodesOutsideTheSetAreNotFound) {
  EXPECT_FALSE(dataset().index_of(""));
  EXPECT_FALSE(dataset().index_of("030618204"));
  EXPECT_FALSE(dataset().index_of("0306182043-001"));  // branches are not simulated
  EXPECT_FALSE(dataset().index_of("9900000000"));      // no such tax province here
  // A valid code of a tax province in the set but with a rank past the count.
  const EnterpriseDataset small(citizens(), EnterpriseDataset::kDefaultSeed, 10);
  int outside = 0;
  for (uint64_t i = 10; i < 2000; ++i) {
    const std::string code = dataset().code_at(i);
    if (!small.index_of(code)) ++outside;
  }
  EXPECT_EQ(outside, 1990);
}

TEST(EnterpriseDataset, RecordsAreDeterministicAndPlausible) {
  const Enterprise a = dataset().at(12345);
  const Enterprise b = dataset().at(12345);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.address, b.address);
  EXPECT_EQ(a.code, dataset().code_at(12345));
  EXPECT_FALSE(a.name.empty());
  EXPECT_FALSE(a.type_name.empty());
  EXPECT_EQ(a.founding_date.size(), 10u);
  EXPECT_GT(a.capital, 0u);
  ASSERT_FALSE(a.representatives.empty());
  ASSERT_LE(a.representatives.size(), 3u);
  int main_activities = 0;
  for (const auto& act : a.activities) main_activities += act.main ? 1 : 0;
  EXPECT_EQ(main_activities, 1);
  EXPECT_NE(a.address.find(", "), std::string::npos);

  // A different seed is a different data set.
  const EnterpriseDataset other(citizens(), 7, 1000);
  EXPECT_NE(other.code_at(5), dataset().code_at(5));
}

TEST(EnterpriseDataset, RepresentativesAreCitizensOfThePopulationSimulator) {
  for (uint64_t i = 0; i < 200; ++i) {
    const Enterprise e = dataset().at(i * 991);
    for (const auto& r : e.representatives) {
      auto citizen = citizens()->find(r.personal_id);
      ASSERT_TRUE(citizen) << r.personal_id;
      EXPECT_EQ(citizen->name.full(), r.full_name);
    }
  }
}

}  // namespace
}  // namespace lienthong::business::sim
