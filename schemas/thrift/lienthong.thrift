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

// Documents (edXML) between organs through the national document axis: what a member sends,
// the delivery state of what it sent, what it received, and the status history of a document.
// The member is this connection's organ; `documentId` is the edXML DocumentId
// ("<organ code>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>", e.g.
// "000.00.00.G22,2026/11/23,7816/VPCP-TTDT"), at most 256 bytes. Times are RFC 3339 UTC with
// milliseconds, YYYY-MM-DDTHH:MM:SS.mmmZ, unless said otherwise.

struct SendDocumentRequest {
  // The edXML envelope (UTF-8). Its MessageHeader/From/OrganId must be this connection's organ.
  // A call is at most 32 MiB + 64 KiB (the gateway's max_document_bytes); other calls 1 MiB.
  1: required binary edxml,
  // The caller's own correlation id (echoed in logs and the audit), at most 64 characters.
  2: optional string clientRequestId,
}

// The document is durably in the gateway's outbox: it will be delivered to the axis.
struct SendDocumentResponse {
  1: required string requestId,   // the gateway's id for this request (audit, logs)
  2: required string documentId,  // the key of every later call about this document
  3: required string outboxId,    // "ob-…"; a duplicate answers the first accept's id
  // The same bytes were accepted before: nothing new was stored (sending again is safe).
  4: required bool duplicate,
  5: required string state,       // "accepted", "delivering", "delivered" or "dead"
}

// The delivery state of a document this member sent. Never its body.
struct SentDocument {
  1: required string documentId,
  2: required string outboxId,
  3: required string state,            // "accepted", "delivering", "delivered" or "dead"
  4: required i32 attempts,            // sends to the axis started
  5: optional string axisId,           // the axis's id, once delivered
  6: required bool axisDuplicate,      // the axis had it already (an earlier attempt got through)
  7: optional string lastError,        // the last failure (retried, or why it is dead)
  8: required string acceptedAt,
  9: optional string nextAttemptAt,    // while accepted
  10: optional string leaseUntil,      // while delivering
  11: optional string finishedAt,      // delivered or dead
}

// One document received for this member's organ: what it takes to pick it, never the body.
struct ReceivedDocumentSummary {
  1: required i64 sequence,            // the order of arrival: listReceivedDocuments(after = it)
  2: required string documentId,
  3: required string axisId,
  4: required string fromOrgan,        // MessageHeader/From/OrganId (JSON "from")
  5: required string code,             // "<CodeNumber>/<CodeNotation>"
  6: required string promulgationDate, // yyyy/MM/dd
  7: required string subject,          // trích yếu
  // TraceHeaderList/Bussiness: 0 new, 1 recall, 2 update, 3 replace.
  8: required i32 businessType,
  9: required string receivedAt,       // when the gateway stored it
}

// One received document, as the axis gave it.
struct ReceivedDocument {
  1: required string documentId,
  2: required binary edxml,            // the bytes as received, the sender's signature included
  // SHA-256 (hex) of the certificate whose signature on the document the gateway verified.
  3: required string signerFingerprint,
}

// Who handles the document on the member's side (edXML Status/StaffInfo).
struct DocumentStaff {
  1: optional string department,
  2: optional string name,
  3: optional string email,
  4: optional string mobile,
}

// What the member says about a document (an edXML Status, signed by the gateway).
struct DocumentStatusUpdate {
  1: required string statusCode,       // 01–06, 13, 15 or 16 (edXML status codes)
  2: optional string description,
  3: optional DocumentStaff staff,
}

// One status of a document, as the axis keeps it.
struct DocumentStatus {
  1: required string documentId,
  2: required string fromOrgan,        // the organ that said it (JSON "from")
  3: required string statusCode,
  4: required string description,
  5: required string timestamp,        // the status's own time, yyyy/MM/dd HH:mm:ss
  6: required string receivedAt,       // when the axis took it (the axis's text)
  // updateDocumentStatus only: the axis had this very status already.
  7: optional bool duplicate,
}

service Exchange {
  LookupResponse lookup(1: LookupRequest request) throws (1: LookupError error),
  // Answered as soon as the document is durably accepted; delivery follows (getSentDocument).
  SendDocumentResponse sendDocument(1: SendDocumentRequest request)
      throws (1: LookupError error),
  // NOT_FOUND unless this member's organ sent the document.
  SentDocument getSentDocument(1: string documentId) throws (1: LookupError error),
  // Documents received with sequence > after, oldest first, at most limit (1–1000).
  list<ReceivedDocumentSummary> listReceivedDocuments(1: i64 after, 2: i32 limit)
      throws (1: LookupError error),
  // NOT_FOUND unless the document was addressed to this member's organ.
  ReceivedDocument getReceivedDocument(1: string documentId) throws (1: LookupError error),
  // Sent to the axis before the answer; UPSTREAM_UNAVAILABLE: try again later.
  DocumentStatus updateDocumentStatus(1: string documentId, 2: DocumentStatusUpdate update)
      throws (1: LookupError error),
  // Oldest first.
  list<DocumentStatus> getDocumentStatusHistory(1: string documentId)
      throws (1: LookupError error),
}
