// The one internal request type every front end decodes into (DESIGN.md §1), and the answer
// the pipeline gives back. Thrift, HTTP/JSON and HTTP/XML all map to and from these.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/record.h"

namespace lienthong {

// Who asks: established by the front end from the TLS client certificate, never from the body.
struct Member {
  std::string organ_code;   // from the certificate (SAN urn:lienthong:organ:<code>, else CN)
  std::string subsystem;    // optional, from the certificate's OU
  std::string certificate_fingerprint;  // SHA-256 of the client certificate, hex
  std::string certificate_der;          // the client certificate, for the authenticate stage
  std::vector<std::string> chain_der;   // intermediates the client sent
};

// Why: the dossier this lookup serves (Circular 01/2018/TT-VPCP) and its procedure.
struct Purpose {
  std::string dossier_code;    // <organ code>-YYMMDD-NNNN
  std::string procedure_code;  // mã TTHC
};

// The officer on whose behalf the system asks: the population DB requires it on every lookup.
struct Officer {
  std::string personal_id;
  std::string account;
};

// A JSON request the member signed (JWS, DESIGN.md §3 "Signed JSON"): what the front verified.
// The pipeline checks iat against its window and records jti (REPLAYED when seen before).
struct SignedRequestClaims {
  std::string alg;       // "ES256"
  std::string jti;       // the member's unique id for this request (1–128 printable ASCII)
  std::int64_t iat = 0;  // issued at, seconds since the epoch
};

struct LookupRequest {
  std::string request_id;  // set by the front end; ties logs, audit and the response together
  std::string front;       // "thrift", "http-json", "http-xml"
  std::string client_request_id;  // the caller's own correlation id (≤ 64 chars), audited
  Member member;
  std::string subject;        // e.g. a 12-digit personal ID
  std::string document_type;  // e.g. "CD01"
  Purpose purpose;
  Officer officer;
  // Oldest cached record the caller accepts; nullopt = whatever the document type's TTL allows,
  // zero = always ask the upstream.
  std::optional<std::chrono::seconds> max_age;
  std::vector<std::string> fields;  // wanted fields; empty = every field the member may receive
  // Set when the request came as a JWS that verified with the member's certificate key.
  std::optional<SignedRequestClaims> signature;
};

struct LookupResponse {
  std::string request_id;
  VerifiedRecord record;  // fields already reduced to what the member may receive
  bool from_cache = false;
  std::string envelope;  // the gateway-signed XML envelope (schemas/xml/envelope)
};

}  // namespace lienthong
