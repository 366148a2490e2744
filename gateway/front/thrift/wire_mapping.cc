#include "gateway/front/thrift/wire_mapping.h"

#include <fmt/format.h>

#include <utility>

#include "gateway/core/clock.h"

namespace lienthong::front::thrift_internal {

wire::ErrorCode::type to_wire(ErrorCode code) {
  // No default: -Wswitch names a code added to error.h but not mapped here.
  switch (code) {
    case ErrorCode::kBadRequest:
      return wire::ErrorCode::BAD_REQUEST;
    case ErrorCode::kXmlMalformed:
      return wire::ErrorCode::XML_MALFORMED;
    case ErrorCode::kXmlDtdRefused:
      return wire::ErrorCode::XML_DTD_REFUSED;
    case ErrorCode::kXmlLimitExceeded:
      return wire::ErrorCode::XML_LIMIT_EXCEEDED;
    case ErrorCode::kDuplicateId:
      return wire::ErrorCode::DUPLICATE_ID;
    case ErrorCode::kSignatureMissing:
      return wire::ErrorCode::SIGNATURE_MISSING;
    case ErrorCode::kSignatureInvalid:
      return wire::ErrorCode::SIGNATURE_INVALID;
    case ErrorCode::kSignaturePolicy:
      return wire::ErrorCode::SIGNATURE_POLICY;
    case ErrorCode::kSignatureWrapped:
      return wire::ErrorCode::SIGNATURE_WRAPPED;
    case ErrorCode::kCertUntrusted:
      return wire::ErrorCode::CERT_UNTRUSTED;
    case ErrorCode::kCertExpired:
      return wire::ErrorCode::CERT_EXPIRED;
    case ErrorCode::kCertRevoked:
      return wire::ErrorCode::CERT_REVOKED;
    case ErrorCode::kReplayed:
      return wire::ErrorCode::REPLAYED;
    case ErrorCode::kAccessDenied:
      return wire::ErrorCode::ACCESS_DENIED;
    case ErrorCode::kPurposeRequired:
      return wire::ErrorCode::PURPOSE_REQUIRED;
    case ErrorCode::kNotFound:
      return wire::ErrorCode::NOT_FOUND;
    case ErrorCode::kUpstreamUnavailable:
      return wire::ErrorCode::UPSTREAM_UNAVAILABLE;
    case ErrorCode::kUpstreamBadSignature:
      return wire::ErrorCode::UPSTREAM_BAD_SIGNATURE;
    case ErrorCode::kUpstreamTimeout:
      return wire::ErrorCode::UPSTREAM_TIMEOUT;
    case ErrorCode::kRateLimited:
      return wire::ErrorCode::RATE_LIMITED;
    case ErrorCode::kInternal:
      return wire::ErrorCode::INTERNAL;
  }
  return wire::ErrorCode::INTERNAL;
}

Result<LookupRequest> from_wire(const wire::LookupRequest& in, Member member,
                                std::string request_id) {
  if (in.__isset.clientRequestId && in.clientRequestId.size() > kMaxClientRequestIdLength) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("clientRequestId is {} bytes; at most {} allowed",
                            in.clientRequestId.size(), kMaxClientRequestIdLength));
  }
  if (in.__isset.maxAgeSeconds && in.maxAgeSeconds < 0) {
    return fail(ErrorCode::kBadRequest, "maxAgeSeconds is negative");
  }
  LookupRequest out;
  out.request_id = std::move(request_id);
  if (in.__isset.clientRequestId) out.client_request_id = in.clientRequestId;
  out.front = "thrift";
  out.member = std::move(member);
  out.subject = in.subjectId;
  out.document_type = in.documentType;
  out.purpose.dossier_code = in.purpose.dossierCode;
  out.purpose.procedure_code = in.purpose.procedureCode;
  out.officer.personal_id = in.officer.personalId;
  out.officer.account = in.officer.account;
  if (in.__isset.maxAgeSeconds) out.max_age = std::chrono::seconds(in.maxAgeSeconds);
  if (in.__isset.fields) out.fields = in.fields;
  return out;
}

Result<void> check_same_request(const LookupRequest& plain, const LookupRequest& signed_request) {
  const char* differs = nullptr;
  if (plain.subject != signed_request.subject) differs = "subjectId";
  else if (plain.document_type != signed_request.document_type) differs = "documentType";
  else if (plain.purpose.dossier_code != signed_request.purpose.dossier_code ||
           plain.purpose.procedure_code != signed_request.purpose.procedure_code)
    differs = "purpose";
  else if (plain.officer.personal_id != signed_request.officer.personal_id ||
           plain.officer.account != signed_request.officer.account)
    differs = "officer";
  else if (plain.max_age != signed_request.max_age) differs = "maxAgeSeconds";
  else if (plain.fields != signed_request.fields) differs = "fields";
  else if (plain.client_request_id != signed_request.client_request_id) differs = "clientRequestId";
  if (differs) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{} differs from the signed request in jws", differs));
  }
  return {};
}

wire::LookupResponse to_wire(const LookupResponse& response) {
  const VerifiedRecord& record = response.record;
  wire::LookupResponse out;
  out.requestId = response.request_id;
  out.record.code = record.code;
  out.record.subjectId = record.subject;
  out.record.documentType = record.doc_type;
  out.record.fields.reserve(record.fields.size());
  for (const auto& [name, value] : record.fields) {
    wire::RecordField field;
    field.name = name;
    field.value = value;
    out.record.fields.push_back(std::move(field));
  }
  out.record.source = record.source;
  out.record.verifiedAt = format_utc_time(record.verified_at);
  out.record.expiresAt = format_utc_time(record.expires_at);
  out.fromCache = response.from_cache;
  out.signedEnvelope = response.envelope;
  return out;
}

wire::LookupError to_wire(const Error& error, std::string_view request_id) {
  wire::LookupError out;
  out.code = to_wire(error.code);
  out.codeName = std::string(error_code_name(error.code));
  out.detail = error.detail;
  if (!request_id.empty()) out.__set_requestId(std::string(request_id));
  return out;
}

}  // namespace lienthong::front::thrift_internal
