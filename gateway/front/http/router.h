// Which handler answers which request: POST /v1/lookup (JSON, JWS-signed JSON as
// application/jose or application/jose+json, or XML), the document routes under /v1/documents
// (document_routes.h), GET /healthz, /readyz, /metrics. Everything else is a problem document
// (404, 405, 415). No sockets here: the session hands in a parsed request and the member of its
// TLS connection.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/metrics.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/http/handler.h"
#include "gateway/front/http/http_counters.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

class DocumentRoutes;

// "application/json; charset=UTF-8" → type "application/json", charset "utf-8" (both lower
// case; charset "" when absent).
struct MediaType {
  std::string type;
  std::string charset;
};
MediaType parse_media_type(std::string_view header);

// The lookup front's handler (handler.h); Deferred and Respond are Handler's.
class Router final : public Handler {
 public:
  // `signed_json`: verifies members' signed requests and signs JSON answers; null refuses
  // signed requests and leaves answers unsigned (tests of other stages). `documents`: the
  // document routes; null answers every /v1/documents path with 404 (not enabled).
  Router(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
         std::shared_ptr<HttpCounters> counters, size_t max_body_bytes,
         exchange::SignedJson::Ptr signed_json = nullptr,
         std::shared_ptr<const DocumentRoutes> documents = nullptr);

  // The response when it is ready now (health, metrics, refusals); otherwise nullopt, and
  // `respond` follows. `member` is the TLS peer's (member_from_peer), never the request's.
  std::optional<Response> handle(Request& request, const std::string& request_id,
                                 const Result<Member>& member,
                                 const Respond& respond) const override;

 private:
  std::optional<Response> lookup(Request& request, const std::string& request_id,
                                 const Result<Member>& member, const Respond& respond) const;
  Response readiness() const;
  Response metrics() const;

  exchange::Pipeline::Ptr pipeline_;
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<HttpCounters> counters_;
  size_t max_body_bytes_;
  exchange::SignedJson::Ptr signed_json_;
  std::shared_ptr<const DocumentRoutes> documents_;
};

}  // namespace lienthong::front::http
