// The admin API's endpoints, one function each (admin_trust.cc, admin_policy.cc,
// admin_operations.cc), called by AdminRouter once the caller is known to be an administrator.
// Each does its work synchronously on the admin front's own threads (lookups never wait for it)
// and returns its answer with what the audit is to say; the router writes the audit entry and
// answers once it is durable.
#pragma once

#include <mutex>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/front/admin/admin_backend.h"
#include "gateway/front/admin/admin_http.h"
#include "gateway/front/admin/admin_identity.h"

namespace lienthong::front::admin {

struct AdminCall {
  Request& request;
  const std::string& request_id;
  const AdminIdentity& who;
  QueryParams query;
  std::string param;  // the decoded last segment of /pins/{x}, /certificates/{x}, /cache/{x}
};

// The answer, and the audit entry's variable part (audit_sink.h): `outcome` "OK" or an
// ErrorCode name; `subject` only where a citizen's data is touched (audit who, a cached record);
// `detail` (→ dossier_code) short and never personal; `adapter` where one is named.
struct AdminAction {
  Response response;
  std::string outcome = "OK";
  std::string subject;
  std::string detail;
  std::string adapter;
};

struct AdminServices {
  AdminBackend& backend;
  const Clock& clock;
  std::mutex& change_mutex;  // one change of trust or policy at a time
};

// A refusal: the problem document, its code as the outcome, its detail (shortened) audited.
// `status` 0: 422 for BAD_REQUEST-like refusals, http_status() for the others.
AdminAction refused(const Error& error, const AdminCall& call, int status = 0);
// {"trust_generation", "reloads_ok", "reloads_refused", "last_error", "last_attempt"}.
nlohmann::json reload_json(const ReloadStatus& status);

AdminAction trust_show(const AdminServices& s, const AdminCall& call);
AdminAction trust_pin(const AdminServices& s, const AdminCall& call);
AdminAction trust_unpin(const AdminServices& s, const AdminCall& call);
AdminAction trust_import_crl(const AdminServices& s, const AdminCall& call);
AdminAction trust_add_anchor(const AdminServices& s, const AdminCall& call);
AdminAction trust_add_intermediate(const AdminServices& s, const AdminCall& call);
AdminAction trust_remove(const AdminServices& s, const AdminCall& call);

AdminAction policy_show(const AdminServices& s, const AdminCall& call);
AdminAction policy_put(const AdminServices& s, const AdminCall& call);
AdminAction policy_check(const AdminServices& s, const AdminCall& call);

AdminAction reload(const AdminServices& s, const AdminCall& call);
AdminAction cache_invalidate(const AdminServices& s, const AdminCall& call);
AdminAction audit_who(const AdminServices& s, const AdminCall& call);
AdminAction upstreams(const AdminServices& s, const AdminCall& call);

AdminAction documents_outbox(const AdminServices& s, const AdminCall& call);
AdminAction documents_outbox_one(const AdminServices& s, const AdminCall& call);
AdminAction documents_retry(const AdminServices& s, const AdminCall& call);
AdminAction documents_refused(const AdminServices& s, const AdminCall& call);

}  // namespace lienthong::front::admin
