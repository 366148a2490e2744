// The authenticate stage: the member's TLS client certificate must chain to a trust anchor, be
// within its validity dates and not be revoked (CRLs in the trust directory). The TLS layer
// lets expired and revoked certificates through its handshake on purpose, so that the member
// gets a typed answer (CERT_EXPIRED, CERT_REVOKED) instead of a bare handshake failure; this
// stage is where they are refused. Successful validations are cached per certificate for a
// short while, never beyond the certificate's or the CRLs' validity; failures are not cached.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::exchange {

class MemberAuthenticator {
 public:
  MemberAuthenticator(crypto::TrustStore::Ptr trust, Clock::Ptr clock,
                      std::chrono::seconds cache_for = std::chrono::seconds(60));

  // OK, or CERT_UNTRUSTED / CERT_EXPIRED / CERT_REVOKED (and BAD_REQUEST without a certificate).
  Result<void> authenticate(const Member& member) const;

 private:
  crypto::TrustStore::Ptr trust_;
  Clock::Ptr clock_;
  std::chrono::seconds cache_for_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, TimePoint> valid_until_;  // fingerprint → until
};

}  // namespace lienthong::exchange
