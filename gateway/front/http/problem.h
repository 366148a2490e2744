// Refusals on the HTTP wire: RFC 9457 problem documents carrying the gateway's error vocabulary
// (gateway/core/error.h), the same codes the Thrift front puts in LookupError.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// {"type":"urn:lienthong:error:<CODE>","title":"<CODE>","status":...,"detail":...,
//  "code":"<CODE>","requestId":...}. `status` 0 means http_status(error.code); the HTTP layer
// passes its own (404, 405, 413, 415, 431) where the refusal is about HTTP, not the lookup.
std::string problem_body(const Error& error, std::string_view request_id, int status = 0);

// The problem as a response: status, Content-Type and body (the session adds the rest).
Response problem_response(const Error& error, std::string_view request_id, int status = 0);

}  // namespace lienthong::front::http
