// The outbox and inbox as administrators see them ([documents], docs/documents.md): documents by
// delivery state (dead letters first of all), one document's state, sending a dead letter again,
// and the incoming documents the receiver refused. Never a body, a subject or a recipient's data:
// DocumentIds, states, attempts and the axis's error codes only.
#include <fmt/format.h>

#include <charconv>

#include "gateway/front/admin/admin_endpoints.h"

namespace lienthong::front::admin {

namespace {

using nlohmann::json;

json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(format_utc_time(*t)) : json(nullptr);
}

json status_json(const outbox::OutboxStatus& s) {
  return {{"document_id", s.document_id},
          {"outbox_id", s.outbox_id},
          {"sender", s.sender_organ},
          {"state", std::string(outbox::state_name(s.state))},
          {"attempts", s.attempts},
          {"axis_id", s.axis_id},
          {"axis_duplicate", s.axis_duplicate},
          {"last_error", s.last_error},
          {"accepted_at", format_utc_time(s.accepted_at)},
          {"next_attempt_at", time_or_null(s.next_attempt_at)},
          {"lease_until", time_or_null(s.lease_until)},
          {"finished_at", time_or_null(s.finished_at)}};
}

// ?limit=N, 1..1000, default 100.
std::optional<std::size_t> limit_of(const AdminCall& call) {
  const std::string text = first(call.query, "limit");
  if (text.empty()) return 100;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 1000)
    return std::nullopt;
  return n;
}

}  // namespace

AdminAction documents_outbox(const AdminServices& s, const AdminCall& call) {
  const std::string state_text = first(call.query, "state");
  const auto state = outbox::parse_state(state_text.empty() ? "dead" : state_text);
  if (!state)
    return refused(Error{ErrorCode::kBadRequest, "state: accepted, delivering, delivered or dead"},
                   call);
  const auto limit = limit_of(call);
  if (!limit) return refused(Error{ErrorCode::kBadRequest, "limit: 1..1000"}, call);
  auto list = s.backend.outbox_documents(*state, *limit);
  if (!list) return refused(list.error(), call);
  json documents = json::array();
  for (const auto& d : *list) documents.push_back(status_json(d));
  AdminAction action;
  action.detail = fmt::format("{} {}", documents.size(), outbox::state_name(*state));
  action.response = json_response(
      200, {{"state", std::string(outbox::state_name(*state))}, {"documents", documents}});
  return action;
}

AdminAction documents_outbox_one(const AdminServices& s, const AdminCall& call) {
  auto status = s.backend.outbox_document(call.param);
  if (!status) return refused(status.error(), call);
  AdminAction action;
  action.detail = std::string(outbox::state_name(status->state));
  action.response = json_response(200, status_json(*status));
  return action;
}

AdminAction documents_retry(const AdminServices& s, const AdminCall& call) {
  std::lock_guard lock(s.change_mutex);
  auto retried = s.backend.retry_dead_document(call.param);
  if (!retried) return refused(retried.error(), call);
  auto status = s.backend.outbox_document(call.param);
  AdminAction action;
  action.detail = "dead letter sent again";
  action.response =
      json_response(200, status ? status_json(*status)
                                : json{{"document_id", call.param}, {"state", "accepted"}});
  return action;
}

AdminAction documents_refused(const AdminServices& s, const AdminCall& call) {
  const auto limit = limit_of(call);
  if (!limit) return refused(Error{ErrorCode::kBadRequest, "limit: 1..1000"}, call);
  auto list = s.backend.refused_incoming(*limit);
  if (!list) return refused(list.error(), call);
  json documents = json::array();
  for (const auto& r : *list)
    documents.push_back({{"axis_id", r.axis_id},
                         {"recipient", r.recipient_organ},
                         {"reason", r.reason},
                         {"at", format_utc_time(r.at)}});
  AdminAction action;
  action.detail = fmt::format("{} refused", documents.size());
  action.response = json_response(200, {{"documents", documents}});
  return action;
}

}  // namespace lienthong::front::admin
