// JSON from outside: well-formed, no NUL byte, bounded in depth, no repeated member names
// (RFC 7515 sec. 4 lets a parser refuse them; nlohmann alone would keep the last one, another
// reader the first), no non-finite numbers. The one reader of outside JSON: JOSE, members'
// lookup requests (gateway/front/http/lookup_json.cc), REST upstreams' answers (adapters/rest).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::crypto {

// `what` names the text in the error detail ("JWS", "protected header", "JWK Set"); the
// detail never quotes the text itself. Refusals carry `code`.
Result<nlohmann::json> parse_strict_json(std::string_view text, size_t max_depth,
                                         std::string_view what, ErrorCode code);

// A member name or short string from outside, for an error detail: at most 40 printable
// ASCII characters, others shown as '?'.
std::string shown(std::string_view text);

}  // namespace lienthong::crypto
