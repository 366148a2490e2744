#include "gateway/front/http/response_encoding.h"

#include <nlohmann/json.hpp>

#include "gateway/front/http/problem.h"

namespace lienthong::front::http {

std::string lookup_json(const LookupResponse& response, std::string_view request_id) {
  const VerifiedRecord& record = response.record;
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [name, value] : record.fields) fields[name] = value;
  const nlohmann::json doc = {
      {"requestId", std::string(request_id)},
      {"record",
       {
           {"code", record.code},
           {"subjectId", record.subject},
           {"documentType", record.doc_type},
           {"fields", std::move(fields)},
           {"source", record.source},
           {"verifiedAt", format_utc_time(record.verified_at)},
           {"expiresAt", format_utc_time(record.expires_at)},
       }},
      {"fromCache", response.from_cache},
      {"signedEnvelope", response.envelope},
  };
  // `replace`: a record is UTF-8 by the time it is verified; should a byte slip through, the
  // answer still goes out instead of an exception on the request path.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response lookup_response(const Result<LookupResponse>& outcome, LookupFormat format,
                         std::string_view request_id) {
  if (!outcome) return problem_response(outcome.error(), request_id);
  Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::cache_control, "no-store");
  if (format == LookupFormat::kXml) {
    res.set(bhttp::field::content_type, "application/xml; charset=utf-8");
    res.body() = outcome->envelope;
  } else {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = lookup_json(*outcome, request_id);
  }
  return res;
}

}  // namespace lienthong::front::http
