#include "gateway/front/http/response_encoding.h"

#include "gateway/core/log.h"
#include "gateway/front/http/problem.h"

namespace lienthong::front::http {
namespace {

// The JSON answer's detached signature, over the body exactly as sent. A signature that cannot
// be made turns the answer into an unsigned INTERNAL problem: an unsigned record never leaves.
void sign_json(Response& res, const exchange::SignedJson* signed_json,
               std::string_view request_id) {
  if (!signed_json) return;
  auto jws = signed_json->sign_detached(res.body());
  if (jws && !jws->empty()) {
    res.set(to_beast(exchange::kJwsSignatureHeader), *jws);
    return;
  }
  if (jws) return;  // no answer signer configured
  LT_LOG(error, "answer signing failed: {}", jws.error().detail);
  res = problem_response(Error{ErrorCode::kInternal, "the answer could not be signed"},
                         request_id);
}

}  // namespace

Response lookup_response(const Result<LookupResponse>& outcome, LookupFormat format,
                         std::string_view request_id, const exchange::SignedJson* signed_json) {
  if (!outcome) {
    Response res = problem_response(outcome.error(), request_id);
    if (format == LookupFormat::kJson) sign_json(res, signed_json, request_id);
    return res;
  }
  Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::cache_control, "no-store");
  if (format == LookupFormat::kXml) {
    // The XML envelope carries its own XML-DSig.
    res.set(bhttp::field::content_type, "application/xml; charset=utf-8");
    res.body() = outcome->envelope;
  } else {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = lookup_json(*outcome, request_id);
    sign_json(res, signed_json, request_id);
  }
  return res;
}

}  // namespace lienthong::front::http
