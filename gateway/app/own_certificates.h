// The gateway's own certificates (the signing certificate of every answer, the TLS server
// certificate): their expiry in /metrics, and in /readyz a warning 30 days ahead and a failure
// once the signing certificate has expired or is revoked (an answer nobody can verify is no
// answer). Revocation is judged by the trust snapshot in force (its anchors and CRLs).
#pragma once

#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/trust_snapshot.h"
#include "gateway/exchange/pipeline.h"

namespace lienthong::app {

struct OwnCertificate {
  std::string role;  // "signing", "tls"
  crypto::X509Ptr cert;
  std::vector<crypto::X509Ptr> chain;   // intermediates, for the revocation check
  bool required_for_readiness = false;  // expired or revoked → not ready
};

inline constexpr std::chrono::hours kExpiryWarning{24 * 30};

// Adds notes (and clears ready / sets degraded) for expiring, expired and revoked certificates.
void check_own_certificates(const std::vector<OwnCertificate>& own,
                            const crypto::TrustSnapshot* trust, TimePoint now,
                            exchange::Readiness& r);

// lienthong_own_certificate_expiry_seconds{role="signing"} ... (negative: expired).
void render_own_certificates(const std::vector<OwnCertificate>& own, TimePoint now,
                             std::string& out);

}  // namespace lienthong::app
