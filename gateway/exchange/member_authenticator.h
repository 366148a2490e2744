// The authenticate stage: the member's TLS client certificate must chain to a trust anchor, be
// within its validity dates and not be revoked (CRLs in the trust directory), and, with pinning
// on (the default), be pinned in the trust directory for the organ code it claims
// (`lienthong trust pin-member`). The TLS layer lets expired and revoked certificates through
// its handshake on purpose, so that the member gets a typed answer (CERT_EXPIRED, CERT_REVOKED)
// instead of a bare handshake failure; this stage is where they are refused. Where a member's
// certificate names an OCSP responder, OCSP is asked too (answers cached and prefetched for
// pinned members, so requests rarely wait on a responder).
//
// The trust snapshot is replaced whole on reload (in the shared cell); successful validations are
// cached per certificate for a short while, never beyond the certificate's or the CRLs'
// validity and never across a reload; failures are not cached.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/snapshot_cell.h"
#include "gateway/crypto/ocsp_checker.h"
#include "gateway/crypto/trust_snapshot.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::exchange {

enum class MemberPinning {
  kRequired,  // a member's certificate must be pinned for its organ code (least privilege)
  kOff,       // any certificate that chains to an anchor speaks for the organ it names
};

class MemberAuthenticator {
 public:
  using TrustCell = SnapshotCell<crypto::TrustSnapshot>;
  // `trust` is shared with whoever reloads it (and with the TLS fronts' handshakes).
  // `ocsp` (may be null): members whose certificates name an OCSP responder (or whose issuing
  // CA has one configured) are checked by OCSP as well as by the trust directory's CRLs.
  MemberAuthenticator(std::shared_ptr<TrustCell> trust, Clock::Ptr clock, MemberPinning pinning,
                      crypto::OcspChecker::Ptr ocsp = nullptr,
                      std::chrono::seconds cache_for = std::chrono::seconds(60));
  // A bare trust store and no pins (pinning off): tests and tools.
  MemberAuthenticator(crypto::TrustStore::Ptr trust, Clock::Ptr clock,
                      std::chrono::seconds cache_for = std::chrono::seconds(60));

  // OK, or CERT_UNTRUSTED (not pinned, pinned for another organ, no path to an anchor) /
  // CERT_EXPIRED / CERT_REVOKED.
  Result<void> authenticate(const Member& member) const;

  crypto::TrustSnapshot::Ptr snapshot() const { return trust_ ? trust_->get() : nullptr; }

  // Asks OCSP about every pinned member of the snapshot in force, so that requests find the
  // answers cached instead of waiting on a responder. Off the request path (startup, after a
  // reload, periodically). Returns the failures (a member's certificate each), for the log.
  std::vector<Error> prefetch_ocsp() const;

 private:
  Result<void> check_pin(const crypto::TrustSnapshot& snapshot, const Member& member) const;
  Result<void> validate_path(const crypto::TrustSnapshot::Ptr& snapshot,
                             const Member& member) const;
  // OCSP for the leaf of a validated path (leaf first): OK when no responder applies.
  Result<void> check_ocsp(const crypto::ValidatedPath& path) const;

  std::shared_ptr<TrustCell> trust_;  // null: the bare-store constructor
  crypto::TrustStore::Ptr bare_store_;
  Clock::Ptr clock_;
  MemberPinning pinning_;
  crypto::OcspChecker::Ptr ocsp_;
  std::chrono::seconds cache_for_;
  mutable std::mutex mutex_;
  mutable std::uint64_t cached_generation_ = 0;
  mutable std::unordered_map<std::string, TimePoint> valid_until_;  // fingerprint → until
};

}  // namespace lienthong::exchange
