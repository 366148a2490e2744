#include "gateway/core/error.h"

namespace lienthong {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "BAD_REQUEST";
    case ErrorCode::kXmlMalformed:
      return "XML_MALFORMED";
    case ErrorCode::kXmlDtdRefused:
      return "XML_DTD_REFUSED";
    case ErrorCode::kXmlLimitExceeded:
      return "XML_LIMIT_EXCEEDED";
    case ErrorCode::kDuplicateId:
      return "DUPLICATE_ID";
    case ErrorCode::kSignatureMissing:
      return "SIGNATURE_MISSING";
    case ErrorCode::kSignatureInvalid:
      return "SIGNATURE_INVALID";
    case ErrorCode::kSignaturePolicy:
      return "SIGNATURE_POLICY";
    case ErrorCode::kSignatureWrapped:
      return "SIGNATURE_WRAPPED";
    case ErrorCode::kCertUntrusted:
      return "CERT_UNTRUSTED";
    case ErrorCode::kCertExpired:
      return "CERT_EXPIRED";
    case ErrorCode::kCertRevoked:
      return "CERT_REVOKED";
    case ErrorCode::kReplayed:
      return "REPLAYED";
    case ErrorCode::kAccessDenied:
      return "ACCESS_DENIED";
    case ErrorCode::kPurposeRequired:
      return "PURPOSE_REQUIRED";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kUpstreamUnavailable:
      return "UPSTREAM_UNAVAILABLE";
    case ErrorCode::kUpstreamBadSignature:
      return "UPSTREAM_BAD_SIGNATURE";
    case ErrorCode::kUpstreamTimeout:
      return "UPSTREAM_TIMEOUT";
    case ErrorCode::kRateLimited:
      return "RATE_LIMITED";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kXmlMalformed:
    case ErrorCode::kXmlDtdRefused:
    case ErrorCode::kDuplicateId:
    case ErrorCode::kPurposeRequired:
      return 400;
    case ErrorCode::kXmlLimitExceeded:
      return 413;
    case ErrorCode::kSignatureMissing:
    case ErrorCode::kSignatureInvalid:
    case ErrorCode::kSignaturePolicy:
    case ErrorCode::kSignatureWrapped:
    case ErrorCode::kCertUntrusted:
    case ErrorCode::kCertExpired:
    case ErrorCode::kCertRevoked:
      return 401;
    case ErrorCode::kReplayed:
      return 409;
    case ErrorCode::kAccessDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUpstreamUnavailable:
    case ErrorCode::kUpstreamBadSignature:
      return 502;
    case ErrorCode::kUpstreamTimeout:
      return 504;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace lienthong
