// The enterprise-registry SIMULATOR's synthetic enterprises (CSDLQG về đăng ký doanh nghiệp):
// a deterministic data set computed from a seed on demand, never stored. Enterprise i is a pure
// function of (seed, i), and the index is recoverable from the enterprise code, so a lookup is
// O(1) in time and the set O(1) in memory.
//
// How a code encodes its index: i picks a tax province (i mod P) and a rank (i / P); the rank
// goes through a keyed affine permutation of [0, 10^6) to six digits; a ninth digit is 0, or 1
// when 0 would give a weighted sum ≡ 0 (mod 11), which no check digit can follow (the ninth
// weight is 3, so 1 always fixes it). The tenth digit is the check digit (FORMATS.md §3).
// Decoding runs the steps backwards. Every code of the set is valid; branches are not simulated.
//
// Representatives are citizens of the population simulator's default data set (same seed
// convention), so a representative's personal ID can be looked up there.
//
// Everything here is synthetic: the names look like Vietnamese enterprise names, the addresses
// use real administrative units, but no record describes a real enterprise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/population/citizen_dataset.h"

namespace lienthong::business::sim {

struct Representative {
  std::string full_name;    // FULL_NAME
  std::string personal_id;  // a citizen of the population simulator
  std::string position;     // "Giám đốc", "Chủ tịch Hội đồng quản trị", ...
};

struct Activity {
  std::string code;  // VSIC 2018, 4 digits
  std::string name;
  bool main = false;
};

struct Enterprise {
  uint64_t index = 0;
  std::string code;               // ENTERPRISE_GDT_CODE, 10 digits with check digit
  std::string name;               // NAME, upper case as registered
  std::string type_id;            // ENTERPRISE_TYPE_ID
  std::string type_name;          // ENTERPRISE_TYPE_NAME
  std::string status;             // ENTERPRISE_STATUS_NAME
  std::string founding_date;      // FOUNDING_DATE, yyyy-MM-dd
  uint64_t capital = 0;           // CAPITAL_AMOUNT, VND
  std::string province_code;      // of the head office, pre-2025 code
  std::string address;            // HOAdress/AddressFullText
  std::vector<Representative> representatives;  // 1 to 3
  std::vector<Activity> activities;             // 1 to 3, exactly one main
};

class EnterpriseDataset {
 public:
  static constexpr uint64_t kDefaultSeed = 20250701;
  static constexpr uint64_t kDefaultCount = 200'000;

  // `citizens` gives the representatives. Throws std::invalid_argument when count is 0 or
  // above max_count() (startup only).
  EnterpriseDataset(std::shared_ptr<const population::sim::CitizenDataset> citizens,
                    uint64_t seed = kDefaultSeed, uint64_t count = kDefaultCount);

  static uint64_t max_count();
  uint64_t size() const { return count_; }

  std::string code_at(uint64_t index) const;
  // The index of the enterprise with this 10-digit code, or nullopt (malformed, or not in the
  // set). O(1).
  std::optional<uint64_t> index_of(std::string_view code) const;
  Enterprise at(uint64_t index) const;
  std::optional<Enterprise> find(std::string_view code) const;

 private:
  uint64_t permute(uint64_t rank, uint64_t province) const;
  uint64_t unpermute(uint64_t value, uint64_t province) const;

  std::shared_ptr<const population::sim::CitizenDataset> citizens_;
  uint64_t seed_;
  uint64_t count_;
};

}  // namespace lienthong::business::sim
