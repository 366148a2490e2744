// The body of POST /v1/lookup, JSON or XML, decoded into the internal LookupRequest. Both forms
// mirror schemas/thrift/lienthong.thrift's LookupRequest field for field (schemas/http/
// openapi.yaml). Decoding checks structure only: missing purpose or officer fields decode as
// empty strings because the pipeline, not the front, answers PURPOSE_REQUIRED; identifiers are
// validated by the pipeline too. The caller sets request_id, front and member.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/exchange/signed_json.h"

namespace lienthong::front::http {

// The XML namespace of <LookupRequest>.
inline constexpr std::string_view kExchangeNamespace = "urn:lienthong:exchange:1";

// maxAgeSeconds above this is refused (ten years: no record type lives longer, and durations
// stay far from overflow).
inline constexpr long long kMaxAgeSecondsLimit = 315'360'000;

// clientRequestId: at most 64 printable ASCII characters (it is written to logs).
inline constexpr size_t kClientRequestIdMax = 64;

struct DecodedLookup {
  LookupRequest request;
  std::string client_request_id;  // "" when absent
  // The claims of a signed request (JSON only): "iat" and "jti". The caller requires them
  // when the body was a JWS and refuses them when it was not.
  std::optional<std::int64_t> iat;
  std::optional<std::string> jti;
};

// {"subjectId","documentType","purpose":{"dossierCode","procedureCode"},
//  "officer":{"personalId","account"},"maxAgeSeconds"?,"fields"?,"clientRequestId"?,
//  "iat"?,"jti"?}.
// Unknown keys, duplicate keys, wrong types and malformed JSON are BAD_REQUEST. null counts as
// absent.
Result<DecodedLookup> decode_json_lookup(std::string_view body);

// A JWS (compact, or the JSON serializations) whose payload is the JSON lookup above with both
// "iat" and "jti": verified with the key of `member`'s certificate (exchange/signed_json.h),
// decoded, and its claims put in request.signature. Used by both fronts.
Result<DecodedLookup> decode_signed_json_lookup(const exchange::SignedJson& signed_json,
                                                const Member& member, std::string_view jws);

// <LookupRequest xmlns="urn:lienthong:exchange:1">…</LookupRequest>, parsed only with
// crypto::parse_untrusted_xml (DTDs refused, limits): its XML_* codes pass through; unknown or
// repeated elements, attributes and stray text are BAD_REQUEST.
Result<DecodedLookup> decode_xml_lookup(std::string_view body, size_t max_bytes);

}  // namespace lienthong::front::http

namespace lienthong::front::http::detail {

// Shared by both decoders.
Result<void> check_client_request_id(std::string_view id);
Result<std::chrono::seconds> check_max_age(long long seconds);
Result<void> check_field_name(std::string_view name);
inline constexpr size_t kMaxFields = 256;

}  // namespace lienthong::front::http::detail
