// The wire format of the population SIMULATOR ("API 037" of CSDLQG về dân cư, FORMATS.md §4):
// reading a TraCuuThongTinCongDan SOAP 1.1 request, checking its authentication headers, and
// writing the CongdanCollection answer (unsigned: the service signs it) or a SOAP Fault.
// README.md in this folder documents the format; the lead's adapter speaks exactly this.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/population/citizen_dataset.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/xml_document.h"

namespace lienthong::population::sim {

inline constexpr std::string_view kSoapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kRequestNs = "http://dancuquocgia.bca";
inline constexpr std::string_view kResponseNs = "http://www.mic.gov.vn/dancu/1.0";
inline constexpr std::string_view kIntegrationCode = "037";  // MaTichHop of this API

// dan:TraCuuThongTinCongDan.
struct LookupRequest {
  std::string request_id;                 // MaYeuCau (required): echoed, and names the signed node
  std::string service_code;               // MaDVC
  std::string integration_code;           // MaTichHop: "037" when present
  std::string officer_id;                 // MaCanBo (required): the officer's personal ID
  std::string organ_code;                 // MaDonVi
  std::string officer_account;            // TaiKhoan (required)
  std::string officer_phone;              // SoDienThoai
  std::string personal_id;                // SoDinhDanh (required): whom to look up
  std::optional<std::string> full_name;   // HoVaTen: must match when given
  std::optional<std::string> birth_year;  // NgayThangNamSinh/Nam (yyyy): must match when given
  std::optional<std::string> birth_date;  // NgayThangNamSinh/NgayThangNam (yyyyMMdd): idem
};

// Limits for a request body: 64 KiB, shallow, few nodes (a real request is under 2 KiB).
crypto::XmlLimits request_limits();

// BAD_REQUEST "missing MaYeuCau" etc. for an incomplete request; XML_DTD_REFUSED,
// XML_MALFORMED or XML_LIMIT_EXCEEDED from the hardened parser.
Result<LookupRequest> parse_lookup_request(std::string_view body);

// True when the optional HoVaTen and birth date of the request agree with the citizen
// (names compared after collapsing white space; otherwise byte for byte).
bool matches(const Citizen& citizen, const LookupRequest& request);

// The Id of the signed CongdanCollection: "cd-" + MaYeuCau restricted to NCName characters
// (ASCII letters, digits, '-', '_', '.'), at most 64 of them.
std::string collection_id(std::string_view request_id);

// The unsigned CongdanCollection element (Id = collection_id) with zero (not found) or one
// CongDan, optional elements omitted when empty; `at` becomes ThoiDiemDuLieu. Written in
// exclusive-C14N form with ns1 declared on it, so CanonicalXmlSigner::sign_element signs it
// as it stands, without canonicalising it again.
std::string render_collection(const LookupRequest& request, const Citizen* citizen, TimePoint at);

// The SOAP envelope around a (signed) CongdanCollection.
std::string wrap_in_envelope(std::string_view collection);

// The whole unsigned answer: wrap_in_envelope(render_collection(...)). For tests that sign it
// some other way (xmlsec), as a national system with another library would.
std::string render_response(const LookupRequest& request, const Citizen* citizen, TimePoint at);

// A SOAP 1.1 Fault; `fault_code` is "soapenv:Client" or "soapenv:Server", `error` a stable
// token for machines (BAD_REQUEST, UNAUTHORIZED, INJECTED_ERROR, INTERNAL).
std::string render_fault(std::string_view fault_code, std::string_view error,
                         std::string_view message);

// Changes one signed character (the seconds of ThoiDiemDuLieu) of a signed answer so that its
// signature no longer verifies: the --bad-signature-rate knob. False when not found.
bool tamper_signed_response(std::string& signed_document);

// What the caller proves with its headers (defaults are for development only).
struct Credentials {
  std::string username = "lienthong-dev";
  std::string secret = "dev-secret-not-for-production";
  std::string api_key = "dev-api-key";
  std::string auth_url = "https://lienthong-sim/xacthuc";  // url_xacthuc in the digest
};

// Authorization: Basic base64(username ":" hex(sha256(auth_url + username + timestamp +
// secret))), as a client writes it.
std::string authorization_header(const Credentials& credentials, std::string_view timestamp_ms);

struct AuthHeaders {
  std::string_view timestamp;      // Timestamp: epoch milliseconds
  std::string_view api_key;        // ApiKey
  std::string_view authorization;  // Authorization
  std::string_view xroad_client;   // X-Road-Client
};

// ACCESS_DENIED with the reason (never echoing a secret) when a header is missing or wrong or
// the timestamp is more than `skew` away from `now`.
Result<void> check_auth(const Credentials& credentials, const AuthHeaders& headers, TimePoint now,
                        std::chrono::seconds skew);

}  // namespace lienthong::population::sim
