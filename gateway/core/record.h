// The verified record (DESIGN.md §5): what an adapter returns after it has checked the
// upstream's signature, what the cache keeps, and what the gateway signs back to the caller.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gateway/core/clock.h"

namespace lienthong {

// Canonical fields by dotted name ("ho_va_ten", "thuong_tru.ma_tinh"), sorted by name so that
// two records with the same content serialise identically. Names come from mappings/*.
using RecordFields = std::vector<std::pair<std::string, std::string>>;

// What proves the record came from the upstream: its signed bytes, kept so that a cached
// record can be re-verified offline at any time.
struct Evidence {
  // "xmldsig": the upstream's signed XML, exactly as received; "jws": the upstream's answer
  // body re-attached to its detached JWS (a compact or flattened JWS that `lienthong
  // verify-jws` checks on its own); "attestation".
  std::string kind;
  std::string signed_bytes;
  std::string signer;              // subject DN of the upstream's signing certificate
  std::string signer_fingerprint;  // SHA-256 of that certificate, hex
};

struct VerifiedRecord {
  std::string code;      // "<subject>.<document type code>"
  std::string subject;   // the personal ID (or other subject identifier)
  std::string doc_type;  // document type code, e.g. "CD01"
  RecordFields fields;
  std::string source;  // adapter name
  Evidence evidence;
  TimePoint verified_at;
  TimePoint expires_at;
};

// "<subject>.<document type code>", the form the reform uses for digitised papers.
inline std::string record_code(std::string_view subject, std::string_view doc_type) {
  std::string code(subject);
  code += '.';
  code += doc_type;
  return code;
}

// The value of a field, or nullptr.
const std::string* find_field(const RecordFields& fields, std::string_view name);

// The catalogue name of a record field: a repeated part's element number becomes "[]"
// ("qua_trinh.2.tu_thang" → "qua_trinh[].tu_thang"), the form mappings declare, adapters offer
// and the access policy grants. Names without a numeric segment are returned unchanged.
std::string field_template(std::string_view name);

}  // namespace lienthong
