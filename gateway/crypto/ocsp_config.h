// How the OCSP checker (ocsp_checker.h) asks and how long it trusts an answer. Parsed once by
// main.cc; the checker keeps its own copy. Durations are whole seconds except the timeout.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

// What to do when a fresh answer cannot be had: responder down, timed out, or its answer
// refused (bad signature, unauthorised signer, wrong certificate, stale, tryLater...).
enum class OcspUnavailable {
  kFailClosed,  // no fresh answer, no trust: CERT_UNTRUSTED
  kGrace,       // keep serving the last verified answer for `grace` after it went stale
};

// Per issuing CA (X-Road lets administrators name the responder of each CA).
struct OcspIssuerPolicy {
  std::string responder_url;  // overrides the certificate's AIA id-ad-ocsp URL when set
  OcspUnavailable when_unavailable = OcspUnavailable::kFailClosed;
  std::chrono::seconds grace{0};  // only with kGrace
};

struct OcspConfig {
  // An answer is used until its nextUpdate, and never longer than this after its thisUpdate
  // (which is also the lifetime of an answer that carries no nextUpdate).
  std::chrono::seconds freshness{std::chrono::hours(1)};
  // Tolerated disagreement between our clock and the responder's: thisUpdate that far in the
  // future, nextUpdate (or thisUpdate + freshness) that far in the past are still accepted.
  std::chrono::seconds clock_skew{std::chrono::minutes(5)};
  // refresh() fetches an answer again this long before it goes stale.
  std::chrono::seconds refresh_margin{std::chrono::minutes(10)};
  // refresh() forgets certificates nobody asked about for this long.
  std::chrono::seconds idle_eviction{std::chrono::hours(24)};
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  // A nonce ties the answer to our request (no replay of an old, still valid answer). Many
  // production responders serve pre-signed answers without one: accept those only when told.
  bool send_nonce = true;
  bool accept_missing_nonce = false;

  OcspIssuerPolicy default_policy;
  // Key: SHA-256 fingerprint (lowercase hex, as sha256_fingerprint) of the issuing CA's
  // certificate.
  std::map<std::string, OcspIssuerPolicy> issuers;

  // BAD_REQUEST naming the offending setting.
  Result<void> validate() const;
  const OcspIssuerPolicy& policy_for(const X509* issuer) const;
};

}  // namespace lienthong::crypto
