// The one error vocabulary of the gateway (DESIGN.md §1) and the one result type.
// Every stage returns Result<T>; front ends map ErrorCode to their wire (Thrift exception,
// HTTP problem+json) and the CLI prints the code name. Names are part of the public contract.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace lienthong {

enum class ErrorCode {
  kBadRequest,        // the caller's request is malformed or incomplete
  kXmlMalformed,      // not well-formed XML, or an encoding other than UTF-8
  kXmlDtdRefused,     // a DOCTYPE (DTD, entities) was present: never processed
  kXmlLimitExceeded,  // size, depth or node-count limit exceeded
  kDuplicateId,       // two elements carry the same ID: references would be ambiguous
  kSignatureMissing,  // no ds:Signature where one is required
  kSignatureInvalid,  // digest or signature value does not match, or broken structure
  kSignaturePolicy,   // algorithm, key type/size, transform or reference form refused
  kSignatureWrapped,  // the signed node is not where the policy requires (wrapping)
  kCertUntrusted,     // no path to a trust anchor, or no usable certificate
  kCertExpired,       // a certificate on the path is expired or not yet valid
  kCertRevoked,       // a certificate on the path is revoked
  kReplayed,
  kAccessDenied,
  kPurposeRequired,
  kNotFound,
  kUpstreamUnavailable,
  kUpstreamBadSignature,
  kUpstreamTimeout,
  kRateLimited,
  kInternal,
};

// "SIGNATURE_INVALID" etc.: the stable wire name.
std::string_view error_code_name(ErrorCode code);

inline std::ostream& operator<<(std::ostream& os, ErrorCode code) {
  return os << error_code_name(code);
}

// The HTTP status a front end answers with for this code (RFC 9457 problem documents).
int http_status(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string detail;  // for an operator: what was refused and why; never personal data
};

template <class T>
using Result = tl::expected<T, Error>;

// `return fail(ErrorCode::kBadRequest, "...")` from any function returning Result<T>.
inline tl::unexpected<Error> fail(ErrorCode code, std::string detail) {
  return tl::unexpected<Error>(Error{code, std::move(detail)});
}

}  // namespace lienthong
