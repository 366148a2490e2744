// The pipeline's answer on the HTTP wire: JSON (the mirror of the Thrift LookupResponse) or the
// signed XML envelope itself; refusals as problem documents (problem.h).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

enum class LookupFormat { kJson, kXml };

// {"requestId","record":{"code","subjectId","documentType","fields":{name:value},"source",
//  "verifiedAt","expiresAt"},"fromCache","signedEnvelope"}.
std::string lookup_json(const LookupResponse& response, std::string_view request_id);

// `in` as a quoted JSON string (RFC 8259 escapes); `in` must be valid UTF-8.
void append_json_string(std::string_view in, std::string& out);

// 200 with the JSON above or with the envelope (application/xml), or the problem document.
// Record contents are personal data: the response says Cache-Control: no-store.
Response lookup_response(const Result<LookupResponse>& outcome, LookupFormat format,
                         std::string_view request_id);

}  // namespace lienthong::front::http
