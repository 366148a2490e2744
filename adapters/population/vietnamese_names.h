// Tables behind the population SIMULATOR's synthetic citizens: Vietnamese family, middle and
// given names with their diacritics, ethnic and religion codes, and a partial sample of real
// administrative units (pre-2025 codes, QĐ 124/2004: province 2 digits, district 3, commune 5)
// with a few street names each. Static data only; nothing here is personal data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lienthong::population::sim::vn {

// A value drawn with a relative weight (e.g. "Nguyễn" is about 38% of family names).
struct Weighted {
  std::string_view value;
  uint32_t weight;
};

// Picks from `table` with `r` uniform in [0, 2^64).
std::string_view pick(std::span<const Weighted> table, uint64_t r);

std::span<const Weighted> family_names();
std::span<const Weighted> middle_names(bool male);
std::span<const Weighted> given_names(bool male);

// DanToc codes (the official list of 54 ethnic groups; "01" Kinh) and TonGiao codes
// ("00" none). Weighted roughly like the census, Kinh and "none" dominate.
std::span<const Weighted> ethnic_codes();
std::span<const Weighted> religion_codes();

// How addresses read in each region: "ngõ" (north), "kiệt" (centre), "hẻm" (south) for alleys,
// "thôn" or "ấp" for rural hamlets.
enum class Region { kNorth, kCentral, kSouth };

struct Commune {
  std::string_view code;  // 5 digits
  std::string_view name;  // with its type: "Phường Đội Cấn", "Xã Bắc Sơn", "Thị trấn Cờ Đỏ"
};

struct District {
  std::string_view code;              // 3 digits
  std::string_view name;              // with its type: "Quận Ba Đình", "Huyện Sóc Sơn"
  std::span<const Commune> communes;  // non-empty
  std::span<const std::string_view> streets;  // "phố Đội Cấn"; empty for rural districts
};

struct Province {
  std::string_view code;  // 2 digits, one of the pre-2025 province codes
  std::string_view name;  // "Thành phố Hà Nội", "Tỉnh Nghệ An"
  Region region;
  std::span<const District> districts;  // non-empty
};

// The sample: ~15 provinces, a few districts and communes each (README.md says which codes
// were checked against public copies of the official list).
std::span<const Province> provinces();

// A unit's name as it reads inside an address: the type word in lower case ("Phường Đội Cấn"
// -> "phường Đội Cấn", "Tỉnh Nghệ An" -> "tỉnh Nghệ An"); the five centrally-run cities keep
// "Thành phố" capitalised, as addresses customarily write them.
std::string in_address(std::string_view unit_name, bool is_province);

}  // namespace lienthong::population::sim::vn
