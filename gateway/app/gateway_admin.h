// The admin API's view of this gateway's parts (front/admin/admin_backend.h): the members'
// trust snapshot and its reloader, the pipeline's policy and catalogue, the record cache, the
// audit directory and the adapters. Built by Gateway when [admin] is enabled.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "gateway/app/trust_reloader.h"
#include "gateway/cache/record_cache.h"
#include "gateway/documents/documents_config.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/lookup_pipeline.h"
#include "gateway/front/admin/admin_backend.h"

namespace lienthong::app {

struct GatewayAdminParts {
  std::filesystem::path trust_directory;  // [tls] client_trust
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust;
  TrustReloader* reloader = nullptr;  // owned by the Gateway, stopped after the admin front
  std::filesystem::path policy_file;
  std::shared_ptr<exchange::LookupPipeline> pipeline;
  cache::RecordCache::Ptr cache;  // null: no record cache configured
  std::filesystem::path audit_directory;
  std::vector<exchange::Adapter::Ptr> adapters;
  documents::Documents* documents = nullptr;  // null: no [documents]; owned by the Gateway
};

class GatewayAdminBackend final : public front::admin::AdminBackend {
 public:
  explicit GatewayAdminBackend(GatewayAdminParts parts) : parts_(std::move(parts)) {}

  std::filesystem::path trust_directory() const override { return parts_.trust_directory; }
  crypto::TrustSnapshot::Ptr trust() const override { return parts_.trust->get(); }
  Result<void> reload(std::string_view why) override { return parts_.reloader->reload(why); }
  front::admin::ReloadStatus reload_status() const override;
  std::filesystem::path policy_file() const override { return parts_.policy_file; }
  policy::AccessPolicy::Ptr policy() const override { return parts_.pipeline->policy(); }
  std::vector<policy::AccessPolicy::Catalogue> catalogue() const override {
    return parts_.pipeline->catalogue();
  }
  Result<bool> invalidate_record(const std::string& code) override;
  Result<audit::SubjectAnswer> audit_subject(const audit::SubjectQuery& query) override {
    return audit::query_subject(parts_.audit_directory, query);
  }
  std::vector<front::admin::UpstreamStatus> upstreams() const override;

  Result<std::vector<outbox::OutboxStatus>> outbox_documents(outbox::OutboxState state,
                                                             std::size_t limit) override;
  Result<outbox::OutboxStatus> outbox_document(const std::string& document_id) override;
  Result<void> retry_dead_document(const std::string& document_id) override;
  Result<std::vector<documents::RefusedIncoming>> refused_incoming(std::size_t limit) override;

 private:
  GatewayAdminParts parts_;
};

}  // namespace lienthong::app
