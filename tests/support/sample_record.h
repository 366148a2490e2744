// A realistic ~2 KB citizen record (Vietnamese, with diacritics) written in canonical form, for
// tests and benchmarks. The names are invented; the shape follows FORMATS.md's CongDan record.
#pragma once

#include <string>

#include "gateway/core/canonical_xml.h"

namespace lienthong::testing {

inline constexpr const char* kRecordNamespace = "urn:lienthong:record:1";

// `variant` changes the subject so that different records have different bytes.
inline std::string sample_record(int variant = 0) {
  CanonicalXmlWriter w(kRecordNamespace);
  const std::string id = "0012030045" + std::to_string(10 + variant % 90);
  w.open("BanGhi", {{"Id", "rec-" + id}, {"MaBanGhi", id + ".CD01"}, {"PhienBan", "1"}});
  w.open("NguonDuLieu",
         {{"HeThong", "CSDLQG-DC"}, {"MaYeuCau", "7c9e6679-7425-40de-944b-e07fc1f90ae7"}});
  w.element("ThoiDiemXacThuc", "2026-11-22T08:15:30Z");
  w.element("HetHan", "2027-11-22T08:15:30Z");
  w.close();
  w.open("CongDan");
  w.element("SoDinhDanh", id);
  w.element("HoVaTen", "Nguyễn Thị Minh Khai");
  w.element("GioiTinh", "2");
  w.element("NgayThangNamSinh", "2003-04-15");
  w.element("DanToc", "Kinh");
  w.element("TonGiao", "Không");
  w.element("QuocTich", "VN");
  w.element("NhomMau", "O");
  w.element("TinhTrangHonNhan", "Chưa kết hôn");
  w.open("QueQuan", {{"MaDVHC", "27007"}});
  w.element("ChiTiet", "Xã Tân Lập, huyện Yên Phong");
  w.element("TinhThanh", "Tỉnh Bắc Ninh");
  w.close();
  w.open("ThuongTru", {{"MaDVHC", "00004"}});
  w.element("ChiTiet", "Số 12, ngõ 34 phố Đội Cấn, phường Ba Đình");
  w.element("TinhThanh", "Thành phố Hà Nội");
  w.close();
  w.open("NoiOHienTai", {{"MaDVHC", "00004"}});
  w.element("ChiTiet", "Số 12, ngõ 34 phố Đội Cấn, phường Ba Đình");
  w.element("TinhThanh", "Thành phố Hà Nội");
  w.close();
  w.open("ChuHo");
  w.element("HoVaTen", "Nguyễn Văn Bình");
  w.element("QuanHe", "Cha");
  w.element("SoDinhDanh", "001072001234");
  w.close();
  w.open("Cha");
  w.element("HoVaTen", "Nguyễn Văn Bình");
  w.element("SoDinhDanh", "001072001234");
  w.element("QuocTich", "VN");
  w.close();
  w.open("Me");
  w.element("HoVaTen", "Trần Thị Hương");
  w.element("SoDinhDanh", "001174005678");
  w.element("QuocTich", "VN");
  w.close();
  w.close();  // CongDan
  w.open("MucDich",
         {{"MaHoSo", "000.00.00.G22-261122-0001"}, {"MaThuTuc", "1.001234.000.00.00.H20"}});
  w.element("CanBo", "Lê Văn Tám",
            {{"SoDinhDanh", "079085000111"}, {"TaiKhoan", "tam.lv@motcua.gov.vn"}});
  w.element("SoGiayTo",
            "Căn cước số 001203004510 do Cục Cảnh sát quản lý hành chính về trật tự xã hội cấp");
  w.element("GhiChu",
            "Tra cứu phục vụ giải quyết thủ tục đăng ký thường trú & cấp giấy xác nhận <cư trú>");
  w.close();
  w.close();  // BanGhi
  auto out = std::move(w).finish();
  return out ? *out : std::string();
}

}  // namespace lienthong::testing
