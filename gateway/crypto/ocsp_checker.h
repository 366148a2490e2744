// Revocation status by OCSP (RFC 6960) for certificates that name a responder (DESIGN.md §6).
//
// check() answers from a cache keyed by the OCSP CertID while the last verified answer is
// fresh (ocsp_usable_until + clock skew), and otherwise asks the responder through the
// OcspTransport (blocking, bounded by the configured timeout). The responder is the one the
// configuration names for the issuing CA, else the certificate's AIA id-ad-ocsp URL.
// refresh() re-fetches answers that go stale within refresh_margin, so a periodic task off the
// request path keeps the cache warm and requests rarely wait on a responder.
//
// When no fresh answer can be had (responder down, timed out, answer refused), the issuing
// CA's policy decides: fail closed (CERT_UNTRUSTED "revocation status unavailable: ...") or
// serve the last verified answer for up to `grace` after it went stale, marked kGrace.
// A revoked or unknown status is a result, not an error: ocsp_verdict() turns it into one.
// Thread-safe; fetches run outside the lock (two concurrent misses may both fetch).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/ocsp_config.h"
#include "gateway/crypto/ocsp_exchange.h"
#include "gateway/crypto/ocsp_transport.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct OcspRefreshReport {
  std::size_t refreshed = 0;
  std::size_t evicted = 0;      // not asked about for idle_eviction
  std::vector<Error> failures;  // one per answer that could not be renewed
};

class OcspChecker {
 public:
  using Ptr = std::shared_ptr<OcspChecker>;

  // BAD_REQUEST when the configuration is invalid (OcspConfig::validate).
  static Result<Ptr> create(OcspConfig config, OcspTransport::Ptr transport, Clock::Ptr clock);

  // The responder this checker would ask about `leaf` (configured for `issuer`, else AIA);
  // nullopt when there is none, i.e. the certificate is not subject to OCSP here.
  std::optional<std::string> responder_for(const X509* leaf, const X509* issuer) const;

  // The status of `leaf`, issued by `issuer`, at the clock's time. CERT_UNTRUSTED when there
  // is no responder, or no usable answer under the issuing CA's policy (the detail says why).
  Result<OcspStatus> check(const X509* leaf, const X509* issuer);

  // CertID keys (OcspExchange::cert_id_key) of cached answers that go stale before
  // now + refresh_margin (or already have).
  std::vector<std::string> refresh_due(TimePoint now) const;
  // Fetches those again; an answer that cannot be renewed stays cached (grace may serve it).
  OcspRefreshReport refresh();

  std::size_t cache_size() const;

 private:
  struct Entry {
    X509Ptr leaf;
    X509Ptr issuer;
    OcspStatus status;  // the last verified answer
    TimePoint last_used;
  };

  OcspChecker(OcspConfig config, OcspTransport::Ptr transport, Clock::Ptr clock);

  // Asks the responder and verifies the answer; caches it when accepted.
  Result<OcspStatus> fetch(const X509* leaf, const X509* issuer, const OcspExchange& exchange,
                           const std::string& url, TimePoint now);
  // The cached answer marked kCache while fresh (and marked used); nullopt otherwise.
  std::optional<OcspStatus> cached_if_fresh(const std::string& key, TimePoint now);
  // When an answer stops being served from the cache: ocsp_usable_until + clock skew.
  TimePoint stale_at(const OcspStatus& status) const;

  const OcspConfig config_;
  const OcspTransport::Ptr transport_;
  const Clock::Ptr clock_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
};

// OK for kGood; CERT_REVOKED (with reason and time) for kRevoked; CERT_UNTRUSTED for kUnknown
// (the responder does not know the certificate: RFC 6960 §2.2 says treat it as not good).
Result<void> ocsp_verdict(const OcspStatus& status, const X509* leaf);

}  // namespace lienthong::crypto
