// lienthong: the contract of record for ministry systems (DESIGN.md §3).
// Binary protocol, framed transport, TLS with a client certificate: the member is the organ code
// in that certificate, never a field of the request. The HTTP/JSON form of the same call is
// schemas/http/openapi.yaml; both map one to one onto the gateway's internal request.
//
// Code is generated at build time by thrift-compiler (never committed).

namespace cpp lienthong.thrift
namespace py lienthong
namespace java vn.lienthong.thrift

// The error vocabulary of DESIGN.md §1 (gateway/core/error.h). Names are the wire contract;
// numbers are stable and never reused.
enum ErrorCode {
  BAD_REQUEST = 1,
  XML_MALFORMED = 2,
  XML_DTD_REFUSED = 3,
  XML_LIMIT_EXCEEDED = 4,
  DUPLICATE_ID = 5,
  SIGNATURE_MISSING = 6,
  SIGNATURE_INVALID = 7,
  SIGNATURE_POLICY = 8,
  SIGNATURE_WRAPPED = 9,
  CERT_UNTRUSTED = 10,
  CERT_EXPIRED = 11,
  CERT_REVOKED = 12,
  REPLAYED = 13,
  ACCESS_DENIED = 14,
  PURPOSE_REQUIRED = 15,
  NOT_FOUND = 16,
  UPSTREAM_UNAVAILABLE = 17,
  UPSTREAM_BAD_SIGNATURE = 18,
  UPSTREAM_TIMEOUT = 19,
  RATE_LIMITED = 20,
  INTERNAL = 21,
}

// Why the record is asked for (Circular 01/2018/TT-VPCP; Decree 13/2023 purpose limitation).
struct Purpose {
  // Mã hồ sơ: <organ code>-YYMMDD-NNNN, e.g. "000.00.00.G22-261122-0001".
  1: required string dossierCode,
  // Mã thủ tục hành chính from the national procedure catalogue.
  2: required string procedureCode,
}

// The officer on whose behalf the member system asks; the population DB names them on every call.
struct Officer {
  1: required string personalId,  // the officer's own 12-digit personal ID
  2: required string account,     // the officer's account in the member system
}

struct LookupRequest {
  1: required string subjectId,      // whose record: a 12-digit personal ID for population
  2: required string documentType,   // document type code, e.g. "CD01" (citizen record)
  3: required Purpose purpose,
  4: required Officer officer,
  // Oldest cached record acceptable, in seconds; absent = the document type's TTL, 0 = fresh.
  5: optional i64 maxAgeSeconds,
  // Fields wanted; empty = every field this member may receive under the access policy.
  6: optional list<string> fields,
  // The caller's own correlation id (echoed in logs and the audit), at most 64 characters.
  7: optional string clientRequestId,
  // The same request signed by the member (DESIGN.md §3 "Signed JSON"): a JWS, compact or JSON
  // serialization, signed with the key of the certificate this connection presents, whose
  // payload is the JSON form of this request (schemas/http/openapi.yaml LookupRequest) with
  // "iat" (seconds since the epoch) and a unique "jti". When present, fields 1–7 must say
  // exactly what the signed payload says; the gateway refuses a jti it has seen (REPLAYED).
  8: optional string jws,
}

struct RecordField {
  1: required string name,   // canonical dotted name, e.g. "thuong_tru.chi_tiet"
  2: required string value,
}

struct Record {
  1: required string code,         // "<subject>.<document type>"
  2: required string subjectId,
  3: required string documentType,
  4: required list<RecordField> fields,  // only those the member may receive, sorted by name
  5: required string source,       // the adapter (national system) that vouched for it
  6: required string verifiedAt,   // YYYY-MM-DDTHH:MM:SSZ
  7: required string expiresAt,
}

struct LookupResponse {
  1: required string requestId,    // the gateway's id for this request (audit, logs)
  2: required Record record,
  3: required bool fromCache,      // true: answered without asking the upstream again
  // The same record in the gateway-signed XML envelope, carrying the upstream's evidence:
  // what a member keeps as proof. `lienthong verify-xml` accepts it.
  4: required string signedEnvelope,
  // The JSON form of this answer (what the HTTP front sends for the same lookup) as a compact
  // JWS signed by the gateway (ES256 by default): `lienthong verify-jws` accepts it.
  5: optional string jws,
}

// Every refusal. `code` is the vocabulary above; `detail` is for the operator and never
// carries personal data.
exception LookupError {
  1: required ErrorCode code,
  2: required string codeName,
  3: required string detail,
  4: optional string requestId,
}

service Exchange {
  LookupResponse lookup(1: LookupRequest request) throws (1: LookupError error),
}
