#include "gateway/front/admin/admin_router.h"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "gateway/core/log.h"
#include "gateway/front/admin/admin_endpoints.h"

namespace lienthong::front::admin {

namespace {

using Endpoint = AdminAction (*)(const AdminServices&, const AdminCall&);

// One route: a fixed path, or a prefix followed by one path segment (the parameter).
struct Route {
  bhttp::verb method;
  std::string_view path;  // with_param: everything before the parameter, ending in '/'
  bool with_param;
  std::string_view action;  // the audit entry's document_type
  Endpoint endpoint;
};

constexpr std::array kRoutes = {
    Route{bhttp::verb::get, "/admin/v1/trust", false, "admin.trust.show", trust_show},
    Route{bhttp::verb::post, "/admin/v1/trust/pins", false, "admin.trust.pin", trust_pin},
    Route{bhttp::verb::delete_, "/admin/v1/trust/pins/", true, "admin.trust.unpin", trust_unpin},
    Route{bhttp::verb::post, "/admin/v1/trust/crls", false, "admin.trust.crl", trust_import_crl},
    Route{bhttp::verb::post, "/admin/v1/trust/anchors", false, "admin.trust.anchor",
          trust_add_anchor},
    Route{bhttp::verb::post, "/admin/v1/trust/intermediates", false, "admin.trust.intermediate",
          trust_add_intermediate},
    Route{bhttp::verb::delete_, "/admin/v1/trust/certificates/", true, "admin.trust.remove",
          trust_remove},
    Route{bhttp::verb::get, "/admin/v1/policy", false, "admin.policy.show", policy_show},
    Route{bhttp::verb::put, "/admin/v1/policy", false, "admin.policy.put", policy_put},
    Route{bhttp::verb::get, "/admin/v1/policy/check", false, "admin.policy.check", policy_check},
    Route{bhttp::verb::post, "/admin/v1/reload", false, "admin.reload", reload},
    Route{bhttp::verb::delete_, "/admin/v1/cache/", true, "admin.cache.invalidate",
          cache_invalidate},
    Route{bhttp::verb::get, "/admin/v1/audit/who", false, "admin.audit.who", audit_who},
    Route{bhttp::verb::get, "/admin/v1/upstreams", false, "admin.upstreams", upstreams},
    Route{bhttp::verb::get, "/admin/v1/documents/outbox", false, "admin.documents.outbox",
          documents_outbox},
    Route{bhttp::verb::get, "/admin/v1/documents/outbox/", true, "admin.documents.outbox",
          documents_outbox_one},
    Route{bhttp::verb::post, "/admin/v1/documents/retry/", true, "admin.documents.retry",
          documents_retry},
    Route{bhttp::verb::get, "/admin/v1/documents/refused", false, "admin.documents.refused",
          documents_refused},
};

// The parameter when `path` matches the route's shape, else nullopt.
std::optional<std::string_view> match(const Route& route, std::string_view path) {
  if (!route.with_param)
    return path == route.path ? std::optional<std::string_view>("") : std::nullopt;
  if (path.size() <= route.path.size() || path.substr(0, route.path.size()) != route.path)
    return std::nullopt;
  const std::string_view param = path.substr(route.path.size());
  if (param.find('/') != std::string_view::npos) return std::nullopt;
  return param;
}

std::string shown(std::string_view path) {
  std::string out;
  for (char c : path.substr(0, 80)) out.push_back(c > 0x20 && c < 0x7f ? c : '?');
  return out;
}

}  // namespace

std::vector<std::string> admin_routes() {
  std::vector<std::string> out;
  for (const Route& r : kRoutes)
    out.push_back(std::string(http::to_std(bhttp::to_string(r.method))) + " " +
                  std::string(r.path) + (r.with_param ? "{}" : ""));
  return out;
}

AdminRouter::AdminRouter(AdminAllowlist allowlist, AdminBackend::Ptr backend,
                         audit::AuditSink::Ptr audit, Clock::Ptr clock)
    : allowlist_(std::move(allowlist)),
      backend_(std::move(backend)),
      audit_(std::move(audit)),
      clock_(clock ? std::move(clock) : SystemClock::instance()) {}

std::optional<http::Response> AdminRouter::handle(http::Request& request,
                                                  const std::string& request_id,
                                                  const Result<Member>& member,
                                                  const Respond& respond) const {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view target = http::to_std(request.target());
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? "" : target.substr(question + 1);

  // The route first, only to name the action in the audit; a stranger learns nothing from it
  // (403 whatever the path).
  const Route* route = nullptr;
  std::optional<std::string_view> param;
  std::string allow;
  for (const Route& r : kRoutes) {
    auto p = match(r, path);
    if (!p) continue;
    if (r.method == request.method()) {
      route = &r;
      param = p;
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += std::string(http::to_std(bhttp::to_string(r.method)));
  }
  const std::string action_name = route           ? std::string(route->action)
                                  : allow.empty() ? "admin.unknown"
                                                  : "admin.method";

  auto who = allowlist_.admit(member);
  AdminAction action;
  if (!who) {
    // The action, never the path: a path may carry a record code, i.e. a citizen's ID.
    LT_LOG(warn, "admin API: refused {}: {}", action_name, who.error().detail);
    action.response = problem(who.error(), request_id, 403);
    action.outcome = std::string(error_code_name(who.error().code));
    action.detail = shorten(who.error().detail);
  } else if (!route && !allow.empty()) {
    action.response = problem(
        Error{ErrorCode::kBadRequest, "method not allowed here; use " + allow}, request_id, 405);
    action.response.set(bhttp::field::allow, allow);
    action.outcome = std::string(error_code_name(ErrorCode::kBadRequest));
    action.detail = std::string(http::to_std(request.method_string())) + " not allowed";
  } else if (!route) {
    action.response =
        problem(Error{ErrorCode::kNotFound, "no resource at " + shown(path)}, request_id, 404);
    action.outcome = std::string(error_code_name(ErrorCode::kNotFound));
    action.detail = "no such resource";
  } else {
    auto params = parse_query(query);
    auto decoded = percent_decode(*param, false);
    AdminCall call{request, request_id, *who, params ? std::move(*params) : QueryParams{},
                   decoded ? std::move(*decoded) : std::string()};
    if (!params || !decoded) {
      action = refused(Error{ErrorCode::kBadRequest, "malformed percent-encoding"}, call);
    } else {
      const AdminServices services{*backend_, *clock_, change_mutex_};
      action = route->endpoint(services, call);
    }
    LT_LOG(info, "admin API: {} by {}: {}", action_name, who->text(), action.outcome);
  }

  audit::AuditEntry entry;
  entry.at = clock_->now();
  entry.request_id = request_id;
  entry.front = "admin";
  if (who) {
    entry.member = who->organ_code;
    entry.member_certificate = who->fingerprint;
    entry.officer_account = who->common_name;
  } else if (member) {
    // Who tried: the certificate's organ and fingerprint, so that the attempt can be followed.
    entry.member = member->organ_code;
    entry.member_certificate = member->certificate_fingerprint;
  }
  entry.subject = action.subject;
  entry.document_type = action_name;
  entry.dossier_code = action.detail;
  entry.adapter = action.adapter;
  entry.outcome = action.outcome;
  entry.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count();

  auto response = std::make_shared<const http::Response>(std::move(action.response));
  audit_->append(
      std::move(entry), [respond, response, request_id, action_name](Result<void> durable) {
        if (durable) {
          respond([response] { return *response; });
          return;
        }
        // Not answered as done: the administrator must know that this action has no audit entry
        // (a change, if any, was made: the status it would have had says which).
        const std::string detail =
            fmt::format("the audit could not record {} (which would have answered {}): {}",
                        action_name, response->result_int(), durable.error().detail);
        respond([detail, request_id] {
          return problem(Error{ErrorCode::kInternal, detail}, request_id, 500);
        });
      });
  return std::nullopt;
}

}  // namespace lienthong::front::admin
