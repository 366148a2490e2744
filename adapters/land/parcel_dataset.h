// The land SIMULATOR's synthetic parcels: a deterministic data set computed from a seed on
// demand, never stored (like CitizenDataset). Parcel i is a pure function of (seed, count, i)
// and of the citizen data set, whose citizens own the parcels, so an owner's personal ID is
// found by the population simulator run with the same seed and size.
//
// Layout. The communes are the population sample's real pre-2025 communes (QĐ 124/2004), grouped
// by a fixed rule into SYNTHETIC post-2025-07-01 communes of one to three old communes within a
// district; a merged commune keeps the code and name of its first member, as most communes
// formed under QĐ 19/2025 kept one member's code. The table does not depend on the seed (it
// stands for the law). Parcels are spread evenly over the old communes; member k of a merged
// commune numbers its map sheets from k·300+1, so (current code, sheet, parcel) names one parcel
// and translating a retired code changes nothing else (a simplification: real merged communes
// may have overlapping sheet numbers). Each parcel has one certificate, whose serial (two
// letters, six digits) is a keyed permutation of the index, so both lookups are O(1).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/population/citizen_dataset.h"
#include "adapters/sim/draws.h"

namespace lienthong::land::sim {

// ThongTinChu/ChuN.
struct Owner {
  std::string personal_id;  // SoDinhDanh: a citizen of the population data set
  std::string full_name;    // HoTen
  int birth_year = 0;       // NamSinh
};

struct Parcel {
  uint64_t index = 0;
  // ThuaDat.
  std::string commune_code;      // MaDvhc, current (post-2025-07-01) code
  std::string old_commune_code;  // MaDvhcCu, the code before 2025-07-01
  uint32_t sheet = 0;            // ToBanDo
  uint32_t number = 0;           // ThuaDatSo
  std::string scale;             // TyLeBanDo, "1:500"
  std::string address;           // DiaChi
  std::string area;              // DienTich, m², one decimal
  std::string land_type;         // LoaiDat, land-use code: ODT, ONT, LUC, CLN, BHK, NTS
  std::string term;              // ThoiHan
  std::string use_form;          // HinhThuc: "Sử dụng riêng" / "Sử dụng chung"
  std::string origin;            // NguonGoc
  // GiayChungNhan.
  std::string serial;           // soPhatHanh, "CS123456"
  std::string register_number;  // soVaoSo, "CH01234"
  std::string issued_on;        // ngayCap, yyyy-MM-dd
  std::string issuer;           // donViCap
  std::string signer_name;      // tenNguoiKy
  std::vector<Owner> owners;    // 1 to 3

  // "<MaDvhc>-<ToBanDo>-<ThuaDatSo>", the adapter's subject.
  std::string key() const;
};

// One synthetic post-merger commune.
struct MergedCommune {
  std::string code;                  // = members.front()
  std::string name;                  // of the first member
  std::vector<std::string> members;  // pre-merger codes, in order
};

class ParcelDataset {
 public:
  static constexpr uint64_t kDefaultCount = 500'000;
  static constexpr uint32_t kParcelsPerSheet = 400;
  static constexpr uint32_t kSheetsPerMember = 300;

  // Throws std::invalid_argument when count is 0 or above max_count() (startup only).
  ParcelDataset(std::shared_ptr<const population::sim::CitizenDataset> citizens, uint64_t seed,
                uint64_t count = kDefaultCount);

  uint64_t max_count() const;
  uint64_t seed() const { return seed_; }
  uint64_t size() const { return count_; }

  Parcel at(uint64_t index) const;  // index < size()
  std::string key_at(uint64_t index) const;
  std::string serial_at(uint64_t index) const;
  // By current commune code (a retired code is not found: the adapter translates), sheet and
  // number; by serial. O(1)-ish (a map lookup of the commune).
  std::optional<uint64_t> index_of_parcel(std::string_view commune_code, uint32_t sheet,
                                          uint32_t number) const;
  std::optional<uint64_t> index_of_serial(std::string_view serial) const;

  const std::vector<MergedCommune>& communes() const { return merged_; }
  // "old,new" lines with a header comment: the table the adapter loads (commune_codes).
  std::string communes_csv() const;

 private:
  struct OldCommune {
    std::string code;
    size_t province = 0;  // into vn::provinces()
    size_t district = 0;  // into its districts
    size_t merged = 0;    // into merged_
    uint32_t member = 0;  // position in the merged commune
  };

  std::shared_ptr<const population::sim::CitizenDataset> citizens_;
  uint64_t seed_;
  uint64_t count_;
  uint64_t per_commune_;  // parcels per old commune (the last may hold fewer)
  std::vector<OldCommune> old_;
  std::vector<MergedCommune> merged_;
  std::vector<std::vector<size_t>> member_old_;  // merged_[m]'s members, as indices into old_
  std::vector<std::pair<std::string, size_t>> merged_by_code_;  // sorted by code
  lienthong::sim::AffinePermutation serials_;                   // index ↔ serial number
};

}  // namespace lienthong::land::sim
