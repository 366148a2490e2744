// Reload, cache invalidation, the audit's subject query and the upstreams' circuit breakers;
// and the two helpers every endpoint shares (refused, reload_json).
#include <fmt/format.h>

#include "gateway/audit/audit_format.h"
#include "gateway/core/identifiers.h"
#include "gateway/front/admin/admin_endpoints.h"

namespace lienthong::front::admin {

namespace {

using nlohmann::json;

// "2026-11-22T10:00:00Z", with microseconds as in the audit, or a date "2026-11-22" (as
// `lienthong audit who`); `is_date` widens an upper bound to the whole day.
std::optional<TimePoint> parse_time(std::string_view text, bool& is_date) {
  is_date = text.size() == 10;
  if (is_date) return parse_utc_time(std::string(text) + "T00:00:00Z");
  if (text.size() == 20 && text[10] == 'T' && text.back() == 'Z') return parse_utc_time(text);
  if (text.size() == 27) return audit::parse_audit_time(text);
  return std::nullopt;
}

bool code_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

AdminAction refused(const Error& error, const AdminCall& call, int status) {
  if (status == 0)
    status = error.code == ErrorCode::kBadRequest ? 422
             : error.code == ErrorCode::kInternal ? 500
                                                  : http_status(error.code);
  AdminAction action;
  action.response = problem(error, call.request_id, status);
  action.outcome = std::string(error_code_name(error.code));
  action.detail = shorten(error.detail);
  return action;
}

nlohmann::json reload_json(const ReloadStatus& s) {
  return {{"trust_generation", s.trust_generation},
          {"reloads_ok", s.reloads_ok},
          {"reloads_refused", s.reloads_refused},
          {"last_error", s.last_error},
          {"last_attempt",
           s.last_attempt == TimePoint{} ? json(nullptr) : json(format_utc_time(s.last_attempt))}};
}

AdminAction reload(const AdminServices& s, const AdminCall& call) {
  std::lock_guard lock(s.change_mutex);
  auto reloaded = s.backend.reload("admin " + call.who.text());
  const ReloadStatus state = s.backend.reload_status();
  if (!reloaded) {
    AdminAction action = refused(
        Error{reloaded.error().code,
              "reload refused, the trust and policy in force stay: " + reloaded.error().detail},
        call, 422);
    action.response = problem(Error{reloaded.error().code, action.detail}, call.request_id, 422,
                              {{"reload", reload_json(state)}});
    return action;
  }
  AdminAction action;
  action.response = json_response(
      200, {{"trust_generation", state.trust_generation}, {"reload", reload_json(state)}});
  action.detail = fmt::format("generation {}", state.trust_generation);
  return action;
}

AdminAction cache_invalidate(const AdminServices& s, const AdminCall& call) {
  // "<subject identifier>.<document type code>" (DESIGN.md §5); the subject may hold dots of
  // its own, the document type does not.
  const std::string& code = call.param;
  const std::size_t dot = code.rfind('.');
  const bool well_formed = dot != std::string::npos && dot > 0 && dot + 1 < code.size() &&
                           code.size() <= 128 && std::all_of(code.begin(), code.end(), code_char);
  if (!well_formed)
    return refused(Error{ErrorCode::kBadRequest,
                         "a record code is <subject identifier>.<document type>, e.g. "
                         "001203004510.CD01"},
                   call);
  auto removed = s.backend.invalidate_record(code);
  AdminAction action;
  if (!removed) {
    action = refused(removed.error(), call);
  } else {
    action.response = json_response(200, {{"code", code}, {"removed", *removed}});
    action.detail = code.substr(dot + 1) + (*removed ? " removed" : " not cached");
  }
  // Whose record it was: removing it is processing of that citizen's data.
  action.subject = code.substr(0, dot);
  if (!removed) action.detail = shorten(code.substr(dot + 1) + ": " + action.detail);
  return action;
}

AdminAction audit_who(const AdminServices& s, const AdminCall& call) {
  const std::string subject = first(call.query, "subject");
  if (auto id = parse_personal_id(subject); !id)
    return refused(Error{ErrorCode::kBadRequest, "subject: " + id.error().detail}, call);
  audit::SubjectQuery query;
  query.subject = subject;
  bool is_date = false;
  if (const std::string from = first(call.query, "from"); !from.empty()) {
    query.from = parse_time(from, is_date);
    if (!query.from)
      return refused(
          Error{ErrorCode::kBadRequest, "from: expected 2026-11-22T10:00:00Z or 2026-11-22"}, call);
  }
  if (const std::string to = first(call.query, "to"); !to.empty()) {
    auto until = parse_time(to, is_date);
    if (!until)
      return refused(
          Error{ErrorCode::kBadRequest, "to: expected 2026-11-22T10:00:00Z or 2026-11-22"}, call);
    // Inclusive, as the CLI: a date means the whole day, a time that very microsecond.
    *until += is_date
                  ? std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::hours{24})
                  : std::chrono::microseconds{1};
    query.until = until;
  }
  if (query.from && query.until && *query.from >= *query.until)
    return refused(Error{ErrorCode::kBadRequest, "from is after to"}, call);

  auto answer = s.backend.audit_subject(query);
  if (!answer) {
    AdminAction action = refused(answer.error(), call, 500);
    action.subject = subject;
    return action;
  }
  nlohmann::ordered_json out;
  out["subject"] = subject;
  out["entries"] = nlohmann::ordered_json::array();
  for (const auto& hit : answer->entries) out["entries"].push_back(audit::who_json_entry(hit));
  out["count"] = answer->entries.size();
  out["indexed_through_seq"] = answer->index.through_seq;
  // A line that fails its own hash check is reported as such, never answered as an entry.
  out["tampered"] = nlohmann::ordered_json::array();
  for (const auto& t : answer->tampered)
    out["tampered"].push_back(
        {{"file", t.file}, {"offset", t.offset}, {"seq", t.seq}, {"problem", t.problem}});

  AdminAction action;
  action.response = Response{bhttp::status::ok, 11};
  action.response.set(bhttp::field::content_type, "application/json");
  action.response.set(bhttp::field::cache_control, "no-store");
  action.response.body() =
      out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  action.subject = subject;
  action.detail =
      fmt::format("{} entries, {} tampered", answer->entries.size(), answer->tampered.size());
  return action;
}

AdminAction upstreams(const AdminServices& s, const AdminCall& /*call*/) {
  json list = json::array();
  for (const auto& u : s.backend.upstreams())
    list.push_back({{"adapter", u.adapter}, {"circuit_breaker", u.state}});
  AdminAction action;
  action.detail = fmt::format("{} upstreams", list.size());
  action.response = json_response(200, {{"upstreams", std::move(list)}});
  return action;
}

}  // namespace lienthong::front::admin
