#include "adapters/population/citizen_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <stdexcept>

#include "adapters/population/vietnamese_names.h"
#include "adapters/sim/draws.h"

namespace lienthong::population::sim {
namespace {

// Birth years of the simulated population: ages 0–95 in 2026.
constexpr int kFirstYear = 1931;
constexpr int kLastYear = 2025;
constexpr int kYears = kLastYear - kFirstYear + 1;
constexpr int kReferenceYear = 2026;
constexpr uint32_t kSerials = 1'000'000;  // six digits
// Ranks at the top of every cell stay free so that relatives get IDs outside the set.
constexpr uint32_t kReservedSerials = 1'000;

using lienthong::sim::Draws;
using lienthong::sim::mix;

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

uint64_t digits_value(std::string_view digits) {
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

int century_gender_digit(int year, bool male) { return (year / 100 - 19) * 2 + (male ? 0 : 1); }

std::string format_id(std::string_view province_code, int century_gender, int year,
                      uint32_t serial) {
  return fmt::format("0{}{}{:02}{:06}", province_code, century_gender, year % 100, serial);
}

int province_index(std::string_view code) {
  const auto all = vn::provinces();
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].code == code) return static_cast<int>(i);
  return -1;
}

unsigned days_in(int year, unsigned month) {
  using namespace std::chrono;
  return static_cast<unsigned>(
      year_month_day_last{std::chrono::year{year}, month_day_last{std::chrono::month{month}}}
          .day());
}

template <class T>
const T& pick_from(std::span<const T> items, Draws& d) {
  return items[d.below(static_cast<uint32_t>(items.size()))];
}

// "Phường Đội Cấn, quận Ba Đình, Thành phố Hà Nội": where a birth was registered, a hometown.
std::string commune_level(const vn::Province& p, const vn::District& dist, const vn::Commune& c) {
  return fmt::format("{}, {}, {}", c.name, vn::in_address(dist.name, false),
                     vn::in_address(p.name, true));
}

// A dwelling: "Số 12, ngõ 34 phố Đội Cấn, phường Đội Cấn, quận Ba Đình, Thành phố Hà Nội", or
// "Thôn 3, xã Bắc Sơn, huyện Sóc Sơn, Thành phố Hà Nội" where the district is rural.
std::string dwelling(const vn::Province& p, const vn::District& dist, const vn::Commune& c,
                     Draws& d) {
  const std::string tail =
      fmt::format("{}, {}, {}", vn::in_address(c.name, false), vn::in_address(dist.name, false),
                  vn::in_address(p.name, true));
  if (dist.streets.empty()) {
    const char* hamlet = p.region == vn::Region::kSouth                    ? "Ấp"
                         : p.region == vn::Region::kNorth && d.percent(40) ? "Xóm"
                                                                           : "Thôn";
    return fmt::format("{} {}, {}", hamlet, 1 + d.below(12), tail);
  }
  const std::string_view street = pick_from(dist.streets, d);
  const unsigned number = 1 + d.below(250);
  if (d.percent(50)) {
    const char* alley = p.region == vn::Region::kNorth     ? "ngõ"
                        : p.region == vn::Region::kCentral ? "kiệt"
                                                           : "hẻm";
    return fmt::format("Số {}, {} {} {}, {}", number, alley, 2 + d.below(180), street, tail);
  }
  return fmt::format("Số {} {}, {}", number, street, tail);
}

Address address_in(int province, bool with_dwelling, Draws& d) {
  const vn::Province& p = vn::provinces()[province];
  const vn::District& dist = pick_from(p.districts, d);
  const vn::Commune& c = pick_from(dist.communes, d);
  Address a;
  a.province_code = std::string(p.code);
  a.district_code = std::string(dist.code);
  a.commune_code = std::string(c.code);
  a.detail = with_dwelling ? dwelling(p, dist, c, d) : commune_level(p, dist, c);
  return a;
}

int other_province(int usual, uint32_t keep_percent, Draws& d) {
  if (d.percent(keep_percent)) return usual;
  return static_cast<int>(d.below(static_cast<uint32_t>(vn::provinces().size())));
}

PersonName name_for(bool male, std::string_view family, Draws& d) {
  PersonName n;
  n.family = family.empty() ? std::string(vn::pick(vn::family_names(), d.next())) : family;
  n.middle = std::string(vn::pick(vn::middle_names(male), d.next()));
  n.given = std::string(vn::pick(vn::given_names(male), d.next()));
  return n;
}

}  // namespace

std::string PersonName::full() const {
  std::string out = family;
  for (const std::string* part : {&middle, &given}) {
    if (part->empty()) continue;
    if (!out.empty()) out += ' ';
    out += *part;
  }
  return out;
}

uint64_t CitizenDataset::max_count() {
  return static_cast<uint64_t>(vn::provinces().size()) * 2 * kYears * (kSerials - kReservedSerials);
}

CitizenDataset::CitizenDataset(uint64_t seed, uint64_t count)
    : seed_(seed), count_(count), cells_(vn::provinces().size() * 2 * kYears) {
  if (count == 0 || count > max_count())
    throw std::invalid_argument(
        fmt::format("citizen count must be between 1 and {} (the sample's ID space)", max_count()));
  const int bits = std::bit_width(count - 1);
  half_bits_ = std::max(1, (bits + 1) / 2);
}

CitizenDataset::Cell CitizenDataset::cell_of(uint64_t c) const {
  Cell cell;
  cell.province = static_cast<int>(c / (2 * kYears));
  const int rest = static_cast<int>(c % (2 * kYears));
  cell.male = rest < kYears;
  cell.year = kFirstYear + rest % kYears;
  return cell;
}

// P: a 4-round Feistel network over [0, 2^(2h)) with cycle walking down to [0, count).
uint64_t CitizenDataset::permute(uint64_t index) const {
  const uint64_t mask = (uint64_t{1} << half_bits_) - 1;
  uint64_t x = index;
  do {
    uint64_t left = x >> half_bits_, right = x & mask;
    for (uint64_t round = 0; round < 4; ++round) {
      const uint64_t next = left ^ (mix(seed_, (round << 56) ^ right) & mask);
      left = right;
      right = next;
    }
    x = (left << half_bits_) | right;
  } while (x >= count_);
  return x;
}

uint64_t CitizenDataset::unpermute(uint64_t value) const {
  const uint64_t mask = (uint64_t{1} << half_bits_) - 1;
  uint64_t x = value;
  do {
    uint64_t left = x >> half_bits_, right = x & mask;
    for (uint64_t round = 4; round-- > 0;) {
      const uint64_t previous = right ^ (mix(seed_, (round << 56) ^ left) & mask);
      right = left;
      left = previous;
    }
    x = (left << half_bits_) | right;
  } while (x >= count_);
  return x;
}

// A 4-round Feistel network over the decimal halves (000–999) of a six-digit serial, keyed by
// the seed and the ID's first six digits.
uint32_t CitizenDataset::serial_of(uint32_t rank, int province_code, int century_gender,
                                   int year) const {
  const uint64_t key = mix(
      seed_, (uint64_t(province_code) << 24) ^ (uint64_t(century_gender) << 16) ^ uint64_t(year));
  uint32_t left = rank / 1000, right = rank % 1000;
  for (uint64_t round = 0; round < 4; ++round) {
    const uint32_t next =
        (left + static_cast<uint32_t>(mix(key, round * 1000 + right) % 1000)) % 1000;
    left = right;
    right = next;
  }
  return left * 1000 + right;
}

uint32_t CitizenDataset::rank_of(uint32_t serial, int province_code, int century_gender,
                                 int year) const {
  const uint64_t key = mix(
      seed_, (uint64_t(province_code) << 24) ^ (uint64_t(century_gender) << 16) ^ uint64_t(year));
  uint32_t left = serial / 1000, right = serial % 1000;
  for (uint64_t round = 4; round-- > 0;) {
    const uint32_t f = static_cast<uint32_t>(mix(key, round * 1000 + left) % 1000);
    const uint32_t previous = (right + 1000 - f) % 1000;
    right = left;
    left = previous;
  }
  return left * 1000 + right;
}

uint64_t CitizenDataset::ranks_used(int province, bool male, int year) const {
  if (province < 0 || year < kFirstYear || year > kLastYear) return 0;
  const uint64_t c = uint64_t(province) * 2 * kYears + (male ? 0 : kYears) + (year - kFirstYear);
  return c < count_ ? (count_ - c + cells_ - 1) / cells_ : 0;
}

std::string CitizenDataset::outside_id(std::string_view province_code, bool male, int year,
                                       uint64_t r) const {
  const uint64_t used = ranks_used(province_index(province_code), male, year);
  const auto rank = static_cast<uint32_t>(used + r % (kSerials - used));
  const int cg = century_gender_digit(year, male);
  return format_id(province_code, cg, year, serial_of(rank, to_int(province_code), cg, year));
}

std::string CitizenDataset::personal_id_at(uint64_t index) const {
  const uint64_t p = permute(index);
  const Cell cell = cell_of(p % cells_);
  const auto rank = static_cast<uint32_t>(p / cells_);
  const std::string_view province = vn::provinces()[cell.province].code;
  const int cg = century_gender_digit(cell.year, cell.male);
  return format_id(province, cg, cell.year, serial_of(rank, to_int(province), cg, cell.year));
}

std::optional<uint64_t> CitizenDataset::index_of(std::string_view id) const {
  if (id.size() != 12 || id[0] != '0' ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int province = province_index(id.substr(1, 2));
  if (province < 0) return std::nullopt;
  const int cg = id[3] - '0';
  const bool male = cg % 2 == 0;
  const int year = (19 + cg / 2) * 100 + to_int(id.substr(4, 2));
  if (year < kFirstYear || year > kLastYear) return std::nullopt;
  const uint64_t cell =
      uint64_t(province) * 2 * kYears + (male ? 0 : kYears) + uint64_t(year - kFirstYear);
  const uint32_t rank =
      rank_of(static_cast<uint32_t>(to_int(id.substr(6, 6))), to_int(id.substr(1, 2)), cg, year);
  const uint64_t p = uint64_t(rank) * cells_ + cell;
  if (p >= count_) return std::nullopt;
  return unpermute(p);
}

std::optional<Citizen> CitizenDataset::find(std::string_view personal_id) const {
  const auto index = index_of(personal_id);
  if (!index) return std::nullopt;
  return at(*index);
}

Citizen CitizenDataset::at(uint64_t index) const {
  Citizen c;
  c.index = index;
  const uint64_t p = permute(index);
  const Cell cell = cell_of(p % cells_);
  const auto rank = static_cast<uint32_t>(p / cells_);
  const vn::Province& province = vn::provinces()[cell.province];
  const int cg = century_gender_digit(cell.year, cell.male);
  c.personal_id = format_id(province.code, cg, cell.year,
                            serial_of(rank, to_int(province.code), cg, cell.year));
  c.gender = cell.male ? 1 : 2;
  c.birth_year = cell.year;
  const int age = kReferenceYear - cell.year;

  Draws d(mix(seed_ ^ 0x5157a7e5eedULL, index));
  const unsigned month = 1 + d.below(12);
  const unsigned day = 1 + d.below(days_in(cell.year, month));
  c.birth_date = fmt::format("{:04}{:02}{:02}", cell.year, month, day);
  c.name = name_for(cell.male, "", d);
  c.ethnicity = std::string(vn::pick(vn::ethnic_codes(), d.next()));
  c.religion = std::string(vn::pick(vn::religion_codes(), d.next()));
  static constexpr vn::Weighted kBlood[] = {{"O", 42}, {"A", 21}, {"B", 30}, {"AB", 7}};
  const bool blood_recorded = d.percent(60);
  const std::string_view blood = vn::pick(kBlood, d.next());
  if (blood_recorded) c.blood_type = std::string(blood);
  if (cell.year < 2000) {
    // Nine digits, distinct for every index below 10^9: an affine map with a multiplier
    // coprime to 10.
    const uint64_t number =
        (index * 387'420'489ULL + mix(seed_) % 1'000'000'000ULL) % 1'000'000'000ULL;
    c.old_id_card = fmt::format("{:09}", number);
  }

  // Marital status by age: 1 single, 2 married, 3 divorced, 4 widowed.
  const uint32_t u = d.below(100);
  if (age < 18) {
    c.marital_status = "1";
  } else if (age >= 60 && u < (age >= 75 ? 35u : 15u)) {
    c.marital_status = "4";
  } else {
    const uint32_t married = age < 25 ? 25 : age < 35 ? 65 : 85;
    const uint32_t v = d.below(100);
    c.marital_status = v < married ? "2" : (age >= 25 && v < married + 4) ? "3" : "1";
  }

  c.birth_registration = address_in(cell.province, false, d);
  const int home_province = other_province(cell.province, 70, d);
  c.hometown = address_in(home_province, false, d);
  c.permanent_residence = address_in(other_province(cell.province, 75, d), true, d);
  c.current_residence = d.percent(85) ? c.permanent_residence
                                      : address_in(other_province(cell.province, 30, d), true, d);

  // Parents: the father's family name is the citizen's; IDs only for those born in the
  // simulated years (older parents predate the data set).
  const int father_year = cell.year - static_cast<int>(22 + d.below(19));
  const int mother_year = cell.year - static_cast<int>(19 + d.below(17));
  c.father.full_name = name_for(true, c.name.family, d).full();
  c.mother.full_name = name_for(false, "", d).full();
  const uint64_t father_draw = d.next(), mother_draw = d.next();
  const int mother_province = other_province(home_province, 50, d);
  if (father_year >= kFirstYear)
    c.father.personal_id =
        outside_id(vn::provinces()[home_province].code, true, father_year, father_draw);
  if (mother_year >= kFirstYear)
    c.mother.personal_id =
        outside_id(vn::provinces()[mother_province].code, false, mother_year, mother_draw);

  if (c.marital_status == "2") {
    const bool spouse_male = !cell.male;
    const int gap = static_cast<int>(d.below(9)) - 1;  // husbands mostly a few years older
    const int spouse_year =
        std::clamp(cell.male ? cell.year + gap : cell.year - gap, kFirstYear, kReferenceYear - 18);
    Relative spouse;
    spouse.full_name = name_for(spouse_male, "", d).full();
    const int spouse_province = other_province(cell.province, 40, d);
    spouse.personal_id =
        outside_id(vn::provinces()[spouse_province].code, spouse_male, spouse_year, d.next());
    c.spouse = std::move(spouse);
  }

  // The household: children (and most young single adults) live in their father's household,
  // a married woman in her husband's; everyone else heads their own.
  const bool with_parents = age < 18 || (c.marital_status == "1" && age < 30 && d.percent(70));
  if (with_parents && !c.father.personal_id.empty()) {
    c.household_head = {"Con", c.father.personal_id, c.father.full_name};
  } else if (with_parents && !c.mother.personal_id.empty()) {
    c.household_head = {"Con", c.mother.personal_id, c.mother.full_name};
  } else if (c.spouse && !cell.male) {
    c.household_head = {"Vợ", c.spouse->personal_id, c.spouse->full_name};
  } else {
    c.household_head = {"Chủ hộ", c.personal_id, c.name.full()};
  }
  c.household_book = fmt::format(
      "{:09}", mix(seed_, digits_value(c.household_head.personal_id)) % 1'000'000'000ULL);
  return c;
}

}  // namespace lienthong::population::sim
