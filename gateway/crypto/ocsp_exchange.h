// One OCSP round (RFC 6960): the request for one certificate, and the checks its answer must
// pass before we believe it. OpenSSL does the ASN.1 and the signature work (OCSP_cert_to_id,
// OCSP_request_add1_nonce, OCSP_basic_verify, OCSP_resp_find_status); this file decides what
// is trusted (only the issuing CA, or a delegated responder it certified), at which time (our
// Clock, not the wall clock), and turns every refusal into an error an administrator can act
// on. Caching and policy live in ocsp_checker.h.
#pragma once

#include <openssl/ocsp.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

enum class CertStatus { kGood, kRevoked, kUnknown };

// Where a status came from.
enum class OcspSource {
  kFetched,  // asked the responder for this call
  kCache,    // a verified answer still fresh
  kGrace,    // a verified answer gone stale, served under the grace policy (responder failing)
};

struct OcspStatus {
  CertStatus status = CertStatus::kUnknown;
  int revocation_reason = -1;  // CRL reason code (RFC 5280 §5.3.1); -1 when none was given
  std::optional<TimePoint> revoked_at;
  TimePoint this_update;
  std::optional<TimePoint> next_update;
  TimePoint produced_at;
  OcspSource source = OcspSource::kFetched;
  std::string responder_url;
};

std::string_view cert_status_name(CertStatus status);  // "good", "revoked", "unknown"
std::string_view ocsp_source_name(OcspSource source);  // "fetched", "cache", "grace"
std::string revocation_reason_name(int reason);        // "keyCompromise", ...

using OcspRequestPtr =
    std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST, OCSP_REQUEST_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, OpenSslDeleter<OCSP_CERTID, OCSP_CERTID_free>>;

// What an answer is checked against.
struct OcspResponseChecks {
  TimePoint now;
  std::chrono::seconds clock_skew{0};
  std::chrono::seconds freshness{0};  // max age from thisUpdate
  bool accept_missing_nonce = false;
};

// The instant an answer stops being usable: its nextUpdate, but never later than thisUpdate +
// freshness (the only bound when the responder gave no nextUpdate). Clock skew comes on top.
TimePoint ocsp_usable_until(const OcspStatus& status, std::chrono::seconds freshness);

class OcspExchange {
 public:
  // CERT_UNTRUSTED when no CertID can be made for the pair (no issuer, broken certificate).
  static Result<OcspExchange> create(const X509* leaf, const X509* issuer, bool send_nonce);

  // The DER request to POST.
  const std::string& request_der() const { return request_der_; }
  // The CertID (issuerNameHash, issuerKeyHash, serial; SHA-1 as RFC 5019 profiles) in hex:
  // the same certificate gives the same key whichever object holds it.
  const std::string& cert_id_key() const { return cert_id_key_; }

  // The answer's verdict on our certificate, or CERT_UNTRUSTED saying why it was refused:
  // not an OCSP response, an unsuccessful responseStatus (tryLater, internalError...), a
  // nonce that does not match, a signature that does not verify, a signer that is neither
  // the issuing CA nor a delegated responder it issued with id-kp-OCSPSigning, no answer for
  // our CertID, thisUpdate in the future or too old, nextUpdate passed.
  Result<OcspStatus> verify_response(std::string_view der, const OcspResponseChecks& checks) const;

 private:
  OcspExchange() = default;

  X509Ptr leaf_;
  X509Ptr issuer_;
  OcspCertIdPtr cert_id_;
  OcspRequestPtr request_;
  std::string request_der_;
  std::string cert_id_key_;
};

// "http://..." from the certificate's Authority Information Access (id-ad-ocsp), the first
// one; nullopt when it names none.
std::optional<std::string> ocsp_responder_from_aia(const X509* cert);

}  // namespace lienthong::crypto
