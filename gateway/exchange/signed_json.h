// Signed JSON on the fronts (DESIGN.md §3 "Signed JSON"), shared by the HTTP and Thrift fronts.
//
// Requests: a member may send its JSON lookup as a JWS (compact or JSON serialization). It must
// be signed with the key of the very certificate the member connected with: the mTLS identity
// and the signing identity are then one, and no key from the JWS itself (jwk, jku, x5u, x5c) is
// ever used. The payload carries two claims besides the lookup: "iat" (seconds since the epoch)
// and "jti" (the member's unique id for the request); the pipeline checks the window and
// replay. Whether a member must sign is the access policy's call (request_signature).
//
// Answers: every JSON answer is signed by the gateway's own key (ES256 by default), over the
// exact bytes sent: HTTP carries a detached compact JWS in X-JWS-Signature, Thrift an attached
// compact JWS in LookupResponse.jws.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/jws_verifier.h"

namespace lienthong::exchange {

using crypto::kJwsSignatureHeader;

struct SignedJsonConfig {
  // Algorithms members may sign with: asymmetric only (a shared secret proves nothing about
  // which member signed).
  std::set<crypto::JwsAlg> request_algorithms = crypto::default_jws_algorithms();
  std::size_t max_request_bytes = 64 << 10;
  // The gateway's answer signer; null: answers go out unsigned (tests of other stages only).
  std::shared_ptr<const crypto::JwsSigner> answer_signer;
  Clock::Ptr clock = SystemClock::instance();
};

struct OpenedRequest {
  std::string payload;  // the signed JSON lookup request
  std::string alg;
  std::string kid;
};

class SignedJson {
 public:
  using Ptr = std::shared_ptr<const SignedJson>;

  // BAD_REQUEST for an allow-list that is empty or names an HMAC algorithm.
  static Result<Ptr> create(SignedJsonConfig config);

  // Verifies a member's JWS with the key of `member`'s certificate. SIGNATURE_INVALID,
  // SIGNATURE_POLICY, BAD_REQUEST (malformed, too large) as the verifier says.
  Result<OpenedRequest> open_request(const Member& member, std::string_view jws) const;

  // "header..signature" over `body`; "" when no answer signer is configured.
  Result<std::string> sign_detached(std::string_view body) const;
  // "header.payload.signature"; "" when no answer signer is configured.
  Result<std::string> sign_attached(std::string_view body) const;

 private:
  explicit SignedJson(SignedJsonConfig config) : config_(std::move(config)) {}
  // One verifier per member certificate, kept while the gateway runs (bounded: the set is
  // dropped when it grows past kMaxVerifiers, and rebuilt on demand).
  Result<crypto::JwsVerifier::Ptr> verifier_for(const Member& member) const;

  static constexpr std::size_t kMaxVerifiers = 4096;
  SignedJsonConfig config_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, crypto::JwsVerifier::Ptr> verifiers_;  // fingerprint →
};

// The claims of a signed request payload, read by the JSON lookup decoder: "iat" must be an
// integer, "jti" 1–128 printable ASCII characters. Shared so that both fronts say the same.
Result<void> check_jti(std::string_view jti);

}  // namespace lienthong::exchange
