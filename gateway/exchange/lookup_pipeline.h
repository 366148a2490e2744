// The lookup pipeline (DESIGN.md §1): authenticate → purpose → route → authorize → subject check
// → record cache → adapter (one upstream call per code in flight) → cache fill → reduce fields →
// sign → audit → answer. Built once from its parts; no stage throws; every request, refused or
// answered, is audited before the caller hears back.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/audit/audit_sink.h"
#include "gateway/cache/record_cache.h"
#include "gateway/cache/replay_guard.h"
#include "gateway/cache/single_flight.h"
#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "gateway/core/snapshot_cell.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/member_authenticator.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/exchange/response_envelope.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::exchange {

struct PipelineParts {
  std::shared_ptr<const MemberAuthenticator> authenticator;
  policy::AccessPolicy::Ptr policy;
  std::vector<Adapter::Ptr> adapters;
  // Grants the policy may hold beyond the adapters' document types (the document exchange's
  // "documents" send/receive), so that check_against accepts them.
  std::vector<policy::AccessPolicy::Catalogue> extra_catalogue;
  cache::RecordCache::Ptr cache;  // may be null: no cache configured
  // Signed requests: jti already seen → REPLAYED. Null: one in memory (a single gateway).
  cache::ReplayGuard::Ptr replay;
  // A signed request's iat may be this far in the past or the future (clock skew).
  std::chrono::seconds signed_request_window{300};
  audit::AuditSink::Ptr audit;
  ResponseEnvelope::Ptr envelope;
  std::shared_ptr<Metrics> metrics;
  Clock::Ptr clock;
};

class LookupPipeline final : public Pipeline, public std::enable_shared_from_this<LookupPipeline> {
 public:
  // Refuses parts that do not fit: a document type served by two adapters, no audit, etc.
  static Result<std::shared_ptr<LookupPipeline>> create(PipelineParts parts);

  void lookup(LookupRequest request, LookupCallback done) override;
  Readiness readiness() const override;

  // Live reload: `next` is checked against what the adapters offer (as at create) and, if it
  // fits, used from the next request on; requests in flight finish under the policy they
  // started with. Refused: the policy in force stays.
  Result<void> replace_policy(policy::AccessPolicy::Ptr next);
  policy::AccessPolicy::Ptr policy() const { return policy_.get(); }
  // What the adapters offer (adapter, document type, fields): what a policy is checked
  // against, for the admin API's policy lint and check. Fixed at create.
  const std::vector<policy::AccessPolicy::Catalogue>& catalogue() const { return catalogue_; }
  // More findings for readiness() (the gateway's own certificates, a refused reload). Added
  // while wiring, before any request.
  void add_readiness_check(std::function<void(Readiness&)> check) {
    readiness_checks_.push_back(std::move(check));
  }

 private:
  struct Route {
    Adapter::Ptr adapter;
    const DocumentTypeSpec* spec = nullptr;
  };
  struct Call;  // one request on its way through the stages

  explicit LookupPipeline(PipelineParts parts);

  Result<void> check_purpose(const LookupRequest& request) const;
  // request_signature = "required" without a signature → SIGNATURE_MISSING; a signed request
  // outside the iat window or with a jti already used → REPLAYED.
  Result<void> check_signature(const LookupRequest& request, const policy::MemberRule& rule);
  void fetch(std::shared_ptr<Call> call);
  void answer(std::shared_ptr<Call> call, Result<VerifiedRecord> record, bool from_cache);
  void finish(std::shared_ptr<Call> call, Result<LookupResponse> outcome);

  PipelineParts parts_;
  std::map<std::string, Route, std::less<>> routes_;  // document type → adapter
  std::vector<policy::AccessPolicy::Catalogue> catalogue_;
  SnapshotCell<policy::AccessPolicy> policy_;
  std::vector<std::function<void(Readiness&)>> readiness_checks_;
  cache::SingleFlight<std::string, Result<VerifiedRecord>> in_flight_;
};

}  // namespace lienthong::exchange
