// The syntax of a JWS (RFC 7515 sec. 7): compact, flattened JSON or general JSON, taken apart
// into its segments and headers without deciding anything about them. Internal to the JWS
// verifier; the rules about what the headers may say live in jws_header.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/jws_verifier.h"

namespace lienthong::crypto {

struct ParsedSignature {
  std::string protected_b64;  // as it appears (it is part of the signing input); may be ""
  nlohmann::json protected_header = nlohmann::json::object();
  std::string protected_json;                             // the decoded protected header text
  nlohmann::json unprotected = nlohmann::json::object();  // JSON serializations only
  std::string signature;                                  // decoded
};

struct ParsedJws {
  JwsSerialization serialization = JwsSerialization::kCompact;
  std::optional<std::string> payload;  // the payload segment as it appears; nullopt if absent
  std::vector<ParsedSignature> signatures;
};

// BAD_REQUEST when the bytes are not a JWS in any serialization (too large, not JSON, not
// three segments); SIGNATURE_INVALID when a part of one is malformed (base64url, header not
// a JSON object, repeated header member).
Result<ParsedJws> parse_jws(std::string_view text, const JwsLimits& limits);

}  // namespace lienthong::crypto
