// Verifying JWS from outside (RFC 7515, RFC 7797, RFC 8037; DESIGN.md §3 "Signed JSON"):
//  - compact, flattened and general JSON serializations; in the general one every signature
//    must verify;
//  - only algorithms on the allow-list (default ES256/384/512, PS256, RS256, EdDSA); "none" in
//    any letter case is always refused, HMAC only when allowed explicitly and with an oct key;
//  - the key's type must match alg; keys come only from configuration (JWKs, pinned
//    certificates) selected by kid, or from an "x5c" chain that validates to the TrustStore;
//    never from "jwk", "jku" or "x5u", and a header carrying one of those is refused;
//  - "crit" may name only "b64" (RFC 7797), which must then be protected; no parameter may
//    appear in both the protected and the unprotected header; repeated member names are
//    refused; sizes and JSON depth are bounded.
// Error details name what was refused and why; they never quote the payload.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_algorithms.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::crypto {

enum class JwsSerialization { kCompact, kFlattened, kGeneral };

// The HTTP header that carries a detached compact JWS of the body: the REST upstreams' answers
// (and their simulators) and the gateway's own JSON answers.
inline constexpr std::string_view kJwsSignatureHeader = "X-JWS-Signature";
const char* jws_serialization_name(JwsSerialization s);  // "compact", "flattened", "general"

struct JwsLimits {
  size_t max_bytes = 1 << 20;          // the whole JWS as given
  size_t max_header_bytes = 16 << 10;  // one decoded protected header (x5c chains fit)
  size_t max_depth = 16;               // JSON nesting, document and headers
  size_t max_signatures = 8;           // general serialization
  size_t max_x5c = 8;                  // certificates in one x5c
};

struct JwsVerifierConfig {
  std::set<JwsAlg> algorithms = default_jws_algorithms();
  std::vector<Jwk> keys;  // configured keys (public parts are used), chosen by kid
  TrustStore::Ptr trust;  // anchors for "x5c"; without it "x5c" is never used
  Clock::Ptr clock = SystemClock::instance();
  JwsLimits limits;
  int x509_security_level = 2;  // for x5c paths (see PathCheck)
};

struct JwsSignatureInfo {
  std::string alg;                 // "ES256"
  std::optional<std::string> kid;  // from the header
  std::string protected_header;    // the decoded protected header (JSON text), "" if none
  std::string signer;              // certificate subject DN, or the configured key's description
  std::string signer_fingerprint;  // SHA-256 of the certificate or SPKI; "" for an oct key
  std::vector<X509Ptr> chain;      // x5c path (leaf first) or the pinned certificate
};

struct VerifiedJws {
  JwsSerialization serialization = JwsSerialization::kCompact;
  std::string payload;    // the payload bytes (decoded; the detached payload when detached)
  bool detached = false;  // the payload came from outside the JWS
  bool b64 = true;        // false: RFC 7797 unencoded payload
  std::vector<JwsSignatureInfo> signatures;  // all verified; at least one

  const JwsSignatureInfo& first() const { return signatures.front(); }
};

class JwsVerifier {
 public:
  using Ptr = std::shared_ptr<const JwsVerifier>;
  virtual ~JwsVerifier() = default;
  // `detached_payload`: the payload bytes for a JWS whose payload segment is empty or absent.
  virtual Result<VerifiedJws> verify(
      std::string_view jws, std::optional<std::string_view> detached_payload = {}) const = 0;
};

struct JwsVerifierKeys;  // the configured keys prepared once (jws_verifier.cc)

class OpenSslJwsVerifier final : public JwsVerifier {
 public:
  // BAD_REQUEST/SIGNATURE_POLICY for a configuration that cannot be used (an empty allow-list,
  // "none", a configured key no allowed algorithm could use).
  static Result<std::shared_ptr<const OpenSslJwsVerifier>> create(JwsVerifierConfig config);

  Result<VerifiedJws> verify(std::string_view jws,
                             std::optional<std::string_view> detached_payload = {}) const override;

 private:
  OpenSslJwsVerifier(JwsVerifierConfig config, std::shared_ptr<const JwsVerifierKeys> prepared)
      : config_(std::move(config)), prepared_(std::move(prepared)) {}

  JwsVerifierConfig config_;
  // Per configured key: its description and fingerprint, and OpenSSL state ready for each
  // allowed algorithm it can serve.
  std::shared_ptr<const JwsVerifierKeys> prepared_;
};

}  // namespace lienthong::crypto
