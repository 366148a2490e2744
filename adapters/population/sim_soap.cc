#include "adapters/population/sim_soap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "adapters/sim/sim_xml_writer.h"
#include "gateway/core/canonical_xml.h"
#include "gateway/core/encoding.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::population::sim {
namespace {

namespace xml = crypto::xml;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Runs of white space become one space; leading and trailing white space goes.
std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : trim(s)) {
    if (is_space(c)) {
      pending = true;
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

// Writes ns1-prefixed elements of the answer, with the answer's two composite parts.
class Writer : public lienthong::sim::PrefixedXmlWriter {
 public:
  explicit Writer(std::string& out) : PrefixedXmlWriter(out, "ns1") {}
  void address(std::string_view name, const Address& a) {
    open(name);
    element("MaTinhThanh", a.province_code);
    element("MaQuanHuyen", a.district_code);
    element("MaPhuongXa", a.commune_code);
    element("ChiTiet", a.detail);
    element("QuocGia", a.country);
    close(name);
  }
  void relative(std::string_view name, const Relative& r) {
    open(name);
    element("HoVaTen", r.full_name);
    element("QuocTich", r.nationality);
    optional("SoDinhDanh", r.personal_id);
    close(name);
  }
};

void write_citizen(Writer& w, const Citizen& c) {
  w.open("CongDan");
  w.element("SoDinhDanh", c.personal_id);
  w.optional("SoCMND", c.old_id_card);
  w.open("HoVaTen");
  w.element("Ho", c.name.family);
  w.optional("ChuDem", c.name.middle);
  w.element("Ten", c.name.given);
  w.close("HoVaTen");
  w.element("GioiTinh", c.gender == 1 ? "1" : "2");
  w.open("NgayThangNamSinh");
  w.element("Nam", c.birth_date.substr(0, 4));
  w.element("NgayThangNam", c.birth_date);
  w.close("NgayThangNamSinh");
  w.element("DanToc", c.ethnicity);
  w.element("TonGiao", c.religion);
  w.optional("TinhTrangHonNhan", c.marital_status);
  w.optional("NhomMau", c.blood_type);
  w.element("QuocTich", c.nationality);
  w.address("NoiDangKyKhaiSinh", c.birth_registration);
  w.address("QueQuan", c.hometown);
  w.address("ThuongTru", c.permanent_residence);
  w.address("NoiOHienTai", c.current_residence);
  w.relative("Cha", c.father);
  w.relative("Me", c.mother);
  if (c.spouse) w.relative("VoChong", *c.spouse);
  w.open("ChuHo");
  w.element("QuanHe", c.household_head.relation);
  w.element("SoDinhDanh", c.household_head.personal_id);
  w.element("HoVaTen", c.household_head.full_name);
  w.close("ChuHo");
  w.optional("SoSoHoKhau", c.household_book);
  w.close("CongDan");
}

// One dan: child of the request by local name; BAD_REQUEST when it appears twice (which of two
// values would the upstream have used?).
Result<const xmlNode*> unique_child(const xmlNode* parent, std::string_view local) {
  const xmlNode* found = nullptr;
  for (const xmlNode* c = xml::first_element(parent); c != nullptr; c = xml::next_element(c)) {
    if (!xml::is(c, kRequestNs, local)) continue;
    if (found != nullptr) return fail(ErrorCode::kBadRequest, "duplicate " + std::string(local));
    found = c;
  }
  return found;
}

Result<std::optional<std::string>> optional_text(const xmlNode* parent, std::string_view local) {
  auto node = unique_child(parent, local);
  if (!node) return tl::unexpected(node.error());
  if (*node == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(std::string(trim(xml::text(*node))));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  if (in.back() == '=') ++padding;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

crypto::XmlLimits request_limits() {
  crypto::XmlLimits limits;
  limits.max_bytes = 64 << 10;
  limits.max_depth = 16;
  limits.max_nodes = 2'000;
  return limits;
}

Result<LookupRequest> parse_lookup_request(std::string_view body) {
  auto doc = crypto::parse_untrusted_xml(body, request_limits(), {});
  if (!doc) return tl::unexpected(doc.error());
  const xmlNode* envelope = xmlDocGetRootElement(doc->get());
  if (!xml::is(envelope, kSoapEnvelopeNs, "Envelope"))
    return fail(ErrorCode::kBadRequest, "the root is not a SOAP 1.1 soapenv:Envelope");
  const xmlNode* soap_body = nullptr;
  for (const xmlNode* c = xml::first_element(envelope); c != nullptr; c = xml::next_element(c)) {
    if (!xml::is(c, kSoapEnvelopeNs, "Body")) continue;
    if (soap_body != nullptr) return fail(ErrorCode::kBadRequest, "duplicate soapenv:Body");
    soap_body = c;
  }
  if (soap_body == nullptr) return fail(ErrorCode::kBadRequest, "missing soapenv:Body");
  const xmlNode* op = xml::first_element(soap_body);
  if (!xml::is(op, kRequestNs, "TraCuuThongTinCongDan") || xml::next_element(op) != nullptr)
    return fail(ErrorCode::kBadRequest,
                "soapenv:Body must hold exactly one dan:TraCuuThongTinCongDan");

  LookupRequest r;
  struct Field {
    std::string_view name;
    std::string* target;
    bool required;
  };
  const Field fields[] = {
      {"MaYeuCau", &r.request_id, true},         {"MaDVC", &r.service_code, false},
      {"MaTichHop", &r.integration_code, false}, {"MaCanBo", &r.officer_id, true},
      {"MaDonVi", &r.organ_code, false},         {"TaiKhoan", &r.officer_account, true},
      {"SoDienThoai", &r.officer_phone, false},  {"SoDinhDanh", &r.personal_id, true},
  };
  for (const Field& f : fields) {
    auto value = optional_text(op, f.name);
    if (!value) return tl::unexpected(value.error());
    if (value->has_value()) *f.target = std::move(**value);
    if (f.required && f.target->empty())
      return fail(ErrorCode::kBadRequest, "missing " + std::string(f.name));
  }
  if (r.request_id.size() > 128)
    return fail(ErrorCode::kBadRequest, "MaYeuCau is longer than 128 characters");
  if (!r.integration_code.empty() && r.integration_code != kIntegrationCode)
    return fail(ErrorCode::kBadRequest, "MaTichHop must be 037 for TraCuuThongTinCongDan");

  auto name = optional_text(op, "HoVaTen");
  if (!name) return tl::unexpected(name.error());
  if (name->has_value() && !(*name)->empty()) r.full_name = collapse_spaces(**name);

  auto birth = unique_child(op, "NgayThangNamSinh");
  if (!birth) return tl::unexpected(birth.error());
  if (*birth != nullptr) {
    auto year = optional_text(*birth, "Nam");
    if (!year) return tl::unexpected(year.error());
    auto date = optional_text(*birth, "NgayThangNam");
    if (!date) return tl::unexpected(date.error());
    if (year->has_value() && !(*year)->empty()) {
      if ((*year)->size() != 4 || !all_digits(**year))
        return fail(ErrorCode::kBadRequest, "NgayThangNamSinh/Nam must be yyyy");
      r.birth_year = std::move(**year);
    }
    if (date->has_value() && !(*date)->empty()) {
      if ((*date)->size() != 8 || !all_digits(**date))
        return fail(ErrorCode::kBadRequest, "NgayThangNamSinh/NgayThangNam must be yyyyMMdd");
      r.birth_date = std::move(**date);
    }
  }
  return r;
}

bool matches(const Citizen& citizen, const LookupRequest& request) {
  if (request.full_name && *request.full_name != citizen.name.full()) return false;
  if (request.birth_year && *request.birth_year != citizen.birth_date.substr(0, 4)) return false;
  if (request.birth_date && *request.birth_date != citizen.birth_date) return false;
  return true;
}

std::string collection_id(std::string_view request_id) {
  return lienthong::sim::answer_id_from_request("cd-", request_id);
}

std::string render_collection(const LookupRequest& request, const Citizen* citizen, TimePoint at) {
  std::string out;
  out.reserve(citizen != nullptr ? 4096 : 512);
  out += "<ns1:CongdanCollection xmlns:ns1=\"";
  out += kResponseNs;
  out += "\" Id=\"";
  out += collection_id(request.request_id);
  out += "\">";
  Writer w(out);
  w.element("MaYeuCau", request.request_id);
  w.element("ThoiDiemDuLieu", format_utc_time(at));
  if (citizen != nullptr) write_citizen(w, *citizen);
  out += "</ns1:CongdanCollection>";
  return out;
}

std::string wrap_in_envelope(std::string_view collection) {
  std::string out;
  out.reserve(collection.size() + 160);
  out += "<soapenv:Envelope xmlns:soapenv=\"";
  out += kSoapEnvelopeNs;
  out += "\"><soapenv:Body>";
  out += collection;
  out += "</soapenv:Body></soapenv:Envelope>";
  return out;
}

std::string render_response(const LookupRequest& request, const Citizen* citizen, TimePoint at) {
  return wrap_in_envelope(render_collection(request, citizen, at));
}

std::string render_fault(std::string_view fault_code, std::string_view error,
                         std::string_view message) {
  std::string out;
  out += "<soapenv:Envelope xmlns:soapenv=\"";
  out += kSoapEnvelopeNs;
  out += "\"><soapenv:Body><soapenv:Fault><faultcode>";
  append_escaped_text(fault_code, out);
  out += "</faultcode><faultstring>";
  append_escaped_text(message, out);
  out += "</faultstring><detail><sim:Loi xmlns:sim=\"urn:lienthong:sim\"><sim:MaLoi>";
  append_escaped_text(error, out);
  out +=
      "</sim:MaLoi><sim:NguonLoi>lienthong-sim (SIMULATOR)</sim:NguonLoi></sim:Loi></detail>"
      "</soapenv:Fault></soapenv:Body></soapenv:Envelope>";
  return out;
}

bool tamper_signed_response(std::string& signed_document) {
  // "...:SSZ</ns1:ThoiDiemDuLieu>": the units digit of the seconds.
  const size_t end = signed_document.find("Z</ns1:ThoiDiemDuLieu>");
  if (end == std::string::npos || end == 0) return false;
  char& digit = signed_document[end - 1];
  if (digit < '0' || digit > '9') return false;
  digit = digit == '9' ? '0' : static_cast<char>(digit + 1);
  return true;
}

std::string authorization_header(const Credentials& credentials, std::string_view timestamp_ms) {
  std::string material = credentials.auth_url;
  material += credentials.username;
  material += timestamp_ms;
  material += credentials.secret;
  const std::string plain = credentials.username + ":" + sha256_hex(material);
  return "Basic " + base64_encode(plain);
}

Result<void> check_auth(const Credentials& credentials, const AuthHeaders& headers, TimePoint now,
                        std::chrono::seconds skew) {
  if (headers.xroad_client.empty())
    return fail(ErrorCode::kAccessDenied, "missing X-Road-Client header");
  if (headers.api_key.empty()) return fail(ErrorCode::kAccessDenied, "missing ApiKey header");
  if (!constant_time_equal(headers.api_key, credentials.api_key))
    return fail(ErrorCode::kAccessDenied, "unknown ApiKey");
  const std::string_view ts = trim(headers.timestamp);
  int64_t ms = 0;
  if (ts.empty() || ts.size() > 16 || !all_digits(ts) ||
      std::from_chars(ts.data(), ts.data() + ts.size(), ms).ec != std::errc())
    return fail(ErrorCode::kAccessDenied, "Timestamp header must be epoch milliseconds");
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto skew_ms = std::chrono::duration_cast<std::chrono::milliseconds>(skew).count();
  if (ms < now_ms - skew_ms || ms > now_ms + skew_ms)
    return fail(ErrorCode::kAccessDenied, "Timestamp is outside the accepted clock skew");

  std::string_view auth = trim(headers.authorization);
  if (auth.size() < 6 || lower_ascii(auth.substr(0, 6)) != "basic ")
    return fail(ErrorCode::kAccessDenied, "Authorization must use the Basic scheme");
  const auto decoded = base64_decode(trim(auth.substr(6)));
  if (!decoded) return fail(ErrorCode::kAccessDenied, "Authorization is not valid base64");
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos)
    return fail(ErrorCode::kAccessDenied, "Authorization must carry username:digest");
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string digest = lower_ascii(std::string_view(*decoded).substr(colon + 1));
  if (!constant_time_equal(user, credentials.username))
    return fail(ErrorCode::kAccessDenied, "unknown username");
  std::string material = credentials.auth_url;
  material += credentials.username;
  material += ts;
  material += credentials.secret;
  if (!constant_time_equal(digest, sha256_hex(material)))
    return fail(
        ErrorCode::kAccessDenied,
        "Authorization digest does not match sha256(url_xacthuc+username+timestamp+secret)");
  return {};
}

}  // namespace lienthong::population::sim
