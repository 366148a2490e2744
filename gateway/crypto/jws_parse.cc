#include "gateway/crypto/jws_parse.h"

#include <algorithm>
#include <array>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_json.h"

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Error invalid(std::string detail) { return Error{ErrorCode::kSignatureInvalid, std::move(detail)}; }

Result<void> decode_protected(std::string_view b64, const JwsLimits& limits, ParsedSignature& out) {
  out.protected_b64 = std::string(b64);
  if (b64.empty()) return {};
  if (b64.size() > (limits.max_header_bytes + 2) / 3 * 4)
    return fail(ErrorCode::kBadRequest, "protected header larger than " +
                                            std::to_string(limits.max_header_bytes) + " bytes");
  auto text = base64url_decode(b64);
  if (!text) return fail(ErrorCode::kSignatureInvalid, "protected header is not base64url");
  auto header =
      parse_strict_json(*text, limits.max_depth, "protected header", ErrorCode::kSignatureInvalid);
  if (!header) return tl::unexpected(header.error());
  if (!header->is_object())
    return fail(ErrorCode::kSignatureInvalid, "protected header is not a JSON object");
  out.protected_header = std::move(*header);
  out.protected_json = std::move(*text);
  return {};
}

Result<std::string> decode_signature(std::string_view b64) {
  auto sig = base64url_decode(b64);
  if (!sig) return tl::unexpected(invalid("signature is not base64url"));
  return *sig;  // empty is refused after the header (an unsecured JWS is a policy matter)
}

// One member of "signatures", or the flattened object itself.
Result<ParsedSignature> parse_entry(const json& entry, const JwsLimits& limits,
                                    const std::string& where) {
  if (!entry.is_object()) return tl::unexpected(invalid(where + "is not a JSON object"));
  ParsedSignature out;
  auto prot = entry.find("protected");
  auto header = entry.find("header");
  auto sig = entry.find("signature");
  if (prot == entry.end() && header == entry.end())
    return tl::unexpected(invalid(where + "has neither 'protected' nor 'header'"));
  if (prot != entry.end()) {
    if (!prot->is_string()) return tl::unexpected(invalid(where + "'protected' is not a string"));
    if (auto ok = decode_protected(prot->get_ref<const std::string&>(), limits, out); !ok) {
      ok.error().detail = where + ok.error().detail;
      return tl::unexpected(ok.error());
    }
  }
  if (header != entry.end()) {
    if (!header->is_object())
      return tl::unexpected(invalid(where + "'header' is not a JSON object"));
    out.unprotected = *header;
  }
  if (sig == entry.end() || !sig->is_string())
    return tl::unexpected(invalid(where + "'signature' missing or not a string"));
  auto decoded = decode_signature(sig->get_ref<const std::string&>());
  if (!decoded) {
    decoded.error().detail = where + decoded.error().detail;
    return tl::unexpected(decoded.error());
  }
  out.signature = std::move(*decoded);
  return out;
}

Result<ParsedJws> parse_json_serialization(std::string_view text, const JwsLimits& limits) {
  auto doc =
      parse_strict_json(text, limits.max_depth, "JWS JSON serialization", ErrorCode::kBadRequest);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_object())
    return fail(ErrorCode::kBadRequest, "JWS JSON serialization is not a JSON object");
  ParsedJws out;
  if (auto payload = doc->find("payload"); payload != doc->end()) {
    if (!payload->is_string())
      return fail(ErrorCode::kSignatureInvalid, "'payload' is not a string");
    out.payload = payload->get<std::string>();
  }
  auto signatures = doc->find("signatures");
  if (signatures == doc->end() && !doc->contains("signature"))
    return fail(ErrorCode::kBadRequest,
                "not a JWS: a JSON object without 'signature' or 'signatures'");
  if (signatures == doc->end()) {
    out.serialization = JwsSerialization::kFlattened;
    auto entry = parse_entry(*doc, limits, "");
    if (!entry) return tl::unexpected(entry.error());
    out.signatures.push_back(std::move(*entry));
    return out;
  }
  out.serialization = JwsSerialization::kGeneral;
  for (const char* flattened : {"protected", "header", "signature"})
    if (doc->contains(flattened))
      return fail(ErrorCode::kSignatureInvalid,
                  std::string("general serialization with a top-level '") + flattened + "'");
  if (!signatures->is_array() || signatures->empty())
    return fail(ErrorCode::kSignatureInvalid, "'signatures' is not a non-empty array");
  if (signatures->size() > limits.max_signatures)
    return fail(ErrorCode::kBadRequest,
                "more than " + std::to_string(limits.max_signatures) + " signatures");
  for (size_t i = 0; i < signatures->size(); ++i) {
    auto entry = parse_entry((*signatures)[i], limits, "signatures[" + std::to_string(i) + "]: ");
    if (!entry) return tl::unexpected(entry.error());
    out.signatures.push_back(std::move(*entry));
  }
  return out;
}

Result<ParsedJws> parse_compact(std::string_view text, const JwsLimits& limits) {
  if (std::count(text.begin(), text.end(), '.') != 2)
    return fail(ErrorCode::kBadRequest,
                "not a JWS: a compact JWS has exactly three '.'-separated segments");
  const size_t dot1 = text.find('.');
  const size_t dot2 = text.find('.', dot1 + 1);
  ParsedJws out;
  out.serialization = JwsSerialization::kCompact;
  ParsedSignature sig;
  const std::string_view header = text.substr(0, dot1);
  if (header.empty()) return fail(ErrorCode::kSignatureInvalid, "compact JWS without a header");
  if (auto ok = decode_protected(header, limits, sig); !ok) return tl::unexpected(ok.error());
  auto decoded = decode_signature(text.substr(dot2 + 1));
  if (!decoded) return tl::unexpected(decoded.error());
  sig.signature = std::move(*decoded);
  out.payload = std::string(text.substr(dot1 + 1, dot2 - dot1 - 1));
  out.signatures.push_back(std::move(sig));
  return out;
}

}  // namespace

Result<ParsedJws> parse_jws(std::string_view text, const JwsLimits& limits) {
  if (text.size() > limits.max_bytes)
    return fail(ErrorCode::kBadRequest,
                "JWS larger than the limit of " + std::to_string(limits.max_bytes) + " bytes");
  text = trimmed(text);
  if (text.empty()) return fail(ErrorCode::kBadRequest, "empty input: not a JWS");
  if (text.front() == '{') return parse_json_serialization(text, limits);
  return parse_compact(text, limits);
}

}  // namespace lienthong::crypto
