// The access policy: shown as `lienthong policy show --json` shows it, replaced whole after
// `policy lint` finds no problem (against the adapters' catalogue and the trust directory's
// pins), and explained for one member as `lienthong policy check --json` does.
#include <fmt/format.h>

#include <algorithm>

#include "gateway/core/encoding.h"
#include "gateway/core/identifiers.h"
#include "gateway/crypto/certificate_names.h"
#include "gateway/front/admin/admin_endpoints.h"
#include "gateway/front/admin/atomic_file.h"
#include "gateway/policy/policy_explain.h"
#include "gateway/policy/policy_json.h"
#include "gateway/policy/policy_lint.h"

namespace lienthong::front::admin {

namespace {

using nlohmann::json;

json finding_json(const policy::Finding& f) {
  return {{"line", f.problem.line},
          {"severity", f.warning ? "warning" : "error"},
          {"message", f.problem.what},
          {"text", f.problem.text()}};
}

// The members the trust snapshot in force lets in (its pins), for the lint's warnings.
std::vector<policy::CertifiedMember> certified_members(const crypto::TrustSnapshot& trust) {
  std::vector<policy::CertifiedMember> out;
  for (const auto& pin : trust.contents().pins) {
    policy::CertifiedMember m;
    m.organ_code = pin.organ_code;
    m.subsystem = !pin.subsystem.empty() ? pin.subsystem
                  : pin.cert             ? crypto::subsystem_of(pin.cert.get())
                                         : "";
    m.file = pin.file;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::string> read_text(const std::filesystem::path& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return fail(ErrorCode::kInternal, file.string() + ": cannot read");
  std::string out;
  char buffer[16 << 10];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
  const bool read_failed = std::ferror(f) != 0;
  const bool failed = std::fclose(f) != 0 || read_failed;
  if (failed) return fail(ErrorCode::kInternal, file.string() + ": read error");
  return out;
}

}  // namespace

AdminAction policy_show(const AdminServices& s, const AdminCall& /*call*/) {
  const auto current = s.backend.policy();
  AdminAction action;
  if (!current) {
    action.response = json_response(200, {{"source", ""}, {"members", json::array()}});
    return action;
  }
  json doc = policy::to_json(*current);
  doc["file"] = s.backend.policy_file().string();
  action.response = json_response(200, doc);
  action.detail = fmt::format("{} members", current->members().size());
  return action;
}

AdminAction policy_put(const AdminServices& s, const AdminCall& call) {
  const std::string type = media_type(http::to_std(call.request[bhttp::field::content_type]));
  if (type != "application/toml")
    return refused(Error{ErrorCode::kBadRequest, "Content-Type must be application/toml"}, call,
                   415);
  const std::string& text = call.request.body();
  const std::filesystem::path file = s.backend.policy_file();
  const std::string digest = sha256_hex(text).substr(0, 16);

  policy::LintInputs inputs;
  inputs.catalogue = s.backend.catalogue();
  if (const auto trust = s.backend.trust()) {
    inputs.certified = certified_members(*trust);
    inputs.trust_name = s.backend.trust_directory().string();
  }
  const auto findings = policy::lint(text, file.string(), inputs);
  json problems = json::array(), warnings = json::array();
  for (const auto& f : findings) (f.warning ? warnings : problems).push_back(finding_json(f));
  if (!problems.empty()) {
    AdminAction action = refused(
        Error{ErrorCode::kBadRequest,
              fmt::format("the policy has {} problem(s); nothing was changed", problems.size())},
        call, 422);
    action.response = problem(Error{ErrorCode::kBadRequest, action.detail}, call.request_id, 422,
                              {{"problems", problems}, {"warnings", warnings}});
    action.detail = fmt::format("sha256 {} refused: {} problem(s)", digest, problems.size());
    return action;
  }

  std::lock_guard lock(s.change_mutex);
  auto previous = read_text(file);
  if (!previous) return refused(previous.error(), call, 500);
  if (auto written = write_file_atomically(file, text); !written)
    return refused(written.error(), call, 500);
  auto reloaded = s.backend.reload("admin " + call.who.text());
  if (!reloaded) {
    // Linted, yet refused (e.g. the trust directory beside it no longer reads): the old text
    // goes back, so that the file on disk is the policy in force.
    (void)write_file_atomically(file, *previous);
    AdminAction action = refused(
        Error{reloaded.error().code, "the policy was not put in force, the previous one stays: " +
                                         reloaded.error().detail},
        call, 422);
    action.detail = shorten("sha256 " + digest + " refused at reload: " + reloaded.error().detail);
    return action;
  }
  const ReloadStatus state = s.backend.reload_status();
  const auto current = s.backend.policy();
  AdminAction action;
  action.response = json_response(200, {{"file", file.string()},
                                        {"sha256", sha256_hex(text)},
                                        {"members", current ? current->members().size() : 0},
                                        {"warnings", warnings},
                                        {"trust_generation", state.trust_generation},
                                        {"reload", reload_json(state)}});
  action.detail = "sha256 " + digest;
  return action;
}

AdminAction policy_check(const AdminServices& s, const AdminCall& call) {
  const std::string member_code = first(call.query, "member");
  std::string adapter = first(call.query, "adapter");
  std::string document_type = first(call.query, "doctype");
  if (document_type.empty()) document_type = first(call.query, "document_type");
  if (auto code = parse_organ_code(member_code); !code)
    return refused(Error{ErrorCode::kBadRequest, "member: " + code.error().detail}, call);
  if (adapter.empty() || document_type.empty())
    return refused(Error{ErrorCode::kBadRequest, "adapter and doctype are required"}, call);
  std::vector<std::string> wanted;
  if (const auto it = call.query.find("field"); it != call.query.end()) wanted = it->second;

  const auto current = s.backend.policy();
  if (!current) return refused(Error{ErrorCode::kInternal, "no policy in force"}, call, 500);
  const auto catalogue = s.backend.catalogue();
  std::vector<std::string> available;
  bool expanded = false;
  std::vector<std::string> notes;
  const auto entry = std::find_if(catalogue.begin(), catalogue.end(), [&](const auto& c) {
    return c.adapter == adapter && c.document_type == document_type;
  });
  if (entry != catalogue.end()) {
    available = entry->fields;
    expanded = true;
  } else {
    notes.push_back(
        fmt::format("no adapter {} serves document type {} here", adapter, document_type));
    available = wanted;
  }
  Member member;
  member.organ_code = member_code;
  member.subsystem = first(call.query, "subsystem");
  const auto explanation =
      policy::explain(*current, member, adapter, document_type, wanted, available);
  std::vector<std::string> patterns;
  if (explanation.decision) {
    patterns = explanation.decision->grant->fields;
  } else if (const auto* rule = current->find_member(member)) {
    if (const auto* grant = policy::AccessPolicy::find_grant(*rule, adapter, document_type))
      patterns = grant->fields;
  }
  const auto& d = explanation.decision;
  json out{{"allowed", d.has_value()},       {"member", member_code},
           {"subsystem", member.subsystem},  {"adapter", adapter},
           {"document_type", document_type}, {"rule", explanation.rule},
           {"line", explanation.line},       {"patterns", patterns},
           {"fields_expanded", expanded},    {"notes", notes}};
  if (d) {
    out["fields"] = d->fields;
    out["all_fields"] = expanded && d->all_fields;
  } else {
    out["fields"] = json::array();
    out["error"] = {{"code", error_code_name(d.error().code)}, {"detail", d.error().detail}};
  }
  AdminAction action;
  action.response = json_response(200, out);
  action.adapter = adapter;
  action.detail = shorten(
      fmt::format("{} {} {}: {}", member_code, adapter, document_type, d ? "allowed" : "denied"));
  return action;
}

}  // namespace lienthong::front::admin
