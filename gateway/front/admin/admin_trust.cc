// GET /admin/v1/trust and the changes of the trust directory: each goes through
// crypto::TrustDirectory (which refuses what the gateway would refuse, and changes nothing
// then), and a successful change is reloaded before the answer, so it is in force when the call
// returns.
#include <fmt/format.h>

#include "gateway/core/clock.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_directory.h"
#include "gateway/front/admin/admin_endpoints.h"

namespace lienthong::front::admin {

namespace {

using nlohmann::json;

// Exactly one certificate from the body's member `key` (PEM, as the CLI reads files).
Result<crypto::X509Ptr> one_certificate(const json& body, std::string_view key) {
  auto pem = string_member(body, key);
  if (!pem) return tl::unexpected(pem.error());
  if (!*pem || (*pem)->empty())
    return fail(ErrorCode::kBadRequest, std::string(key) + " (a PEM certificate) is required");
  auto certs = crypto::parse_certificates(**pem);
  if (!certs) return fail(ErrorCode::kBadRequest, std::string(key) + ": " + certs.error().detail);
  if (certs->size() != 1)
    return fail(ErrorCode::kBadRequest,
                std::string(key) + ": give one certificate, not " + std::to_string(certs->size()));
  return std::move(certs->front());
}

// The change made (or refused), then the reload that puts it in force.
AdminAction answer_change(const AdminServices& s, const AdminCall& call,
                          Result<crypto::TrustChange> change) {
  if (!change)
    return refused(change.error(), call, change.error().code == ErrorCode::kInternal ? 500 : 422);
  json doc{{"action", change->action}, {"detail", change->detail}};
  doc["written"] = json::array();
  doc["removed"] = json::array();
  for (const auto& f : change->written) doc["written"].push_back(f.string());
  for (const auto& f : change->removed) doc["removed"].push_back(f.string());
  auto reloaded = s.backend.reload("admin " + call.who.text());
  const ReloadStatus state = s.backend.reload_status();
  doc["trust_generation"] = state.trust_generation;
  doc["reload"] = reload_json(state);
  if (!reloaded) {
    // Written but not in force (the policy beside it may be what the reload refused): said
    // plainly, with what was written, so that the administrator can undo or fix it.
    AdminAction action = refused(
        Error{reloaded.error().code,
              fmt::format("{} was written to the trust directory, but the reload was refused and "
                          "the previous trust stays in force: {}",
                          change->action, reloaded.error().detail)},
        call, 422);
    action.response = problem(Error{reloaded.error().code, action.detail}, call.request_id, 422,
                              {{"change", doc}});
    return action;
  }
  AdminAction action;
  action.response = json_response(200, doc);
  action.detail = shorten(change->action + " " + change->detail);
  return action;
}

Result<json> body_of(const AdminCall& call) { return json_object_body(call.request); }

}  // namespace

AdminAction trust_show(const AdminServices& s, const AdminCall& /*call*/) {
  const auto snapshot = s.backend.trust();
  const ReloadStatus state = s.backend.reload_status();
  json certs = json::array();
  if (snapshot)
    for (const auto& c : snapshot->statuses(s.clock.now())) certs.push_back(crypto::to_json(c));
  AdminAction action;
  action.response = json_response(
      200, {{"trust_generation", snapshot ? snapshot->generation() : state.trust_generation},
            {"directory", s.backend.trust_directory().string()},
            {"reload", reload_json(state)},
            {"certificates", std::move(certs)}});
  action.detail = fmt::format("generation {}", snapshot ? snapshot->generation() : 0);
  return action;
}

AdminAction trust_pin(const AdminServices& s, const AdminCall& call) {
  auto body = body_of(call);
  if (!body) return refused(body.error(), call);
  auto cert = one_certificate(*body, "certificate");
  if (!cert) return refused(cert.error(), call);
  auto organ = string_member(*body, "organ_code");
  if (!organ) return refused(organ.error(), call);
  if (!*organ || (*organ)->empty())
    return refused(Error{ErrorCode::kBadRequest, "organ_code is required"}, call);
  auto subsystem = string_member(*body, "subsystem");
  if (!subsystem) return refused(subsystem.error(), call);
  std::lock_guard lock(s.change_mutex);
  const crypto::TrustDirectory dir(s.backend.trust_directory());
  // The pin file says who pinned it, as the CLI's says which OS account did.
  return answer_change(s, call,
                       dir.pin_member(cert->get(), **organ, subsystem->value_or(""), s.clock.now(),
                                      "admin:" + call.who.text()));
}

AdminAction trust_unpin(const AdminServices& s, const AdminCall& call) {
  std::lock_guard lock(s.change_mutex);
  const crypto::TrustDirectory dir(s.backend.trust_directory());
  return answer_change(s, call, dir.unpin(call.param));
}

AdminAction trust_import_crl(const AdminServices& s, const AdminCall& call) {
  auto body = body_of(call);
  if (!body) return refused(body.error(), call);
  auto pem = string_member(*body, "crl");
  if (!pem) return refused(pem.error(), call);
  if (!*pem || (*pem)->empty())
    return refused(Error{ErrorCode::kBadRequest, "crl (a PEM CRL) is required"}, call);
  auto crls = crypto::parse_crls(**pem);
  if (!crls) return refused(Error{ErrorCode::kBadRequest, "crl: " + crls.error().detail}, call);
  if (crls->size() != 1) return refused(Error{ErrorCode::kBadRequest, "crl: give one CRL"}, call);
  std::lock_guard lock(s.change_mutex);
  const crypto::TrustDirectory dir(s.backend.trust_directory());
  return answer_change(s, call, dir.import_crl(crls->front().get(), s.clock.now()));
}

namespace {

// add-anchor and add-intermediate: one certificate from the body, then the directory's check.
AdminAction add_ca(const AdminServices& s, const AdminCall& call,
                   Result<crypto::TrustChange> (crypto::TrustDirectory::*add)(const X509*,
                                                                              TimePoint) const) {
  auto body = body_of(call);
  if (!body) return refused(body.error(), call);
  auto cert = one_certificate(*body, "certificate");
  if (!cert) return refused(cert.error(), call);
  std::lock_guard lock(s.change_mutex);
  const crypto::TrustDirectory dir(s.backend.trust_directory());
  return answer_change(s, call, (dir.*add)(cert->get(), s.clock.now()));
}

}  // namespace

AdminAction trust_add_anchor(const AdminServices& s, const AdminCall& call) {
  return add_ca(s, call, &crypto::TrustDirectory::add_anchor);
}

AdminAction trust_add_intermediate(const AdminServices& s, const AdminCall& call) {
  return add_ca(s, call, &crypto::TrustDirectory::add_intermediate);
}

AdminAction trust_remove(const AdminServices& s, const AdminCall& call) {
  std::lock_guard lock(s.change_mutex);
  const crypto::TrustDirectory dir(s.backend.trust_directory());
  return answer_change(s, call, dir.remove(call.param));
}

}  // namespace lienthong::front::admin
