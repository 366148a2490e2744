#include "adapters/population/citizen_dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

#include "adapters/population/vietnamese_names.h"
#include "gateway/core/canonical_xml.h"
#include "gateway/core/identifiers.h"

namespace lienthong::population::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string describe(const Address& a) {
  return a.province_code + "|" + a.district_code + "|" + a.commune_code + "|" + a.detail + "|" +
         a.country;
}

// Every field, so that equality of two descriptions is equality of the records.
std::string describe(const Citizen& c) {
  std::string s = std::to_string(c.index) + "|" + c.personal_id + "|" + c.old_id_card + "|" +
                  c.name.family + "|" + c.name.middle + "|" + c.name.given + "|" +
                  std::to_string(c.gender) + "|" + c.birth_date + "|" + c.ethnicity + "|" +
                  c.religion + "|" + c.marital_status + "|" + c.blood_type + "|" + c.nationality;
  for (const Address* a :
       {&c.birth_registration, &c.hometown, &c.permanent_residence, &c.current_residence})
    s += "|" + describe(*a);
  s += "|" + c.father.full_name + "|" + c.father.personal_id + "|" + c.mother.full_name + "|" +
       c.mother.personal_id;
  if (c.spouse) s += "|" + c.spouse->full_name + "|" + c.spouse->personal_id;
  s += "|" + c.household_head.relation + "|" + c.household_head.personal_id + "|" +
       c.household_head.full_name + "|" + c.household_book;
  return s;
}

uint64_t as_number(const std::string& id) { return std::stoull(id); }

bool is_real_date(std::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8) return false;
  const int y = std::stoi(std::string(yyyymmdd.substr(0, 4)));
  const unsigned m = std::stoul(std::string(yyyymmdd.substr(4, 2)));
  const unsigned d = std::stoul(std::string(yyyymmdd.substr(6, 2)));
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                     std::chrono::day{d}}
      .ok();
}

TEST(CitizenDataset, DefaultsToAMillionCitizensAndRefusesImpossibleSizes) {
  const CitizenDataset data;
  EXPECT_EQ(data.size(), 1'000'000u);
  EXPECT_EQ(data.seed(), 20250701u);
  EXPECT_GE(CitizenDataset::max_count(), 1'000'000'000u);
  EXPECT_THROW(CitizenDataset(1, 0), std::invalid_argument);
  EXPECT_THROW(CitizenDataset(1, CitizenDataset::max_count() + 1), std::invalid_argument);
  // Computed on demand: the object holds a handful of numbers, not the citizens.
  EXPECT_LE(sizeof(CitizenDataset), 64u);
}

TEST(CitizenDataset, SameSeedSameCitizensDifferentSeedDifferentCitizens) {
  const CitizenDataset a(20250701, 1'000'000), b(20250701, 1'000'000), other(42, 1'000'000);
  int differing_ids = 0, differing_records = 0;
  for (uint64_t i : {0ull, 1ull, 2ull, 12345ull, 500'000ull, 999'999ull}) {
    EXPECT_EQ(describe(a.at(i)), describe(b.at(i))) << i;
    EXPECT_EQ(a.personal_id_at(i), b.personal_id_at(i));
    differing_ids += a.personal_id_at(i) != other.personal_id_at(i);
    differing_records += describe(a.at(i)) != describe(other.at(i));
  }
  EXPECT_EQ(differing_ids, 6);
  EXPECT_EQ(differing_records, 6);
  // The same ID means different people (or no one) under another seed.
  const std::string id = a.personal_id_at(7);
  const auto there = other.find(id);
  EXPECT_TRUE(!there || describe(*there) != describe(a.at(7)));
}

TEST(CitizenDataset, AMillionDistinctIdsEachLeadingBackToItsIndex) {
  const CitizenDataset data;
  std::vector<uint64_t> ids;
  ids.reserve(data.size());
  for (uint64_t i = 0; i < data.size(); ++i) {
    const std::string id = data.personal_id_at(i);
    ASSERT_EQ(id.size(), 12u);
    const auto back = data.index_of(id);
    ASSERT_TRUE(back.has_value()) << id;
    ASSERT_EQ(*back, i) << id;
    ids.push_back(as_number(id));
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

TEST(CitizenDataset, SampledRecordsAreValidAndConsistent) {
  const CitizenDataset data;
  std::vector<uint64_t> sample = {0, data.size() - 1};
  for (uint64_t i = 1; i < data.size(); i += 997) sample.push_back(i);
  std::set<std::string> family_names, years, provinces;
  int married = 0, with_old_card = 0;
  for (uint64_t i : sample) {
    const std::string id = data.personal_id_at(i);
    const auto found = data.find(id);
    ASSERT_TRUE(found.has_value()) << id;
    const Citizen& c = *found;
    ASSERT_EQ(c.index, i);
    ASSERT_EQ(c.personal_id, id);

    auto parsed = parse_personal_id(id);
    ASSERT_TRUE(parsed) << id << ": " << parsed.error().detail;
    EXPECT_FALSE(parsed->registered_abroad);
    EXPECT_TRUE(check_personal_id_consistency(*parsed, c.birth_date, std::to_string(c.gender)))
        << id << " " << c.birth_date << " " << c.gender;
    EXPECT_TRUE(is_province_code(id.substr(1, 2)));
    EXPECT_EQ(c.birth_registration.province_code, id.substr(1, 2));
    EXPECT_TRUE(is_real_date(c.birth_date)) << c.birth_date;
    EXPECT_GE(c.birth_year, 2026 - 95);
    EXPECT_LE(c.birth_year, 2026);
    EXPECT_EQ(std::to_string(c.birth_year), c.birth_date.substr(0, 4));
    EXPECT_EQ(c.old_id_card.empty(), c.birth_year >= 2000);
    if (!c.old_id_card.empty()) {
      EXPECT_EQ(c.old_id_card.size(), 9u);
      ++with_old_card;
    }

    // Names: non-empty, valid UTF-8; the father carries the family name.
    EXPECT_FALSE(c.name.family.empty());
    EXPECT_FALSE(c.name.given.empty());
    EXPECT_THAT(c.father.full_name, StartsWith(c.name.family + " "));
    family_names.insert(c.name.family);
    for (const std::string* s :
         {&c.name.family, &c.name.middle, &c.name.given, &c.father.full_name, &c.mother.full_name,
          &c.birth_registration.detail, &c.hometown.detail, &c.permanent_residence.detail,
          &c.current_residence.detail, &c.household_head.full_name, &c.household_head.relation})
      EXPECT_TRUE(is_xml_text(*s)) << *s;

    for (const Address* a :
         {&c.birth_registration, &c.hometown, &c.permanent_residence, &c.current_residence}) {
      EXPECT_TRUE(is_province_code(a->province_code));
      EXPECT_EQ(a->district_code.size(), 3u);
      EXPECT_EQ(a->commune_code.size(), 5u);
      EXPECT_EQ(a->country, "VN");
      EXPECT_FALSE(a->detail.empty());
    }

    // Relatives have valid IDs of the right gender that are not citizens of the set.
    for (const auto& [relative, male] : {std::pair{&c.father, true}, std::pair{&c.mother, false}}) {
      if (relative->personal_id.empty()) continue;
      auto rid = parse_personal_id(relative->personal_id);
      ASSERT_TRUE(rid) << relative->personal_id;
      EXPECT_EQ(rid->male, male);
      EXPECT_LT(rid->birth_year, c.birth_year);
      EXPECT_FALSE(data.index_of(relative->personal_id).has_value());
    }
    EXPECT_EQ(c.spouse.has_value(), c.marital_status == "2");
    if (c.spouse) {
      ++married;
      auto sid = parse_personal_id(c.spouse->personal_id);
      ASSERT_TRUE(sid) << c.spouse->personal_id;
      EXPECT_NE(sid->male, c.gender == 1);
      EXPECT_FALSE(data.index_of(c.spouse->personal_id).has_value());
    }
    EXPECT_EQ(c.household_book.size(), 9u);
    if (c.household_head.relation == "Chủ hộ") {
      EXPECT_EQ(c.household_head.personal_id, id);
    } else {
      EXPECT_NE(c.household_head.personal_id, id);
    }
    years.insert(c.birth_date.substr(0, 4));
    provinces.insert(c.birth_registration.province_code);
  }
  // The population is spread out: many family names, the full age range, every sample province.
  EXPECT_GE(family_names.size(), 20u);
  EXPECT_TRUE(family_names.count("Nguyễn"));
  EXPECT_GE(years.size(), 90u);
  EXPECT_EQ(provinces.size(), vn::provinces().size());
  EXPECT_GT(married, static_cast<int>(sample.size() / 4));
  EXPECT_GT(with_old_card, static_cast<int>(sample.size() / 4));
}

TEST(CitizenDataset, TextCarriesVietnameseDiacritics) {
  const CitizenDataset data;
  int non_ascii_names = 0, urban = 0, rural = 0;
  for (uint64_t i = 0; i < 2000; ++i) {
    const Citizen c = data.at(i);
    const std::string full = c.name.full();
    non_ascii_names += std::any_of(full.begin(), full.end(),
                                   [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
    const std::string& home = c.permanent_residence.detail;
    urban += home.rfind("Số ", 0) == 0;
    rural += home.find(", xã ") != std::string::npos;
    EXPECT_TRUE(is_xml_text(home)) << home;
  }
  EXPECT_GT(non_ascii_names, 1500);
  EXPECT_GT(urban, 500);
  EXPECT_GT(rural, 20);
}

TEST(CitizenDataset, AddressesReadLikeVietnameseAddresses) {
  const CitizenDataset data;
  bool saw_hanoi_street = false;
  for (uint64_t i = 0; i < 5000 && !saw_hanoi_street; ++i) {
    const Citizen c = data.at(i);
    const Address& a = c.permanent_residence;
    if (a.province_code != "01" || a.detail.rfind("Số ", 0) != 0) continue;
    saw_hanoi_street = true;
    EXPECT_THAT(a.detail, HasSubstr(", phường "));
    EXPECT_THAT(a.detail, HasSubstr(", quận "));
    EXPECT_THAT(a.detail, ::testing::EndsWith(", Thành phố Hà Nội"));
  }
  EXPECT_TRUE(saw_hanoi_street);
}

TEST(CitizenDataset, UnknownAndMalformedIdsAreNotFound) {
  const CitizenDataset data;
  for (std::string_view id :
       {"", "00109200012", "0010920001234", "00109200012a", "704092000123", "003092000123",
        "001030000123",   // born 1930: before the simulated years
        "001226000123"})  // born 2026: after them
    EXPECT_FALSE(data.index_of(id).has_value()) << id;
  EXPECT_FALSE(data.find("001092000123x").has_value());
}

// Within one (province, gender, year) prefix exactly the citizens of the set are found among
// all million serials: the decoding is a bijection, not a guess.
TEST(CitizenDataset, ExactlyTheSetsIdsAreFoundUnderOnePrefix) {
  const CitizenDataset data(7, 200'000);
  const std::string prefix = data.personal_id_at(0).substr(0, 6);
  std::set<uint64_t> expected;
  for (uint64_t i = 0; i < data.size(); ++i)
    if (data.personal_id_at(i).starts_with(prefix)) expected.insert(i);
  ASSERT_FALSE(expected.empty());
  std::set<uint64_t> found;
  char serial[7];
  for (int s = 0; s < 1'000'000; ++s) {
    std::snprintf(serial, sizeof serial, "%06d", s);
    if (auto index = data.index_of(prefix + serial)) found.insert(*index);
  }
  EXPECT_EQ(found, expected);
}

}  // namespace
}  // namespace lienthong::population::sim
