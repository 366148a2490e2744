// adapters/land: the national land database (CSDLQG về đất đai, ELIS/VBDLIS; FORMATS.md §4).
// Two lookups under one document type (README.md): by parcel "<MaDvhc>-<ToBanDo>-<ThuaDatSo>"
// (optionally "@YYYY-MM-DD", the date the commune code was read) and by certificate serial
// (số phát hành, "CS123456"). A retired pre-2025-07-01 commune code is translated to the current
// one before asking, so the record's code is keyed on the current code. The answer is XML with
// an XML-DSig over its root; only that signed node is read, then mapped by mappings/land.toml.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/land/commune_codes.h"
#include "gateway/core/clock.h"
#include "gateway/core/executor.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/xml_mapping.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::adapters::land {

// The wire format is this project's assumption (README.md): no public spec of the national
// land database's query API was found, only ELIS field names.
inline constexpr std::string_view kLandNs = "urn:lienthong:assumed:vbdlis:1.0";

struct LandConfig {
  std::string url;            // https://…/dat-dai/TraCuuThuaDat
  std::string x_road_client;  // the gateway's subsystem id
  std::string ma_dvc;         // the gateway's service code (MaDVC)
  // Subject CNs of the certificates allowed to sign answers (a valid chain alone is not enough:
  // every member certificate chains to the same national CA).
  std::vector<std::string> trusted_signers;

  Result<void> validate() const;
};

// A subject, read for its syntax only.
struct LandSubject {
  enum class Kind { kParcel, kCertificate };
  Kind kind = Kind::kParcel;
  std::string commune_code;          // parcel: MaDvhc as written (5 digits)
  uint32_t sheet = 0;                // parcel: ToBanDo, 1–3 digits, ≥ 1
  uint32_t parcel = 0;               // parcel: ThuaDatSo, 1–4 digits, ≥ 1
  std::optional<std::string> as_of;  // parcel: the date the code was read, YYYY-MM-DD
  std::string serial;                // certificate: two capital letters and six digits
};

// BAD_REQUEST naming what is wrong (never more than the subject's shape).
Result<LandSubject> parse_land_subject(std::string_view subject);

struct LandParts {
  std::shared_ptr<const LandConfig> config;
  std::shared_ptr<const CommuneCodeTable> communes;
  upstream::HttpClient::Ptr http;
  crypto::XmlVerifier::Ptr verifier;  // strict policy, upstream trust directory
  std::shared_ptr<const exchange::XmlMapping> mapping;
  Executor::Ptr executor;
  Clock::Ptr clock;
};

class LandAdapter final : public exchange::Adapter,
                          public std::enable_shared_from_this<LandAdapter> {
 public:
  static Result<std::shared_ptr<LandAdapter>> create(LandParts parts);

  std::string_view name() const override { return "land"; }
  const std::vector<exchange::DocumentTypeSpec>& document_types() const override { return types_; }
  Result<void> check_subject(std::string_view subject) const override;
  // `<current commune code>-<sheet>-<parcel>` without zero padding or date, or the serial.
  std::string record_subject(std::string_view subject) const override;
  void fetch(exchange::AdapterQuery query, exchange::RecordCallback done) override;
  std::string upstream_state() const override { return parts_.http->breaker_state(); }

  // The subject as the record is keyed: "<current MaDvhc>-<ToBanDo>-<ThuaDatSo>" without
  // leading zeros or date, or the serial.
  Result<std::string> normalize_subject(std::string_view subject) const;

  // Exposed for unit tests: the request, and the reading of an answer.
  Result<upstream::HttpRequest> build_request(const exchange::AdapterQuery& query) const;
  Result<VerifiedRecord> read_answer(const exchange::AdapterQuery& query,
                                     const upstream::HttpResponse& response) const;

 private:
  explicit LandAdapter(LandParts parts);

  LandParts parts_;
  std::vector<exchange::DocumentTypeSpec> types_;
};

}  // namespace lienthong::adapters::land
