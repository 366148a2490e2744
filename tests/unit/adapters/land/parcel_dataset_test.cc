// The land simulator's data set: deterministic, at least 500,000 parcels addressable both ways,
// owners who are citizens of the population data set, and the commune table shipped with the
// adapter equal to the one the data set uses.
#include "adapters/land/parcel_dataset.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "adapters/land/commune_codes.h"

namespace lienthong::land::sim {
namespace {

std::shared_ptr<const population::sim::CitizenDataset> citizens() {
  static const auto c = std::make_shared<const population::sim::CitizenDataset>();
  return c;
}

const ParcelDataset& full() {
  static const ParcelDataset d(citizens(), population::sim::CitizenDataset::kDefaultSeed);
  return d;
}

bool same(const Parcel& a, const Parcel& b) {
  if (a.key() != b.key() || a.serial != b.serial || a.area != b.area || a.address != b.address ||
      a.issued_on != b.issued_on || a.signer_name != b.signer_name ||
      a.owners.size() != b.owners.size()) {
    return false;
  }
  for (size_t i = 0; i < a.owners.size(); ++i) {
    if (a.owners[i].personal_id != b.owners[i].personal_id) return false;
  }
  return true;
}

TEST(ParcelDataset, DeterministicFromTheSeed) {
  const ParcelDataset again(citizens(), population::sim::CitizenDataset::kDefaultSeed);
  const ParcelDataset other(citizens(), 99);
  int differing = 0;
  for (uint64_t i : {0ULL, 1ULL, 777ULL, 123'456ULL, 499'999ULL}) {
    EXPECT_TRUE(same(full().at(i), again.at(i))) << i;
    differing += same(full().at(i), other.at(i)) ? 0 : 1;
  }
  EXPECT_GT(differing, 0) << "the seed changes nothing";
}

TEST(ParcelDataset, AtLeastHalfAMillionParcelsAddressableBothWays) {
  ASSERT_GE(full().size(), 500'000u);
  std::set<std::string> keys, serials;
  for (uint64_t i = 0; i < full().size(); i += 997) {
    const std::string key = full().key_at(i);
    const std::string serial = full().serial_at(i);
    EXPECT_TRUE(keys.insert(key).second) << key;
    EXPECT_TRUE(serials.insert(serial).second) << serial;
    EXPECT_EQ(full().index_of_serial(serial), i) << serial;
  }
  // The last parcel, by key.
  const Parcel last = full().at(full().size() - 1);
  EXPECT_EQ(full().index_of_parcel(last.commune_code, last.sheet, last.number), full().size() - 1);
  EXPECT_FALSE(
      full().index_of_parcel(last.commune_code, last.sheet, ParcelDataset::kParcelsPerSheet + 1));
}

TEST(ParcelDataset, KeysAreWithinTheFormatsOfFormatsMd) {
  for (uint64_t i = 0; i < full().size(); i += 4999) {
    const Parcel p = full().at(i);
    EXPECT_EQ(p.commune_code.size(), 5u);
    EXPECT_GE(p.sheet, 1u);
    EXPECT_LE(p.sheet, 999u);
    EXPECT_GE(p.number, 1u);
    EXPECT_LE(p.number, 9999u);
    EXPECT_EQ(full().index_of_parcel(p.commune_code, p.sheet, p.number), i);
    // A retired code is not a key: the adapter translates it first.
    if (p.old_commune_code != p.commune_code) {
      EXPECT_FALSE(full().index_of_parcel(p.old_commune_code, p.sheet, p.number));
    }
  }
}

TEST(ParcelDataset, OwnersAreCitizensOfThePopulationDataSet) {
  std::set<size_t> owner_counts;
  for (uint64_t i = 0; i < 3000; i += 7) {
    const Parcel p = full().at(i);
    ASSERT_GE(p.owners.size(), 1u);
    ASSERT_LE(p.owners.size(), 3u);
    owner_counts.insert(p.owners.size());
    for (const Owner& o : p.owners) {
      auto citizen = citizens()->find(o.personal_id);
      ASSERT_TRUE(citizen) << o.personal_id;
      EXPECT_EQ(citizen->name.full(), o.full_name);
      EXPECT_EQ(citizen->birth_year, o.birth_year);
      // Adults when the certificate was signed.
      EXPECT_LE(o.birth_year + 18, std::stoi(p.issued_on.substr(0, 4))) << p.key();
    }
  }
  EXPECT_EQ(owner_counts.size(), 3u) << "one, two and three owners all occur";
}

TEST(ParcelDataset, SerialLookupAgreesWithParcelLookup) {
  for (uint64_t i : {3ULL, 40'000ULL, 250'001ULL, 499'998ULL}) {
    const Parcel by_index = full().at(i);
    auto by_serial = full().index_of_serial(by_index.serial);
    auto by_key = full().index_of_parcel(by_index.commune_code, by_index.sheet, by_index.number);
    ASSERT_TRUE(by_serial && by_key);
    EXPECT_EQ(*by_serial, *by_key);
    EXPECT_TRUE(same(full().at(*by_serial), by_index));
  }
  EXPECT_FALSE(full().index_of_serial("ZZ000001"));
  EXPECT_FALSE(full().index_of_serial("CS12345"));
}

TEST(ParcelDataset, TheCommuneTableShippedWithTheAdapterIsTheDataSets) {
  const std::string expected = full().communes_csv();
  const std::string path =
      std::string(LIENTHONG_SOURCE_DIR) + "/adapters/land/communes-synthetic.csv";
  std::ifstream in(path);
  const std::string shipped((std::istreambuf_iterator<char>(in)), {});
  if (shipped != expected) {
    const std::string fresh = std::string(LIENTHONG_BINARY_DIR) + "/communes-synthetic.csv";
    std::ofstream(fresh) << expected;
    FAIL() << path << " differs from the data set's table; the current one is in " << fresh;
  }
  auto table = adapters::land::CommuneCodeTable::parse_csv(shipped, path);
  ASSERT_TRUE(table) << table.error().detail;
  EXPECT_EQ(table->current_codes(), full().communes().size());
  EXPECT_LT(table->current_codes(), table->old_codes()) << "no commune was merged";
  for (const auto& m : full().communes()) {
    for (const auto& old : m.members) EXPECT_EQ(*table->resolve(old), m.code);
  }
}

}  // namespace
}  // namespace lienthong::land::sim
