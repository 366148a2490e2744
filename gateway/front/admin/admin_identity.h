// Who may use the admin API (least privilege): a client certificate whose SHA-256 fingerprint is
// one of the configured administrators' ([admin] administrators), that still validates against
// the admin trust ([admin] client_trust) now (not expired, not revoked). A member certificate is
// not an administrator, whatever organ it names.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/snapshot_cell.h"
#include "gateway/crypto/trust_snapshot.h"

namespace lienthong::front::admin {

// What the audit says of an administrator: the organ code of the certificate (SAN URI
// urn:lienthong:organ:<code>, as members), its subject CN and its SHA-256 fingerprint.
struct AdminIdentity {
  std::string organ_code;
  std::string common_name;
  std::string fingerprint;
  // "000.00.00.G22 (quản trị viên G22 (dev), sha256 0123abcd…)": for logs and reload reasons.
  std::string text() const;
};

class AdminAllowlist {
 public:
  // The fingerprints of the first certificate of each PEM/DER file (a fullchain file names its
  // leaf first). BAD_REQUEST naming the file when one cannot be read or holds no certificate.
  static Result<std::set<std::string>> fingerprints_of(
      const std::vector<std::filesystem::path>& files);

  // `trust`: the snapshot administrators' chains are validated against at each request.
  AdminAllowlist(std::set<std::string> fingerprints,
                 std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust, Clock::Ptr clock);

  // The administrator behind a TLS peer, or why not: ACCESS_DENIED for a certificate that is
  // not an administrator's, the validation's own error (CERT_EXPIRED, CERT_REVOKED, ...) for
  // an administrator's certificate that is no longer good.
  Result<AdminIdentity> admit(const Result<Member>& peer) const;

  std::size_t size() const { return fingerprints_.size(); }

 private:
  std::set<std::string> fingerprints_;
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust_;
  Clock::Ptr clock_;
};

}  // namespace lienthong::front::admin
