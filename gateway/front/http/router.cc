#include "gateway/front/http/router.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "gateway/core/log.h"
#include "gateway/front/http/document_routes.h"
#include "gateway/front/http/lookup_decoding.h"
#include "gateway/front/http/problem.h"
#include "gateway/front/http/response_encoding.h"

namespace lienthong::front::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A path for an error message: the caller's bytes, so shortened and kept printable.
std::string shown(std::string_view path) {
  std::string out;
  for (char c : path.substr(0, 80)) out.push_back(c > 0x20 && c < 0x7f ? c : '?');
  return out;
}

Response method_not_allowed(std::string_view allow, const std::string& request_id) {
  Response res = problem_response(
      Error{ErrorCode::kBadRequest, "method not allowed here; use " + std::string(allow)},
      request_id, 405);
  res.set(bhttp::field::allow, to_beast(allow));
  return res;
}

Response json_response(bhttp::status status, const nlohmann::json& doc) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

}  // namespace

MediaType parse_media_type(std::string_view header) {
  MediaType out;
  const size_t semi = header.find(';');
  out.type = lower(trim(header.substr(0, semi)));
  std::string_view params = semi == std::string_view::npos ? "" : header.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = trim(params.substr(0, next));
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || lower(trim(param.substr(0, eq))) != "charset") continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.charset = lower(value);
  }
  return out;
}

Router::Router(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
               std::shared_ptr<HttpCounters> counters, size_t max_body_bytes,
               exchange::SignedJson::Ptr signed_json,
               std::shared_ptr<const DocumentRoutes> documents)
    : pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      counters_(counters ? std::move(counters) : std::make_shared<HttpCounters>()),
      max_body_bytes_(max_body_bytes),
      signed_json_(std::move(signed_json)),
      documents_(std::move(documents)) {}

std::optional<Response> Router::handle(Request& request, const std::string& request_id,
                                       const Result<Member>& member, const Respond& respond) const {
  const std::string_view target = to_std(request.target());
  const std::string_view path = target.substr(0, target.find('?'));
  const auto method = request.method();
  if (path == "/v1/lookup") {
    if (method != bhttp::verb::post) return method_not_allowed("POST", request_id);
    return lookup(request, request_id, member, respond);
  }
  if (is_documents_path(path)) {
    if (!documents_) {
      Response res =
          problem_response(Error{ErrorCode::kNotFound, "documents are not enabled on this gateway"},
                           request_id, 404);
      res.set(bhttp::field::cache_control, "no-store");
      return res;
    }
    return documents_->handle(request, path, request_id, member, respond);
  }
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (method != bhttp::verb::get) return method_not_allowed("GET", request_id);
    if (path == "/healthz") return json_response(bhttp::status::ok, {{"status", "ok"}});
    if (path == "/readyz") return readiness();
    return metrics();
  }
  return problem_response(Error{ErrorCode::kNotFound, "no resource at " + shown(path)}, request_id,
                          404);
}

std::optional<Response> Router::lookup(Request& request, const std::string& request_id,
                                       const Result<Member>& member, const Respond& respond) const {
  const MediaType media = parse_media_type(to_std(request[bhttp::field::content_type]));
  if (!media.charset.empty() && media.charset != "utf-8")
    return problem_response(
        Error{ErrorCode::kBadRequest, "charset '" + shown(media.charset) + "' refused; use utf-8"},
        request_id, 415);
  LookupFormat format;
  bool signed_request = false;
  if (media.type == "application/json") {
    format = LookupFormat::kJson;
  } else if (media.type == "application/jose" || media.type == "application/jose+json") {
    format = LookupFormat::kJson;  // RFC 7515 §9.2: compact, or the JSON serializations
    signed_request = true;
  } else if (media.type == "application/xml") {
    format = LookupFormat::kXml;
  } else {
    return problem_response(Error{ErrorCode::kBadRequest,
                                  "Content-Type must be application/json, application/jose, "
                                  "application/jose+json or application/xml"},
                            request_id, 415);
  }
  const exchange::SignedJson* signer = signed_json_.get();
  auto refuse = [&](const Error& error) {
    return lookup_response(tl::unexpected(error), format, request_id, signer);
  };
  // The member is who the TLS session proved; a connection whose certificate names no organ
  // is refused before its body is even read as a lookup.
  if (!member) return refuse(member.error());

  Result<DecodedLookup> decoded;
  if (signed_request) {
    if (!signed_json_) {
      return refuse(Error{ErrorCode::kSignaturePolicy, "signed requests are not configured"});
    }
    decoded = decode_signed_json_lookup(*signed_json_, *member, request.body());
    if (!decoded) {
      LT_LOG(info, "signed lookup refused: {} {}", error_code_name(decoded.error().code),
             decoded.error().detail);
    }
  } else if (format == LookupFormat::kJson) {
    decoded = decode_json_lookup(request.body());
    if (decoded && (decoded->iat || decoded->jti)) {
      decoded = fail(ErrorCode::kBadRequest,
                     "iat and jti belong to a signed request: send it as application/jose");
    }
  } else {
    decoded = decode_xml_lookup(request.body(), max_body_bytes_);
  }
  if (!decoded) return refuse(decoded.error());
  if (!decoded->client_request_id.empty())
    LT_LOG(debug, "http lookup: client request id {}", decoded->client_request_id);

  LookupRequest lookup = std::move(decoded->request);
  lookup.request_id = request_id;
  lookup.client_request_id = decoded->client_request_id;
  lookup.front = format == LookupFormat::kJson ? "http-json" : "http-xml";
  lookup.member = *member;

  counters_->lookup_started();
  pipeline_->lookup(std::move(lookup),
                    [respond, counters = counters_, format, request_id,
                     signed_json = signed_json_](Result<LookupResponse> outcome) {
                      counters->lookup_finished();
                      respond([outcome = std::move(outcome), format, request_id, signed_json] {
                        return lookup_response(outcome, format, request_id, signed_json.get());
                      });
                    });
  return std::nullopt;
}

Response Router::readiness() const {
  const exchange::Readiness r = pipeline_->readiness();
  const char* status = !r.ready ? "not ready" : r.degraded ? "degraded" : "ready";
  return json_response(r.ready ? bhttp::status::ok : bhttp::status::service_unavailable,
                       {{"status", status}, {"notes", r.notes}});
}

Response Router::metrics() const {
  Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.set(bhttp::field::cache_control, "no-store");
  if (metrics_) {
    res.body() = metrics_->render();  // the front's counters are one of its gauge sources
  } else {
    counters_->render(res.body());
  }
  return res;
}

}  // namespace lienthong::front::http
