// The social-insurance SIMULATOR's insured people (BHXH Việt Nam): a deterministic data set
// computed on demand from the population simulator's citizens and the enterprise simulator's
// employers, never stored. Every citizen has a social-insurance code (mã số BHXH: health
// insurance covers children too), so the set is as large as the population's (1,000,000 by
// default); those of working age have contribution periods with enterprises of the enterprise
// simulator.
//
// The code: 2 digits of the citizen's birth-registration province, then 8 digits that are a
// keyed permutation of the citizen's index, so code → index is O(1) and so is personal ID →
// index (the population data set decodes IDs). FORMATS.md §3 gives the length (10 digits) and
// no check digit.
//
// Everything here is synthetic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/business/enterprise_dataset.h"
#include "adapters/population/citizen_dataset.h"

namespace lienthong::insurance::sim {

// One stretch of contributions with one employer (quá trình đóng).
struct ContributionPeriod {
  std::string from_month;     // tuThang, yyyy-MM
  std::string to_month;       // denThang, yyyy-MM; empty while still contributing
  std::string employer_code;  // maDonVi: the enterprise code
  std::string employer_name;  // donVi
  std::string position;       // chucVu
  uint64_t salary = 0;        // mucLuong, VND a month, the contribution base
  std::string rate;           // tyLe, "0.32" (employer 21.5% + employee 10.5%)
};

struct InsuredPerson {
  uint64_t index = 0;                      // the citizen's index in the population data set
  std::string insurance_code;              // maSoBHXH, 10 digits
  population::sim::Citizen citizen;        // who: name, personal ID, birth date, addresses
  std::vector<ContributionPeriod> periods; // oldest first; empty for children and some adults
};

class InsuredDataset {
 public:
  static constexpr uint64_t kDefaultSeed = 20250701;

  InsuredDataset(std::shared_ptr<const population::sim::CitizenDataset> citizens,
                 std::shared_ptr<const business::sim::EnterpriseDataset> employers,
                 uint64_t seed = kDefaultSeed);

  uint64_t size() const { return citizens_->size(); }

  std::string code_at(uint64_t index) const;
  std::optional<uint64_t> index_of_code(std::string_view insurance_code) const;
  std::optional<uint64_t> index_of_personal_id(std::string_view personal_id) const;
  InsuredPerson at(uint64_t index) const;

 private:
  uint64_t permute(uint64_t index) const;
  uint64_t unpermute(uint64_t value) const;

  std::shared_ptr<const population::sim::CitizenDataset> citizens_;
  std::shared_ptr<const business::sim::EnterpriseDataset> employers_;
  uint64_t seed_;
};

}  // namespace lienthong::insurance::sim
