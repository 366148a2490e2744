#include "adapters/insurance/insured_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "adapters/sim/draws.h"

namespace lienthong::insurance::sim {
namespace {

using lienthong::sim::AffinePermutation;
using lienthong::sim::Draws;
using lienthong::sim::mix;

constexpr uint64_t kSerials = 100'000'000;  // eight digits
constexpr int kLastMonth = 2026 * 12 + 10;  // 2026-11: periods end by the data's "now"
constexpr int kFirstMonth = 1995 * 12;      // compulsory social insurance from 1995

std::string month_text(int months) {  // months since year 0 → "yyyy-MM"
  return fmt::format("{:04}-{:02}", months / 12, months % 12 + 1);
}

constexpr std::string_view kPositions[] = {
    "Nhân viên kinh doanh", "Kế toán viên", "Kỹ sư xây dựng", "Công nhân sản xuất",
    "Lập trình viên", "Nhân viên hành chính", "Lái xe", "Trưởng phòng", "Thủ kho",
    "Nhân viên bán hàng"};

}  // namespace

InsuredDataset::InsuredDataset(std::shared_ptr<const population::sim::CitizenDataset> citizens,
                               std::shared_ptr<const business::sim::EnterpriseDataset> employers,
                               uint64_t seed)
    : citizens_(std::move(citizens)), employers_(std::move(employers)), seed_(seed) {
  if (!citizens_ || !employers_)
    throw std::invalid_argument("the insured data set needs the citizens and the employers");
  if (citizens_->size() > kSerials)
    throw std::invalid_argument("more citizens than eight-digit insurance serials");
}

uint64_t InsuredDataset::permute(uint64_t index) const {
  return AffinePermutation(kSerials, mix(seed_, 0xb4a1)).forward(index);
}

uint64_t InsuredDataset::unpermute(uint64_t value) const {
  return AffinePermutation(kSerials, mix(seed_, 0xb4a1)).backward(value);
}

std::string InsuredDataset::code_at(uint64_t index) const {
  // The province digits are the ID's (digits 2–3 of "0PP…" for births in Việt Nam).
  const std::string id = citizens_->personal_id_at(index);
  return fmt::format("{}{:08}", id.substr(1, 2), permute(index));
}

std::optional<uint64_t> InsuredDataset::index_of_code(std::string_view code) const {
  if (code.size() != 10 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t value = 0;
  for (char c : code.substr(2)) value = value * 10 + static_cast<uint64_t>(c - '0');
  const uint64_t index = unpermute(value);
  if (index >= size() || code_at(index) != code) return std::nullopt;
  return index;
}

std::optional<uint64_t> InsuredDataset::index_of_personal_id(std::string_view personal_id) const {
  return citizens_->index_of(personal_id);
}

InsuredPerson InsuredDataset::at(uint64_t index) const {
  InsuredPerson p;
  p.index = index;
  p.insurance_code = code_at(index);
  p.citizen = citizens_->at(index);
  Draws d(mix(seed_, 0x1a5 + index));

  // Working life: from 18–25 years of age (not before 1995), for about 80% of adults.
  const int start_age = 18 + static_cast<int>(d.below(8));
  int month = std::max(kFirstMonth, (p.citizen.birth_year + start_age) * 12 +
                                        static_cast<int>(d.below(12)));
  const int retire = (p.citizen.birth_year + 60) * 12;
  if (month >= kLastMonth || !d.percent(80)) return p;
  const uint32_t jobs = 1 + d.below(4);
  for (uint32_t k = 0; k < jobs && month < std::min(kLastMonth, retire); ++k) {
    const int length = 6 + static_cast<int>(d.below(90));
    const business::sim::Enterprise employer =
        employers_->at(d.next() % employers_->size());
    ContributionPeriod period;
    period.from_month = month_text(month);
    const int end = month + length - 1;
    const bool last = k + 1 == jobs;
    if (last && end >= kLastMonth && retire > kLastMonth) {
      period.to_month.clear();  // still contributing
    } else {
      period.to_month = month_text(std::min({end, kLastMonth, retire - 1}));
    }
    period.employer_code = employer.code;
    period.employer_name = employer.name;
    period.position = std::string(kPositions[d.below(std::size(kPositions))]);
    // The statutory base grew with the minimum wage: later periods earn more.
    const uint64_t base = 1'000'000 + static_cast<uint64_t>(month - kFirstMonth) * 20'000;
    period.salary = (base + d.below(150) * 100'000) / 100'000 * 100'000;
    period.rate = "0.32";
    p.periods.push_back(std::move(period));
    month = end + 1 + static_cast<int>(d.below(6));  // a gap between jobs
  }
  return p;
}

}  // namespace lienthong::insurance::sim
