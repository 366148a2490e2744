#include "adapters/land/sim_xml.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "adapters/sim/sim_xml_writer.h"
#include "gateway/core/canonical_xml.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::land::sim {
namespace {

namespace xml = crypto::xml;

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One dd: child by local name; BAD_REQUEST when it appears twice. nullptr when absent.
Result<const xmlNode*> unique_child(const xmlNode* parent, std::string_view local) {
  const xmlNode* found = nullptr;
  for (const xmlNode* c = xml::first_element(parent); c != nullptr; c = xml::next_element(c)) {
    if (!xml::is(c, kLandNs, local)) continue;
    if (found != nullptr) return fail(ErrorCode::kBadRequest, "duplicate " + std::string(local));
    found = c;
  }
  return found;
}

Result<std::string> text_of(const xmlNode* parent, std::string_view local, bool required) {
  auto node = unique_child(parent, local);
  if (!node) return tl::unexpected(node.error());
  std::string value = *node ? std::string(trim(xml::text(*node))) : std::string();
  if (required && value.empty()) {
    return fail(ErrorCode::kBadRequest, "missing " + std::string(local));
  }
  return value;
}

Result<uint32_t> number_of(const xmlNode* parent, std::string_view local, size_t max_digits) {
  auto text = text_of(parent, local, true);
  if (!text) return tl::unexpected(text.error());
  uint32_t value = 0;
  if (!all_digits(*text) || text->size() > max_digits ||
      std::from_chars(text->data(), text->data() + text->size(), value).ec != std::errc() ||
      value == 0) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{} must be a number of 1 to {} digits", local, max_digits));
  }
  return value;
}

using Writer = lienthong::sim::PrefixedXmlWriter;

void write_parcel(Writer& w, const Parcel& p) {
  w.open("HoSo");
  w.open("ThuaDat");
  w.element("MaDvhc", p.commune_code);
  w.element("MaDvhcCu", p.old_commune_code);
  w.element("ToBanDo", std::to_string(p.sheet));
  w.element("ThuaDatSo", std::to_string(p.number));
  w.element("TyLeBanDo", p.scale);
  w.element("DiaChi", p.address);
  w.element("DienTich", p.area);
  w.element("LoaiDat", p.land_type);
  w.element("ThoiHan", p.term);
  w.element("HinhThuc", p.use_form);
  w.element("NguonGoc", p.origin);
  w.close("ThuaDat");
  w.open("GiayChungNhan");
  w.element("soPhatHanh", p.serial);
  w.element("soVaoSo", p.register_number);
  w.element("ngayCap", p.issued_on);
  w.element("donViCap", p.issuer);
  w.element("tenNguoiKy", p.signer_name);
  w.close("GiayChungNhan");
  w.open("ThongTinChu");
  w.element("SoChu", std::to_string(p.owners.size()));
  for (size_t i = 0; i < p.owners.size(); ++i) {
    const std::string slot = fmt::format("Chu{}", i + 1);
    w.open(slot);
    w.element("HoTen", p.owners[i].full_name);
    w.element("SoDinhDanh", p.owners[i].personal_id);
    w.element("NamSinh", std::to_string(p.owners[i].birth_year));
    w.close(slot);
  }
  w.close("ThongTinChu");
  w.close("HoSo");
}

}  // namespace

crypto::XmlLimits request_limits() {
  crypto::XmlLimits limits;
  limits.max_bytes = 64 << 10;
  limits.max_depth = 8;
  limits.max_nodes = 1'000;
  return limits;
}

Result<LandRequest> parse_land_request(std::string_view body) {
  auto doc = crypto::parse_untrusted_xml(body, request_limits(), {});
  if (!doc) return tl::unexpected(doc.error());
  const xmlNode* op = xmlDocGetRootElement(doc->get());
  if (!xml::is(op, kLandNs, "TraCuuThuaDat")) {
    return fail(ErrorCode::kBadRequest, "the root is not dd:TraCuuThuaDat");
  }
  LandRequest r;
  struct Field {
    std::string_view name;
    std::string* target;
    bool required;
  };
  const Field fields[] = {
      {"MaYeuCau", &r.request_id, true}, {"MaDVC", &r.service_code, false},
      {"MaCanBo", &r.officer_id, true},  {"TaiKhoan", &r.officer_account, true},
      {"MaDonVi", &r.organ_code, false}, {"MaHoSo", &r.dossier_code, false},
  };
  for (const Field& f : fields) {
    auto value = text_of(op, f.name, f.required);
    if (!value) return tl::unexpected(value.error());
    *f.target = std::move(*value);
  }
  if (r.request_id.size() > 128) {
    return fail(ErrorCode::kBadRequest, "MaYeuCau is longer than 128 characters");
  }
  auto parcel = unique_child(op, "ThuaDat");
  if (!parcel) return tl::unexpected(parcel.error());
  auto serial = text_of(op, "SoPhatHanh", false);
  if (!serial) return tl::unexpected(serial.error());
  if ((*parcel != nullptr) == !serial->empty()) {
    return fail(ErrorCode::kBadRequest, "give exactly one of ThuaDat and SoPhatHanh");
  }
  if (!serial->empty()) {
    r.serial = std::move(*serial);
    return r;
  }
  ParcelKey key;
  auto code = text_of(*parcel, "MaDvhc", true);
  if (!code) return tl::unexpected(code.error());
  if (code->size() != 5 || !all_digits(*code)) {
    return fail(ErrorCode::kBadRequest, "MaDvhc must be 5 digits");
  }
  key.commune_code = std::move(*code);
  auto sheet = number_of(*parcel, "ToBanDo", 3);
  if (!sheet) return tl::unexpected(sheet.error());
  auto number = number_of(*parcel, "ThuaDatSo", 4);
  if (!number) return tl::unexpected(number.error());
  key.sheet = *sheet;
  key.number = *number;
  r.parcel = std::move(key);
  return r;
}

std::string answer_id(std::string_view request_id) {
  return lienthong::sim::answer_id_from_request("kq-", request_id);
}

std::string render_answer(const LandRequest& request, const Parcel* parcel, TimePoint at) {
  std::string out;
  out.reserve(parcel != nullptr ? 2048 : 256);
  out += fmt::format("<dd:KetQuaTraCuu xmlns:dd=\"{}\" Id=\"{}\">", kLandNs,
                     answer_id(request.request_id));
  Writer w(out, "dd");
  w.element("MaYeuCau", request.request_id);
  w.element("ThoiDiemDuLieu", format_utc_time(at));
  if (parcel != nullptr) write_parcel(w, *parcel);
  out += "</dd:KetQuaTraCuu>";
  return out;
}

std::string render_error(std::string_view error, std::string_view message) {
  std::string out = fmt::format("<dd:Loi xmlns:dd=\"{}\"><dd:MaLoi>", kLandNs);
  append_escaped_text(error, out);
  out += "</dd:MaLoi><dd:MoTa>";
  append_escaped_text(message, out);
  out += "</dd:MoTa><dd:NguonLoi>lienthong-sim (SIMULATOR)</dd:NguonLoi></dd:Loi>";
  return out;
}

bool tamper_signed_answer(std::string& signed_document) {
  const size_t end = signed_document.find("Z</dd:ThoiDiemDuLieu>");
  if (end == std::string::npos || end == 0) return false;
  char& digit = signed_document[end - 1];
  if (digit < '0' || digit > '9') return false;
  digit = digit == '9' ? '0' : static_cast<char>(digit + 1);
  return true;
}

}  // namespace lienthong::land::sim
