// What the admin API acts on (issue 5 item 5): the gateway's trust snapshot and its reloader,
// the access policy and the adapters' catalogue, the record cache, the audit directory and the
// upstreams' circuit breakers. Only gateway/app knows the concrete parts (GatewayAdminBackend);
// the admin router sees this narrow interface, so its tests use a fake.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/audit/audit_index.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/trust_snapshot.h"
#include "gateway/documents/document_inbox.h"
#include "gateway/outbox/outbox_types.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::front::admin {

// TrustReloader's ReloadState, as the admin API reports it.
struct ReloadStatus {
  std::uint64_t trust_generation = 0;
  std::uint64_t reloads_ok = 0;
  std::uint64_t reloads_refused = 0;
  std::string last_error;  // "" when the last attempt succeeded
  TimePoint last_attempt{};
};

struct UpstreamStatus {
  std::string adapter;
  std::string state;  // "closed", "open", "half-open"
};

class AdminBackend {
 public:
  using Ptr = std::shared_ptr<AdminBackend>;
  virtual ~AdminBackend() = default;

  // The trust directory the members' snapshot is read from (changes go there, then reload()).
  virtual std::filesystem::path trust_directory() const = 0;
  virtual crypto::TrustSnapshot::Ptr trust() const = 0;  // the snapshot in force
  // Re-reads trust and policy; both swapped in or neither (TrustReloader::reload).
  virtual Result<void> reload(std::string_view why) = 0;
  virtual ReloadStatus reload_status() const = 0;

  virtual std::filesystem::path policy_file() const = 0;
  virtual policy::AccessPolicy::Ptr policy() const = 0;  // the policy in force
  virtual std::vector<policy::AccessPolicy::Catalogue> catalogue() const = 0;

  // Removes one verified record from the cache: true when one was there. BAD_REQUEST when the
  // gateway has no record cache; UPSTREAM_UNAVAILABLE when Redis cannot be reached.
  virtual Result<bool> invalidate_record(const std::string& code) = 0;

  // audit::query_subject on the gateway's audit directory.
  virtual Result<audit::SubjectAnswer> audit_subject(const audit::SubjectQuery& query) = 0;

  virtual std::vector<UpstreamStatus> upstreams() const = 0;

  // [documents] (docs/documents.md): the outbox's documents by state (dead letters above all),
  // one document's delivery state, a dead letter sent again, and the incoming documents the
  // receiver refused. Without [documents]: NOT_FOUND "documents are not enabled".
  virtual Result<std::vector<outbox::OutboxStatus>> outbox_documents(outbox::OutboxState state,
                                                                     std::size_t limit) {
    (void)state, (void)limit;
    return documents_disabled();
  }
  virtual Result<outbox::OutboxStatus> outbox_document(const std::string& document_id) {
    (void)document_id;
    return documents_disabled();
  }
  virtual Result<void> retry_dead_document(const std::string& document_id) {
    (void)document_id;
    return documents_disabled();
  }
  virtual Result<std::vector<documents::RefusedIncoming>> refused_incoming(std::size_t limit) {
    (void)limit;
    return documents_disabled();
  }

 protected:
  static Error documents_disabled_error() {
    return Error{ErrorCode::kNotFound, "documents are not enabled on this gateway"};
  }
  static tl::unexpected<Error> documents_disabled() {
    return tl::unexpected(documents_disabled_error());
  }
};

}  // namespace lienthong::front::admin
