// The JSON form of a lookup's answer, the mirror of the Thrift LookupResponse: the HTTP front's
// body, and the payload the Thrift front signs into LookupResponse.jws.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/lookup.h"

namespace lienthong::front::http {

// {"requestId","record":{"code","subjectId","documentType","fields":{name:value},"source",
//  "verifiedAt","expiresAt"},"fromCache","signedEnvelope"}.
std::string lookup_json(const LookupResponse& response, std::string_view request_id);

// `in` as a quoted JSON string (RFC 8259 escapes); `in` must be valid UTF-8.
void append_json_string(std::string_view in, std::string& out);

}  // namespace lienthong::front::http
