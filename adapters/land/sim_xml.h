// The wire format of the land SIMULATOR (this project's assumption, README.md): reading a
// dd:TraCuuThuaDat request and writing the dd:KetQuaTraCuu answer (unsigned: the service signs
// its root) or an error document. The adapter (adapter.cc) speaks exactly this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/land/parcel_dataset.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/xml_document.h"

namespace lienthong::land::sim {

inline constexpr std::string_view kLandNs = "urn:lienthong:assumed:vbdlis:1.0";
inline constexpr std::string_view kLookupPath = "/dat-dai/TraCuuThuaDat";

struct ParcelKey {
  std::string commune_code;  // MaDvhc, 5 digits
  uint32_t sheet = 0;        // ToBanDo
  uint32_t number = 0;       // ThuaDatSo
};

// dd:TraCuuThuaDat: exactly one of `parcel` and `serial`.
struct LandRequest {
  std::string request_id;       // MaYeuCau (required, ≤ 128): echoed, names the signed root
  std::string service_code;     // MaDVC
  std::string officer_id;       // MaCanBo (required)
  std::string officer_account;  // TaiKhoan (required)
  std::string organ_code;       // MaDonVi
  std::string dossier_code;     // MaHoSo
  std::optional<ParcelKey> parcel;
  std::optional<std::string> serial;  // SoPhatHanh
};

crypto::XmlLimits request_limits();

// BAD_REQUEST naming the problem; XML_* from the hardened parser.
Result<LandRequest> parse_land_request(std::string_view body);

// The Id of the signed root: "kq-" + MaYeuCau restricted to NCName characters, ≤ 64 of them.
std::string answer_id(std::string_view request_id);

// The unsigned root dd:KetQuaTraCuu (Id = answer_id) with zero (not found) or one HoSo, in
// exclusive-C14N form so CanonicalXmlSigner::sign_element signs it as written.
std::string render_answer(const LandRequest& request, const Parcel* parcel, TimePoint at);

// An error document for HTTP 4xx/5xx: <dd:Loi><dd:MaLoi/><dd:MoTa/></dd:Loi>.
std::string render_error(std::string_view error, std::string_view message);

// Changes one signed character (the seconds of ThoiDiemDuLieu) so the signature no longer
// verifies: the --bad-signature-rate knob. False when not found.
bool tamper_signed_answer(std::string& signed_document);

}  // namespace lienthong::land::sim
