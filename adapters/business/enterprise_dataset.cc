#include "adapters/business/enterprise_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "adapters/population/vietnamese_names.h"
#include "adapters/sim/draws.h"

namespace lienthong::business::sim {
namespace {

using lienthong::sim::Draws;
using lienthong::sim::mix;
namespace vn = population::sim::vn;

constexpr uint64_t kRanks = 1'000'000;  // six permuted digits per tax province
constexpr int kWeights[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};

// Tax province (first two digits of the code) and the province of the head office. Only the
// ones FORMATS.md names are used: 01 Hà Nội, 03 Hồ Chí Minh; 02 Hải Phòng and 04 Đà Nẵng
// follow the same old numbering.
struct TaxProvince {
  std::string_view tax_code;
  std::string_view province_code;  // pre-2025 administrative code (vn::provinces())
};
constexpr std::array<TaxProvince, 4> kTaxProvinces = {{
    {"01", "01"}, {"03", "79"}, {"02", "31"}, {"04", "48"}}};

struct EnterpriseType {
  std::string_view id;
  std::string_view name;
  std::string_view prefix;  // as names start
  uint32_t weight;
};
constexpr std::array<EnterpriseType, 5> kTypes = {{
    {"1", "Công ty trách nhiệm hữu hạn một thành viên", "CÔNG TY TNHH", 40},
    {"2", "Công ty trách nhiệm hữu hạn hai thành viên trở lên", "CÔNG TY TNHH", 20},
    {"3", "Công ty cổ phần", "CÔNG TY CỔ PHẦN", 30},
    {"4", "Doanh nghiệp tư nhân", "DOANH NGHIỆP TƯ NHÂN", 8},
    {"5", "Công ty hợp danh", "CÔNG TY HỢP DANH", 2},
}};

constexpr std::array<std::string_view, 14> kSectors = {
    "THƯƠNG MẠI", "DỊCH VỤ", "XÂY DỰNG", "ĐẦU TƯ", "SẢN XUẤT", "VẬN TẢI", "CÔNG NGHỆ",
    "XUẤT NHẬP KHẨU", "THỰC PHẨM", "DU LỊCH", "THƯƠNG MẠI DỊCH VỤ", "ĐẦU TƯ XÂY DỰNG",
    "TƯ VẤN", "CƠ KHÍ"};
constexpr std::array<std::string_view, 24> kTradeNames = {
    "SAO MAI", "HOÀNG LONG", "MINH PHÁT", "THÀNH CÔNG", "AN PHÚ", "VIỆT TIẾN", "ĐẠI DƯƠNG",
    "PHƯƠNG NAM", "HỒNG HÀ", "TRƯỜNG SƠN", "BÌNH MINH", "TÂN TIẾN", "HƯNG THỊNH", "PHÚC LỘC",
    "NAM VIỆT", "THIÊN ÂN", "KIM NGÂN", "ĐỨC TÀI", "THÁI BÌNH", "QUANG VINH", "HẢI ĐĂNG",
    "NGỌC LAN", "TRÍ ĐỨC", "LIÊN THÀNH"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kActivities = {{
    {"4610", "Đại lý, môi giới, đấu giá hàng hóa"},
    {"4690", "Bán buôn tổng hợp"},
    {"4711", "Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào trong cửa hàng kinh doanh tổng hợp"},
    {"4100", "Xây dựng nhà các loại"},
    {"4933", "Vận tải hàng hóa bằng đường bộ"},
    {"5510", "Dịch vụ lưu trú ngắn ngày"},
    {"6201", "Lập trình máy vi tính"},
    {"7020", "Hoạt động tư vấn quản lý"},
    {"1079", "Sản xuất thực phẩm khác chưa được phân vào đâu"},
    {"2592", "Gia công cơ khí; xử lý và tráng phủ kim loại"},
}};

constexpr std::array<std::string_view, 4> kStatuses = {
    "Đang hoạt động", "Tạm ngừng kinh doanh có thời hạn", "Đã giải thể",
    "Ngừng hoạt động nhưng chưa hoàn thành thủ tục giải thể"};

// Weighted sum of the first nine digits, mod 11.
int remainder_of(std::string_view nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * kWeights[i];
  return sum % 11;
}

const vn::Province* province_by_code(std::string_view code) {
  for (const auto& p : vn::provinces())
    if (p.code == code) return &p;
  return nullptr;
}

std::string head_office(const vn::Province& province, Draws& d) {
  // Head offices are in districts with streets (towns and cities).
  std::vector<const vn::District*> urban;
  for (const auto& district : province.districts)
    if (!district.streets.empty()) urban.push_back(&district);
  const vn::District& district =
      urban.empty() ? province.districts[d.below(static_cast<uint32_t>(province.districts.size()))]
                    : *urban[d.below(static_cast<uint32_t>(urban.size()))];
  const vn::Commune& commune =
      district.communes[d.below(static_cast<uint32_t>(district.communes.size()))];
  std::string street;
  if (!district.streets.empty()) {
    street = fmt::format("Số {} {}, ", 1 + d.below(300),
                         district.streets[d.below(static_cast<uint32_t>(district.streets.size()))]);
  }
  return fmt::format("{}{}, {}, {}", street, vn::in_address(commune.name, false),
                     vn::in_address(district.name, false), vn::in_address(province.name, true));
}

}  // namespace

EnterpriseDataset::EnterpriseDataset(
    std::shared_ptr<const population::sim::CitizenDataset> citizens, uint64_t seed,
    uint64_t count)
    : citizens_(std::move(citizens)), seed_(seed), count_(count) {
  if (!citizens_) throw std::invalid_argument("the enterprise data set needs the citizens");
  if (count == 0 || count > max_count())
    throw std::invalid_argument(fmt::format("enterprise count must be 1..{}", max_count()));
  for (const auto& tp : kTaxProvinces) {
    if (province_by_code(tp.province_code) == nullptr)
      throw std::invalid_argument("a tax province is missing from the address sample");
  }
}

uint64_t EnterpriseDataset::max_count() { return kRanks * kTaxProvinces.size(); }

uint64_t EnterpriseDataset::permute(uint64_t rank, uint64_t province) const {
  return lienthong::sim::AffinePermutation(kRanks, mix(seed_, 0xa11ce + province)).forward(rank);
}

uint64_t EnterpriseDataset::unpermute(uint64_t value, uint64_t province) const {
  return lienthong::sim::AffinePermutation(kRanks, mix(seed_, 0xa11ce + province)).backward(value);
}

std::string EnterpriseDataset::code_at(uint64_t index) const {
  const uint64_t province = index % kTaxProvinces.size();
  const uint64_t rank = index / kTaxProvinces.size();
  std::string code = fmt::format("{}{:06}0", kTaxProvinces[province].tax_code,
                                 permute(rank, province));
  if (remainder_of(code) == 0) code[8] = '1';
  code += static_cast<char>('0' + (10 - remainder_of(code)) % 10);
  return code;
}

std::optional<uint64_t> EnterpriseDataset::index_of(std::string_view code) const {
  if (code.size() != 10 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const auto tp = std::find_if(kTaxProvinces.begin(), kTaxProvinces.end(),
                               [&](const TaxProvince& t) { return code.substr(0, 2) == t.tax_code; });
  if (tp == kTaxProvinces.end()) return std::nullopt;
  const uint64_t province = static_cast<uint64_t>(tp - kTaxProvinces.begin());
  uint64_t value = 0;
  for (char c : code.substr(2, 6)) value = value * 10 + static_cast<uint64_t>(c - '0');
  const uint64_t index = unpermute(value, province) * kTaxProvinces.size() + province;
  if (index >= count_ || code_at(index) != code) return std::nullopt;
  return index;
}

Enterprise EnterpriseDataset::at(uint64_t index) const {
  Draws d(mix(seed_, 0xe17e + index));
  Enterprise e;
  e.index = index;
  e.code = code_at(index);
  const TaxProvince& tp = kTaxProvinces[index % kTaxProvinces.size()];
  e.province_code = std::string(tp.province_code);

  uint32_t total = 0;
  for (const auto& t : kTypes) total += t.weight;
  uint32_t roll = d.below(total);
  const EnterpriseType* type = &kTypes.back();
  for (const auto& t : kTypes) {
    if (roll < t.weight) {
      type = &t;
      break;
    }
    roll -= t.weight;
  }
  e.type_id = std::string(type->id);
  e.type_name = std::string(type->name);
  e.name = fmt::format("{} {} {}", type->prefix, kSectors[d.below(kSectors.size())],
                       kTradeNames[d.below(kTradeNames.size())]);
  if (d.percent(30)) e.name += fmt::format(" {}", 1 + d.below(9));  // "… SAO MAI 3"
  e.status = std::string(d.percent(85) ? kStatuses[0] : kStatuses[1 + d.below(3)]);
  const int year = 1995 + static_cast<int>(d.below(31));
  const unsigned month = 1 + d.below(12);
  const unsigned day = 1 + d.below(28);
  e.founding_date = fmt::format("{:04}-{:02}-{:02}", year, month, day);
  static constexpr uint64_t kCapitals[] = {100'000'000ULL,   500'000'000ULL,   1'000'000'000ULL,
                                           2'000'000'000ULL, 5'000'000'000ULL, 10'000'000'000ULL,
                                           50'000'000'000ULL};
  e.capital = kCapitals[d.below(std::size(kCapitals))];
  e.address = head_office(*province_by_code(tp.province_code), d);

  // A private enterprise (doanh nghiệp tư nhân) has exactly one owner, who represents it.
  const bool sole_owner = type->id == "4";
  const uint32_t people = sole_owner || d.percent(70) ? 1 : 2 + d.below(2);
  static constexpr std::string_view kPositions[] = {"Giám đốc", "Chủ tịch Hội đồng quản trị",
                                                    "Tổng giám đốc", "Chủ tịch công ty"};
  for (uint32_t k = 0; k < people; ++k) {
    // An adult when the enterprise was founded: draw until one is (bounded; the population
    // is mostly adults, so the first draw nearly always is).
    population::sim::Citizen person = citizens_->at(d.next() % citizens_->size());
    for (int tries = 0; tries < 16 && person.birth_year > year - 18; ++tries)
      person = citizens_->at(d.next() % citizens_->size());
    e.representatives.push_back(
        Representative{person.name.full(), person.personal_id,
                       std::string(sole_owner ? "Chủ doanh nghiệp" : kPositions[k % 4])});
  }

  const uint32_t activities = 1 + d.below(3);
  const uint32_t first = d.below(kActivities.size());
  for (uint32_t k = 0; k < activities; ++k) {
    const auto& [code, name] = kActivities[(first + k * 3) % kActivities.size()];
    e.activities.push_back(Activity{std::string(code), std::string(name), k == 0});
  }
  return e;
}

std::optional<Enterprise> EnterpriseDataset::find(std::string_view code) const {
  const auto index = index_of(code);
  if (!index) return std::nullopt;
  return at(*index);
}

}  // namespace lienthong::business::sim
