// The admin API's handler (issue 5 item 5) on its own HTTPS port, served by the same hardened
// server as the lookup front (front/http, http::Handler). Administrators only (AdminAllowlist);
// every request, answered or refused, is written to the audit with the administrator's identity
// (front "admin") and answered only once that entry is durable, as lookups are.
// Endpoints (docs/admin/api.md, schemas/http/admin.yaml), all JSON under /admin/v1/:
//   GET trust · POST trust/pins · DELETE trust/pins/{fingerprint-or-organ} · POST trust/crls ·
//   POST trust/anchors · POST trust/intermediates · DELETE trust/certificates/{fingerprint} ·
//   GET|PUT policy · GET policy/check · POST reload · DELETE cache/{code} · GET audit/who ·
//   GET upstreams
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/audit/audit_sink.h"
#include "gateway/core/clock.h"
#include "gateway/front/admin/admin_backend.h"
#include "gateway/front/admin/admin_identity.h"
#include "gateway/front/http/handler.h"

namespace lienthong::front::admin {

// Every route as "METHOD /path" ("{}" for the path parameter), in the router's order: for the
// test that keeps schemas/http/admin.yaml complete.
std::vector<std::string> admin_routes();

class AdminRouter final : public http::Handler {
 public:
  AdminRouter(AdminAllowlist allowlist, AdminBackend::Ptr backend, audit::AuditSink::Ptr audit,
              Clock::Ptr clock);

  // Always answers through `respond`, after the audit entry is durable (nullopt here).
  std::optional<http::Response> handle(http::Request& request, const std::string& request_id,
                                       const Result<Member>& member,
                                       const Respond& respond) const override;

 private:
  AdminAllowlist allowlist_;
  AdminBackend::Ptr backend_;
  audit::AuditSink::Ptr audit_;
  Clock::Ptr clock_;
  mutable std::mutex change_mutex_;  // one change of trust or policy at a time
};

}  // namespace lienthong::front::admin
