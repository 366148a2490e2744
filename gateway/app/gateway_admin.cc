#include "gateway/app/gateway_admin.h"

namespace lienthong::app {

front::admin::ReloadStatus GatewayAdminBackend::reload_status() const {
  const ReloadState s = parts_.reloader->state();
  return {s.trust_generation, s.reloads_ok, s.reloads_refused, s.last_error, s.last_attempt};
}

Result<bool> GatewayAdminBackend::invalidate_record(const std::string& code) {
  if (!parts_.cache)
    return fail(ErrorCode::kBadRequest,
                "this gateway has no record cache ([cache] enabled = false)");
  return parts_.cache->remove(code);
}

std::vector<front::admin::UpstreamStatus> GatewayAdminBackend::upstreams() const {
  std::vector<front::admin::UpstreamStatus> out;
  for (const auto& a : parts_.adapters)
    out.push_back({std::string(a->name()), a->upstream_state()});
  return out;
}

Result<std::vector<outbox::OutboxStatus>> GatewayAdminBackend::outbox_documents(
    outbox::OutboxState state, std::size_t limit) {
  if (!parts_.documents) return documents_disabled();
  return parts_.documents->outbox()->list(state, limit);
}

Result<outbox::OutboxStatus> GatewayAdminBackend::outbox_document(const std::string& document_id) {
  if (!parts_.documents) return documents_disabled();
  return parts_.documents->outbox()->status(document_id);
}

Result<void> GatewayAdminBackend::retry_dead_document(const std::string& document_id) {
  if (!parts_.documents) return documents_disabled();
  return parts_.documents->outbox()->retry_dead(document_id);
}

Result<std::vector<documents::RefusedIncoming>> GatewayAdminBackend::refused_incoming(
    std::size_t limit) {
  if (!parts_.documents) return documents_disabled();
  return parts_.documents->inbox()->refused(limit);
}

}  // namespace lienthong::app
