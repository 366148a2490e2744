#include "adapters/land/parcel_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "adapters/population/vietnamese_names.h"

namespace lienthong::land::sim {
namespace {

namespace vn = population::sim::vn;
using lienthong::sim::Draws;
using lienthong::sim::mix;

// Certificate series (two letters); serial = series + six digits. Real blanks use such series.
constexpr std::string_view kSeries[] = {"BA", "BB", "BC", "BD", "BE", "BG", "BH", "BK",
                                        "CA", "CB", "CC", "CD", "CE", "CG", "CH", "CS"};
constexpr uint64_t kPerSeries = 1'000'000;
constexpr uint64_t kSerialSpace = std::size(kSeries) * kPerSeries;

constexpr std::string_view kResidentialOrigins[] = {
    "Nhà nước công nhận quyền sử dụng đất", "Nhận chuyển nhượng quyền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất", "Nhà nước giao đất có thu tiền sử dụng đất"};
constexpr std::string_view kFarmOrigins[] = {"Nhà nước giao đất không thu tiền sử dụng đất",
                                             "Nhận chuyển nhượng quyền sử dụng đất",
                                             "Nhận thừa kế quyền sử dụng đất"};

// Birth year from the ID's century/gender digit and year digits (FORMATS.md §2).
int birth_year_of(std::string_view personal_id) {
  const int digit = personal_id[3] - '0';
  const int yy = (personal_id[4] - '0') * 10 + (personal_id[5] - '0');
  return (digit / 2 + 19) * 100 + yy;
}

// The newest birth year of an owner: a certificate holder is an adult when it is signed.
constexpr int kLatestOwnerBirthYear = 2006;
constexpr int kFirstIssueYear = 1994;  // first certificates under the 1993 Land Law
constexpr int kLastIssueYear = 2024;

}  // namespace

std::string Parcel::key() const { return fmt::format("{}-{}-{}", commune_code, sheet, number); }

ParcelDataset::ParcelDataset(std::shared_ptr<const population::sim::CitizenDataset> citizens,
                             uint64_t seed, uint64_t count)
    : citizens_(std::move(citizens)),
      seed_(seed),
      count_(count),
      serials_(kSerialSpace, mix(seed, 0x67636e)) {
  if (!citizens_) throw std::invalid_argument("ParcelDataset needs the citizen data set");
  const auto provinces = vn::provinces();
  for (size_t p = 0; p < provinces.size(); ++p) {
    for (size_t d = 0; d < provinces[p].districts.size(); ++d) {
      const auto communes = provinces[p].districts[d].communes;
      // Groups of one to three neighbouring communes of a district, by a rule on the codes
      // alone (never the seed): the table stands for the law, the same in every run.
      for (size_t j = 0; j < communes.size();) {
        uint64_t code = 0;
        std::from_chars(communes[j].code.data(), communes[j].code.data() + communes[j].code.size(),
                        code);
        const size_t size = std::min<size_t>(1 + mix(code) % 3, communes.size() - j);
        MergedCommune merged;
        merged.code = std::string(communes[j].code);
        merged.name = std::string(communes[j].name);
        std::vector<size_t> members;
        for (size_t k = 0; k < size; ++k) {
          merged.members.emplace_back(communes[j + k].code);
          members.push_back(old_.size());
          old_.push_back(OldCommune{std::string(communes[j + k].code), p, d, merged_.size(),
                                    static_cast<uint32_t>(k)});
        }
        merged_by_code_.emplace_back(merged.code, merged_.size());
        merged_.push_back(std::move(merged));
        member_old_.push_back(std::move(members));
        j += size;
      }
    }
  }
  std::sort(merged_by_code_.begin(), merged_by_code_.end());
  if (count_ == 0 || count_ > max_count()) {
    throw std::invalid_argument(
        fmt::format("parcel count must be 1..{} for this commune sample", max_count()));
  }
  per_commune_ = (count_ + old_.size() - 1) / old_.size();
}

uint64_t ParcelDataset::max_count() const {
  return std::min<uint64_t>(old_.size() * uint64_t{kSheetsPerMember} * kParcelsPerSheet,
                            kSerialSpace);
}

std::string ParcelDataset::key_at(uint64_t index) const {
  const OldCommune& o = old_[index / per_commune_];
  const uint64_t r = index % per_commune_;
  return fmt::format("{}-{}-{}", merged_[o.merged].code,
                     o.member * kSheetsPerMember + r / kParcelsPerSheet + 1,
                     r % kParcelsPerSheet + 1);
}

std::string ParcelDataset::serial_at(uint64_t index) const {
  const uint64_t p = serials_.forward(index);
  return fmt::format("{}{:06}", kSeries[p / kPerSeries], p % kPerSeries);
}

std::optional<uint64_t> ParcelDataset::index_of_parcel(std::string_view commune_code,
                                                       uint32_t sheet, uint32_t number) const {
  auto it = std::lower_bound(merged_by_code_.begin(), merged_by_code_.end(), commune_code,
                             [](const std::pair<std::string, size_t>& e, std::string_view code) {
                               return e.first < code;
                             });
  if (it == merged_by_code_.end() || it->first != commune_code) return std::nullopt;
  if (sheet == 0 || number == 0 || number > kParcelsPerSheet) return std::nullopt;
  const auto& members = member_old_[it->second];
  const uint32_t member = (sheet - 1) / kSheetsPerMember;
  if (member >= members.size()) return std::nullopt;
  const uint64_t r = uint64_t{(sheet - 1) % kSheetsPerMember} * kParcelsPerSheet + (number - 1);
  if (r >= per_commune_) return std::nullopt;
  const uint64_t index = members[member] * per_commune_ + r;
  if (index >= count_) return std::nullopt;
  return index;
}

std::optional<uint64_t> ParcelDataset::index_of_serial(std::string_view serial) const {
  if (serial.size() != 8) return std::nullopt;
  const auto* series = std::find(std::begin(kSeries), std::end(kSeries), serial.substr(0, 2));
  if (series == std::end(kSeries)) return std::nullopt;
  uint64_t number = 0;
  const std::string_view digits = serial.substr(2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  const uint64_t p = static_cast<uint64_t>(series - std::begin(kSeries)) * kPerSeries + number;
  const uint64_t index = serials_.backward(p);
  if (index >= count_) return std::nullopt;
  return index;
}

Parcel ParcelDataset::at(uint64_t index) const {
  const OldCommune& o = old_[index / per_commune_];
  const uint64_t r = index % per_commune_;
  const vn::Province& province = vn::provinces()[o.province];
  const vn::District& district = province.districts[o.district];
  const MergedCommune& merged = merged_[o.merged];
  Draws d(mix(seed_, mix(index, 0x6c616e64)));

  Parcel p;
  p.index = index;
  p.commune_code = merged.code;
  p.old_commune_code = o.code;
  p.sheet = o.member * kSheetsPerMember + static_cast<uint32_t>(r / kParcelsPerSheet) + 1;
  p.number = static_cast<uint32_t>(r % kParcelsPerSheet) + 1;

  const bool urban = !district.streets.empty();
  p.scale = urban ? (d.percent(50) ? "1:500" : "1:1000") : (d.percent(50) ? "1:1000" : "1:2000");
  const uint32_t kind = d.below(100);
  if (urban) {
    p.land_type = kind < 85 ? "ODT" : "CLN";
  } else {
    p.land_type = kind < 35   ? "ONT"
                  : kind < 65 ? "LUC"
                  : kind < 80 ? "CLN"
                  : kind < 90 ? "BHK"
                              : "NTS";
  }
  const bool residential = p.land_type == "ODT" || p.land_type == "ONT";
  const uint32_t low = p.land_type == "ODT" ? 40 : p.land_type == "ONT" ? 100 : 300;
  const uint32_t span = p.land_type == "ODT" ? 210 : p.land_type == "ONT" ? 500 : 2700;
  p.area = fmt::format("{}.{}", low + d.below(span), d.below(10));

  const std::string commune = vn::in_address(merged.name, false);
  const std::string where = vn::in_address(province.name, true);
  if (urban) {
    p.address = fmt::format(
        "Số {} {}, {}, {}", 1 + d.below(300),
        district.streets[d.below(static_cast<uint32_t>(district.streets.size()))], commune, where);
  } else {
    p.address = fmt::format("{} {}, {}, {}", province.region == vn::Region::kSouth ? "Ấp" : "Thôn",
                            1 + d.below(12), commune, where);
  }
  p.origin = residential ? kResidentialOrigins[d.below(std::size(kResidentialOrigins))]
                         : kFarmOrigins[d.below(std::size(kFarmOrigins))];

  // Owners: citizens of the population data set, distinct, adults by the signing date.
  const uint32_t owner_draw = d.below(100);
  const size_t owners = owner_draw < 60 ? 1 : owner_draw < 90 ? 2 : 3;
  int youngest = 0;
  for (size_t n = 0; n < owners; ++n) {
    uint64_t chosen = 0;
    std::string id;
    for (int attempt = 0; attempt < 64; ++attempt) {
      chosen = d.next() % citizens_->size();
      id = citizens_->personal_id_at(chosen);
      const bool taken = std::any_of(p.owners.begin(), p.owners.end(),
                                     [&](const Owner& w) { return w.personal_id == id; });
      if (!taken && birth_year_of(id) <= kLatestOwnerBirthYear) break;
    }
    const population::sim::Citizen citizen = citizens_->at(chosen);
    p.owners.push_back(Owner{citizen.personal_id, citizen.name.full(), citizen.birth_year});
    youngest = std::max(youngest, citizen.birth_year);
  }
  p.use_form = p.owners.size() == 1 ? "Sử dụng riêng" : "Sử dụng chung";

  const int first_year = std::min(kLastIssueYear, std::max(kFirstIssueYear, youngest + 18));
  const int year = first_year + static_cast<int>(d.below(kLastIssueYear - first_year + 1));
  const uint32_t month = 1 + d.below(12), day = 1 + d.below(28);
  p.issued_on = fmt::format("{:04}-{:02}-{:02}", year, month, day);
  p.term =
      residential ? "Lâu dài" : fmt::format("Đến ngày {:04}-{:02}-{:02}", year + 50, month, day);
  p.serial = serial_at(index);
  p.register_number = fmt::format("CH{:05}", r + 1);
  // Before the provincial land registration offices (2016 here) districts signed certificates.
  p.issuer = year < 2016 ? fmt::format("Ủy ban nhân dân {}", vn::in_address(district.name, false))
                         : fmt::format("Sở Tài nguyên và Môi trường {}", where);
  p.signer_name = fmt::format("{} {} {}", vn::pick(vn::family_names(), d.next()),
                              vn::pick(vn::middle_names(true), d.next()),
                              vn::pick(vn::given_names(true), d.next()));
  return p;
}

std::string ParcelDataset::communes_csv() const {
  std::string out =
      "# SYNTHETIC commune codes of the land SIMULATOR (adapters/land/parcel_dataset.h): old "
      "(before 2025-07-01),new.\n"
      "# Real pre-2025 codes of the population sample, grouped by a made-up rule; NOT the "
      "official QĐ 19/2025 table.\n"
      "# Written by ParcelDataset::communes_csv(); a test keeps this file equal to it.\n";
  for (const auto& o : old_) out += fmt::format("{},{}\n", o.code, merged_[o.merged].code);
  return out;
}

}  // namespace lienthong::land::sim
