// The population SIMULATOR's synthetic citizens: a deterministic data set computed from a seed
// on demand, never stored. Citizen i is a pure function of (seed, count, i), and the index is
// recoverable from the personal ID, so a lookup costs O(1) time and the set O(1) memory however
// large it is (the default is 1,000,000 citizens).
//
// How an ID encodes its index: a keyed permutation p = P(i) over [0, count) is split into a
// cell c = p mod K and a rank r = p / K. A cell is (province of the sample, gender, birth year),
// so it fixes digits 1–6 of the ID; the six "random" digits are a keyed permutation of r within
// that cell. Decoding runs the same steps backwards. Relatives' IDs use ranks no citizen of
// the set uses, so they are valid IDs that a lookup does not find.
//
// Everything here is synthetic. Names, IDs and addresses look real (and the administrative
// codes are real units), but no record describes a person.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::population::sim {

// HoVaTen {Ho, ChuDem, Ten}.
struct PersonName {
  std::string family;        // Ho
  std::string middle;        // ChuDem
  std::string given;         // Ten
  std::string full() const;  // "Nguyễn Văn An"
};

// NoiDangKyKhaiSinh / QueQuan / ThuongTru / NoiOHienTai.
struct Address {
  std::string province_code;   // MaTinhThanh, 2 digits
  std::string district_code;   // MaQuanHuyen, 3 digits
  std::string commune_code;    // MaPhuongXa, 5 digits
  std::string detail;          // ChiTiet, with diacritics
  std::string country = "VN";  // QuocGia
};

// Cha / Me / VoChong: the full name as text, nationality and personal ID (empty when the
// relative was born before the simulated population, i.e. has no ID in this data set).
struct Relative {
  std::string full_name;
  std::string nationality = "VN";
  std::string personal_id;
};

// ChuHo.
struct HouseholdHead {
  std::string relation;  // QuanHe: "Chủ hộ", "Con", "Vợ"
  std::string personal_id;
  std::string full_name;
};

struct Citizen {
  uint64_t index = 0;
  std::string personal_id;         // SoDinhDanh, 12 digits
  std::string old_id_card;         // SoCMND, 9 digits; empty for those born from 2000
  PersonName name;                 // HoVaTen
  int gender = 1;                  // GioiTinh: 1 male, 2 female
  int birth_year = 0;              // NgayThangNamSinh/Nam
  std::string birth_date;          // NgayThangNamSinh/NgayThangNam, yyyyMMdd
  std::string ethnicity;           // DanToc, "01" Kinh
  std::string religion;            // TonGiao, "00" none
  std::string marital_status;      // TinhTrangHonNhan: 1 single, 2 married, 3 divorced, 4 widowed
  std::string blood_type;          // NhomMau: O, A, B, AB; empty when not recorded
  std::string nationality = "VN";  // QuocTich
  Address birth_registration;      // NoiDangKyKhaiSinh (its province is the ID's prefix)
  Address hometown;                // QueQuan
  Address permanent_residence;     // ThuongTru
  Address current_residence;       // NoiOHienTai
  Relative father;                 // Cha (same family name as the citizen)
  Relative mother;                 // Me
  std::optional<Relative> spouse;  // VoChong, for married citizens
  HouseholdHead household_head;    // ChuHo
  std::string household_book;      // SoSoHoKhau, 9 digits
};

class CitizenDataset {
 public:
  static constexpr uint64_t kDefaultSeed = 20250701;
  static constexpr uint64_t kDefaultCount = 1'000'000;

  // Throws std::invalid_argument when count is 0 or above max_count() (startup only).
  explicit CitizenDataset(uint64_t seed = kDefaultSeed, uint64_t count = kDefaultCount);

  // The largest data set the ID space of the sample provinces can hold (a few billion).
  static uint64_t max_count();

  uint64_t seed() const { return seed_; }
  uint64_t size() const { return count_; }

  // SoDinhDanh of citizen `index` (< size()); cheaper than at(index).personal_id.
  std::string personal_id_at(uint64_t index) const;
  // The index of the citizen with this ID, or nullopt when the ID is malformed or not in the
  // set. O(1).
  std::optional<uint64_t> index_of(std::string_view personal_id) const;
  // The whole record of citizen `index` (< size()).
  Citizen at(uint64_t index) const;
  // index_of + at.
  std::optional<Citizen> find(std::string_view personal_id) const;

 private:
  struct Cell {
    int province = 0;  // index into vn::provinces()
    bool male = true;
    int year = 0;
  };
  Cell cell_of(uint64_t c) const;
  uint64_t permute(uint64_t index) const;    // P
  uint64_t unpermute(uint64_t value) const;  // P^-1
  // The six random digits for rank r in the cell (province code, century/gender digit, year).
  uint32_t serial_of(uint32_t rank, int province_code, int century_gender, int year) const;
  uint32_t rank_of(uint32_t serial, int province_code, int century_gender, int year) const;
  // A valid ID in the given cell that is not in the set (for relatives).
  std::string outside_id(std::string_view province_code, bool male, int year, uint64_t r) const;
  uint64_t ranks_used(int province_index, bool male, int year) const;

  uint64_t seed_;
  uint64_t count_;
  uint64_t cells_;  // K
  int half_bits_;   // the Feistel domain of P is 2^(2*half_bits_) >= count
};

}  // namespace lienthong::population::sim
