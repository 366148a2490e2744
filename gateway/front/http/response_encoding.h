// The pipeline's answer on the HTTP wire: JSON (the mirror of the Thrift LookupResponse) or the
// signed XML envelope itself; refusals as problem documents (problem.h).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/http/answer_json.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

enum class LookupFormat { kJson, kXml };

// 200 with the JSON answer (answer_json.h) or with the envelope (application/xml), or the
// problem document. Record contents are personal data: the response says Cache-Control:
// no-store. JSON answers and JSON-format problems carry the gateway's detached JWS over the
// body in X-JWS-Signature when `signed_json` has an answer signer.
Response lookup_response(const Result<LookupResponse>& outcome, LookupFormat format,
                         std::string_view request_id,
                         const exchange::SignedJson* signed_json = nullptr);

}  // namespace lienthong::front::http
